//! `/at-risk?team=|organisation=|commune=&course=&idle_days=7&enrolled_days=7`: who to call this
//! week. On the phone each learner is a card with a `tel:` link and a ready message; on paper, a
//! call list. The copy button is the only code the page sends (`/copy-message.js`, same origin, so the
//! Content-Security-Policy allows it); without it the message is selected by hand.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{AtRiskList, AtRiskQuery, AtRiskRow};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::status::{failed, loading};
use crate::components::table::UnitSelect;
use crate::i18n::use_lang;

pub async fn get_at_risk(query: AtRiskQuery) -> Result<AtRiskList, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        actor.account()?;
        let filter = hocvuso::service::learners::at_risk::Filter::parse(&query)?;
        let now = hocvuso::service::now();
        hocvuso::service::learners::at_risk::list(&state.db, &actor, &filter, &state.public_url, now).await
    })
    .await
}

/// The address's values, as typed.
fn query_of(q: &leptos_router::params::ParamsMap) -> AtRiskQuery {
    AtRiskQuery {
        team: q.get("team"),
        organisation: q.get("organisation"),
        commune: q.get("commune"),
        course: q.get("course"),
        idle_days: q.get("idle_days"),
        enrolled_days: q.get("enrolled_days"),
        page: q.get("page"),
    }
}

/// This list's address on another page, keeping what was asked.
fn page_href(query: &AtRiskQuery, page: u64) -> String {
    let mut href = format!("/at-risk?page={page}");
    for (name, value) in [
        ("team", &query.team),
        ("organisation", &query.organisation),
        ("commune", &query.commune),
        ("course", &query.course),
        ("idle_days", &query.idle_days),
        ("enrolled_days", &query.enrolled_days),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            href.push_str(&format!("&{name}={}", hocvuso::text::url_encode(value)));
        }
    }
    href
}

