use axum::Json;
use axum::extract::State;
use hocvuso::auth::TokenScope;
use hocvuso::model::Overview;
use hocvuso_app::state::AppState;

use super::{ApiResult, Caller};

/// `GET /api/v1/stats/overview`: the province's headline figures, for people and `read-stats` tokens.
pub async fn overview(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Overview>> {
    actor.require_account_or_token(TokenScope::ReadStats)?;
    Ok(Json(hocvuso::service::overview::overview(&state.db, state.province, &actor).await?))
}
