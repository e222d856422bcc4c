//! The weekly report the steering committee reads: this week against last week, cumulative rates,
//! units behind target, biggest movers and the most active teams. Built from the dashboards (and so
//! from the counters; the teams from their guidance sessions), as a page, an XLSX workbook with real numbers, and a CSV.
use sea_orm::ConnectionTrait;

use crate::Result;
use crate::auth::Actor;
use crate::i18n::{Lang, Text};
use crate::model::{Area, CommuneAtRisk, Completion, CompletionRow, DashboardFilter, Mover, UnitKind, WeeklyReport};
use crate::service::imports::table::{self, Cell, Sheet};
use crate::service::learners::at_risk;
use crate::service::statistics::dashboard;
use crate::week::IsoWeek;

/// How many movers and active teams the report lists.
pub const TOP: usize = 5;

fn filter(area: Area, group: Option<&str>, by: UnitKind, week: IsoWeek) -> DashboardFilter {
    DashboardFilter {
        by: Some(by.as_str().into()),
        period: Some(week.to_string()),
        province: Some(area.param()),
        group: group.map(str::to_string),
        ..Default::default()
    }
}

/// The report of `week` for an area: its provinces (the country's report), communes, organisations and teams.
pub async fn weekly(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
    province: Option<&str>,
    group: Option<&str>,
    week: IsoWeek,
) -> Result<WeeklyReport> {
    // The area is settled once, so every table below is of the same place.
    let area = dashboard::area_for(db, actor, landing, province, false).await?;
    let table = async |by, week| dashboard::completion(db, actor, area, &filter(area, group, by, week)).await;
    let main_kind = if area == Area::Country { UnitKind::Province } else { UnitKind::Commune };
    let main = table(main_kind, week).await?;
    let before = table(main_kind, week.previous()).await?;
    let communes = if main_kind == UnitKind::Commune { main.clone() } else { table(UnitKind::Commune, week).await? };
    let organisations = table(UnitKind::Organisation, week).await?;
    let teams = table(UnitKind::Team, week).await?;
    let provinces = if main_kind == UnitKind::Province { main.rows.clone() } else { Vec::new() };

    let mut behind_target: Vec<(UnitKind, CompletionRow)> =
        [(UnitKind::Commune, &communes), (UnitKind::Organisation, &organisations), (UnitKind::Team, &teams)]
            .into_iter()
            .chain((main_kind == UnitKind::Province).then_some((UnitKind::Province, &main)))
            .flat_map(|(kind, table)| {
                table.rows.iter().filter(|r| r.targets.iter().any(|t| !t.met)).map(move |r| (kind, r.clone()))
            })
            .collect();
    // Furthest behind first (completions still needed); stable, so equal ones keep their kind and name order.
    behind_target.sort_by_key(|(_, row)| std::cmp::Reverse(row.needed.unwrap_or(-1)));

    let at_risk = at_risk_per_commune(db, actor, &communes.rows, week).await?;

    let rate = |c: Completion| c.rate_tenths().unwrap_or(0);
    let mut movers: Vec<Mover> = main
        .rows
        .iter()
        .zip(&before.rows)
        .map(|(now, then)| Mover {
            id: now.id.clone(),
            name: now.name.clone(),
            before: then.completion,
            now: now.completion,
            change_tenths: rate(now.completion) - rate(then.completion),
        })
        .filter(|m| m.change_tenths != 0)
        .collect();
    movers.sort_by(|a, b| b.change_tenths.abs().cmp(&a.change_tenths.abs()).then_with(|| a.name.cmp(&b.name)));
    movers.truncate(TOP);

    let active_teams = crate::service::guidance::most_active_teams(db, actor, area, week, TOP).await?;

    let signoffs = super::signoff::for_report(db, actor, area, week, group, &communes.rows).await?;
    Ok(WeeklyReport {
        area,
        week,
        total: main.total,
        total_before: before.total,
        provinces,
        communes: communes.rows,
        signoff_on_time_rate: signoffs.on_time_rate(),
        signoffs_on_time: signoffs.on_time,
        signoffs: signoffs.rows,
        behind_target,
        movers,
        active_teams,
        at_risk,
    })
}

