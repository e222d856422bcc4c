use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hocvuso::model::{LearnerDetail, LearnerFilter, LearnerForm, LearnerView, Page, PersonalData};
use hocvuso::service::learners::registration;
use hocvuso_app::state::AppState;

use axum::response::Response;

use super::idempotency::{KeyHeader, answer};
use super::{ApiError, ApiResult, Caller, JsonBody};

/// `POST /api/v1/learners`: 201 with the learner, 409 naming the existing learner, 422 listing every
/// problem. With an `Idempotency-Key` the registration is applied once: a repeat gets the first
/// answer again (201 or 409) with `Idempotent-Replayed: true`, and `progress_url` null (it is shown
/// once); the same key with another body is 422.
#[utoipa::path(post, path = "/learners", tag = "learners", request_body = LearnerForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "A UUID the client made for this entry (the offline outbox's id)"),
        ("Outbox-Account" = Option<String>, Header, description = "The username the outbox entry was typed under; 422 when another account sends it")),
    responses((status = 201, body = LearnerDetail, description = "Registered; `progress_url` is shown this once"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    KeyHeader(key, typed_by): KeyHeader,
    JsonBody(form): JsonBody<LearnerForm>,
) -> ApiResult<Response> {
    actor.check_outbox_account(typed_by.as_deref())?;
    let done = registration::register_once(&state.db, &actor, state.landing, &form, key).await?;
    let outcome = done.outcome.map_err(ApiError).map(|done| {
        let progress_url =
            done.link.map(|link| hocvuso::service::learners::progress_link::url(&state.public_url, &link));
        let has_progress_link = true;
        (StatusCode::CREATED, Json(LearnerDetail { learner: done.learner, has_progress_link, progress_url }))
    });
    Ok(answer(done.replayed, outcome))
}

/// `GET /api/v1/learners?q=&commune=&organisation=&team=&page=`: the caller's learners only.
#[utoipa::path(get, path = "/learners", tag = "learners", params(LearnerFilter),
    responses((status = 200, body = Page<LearnerView>), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(filter): Query<LearnerFilter>,
) -> ApiResult<Json<Page<LearnerView>>> {
    Ok(Json(registration::search(&state.db, &actor, &filter).await?))
}

/// `GET /api/v1/learners/{code}`: 404 when out of scope, as when it does not exist. `progress_url` is
/// null: links are kept hashed and shown only by the answers that make them.
#[utoipa::path(get, path = "/learners/{code}", tag = "learners", params(("code" = String, Path, description = "The learner's code, HV-…")),
    responses((status = 200, body = LearnerDetail), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<LearnerDetail>> {
    Ok(Json(registration::card(&state.db, &actor, &code, &state.public_url, None).await?.into()))
}

/// `POST /api/v1/learners/{code}/progress-link`: a new personal link; the old one stops working.
#[utoipa::path(post, path = "/learners/{code}/progress-link", tag = "learners", params(("code" = String, Path, description = "The learner's code, HV-…")),
    responses((status = 200, body = LearnerDetail, description = "The new link, shown this once"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn renew_progress_link(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<LearnerDetail>> {
    Ok(Json(registration::renew_progress_link(&state.db, &actor, &code, &state.public_url).await?.0.into()))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct LookupRequest {
    phone: String,
    birth_date: String,
}

/// `POST /api/v1/lookup`: a learner's own page by phone and birth date, without an account: an
/// address that opens it until `expires_at` (the printed link is kept hashed and never shown again).
/// The same 422 whether the phone or the birth date is wrong; 429 past the per-address limit.
#[utoipa::path(post, path = "/lookup", tag = "learners", security(()), request_body = LookupRequest,
    responses((status = 200, body = LookupAnswer), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<crate::auth::ClientAddr>,
    JsonBody(request): JsonBody<LookupRequest>,
) -> ApiResult<Json<LookupAnswer>> {
    let secret =
        hocvuso::service::learners::lookup::own_page(&state.db, &request.phone, &request.birth_date, &client.0).await?;
    let expires_at = hocvuso::service::now() + hocvuso::service::learners::progress_link::GRANT_LIFETIME;
    let progress_url = hocvuso::service::learners::progress_link::url(&state.public_url, &secret);
    Ok(Json(LookupAnswer { progress_url, expires_at }))
}

/// An address that opens the learner's own page until `expires_at`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LookupAnswer {
    progress_url: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /api/v1/learners/{code}/personal-data`: everything held about the learner, as a JSON file
/// to hand over on request (organisers in scope, admins).
#[utoipa::path(get, path = "/learners/{code}/personal-data", tag = "learners", params(("code" = String, Path, description = "The learner's code, HV-…")),
    responses((status = 200, body = PersonalData, description = "A JSON file to hand over"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn personal_data(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let data = hocvuso::service::learners::privacy::export(&state.db, &actor, &code).await?;
    let disposition = format!("attachment; filename=\"du-lieu-ca-nhan-{}.json\"", data.learner.code);
    Ok(([(axum::http::header::CONTENT_DISPOSITION, disposition)], Json(data)))
}

/// `DELETE /api/v1/learners/{code}/personal-data`: forgets the person; their enrolments still count.
#[utoipa::path(delete, path = "/learners/{code}/personal-data", tag = "learners", params(("code" = String, Path, description = "The learner's code, HV-…")),
    responses((status = 204, description = "Forgotten; their enrolments still count"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn erase_personal_data(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    hocvuso::service::learners::privacy::erase(&state.db, &actor, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}
