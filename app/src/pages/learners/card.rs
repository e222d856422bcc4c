//! `/learners/{code}`: the learner's card, to print or show: code, personal progress link and its QR code.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{CourseView, EnrolmentStatus, LearnerCard, LearnerProgress};
use hocvuso::service::lrs::links::PlatformAccountView;

use crate::components::status::{failed, loading};
use crate::forms::{CourseAttempt, LinkAttempt, posted};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::i18n::use_lang;

pub async fn get_learner_card(code: String) -> Result<LearnerCard, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let fresh = crate::state::request_cookie(crate::state::NEW_LINK_COOKIE);
        hocvuso::service::learners::registration::card(
            &state.db,
            &crate::state::actor(),
            &code,
            &state.public_url,
            fresh.as_deref(),
        )
        .await
    })
    .await
}

pub async fn get_learner_courses(code: String) -> Result<(LearnerProgress, Vec<CourseView>), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        let progress = hocvuso::service::enrolments::progress::learner_progress(&state.db, &actor, &code).await?;
        let courses = hocvuso::service::enrolments::courses::list(&state.db, &actor).await?;
        Ok((progress, courses))
    })
    .await
}

pub async fn get_platform_accounts(code: String) -> Result<Vec<PlatformAccountView>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let learner = hocvuso::service::learners::registration::find(&state.db, &crate::state::actor(), &code).await?;
        hocvuso::service::lrs::links::of_learner(&state.db, learner.id).await
    })
    .await
}

