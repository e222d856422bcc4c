use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hocvuso::Error;
use hocvuso::model::{SignoffForm, SignoffReview, SignoffView};
use hocvuso::service::now;
use hocvuso::service::statistics::signoff::{self, Review, parse_week};
use hocvuso_app::state::AppState;

use super::{ApiResult, Caller, JsonBody};

/// `POST /api/v1/reports/weekly/{week}/signoff` `{"commune", "note"?}`: an organiser answering for the
/// commune (or an admin of it) confirms the week's figures, kept as a snapshot. 422 for a week not
/// ended, 404 for a commune outside the caller's scope, 409 for a week already signed or approved
/// (a returned week is signed again).
#[utoipa::path(post, path = "/reports/weekly/{week}/signoff", tag = "statistics", request_body = SignoffForm,
    params(("week" = String, Path, description = "The ISO week, \"2026-W47\"")),
    responses((status = 201, body = SignoffView), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(text): Path<String>,
    JsonBody(form): JsonBody<SignoffForm>,
) -> ApiResult<(StatusCode, Json<SignoffView>)> {
    actor.account()?;
    let signed = signoff::sign(&state.db, &actor, parse_week(&text)?, &form, now()).await?;
    Ok((StatusCode::CREATED, Json(signed)))
}

/// `POST /api/v1/reports/weekly/{week}/signoff/{commune}/approve` `{"comment"?}`: a province or
/// country admin approves a sign-off awaiting review (403 for organisers, 404 outside their province
/// or for a week not signed, 409 when not awaiting review).
#[utoipa::path(post, path = "/reports/weekly/{week}/signoff/{commune}/approve", tag = "statistics", request_body = SignoffReview,
    params(("week" = String, Path, description = "The ISO week, \"2026-W47\""), ("commune" = i32, Path, description = "The commune's code")),
    responses((status = 200, body = SignoffView), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((text, commune)): Path<(String, String)>,
    JsonBody(form): JsonBody<SignoffReview>,
) -> ApiResult<Json<SignoffView>> {
    review(state, actor, &text, &commune, Review::Approve, form).await
}

/// `POST /api/v1/reports/weekly/{week}/signoff/{commune}/return` `{"comment"}`: as `approve`, but the
/// sign-off goes back to the commune, which signs again; the comment says why (422 without one).
#[utoipa::path(post, path = "/reports/weekly/{week}/signoff/{commune}/return", tag = "statistics", request_body = SignoffReview,
    params(("week" = String, Path, description = "The ISO week, \"2026-W47\""), ("commune" = i32, Path, description = "The commune's code")),
    responses((status = 200, body = SignoffView), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn return_signoff(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((text, commune)): Path<(String, String)>,
    JsonBody(form): JsonBody<SignoffReview>,
) -> ApiResult<Json<SignoffView>> {
    review(state, actor, &text, &commune, Review::Return, form).await
}

async fn review(
    state: AppState,
    actor: hocvuso::auth::Actor,
    week_text: &str,
    commune: &str,
    decision: Review,
    form: SignoffReview,
) -> ApiResult<Json<SignoffView>> {
    actor.require_admin()?;
    let week = parse_week(week_text)?;
    // A code that is not a number names no commune.
    let commune: i32 = commune.parse().map_err(|_| Error::NotFound)?;
    Ok(Json(signoff::review(&state.db, &actor, week, commune, decision, &form, now()).await?))
}
