//! `/dashboard`: completion by commune, organisation, team or course, against targets, with a bar
//! chart and the weekly trend. Everything lives in the URL (filters, sort), so a view can be
//! bookmarked and shared, and every link works without JavaScript.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{
    Area, CompletionRow, CompletionTable, DashboardFilter, GuidanceRow, TargetMetric, TargetStatus, UnitKind,
};
use hocvuso::service::guidance::Per;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::charts::{Bar, RateBars, TrendChart};
use crate::components::stat_card::StatCard;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::i18n::use_lang;

/// The table, and the courses the filter offers (code, title).
pub async fn get_dashboard(filter: DashboardFilter) -> Result<Dashboard, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        let table = state.figures.completion(&state.db, &actor, state.landing, &filter).await?;
        // Guidance sessions per commune or team, in the same area and period (issue 21).
        let per = match table.by {
            UnitKind::Commune => Some(Per::Commune),
            UnitKind::Team => Some(Per::Team),
            _ => None,
        };
        // Sessions are counted per area (and scope); a view narrowed to one commune or organisation
        // would show them for the whole area, so it shows none.
        let narrowed = filter.commune.is_some() || filter.organisation.is_some();
        let guidance = match per.filter(|_| !table.by_group && !narrowed) {
            Some(per) => hocvuso::service::guidance::table(&state.db, &actor, table.area, per, table.period).await?,
            None => Vec::new(),
        };
        let courses = hocvuso::service::enrolments::courses::list(&state.db, &actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.code, c.title))
            .collect();
        Ok(Dashboard { table, courses, guidance })
    })
    .await
}

/// What the dashboard shows: the table, the courses the filter offers (code, title), and guidance
/// per unit when the table is by commune or team.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Dashboard {
    pub table: CompletionTable,
    pub courses: Vec<(String, String)>,
    pub guidance: Vec<GuidanceRow>,
}

/// How a row reads its target: "98/95%" and whether it is met, in words and a symbol, not colour alone.
pub fn target_view(status: Option<&TargetStatus>, lang: Lang) -> impl IntoView + use<> {
    status.copied().map(|t| {
        let figures = match t.metric {
            m if m.is_percent() => {
                format!("{}/{}", lang.percent(Some(t.actual)).trim_end_matches('%'), lang.percent(Some(t.target)))
            }
            _ => format!("{}/{}", lang.count(t.actual), lang.count(t.target)),
        };
        let (mark, word) = if t.met { ("✓", Text::TargetMet) } else { ("✗", Text::TargetBehind) };
        view! {
            <span class="target" class:met=t.met class:behind=!t.met data-testid="target">
                {figures} " " <span aria-hidden="true">{mark}</span> <span class="target-word">{lang.t(word)}</span>
            </span>
        }
    })
}

/// The query string of the current filter with some keys changed (None removes a key).
fn href_with(query: &[(String, String)], changes: &[(&str, Option<String>)]) -> String {
    let mut pairs: Vec<(String, String)> =
        query.iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).cloned().collect();
    for (key, value) in changes {
        if let Some(v) = value {
            pairs.push((key.to_string(), v.clone()));
        }
    }
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", hocvuso::text::url_encode(v))).collect();
    format!("/dashboard?{}", encoded.join("&"))
}

fn kind_label(kind: UnitKind) -> Text {
    match kind {
        UnitKind::Province => Text::Province,
        UnitKind::Commune => Text::Commune,
        UnitKind::Organisation => Text::Organisation,
        UnitKind::Team => Text::Teams,
        UnitKind::Course => Text::Courses,
    }
}

