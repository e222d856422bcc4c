//! `/admin/courses`: the course catalogue — code, title (Vietnamese, optional English), platform, link,
//! xAPI activity IRI, hours, open or closed.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{CourseForm, CourseView};
use leptos::prelude::*;

use super::{ActionError, AdminNav};
use crate::components::status::{failed, loading};
use crate::i18n::use_lang;

#[server(endpoint = "list_courses")]
pub async fn list_courses() -> Result<Vec<CourseView>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        // The catalogue is readable by all signed in (REST); this page manages it, so admins only.
        actor.require_admin()?;
        hocvuso::service::courses::list(&state.db, &actor).await
    })
    .await
}

/// Creates a course, or edits the one named by `existing` (its code stays).
#[server(endpoint = "save_course")]
pub async fn save_course(existing: Option<String>, form: CourseForm) -> Result<(), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        match existing.filter(|c| !c.is_empty()) {
            None => hocvuso::service::courses::create(&state.db, &actor, &form).await.map(|_| ()),
            Some(code) => hocvuso::service::courses::update(&state.db, &actor, &code, &form).await.map(|_| ()),
        }
    })
    .await
}

#[island]
pub fn CoursesPage() -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SaveCourse>::new();
    let courses = Resource::new(move || save.version().get(), |_| list_courses());
    view! {
        <h1>{lang.t(Text::Courses)}</h1>
        <AdminNav lang />
        {move || view! { <ActionError lang error=save.value().get().and_then(Result::err) /> }}
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
                                            <ActionForm action=save attr:class="inline">
                                                <input type="hidden" name="existing" value=code.clone() />
                                                <input type="hidden" name="form[code]" value=code />
                                                <input type="hidden" name="form[title]" value=title />
                                                <input type="hidden" name="form[platform]" value=platform />
                                                <input type="hidden" name="form[hours]" value=c.hours.to_string() />
                                                <input type="hidden" name="form[active]" value=toggle />
                                                <button type="submit">{lang.t(if c.active { Text::Deactivate } else { Text::Reactivate })}</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <div class="table-scroll">
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
                            </div>
                        }
                        .into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
        <h2>{lang.t(Text::Create)}</h2>
        <ActionForm action=save attr:class="form">
            <label>{lang.t(Text::CourseCode)} <input name="form[code]" required autocapitalize="characters" /></label>
            <label>{lang.t(Text::Name)} <input name="form[title]" required /></label>
            <label>{lang.t(Text::TitleEnglish)} <input name="form[title_en]" /></label>
            <label>{lang.t(Text::Platform)} <input name="form[platform]" required /></label>
            <label>{lang.t(Text::Link)} <input name="form[url]" type="url" /></label>
            <label>{lang.t(Text::ActivityIri)} <input name="form[activity_iri]" /></label>
            <label>{lang.t(Text::Hours)} <input name="form[hours]" inputmode="numeric" required /></label>
            <button type="submit">{lang.t(Text::Create)}</button>
        </ActionForm>
    }
}
