use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hocvuso_app::state::AppState;
use serde_json::{Value, json};

use super::{ApiResult, Caller, JsonBody};

/// `POST /xapi/statements`: statements from MOOC platforms (xAPI 1.0.3), with a Bearer token of
/// scope `ingest` and the `X-Experience-API-Version` header. 200 with the statement ids, or 400
/// naming what could not be mapped (and then nothing of the request is written).
pub async fn statements(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    match &actor {
        hocvuso::auth::Actor::Anonymous => return Err(hocvuso::Error::Unauthorized.into()),
        hocvuso::auth::Actor::Token(t) if t.scope == hocvuso::auth::TokenScope::Ingest => {}
        _ => return Err(hocvuso::Error::Forbidden.into()),
    }
    let version = headers.get("x-experience-api-version").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut response = if !version.starts_with("1.0") {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "bad_request", "message": "X-Experience-API-Version 1.0.x is required"})),
        )
            .into_response()
    } else {
        match hocvuso::service::enrolments::xapi::receive(&state.db, &actor, &body).await? {
            Ok(ids) => Json(ids.into_iter().map(|id| id.to_string()).collect::<Vec<_>>()).into_response(),
            Err(unmappable) => {
                (StatusCode::BAD_REQUEST, Json(json!({"error": "bad_request", "message": unmappable.reason})))
                    .into_response()
            }
        }
    };
    response.headers_mut().insert("x-experience-api-version", HeaderValue::from_static("1.0.3"));
    Ok(response)
}