/// The at-risk list's row count per commune of the report, as it stood when the week ended.
async fn at_risk_per_commune(
    db: &impl ConnectionTrait,
    actor: &Actor,
    communes: &[CompletionRow],
    week: IsoWeek,
) -> Result<Vec<CommuneAtRisk>> {
    if actor.account().is_err() {
        // The counts come from the list of people, which machine tokens may not read.
        return Ok(Vec::new());
    }
    let week_default = at_risk::Days::new(at_risk::DEFAULT_DAYS).expect("the default is within bounds");
    let filter = at_risk::Filter::new(week_default, week_default);
    let counts = at_risk::count_per_commune(db, actor, &filter, week.end()).await?;
    let mut rows: Vec<CommuneAtRisk> = communes
        .iter()
        .filter_map(|c| {
            let code: i32 = c.id.parse().ok()?;
            let count = *counts.get(&code).filter(|n| **n > 0)?;
            Some(CommuneAtRisk { commune: code, name: c.name.clone(), count })
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    Ok(rows)
}

/// "98/95%": the actual figure over the target, for the completion rate in percent.
pub fn target_text(row: &CompletionRow) -> String {
    row.targets
        .first()
        .map(|t| match t.metric {
            m if m.is_percent() => format!("{}/{}%", tenths(t.actual), tenths(t.target)),
            _ => format!("{}/{}", t.actual, t.target),
        })
        .unwrap_or_default()
}

/// 955 → "95.5", 950 → "95".
fn tenths(value: i64) -> String {
    if value % 10 == 0 { (value / 10).to_string() } else { format!("{}.{}", value / 10, value % 10) }
}

fn rate_cell(c: Completion) -> Cell {
    c.rate().map_or(Cell::Empty, Cell::Rate)
}

fn unit_cells(row: &CompletionRow) -> Vec<Cell> {
    vec![
        Cell::Text(row.id.clone()),
        Cell::Text(row.name.clone()),
        Cell::Number(row.new_enrolled),
        Cell::Number(row.new_completed),
        Cell::Number(row.completion.enrolled),
        Cell::Number(row.completion.completed),
        rate_cell(row.completion),
        Cell::Text(target_text(row)),
    ]
}

fn unit_header(lang: Lang) -> [&'static str; 8] {
    [
        "id",
        lang.t(Text::Name),
        lang.t(Text::NewEnrolments),
        lang.t(Text::NewCompletions),
        lang.t(Text::Enrolments),
        lang.t(Text::Completions),
        lang.t(Text::CompletionRate),
        lang.t(Text::Target),
    ]
}

/// The report as a workbook: a summary sheet, every commune, units behind target, movers, teams,
/// at-risk learners per commune and the communes' sign-offs.
pub fn xlsx(report: &WeeklyReport, lang: Lang) -> Result<Vec<u8>> {
    let summary_header = [lang.t(Text::Figure), lang.t(Text::ThisWeek), lang.t(Text::LastWeek)];
    let (now, then) = (&report.total, &report.total_before);
    let summary = vec![
        vec![
            Cell::Text(lang.t(Text::Week).into()),
            Cell::Text(report.week.to_string()),
            Cell::Text(report.week.previous().to_string()),
        ],
        vec![
            Cell::Text(lang.t(Text::NewEnrolments).into()),
            Cell::Number(now.new_enrolled),
            Cell::Number(then.new_enrolled),
        ],
        vec![
            Cell::Text(lang.t(Text::NewCompletions).into()),
            Cell::Number(now.new_completed),
            Cell::Number(then.new_completed),
        ],
        vec![
            Cell::Text(lang.t(Text::Enrolments).into()),
            Cell::Number(now.completion.enrolled),
            Cell::Number(then.completion.enrolled),
        ],
        vec![
            Cell::Text(lang.t(Text::Completions).into()),
            Cell::Number(now.completion.completed),
            Cell::Number(then.completion.completed),
        ],
        vec![Cell::Text(lang.t(Text::CompletionRate).into()), rate_cell(now.completion), rate_cell(then.completion)],
        vec![Cell::Text(lang.t(Text::Learners).into()), Cell::Number(now.learners), Cell::Number(then.learners)],
    ];
    let header = unit_header(lang);
    let behind: Vec<Vec<Cell>> = report
        .behind_target
        .iter()
        .map(|(kind, row)| {
            let mut cells = unit_cells(row);
            cells.insert(0, Cell::Text(kind.as_str().into()));
            cells.push(row.needed.map_or(Cell::Empty, Cell::Number));
            cells
        })
        .collect();
    let behind_header: Vec<&str> =
        std::iter::once("kind").chain(header).chain(std::iter::once(lang.t(Text::Needed))).collect();
    let at_risk_header = ["id", lang.t(Text::Commune), lang.t(Text::AtRiskCount)];
    let at_risk = report
        .at_risk
        .iter()
        .map(|c| vec![Cell::Text(c.commune.to_string()), Cell::Text(c.name.clone()), Cell::Number(c.count)])
        .collect();
    let movers_header =
        ["id", lang.t(Text::Name), lang.t(Text::LastWeek), lang.t(Text::ThisWeek), lang.t(Text::Change)];
    let movers = report
        .movers
        .iter()
        .map(|m| {
            vec![
                Cell::Text(m.id.clone()),
                Cell::Text(m.name.clone()),
                rate_cell(m.before),
                rate_cell(m.now),
                Cell::Rate(m.change_tenths as f64 / 1000.0),
            ]
        })
        .collect();
    let teams_header = [
        "id",
        lang.t(Text::Name),
        lang.t(Text::Commune),
        lang.t(Text::Sessions),
        lang.t(Text::Attendances),
        lang.t(Text::GuidedUnregistered),
        lang.t(Text::PeopleGuided),
    ];
    let teams = report
        .active_teams
        .iter()
        .map(|t| {
            vec![
                Cell::Text(t.team.to_string()),
                Cell::Text(t.team_name.clone()),
                Cell::Text(t.commune_name.clone()),
                Cell::Number(t.figures.sessions),
                Cell::Number(t.figures.attendances),
                Cell::Number(t.figures.guided_unregistered),
                Cell::Number(t.people_guided),
            ]
        })
        .collect();
    let signoffs_header = [
        "id",
        lang.t(Text::Commune),
        lang.t(Text::SignoffStateHeader),
        lang.t(Text::SignoffSignedAt),
        lang.t(Text::SignoffSignedBy),
        lang.t(Text::SignoffNote),
        lang.t(Text::SignoffComment),
        lang.t(Text::SignoffChangedCompletions),
    ];
    let text = |value: &Option<String>| Cell::Text(value.clone().unwrap_or_default());
    let signoffs = report
        .signoffs
        .iter()
        .map(|s| {
            vec![
                Cell::Text(s.commune.to_string()),
                Cell::Text(s.name.clone()),
                Cell::Text(lang.t(s.state.text()).into()),
                Cell::Text(s.signed_at.map(crate::week::local_date_time).unwrap_or_default()),
                text(&s.signed_by),
                text(&s.note),
                text(&s.comment),
                s.changed_since_signoff.map_or(Cell::Empty, |c| Cell::Number(c.completed)),
            ]
        })
        .collect();
    let mut sheets = vec![Sheet { name: lang.t(Text::Summary), header: &summary_header, rows: summary }];
    if !report.provinces.is_empty() {
        sheets.push(Sheet {
            name: lang.t(Text::Provinces),
            header: &header,
            rows: report.provinces.iter().map(unit_cells).collect(),
        });
    }
    sheets.extend([
        Sheet { name: lang.t(Text::Communes), header: &header, rows: report.communes.iter().map(unit_cells).collect() },
        Sheet { name: lang.t(Text::BehindTarget), header: &behind_header, rows: behind },
        Sheet { name: lang.t(Text::Movers), header: &movers_header, rows: movers },
        Sheet { name: lang.t(Text::ActiveTeams), header: &teams_header, rows: teams },
        Sheet { name: lang.t(Text::AtRiskNav), header: &at_risk_header, rows: at_risk },
        Sheet { name: lang.t(Text::SignoffSheet), header: &signoffs_header, rows: signoffs },
    ]);
    table::write_workbook(&sheets)
}

/// The report's main table as CSV: the communes of a province, the provinces of the country (numbers
/// as plain digits, the rate as a fraction).
pub fn csv(report: &WeeklyReport, lang: Lang) -> Vec<u8> {
    let header = unit_header(lang);
    let main = if report.provinces.is_empty() { &report.communes } else { &report.provinces };
    let rows: Vec<Vec<String>> = main
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.name.clone(),
                r.new_enrolled.to_string(),
                r.new_completed.to_string(),
                r.completion.enrolled.to_string(),
                r.completion.completed.to_string(),
                r.completion.rate().map(|x| format!("{x:.4}")).unwrap_or_default(),
                target_text(r),
            ]
        })
        .collect();
    table::write_csv(&header, &rows)
}
