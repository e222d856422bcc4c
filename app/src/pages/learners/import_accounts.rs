//! `/learners/import-accounts`: upload a file saying which account on a MOOC platform (or which
//! e-mail address) is which learner; results waiting for those accounts count at once. Every bad
//! row is listed and nothing is written until the whole file is right. A plain multipart form.
use hocvuso::Error;
use hocvuso::i18n::Text;
use leptos::prelude::*;

use crate::components::status::{failed, loading};
use crate::forms::{ImportAttempt, posted};
use crate::i18n::use_lang;
use crate::pages::learners::import::ImportOutcome;

/// The platforms a file may name (for those who may import accounts).
pub async fn get_platforms() -> Result<Vec<(String, String)>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::lrs::platforms::named(&state.db, &crate::state::actor()).await
    })
    .await
}

#[component]
pub fn ImportPlatformAccountsPage() -> impl IntoView {
    let lang = use_lang();
    let attempt = posted::<ImportAttempt>();
    let platforms = Resource::new(|| (), |_| get_platforms());
    view! {
        <h1>{lang.t(Text::ImportPlatformAccounts)}</h1>
        {attempt.map(|a| view! { <ImportOutcome lang outcome=a.outcome /> })}
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match platforms.await {
                    Ok(list) => view! {
                        <form method="post" action="/learners/import-accounts" enctype="multipart/form-data" class="form" id="import-accounts-form">
                            <label for="import-file">{lang.t(Text::FileLabel)}</label>
                            <input id="import-file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
                            <small class="hint">{lang.t(Text::ImportPlatformAccountsHelp)}</small>
                            {(!list.is_empty()).then(|| view! {
                                <p class="hint">{lang.t(Text::KnownPlatforms)} ": "</p>
                                <ul data-testid="known-platforms">
                                    {list.into_iter().map(|(name, home_page)| view! { <li>{name} " — " {home_page}</li> }).collect_view()}
                                </ul>
                            })}
                            <label class="checkbox">
                                <input type="checkbox" name="dry_run" value="true" />
                                {lang.t(Text::DryRun)}
                            </label>
                            <button type="submit">{lang.t(Text::Upload)}</button>
                            <p class="hint uploading" aria-live="polite">{lang.t(Text::LargeFilesTakeTime)}</p>
                        </form>
                    }
                    .into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}
