use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{ImportReport, LearnerFilter, PlatformImportReport};
use hocvuso::service::imports::learners::{self as import, Format, ImportOptions};
use hocvuso::service::imports::platform_reports::{self, ReportFormat, ReportOptions};
use hocvuso::service::imports::{platform_accounts, table};
use hocvuso_app::state::AppState;
use serde::Deserialize;

use super::{ApiError, ApiResult, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and report, writing nothing.
    #[serde(default)]
    dry_run: bool,
    /// Learners: the version of the consent notice the people agreed to.
    consent_version: Option<String>,
}

/// The file of a request: the raw body (CSV or XLSX), or the `file` field of a multipart form.
pub(super) async fn file_bytes(request: Request, state: &AppState) -> Result<Bytes, ApiError> {
    let is_multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let too_large = |_| ApiError(Error::invalid("file", Text::FileTooLarge));
    if !is_multipart {
        return Bytes::from_request(request, state).await.map_err(too_large);
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| ApiError(Error::invalid("file", Text::FileNotReadable)))?;
    while let Some(field) =
        multipart.next_field().await.map_err(|_| ApiError(Error::invalid("file", Text::FileTooLarge)))?
    {
        if field.name() == Some("file") {
            return field.bytes().await.map_err(|_| ApiError(Error::invalid("file", Text::FileTooLarge)));
        }
    }
    Err(ApiError(Error::invalid("file", Text::FileEmpty)))
}

