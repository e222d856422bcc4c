//! `/learners`: the organiser's learners, searched without regard to marks, filtered by commune.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{LearnerFilter, LearnerView, Page};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::status::{failed, loading};
use crate::components::table::{ScrollTable, UnitSelect};
use crate::i18n::use_lang;

pub async fn list_learners(filter: LearnerFilter) -> Result<Page<LearnerView>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::learners::registration::search(&state.db, &crate::state::actor(), &filter).await
    })
    .await
}

#[component]
pub fn LearnersPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let filter = move || {
        query.with(|q| LearnerFilter {
            q: q.get("q"),
            commune: q.get("commune").and_then(|c| c.parse().ok()),
            organisation: q.get("organisation").and_then(|c| c.parse().ok()),
            team: q.get("team").and_then(|c| c.parse().ok()),
            page: q.get("page").and_then(|c| c.parse().ok()),
        })
    };
    let learners = Resource::new(filter, list_learners);
    let choices = Resource::new(|| (), |_| crate::pages::learners::new::get_registration_choices());
    let export = move |format: &str| {
        let f = filter();
        let mut href = format!("/api/v1/learners/export?format={format}");
        if let Some(q) = f.q.filter(|q| !q.is_empty()) {
            href.push_str(&format!("&q={}", hocvuso::text::url_encode(&q)));
        }
        if let Some(c) = f.commune {
            href.push_str(&format!("&commune={c}"));
        }
        href
    };
    let erased = move || query.with(|q| q.get("erased").is_some());
    view! {
        <h1>{lang.t(Text::Learners)}</h1>
        {move || erased().then(|| view! { <p class="notice" role="status">{lang.t(Text::LearnerErased)}</p> })}
        <p class="actions-row">
            <a class="button" href="/learners/new">{lang.t(Text::RegisterLearner)}</a>
            <a href="/learners/import">{lang.t(Text::ImportFromFile)}</a>
            <a href="/learners/import-accounts">{lang.t(Text::ImportPlatformAccounts)}</a>
            <a href="/learners/unmatched">{lang.t(Text::Unmatched)}</a>
            <a rel="external" href=move || export("csv")>"CSV"</a>
            <a rel="external" href=move || export("xlsx")>"Excel"</a>
        </p>
        <form method="get" action="/learners" class="filters" role="search">
            <input
                name="q"
                type="search"
                placeholder=lang.t(Text::SearchLearners)
                aria-label=lang.t(Text::SearchLearners)
                value=move || query.with(|q| q.get("q").unwrap_or_default())
            />
            <input
                name="commune"
                inputmode="numeric"
                placeholder=lang.t(Text::CommuneCode)
                aria-label=lang.t(Text::CommuneCode)
                value=move || query.with(|q| q.get("commune").unwrap_or_default())
            />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = choices.await.unwrap_or_default();
                    let selected = |name: &str| query.with(|q| q.get(name).unwrap_or_default());
                    let (organisation, team) = (selected("organisation"), selected("team"));
                    view! {
                        <UnitSelect name="organisation" label=lang.t(Text::Organisation) units=choices.organisations selected=organisation />
                        <UnitSelect name="team" label=lang.t(Text::Teams) units=choices.teams selected=team />
                    }
                })}
            </Suspense>
            <button type="submit">{lang.t(Text::Filter)}</button>
        </form>
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match learners.await {
                    Ok(page) => view! { <LearnerTable page filter=filter() /> }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

/// The list's URL for another page, keeping the filters.
fn page_href(filter: &LearnerFilter, page: u64) -> String {
    let mut href = format!("/learners?page={page}");
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        href.push_str(&format!("&q={}", hocvuso::text::url_encode(q)));
    }
    for (name, value) in [
        ("commune", filter.commune.map(|c| c.to_string())),
        ("organisation", filter.organisation.map(|o| o.to_string())),
        ("team", filter.team.map(|t| t.to_string())),
    ] {
        if let Some(value) = value {
            href.push_str(&format!("&{name}={value}"));
        }
    }
    href
}

#[component]
fn LearnerTable(page: Page<LearnerView>, filter: LearnerFilter) -> impl IntoView {
    let lang = use_lang();
    let pages = page.total.div_ceil(page.page_size).max(1);
    let previous = (page.page > 1).then(|| page_href(&filter, page.page - 1));
    let next = (page.page < pages).then(|| page_href(&filter, page.page + 1));
    let rows = page
        .rows
        .into_iter()
        .map(|l| {
            view! {
                <tr>
                    <td>
                        <a href=format!("/learners/{}", l.code)>{l.code.clone()}</a>
                    </td>
                    <td>{l.full_name}</td>
                    <td>{l.commune_name}</td>
                    <td class="wide-only">{l.team_name.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="hint" data-testid="learner-total">
            {format!("{} {}", lang.count(page.total as i64), lang.t(Text::Learners).to_lowercase())}
        </p>
        <ScrollTable label=lang.t(Text::Learners)>
            <table class="units" data-testid="learners">
                <thead>
                    <tr>
                        <th>{lang.t(Text::LearnerCode)}</th>
                        <th>{lang.t(Text::DisplayName)}</th>
                        <th>{lang.t(Text::Commune)}</th>
                        <th class="wide-only">{lang.t(Text::Teams)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
        <nav class="pager" aria-label=lang.t(Text::PageLabel)>
            {previous.map(|href| view! { <a href=href rel="prev">"‹ " {lang.t(Text::Previous)}</a> })}
            <span>{format!("{} {}/{}", lang.t(Text::PageLabel), page.page, pages)}</span>
            {next.map(|href| view! { <a href=href rel="next">{lang.t(Text::Next)} " ›"</a> })}
        </nav>
    }
}
