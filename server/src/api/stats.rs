use axum::Json;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use hocvuso::Error;
use hocvuso::auth::TokenScope;
use hocvuso::i18n::Text;
use hocvuso::model::{
    CompletionRow, DashboardFilter, LeaderboardRow, Overview, TargetForm, TargetStatus, WeekPoint, WeeklyReport,
};
use hocvuso::service::{statistics::dashboard, statistics::report, statistics::targets};
use hocvuso::week::IsoWeek;
use hocvuso_app::state::AppState;
use serde::{Deserialize, Serialize};

use super::{ApiResult, Caller, JsonBody};

/// Which area: a province code, or `all` for the country; the deployment's landing area when left out.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    province: Option<String>,
    /// Only the learners of one group (`can_bo`, `hoc_sinh`, `nguoi_dan`, `nguoi_lao_dong`).
    group: Option<String>,
}

/// `GET /api/v1/stats/overview?province=15|all`: the headline figures of the country (by province) or
/// of a province (by commune), for people and `read-stats` tokens.
#[utoipa::path(get, path = "/stats/overview", tag = "statistics", params(AreaQuery), responses((status = 200, body = Overview), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(area): Query<AreaQuery>,
) -> ApiResult<Json<Overview>> {
    actor.require_account_or_token(TokenScope::ReadStats)?;
    let overview = state
        .figures
        .overview(&state.db, &actor, state.landing, area.province.as_deref(), area.group.as_deref())
        .await?;
    Ok(Json(overview))
}

/// One unit's figures as REST shows them; `rate` is the exact fraction completed/enrolled.
/// Written straight to the response (typed, not a `Value` tree: this is the busiest read).
#[derive(Serialize, utoipa::ToSchema)]
pub struct RowJson<'a> {
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
    /// Completions (or learners trained, for coverage) still needed to meet its targets; null without one.
    needed: Option<i64>,
    /// Learners with at least one completed course.
    trained: i64,
    /// The unit's population for the period's year (of the group, with `group=`); null when not uploaded.
    population: Option<i64>,
    /// The exact fraction trained/population; null without a population.
    coverage: Option<f64>,
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
        needed: row.needed,
        trained: row.trained,
        population: row.population,
        coverage: row.coverage(),
    }
}

/// Completion by unit: one row a unit, the total, and the trend week by week.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CompletionJson<'a> {
    /// The area shown: a province code, or `all` for the country.
    province: String,
    by: &'static str,
    period: Option<String>,
    rows: Vec<RowJson<'a>>,
    total: RowJson<'a>,
    /// The whole for every learner (`group` null), then for each learner group: the plan's indicators.
    groups: Vec<GroupJson<'a>>,
    trend: &'a [WeekPoint],
}

/// One learner group's figures in the whole view (`group` null: every learner).
#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupJson<'a> {
    group: Option<&'static str>,
    #[serde(flatten)]
    figures: RowJson<'a>,
}