/// `POST /api/v1/imports/learners?dry_run=true|false&consent_version=…`: 200 with the counts, or 422 listing every bad row.
#[utoipa::path(post, path = "/imports/learners", tag = "imports", params(ImportQuery), request_body(description = "The file: the body itself (CSV or XLSX), or the `file` field of a multipart form",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "multipart/form-data"))),
    responses((status = 200, body = ImportReport), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn import_learners(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> ApiResult<Json<ImportReport>> {
    actor.account()?;
    let bytes = file_bytes(request, &state).await?;
    let options = ImportOptions {
        dry_run: query.dry_run,
        consent_version: query.consent_version,
        citizen_id_key: state.citizen_id_key.clone(),
    };
    Ok(Json(import::import_learners(&state.db, &actor, state.landing, &bytes, &options).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompletionsQuery {
    /// Check every row and report, writing nothing.
    #[serde(default)]
    dry_run: bool,
    /// The file is a platform's own report: `openedx` (the grade report) or `moodle` (the course
    /// completion report). Without it, the completion table (learner, course, status…).
    format: Option<String>,
    /// With `format`: the platform's address (`account.homePage`) or the name of its connection.
    platform: Option<String>,
    /// With `format`: the code of the course the report is about.
    course: Option<String>,
}

/// What a completion import did: counts of enrolments for a completion table, counts of rows for
/// a platform's report.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum CompletionsImported {
    Table(ImportReport),
    PlatformReport(PlatformImportReport),
}

/// `POST /api/v1/imports/completions?dry_run=true|false[&format=openedx|moodle&platform=…&course=…]`:
/// completions exported from a MOOC platform: a completion table, or the platform's own report
/// (each row kept as the xAPI statement the platform would have sent; rows whose account is linked
/// to no learner wait on the unmatched list).
#[utoipa::path(post, path = "/imports/completions", tag = "imports", params(CompletionsQuery), request_body(description = "The file: the body itself (CSV or XLSX), or the `file` field of a multipart form",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "multipart/form-data"))),
    responses((status = 200, body = CompletionsImported), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn import_completions(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<CompletionsQuery>,
    request: Request,
) -> ApiResult<Json<CompletionsImported>> {
    actor.require_account_or_token(hocvuso::auth::TokenScope::Ingest)?;
    let report = match query.format.as_deref() {
        Some(format) => {
            let options = ReportOptions {
                format: ReportFormat::parse(format)?,
                platform: query.platform.unwrap_or_default(),
                course: query.course.unwrap_or_default(),
                dry_run: query.dry_run,
            };
            let bytes = file_bytes(request, &state).await?;
            CompletionsImported::PlatformReport(
                platform_reports::import_report(&state.db, &actor, &bytes, &options).await?,
            )
        }
        None => {
            let bytes = file_bytes(request, &state).await?;
            let options = ImportOptions {
                dry_run: query.dry_run,
                citizen_id_key: state.citizen_id_key.clone(),
                ..ImportOptions::default()
            };
            CompletionsImported::Table(
                hocvuso::service::imports::completions::import_completions(&state.db, &actor, &bytes, &options).await?,
            )
        }
    };
    Ok(Json(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRunQuery {
    /// Check every row and report, writing nothing.
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/v1/imports/platform-accounts?dry_run=true|false`: which account on a MOOC platform
/// (or which e-mail address) is which learner. Columns `platform` (address or connection name),
/// `account` (name on the platform, or an e-mail address) and `learner_code` or `phone` +
/// `birth_date`. Each new link applies, once, the statements that waited for it. 200 with the
/// counts, or 422 listing every bad row (an account linked to another learner is one).
#[utoipa::path(post, path = "/imports/platform-accounts", tag = "imports", params(DryRunQuery), request_body(description = "The file: the body itself (CSV or XLSX), or the `file` field of a multipart form",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "multipart/form-data"))),
    responses((status = 200, body = ImportReport), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn import_platform_accounts(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<DryRunQuery>,
    request: Request,
) -> ApiResult<Json<ImportReport>> {
    actor.require_account_or_token(hocvuso::auth::TokenScope::Ingest)?;
    let bytes = file_bytes(request, &state).await?;
    Ok(Json(platform_accounts::import_platform_accounts(&state.db, &actor, &bytes, query.dry_run).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// csv (default) or xlsx.
    #[serde(default)]
    format: Option<String>,
}

/// `GET /api/v1/learners/export?format=csv|xlsx&q=&commune=…`: the caller's learners as a spreadsheet.
#[utoipa::path(get, path = "/learners/export", tag = "imports", params(ExportQuery, LearnerFilter),
    responses(
        (status = 200, description = "The caller's learners as a spreadsheet (attachment)",
            content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)
    ))]
pub async fn export_learners(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<ExportQuery>,
    Query(filter): Query<LearnerFilter>,
) -> ApiResult<Response> {
    let format = match query.format.as_deref() {
        Some("xlsx") => Format::Xlsx,
        None | Some("csv") => Format::Csv,
        Some(_) => return Err(Error::invalid("format", Text::ExportFormatInvalid).into()),
    };
    let (content_type, name, body) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "hoc-vien.csv", csv_export(state.db.clone(), actor, filter).await?),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "hoc-vien.xlsx",
            Body::from(import::export_learners(&state.db, &actor, &filter, format).await?),
        ),
    };
    Ok((
        [(CONTENT_TYPE, content_type.to_string()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
        body,
    )
        .into_response())
}

/// A CSV export sent page by page as it is read, so a province's million learners need neither
/// the whole file in memory nor a wait before the first byte. The first page is read before
/// answering, so a refused caller still gets their error status.
async fn csv_export(
    db: sea_orm::DatabaseConnection,
    actor: hocvuso::auth::Actor,
    filter: LearnerFilter,
) -> ApiResult<Body> {
    use futures::StreamExt;
    let (first, next) = import::export_page(&db, &actor, &filter, None).await?;
    let head = Bytes::from(table::write_csv(&import::EXPORT_HEADER, &first));
    let rest = futures::stream::unfold(next, move |cursor| {
        let (db, actor, filter) = (db.clone(), actor.clone(), filter.clone());
        async move {
            let cursor = cursor?;
            match import::export_page(&db, &actor, &filter, Some(cursor)).await {
                Ok((rows, next)) => Some((Ok(Bytes::from(table::write_csv_rows(&rows))), next)),
                // The answer has begun: the only way left to say it failed is to cut it short.
                Err(err) => Some((Err(std::io::Error::other(format!("export stopped: {err}"))), None)),
            }
        }
    });
    Ok(Body::from_stream(futures::stream::once(async move { Ok::<_, std::io::Error>(head) }).chain(rest)))
}
