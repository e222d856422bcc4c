//! The weekly reports the scheduler wrote (`/reports`): listed with their e-mails, downloaded by
//! the name recorded for them and no other.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use hocvuso::model::ScheduledReports;
use hocvuso::service::statistics::scheduled;
use hocvuso_app::state::AppState;

use super::{ApiResult, Caller};

/// `GET /api/v1/reports/files`: the written reports and their e-mails (sent, retrying with the
/// error and the next attempt, failed). Admins; a province admin sees their province's only.
#[utoipa::path(get, path = "/reports/files", tag = "statistics",
    responses((status = 200, body = ScheduledReports), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<ScheduledReports>> {
    Ok(Json(scheduled::list(&state.db, &actor).await?))
}

/// `GET /api/v1/reports/files/{name}`: one written report file; 404 for a name the scheduler did
/// not record (so no path can be made up) and for another province's file.
#[utoipa::path(get, path = "/reports/files/{name}", tag = "statistics",
    params(("name" = String, Path, description = "The file's name as listed, e.g. bao-cao-tuan-2026-W48-ca-nuoc.xlsx")),
    responses(
        (status = 200, description = "The file", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)
    ))]
pub async fn download(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let (file, bytes) = scheduled::read(&state.db, &actor, &name).await?;
    let content_type = match file.format.as_str() {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "text/csv; charset=utf-8",
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name)),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