/// `GET /api/v1/stats/completion?by=province|commune|organisation|team|course|group&province=&group=&commune=&organisation=&course=&period=&from=&to=&sort=needed`.
/// `by=province` without `province` is the whole country (34 rows).
#[utoipa::path(get, path = "/stats/completion", tag = "statistics", params(DashboardFilter),
    responses((status = 200, body = CompletionJson), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn completion(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(filter): Query<DashboardFilter>,
) -> ApiResult<Response> {
    let table = state.figures.completion(&state.db, &actor, state.landing, &filter).await?;
    let body = CompletionJson {
        province: table.area.param(),
        by: if table.by_group { "group" } else { table.by.as_str() },
        period: table.period.map(|p| p.to_string()),
        rows: table.rows.iter().map(row_json).collect(),
        total: row_json(&table.total),
        groups: table
            .groups
            .iter()
            .map(|g| GroupJson { group: g.group.map(|g| g.as_str()), figures: row_json(&g.row) })
            .collect(),
        trend: &table.trend,
    };
    Ok(Json(body).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// "2026-W48"; the current week in Vietnam when left out.
    week: Option<String>,
    /// Leaderboard: the fewest enrolments a unit needs to be ranked.
    min: Option<i64>,
    /// Weekly report: json (default), xlsx or csv.
    format: Option<String>,
    /// Weekly report: a province code, or `all` for the country.
    province: Option<String>,
    /// Weekly report: only the learners of one group.
    group: Option<String>,
}

/// The week asked for ("2026-W48"), else the current week in Vietnam.
fn week_of(query: &WeekQuery) -> Result<IsoWeek, Error> {
    match query.week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(IsoWeek::current()),
        Some(w) => IsoWeek::parse(w).ok_or_else(|| Error::invalid("week", Text::PeriodInvalid)),
    }
}

/// `GET /api/v1/leaderboard?by=province|commune|organisation|team&week=2026-W48&min=20`: ranked rows with movement.
#[utoipa::path(get, path = "/leaderboard", tag = "statistics", params(WeekQuery, DashboardFilter),
    responses((status = 200, body = LeaderboardJson), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn leaderboard(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<WeekQuery>,
    Query(filter): Query<DashboardFilter>,
) -> ApiResult<Response> {
    let week = week_of(&query)?;
    let min = query.min.unwrap_or(dashboard::DEFAULT_MIN_ENROLLED);
    let board = state.figures.leaderboard(&state.db, &actor, state.landing, &filter, week, min).await?;
    let body = LeaderboardJson {
        province: board.area.param(),
        by: board.by.as_str(),
        week: board.week.to_string(),
        min_enrolled: board.min_enrolled,
        ranked: board.ranked.iter().map(leaderboard_row).collect(),
        unranked: board.unranked.iter().map(leaderboard_row).collect(),
    };
    Ok(Json(body).into_response())
}

/// Units ranked by completion rate with their movement since last week; units with fewer than
/// `min_enrolled` enrolments are listed apart, unranked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeaderboardJson<'a> {
    province: String,
    by: &'static str,
    week: String,
    min_enrolled: i64,
    ranked: Vec<LeaderboardRowJson<'a>>,
    unranked: Vec<LeaderboardRowJson<'a>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LeaderboardRowJson<'a> {
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

/// `GET /api/v1/reports/weekly?week=2026-W48&province=15|all&format=json|xlsx|csv` (the last complete week without `week`).
#[utoipa::path(get, path = "/reports/weekly", tag = "statistics", params(WeekQuery),
    responses(
        (status = 200, description = "The report: JSON, or a file with `format=xlsx|csv`",
            content((WeeklyReport = "application/json"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)
    ))]
pub async fn weekly_report(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: axum::http::HeaderMap,
    Query(query): Query<WeekQuery>,
) -> ApiResult<Response> {
    // Without a week: the last complete one (the current week has barely begun).
    let week = if query.week.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        week_of(&query)?
    } else {
        IsoWeek::last_complete()
    };
    let lang = crate::i18n::request_lang(&headers);
    let (province, group) = (query.province.as_deref(), query.group.as_deref());
    let data = state.figures.weekly_report(&state.db, &actor, state.landing, province, group, week).await?;
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

/// `POST /api/v1/targets` `{"unit_kind","unit","period","metric","value","group"}` (group optional: every
/// learner): admins set one target.
#[utoipa::path(post, path = "/targets", tag = "statistics", request_body = TargetForm,
    responses((status = 204, description = "Set"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn set_target(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<TargetForm>,
) -> ApiResult<StatusCode> {
    targets::set(&state.db, &actor, &form).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/imports/targets`: targets from CSV or XLSX; `{"changed": n}`, or 422 with every bad row.
#[utoipa::path(post, path = "/imports/targets", tag = "statistics", request_body(description = "The file: the body itself (CSV or XLSX), or the `file` field of a multipart form",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "multipart/form-data"))),
    responses((status = 200, body = TargetsChanged), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn import_targets(
    State(state): State<AppState>,
    Caller(actor): Caller,
    request: Request,
) -> ApiResult<Json<TargetsChanged>> {
    actor.require_admin()?;
    let bytes = super::imports::file_bytes(request, &state).await?;
    let changed = targets::import(&state.db, &actor, &bytes).await?;
    Ok(Json(TargetsChanged { changed }))
}

/// `POST /api/v1/imports/population`: population figures (`unit_kind,unit,group,year,population`) from
/// CSV or XLSX; `{"changed": n}`, or 422 with every bad row and nothing written.
#[utoipa::path(post, path = "/imports/population", tag = "statistics", request_body(description = "The file: the body itself (CSV or XLSX), or the `file` field of a multipart form",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "multipart/form-data"))),
    responses((status = 200, body = TargetsChanged), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn import_population(
    State(state): State<AppState>,
    Caller(actor): Caller,
    request: Request,
) -> ApiResult<Json<TargetsChanged>> {
    actor.require_admin()?;
    let bytes = super::imports::file_bytes(request, &state).await?;
    let changed = hocvuso::service::statistics::population::import(&state.db, &actor, &bytes).await?;
    Ok(Json(TargetsChanged { changed }))
}

/// How many targets (or population figures) the file set or changed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TargetsChanged {
    changed: u64,
}
