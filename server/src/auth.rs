//! Who is asking: the session cookie or a Bearer token becomes an `Actor` in the request's
//! extensions, for pages, form posts and REST handlers alike. Sign-in and sign-out live here too,
//! shared by the HTML form and `POST /api/v1/session`.
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use hocvuso::auth::{AccountActor, Actor};
use hocvuso::service::{accounts, accounts::sessions, now};
use hocvuso_app::state::{AppState, cookie};

pub const SESSION_COOKIE: &str = "hocvuso_session";

/// The client's address, for throttling; never logged with a username.
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// HTTP Basic `key:secret`, as LRS clients (Open edX, Moodle) send their credentials.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let (scheme, encoded) = headers.get(AUTHORIZATION)?.to_str().ok()?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let (key, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((key.to_string(), secret.to_string()))
}

pub fn has_bearer(headers: &HeaderMap) -> bool {
    bearer(headers).is_some()
}

/// The peer, as the connection says.
fn peer(request_extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    request_extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// The client's throttling key: its address as the trusted proxies report it (never what the
/// client itself wrote), an IPv6 client by its /64.
fn client_addr(state: &AppState, request: &Request) -> String {
    let Some(peer) = peer(request.extensions()) else { return "unknown".into() };
    let forwarded: Vec<&str> =
        request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    hocvuso::net::throttle_key(state.trusted_proxies.client(peer, &forwarded))
}

/// Resolves the actor for every request. A database fault here means "anonymous", never a panic.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let actor = if let Some(secret) = bearer(headers) {
        match state.figures.token(&state.db, secret).await {
            Ok(Some(token)) => Actor::Token(token),
            _ => Actor::Anonymous,
        }
    } else if let Some((key, secret)) = basic(headers) {
        match hocvuso::service::lrs::platforms::resolve(&state.db, &key, &secret).await {
            Ok(Some(platform)) => Actor::Token(platform),
            _ => Actor::Anonymous,
        }
    } else if let Some(secret) = cookie(headers, SESSION_COOKIE) {
        match sessions::resolve(&state.db, secret, now()).await {
            Ok(Some(account)) => Actor::Account(account),
            _ => Actor::Anonymous,
        }
    } else {
        Actor::Anonymous
    };
    let addr = ClientAddr(client_addr(&state, &request));
    request.extensions_mut().insert(actor);
    request.extensions_mut().insert(addr);
    next.run(request).await
}

fn cookie_header(value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("a cookie of hex digits")
}

/// Carries a learner's link just made to their card (`/learners/{code}`), and nowhere else, for ten
/// minutes: long enough to print it. The database keeps only the link's digest.
pub fn new_link_cookie(state: &AppState, headers: &HeaderMap, code: &str, secret: &str) -> HeaderValue {
    let name = hocvuso_app::state::NEW_LINK_COOKIE;
    let mut cookie = format!("{name}={secret}; Path=/learners/{code}; Max-Age=600; HttpOnly; SameSite=Strict");
    if is_https(state, headers) {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("a cookie of a learner code and hex digits")
}

/// The outermost layer: only a trusted proxy may say how the client connected, so anyone else's
/// X-Forwarded-Proto is dropped before any other layer reads it (`is_https`).
pub async fn drop_untrusted_forwarding(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !peer(request.extensions()).is_some_and(|p| state.trusted_proxies.trusts(p)) {
        request.headers_mut().remove("x-forwarded-proto");
    }
    next.run(request).await
}

/// Whether the request reached the site over HTTPS: configured so, or said by a trusted proxy in
/// front (`drop_untrusted_forwarding` removed anyone else's word). Cookies are marked Secure and
/// HSTS is sent by this one rule.
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// Checks the password and starts a fresh session (rotated: any session the browser held ends).
/// Returns the account and the Set-Cookie header.
pub async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    client: &ClientAddr,
    username: &str,
    password: &str,
) -> hocvuso::Result<(AccountActor, HeaderValue)> {
    let account = accounts::authenticate(&state.db, username, password, &client.0).await?;
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
        sessions::end(&state.db, old).await?;
    }
    let secret = sessions::start(&state.db, account.id, now()).await?;
    let max_age = sessions::MAX_AGE.num_seconds();
    Ok((account, cookie_header(&secret, Some(max_age), is_https(state, headers))))
}

/// Ends the browser's session and returns the Set-Cookie header that clears it.
pub async fn sign_out(state: &AppState, headers: &HeaderMap) -> hocvuso::Result<HeaderValue> {
    if let Some(secret) = cookie(headers, SESSION_COOKIE) {
        sessions::end(&state.db, secret).await?;
    }
    Ok(cookie_header("", Some(0), is_https(state, headers)))
}

pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}
