//! `/leaderboard?by=province|commune|organisation|team&province=15|all&week=2026-W48&min=20`: units ranked by completion rate
//! at the end of a week, with the move since the week before; small units listed apart.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{Leaderboard, LeaderboardRow};
use hocvuso::week::IsoWeek;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::i18n::use_lang;

pub async fn get_leaderboard(
    by: String,
    province: Option<String>,
    week: Option<String>,
    min: Option<i64>,
) -> Result<Leaderboard, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let week = match week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            None => IsoWeek::current(),
            Some(w) => IsoWeek::parse(w).ok_or_else(|| Error::invalid("week", hocvuso::i18n::Text::PeriodInvalid))?,
        };
        let filter = hocvuso::model::DashboardFilter { by: Some(by), province, ..Default::default() };
        let min = min.unwrap_or(hocvuso::service::statistics::dashboard::DEFAULT_MIN_ENROLLED);
        state.figures.leaderboard(&state.db, &crate::state::actor(), state.landing, &filter, week, min).await
    })
    .await
}

/// ▲2, ▼1, – (same place), or "mới" when the unit was not ranked the week before.
fn movement(row: &LeaderboardRow, lang: Lang) -> String {
    match (row.movement, row.rank) {
        (Some(0), _) => "–".into(),
        (Some(m), _) if m > 0 => format!("▲{m}"),
        (Some(m), _) => format!("▼{}", -m),
        (None, Some(_)) => lang.t(Text::NewEntry).into(),
        (None, None) => String::new(),
    }
}

fn rows(rows: Vec<LeaderboardRow>, lang: Lang) -> impl IntoView {
    rows.into_iter()
        .map(|r| {
            let tenths = r.completion.rate_tenths();
            view! {
                <tr data-unit=r.id.clone()>
                    <td class="num">{r.rank.map(|n| n.to_string()).unwrap_or_default()}</td>
                    <td class="num movement">{movement(&r, lang)}</td>
                    <td>{r.name}</td>
                    <td class="num">{lang.count(r.completion.enrolled)}</td>
                    <td class="num">{lang.count(r.completion.completed)}</td>
                    <td class="num">{lang.percent(tenths)}</td>
                    <td class="num wide-only">{r.rank_by_completions}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn LeaderboardPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let args = move || {
        query.with(|q| {
            (
                q.get("by").filter(|b| !b.is_empty()).unwrap_or_else(|| "commune".into()),
                q.get("province").filter(|p| !p.is_empty()),
                q.get("week").filter(|w| !w.is_empty()),
                q.get("min").and_then(|m| m.parse().ok()),
            )
        })
    };
    let board = Resource::new(args, |(by, province, week, min)| get_leaderboard(by, province, week, min));
    view! {
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => {
                        let by = board.by.as_str();
                        let week = board.week;
                        let header = move || view! {
                            <thead>
                                <tr>
                                    <th class="num">{lang.t(Text::Rank)}</th>
                                    <th class="num">"±"</th>
                                    <th>{lang.t(Text::Name)}</th>
                                    <th class="num">{lang.t(Text::Enrolments)}</th>
                                    <th class="num">{lang.t(Text::Completions)}</th>
                                    <th class="num">{lang.t(Text::CompletionRate)}</th>
                                    <th class="num wide-only">{lang.t(Text::RankByCompletions)}</th>
                                </tr>
                            </thead>
                        };
                        let area = board.area.param();
                        let country = board.area == hocvuso::model::Area::Country;
                        let link = {
                            let area = area.clone();
                            move |w: IsoWeek| format!("/leaderboard?by={by}&province={area}&week={w}&min={}", board.min_enrolled)
                        };
                        view! {
                            <h1>{lang.t(Text::Leaderboard)} " · " {week.to_string()}</h1>
                            <p class="actions-row no-print">
                                <a href=link(week.previous())>"← " {week.previous().to_string()}</a>
                                <a href=link(week.next())>{week.next().to_string()} " →"</a>
                                {["province", "commune", "organisation", "team"].into_iter().filter(|b| country || *b != "province").map(|b| {
                                    let text = match b { "province" => Text::Province, "commune" => Text::Commune, "organisation" => Text::Organisation, _ => Text::Teams };
                                    view! { <a href=format!("/leaderboard?by={b}&province={area}&week={week}") aria-current=(b == by).then_some("page")>{lang.t(text)}</a> }
                                }).collect_view()}
                                <a href="/dashboard">{lang.t(Text::Dashboard)}</a>
                            </p>
                            <p class="hint">{lang.t(Text::LeaderboardRule)} " " {board.min_enrolled}</p>
                            <ScrollTable label=lang.t(Text::Leaderboard)>
                                <table class="units" data-testid="leaderboard">
                                    {header()}
                                    <tbody>{rows(board.ranked, lang)}</tbody>
                                </table>
                            </ScrollTable>
                            {(!board.unranked.is_empty()).then(|| view! {
                                <h2>{lang.t(Text::NotRanked)}</h2>
                                <ScrollTable label=lang.t(Text::NotRanked)>
                                    <table class="units" data-testid="unranked">
                                        {header()}
                                        <tbody>{rows(board.unranked, lang)}</tbody>
                                    </table>
                                </ScrollTable>
                            })}
                        }
                        .into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}
