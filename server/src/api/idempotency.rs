//! The `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header) and the
//! `Idempotent-Replayed: true` header on an answer given again for a key sent before.
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hocvuso::auth::OUTBOX_ACCOUNT;
use hocvuso::service::idempotency::{HEADER, IdempotencyKey};

use super::ApiError;

/// The header that marks a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// The request's idempotency key, if it has one (422 naming the header when it is not a UUID), and
/// the account its outbox entry was typed under (`Outbox-Account`), to check against the caller.
pub struct KeyHeader(pub Option<IdempotencyKey>, pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for KeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let typed_by = parts.headers.get(OUTBOX_ACCOUNT).and_then(|v| v.to_str().ok()).map(str::to_string);
        let Some(value) = parts.headers.get(HEADER) else {
            return Ok(KeyHeader(None, typed_by));
        };
        // A value that is not text is no UUID either: the same refusal.
        let text = value.to_str().unwrap_or("\u{0}");
        Ok(KeyHeader(Some(IdempotencyKey::parse(text)?), typed_by))
    }
}

/// `answer`, marked as a replay when it is one (error answers too: `render_errors` keeps the mark).
pub fn answer(replayed: bool, answer: impl IntoResponse) -> Response {
    let mut response = answer.into_response();
    if replayed {
        response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}
