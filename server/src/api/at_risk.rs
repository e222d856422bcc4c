use axum::Json;
use axum::extract::{Query, State};
use hocvuso::model::{AtRiskList, AtRiskQuery};
use hocvuso::service::learners::at_risk;
use hocvuso_app::state::AppState;

use super::{ApiResult, Caller};

/// `GET /api/v1/at-risk?team=|organisation=|commune=&course=&idle_days=7&enrolled_days=7&page=`: the
/// caller's learners enrolled at least `enrolled_days` days, not completed, with no change of
/// progress for at least `idle_days` days, most idle first, 50 a page. 404 for a team,
/// organisation or commune outside the caller's scope; 422 naming each bad value.
#[utoipa::path(get, path = "/at-risk", tag = "learners", params(AtRiskQuery),
    responses((status = 200, body = AtRiskList), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<AtRiskQuery>,
) -> ApiResult<Json<AtRiskList>> {
    // Who asks before what they ask: a stranger learns nothing of the parameters either.
    actor.account()?;
    let filter = at_risk::Filter::parse(&query)?;
    let now = hocvuso::service::now();
    Ok(Json(at_risk::list(&state.db, &actor, &filter, &state.public_url, now).await?))
}
