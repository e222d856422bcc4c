//! `/`: the overview of the country (by province) or of a province (`?province=15`, by commune),
//! read from the statistics counters.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{Area, Overview, UnitFigures, UnitKind};
use leptos::prelude::*;

use crate::components::stat_card::StatCard;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::i18n::use_lang;

/// Public: aggregate figures only, no personal data. Organisers see their own communes.
pub async fn get_overview(province: Option<String>) -> Result<Overview, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        state.figures.overview(&state.db, &crate::state::actor(), state.landing, province.as_deref(), None).await
    })
    .await
}

/// Completions MOOC platforms sent for accounts not linked to a learner yet.
pub async fn get_waiting_for_match() -> Result<u64, Error> {
    let state = crate::state::app_state()?;
    hocvuso::service::lrs::links::waiting_completions(&state.db).await
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let lang = use_lang();
    let query = leptos_router::hooks::use_query_map();
    let overview = Resource::new(move || query.with(|q| q.get("province").filter(|p| !p.is_empty())), get_overview);
    let waiting = Resource::new(|| (), |_| get_waiting_for_match());
    view! {
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                let waiting = waiting.await.unwrap_or_default();
                match overview.await {
                    Ok(overview) => view! { <OverviewView overview waiting lang /> }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(overview: Overview, waiting: u64, lang: Lang) -> impl IntoView {
    let completion = overview.completion;
    let country = overview.area == Area::Country;
    view! {
        <h1>{format!("{} · {}", lang.t(Text::Overview), if country { lang.t(Text::WholeCountry) } else { &overview.name })}</h1>
        {(!country).then(|| view! {
            <nav class="breadcrumb no-print" data-testid="breadcrumb"><a href="/?province=all">{lang.t(Text::WholeCountry)}</a></nav>
        })}
        {overview.demo.then(|| view! { <p class="notice">{lang.t(Text::DemoData)}</p> })}
        <section class="stat-grid">
            <StatCard label=lang.t(Text::Enrolments) value=lang.count(completion.enrolled) testid="enrolled" />
            <StatCard label=lang.t(Text::Completions) value=lang.count(completion.completed) testid="completed" />
            <StatCard
                label=lang.t(Text::CompletionRate)
                value=lang.percent(completion.rate_tenths())
                testid="rate"
            />
            <StatCard label=lang.t(Text::Learners) value=lang.count(overview.learners) testid="learners" />
            <StatCard label=lang.t(Text::Teams) value=lang.count(overview.teams) testid="teams" />
        </section>
        {(waiting > 0).then(|| view! {
            <p class="notice" data-testid="waiting-for-match">
                <a href="/learners/unmatched">{lang.t(Text::WaitingForMatch)} ": " {lang.count(waiting as i64)}</a>
            </p>
        })}
        <h2>{lang.t(if country { Text::ProvincesByRate } else { Text::CommunesByRate })}</h2>
        {overview.scoped.then(|| view! { <p class="hint">{lang.t(Text::YourCommunesOnly)}</p> })}
        <p class="hint">{lang.t(Text::LeaderboardRule)} " " {overview.min_enrolled}</p>
        <UnitTable units=overview.units kind=overview.unit_kind area=overview.area lang />
    }
}

#[component]
fn UnitTable(units: Vec<UnitFigures>, kind: UnitKind, area: Area, lang: Lang) -> impl IntoView {
    let province = kind == UnitKind::Province;
    let rows = units
        .into_iter()
        .map(|u| {
            let tenths = u.completion.rate_tenths();
            let width = format!("width:{}%", tenths.unwrap_or(0) as f64 / 10.0);
            // A province opens its own overview; a commune its dashboard by organisation.
            let href = if province {
                format!("/?province={}", u.id)
            } else {
                format!("/dashboard?by=organisation&province={}&commune={}", area.param(), u.id)
            };
            view! {
                <tr data-unit=u.id.clone() data-commune=(!province).then(|| u.id.clone())>
                    <td class="num">{u.rank.map(|r| r.to_string())}</td>
                    <td><a href=href data-testid="drill">{u.name}</a></td>
                    <td class="num">{lang.count(u.completion.enrolled)}</td>
                    <td class="num wide-only">{lang.count(u.completion.completed)}</td>
                    <td class="rate">
                        <span class="num">{lang.percent(tenths)}</span>
                        <span class="bar" aria-hidden="true">
                            <span class="bar-fill" style=width></span>
                        </span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable label=lang.t(if province { Text::Provinces } else { Text::Communes })>
            <table class="units" data-testid=if province { "provinces" } else { "communes" }>
                <thead>
                    <tr>
                        <th class="num">{lang.t(Text::Rank)}</th>
                        <th>{lang.t(if province { Text::Province } else { Text::Commune })}</th>
                        <th class="num">{lang.t(Text::Enrolments)}</th>
                        <th class="num wide-only">{lang.t(Text::Completions)}</th>
                        <th>{lang.t(Text::CompletionRate)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}
