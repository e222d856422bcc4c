//! REST `/api/v1`: thin handlers that check who is asking, call a service and answer JSON.
//! Every error becomes `{"error", "message", "errors"?}` in the caller's language, in one place.
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso_app::state::AppState;
use serde_json::json;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::i18n::request_lang;

mod at_risk;
mod communes;
mod consent;
mod guidance;
mod idempotency;
mod imports;
mod learners;
mod me;
mod platform_accounts;
mod progress;
mod report_files;
mod session;
mod signoffs;
mod stats;
mod units;
pub mod xapi;

/// The REST routes and their OpenAPI document come from one registration: a handler is routed only
/// through `routes!`, which also reads its `#[utoipa::path]` (method, path, parameters, bodies).
fn routes() -> OpenApiRouter<AppState> {
    let upload = || DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024);
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::create, session::delete))
        .routes(routes!(me::show))
        .routes(routes!(communes::list))
        .routes(routes!(stats::overview))
        .routes(routes!(stats::completion))
        .routes(routes!(stats::leaderboard))
        .routes(routes!(stats::weekly_report))
        .routes(routes!(report_files::list))
        .routes(routes!(report_files::download))
        .routes(routes!(signoffs::sign))
        .routes(routes!(signoffs::approve))
        .routes(routes!(signoffs::return_signoff))
        .routes(routes!(stats::set_target))
        .routes(routes!(stats::import_targets).layer(upload()))
        .routes(routes!(stats::import_population).layer(upload()))
        .routes(routes!(openapi))
        .routes(routes!(consent::show))
        .routes(routes!(learners::list, learners::create))
        .routes(routes!(imports::export_learners))
        .routes(routes!(learners::show))
        .routes(routes!(progress::learner_progress))
        .routes(routes!(learners::renew_progress_link))
        .routes(routes!(learners::personal_data, learners::erase_personal_data))
        .routes(routes!(learners::lookup))
        .routes(routes!(at_risk::list))
        .routes(routes!(platform_accounts::link, platform_accounts::list))
        .routes(routes!(platform_accounts::unmatched))
        .routes(routes!(progress::list_courses, progress::create_course))
        .routes(routes!(progress::enrol))
        .routes(routes!(progress::record_completions))
        .routes(routes!(imports::import_completions).layer(upload()))
        .routes(routes!(imports::import_learners).layer(upload()))
        .routes(routes!(imports::import_platform_accounts).layer(upload()))
        .routes(routes!(units::list_organisations, units::create_organisation))
        .routes(routes!(units::list_teams, units::create_team))
        .routes(routes!(guidance::list, guidance::record))
        .routes(routes!(guidance::stats))
}

pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router.fallback(|| async { ApiError(Error::NotFound) }).layer(axum::middleware::from_fn(render_errors))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hocvuso REST API",
        version = "1",
        description = "Bình dân học vụ số: learners, enrolments, completions and figures. Errors are \
                       `{\"error\", \"message\", \"errors\"?}` in the caller's language (Accept-Language)."
    ),
    servers((url = "/api/v1")),
    security(("session" = []), ("token" = [])),
    modifiers(&Credentials)
)]
struct ApiDoc;

/// How callers prove who they are: the session cookie of a signed-in person, or a Bearer token.
struct Credentials;

impl utoipa::Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of these routes, generated from the handlers and their types.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

static OPENAPI: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| openapi_document().to_pretty_json().unwrap_or_default());

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "api", security(()), responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json")))]
async fn openapi() -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI.as_str())
}

/// A domain error on its way out of a handler.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError(err)
    }
}

