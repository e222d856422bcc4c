use axum::extract::{Path, Query};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hocvuso::i18n::Lang;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `/lang/{code}?next=/path`: remembers the language in a cookie and goes back. Works without JavaScript.
pub async fn set_lang(Path(code): Path<String>, Query(query): Query<Next>) -> Response {
    let lang = Lang::from_code(&code);
    let next = super::local_path(query.next.as_deref());
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(SET_COOKIE, HeaderValue::from_str(&cookie).expect("a plain ASCII cookie"));
    headers.insert(LOCATION, HeaderValue::from_str(&next).unwrap_or(HeaderValue::from_static("/")));
    response
}
