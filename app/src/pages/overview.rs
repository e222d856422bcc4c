//! `/`: the province overview, read from the statistics counters.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{Overview, UnitFigures};
use leptos::prelude::*;

use crate::components::stat_card::StatCard;
use crate::components::status::{failed, loading};
use crate::i18n::use_lang;

/// Public: aggregate figures only, no personal data. Organisers see their own communes.
pub async fn get_overview() -> Result<Overview, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        state.figures.overview(&state.db, state.province, &crate::state::actor()).await
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
    let overview = Resource::new(|| (), |_| get_overview());
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
    view! {
        <h1>{format!("{} · {}", lang.t(Text::Overview), overview.province_name)}</h1>
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
        <h2>{lang.t(Text::CommunesByRate)}</h2>
        {overview.scoped.then(|| view! { <p class="hint">{lang.t(Text::YourCommunesOnly)}</p> })}
        <CommuneTable communes=overview.communes lang />
    }
}

#[component]
fn CommuneTable(communes: Vec<UnitFigures>, lang: Lang) -> impl IntoView {
    let rows = communes
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let tenths = c.completion.rate_tenths();
            let width = format!("width:{}%", tenths.unwrap_or(0) as f64 / 10.0);
            view! {
                <tr data-commune=c.id>
                    <td class="num">{tenths.map(|_| (i + 1).to_string())}</td>
                    <td>{c.name}</td>
                    <td class="num">{lang.count(c.completion.enrolled)}</td>
                    <td class="num wide-only">{lang.count(c.completion.completed)}</td>
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
        <div class="table-scroll">
            <table class="units" data-testid="communes">
                <thead>
                    <tr>
                        <th class="num">{lang.t(Text::Rank)}</th>
                        <th>{lang.t(Text::Commune)}</th>
                        <th class="num">{lang.t(Text::Enrolments)}</th>
                        <th class="num wide-only">{lang.t(Text::Completions)}</th>
                        <th>{lang.t(Text::CompletionRate)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