impl IntoResponse for ApiError {
    /// The body is written by `render_errors`, which knows the caller's language.
    fn into_response(self) -> Response {
        let mut response = hocvuso_app::state::status_of(&self.0).into_response();
        response.extensions_mut().insert(self.0);
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn error_code(err: &Error) -> &'static str {
    match err {
        Error::NotFound => "not_found",
        Error::Invalid(_) => "invalid",
        Error::InvalidRows(_) => "invalid_rows",
        Error::Conflict(_) => "conflict",
        Error::Unauthorized => "unauthorized",
        Error::BadCredentials => "bad_credentials",
        Error::RateLimited(_) => "rate_limited",
        Error::Forbidden => "forbidden",
        Error::Unavailable => "unavailable",
        Error::Busy(_) => "busy",
        Error::TooLarge => "too_large",
        Error::BadRequest(_) => "bad_request",
        Error::PreconditionFailed => "precondition_failed",
        Error::Internal => "internal",
    }
}

/// Every error answer: `error` is a stable code, `message` is for people, in their language.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `not_found`, `invalid`, `invalid_rows`, `conflict`, `unauthorized`, `bad_credentials`,
    /// `rate_limited`, `forbidden`, `unavailable`, `busy`, `too_large`, `bad_request`,
    /// `precondition_failed` or `internal`.
    pub error: &'static str,
    pub message: String,
    /// `invalid`: `{"field","message"}` each; `invalid_rows`: `{"line","column","value","message"}` each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<serde_json::Value>>,
    /// `conflict` with a learner already registered: their code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
    /// `rate_limited`, `busy`: seconds to wait (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

pub fn error_body(err: &Error, lang: Lang) -> ErrorBody {
    let errors = match err {
        Error::Invalid(fields) => {
            Some(fields.iter().map(|f| json!({"field": f.field, "message": lang.t(f.problem)})).collect())
        }
        Error::InvalidRows(rows) => Some(
            rows.iter()
                .map(|r| json!({"line": r.line, "column": r.column, "value": r.value, "message": lang.t(r.problem)}))
                .collect(),
        ),
        _ => None,
    };
    ErrorBody {
        error: error_code(err),
        message: match err {
            Error::BadRequest(detail) => format!("{} ({detail})", lang.t(err.text())),
            _ => lang.t(err.text()).to_string(),
        },
        errors,
        existing: if let Error::Conflict(Some(existing)) = err { Some(existing.clone()) } else { None },
        retry_after: if let Error::RateLimited(seconds) | Error::Busy(seconds) = err { Some(*seconds) } else { None },
    }
}

pub async fn render_errors(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers());
    let response = next.run(request).await;
    let Some(err) = response.extensions().get::<Error>().cloned() else {
        return response;
    };
    let mut rendered = (response.status(), Json(error_body(&err, lang))).into_response();
    if let Some(replayed) = response.headers().get(idempotency::REPLAYED) {
        rendered.headers_mut().insert(idempotency::REPLAYED, replayed.clone());
    }
    if let Error::RateLimited(seconds) | Error::Busy(seconds) = err {
        rendered.headers_mut().insert("retry-after", HeaderValue::from(seconds));
    }
    rendered
}

pub use hocvuso_app::state::Caller;

/// A JSON body, with a clear 422 (not axum's plain-text rejection) when it does not parse, and a
/// 422 naming every field the body carries that its type does not know: a misspelt or renamed
/// field is refused, never silently dropped.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let not_json = || ApiError(Error::invalid("body", Text::BodyNotJson));
        let is_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || (v.starts_with("application/") && v.ends_with("+json")));
        if !is_json {
            return Err(not_json());
        }
        let bytes = match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError(Error::TooLarge));
            }
            Err(_) => return Err(not_json()),
        };
        parse_json_body(&bytes).map(JsonBody).map_err(ApiError)
    }
}

/// Parses a JSON body into `T`, refusing fields `T` does not know (each named by its path, `0.link`).
pub fn parse_json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut unknown = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_ignored::deserialize(&mut deserializer, |path| unknown.push(path.to_string()))
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|_| Error::invalid("body", Text::BodyNotJson))?;
    if unknown.is_empty() {
        Ok(value)
    } else {
        Err(Error::Invalid(
            unknown
                .into_iter()
                .map(|field| hocvuso::error::FieldError { field, problem: Text::UnknownField })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_named_not_dropped() {
        let err = parse_json_body::<Vec<hocvuso::model::CourseForm>>(
            br#"[{"code":"A","title":"T","platform":"p","hours":1,"colour":"red","extra":{"x":1}}]"#,
        )
        .unwrap_err();
        assert_eq!(err.field_problem("0.colour"), Some(Text::UnknownField));
        assert_eq!(err.field_problem("0.extra"), Some(Text::UnknownField));
        let course: hocvuso::model::CourseForm =
            parse_json_body(br#"{"code":"A","title":"T","platform":"p","hours":"1","link":"https://x"}"#).unwrap();
        assert_eq!(course.url.as_deref(), Some("https://x"), "`link` is the first contract's name for `url`");
        assert_eq!(
            parse_json_body::<hocvuso::model::CourseForm>(b"{").unwrap_err().field_problem("body"),
            Some(Text::BodyNotJson)
        );
    }
}
