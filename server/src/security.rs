//! Cross-site request refusal, security headers and a request log that carries no personal data.
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, ORIGIN, REFERER, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hocvuso::i18n::Text;
use hocvuso_app::state::AppState;

use crate::auth::has_bearer;
use crate::i18n::request_lang;

/// The host[:port] of an absolute URL ("http://a:3000/x" → "a:3000").
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// True when a browser sent this state-changing request from another site.
fn is_cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || has_bearer(headers) {
        return false;
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if let Some(origin) = header(ORIGIN) {
        return origin == "null" || authority(origin) != host;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(referer) = header(REFERER) {
        return authority(referer) != host;
    }
    // No browser header at all: a script or a server, which a forged page cannot be.
    false
}

/// Refuses state-changing requests that another site's page made with this site's cookies.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if is_cross_site(request.method(), request.headers()) {
        let lang = request_lang(request.headers());
        tracing::warn!(method = %request.method(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, lang.t(Text::CrossSiteRefused)).into_response();
    }
    next.run(request).await
}

/// Paths whose answers hold personal data or secrets: no cache, shared or the browser's own, keeps them.
fn is_private(path: &str) -> bool {
    [
        "/learners",
        "/p/",
        "/admin/",
        "/tra-cuu",
        "/login",
        "/api/v1/learners",
        "/at-risk",
        "/api/v1/at-risk",
        "/api/v1/lookup",
        "/api/v1/me",
        "/api/v1/session",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

/// Headers on every response. Pages set their own Content-Security-Policy (allowing their own
/// inline scripts by nonce); everything else gets one that allows nothing. Over HTTPS, browsers are told to
/// come back only over HTTPS (HSTS).
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let https = crate::auth::is_https(&state, request.headers());
    let private = is_private(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if https {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if private {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        let is_html =
            headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
        let policy = if is_html {
            "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
        } else {
            "default-src 'none'; frame-ancestors 'none'"
        };
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    response
}

/// One span a request, named by its route's pattern (never the raw path, which may hold a token)
/// and a request id, so every line logged under it — a database error, say — tells which operation
/// it belongs to; and one line when it ends: method, status, time. The id is sent back as `X-Request-Id`.
pub async fn log_request(request: Request, next: Next) -> Response {
    use tracing::Instrument;
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let request_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    let span = tracing::info_span!(
        "request",
        %method,
        route = route.as_deref().unwrap_or("(static or unmatched)"),
        id = %request_id
    );
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request")
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn cross_site_posts_are_recognised() {
        let same = headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]);
        assert!(!is_cross_site(&Method::POST, &same));
        let other = headers(&[("host", "127.0.0.1:3000"), ("origin", "https://evil.example")]);
        assert!(is_cross_site(&Method::POST, &other));
        assert!(!is_cross_site(&Method::GET, &other), "reading is not a change");
        let fetch_meta = headers(&[("host", "a"), ("sec-fetch-site", "cross-site")]);
        assert!(is_cross_site(&Method::DELETE, &fetch_meta));
        let referer = headers(&[("host", "a:1"), ("referer", "http://b:1/form")]);
        assert!(is_cross_site(&Method::POST, &referer));
        let bearer = headers(&[("host", "a"), ("origin", "https://evil.example"), ("authorization", "Bearer hvs_x")]);
        assert!(!is_cross_site(&Method::POST, &bearer), "a bearer token is not a cookie a page can borrow");
        assert!(!is_cross_site(&Method::POST, &headers(&[("host", "a")])));
    }
}