/// Rows in the order the URL asks for: by rate as ranked (the default), name, enrolments,
/// completions or new completions; the same header again turns the order around.
fn sorted(mut rows: Vec<CompletionRow>, sort: &str, descending: bool) -> Vec<CompletionRow> {
    let folded = |r: &CompletionRow| hocvuso::text::fold(&r.name);
    rows.sort_by(|a, b| {
        // Ranked fairly: units below the minimum of enrolments come after the ranked ones.
        let min = hocvuso::model::DEFAULT_MIN_ENROLLED;
        let by_rank = hocvuso::model::fair_rank_cmp((a.completion, &a.name), (b.completion, &b.name), min);
        let order = match sort {
            "name" => folded(a).cmp(&folded(b)),
            "enrolled" => a.completion.enrolled.cmp(&b.completion.enrolled),
            "completed" => a.completion.completed.cmp(&b.completion.completed),
            "new" => a.new_completed.cmp(&b.new_completed),
            "needed" => a.needed.unwrap_or(-1).cmp(&b.needed.unwrap_or(-1)),
            // Ranked best first, so "descending" is the ranking itself.
            _ => by_rank.reverse(),
        };
        let order = if descending { order.reverse() } else { order };
        order.then(by_rank)
    });
    rows
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let get = move |key: &str| query.with(|q| q.get(key).filter(|v| !v.is_empty()));
    let filter = move || DashboardFilter {
        by: get("by"),
        course: get("course"),
        period: get("period"),
        from: get("from"),
        to: get("to"),
        commune: get("commune"),
        organisation: get("organisation"),
        province: get("province"),
        sort: None,
        group: get("group"),
    };
    let data = Resource::new(filter, get_dashboard);
    view! {
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Dashboard { table, courses, guidance }) => {
                        let pairs: Vec<(String, String)> = query.with(|q| {
                            ["by", "province", "group", "course", "period", "from", "to", "commune", "organisation", "sort", "dir"]
                                .into_iter()
                                .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
                                .collect()
                        });
                        let sort = get("sort").unwrap_or_else(|| "rate".into());
                        let descending = get("dir").is_none_or(|d| d != "asc");
                        view! { <DashboardView table courses guidance pairs sort descending lang filter=filter() /> }.into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardView(
    table: CompletionTable,
    courses: Vec<(String, String)>,
    guidance: Vec<GuidanceRow>,
    pairs: Vec<(String, String)>,
    sort: String,
    descending: bool,
    lang: Lang,
    filter: DashboardFilter,
) -> impl IntoView {
    let total = table.total.clone();
    // A province's name, for the breadcrumb: the total's, when the province is the whole view.
    let area_name = table.area.province().map(|p| p.to_string()).unwrap_or_default();
    let area_name = if table.total.name.is_empty() { area_name } else { table.total.name.clone() };
    let by = table.by;
    let by_group = table.by_group;
    let period = table.period;
    let in_period = period.is_some();
    let by_course = by == UnitKind::Course;
    let rows = sorted(table.rows, &sort, descending);

    // Column headers sort by following a link; the same header again turns the order around.
    // Owned copies: the table's rows render inside `ScrollTable`'s children, which must be 'static.
    let header = {
        let (sort, pairs) = (sort.clone(), pairs.clone());
        move |key: &'static str, text: Text, class: &'static str| {
            let active = sort == key;
            let next_dir = if active && descending { "asc" } else { "desc" };
            let href = href_with(&pairs, &[("sort", Some(key.to_string())), ("dir", Some(next_dir.to_string()))]);
            let arrow = if !active {
                ""
            } else if descending {
                " ▼"
            } else {
                " ▲"
            };
            let aria = if !active {
                None
            } else if descending {
                Some("descending")
            } else {
                Some("ascending")
            };
            view! {
                <th class=class aria-sort=aria>
                    <a href=href data-testid=format!("sort-{key}")>{lang.t(text)}{arrow}</a>
                </th>
            }
        }
    };
    let drill = |row: &CompletionRow| -> (Option<String>, Vec<(Text, String)>) {
        if by_group {
            let group = (!row.id.is_empty()).then(|| row.id.clone());
            return (
                Some(href_with(
                    &pairs,
                    &[("by", Some("commune".into())), ("group", group), ("sort", None), ("dir", None)],
                )),
                vec![],
            );
        }
        match by {
            UnitKind::Commune => (
                Some(href_with(
                    &pairs,
                    &[
                        ("by", Some("organisation".into())),
                        ("commune", Some(row.id.clone())),
                        ("sort", None),
                        ("dir", None),
                    ],
                )),
                vec![
                    (
                        Text::Teams,
                        href_with(
                            &pairs,
                            &[
                                ("by", Some("team".into())),
                                ("commune", Some(row.id.clone())),
                                ("sort", None),
                                ("dir", None),
                            ],
                        ),
                    ),
                    (Text::Learners, format!("/learners?commune={}", row.id)),
                    (Text::AtRiskNav, format!("/at-risk?commune={}", row.id)),
                ],
            ),
            UnitKind::Organisation => (
                Some(href_with(
                    &pairs,
                    &[
                        ("by", Some("team".into())),
                        ("organisation", Some(row.id.clone())),
                        ("sort", None),
                        ("dir", None),
                    ],
                )),
                vec![
                    (Text::Learners, format!("/learners?organisation={}", row.id)),
                    (Text::AtRiskNav, format!("/at-risk?organisation={}", row.id)),
                ],
            ),
            UnitKind::Team => (
                Some(format!("/learners?team={}", row.id)),
                vec![(Text::AtRiskNav, format!("/at-risk?team={}", row.id))],
            ),
            UnitKind::Province => (
                Some(href_with(
                    &pairs,
                    &[
                        ("by", Some("commune".into())),
                        ("province", Some(row.id.clone())),
                        ("sort", None),
                        ("dir", None),
                    ],
                )),
                vec![],
            ),
            UnitKind::Course => (
                Some(href_with(
                    &pairs,
                    &[("by", Some("commune".into())), ("course", Some(row.id.clone())), ("sort", None), ("dir", None)],
                )),
                vec![],
            ),
        }
    };
    let with_population = rows.iter().any(|r| r.population.is_some());
    let coverage_cell = move |row: &CompletionRow| {
        with_population.then(|| {
            let text = match (row.coverage_tenths(), row.population) {
                (Some(tenths), Some(population)) => {
                    format!("{} ({}/{})", lang.percent(Some(tenths)), lang.count(row.trained), lang.count(population))
                }
                _ => String::new(),
            };
            view! { <td class="num" data-testid="coverage">{text}</td> }
        })
    };
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.completion.enrolled > 0)
        .take(20)
        .map(|r| Bar {
            label: r.name.clone(),
            tenths: r.completion.rate_tenths(),
            target_tenths: r.targets.iter().find(|t| t.metric == TargetMetric::CompletionRate).map(|t| t.target),
        })
        .collect();
    let body = rows
        .iter()
        .map(|row| {
            let tenths = row.completion.rate_tenths();
            let width = format!("width:{}%", tenths.unwrap_or(0) as f64 / 10.0);
            let (main, extra) = drill(row);
            view! {
                <tr data-unit=row.id.clone()>
                    <td>
                        <a href=main.unwrap_or_default() data-testid="drill">{row.name.clone()}</a>
                        {extra.into_iter().map(|(text, href)| view! { " " <a class="sub-link" href=href>{lang.t(text)}</a> }).collect_view()}
                    </td>
                    <td class="num">{lang.count(row.completion.enrolled)}</td>
                    <td class="num wide-only">{lang.count(row.completion.completed)}</td>
                    <td class="rate">
                        <span class="num">{lang.percent(tenths)}</span>
                        <span class="bar" aria-hidden="true"><span class="bar-fill" style=width></span></span>
                    </td>
                    <td class="wide-only">{target_view(row.targets.first(), lang)}</td>
                    <td class="num" data-testid="needed">{row.needed.map(|n| lang.count(n))}</td>
                    {coverage_cell(row)}
                    {in_period.then(|| view! { <td class="num">{lang.count(row.new_completed)}</td> })}
                </tr>
            }
        })
        .collect_view();
    let selected = |v: &Option<String>, x: &str| v.as_deref() == Some(x);
    let by_value = filter.by.clone().unwrap_or_else(|| "commune".into());
    let group_kind = if by_group { Text::LearnerGroupLabel } else { kind_label(by) };
    let country = table.area == Area::Country;
    let kinds = [
        ("province", Text::Province),
        ("group", Text::LearnerGroupLabel),
        ("commune", Text::Commune),
        ("organisation", Text::Organisation),
        ("team", Text::Teams),
        ("course", Text::Courses),
    ];
    let period_text = period.map(|p| p.to_string());
    let week_now = hocvuso::week::IsoWeek::last_complete();
    view! {
        <h1>{lang.t(Text::Dashboard)}</h1>
        <nav class="breadcrumb no-print" aria-label=lang.t(Text::Dashboard) data-testid="breadcrumb">
            <a href="/dashboard?by=province&province=all">{lang.t(Text::WholeCountry)}</a>
            {table.area.province().map(|p| view! {
                " › " <a href=format!("/dashboard?by=commune&province={p}")>{area_name.clone()}</a>
            })}
        </nav>
        <p class="actions-row no-print">
            <a href=format!("/leaderboard?by={}", if by_course { "commune" } else { by.as_str() })>{lang.t(Text::Leaderboard)}</a>
            <a href=format!("/reports/weekly?week={week_now}")>{lang.t(Text::WeeklyReport)}</a>
            {(filter.commune.is_some() || filter.organisation.is_some() || filter.course.is_some())
                .then(|| view! { <a href="/dashboard">{lang.t(Text::WholeProvince)}</a> })}
        </p>
        <form method="get" action="/dashboard" class="filters no-print" role="search">
            <select name="by" aria-label=lang.t(Text::GroupBy)>
                {kinds.into_iter().filter(|(value, _)| country || *value != "province").map(|(value, text)| view! { <option value=value selected=by_value == value>{lang.t(text)}</option> }).collect_view()}
            </select>
            <select name="group" aria-label=lang.t(Text::LearnerGroupLabel)>
                <option value="">{lang.t(Text::AllLearners)}</option>
                {hocvuso::model::LearnerGroup::ALL.into_iter().map(|g| {
                    let is = selected(&filter.group, g.as_str());
                    view! { <option value=g.as_str() selected=is>{lang.t(g.text())}</option> }
                }).collect_view()}
            </select>
            <select name="course" aria-label=lang.t(Text::Courses)>
                <option value="">{lang.t(Text::AllCourses)}</option>
                {courses.into_iter().map(|(code, title)| {
                    let is = selected(&filter.course, &code);
                    view! { <option value=code.clone() selected=is>{format!("{code} · {title}")}</option> }
                }).collect_view()}
            </select>
            <input name="period" aria-label=lang.t(Text::Period) placeholder="2026-W48, 2026-11, 2026-Q4" value=filter.period.clone().unwrap_or_default() />
            <input name="from" type="date" aria-label=lang.t(Text::FromDate) value=filter.from.clone().unwrap_or_default() />
            <input name="to" type="date" aria-label=lang.t(Text::ToDate) value=filter.to.clone().unwrap_or_default() />
            {filter.province.clone().map(|p| view! { <input type="hidden" name="province" value=p /> })}
            {filter.commune.clone().map(|c| view! { <input type="hidden" name="commune" value=c /> })}
            {filter.organisation.clone().map(|o| view! { <input type="hidden" name="organisation" value=o /> })}
            <button type="submit">{lang.t(Text::Show)}</button>
        </form>
        {period_text.clone().map(|p| view! { <p class="hint" data-testid="period">{lang.t(Text::Period)} ": " {p} " · " {lang.t(Text::PeriodNote)}</p> })}
        <section class="stat-grid">
            <StatCard label=lang.t(Text::Enrolments) value=lang.count(total.completion.enrolled) testid="enrolled" />
            <StatCard label=lang.t(Text::Completions) value=lang.count(total.completion.completed) testid="completed" />
            <StatCard label=lang.t(Text::CompletionRate) value=lang.percent(total.completion.rate_tenths()) testid="rate" />
            <StatCard label=lang.t(Text::Learners) value=lang.count(total.learners) testid="learners" />
            {in_period.then(|| view! { <StatCard label=lang.t(Text::NewCompletions) value=lang.count(total.new_completed) testid="new-completed" /> })}
        </section>
        {(!total.targets.is_empty()).then(|| view! { <p class="total-target">{lang.t(Text::Target)} ": " {target_view(total.targets.first(), lang)}</p> })}
        {plan_indicators(&table.groups, lang)}
        <h2>{lang.t(group_kind)}</h2>
        <ScrollTable label=lang.t(group_kind)>
            <table class="units" data-testid="dashboard-table">
                <thead>
                    <tr>
                        {header("name", group_kind, "")}
                        {header("enrolled", Text::Enrolments, "num")}
                        {header("completed", Text::Completions, "num wide-only")}
                        {header("rate", Text::CompletionRate, "")}
                        <th class="wide-only">{lang.t(Text::Target)}</th>
                        {header("needed", Text::Needed, "num")}
                        {with_population.then(|| view! { <th class="num">{lang.t(Text::Coverage)}</th> })}
                        {in_period.then(|| header("new", Text::NewCompletions, "num"))}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </ScrollTable>
        {guidance_table(guidance, group_kind, lang)}
        {(!bars.is_empty()).then(|| view! { <RateBars bars lang caption=lang.t(Text::CompletionRate).to_string() /> })}
        {(!table.trend.is_empty()).then(|| view! {
            <h2>{lang.t(Text::Trend)}</h2>
            <TrendChart points=table.trend.clone() lang />
        })}
    }
}

/// Guidance sessions (buổi hướng dẫn) per commune or team, most sessions first; nothing when none.
fn guidance_table(rows: Vec<GuidanceRow>, kind: Text, lang: Lang) -> impl IntoView + use<> {
    (!rows.is_empty()).then(|| {
        let body = rows
            .into_iter()
            .map(|row| {
                view! {
                    <tr data-unit=row.id>
                        <td>{row.name}</td>
                        <td class="num" data-testid="guidance-sessions">{lang.count(row.figures.sessions)}</td>
                        <td class="num">{lang.count(row.figures.attendances)}</td>
                        <td class="num">{lang.count(row.figures.guided_unregistered)}</td>
                        <td class="num" data-testid="people-guided">{lang.count(row.people_guided)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h2>{lang.t(Text::GuidanceSessions)}</h2>
            <ScrollTable label=lang.t(Text::GuidanceSessions)>
                <table class="units" data-testid="guidance-table">
                    <thead>
                        <tr>
                            <th>{lang.t(kind)}</th>
                            <th class="num">{lang.t(Text::Sessions)}</th>
                            <th class="num">{lang.t(Text::Attendances)}</th>
                            <th class="num">{lang.t(Text::GuidedUnregistered)}</th>
                            <th class="num">{lang.t(Text::PeopleGuided)}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </ScrollTable>
        }
    })
}

/// The five indicators a provincial plan reports: everyone and each learner group, learners trained
/// over the population, against the group's coverage target; shown once some population is known.
fn plan_indicators(groups: &[hocvuso::model::GroupFigures], lang: Lang) -> impl IntoView + use<> {
    let any = groups.iter().any(|g| g.row.population.is_some());
    let rows = groups
        .iter()
        .map(|g| {
            let name = lang.t(g.group.map_or(Text::AllLearners, |g| g.text()));
            let row = &g.row;
            let target = row.targets.iter().find(|t| t.metric == TargetMetric::Coverage);
            view! {
                <tr data-group=g.group.map_or("all", |g| g.as_str())>
                    <td>{name}</td>
                    <td class="num">{lang.count(row.trained)}</td>
                    <td class="num">{row.population.map(|p| lang.count(p))}</td>
                    <td class="num">{lang.percent(row.coverage_tenths())}</td>
                    <td>{target_view(target, lang)}</td>
                    <td class="num">{target.and_then(|t| t.needed).filter(|n| *n > 0).map(|n| lang.count(n))}</td>
                </tr>
            }
        })
        .collect_view();
    any.then(|| {
        view! {
            <h2>{lang.t(Text::PlanIndicators)}</h2>
            <ScrollTable label=lang.t(Text::PlanIndicators)>
                <table class="units" data-testid="plan-indicators">
                    <thead>
                        <tr>
                            <th>{lang.t(Text::LearnerGroupLabel)}</th>
                            <th class="num">{lang.t(Text::Trained)}</th>
                            <th class="num">{lang.t(Text::Population)}</th>
                            <th class="num">{lang.t(Text::Coverage)}</th>
                            <th>{lang.t(Text::Target)}</th>
                            <th class="num">{lang.t(Text::Needed)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        }
    })
}
