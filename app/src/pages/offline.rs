//! What an organiser uses where there is no signal (issue 21): the guidance-session form, the outbox
//! and the page the service worker shows for pages that need the connection. The forms are plain
//! posts; with JavaScript, `public/outbox.js` keeps each entry on the device and sends it later.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{CourseView, RegistrationChoices, TeamRoster};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::status::{failed, loading};
use crate::forms::{GuidanceAttempt, GuidanceFields, TextField, posted};
use crate::i18n::use_lang;

/// The teams, communes and courses the guidance form offers, and today's date (Vietnam).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuidanceChoices {
    pub registration: RegistrationChoices,
    pub courses: Vec<CourseView>,
    pub today: String,
    /// Each team's learners, to tick who attended.
    pub rosters: Vec<TeamRoster>,
}

pub async fn get_guidance_choices() -> Result<GuidanceChoices, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        let registration = hocvuso::service::learners::registration::choices(&state.db, &actor, state.landing).await?;
        let courses = hocvuso::service::enrolments::courses::list(&state.db, &actor).await?;
        let today = hocvuso::week::vietnam_today().format("%Y-%m-%d").to_string();
        let rosters = hocvuso::service::guidance::rosters(&state.db, &actor).await?;
        Ok(GuidanceChoices { registration, courses, today, rosters })
    })
    .await
}