/// The learner's accounts on MOOC platforms, and a form to link one (plain post).
#[component]
fn PlatformAccounts(code: String) -> impl IntoView {
    let lang = use_lang();
    let attempt = posted::<LinkAttempt>();
    let query = use_query_map();
    let applied = move || query.with(|q| q.get("linked"));
    let action = format!("/learners/{code}/platform-accounts");
    let accounts = Resource::new(move || code.clone(), get_platform_accounts);
    view! {
        <section class="platform-accounts no-print" data-testid="platform-accounts">
            <h2>{lang.t(Text::PlatformAccounts)}</h2>
            <p class="hint">{lang.t(Text::PlatformAccountsHint)}</p>
            {applied().map(|n| view! {
                <p class="notice" role="status">{lang.t(Text::AccountLinked)} " " <strong data-testid="applied">{n}</strong></p>
            })}
            {attempt.clone().map(|a| {
                let fields = match &a.error {
                    Error::Invalid(fields) => fields.iter().map(|f| lang.t(f.problem)).collect::<Vec<_>>().join(" "),
                    _ => String::new(),
                };
                view! { <p class="error" role="alert">{lang.t(a.error.text())} " " {fields}</p> }
            })}
            <Suspense fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match accounts.await {
                        Ok(list) => {
                            let rows = list
                                .into_iter()
                                .map(|a| {
                                    let shown = match (&a.home_page, &a.name, &a.mbox_sha1sum) {
                                        (Some(home_page), Some(name), _) => format!("{name} @ {home_page}"),
                                        (_, _, Some(sum)) => format!("{} (sha1 {}…)", lang.t(Text::Email), &sum[..12]),
                                        _ => String::new(),
                                    };
                                    view! { <li data-testid="platform-account">{shown}</li> }
                                })
                                .collect_view();
                            view! { <ul>{rows}</ul> }.into_any()
                        }
                        Err(err) => view! { <p class="error">{lang.t(err.text())}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <form method="post" action=action class="inline-form">
                <label>{lang.t(Text::PlatformHomePage)} <input name="home_page" type="url" placeholder="https://mooc.example.edu.vn" value=attempt.as_ref().map(|a| a.form.home_page.clone().unwrap_or_default()) /></label>
                <label>{lang.t(Text::PlatformAccountName)} <input name="name" value=attempt.as_ref().map(|a| a.form.name.clone().unwrap_or_default()) /></label>
                <label>{lang.t(Text::Email)} <input name="mbox" type="email" value=attempt.as_ref().map(|a| a.form.mbox.clone().unwrap_or_default()) /></label>
                <button type="submit">{lang.t(Text::LinkAccount)}</button>
            </form>
        </section>
    }
}

fn status_text(status: EnrolmentStatus) -> Text {
    match status {
        EnrolmentStatus::Enrolled => Text::StatusEnrolled,
        EnrolmentStatus::InProgress => Text::StatusInProgress,
        EnrolmentStatus::Completed => Text::StatusCompleted,
    }
}

/// The learner's courses, with forms to enrol, record a completion and undo one (plain posts).
#[component]
fn LearnerCourses(code: String) -> impl IntoView {
    let lang = use_lang();
    let attempt = posted::<CourseAttempt>();
    let courses = Resource::new(move || code.clone(), get_learner_courses);
    let today = hocvuso::week::vietnam_today().format("%d/%m/%Y").to_string();
    view! {
        <section class="courses" data-testid="courses">
            <h2>{lang.t(Text::Courses)}</h2>
            {attempt.map(|a| {
                let fields = match &a.error {
                    Error::Invalid(fields) => fields.iter().map(|f| lang.t(f.problem)).collect::<Vec<_>>().join(" "),
                    _ => String::new(),
                };
                view! { <p class="error" role="alert">{lang.t(a.error.text())} " " {fields}</p> }
            })}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let today = today.clone();
                    Suspend::new(async move {
                        let (progress, catalogue) = match courses.await {
                            Ok(found) => found,
                            Err(err) => return view! { <p class="error">{lang.t(err.text())}</p> }.into_any(),
                        };
                        let code = progress.learner_code.clone();
                        let enrolled: Vec<String> = progress.courses.iter().map(|c| c.course_code.clone()).collect();
                        let rows = progress
                            .courses
                            .into_iter()
                            .map(|c| {
                                let done = c.status == EnrolmentStatus::Completed;
                                let action = if done { format!("/learners/{code}/undo") } else { format!("/learners/{code}/complete") };
                                let today = today.clone();
                                view! {
                                    <li class="course" data-course=c.course_code.clone()>
                                        <div class="course-head">
                                            <strong>{c.course_title.clone()}</strong>
                                            <span class="status" data-testid="course-status">{lang.t(status_text(c.status))}</span>
                                        </div>
                                        <span class="bar wide" aria-hidden="true">
                                            <span class="bar-fill" style=format!("width:{}%", c.progress)></span>
                                        </span>
                                        {c.completed_at.map(|at| view! {
                                            <small>
                                                {at.with_timezone(&hocvuso::week::vietnam()).format("%d/%m/%Y").to_string()}
                                                {c.score.map(|s| format!(" · {} {s}", lang.t(Text::Score)))}
                                                {c.certificate_no.clone().map(|n| format!(" · {n}"))}
                                            </small>
                                        })}
                                        {(!done).then(|| view! {
                                            <form method="post" action=format!("/learners/{code}/progress") class="inline-form">
                                                <input type="hidden" name="course_code" value=c.course_code.clone() />
                                                <label>{lang.t(Text::ProgressPercent)} <input name="progress" value=c.progress.to_string() inputmode="numeric" size="3" /></label>
                                                <button type="submit" class="secondary">{lang.t(Text::SetProgress)}</button>
                                            </form>
                                        })}
                                        <form method="post" action=action class="inline-form" data-outbox=(!done).then_some("completion")
                                            data-learner=code.clone() data-saved=lang.t(Text::OutboxSaved) data-outbox-link=lang.t(Text::Outbox)>
                                            <input type="hidden" name="course_code" value=c.course_code.clone() />
                                            {(!done).then(|| view! {
                                                <label>{lang.t(Text::CompletedOn)} <input name="completed_at" value=today.clone() inputmode="numeric" /></label>
                                                <label>{lang.t(Text::Score)} <input name="score" inputmode="decimal" size="4" /></label>
                                                <label>{lang.t(Text::CertificateNo)} <input name="certificate_no" size="10" /></label>
                                            })}
                                            <button type="submit" class=if done { "secondary" } else { "" }>
                                                {lang.t(if done { Text::UndoCompletion } else { Text::RecordCompletion })}
                                            </button>
                                        </form>
                                    </li>
                                }
                            })
                            .collect_view();
                        let options = catalogue
                            .into_iter()
                            .filter(|c| c.active && !enrolled.contains(&c.code))
                            .map(|c| view! { <option value=c.code.clone()>{format!("{} · {}", c.code, c.title)}</option> })
                            .collect_view();
                        view! {
                            <ul class="course-list">{rows}</ul>
                            <form method="post" action=format!("/learners/{code}/enrol") class="inline-form">
                                <label>{lang.t(Text::EnrolIn)} <select name="course_code">{options}</select></label>
                                <button type="submit">{lang.t(Text::Enrol)}</button>
                            </form>
                        }
                        .into_any()
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
pub fn LearnerCardPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let just_registered = move || query.with(|q| q.get("registered").is_some());
    let link_renewed = move || query.with(|q| q.get("renewed").is_some());
    let card = Resource::new(code, get_learner_card);
    view! {
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match card.await {
                    Ok(card) => {
                        let l = card.learner;
                        let link_hidden = card.progress_url.is_none();
                        view! {
                            {just_registered().then(|| view! { <p class="notice" role="status">{lang.t(Text::Registered)}</p> })}
                            {link_renewed().then(|| view! { <p class="notice" role="status">{lang.t(Text::ProgressLinkRenewed)}</p> })}
                            <article class="learner-card">
                                <h1>{l.full_name.clone()}</h1>
                                <p class="code">
                                    {lang.t(Text::LearnerCode)} ": "
                                    <strong data-testid="learner-code">{l.code.clone()}</strong>
                                </p>
                                <dl>
                                    <dt>{lang.t(Text::Commune)}</dt>
                                    <dd>{l.commune_name.clone()}</dd>
                                    <dt>{lang.t(Text::Phone)}</dt>
                                    <dd>{l.phone.clone().unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::Teams)}</dt>
                                    <dd>{l.team_name.clone().unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::LearnerGroupLabel)}</dt>
                                    <dd data-testid="learner-group">{lang.t(l.group.map_or(Text::Unclassified, |g| g.text()))}</dd>
                                </dl>
                                {card.qr_svg.map(|svg| view! { <div class="qr" data-testid="qr" inner_html=svg></div> })}
                                {card.progress_url.map(|url| view! {
                                    <p class="progress-link">
                                        {lang.t(Text::ProgressLink)} ": "
                                        <a href=url.clone() rel="noreferrer" data-testid="progress-link">{url.clone()}</a>
                                    </p>
                                })}
                                {link_hidden.then(|| view! {
                                    <p class="hint no-print" data-testid="link-hidden">
                                        {lang.t(if card.has_progress_link { Text::ProgressLinkHidden } else { Text::ProgressLinkNone })}
                                    </p>
                                })}
                            </article>
                            <LearnerCourses code=l.code.clone() />
                            <PlatformAccounts code=l.code.clone() />
                            <p class="no-print actions-row">
                                <a href=format!("/learners/{}/edit", l.code)>{lang.t(Text::EditLearner)}</a>
                                <a href=format!("/learners/{}/personal-data", l.code)>{lang.t(Text::PersonalData)}</a>
                                <form method="post" action=format!("/learners/{}/new-link", l.code) class="inline">
                                    <button type="submit" class="secondary" data-testid="renew-link">{lang.t(Text::NewProgressLink)}</button>
                                </form>
                                <form method="post" action=format!("/learners/{}/deactivate", l.code) class="inline">
                                    <button type="submit" class="secondary">{lang.t(Text::Deactivate)}</button>
                                </form>
                                <a href="/learners">{lang.t(Text::Learners)}</a>
                                " · "
                                <a href="/learners/new">{lang.t(Text::RegisterLearner)}</a>
                            </p>
                        }
                        .into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}
