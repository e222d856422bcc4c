use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso::model::{GuidanceRow, GuidanceSessionForm, GuidanceSessionView};
use hocvuso::service::guidance;
use hocvuso_app::state::AppState;
use serde::Deserialize;

use super::idempotency::{KeyHeader, answer};
use super::{ApiError, ApiResult, Caller, JsonBody};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// The team's id.
    team: uuid::Uuid,
}

/// `GET /api/v1/guidance-sessions?team=…`: a team's guidance sessions (buổi hướng dẫn), latest
/// first; 404 for a team outside the caller's scope.
#[utoipa::path(get, path = "/guidance-sessions", tag = "guidance", params(TeamQuery),
    responses((status = 200, body = Vec<GuidanceSessionView>), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<TeamQuery>,
) -> ApiResult<Json<Vec<GuidanceSessionView>>> {
    Ok(Json(guidance::list(&state.db, &actor, query.team).await?))
}

/// `POST /api/v1/guidance-sessions`: records a team's guidance session. With an `Idempotency-Key`
/// it is recorded once: a repeat answers as the first did, with `Idempotent-Replayed: true`; the
/// same key with another body is 422. 404 for a team or commune outside the caller's scope; 422
/// lists every problem (each attendee not in scope as `attendees.<index>`).
#[utoipa::path(post, path = "/guidance-sessions", tag = "guidance", request_body = GuidanceSessionForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "A UUID the client made for this entry (the offline outbox's id)"),
        ("Outbox-Account" = Option<String>, Header, description = "The username the outbox entry was typed under; 422 when another account sends it")),
    responses(
        (status = 201, body = GuidanceSessionView, description = "Recorded (or, with `Idempotent-Replayed: true`, recorded by an earlier send of the key)"),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)
    ))]
pub async fn record(
    State(state): State<AppState>,
    Caller(actor): Caller,
    KeyHeader(key, typed_by): KeyHeader,
    JsonBody(form): JsonBody<GuidanceSessionForm>,
) -> ApiResult<Response> {
    actor.check_outbox_account(typed_by.as_deref())?;
    let done = guidance::record_once(&state.db, &actor, &form, key).await?;
    let outcome = done.outcome.map(|session| (StatusCode::CREATED, Json(session))).map_err(ApiError);
    Ok(answer(done.replayed, outcome))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuidanceStatsQuery {
    /// `commune` (the default), `team` or `week`.
    by: Option<String>,
    /// A province code, or `all` for the country; the deployment's landing area when left out.
    province: Option<String>,
    /// "2026-W48", "2026-11", "2026-Q4" or "2026"; all time when left out.
    period: Option<String>,
}

/// `GET /api/v1/stats/guidance?by=commune|team|week&province=&period=`: guidance sessions, registered
/// learners attending and people guided, per commune or team (most sessions first) or per week (in
/// time order), of what the caller sees: an organiser their teams, others the area.
#[utoipa::path(get, path = "/stats/guidance", tag = "statistics", params(GuidanceStatsQuery),
    responses((status = 200, body = Vec<GuidanceRow>), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<GuidanceStatsQuery>,
) -> ApiResult<Json<Vec<GuidanceRow>>> {
    let rows = guidance::stats(
        &state.db,
        &actor,
        state.landing,
        query.by.as_deref(),
        query.province.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    Ok(Json(rows))
}