#[component]
pub fn AtRiskPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let asked = move || query.with(query_of);
    let list = Resource::new(asked, get_at_risk);
    let choices = Resource::new(|| (), |_| crate::pages::learners::new::get_registration_choices());
    let typed = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    view! {
        <h1>{lang.t(Text::AtRisk)}</h1>
        <p class="hint">{lang.t(Text::AtRiskHelp)}</p>
        <form method="get" action="/at-risk" class="filters" role="search">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = choices.await.unwrap_or_default();
                    let (organisation, team) = (typed("organisation"), typed("team"));
                    view! {
                        <UnitSelect name="team" label=lang.t(Text::Teams) units=choices.teams selected=team />
                        <UnitSelect name="organisation" label=lang.t(Text::Organisation) units=choices.organisations selected=organisation />
                    }
                })}
            </Suspense>
            <input name="commune" inputmode="numeric" placeholder=lang.t(Text::CommuneCode)
                aria-label=lang.t(Text::CommuneCode) value=move || typed("commune") />
            <input name="course" placeholder=lang.t(Text::CourseCode) aria-label=lang.t(Text::CourseCode)
                value=move || typed("course") />
            <label class="days">
                {lang.t(Text::IdleDays)}
                <input name="idle_days" type="number" min="0" max="3650" inputmode="numeric" placeholder="7"
                    value=move || typed("idle_days") />
            </label>
            <label class="days">
                {lang.t(Text::EnrolledDays)}
                <input name="enrolled_days" type="number" min="0" max="3650" inputmode="numeric" placeholder="7"
                    value=move || typed("enrolled_days") />
            </label>
            <button type="submit">{lang.t(Text::Filter)}</button>
        </form>
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <CallList list query=asked() /> }.into_any(),
                    Err(Error::Invalid(problems)) => view! {
                        <ul class="error" role="alert" data-testid="at-risk-problems">
                            {problems.into_iter().map(|p| view! { <li>{format!("{}: {}", p.field, lang.t(p.problem))}</li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
        <script src="/copy-message.js" defer=true></script>
    }
}

#[component]
fn CallList(list: AtRiskList, query: AtRiskQuery) -> impl IntoView {
    let lang = use_lang();
    let pages = list.total.div_ceil(list.page_size).max(1);
    let previous = (list.page > 1).then(|| page_href(&query, list.page - 1));
    let next = (list.page < pages).then(|| page_href(&query, list.page + 1));
    let empty = list.rows.is_empty();
    let first = (list.page - 1) * list.page_size;
    let cards = list
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| view! { <CallCard row lang number=first + i as u64 + 1 /> })
        .collect_view();
    view! {
        <p class="actions-row">
            <span class="hint" data-testid="at-risk-total">
                {format!("{} {}", lang.count(list.total as i64), lang.t(Text::Learners).to_lowercase())}
                " · " {lang.t(Text::IdleDays)} ": " {list.idle_days}
                " · " {lang.t(Text::EnrolledDays)} ": " {list.enrolled_days}
            </span>
            <button type="button" class="secondary no-print" data-print hidden>{lang.t(Text::PrintCallList)}</button>
        </p>
        {empty.then(|| view! { <p class="notice" data-testid="no-at-risk">{lang.t(Text::NoAtRisk)}</p> })}
        <ol class="call-list" data-testid="at-risk">{cards}</ol>
        <nav class="pager no-print" aria-label=lang.t(Text::PageLabel)>
            {previous.map(|href| view! { <a href=href rel="prev">"‹ " {lang.t(Text::Previous)}</a> })}
            <span>{format!("{} {}/{}", lang.t(Text::PageLabel), list.page, pages)}</span>
            {next.map(|href| view! { <a href=href rel="next">{lang.t(Text::Next)} " ›"</a> })}
        </nav>
    }
}

/// One learner to call: who, which course, how long idle; a `tel:` link and the message to send.
#[component]
fn CallCard(row: AtRiskRow, lang: Lang, number: u64) -> impl IntoView {
    let message_id = format!("message-{number}");
    let last_change = row.last_change.with_timezone(&hocvuso::week::vietnam()).format("%d/%m/%Y").to_string();
    view! {
        <li class="call" data-learner=row.learner_code.clone()>
            <p class="call-head">
                <span class="print-only" aria-hidden="true">"☐ "</span>
                <strong>{row.full_name.clone()}</strong>
                <a href=format!("/learners/{}", row.learner_code)>{row.learner_code.clone()}</a>
            </p>
            <dl class="call-facts">
                <dt>{lang.t(Text::Courses)}</dt>
                <dd>{row.course_title.clone()} " (" {row.course_code.clone()} ")"</dd>
                <dt>{lang.t(Text::EnrolledOn)}</dt>
                <dd>{row.enrolled_on.format("%d/%m/%Y").to_string()}</dd>
                <dt>{lang.t(Text::LastChange)}</dt>
                <dd>{last_change}</dd>
                <dt>{lang.t(Text::DaysIdle)}</dt>
                <dd class="idle" data-testid="days-idle">{lang.count(row.days_idle)}</dd>
                <dt>{lang.t(Text::ProgressPercent)}</dt>
                <dd>{row.progress} "%"</dd>
            </dl>
            <p class="call-actions">
                {row.phone.clone().map(|phone| view! {
                    <a class="button call-link" href=format!("tel:{phone}")>
                        {lang.t(Text::CallLearner)} " " {hocvuso::person::display_phone(&phone)}
                    </a>
                })}
                <button type="button" class="secondary no-print" data-copy=message_id.clone()
                    data-copied=lang.t(Text::MessageCopied) hidden>
                    {lang.t(Text::CopyMessage)}
                </button>
                <span class="copy-status no-print" role="status"></span>
            </p>
            <label class="message no-print">
                {lang.t(Text::MessageToLearner)}
                <textarea id=message_id readonly rows="4">{row.message.clone()}</textarea>
            </label>
        </li>
    }
}
