use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hocvuso_app::state::AppState;
use serde::Deserialize;

use super::{ApiResult, JsonBody};
use crate::auth::{ClientAddr, sign_in, sign_out, with_cookie};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    username: String,
    password: String,
}

/// `POST /api/v1/session`: 204 with the session cookie, or 401 (the same for unknown user and wrong password).
#[utoipa::path(post, path = "/session", tag = "session", security(()), request_body = Credentials,
    responses((status = 204, description = "Signed in: the session cookie is set"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let (_, cookie) = sign_in(&state, &headers, &client, &credentials.username, &credentials.password).await?;
    Ok(with_cookie(StatusCode::NO_CONTENT.into_response(), cookie))
}

/// `DELETE /api/v1/session`: ends the session; 204 whether or not there was one.
#[utoipa::path(delete, path = "/session", tag = "session", security(()),
    responses((status = 204, description = "Signed out, whether or not there was a session"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn delete(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let cookie = sign_out(&state, &headers).await?;
    Ok(with_cookie(StatusCode::NO_CONTENT.into_response(), cookie))
}