/// `/guidance/new`: record a guidance session (buổi hướng dẫn) of one of the organiser's teams.
#[component]
pub fn GuidanceFormPage() -> impl IntoView {
    let lang = use_lang();
    let attempt = posted::<GuidanceAttempt>().unwrap_or_default();
    let choices = Resource::new(|| (), |_| get_guidance_choices());
    let problem = {
        let error = attempt.error.clone();
        // Attendees are named one by one (`attendees.2`); the form has one field for them all.
        move |field: &str| error.as_ref().and_then(|e| e.list_problem(field))
    };
    let banner = attempt
        .error
        .clone()
        .filter(|err| !matches!(err, Error::Invalid(_)))
        .map(|err| view! { <p class="error" role="alert">{lang.t(err.text())}</p> });
    let form = attempt.form;
    view! {
        <h1>{lang.t(Text::RecordGuidanceSession)}</h1>
        {banner}
        <Suspense fallback=move || loading(lang)>
            {move || {
                let form = form.clone();
                let problem = problem.clone();
                Suspend::new(async move {
                    let choices = match choices.await {
                        Ok(choices) => choices,
                        Err(err) => return failed(lang, &err),
                    };
                    let option = crate::forms::select_option;
                    let GuidanceFields { team, date, commune, village, course, topic, attendees, guided_unregistered, picked } = form;
                    let team_names: Vec<(uuid::Uuid, String)> = choices.registration.teams.clone();
                    let rosters = choices
                        .rosters
                        .into_iter()
                        .filter(|r| !r.learners.is_empty())
                        .map(|roster| {
                            let name = team_names.iter().find(|(id, _)| *id == roster.team).map(|(_, n)| n.clone()).unwrap_or_default();
                            let boxes = roster
                                .learners
                                .into_iter()
                                .map(|(code, full_name)| {
                                    let checked = picked.contains(&code);
                                    view! {
                                        <label class="check">
                                            <input type="checkbox" name="attendee" value=code.clone() checked=checked />
                                            {format!("{full_name} · {code}")}
                                        </label>
                                    }
                                })
                                .collect_view();
                            view! {
                                <fieldset class="roster" data-roster=roster.team.to_string() data-testid="roster">
                                    <legend>{format!("{} · {name}", lang.t(Text::PickAttendees))}</legend>
                                    {boxes}
                                </fieldset>
                            }
                        })
                        .collect_view();
                    let teams = choices.registration.teams.into_iter().map(|(id, name)| option(id.to_string(), name, &team)).collect_view();
                    let communes = choices.registration.communes.into_iter().map(|(code, name)| option(code.to_string(), name, &commune)).collect_view();
                    let courses = choices
                        .courses
                        .into_iter()
                        .filter(|c| c.active)
                        .map(|c| option(c.code.clone(), format!("{} · {}", c.code, c.title), &course))
                        .collect_view();
                    let date = if date.is_empty() { choices.today } else { date };
                    let guided = if guided_unregistered.is_empty() { "0".to_string() } else { guided_unregistered };
                    let error_of = move |p: Option<Text>| p.map(|p| view! { <small class="field-error">{lang.t(p)}</small> });
                    view! {
                        <form method="post" action="/guidance/new" class="form" novalidate data-outbox="guidance"
                            data-saved=lang.t(Text::OutboxSaved) data-outbox-link=lang.t(Text::Outbox)>
                            <div class="field" class:has-error=problem("team").is_some()>
                                <label for="field-team">{lang.t(Text::Teams)}</label>
                                <select id="field-team" name="team">{teams}</select>
                                {error_of(problem("team"))}
                            </div>
                            <TextField lang name="date" label=Text::SessionDate value=date problem=problem("date") input_type="date" />
                            <div class="field" class:has-error=problem("commune").is_some()>
                                <label for="field-commune">{lang.t(Text::Commune)}</label>
                                <select id="field-commune" name="commune">
                                    <option value="">{lang.t(Text::TeamsCommune)}</option>
                                    {communes}
                                </select>
                                {error_of(problem("commune"))}
                            </div>
                            <TextField lang name="village" label=Text::Village value=village problem=problem("village") />
                            <div class="field" class:has-error=problem("topic").is_some()>
                                <label for="field-course">{lang.t(Text::Topic)}</label>
                                <select id="field-course" name="course">
                                    <option value="">"—"</option>
                                    {courses}
                                </select>
                                {error_of(problem("topic"))}
                            </div>
                            <TextField lang name="topic" label=Text::SkillInWords value=topic problem=None />
                            {rosters}
                            <div class="field" class:has-error=problem("attendees").is_some()>
                                <label for="field-attendees">{lang.t(Text::AttendeeCodes)}</label>
                                <textarea id="field-attendees" name="attendees" rows="3" autocomplete="off">{attendees}</textarea>
                                <small class="hint">{lang.t(Text::AttendeeCodesHint)}</small>
                                {error_of(problem("attendees"))}
                                // Shown by `/scan.js` where the browser can read QR codes from the camera.
                                <button type="button" class="secondary" data-scan-into="field-attendees" hidden=true>{lang.t(Text::ScanCardQr)}</button>
                                <video class="scan-view" hidden=true muted=true playsinline=true aria-hidden="true"></video>
                            </div>
                            <TextField lang name="guided_unregistered" label=Text::GuidedUnregistered value=guided problem=problem("guided_unregistered") input_type="number" inputmode="numeric" />
                            <button type="submit">{lang.t(Text::RecordGuidanceSession)}</button>
                        </form>
                        <p><a href="/outbox">{lang.t(Text::Outbox)}</a></p>
                        <script src="/scan.js" defer=true></script>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

/// `/outbox`: the entries kept on this device. The server knows nothing of them: it sends the
/// translated texts, and `public/outbox.js` lists the entries from IndexedDB with them. The page
/// loads the script itself, so a session that expired meanwhile still shows the entries (asking to sign in).
#[component]
pub fn OutboxPage() -> impl IntoView {
    let lang = use_lang();
    let texts = [
        ("waiting", Text::OutboxWaiting),
        ("registered", Text::OutboxRegistered),
        ("duplicate", Text::OutboxAlreadyRegistered),
        ("recorded", Text::OutboxRecorded),
        ("refused", Text::OutboxRefused),
        ("signin", Text::OutboxNeedsSignIn),
        ("registration", Text::RegisterLearner),
        ("guidance", Text::GuidanceSessions),
        ("completion", Text::OutboxCompletion),
        ("edit", Text::Edit),
        ("sign-in", Text::SignIn),
        ("typed-by", Text::OutboxTypedBy),
        ("empty", Text::OutboxEmpty),
    ];
    view! {
        <h1>{lang.t(Text::Outbox)}</h1>
        <p class="hint">{lang.t(Text::OutboxIntro)}</p>
        <noscript>
            <p class="error">{lang.t(Text::OutboxNeedsScript)}</p>
        </noscript>
        <dl id="outbox-texts" hidden=true>
            {texts.into_iter().map(|(key, text)| view! { <dt>{key}</dt><dd data-text=key>{lang.t(text)}</dd> }).collect_view()}
        </dl>
        <p>
            <button type="button" id="outbox-send">{lang.t(Text::OutboxSendNow)}</button>
        </p>
        <ul id="outbox" class="outbox" data-testid="outbox" aria-live="polite"></ul>
        <p>
            <a href="/learners/new">{lang.t(Text::RegisterLearner)}</a>
            " · "
            <a href="/guidance/new">{lang.t(Text::RecordGuidanceSession)}</a>
        </p>
        <script type="module" src="/outbox.js"></script>
    }
}

/// `/offline`: what the service worker answers, from its cache, for a page that needs the connection.
#[component]
pub fn OfflinePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <h1>{lang.t(Text::OfflineTitle)}</h1>
        <p data-testid="offline">{lang.t(Text::OfflineBody)}</p>
        <p>
            <a href="/learners/new">{lang.t(Text::RegisterLearner)}</a>
            " · "
            <a href="/guidance/new">{lang.t(Text::RecordGuidanceSession)}</a>
            " · "
            <a href="/outbox">{lang.t(Text::Outbox)}</a>
        </p>
    }
}
