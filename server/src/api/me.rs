use axum::Json;
use hocvuso::Error;
use hocvuso::auth::Actor;
use serde_json::{Value, json};

use super::{ApiResult, Caller};

/// `GET /api/v1/me`: who the credentials belong to.
pub async fn show(Caller(actor): Caller) -> ApiResult<Json<Value>> {
    match actor {
        Actor::Anonymous => Err(Error::Unauthorized.into()),
        Actor::Account(account) => Ok(Json(json!({
            "username": account.username,
            "display_name": account.display_name,
            "role": account.role.as_str(),
            "scope": {"communes": account.scope.communes, "organisations": account.scope.organisations},
        }))),
        Actor::Token(token) => Ok(Json(json!({"token": token.name, "scope": token.scope.as_str()}))),
    }
}
