//! `/learners/{code}/personal-data`: everything held about a learner, printable, with the JSON file
//! and the form that forgets them (a plain post that needs a ticked confirmation).
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::PersonalData;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::forms::{CourseAttempt, posted};
use crate::i18n::use_lang;
use hocvuso::week::local_date_time as date;

pub async fn get_personal_data(code: String) -> Result<PersonalData, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::learners::privacy::export(&state.db, &crate::state::actor(), &code).await
    })
    .await
}

#[component]
pub fn PersonalDataPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let data = Resource::new(code, get_personal_data);
    let problem = posted::<CourseAttempt>().map(|a| a.error);
    view! {
        <Suspense fallback=move || loading(lang)>
            {move || {
                let problem = problem.clone();
                Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let l = d.learner;
                        let courses = d.courses.into_iter().map(|c| view! {
                            <tr>
                                <td>{c.course_code}</td>
                                <td>{c.course_title}</td>
                                <td class="num">{format!("{}%", c.progress)}</td>
                                <td>{c.completed_at.map(date).unwrap_or_default()}</td>
                                <td>{c.certificate_no.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view();
                        let history = d.history.into_iter().map(|h| view! {
                            <li>{date(h.at)} " · " {h.actor} " · " {h.action}</li>
                        }).collect_view();
                        let confirm_problem = problem.as_ref().and_then(|e| e.field_problem("confirm"));
                        view! {
                            <article class="personal-data" data-testid="personal-data">
                                <h1>{lang.t(Text::PersonalData)} " · " {l.code.clone()}</h1>
                                <p class="hint">{lang.t(Text::PersonalDataIntro)}</p>
                                <dl>
                                    <dt>{lang.t(Text::DisplayName)}</dt><dd>{l.full_name.clone()}</dd>
                                    <dt>{lang.t(Text::BirthDate)}</dt>
                                    <dd>{l.birth_date.map(|b| b.format("%d/%m/%Y").to_string()).unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::Gender)}</dt><dd>{lang.t(l.gender.text())}</dd>
                                    <dt>{lang.t(Text::Phone)}</dt><dd>{l.phone.clone().unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::Commune)}</dt><dd>{l.commune_name.clone()}</dd>
                                    <dt>{lang.t(Text::Organisation)}</dt><dd>{l.organisation_name.clone().unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::Teams)}</dt><dd>{l.team_name.clone().unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::ConsentGiven)}</dt>
                                    <dd>{l.consent_version.clone().unwrap_or_default()} " · " {d.consent_at.map(date).unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::ProgressLink)}</dt>
                                    <dd>{lang.t(if d.has_progress_link { Text::ProgressLinkIssued } else { Text::ProgressLinkNotIssued })}</dd>
                                </dl>
                                {d.citizen_id_hashed.then(|| view! { <p class="hint">{lang.t(Text::CitizenIdHashedNote)}</p> })}
                                <h2>{lang.t(Text::Courses)}</h2>
                                <ScrollTable label=lang.t(Text::Courses)>
                                    <table><tbody>{courses}</tbody></table>
                                </ScrollTable>
                                <h2>{lang.t(Text::History)}</h2>
                                <ul class="history">{history}</ul>
                                <p class="hint">{date(d.exported_at)}</p>
                            </article>
                            <p class="no-print actions-row">
                                <a rel="external" href=format!("/api/v1/learners/{}/personal-data", l.code) download="">
                                    {lang.t(Text::DownloadJson)}
                                </a>
                                <a href=format!("/learners/{}", l.code)>{lang.t(Text::LearnerCode)} " " {l.code.clone()}</a>
                            </p>
                            <form method="post" action=format!("/learners/{}/forget", l.code) class="form danger-zone no-print">
                                <h2>{lang.t(Text::ForgetLearner)}</h2>
                                <p class="hint">{lang.t(Text::ForgetExplain)}</p>
                                <label class="checkbox">
                                    <input type="checkbox" name="confirm" value="yes" />
                                    {lang.t(Text::ForgetConfirm)}
                                </label>
                                {confirm_problem.map(|p| view! { <p class="error" role="alert">{lang.t(p)}</p> })}
                                <button type="submit" class="danger">{lang.t(Text::ForgetSubmit)}</button>
                            </form>
                        }
                        .into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}}
        </Suspense>
    }
}
