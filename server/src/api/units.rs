use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use hocvuso::model::{UnitForm, UnitView};
use hocvuso::service::units;
use hocvuso_app::state::AppState;
use serde::Deserialize;

use super::{ApiResult, Caller, JsonBody};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Official commune code.
    commune: Option<i32>,
}

#[utoipa::path(get, path = "/organisations", tag = "units", params(UnitQuery),
    responses((status = 200, body = Vec<UnitView>), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<UnitQuery>,
) -> ApiResult<Json<Vec<UnitView>>> {
    Ok(Json(units::list_organisations(&state.db, &actor, query.commune).await?))
}

#[utoipa::path(post, path = "/organisations", tag = "units", request_body = UnitForm,
    responses((status = 201, body = UnitView), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<UnitForm>,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    Ok((StatusCode::CREATED, Json(units::create_organisation(&state.db, &actor, state.landing, &form).await?)))
}

#[utoipa::path(get, path = "/teams", tag = "units", params(UnitQuery),
    responses((status = 200, body = Vec<UnitView>), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list_teams(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<UnitQuery>,
) -> ApiResult<Json<Vec<UnitView>>> {
    Ok(Json(units::list_teams(&state.db, &actor, query.commune).await?))
}

#[utoipa::path(post, path = "/teams", tag = "units", request_body = UnitForm,
    responses((status = 201, body = UnitView), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn create_team(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<UnitForm>,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    Ok((StatusCode::CREATED, Json(units::create_team(&state.db, &actor, state.landing, &form).await?)))
}
