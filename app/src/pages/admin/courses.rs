//! `/admin/courses`: the course catalogue — code, title (Vietnamese, optional English), platform, link,
//! xAPI activity IRI, hours, open or closed. Plain form posts (`server/src/routes/admin.rs`).
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::CourseView;
use leptos::prelude::*;

use super::AdminNav;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::forms::{ActionError, CatalogueAttempt, SavedNotice, posted};
use crate::i18n::use_lang;

pub async fn list_courses() -> Result<Vec<CourseView>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        // The catalogue is readable by all signed in (REST); this page manages it, so admins only.
        actor.require_admin()?;
        hocvuso::service::enrolments::courses::list(&state.db, &actor).await
    })
    .await
}

fn field(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

#[component]
pub fn CoursesPage() -> impl IntoView {
    let lang = use_lang();
    let courses = Resource::new(|| (), |_| list_courses());
    let attempt = posted::<CatalogueAttempt>().unwrap_or_default();
    // A new course's form keeps what was typed when it was refused (an edit is the row's button).
    let new = if attempt.existing.is_none() { attempt.form.clone() } else { Default::default() };
    view! {
        <h1>{lang.t(Text::Courses)}</h1>
        <AdminNav lang />
        <SavedNotice lang />
        <ActionError lang error=attempt.error.clone() />
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match courses.await {
                    Ok(list) => {
                        let rows = list
                            .into_iter()
                            .map(|c| {
                                let status = if c.active { Text::Active } else { Text::Inactive };
                                let toggle = (!c.active).to_string();
                                let (code, title, platform) = (c.code.clone(), c.title.clone(), c.platform.clone());
                                view! {
                                    <tr data-course=c.code.clone()>
                                        <td>{c.code.clone()}</td>
                                        <td>{c.title.clone()}</td>
                                        <td class="wide-only">{c.platform.clone()}</td>
                                        <td class="num">{c.hours}</td>
                                        <td>{lang.t(status)}</td>
                                        <td class="actions">
                                            <form method="post" action="/admin/courses" class="inline">
                                                <input type="hidden" name="existing" value=code.clone() />
                                                <input type="hidden" name="code" value=code />
                                                <input type="hidden" name="title" value=title />
                                                <input type="hidden" name="title_en" value=field(&c.title_en) />
                                                <input type="hidden" name="platform" value=platform />
                                                <input type="hidden" name="url" value=field(&c.url) />
                                                <input type="hidden" name="hours" value=c.hours.to_string() />
                                                <input type="hidden" name="active" value=toggle />
                                                <button type="submit">{lang.t(if c.active { Text::Deactivate } else { Text::Reactivate })}</button>
                                            </form>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <ScrollTable label=lang.t(Text::Courses)>
                                <table class="units" data-testid="courses-table">
                                    <thead>
                                        <tr>
                                            <th>{lang.t(Text::CourseCode)}</th>
                                            <th>{lang.t(Text::Name)}</th>
                                            <th class="wide-only">{lang.t(Text::Platform)}</th>
                                            <th class="num">{lang.t(Text::Hours)}</th>
                                            <th>{lang.t(Text::Status)}</th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </ScrollTable>
                        }
                        .into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
        <h2>{lang.t(Text::Create)}</h2>
        <form method="post" action="/admin/courses" class="form">
            <label>{lang.t(Text::CourseCode)} <input name="code" value=new.code required autocapitalize="characters" /></label>
            <label>{lang.t(Text::Name)} <input name="title" value=new.title required /></label>
            <label>{lang.t(Text::TitleEnglish)} <input name="title_en" value=field(&new.title_en) /></label>
            <label>{lang.t(Text::Platform)} <input name="platform" value=new.platform required /></label>
            <label>{lang.t(Text::Link)} <input name="url" value=field(&new.url) type="url" /></label>
            <label>{lang.t(Text::ActivityIri)} <input name="activity_iri" value=field(&new.activity_iri) /></label>
            <label>{lang.t(Text::Hours)} <input name="hours" value=new.hours inputmode="numeric" required /></label>
            <button type="submit">{lang.t(Text::Create)}</button>
        </form>
    }
}
