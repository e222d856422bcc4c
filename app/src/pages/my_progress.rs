//! `/p/{token}`: a learner's own progress, without an account. Not indexed; the token never leaves
//! this page's URL (the figures are read during the render).
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{EnrolmentStatus, PublicProgress};
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

use crate::components::status::{failed, loading};
use crate::i18n::use_lang;

pub async fn get_my_progress(token: String) -> Result<PublicProgress, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::enrolments::progress::by_token(&state.db, &token).await
    })
    .await
}

#[component]
pub fn MyProgressPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let progress = Resource::new(move || params.with(|p| p.get("token").unwrap_or_default()), get_my_progress);
    view! {
        <Meta name="robots" content="noindex, nofollow" />
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match progress.await {
                    Ok(p) => {
                        let courses = p
                            .courses
                            .into_iter()
                            .map(|c| {
                                let status = match c.status {
                                    EnrolmentStatus::Enrolled => Text::StatusEnrolled,
                                    EnrolmentStatus::InProgress => Text::StatusInProgress,
                                    EnrolmentStatus::Completed => Text::StatusCompleted,
                                };
                                view! {
                                    <li class="course" data-course=c.course_code.clone()>
                                        <div class="course-head">
                                            <strong>{c.course_title}</strong>
                                            <span class="status">{lang.t(status)}</span>
                                        </div>
                                        <span class="bar wide" aria-hidden="true">
                                            <span class="bar-fill" style=format!("width:{}%", c.progress)></span>
                                        </span>
                                        {c.completed_at.map(|at| view! {
                                            <small>
                                                {at.with_timezone(&hocvuso::week::vietnam()).format("%d/%m/%Y").to_string()}
                                                {c.certificate_no.map(|n| format!(" · {} {n}", lang.t(Text::CertificateNo)))}
                                            </small>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <h1 data-testid="greeting">{format!("{} {}", lang.t(Text::Hello), p.given_name)}</h1>
                            <p class="hint">
                                {p.masked_phone.unwrap_or_default()} " · " {p.commune_name}
                                {p.team_name.map(|t| format!(" · {t}"))}
                            </p>
                            <p class="stat-card">
                                <span class="stat-label">{lang.t(Text::CompletionRate)}</span>
                                <span class="stat-value" data-testid="my-completion">
                                    {format!("{}/{}", p.completion.completed, p.completion.enrolled)}
                                </span>
                            </p>
                            <h2>{lang.t(Text::Courses)}</h2>
                            <ul class="course-list">{courses}</ul>
                        }
                        .into_any()
                    }
                    Err(Error::NotFound) => view! { <p class="error" role="alert">{lang.t(Text::LinkNoLongerValid)}</p> }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}
