use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hocvuso::model::{LearnerFilter, LearnerForm, LearnerView, Page};
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

/// `GET /api/v1/learners/{code}`: 404 when out of scope, as when it does not exist.
pub async fn show(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<LearnerView>> {
    Ok(Json(registration::find(&state.db, &actor, &code).await?))
}
