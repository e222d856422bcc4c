//! `/learners/new`: register one learner. A plain form posted to the server, so it works on any phone,
//! with or without JavaScript; on a problem the server answers with this page, the typed values kept.
use hocvuso::Error;
use hocvuso::consent::{CONSENT_VERSION, notice};
use hocvuso::i18n::Text;
use hocvuso::model::{LearnerGroup, RegistrationChoices};
use leptos::prelude::*;

use crate::components::status::{failed, loading};
use crate::forms::{RegisterAttempt, TextField, posted};
use crate::i18n::use_lang;

pub async fn get_registration_choices() -> Result<RegistrationChoices, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::learners::registration::choices(&state.db, &crate::state::actor(), state.landing).await
    })
    .await
}

#[component]
pub fn NewLearnerPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <h1>{lang.t(Text::RegisterLearner)}</h1>
        <LearnerFormView action="/learners/new".to_string() initial=None />
    }
}

/// `/learners/{code}/edit`: the same form, filled with the learner's details; consent was given at registration.
#[component]
pub fn EditLearnerPage() -> impl IntoView {
    let lang = use_lang();
    let params = leptos_router::hooks::use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let card = Resource::new(code, crate::pages::learners::card::get_learner_card);
    view! {
        <h1>{lang.t(Text::EditLearner)}</h1>
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match card.await {
                    Ok(card) => {
                        let l = card.learner;
                        let initial = hocvuso::model::LearnerForm {
                            full_name: l.full_name,
                            birth_date: l.birth_date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                            gender: l.gender.as_str().to_string(),
                            phone: l.phone.unwrap_or_default(),
                            commune: l.commune_code.to_string(),
                            province: None,
                            organisation: l.organisation_id.map(|o| o.to_string()),
                            team: l.team_id.map(|t| t.to_string()),
                            group: l.group.map(|g| g.as_str().to_string()),
                            consent_version: l.consent_version,
                        };
                        view! { <LearnerFormView action=format!("/learners/{}/edit", l.code) initial=Some(initial) /> }.into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

/// The learner form, for registering (`initial` None: with the consent notice) or editing.
#[component]
fn LearnerFormView(action: String, initial: Option<hocvuso::model::LearnerForm>) -> impl IntoView {
    let lang = use_lang();
    let editing = initial.is_some();
    let attempt = posted::<RegisterAttempt>()
        .unwrap_or_else(|| RegisterAttempt { form: initial.unwrap_or_default(), error: None });
    let choices = Resource::new(|| (), |_| get_registration_choices());
    let problem = {
        let error = attempt.error.clone();
        move |field: &str| error.as_ref().and_then(|e| e.field_problem(field))
    };
    let form = attempt.form.clone();
    let banner = attempt.error.clone().map(|err| match err {
        Error::Conflict(None) => {
            view! { <p class="error" role="alert">{lang.t(Text::AlreadyRegisteredElsewhere)}</p> }.into_any()
        }
        Error::Conflict(Some(code)) => view! {
            <p class="error" role="alert">
                {lang.t(Text::AlreadyRegistered)} " "
                <a href=format!("/learners/{code}") data-testid="existing-code">{code.clone()}</a>
            </p>
        }
        .into_any(),
        other => view! { <p class="error" role="alert">{lang.t(other.text())}</p> }.into_any(),
    });
    view! {
        {banner}
        <Suspense fallback=move || loading(lang)>
            {move || {
                let form = form.clone();
                let problem = problem.clone();
                let action = action.clone();
                Suspend::new(async move {
                    let choices = match choices.await {
                        Ok(choices) => choices,
                        Err(err) => return failed(lang, &err),
                    };
                    let option = crate::forms::select_option;
                    let communes = choices.communes.into_iter().map(|(code, name)| option(code.to_string(), name, &form.commune)).collect_view();
                    let selected_org = form.organisation.clone().unwrap_or_default();
                    let organisations = choices.organisations.into_iter().map(|(id, name)| option(id.to_string(), name, &selected_org)).collect_view();
                    let selected_team = form.team.clone().unwrap_or_default();
                    let teams = choices.teams.into_iter().map(|(id, name)| option(id.to_string(), name, &selected_team)).collect_view();
                    let selected_group = form.group.as_deref().and_then(LearnerGroup::parse);
                    let groups = LearnerGroup::ALL
                        .into_iter()
                        .map(|g| view! { <option value=g.as_str() selected=selected_group == Some(g)>{lang.t(g.text())}</option> })
                        .collect_view();
                    view! {
                        <form method="post" action=action.clone() class="form" novalidate data-outbox=(!editing).then_some("registration")
                            data-saved=lang.t(Text::OutboxSaved) data-outbox-link=lang.t(Text::Outbox)>
                            <TextField lang name="full_name" label=Text::DisplayName value=form.full_name.clone() problem=problem("full_name") autocomplete="name" />
                            <TextField lang name="birth_date" label=Text::BirthDate value=form.birth_date.clone() problem=problem("birth_date") hint=Text::BirthDateHint inputmode="numeric" />
                            <div class="field" class:has-error=problem("gender").is_some()>
                                <label for="field-gender">{lang.t(Text::Gender)}</label>
                                <select id="field-gender" name="gender">
                                    {[("nam", Text::GenderMale), ("nu", Text::GenderFemale), ("khac", Text::GenderOther)]
                                        .into_iter()
                                        .map(|(value, text)| {
                                            let selected = hocvuso::person::Gender::parse(&form.gender).map(|g| g.as_str()) == Ok(value);
                                            view! { <option value=value selected=selected>{lang.t(text)}</option> }
                                        })
                                        .collect_view()}
                                </select>
                                {problem("gender").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
                            </div>
                            <TextField lang name="phone" label=Text::Phone value=form.phone.clone() problem=problem("phone") input_type="tel" inputmode="tel" autocomplete="tel" />
                            <div class="field" class:has-error=problem("commune").is_some()>
                                <label for="field-commune">{lang.t(Text::Commune)}</label>
                                <select id="field-commune" name="commune">{communes}</select>
                                {problem("commune").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
                            </div>
                            <TextField lang name="province" label=Text::Province value=form.province.clone().unwrap_or_default() problem=problem("province") hint=Text::ProvinceHint />
                            <div class="field">
                                <label for="field-organisation">{lang.t(Text::Organisation)}</label>
                                <select id="field-organisation" name="organisation">
                                    <option value="">"—"</option>
                                    {organisations}
                                </select>
                                {problem("organisation").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
                            </div>
                            <div class="field">
                                <label for="field-team">{lang.t(Text::Teams)}</label>
                                <select id="field-team" name="team">
                                    <option value="">"—"</option>
                                    {teams}
                                </select>
                                {problem("team").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
                            </div>
                            <div class="field" class:has-error=problem("group").is_some()>
                                <label for="field-group">{lang.t(Text::LearnerGroupLabel)}</label>
                                <select id="field-group" name="group">
                                    <option value="">{lang.t(Text::Unclassified)}</option>
                                    {groups}
                                </select>
                                {problem("group").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
                            </div>
                            <fieldset class="consent" class:has-error=problem("consent_version").is_some() hidden=editing>
                                <legend>{lang.t(Text::ConsentTitle)}</legend>
                                <p class="notice-text">{notice(lang)}</p>
                                <label class="checkbox">
                                    <input type="checkbox" name="consent_version" value=CONSENT_VERSION checked=form.consent_version.is_some() />
                                    {lang.t(Text::ConsentConfirm)}
                                </label>
                                {problem("consent_version").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
                            </fieldset>
                            <button type="submit">{lang.t(if editing { Text::Save } else { Text::RegisterLearner })}</button>
                        </form>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}
