//! The LRS under `/xapi` (xAPI 1.0.3). Platforms sign in with HTTP Basic (a platform connection) or
//! a Bearer token of scope `ingest`; every answer carries `X-Experience-API-Version`.
use axum::extract::{Query, Request, State};
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hocvuso_app::state::AppState;
use serde_json::{Value, json};

use super::{ApiResult, Caller, JsonBody, render_errors};

/// The xAPI version this LRS speaks.
pub const XAPI_VERSION: &str = "1.0.3";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/about", get(about))
        .route("/statements", post(statements).get(read_statements))
        .fallback(|| async { super::ApiError(hocvuso::Error::NotFound) })
        .layer(from_fn(render_errors))
        .layer(from_fn(lrs_headers))
}

/// Every answer names the xAPI version; a 401 asks for HTTP Basic, as LRS clients expect.
async fn lrs_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-experience-api-version", HeaderValue::from_static(XAPI_VERSION));
    if response.status() == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"hocvuso xAPI\""));
    }
    response
}

/// `GET /xapi/about`: the versions spoken; clients ask first. Public.
async fn about() -> Json<Value> {
    Json(json!({"version": [XAPI_VERSION], "extensions": {}}))
}

#[derive(serde::Deserialize)]
pub struct StatementQuery {
    #[serde(rename = "statementId")]
    statement_id: Option<uuid::Uuid>,
    limit: Option<u64>,
}

/// `GET /xapi/statements?statementId=…`: one kept statement (404 when unknown); without it, the
/// latest ones, newest first, as `{"statements": […], "more": ""}` (`limit`, 100 at most).
async fn read_statements(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<StatementQuery>,
) -> ApiResult<Response> {
    let found = hocvuso::service::enrolments::xapi::statements(
        &state.db,
        &actor,
        query.statement_id,
        query.limit.unwrap_or(100),
    )
    .await?;
    let mut response = match query.statement_id {
        Some(_) => Json(found.into_iter().next().ok_or(hocvuso::Error::NotFound)?).into_response(),
        None => Json(json!({"statements": found, "more": ""})).into_response(),
    };
    let now = hocvuso::service::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    if let Ok(value) = HeaderValue::from_str(&now) {
        response.headers_mut().insert("x-experience-api-consistent-through", value);
    }
    Ok(response)
}

/// `POST /xapi/statements`: statements from MOOC platforms (xAPI 1.0.3), with a platform
/// connection (HTTP Basic) or a Bearer token of scope `ingest`, and the `X-Experience-API-Version`
/// header. Every valid statement is kept, whatever its verb: 200 with the statement ids; 400 naming
/// the invalid statement (and then nothing of the request is written).
pub async fn statements(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    // Credentials before the version header: an unknown caller learns nothing else.
    actor.require_token(hocvuso::auth::TokenScope::Ingest)?;
    let version = headers.get("x-experience-api-version").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !version.starts_with("1.0") {
        let body = json!({"error": "bad_request", "message": "X-Experience-API-Version 1.0.x is required"});
        return Ok((StatusCode::BAD_REQUEST, Json(body)).into_response());
    }
    Ok(match hocvuso::service::enrolments::xapi::receive(&state.db, &actor, &body).await? {
        Ok(ids) => Json(ids.into_iter().map(|id| id.to_string()).collect::<Vec<_>>()).into_response(),
        Err(unmappable) => {
            (StatusCode::BAD_REQUEST, Json(json!({"error": "bad_request", "message": unmappable.reason})))
                .into_response()
        }
    })
}
