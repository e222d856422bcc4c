//! Learners' platform accounts (how MOOC platforms' statements become theirs) and the actors whose
//! statements wait for one.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hocvuso::service::lrs::links::{self, Linked, PlatformAccountForm, PlatformAccountView, UnmatchedActor};
use hocvuso_app::state::AppState;

use super::{ApiResult, Caller, JsonBody};

/// `POST /api/v1/learners/{code}/platform-accounts` `{"home_page","name"}` or `{"mbox"}`: links the
/// account and applies, in order and once, the statements that waited for it. 201 when made, 200
/// when the learner had it already, 409 when it is another learner's. An e-mail address is kept
/// only as its SHA-1.
#[utoipa::path(post, path = "/learners/{code}/platform-accounts", tag = "learners",
    params(("code" = String, Path, description = "The learner's code, HV-…")), request_body = PlatformAccountForm,
    responses((status = 201, body = Linked), (status = 200, body = Linked, description = "Linked already"),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
    JsonBody(form): JsonBody<PlatformAccountForm>,
) -> ApiResult<(StatusCode, Json<Linked>)> {
    let linked = links::link(&state.db, &actor, &code, &form).await?;
    let status = if linked.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(linked)))
}

/// `GET /api/v1/learners/{code}/platform-accounts`: the learner's platform accounts.
#[utoipa::path(get, path = "/learners/{code}/platform-accounts", tag = "learners",
    params(("code" = String, Path, description = "The learner's code, HV-…")),
    responses((status = 200, body = Vec<PlatformAccountView>),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<PlatformAccountView>>> {
    let learner = hocvuso::service::learners::registration::find(&state.db, &actor, &code).await?;
    Ok(Json(links::of_learner(&state.db, learner.id).await?))
}

/// `GET /api/v1/xapi/unmatched`: actors whose statements record outcomes in known courses but who
/// are no learner yet (actor, platform, courses, statement count, first and last seen), most
/// recently seen first. Linking one of them applies their statements.
#[utoipa::path(get, path = "/xapi/unmatched", tag = "xapi",
    responses((status = 200, body = Vec<UnmatchedActor>),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn unmatched(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Vec<UnmatchedActor>>> {
    Ok(Json(links::unmatched(&state.db, &actor).await?))
}
