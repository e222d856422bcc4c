use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hocvuso::model::{LearnerDetail, LearnerFilter, LearnerForm, LearnerView, Page};
use hocvuso::service::registration;
use hocvuso_app::state::AppState;

use super::{ApiResult, Caller, JsonBody};

/// `POST /api/v1/learners`: 201 with the learner, 409 naming the existing learner, 422 listing every problem.
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<LearnerForm>,
) -> ApiResult<(StatusCode, Json<LearnerView>)> {
    let learner = registration::register(&state.db, &actor, state.province, &form).await?;
    Ok((StatusCode::CREATED, Json(learner)))
}

/// `GET /api/v1/learners?q=&commune=&organisation=&team=&page=`: the caller's learners only.
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(filter): Query<LearnerFilter>,
) -> ApiResult<Json<Page<LearnerView>>> {
    Ok(Json(registration::search(&state.db, &actor, &filter).await?))
}

/// `GET /api/v1/learners/{code}`: with `progress_url`; 404 when out of scope, as when it does not exist.
pub async fn show(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<LearnerDetail>> {
    Ok(Json(registration::card(&state.db, &actor, &code, &state.public_url).await?.into()))
}

/// `POST /api/v1/learners/{code}/progress-link`: a new personal link; the old one stops working.
pub async fn renew_progress_link(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<LearnerDetail>> {
    Ok(Json(registration::renew_progress_link(&state.db, &actor, &code, &state.public_url).await?.into()))
}

#[derive(serde::Deserialize)]
pub struct LookupRequest {
    phone: String,
    birth_date: String,
}

/// `POST /api/v1/lookup`: a learner's own page by phone and birth date, without an account.
/// The same 422 whether the phone or the birth date is wrong; 429 past the per-address limit.
pub async fn lookup(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<crate::auth::ClientAddr>,
    JsonBody(request): JsonBody<LookupRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let token = hocvuso::service::lookup::own_page(&state.db, &request.phone, &request.birth_date, &client.0).await?;
    Ok(Json(serde_json::json!({ "progress_url": registration::progress_url(&state.public_url, &token) })))
}

/// `GET /api/v1/learners/{code}/personal-data`: everything held about the learner, as a JSON file
/// to hand over on request (organisers in scope, admins).
pub async fn personal_data(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let data = hocvuso::service::privacy::export(&state.db, &actor, &code, &state.public_url).await?;
    let disposition = format!("attachment; filename=\"du-lieu-ca-nhan-{}.json\"", data.learner.code);
    Ok(([(axum::http::header::CONTENT_DISPOSITION, disposition)], Json(data)))
}

/// `DELETE /api/v1/learners/{code}/personal-data`: forgets the person; their enrolments still count.
pub async fn erase_personal_data(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    hocvuso::service::privacy::erase(&state.db, &actor, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}
