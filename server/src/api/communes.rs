use axum::Json;
use axum::extract::{Query, State};
use hocvuso::Error;
use hocvuso::auth::Actor;
use hocvuso_app::state::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiResult, Caller};

#[derive(Deserialize)]
pub struct CommuneQuery {
    province: Option<i32>,
}

/// `GET /api/v1/communes?province=15`: the official list, `[{"code","name","kind"}]`.
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<CommuneQuery>,
) -> ApiResult<Json<Value>> {
    if actor == Actor::Anonymous {
        return Err(Error::Unauthorized.into());
    }
    let communes =
        hocvuso::service::units::reference::communes(&state.db, query.province.unwrap_or(state.province)).await?;
    Ok(Json(communes.into_iter().map(|c| json!({"code": c.code, "name": c.name, "kind": c.kind})).collect()))
}
