//! The language of a request outside Leptos: the `lang` cookie, else Accept-Language, else Vietnamese.
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use hocvuso::i18n::Lang;

pub fn request_lang(headers: &HeaderMap) -> Lang {
    let from_cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang=").map(Lang::from_code));
    from_cookie
        .or_else(|| headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_code))
        .unwrap_or_default()
}
