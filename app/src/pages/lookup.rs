//! `/tra-cuu`: a learner opens their own page with phone number and birth date. A plain form posted
//! to the server (never a GET: the phone must not appear in a URL or a log).
use hocvuso::Error;
use hocvuso::i18n::Text;
use leptos::prelude::*;
use leptos_meta::Meta;

use crate::forms::{LookupAttempt, TextField, posted};
use crate::i18n::use_lang;

#[component]
pub fn LookupPage() -> impl IntoView {
    let lang = use_lang();
    let attempt = posted::<LookupAttempt>().unwrap_or_default();
    let problem = |field: &str| attempt.error.as_ref().and_then(|e| e.field_problem(field));
    let message = match &attempt.error {
        None => None,
        Some(Error::RateLimited(_)) => Some(Text::LookupLimited),
        Some(err) => err.field_problem("lookup").or_else(|| {
            // Field problems are shown beside their fields.
            (!matches!(err, Error::Invalid(_))).then(|| err.text())
        }),
    };
    view! {
        <Meta name="robots" content="noindex, nofollow" />
        <section class="narrow">
            <h1>{lang.t(Text::LookupTitle)}</h1>
            <p class="hint">{lang.t(Text::LookupIntro)}</p>
            {message.map(|text| view! { <p class="error" role="alert" data-testid="lookup-error">{lang.t(text)}</p> })}
            <form method="post" action="/tra-cuu" class="form">
                <TextField
                    lang=lang
                    name="phone"
                    label=Text::Phone
                    value=attempt.phone.clone()
                    problem=problem("phone")
                    input_type="tel"
                    inputmode="tel"
                    autocomplete="tel"
                />
                <TextField
                    lang=lang
                    name="birth_date"
                    label=Text::BirthDate
                    value=attempt.birth_date.clone()
                    problem=problem("birth_date")
                    hint=Text::BirthDateHint
                    inputmode="numeric"
                    autocomplete="bday"
                />
                <button type="submit">{lang.t(Text::LookupSubmit)}</button>
            </form>
        </section>
    }
}
