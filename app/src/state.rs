//! What the server hands every page render and handler: the database, the campaign's settings, and who is asking.
use axum::extract::FromRef;
use hocvuso::Error;
use hocvuso::auth::Actor;
use leptos::prelude::*;
use sea_orm::DatabaseConnection;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// Where pages land: a provincial deployment's province (`HOCVUSO_PROVINCE`), else the country.
    /// A landing, not a limit: `?province=` shows any other.
    #[from_ref(skip)]
    pub landing: hocvuso::model::Area,
    /// The reverse proxies whose X-Forwarded-For/-Proto are believed; none by default.
    #[from_ref(skip)]
    pub trusted_proxies: hocvuso::net::TrustedProxies,
    /// Mark cookies Secure (served over HTTPS, perhaps behind a proxy that terminates TLS).
    #[from_ref(skip)]
    pub secure_cookies: bool,
    /// How people reach this site, for links printed on cards (e.g. https://hocvuso.laocai.gov.vn).
    #[from_ref(skip)]
    pub public_url: String,
    /// The key citizen ID numbers are hashed with; none means imports refuse them.
    #[from_ref(skip)]
    pub citizen_id_key: Option<String>,
    /// Dashboards, leaderboards, reports and the overview, kept while the database is unchanged.
    #[from_ref(skip)]
    pub figures: std::sync::Arc<hocvuso::service::statistics::figures::Figures>,
}

/// The state of the running server, as seen from inside a page's render.
pub fn app_state() -> Result<AppState, Error> {
    use_context::<AppState>().ok_or_else(|| {
        leptos::logging::error!("AppState missing from the render context");
        Error::Internal
    })
}

/// Who is asking: what the server's authentication layer put in the request's extensions, else
/// anonymous. The one rule for pages, form posts and REST (`Caller`).
pub fn caller(parts: &http::request::Parts) -> Actor {
    parts.extensions.get::<Actor>().cloned().unwrap_or_default()
}

/// Who is asking, inside a page's server-side render.
pub fn actor() -> Actor {
    use_context::<http::request::Parts>().map(|parts| caller(&parts)).unwrap_or_default()
}

/// The caller of a REST handler (`caller` as an axum extractor).
pub struct Caller(pub Actor);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut http::request::Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller(caller(parts)))
    }
}

/// The value of the request's cookie `name`, if it sent one.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    cookie(&parts.headers, name).map(str::to_string)
}

/// The (non-empty) value of cookie `name` among `headers`' Cookie headers.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
}

/// The cookie that carries a learner's link just made to their card (`Path=/learners/{code}`) for a
/// few minutes: the database keeps links hashed, so the card shows one only to the browser that made it.
pub const NEW_LINK_COOKIE: &str = "new_link";

/// The HTTP status an error is answered with, by pages, form posts and REST alike (the domain
/// knows nothing of HTTP).
pub fn status_of(err: &Error) -> http::StatusCode {
    use http::StatusCode as S;
    match err {
        Error::NotFound => S::NOT_FOUND,
        Error::Invalid(_) | Error::InvalidRows(_) => S::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => S::CONFLICT,
        Error::Unauthorized | Error::BadCredentials => S::UNAUTHORIZED,
        Error::RateLimited(_) => S::TOO_MANY_REQUESTS,
        Error::Forbidden => S::FORBIDDEN,
        Error::Unavailable | Error::Busy(_) => S::SERVICE_UNAVAILABLE,
        Error::TooLarge => S::PAYLOAD_TOO_LARGE,
        Error::BadRequest(_) => S::BAD_REQUEST,
        Error::PreconditionFailed => S::PRECONDITION_FAILED,
        Error::Internal => S::INTERNAL_SERVER_ERROR,
    }
}

/// Runs a page's data load and, on error, answers the page with the error's HTTP status (401, 403, 404, 422…).
pub async fn respond<T>(body: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    let result = body.await;
    if let Err(err) = &result
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(status_of(err));
    }
    result
}

/// The page's Content-Security-Policy: no script but the page's own inline ones (by nonce), no wasm.
pub fn content_security_policy() {
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string()).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    );
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&policy))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
