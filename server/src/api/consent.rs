use axum::Json;
use axum::http::HeaderMap;
use hocvuso::consent::{CONSENT_VERSION, notice};
use serde_json::{Value, json};

use crate::i18n::request_lang;

/// `GET /api/v1/consent-notice`: `{"version","text"}` in the caller's language. Public: it is what people agree to.
pub async fn show(headers: HeaderMap) -> Json<Value> {
    Json(json!({"version": CONSENT_VERSION, "text": notice(request_lang(&headers))}))
}
