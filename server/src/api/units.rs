use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use hocvuso::model::{UnitForm, UnitView};
use hocvuso::service::units;
use hocvuso_app::state::AppState;
use serde::Deserialize;

use super::{ApiResult, Caller, JsonBody};

#[derive(Deserialize)]
pub struct UnitQuery {
    commune: Option<i32>,
}

pub async fn list_organisations(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<UnitQuery>,
) -> ApiResult<Json<Vec<UnitView>>> {
    Ok(Json(units::list_organisations(&state.db, &actor, query.commune).await?))
}

pub async fn create_organisation(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<UnitForm>,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    Ok((StatusCode::CREATED, Json(units::create_organisation(&state.db, &actor, state.province, &form).await?)))
}

pub async fn list_teams(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<UnitQuery>,
) -> ApiResult<Json<Vec<UnitView>>> {
    Ok(Json(units::list_teams(&state.db, &actor, query.commune).await?))
}

pub async fn create_team(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<UnitForm>,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    Ok((StatusCode::CREATED, Json(units::create_team(&state.db, &actor, state.province, &form).await?)))
}
