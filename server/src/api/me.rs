use axum::Json;
use hocvuso::Error;
use hocvuso::auth::Actor;
use hocvuso::auth::Scope;
use serde::Serialize;

use super::{ApiResult, Caller};

/// `GET /api/v1/me`: who the credentials belong to.
#[utoipa::path(get, path = "/me", tag = "session", responses((status = 200, body = Me), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn show(Caller(actor): Caller) -> ApiResult<Json<Me>> {
    match actor {
        Actor::Anonymous => Err(Error::Unauthorized.into()),
        Actor::Account(account) => Ok(Json(Me::Person {
            username: account.username,
            display_name: account.display_name,
            role: account.role.as_str(),
            scope: account.scope,
        })),
        Actor::Token(token) => Ok(Json(Me::Token { token: token.name, scope: token.scope.as_str() })),
    }
}

/// A signed-in person (`role` admin or organiser, with the communes and organisations they work in),
/// or a machine token (`scope` ingest or read-stats).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Me {
    Person { username: String, display_name: String, role: &'static str, scope: Scope },
    Token { token: String, scope: &'static str },
}
