use axum::Json;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use hocvuso::Error;
use hocvuso::auth::TokenScope;
use hocvuso::i18n::Text;
use hocvuso::model::{CompletionRow, DashboardFilter, LeaderboardRow, Overview, TargetStatus, WeekPoint};
use hocvuso::service::{statistics::dashboard, statistics::report, statistics::targets};
use hocvuso::week::IsoWeek;
use hocvuso_app::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ApiResult, Caller, JsonBody};

/// `GET /api/v1/stats/overview`: the province's headline figures, for people and `read-stats` tokens.
pub async fn overview(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Overview>> {
    actor.require_account_or_token(TokenScope::ReadStats)?;
    Ok(Json(state.figures.overview(&state.db, state.province, &actor).await?))
}

/// One unit's figures as REST shows them; `rate` is the exact fraction completed/enrolled.
/// Written straight to the response (typed, not a `Value` tree: this is the busiest read).
#[derive(Serialize)]
struct RowJson<'a> {
    id: &'a str,
    name: &'a str,
    enrolled: i64,
    completed: i64,
    rate: Option<f64>,
    learners: i64,
    new_enrolled: i64,
    new_completed: i64,
    target: Option<&'a TargetStatus>,
    targets: &'a [TargetStatus],
}

fn row_json(row: &CompletionRow) -> RowJson<'_> {
    RowJson {
        id: &row.id,
        name: &row.name,
        enrolled: row.completion.enrolled,
        completed: row.completion.completed,
        rate: row.completion.rate(),
        learners: row.learners,
        new_enrolled: row.new_enrolled,
        new_completed: row.new_completed,
        target: row.targets.first(),
        targets: &row.targets,
    }
}

#[derive(Serialize)]
struct CompletionJson<'a> {
    by: &'static str,
    period: Option<String>,
    rows: Vec<RowJson<'a>>,
    total: RowJson<'a>,
    trend: &'a [WeekPoint],
}

/// `GET /api/v1/stats/completion?by=commune|organisation|team|course&province=&commune=&organisation=&course=&period=&from=&to=`.
pub async fn completion(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(filter): Query<DashboardFilter>,
) -> ApiResult<Response> {
    let table = state.figures.completion(&state.db, &actor, state.province, &filter).await?;
    let body = CompletionJson {
        by: table.by.as_str(),
        period: table.period.map(|p| p.to_string()),
        rows: table.rows.iter().map(row_json).collect(),
        total: row_json(&table.total),
        trend: &table.trend,
    };
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<String>,
    min: Option<i64>,
    format: Option<String>,
}

/// The week asked for ("2026-W48"), else the current week in Vietnam.
fn week_of(query: &WeekQuery) -> Result<IsoWeek, Error> {
    match query.week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(IsoWeek::current()),
        Some(w) => IsoWeek::parse(w).ok_or_else(|| Error::invalid("week", Text::PeriodInvalid)),
    }
}

/// `GET /api/v1/leaderboard?by=commune|organisation|team&week=2026-W48&min=20`: ranked rows with movement.
pub async fn leaderboard(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<WeekQuery>,
    Query(filter): Query<DashboardFilter>,
) -> ApiResult<Json<Value>> {
    let week = week_of(&query)?;
    let min = query.min.unwrap_or(dashboard::DEFAULT_MIN_ENROLLED);
    let board = state.figures.leaderboard(&state.db, &actor, state.province, &filter, week, min).await?;
    Ok(Json(json!({
        "by": board.by.as_str(),
        "week": board.week.to_string(),
        "min_enrolled": board.min_enrolled,
        "ranked": board.ranked.iter().map(leaderboard_row).collect::<Vec<_>>(),
        "unranked": board.unranked.iter().map(leaderboard_row).collect::<Vec<_>>(),
    })))
}

#[derive(Serialize)]
struct LeaderboardRowJson<'a> {
    id: &'a str,
    name: &'a str,
    enrolled: i64,
    completed: i64,
    rate: Option<f64>,
    rank: Option<u32>,
    previous_rank: Option<u32>,
    movement: Option<i32>,
    rank_by_completions: u32,
}

fn leaderboard_row(r: &LeaderboardRow) -> LeaderboardRowJson<'_> {
    LeaderboardRowJson {
        id: &r.id,
        name: &r.name,
        enrolled: r.completion.enrolled,
        completed: r.completion.completed,
        rate: r.completion.rate(),
        rank: r.rank,
        previous_rank: r.previous_rank,
        movement: r.movement,
        rank_by_completions: r.rank_by_completions,
    }
}

/// `GET /api/v1/reports/weekly?week=2026-W48&format=json|xlsx|csv`.
pub async fn weekly_report(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: axum::http::HeaderMap,
    Query(query): Query<WeekQuery>,
) -> ApiResult<Response> {
    let week = week_of(&query)?;
    let lang = crate::i18n::request_lang(&headers);
    let data = state.figures.weekly_report(&state.db, &actor, state.province, week).await?;
    let download = |content_type: &str, extension: &str, bytes: Vec<u8>| {
        let name = format!("bao-cao-tuan-{week}.{extension}");
        (
            [
                (CONTENT_TYPE, content_type.to_string()),
                (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            bytes,
        )
            .into_response()
    };
    Ok(match query.format.as_deref() {
        None | Some("json") => Json(data).into_response(),
        Some("xlsx") => download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            report::xlsx(&data, lang)?,
        ),
        Some("csv") => download("text/csv; charset=utf-8", "csv", report::csv(&data, lang)),
        Some(_) => return Err(Error::invalid("format", Text::ExportFormatInvalid).into()),
    })
}

/// `POST /api/v1/targets` `{"unit_kind","unit","period","metric","value"}`: admins set one target.
pub async fn set_target(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<hocvuso::model::TargetForm>,
) -> ApiResult<StatusCode> {
    targets::set(&state.db, &actor, &form).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/imports/targets`: targets from CSV or XLSX; `{"changed": n}`, or 422 with every bad row.
pub async fn import_targets(
    State(state): State<AppState>,
    Caller(actor): Caller,
    request: Request,
) -> ApiResult<Json<Value>> {
    actor.require_admin()?;
    let bytes = super::imports::file_bytes(request, &state).await?;
    let changed = targets::import(&state.db, &actor, &bytes).await?;
    Ok(Json(json!({ "changed": changed })))
}
