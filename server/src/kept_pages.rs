//! Kept pages: the overview, dashboard, leaderboard and weekly report pages, rendered once per
//! state of the database (the kept figures' state) and per what shapes them — the address, the
//! language and who is asking — then answered again with a fresh CSP nonce each time. A steering
//! committee reloading one leaderboard costs one render until anything is committed.
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use hocvuso::auth::Actor;
use hocvuso_app::state::AppState;

/// The pages that show only figures: the same for everyone who may see the same.
const KEPT: [&str; 4] = ["/", "/dashboard", "/leaderboard", "/reports/weekly"];

/// Pages larger than this are rendered every time.
const MAX_BYTES: usize = 1024 * 1024;

/// A rendered page and the nonce it was rendered with.
#[derive(Clone)]
struct KeptPage {
    headers: HeaderMap,
    body: Bytes,
    nonce: String,
}

/// What a kept page's text depends on besides the database: the address (filters, sort, week),
/// the language, who is asking, and the day (periods end today).
fn key(request: &Request) -> Option<String> {
    let lang = crate::i18n::request_lang(request.headers()).code();
    let who = match request.extensions().get::<Actor>()? {
        Actor::Anonymous => "anonymous".to_string(),
        Actor::Account(account) => format!("account:{}", account.id),
        Actor::Token(token) => format!("token:{}", token.id),
    };
    let uri = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    // "page <path>" is the kind: each page's addresses share one bounded set of kept pages.
    let path = request.uri().path();
    Some(format!("page {path}|{uri}|{lang}|{who}|{}", hocvuso::week::vietnam_today()))
}

/// The nonce a page's Content-Security-Policy allows.
fn nonce_of(headers: &HeaderMap) -> Option<String> {
    let policy = headers.get(CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    Some(policy.split("'nonce-").nth(1)?.split('\'').next()?.to_string())
}

/// The kept page with a new nonce in its policy and its scripts.
fn answer(page: &KeptPage) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    let body = String::from_utf8_lossy(&page.body).replace(&page.nonce, &nonce);
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = page.headers.clone();
    if let Some(policy) = page.headers.get(CONTENT_SECURITY_POLICY).and_then(|p| p.to_str().ok())
        && let Ok(value) = HeaderValue::from_str(&policy.replace(&page.nonce, &nonce))
    {
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Runs after authentication. Anything but a GET of a kept page, and any answer but a complete
/// 200 HTML page, passes through untouched.
pub async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET || !KEPT.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let Some(key) = key(&request) else { return next.run(request).await };
    let Some(db_state) = state.figures.state(&state.db).await else { return next.run(request).await };
    if let Some(page) = state.figures.kept::<KeptPage>(&db_state, &key) {
        return answer(&page);
    }
    let _turn = state.figures.one_at_a_time(&key).await;
    if let Some(page) = state.figures.kept::<KeptPage>(&db_state, &key) {
        return answer(&page);
    }
    let response = next.run(request).await;
    let headers = response.headers();
    let is_html = headers.get(CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let Some(nonce) = nonce_of(headers).filter(|n| !n.is_empty()) else { return response };
    if response.status() != StatusCode::OK || !is_html || headers.contains_key(SET_COOKIE) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The page is whole already (pages render before they are sent): this only gathers it.
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body(Body::empty()).unwrap_or_default();
    };
    parts.headers.remove(CONTENT_LENGTH);
    if body.len() <= MAX_BYTES {
        state.figures.keep(db_state, key, KeptPage { headers: parts.headers.clone(), body: body.clone(), nonce });
    }
    Response::from_parts(parts, Body::from(body))
}
