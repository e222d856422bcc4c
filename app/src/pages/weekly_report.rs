//! `/reports/weekly?week=2026-W48`: the steering committee's weekly report, one clean A4 page when
//! printed, with the same figures as XLSX (real numbers) and CSV.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{CompletionRow, UnitKind, WeeklyReport};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::stat_card::StatCard;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::i18n::use_lang;
use crate::pages::dashboard::target_view;

pub async fn get_weekly_report(week: Option<String>, province: Option<String>) -> Result<WeeklyReport, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let week = match week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            None => hocvuso::week::IsoWeek::last_complete(),
            Some(w) => hocvuso::week::IsoWeek::parse(w).ok_or_else(|| Error::invalid("week", Text::PeriodInvalid))?,
        };
        state
            .figures
            .weekly_report(&state.db, &crate::state::actor(), state.landing, province.as_deref(), None, week)
            .await
    })
    .await
}

/// "+12" or "−3": this week against last week.
fn change(now: i64, before: i64, lang: Lang) -> String {
    let d = now - before;
    if d >= 0 { format!("+{}", lang.count(d)) } else { format!("−{}", lang.count(-d)) }
}

fn unit_rows(rows: Vec<CompletionRow>, lang: Lang) -> impl IntoView {
    rows.into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td>{r.name.clone()}</td>
                    <td class="num">{lang.count(r.new_completed)}</td>
                    <td class="num">{lang.count(r.completion.completed)} "/" {lang.count(r.completion.enrolled)}</td>
                    <td class="num">{lang.percent(r.completion.rate_tenths())}</td>
                    <td>{target_view(r.targets.first(), lang)}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn WeeklyReportPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let report = Resource::new(
        move || query.with(|q| (q.get("week"), q.get("province").filter(|p| !p.is_empty()))),
        |(week, province)| get_weekly_report(week, province),
    );
    view! {
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! { <ReportView r lang /> }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportView(r: WeeklyReport, lang: Lang) -> impl IntoView {
    let week = r.week;
    let area = r.area.param();
    let country = r.area == hocvuso::model::Area::Country;
    let (now, then) = (r.total.clone(), r.total_before.clone());
    let head = move || {
        view! {
            <thead>
                <tr>
                    <th>{lang.t(Text::Name)}</th>
                    <th class="num">{lang.t(Text::NewCompletions)}</th>
                    <th class="num">{lang.t(Text::Completions)} "/" {lang.t(Text::Enrolments)}</th>
                    <th class="num">{lang.t(Text::CompletionRate)}</th>
                    <th>{lang.t(Text::Target)}</th>
                </tr>
            </thead>
        }
    };
    let kind_text = |k: UnitKind| match k {
        UnitKind::Province => Text::Province,
        UnitKind::Organisation => Text::Organisation,
        UnitKind::Team => Text::Teams,
        _ => Text::Commune,
    };
    let none = move |empty: bool| empty.then(|| view! { <p class="hint">{lang.t(Text::NoneThisWeek)}</p> });
    let (no_behind, no_movers, no_teams) = (r.behind_target.is_empty(), r.movers.is_empty(), r.active_teams.is_empty());
    let behind = r
        .behind_target
        .into_iter()
        .map(|(kind, row)| {
            view! {
                <tr>
                    <td>{lang.t(kind_text(kind))}</td>
                    <td>{row.name.clone()}</td>
                    <td class="num">{lang.percent(row.completion.rate_tenths())}</td>
                    <td>{target_view(row.targets.first(), lang)}</td>
                    <td class="num" data-testid="needed">{row.needed.map(|n| lang.count(n))}</td>
                </tr>
            }
        })
        .collect_view();
    let no_at_risk = r.at_risk.is_empty();
    let at_risk = r
        .at_risk
        .into_iter()
        .map(|c| {
            view! {
                <tr data-commune=c.commune.to_string()>
                    <td><a href=format!("/at-risk?commune={}", c.commune)>{c.name}</a></td>
                    <td class="num" data-testid="at-risk-count">{lang.count(c.count)}</td>
                </tr>
            }
        })
        .collect_view();
    let movers = r
        .movers
        .into_iter()
        .map(|m| {
            let sign = if m.change_tenths >= 0 { "▲" } else { "▼" };
            view! {
                <tr>
                    <td>{m.name}</td>
                    <td class="num">{lang.percent(m.before.rate_tenths())}</td>
                    <td class="num">{lang.percent(m.now.rate_tenths())}</td>
                    <td class="num">{sign} {lang.percent(Some(m.change_tenths.abs()))}</td>
                </tr>
            }
        })
        .collect_view();
    let teams = r
        .active_teams
        .into_iter()
        .map(|t| {
            view! {
                <tr data-team=t.team.to_string()>
                    <td>{t.team_name}</td>
                    <td>{t.commune_name}</td>
                    <td class="num">{lang.count(t.figures.sessions)}</td>
                    <td class="num">{lang.count(t.figures.attendances)}</td>
                    <td class="num">{lang.count(t.people_guided)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="report" data-testid="weekly-report">
            <h1>{lang.t(Text::WeeklyReport)} " · " {week.to_string()}</h1>
            <p class="hint">
                {week.monday().format("%d/%m/%Y").to_string()} " – "
                {week.sunday().format("%d/%m/%Y").to_string()}
            </p>
            <p class="actions-row no-print">
                <a href=format!("/reports/weekly?week={}&province={area}", week.previous())>"← " {week.previous().to_string()}</a>
                <a href=format!("/reports/weekly?week={}&province={area}", week.next())>{week.next().to_string()} " →"</a>
                <a rel="external" download="" href=format!("/api/v1/reports/weekly?week={week}&province={area}&format=xlsx") data-testid="download-xlsx">"Excel (XLSX)"</a>
                <a rel="external" download="" href=format!("/api/v1/reports/weekly?week={week}&province={area}&format=csv")>"CSV"</a>
            </p>
            <section class="stat-grid">
                <StatCard label=lang.t(Text::NewEnrolments) value=format!("{} ({})", lang.count(now.new_enrolled), change(now.new_enrolled, then.new_enrolled, lang)) testid="week-enrolled" />
                <StatCard label=lang.t(Text::NewCompletions) value=format!("{} ({})", lang.count(now.new_completed), change(now.new_completed, then.new_completed, lang)) testid="week-completed" />
                <StatCard label=lang.t(Text::Enrolments) value=lang.count(now.completion.enrolled) testid="enrolled" />
                <StatCard label=lang.t(Text::Completions) value=lang.count(now.completion.completed) testid="completed" />
                <StatCard label=lang.t(Text::CompletionRate) value=format!("{} ({} {})", lang.percent(now.completion.rate_tenths()), lang.t(Text::LastWeek), lang.percent(then.completion.rate_tenths())) testid="rate" />
            </section>
            <h2>{lang.t(Text::BehindTarget)}</h2>
            {none(no_behind)}
            <ScrollTable label=lang.t(Text::BehindTarget)><table class="units" data-testid="behind-target"><tbody>{behind}</tbody></table></ScrollTable>
            <h2>{lang.t(Text::AtRiskPerCommune)}</h2>
            {none(no_at_risk)}
            <ScrollTable label=lang.t(Text::AtRiskPerCommune)>
                <table class="units" data-testid="at-risk-per-commune">
                    <thead><tr><th>{lang.t(Text::Commune)}</th><th class="num">{lang.t(Text::AtRiskCount)}</th></tr></thead>
                    <tbody>{at_risk}</tbody>
                </table>
            </ScrollTable>
            <h2>{lang.t(Text::Movers)}</h2>
            {none(no_movers)}
            <ScrollTable label=lang.t(Text::Movers)>
                <table class="units" data-testid="movers">
                    <thead><tr><th>{lang.t(if country { Text::Province } else { Text::Commune })}</th><th class="num">{lang.t(Text::LastWeek)}</th><th class="num">{lang.t(Text::ThisWeek)}</th><th class="num">{lang.t(Text::Change)}</th></tr></thead>
                    <tbody>{movers}</tbody>
                </table>
            </ScrollTable>
            <h2>{lang.t(Text::ActiveTeams)}</h2>
            {none(no_teams)}
            <ScrollTable label=lang.t(Text::ActiveTeams)>
                <table class="units" data-testid="active-teams">
                    <thead><tr><th>{lang.t(Text::Name)}</th><th>{lang.t(Text::Commune)}</th><th class="num">{lang.t(Text::Sessions)}</th><th class="num">{lang.t(Text::Attendances)}</th><th class="num">{lang.t(Text::PeopleGuided)}</th></tr></thead>
                    <tbody>{teams}</tbody>
                </table>
            </ScrollTable>
            {if country {
                view! {
                    <h2>{lang.t(Text::Provinces)}</h2>
                    <ScrollTable label=lang.t(Text::Provinces)><table class="units" data-testid="report-provinces">{head()}<tbody>{unit_rows(r.provinces, lang)}</tbody></table></ScrollTable>
                }.into_any()
            } else {
                view! {
                    <h2>{lang.t(Text::Communes)}</h2>
                    <ScrollTable label=lang.t(Text::Communes)><table class="units" data-testid="report-communes">{head()}<tbody>{unit_rows(r.communes, lang)}</tbody></table></ScrollTable>
                }.into_any()
            }}
            <crate::pages::signoffs::Signoffs week area=r.area.param() signoffs=r.signoffs on_time=r.signoffs_on_time lang />
        </article>
    }
}
