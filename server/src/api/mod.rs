//! REST `/api/v1`: thin handlers that check who is asking, call a service and answer JSON.
//! Every error becomes `{"error", "message", "errors"?}` in the caller's language, in one place.
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso_app::state::AppState;
use serde_json::json;

use crate::i18n::request_lang;

mod communes;
mod consent;
mod imports;
mod learners;
mod me;
mod progress;
mod session;
mod stats;
mod units;
pub mod xapi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(session::create).delete(session::delete))
        .route("/me", get(me::show))
        .route("/communes", get(communes::list))
        .route("/stats/overview", get(stats::overview))
        .route("/stats/completion", get(stats::completion))
        .route("/leaderboard", get(stats::leaderboard))
        .route("/reports/weekly", get(stats::weekly_report))
        .route("/targets", post(stats::set_target))
        .route(
            "/imports/targets",
            post(stats::import_targets)
                .layer(DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route("/openapi.json", get(openapi))
        .route("/consent-notice", get(consent::show))
        .route("/learners", get(learners::list).post(learners::create))
        .route("/learners/export", get(imports::export_learners))
        .route("/learners/{code}", get(learners::show))
        .route("/learners/{code}/progress", get(progress::learner_progress))
        .route("/learners/{code}/progress-link", post(learners::renew_progress_link))
        .route("/learners/{code}/personal-data", get(learners::personal_data).delete(learners::erase_personal_data))
        .route("/lookup", post(learners::lookup))
        .route("/courses", get(progress::list_courses).post(progress::create_course))
        .route("/enrolments", post(progress::enrol))
        .route("/completions", post(progress::record_completions))
        .route(
            "/imports/completions",
            post(imports::import_completions)
                .layer(DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route(
            "/imports/learners",
            post(imports::import_learners)
                .layer(DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route("/organisations", get(units::list_organisations).post(units::create_organisation))
        .route("/teams", get(units::list_teams).post(units::create_team))
        .fallback(|| async { ApiError(Error::NotFound) })
        .layer(axum::middleware::from_fn(render_errors))
}

/// The OpenAPI document of these routes (`server/openapi.json`, kept beside the code).
pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI)
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
        Error::Internal => "internal",
    }
}

pub fn error_body(err: &Error, lang: Lang) -> serde_json::Value {
    let mut body = json!({"error": error_code(err), "message": lang.t(err.text())});
    match err {
        Error::Invalid(fields) => {
            body["errors"] = fields
                .iter()
                .map(|f| json!({"field": f.field, "message": lang.t(f.problem)}))
                .collect::<Vec<_>>()
                .into();
        }
        Error::InvalidRows(rows) => {
            body["errors"] = rows
                .iter()
                .map(|r| json!({"line": r.line, "column": r.column, "value": r.value, "message": lang.t(r.problem)}))
                .collect::<Vec<_>>()
                .into();
        }
        Error::Conflict(Some(existing)) => body["existing"] = existing.clone().into(),
        Error::RateLimited(seconds) | Error::Busy(seconds) => body["retry_after"] = (*seconds).into(),
        _ => {}
    }
    body
}

pub async fn render_errors(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers());
    let response = next.run(request).await;
    let Some(err) = response.extensions().get::<Error>().cloned() else {
        return response;
    };
    let mut rendered = (response.status(), Json(error_body(&err, lang))).into_response();
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
