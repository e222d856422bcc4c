use axum::Json;
use axum::http::HeaderMap;
use hocvuso::consent::{CONSENT_VERSION, notice};
use serde::Serialize;

use crate::i18n::request_lang;

/// `GET /api/v1/consent-notice`: `{"version","text"}` in the caller's language. Public: it is what people agree to.
#[utoipa::path(get, path = "/consent-notice", tag = "learners", security(()), responses((status = 200, body = ConsentNotice)))]
pub async fn show(headers: HeaderMap) -> Json<ConsentNotice> {
    Json(ConsentNotice { version: CONSENT_VERSION, text: notice(request_lang(&headers)) })
}

/// The notice people agree to when registered, and its version (sent back as `consent_version`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsentNotice {
    version: &'static str,
    text: &'static str,
}
