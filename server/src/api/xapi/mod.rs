//! The LRS under `/xapi` (xAPI 1.0.3). Platforms sign in with HTTP Basic (a platform connection) or
//! a Bearer token of scope `ingest`; every request but `/about` names the xAPI version it speaks;
//! every answer carries `X-Experience-API-Version`.
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocvuso::Error;
use hocvuso::auth::{Actor, TokenScope};
use hocvuso_app::state::AppState;
use serde_json::{Value, json};

use super::{ApiError, error_body, render_errors};
use crate::i18n::request_lang;

mod documents;
mod multipart;
mod statements;

/// The xAPI version this LRS speaks.
pub const XAPI_VERSION: &str = "1.0.3";
/// The other version it takes (IEEE 9274.1.1, xAPI 2.0): statements as 1.0.3 defines them.
pub const XAPI_2: &str = "2.0.0";
/// The largest request the LRS takes (statements with their attachments).
pub const BODY_LIMIT: usize = 10 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/about", get(about))
        .merge(statements::router())
        .merge(documents::router())
        .fallback(|| async { ApiError(Error::NotFound) })
        // The last layer added runs first.
        .layer(from_fn(require_version))
        .layer(from_fn(render_errors))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(lrs_headers))
}

/// Every answer names the xAPI version; a 401 asks for HTTP Basic, as LRS clients expect. Every
/// answer to a statement read, refusals included, says how recent what it could see is.
async fn lrs_headers(request: Request, next: Next) -> Response {
    let reads_statements =
        matches!(*request.method(), Method::GET | Method::HEAD) && request.uri().path().ends_with("/statements");
    let consistent = hocvuso::service::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    // A 2.0 client is answered in 2.0; everyone else in 1.0.3.
    let speaks_2 = request.headers().get("x-experience-api-version").is_some_and(|v| v.as_bytes().starts_with(b"2.0"));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let version = if speaks_2 { XAPI_2 } else { XAPI_VERSION };
    headers.insert("x-experience-api-version", HeaderValue::from_static(version));
    if reads_statements && let Ok(value) = HeaderValue::from_str(&consistent) {
        headers.insert("x-experience-api-consistent-through", value);
    }
    if response.status() == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"hocvuso xAPI\""));
    }
    response
}

/// Every resource but `/about` needs `X-Experience-API-Version: 1.0.x` (an unknown one is 404 for
/// every caller). Credentials come first:
/// only an LRS client is told about versions; anyone else is answered 401 or 403.
async fn require_version(request: Request, next: Next) -> Response {
    let client = matches!(request.extensions().get::<Actor>(), Some(Actor::Token(t)) if t.scope == TokenScope::Ingest);
    let resource = request.uri().path().trim_start_matches("/xapi");
    let versioned =
        ["/statements", "/activities", "/activities/state", "/activities/profile", "/agents", "/agents/profile"];
    if !client || !versioned.contains(&resource) {
        return next.run(request).await;
    }
    let version = request.headers().get("x-experience-api-version").and_then(|v| v.to_str().ok());
    let spoken = version.is_some_and(hocvuso::service::lrs::validate::is_spoken_version);
    if !spoken {
        return ApiError(Error::BadRequest("X-Experience-API-Version 1.0.x is required".into())).into_response();
    }
    next.run(request).await
}

/// `GET /xapi/about`: the versions spoken; clients ask first. Public.
async fn about() -> axum::Json<Value> {
    axum::Json(json!({"version": ["1.0.0", "1.0.1", "1.0.2", XAPI_VERSION, XAPI_2], "extensions": {}}))
}

/// The alternate request syntax (xAPI Communication 1.3), for clients that can only POST forms:
/// `POST /xapi/…?method=PUT` with the headers, the parameters and the `content` in a form body. It
/// becomes the request it stands for before anything else (signing in included) sees it.
pub async fn alternate_syntax(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let asks = path.starts_with("/xapi/")
        && request.uri().query().is_some_and(|q| q.split('&').any(|pair| pair.starts_with("method=")));
    if !asks {
        return next.run(request).await;
    }
    let lang = request_lang(request.headers());
    match rewrite(request).await {
        Ok(request) => next.run(request).await,
        Err(err) => {
            let status = hocvuso_app::state::status_of(&err);
            let mut response = (status, axum::Json(error_body(&err, lang))).into_response();
            response.headers_mut().insert("x-experience-api-version", HeaderValue::from_static(XAPI_VERSION));
            response
        }
    }
}

/// Form fields that are headers in the alternate request syntax.
const FORM_HEADERS: [&str; 6] =
    ["authorization", "x-experience-api-version", "content-type", "content-length", "if-match", "if-none-match"];

async fn rewrite(request: Request) -> Result<Request, Error> {
    let bad = |message: &str| Error::BadRequest(message.into());
    if request.method() != Method::POST {
        return Err(bad("the alternate request syntax is a POST"));
    }
    let query: Vec<(String, String)> = serde_urlencoded::from_str(request.uri().query().unwrap_or_default())
        .map_err(|_| bad("the query is not URL-encoded"))?;
    let [(name, method)] = &query[..] else { return Err(bad("with method=, every parameter goes in the form body")) };
    debug_assert_eq!(name, "method");
    let method = match method.as_str() {
        "GET" | "HEAD" | "PUT" | "POST" | "DELETE" => {
            Method::from_bytes(method.as_bytes()).map_err(|_| bad("method"))?
        }
        _ => return Err(bad("method must be GET, HEAD, PUT, POST or DELETE")),
    };
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(bad("the alternate request syntax sends an application/x-www-form-urlencoded body"));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| Error::TooLarge)?;
    let form: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| bad("the form body is not URL-encoded"))?;
    let mut headers = HeaderMap::new();
    for (name, value) in parts.headers.iter() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            headers.insert(name.clone(), value.clone());
        }
    }
    let mut content = None;
    let mut params = Vec::new();
    for (name, value) in form {
        let lower = name.to_ascii_lowercase();
        if FORM_HEADERS.contains(&lower.as_str()) {
            if lower == "content-length" {
                continue;
            }
            let header = HeaderName::from_bytes(lower.as_bytes()).map_err(|_| bad("a header"))?;
            headers.insert(header, HeaderValue::from_str(&value).map_err(|_| bad("a header's value"))?);
        } else if name == "content" {
            content = Some(value);
        } else {
            params.push((name, value));
        }
    }
    if matches!(method, Method::PUT | Method::POST) && content.is_none() {
        return Err(bad("the alternate request syntax carries the body in a form field named content"));
    }
    if content.is_some() && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let query = serde_urlencoded::to_string(&params).map_err(|_| bad("parameters"))?;
    let uri: Uri =
        if query.is_empty() { parts.uri.path().to_string() } else { format!("{}?{query}", parts.uri.path()) }
            .parse()
            .map_err(|_| bad("parameters"))?;
    let mut rewritten = Request::new(Body::from(content.unwrap_or_default()));
    *rewritten.method_mut() = method;
    *rewritten.uri_mut() = uri;
    *rewritten.headers_mut() = headers;
    *rewritten.extensions_mut() = parts.extensions;
    Ok(rewritten)
}
