//! `/admin/platforms`: MOOC platforms (Open edX, Moodle) connected to the LRS. The key and secret are
//! shown once, on the answer to the form that made them (never in a URL). Plain form posts
//! (`server/src/routes/admin.rs`).
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::service::lrs::platforms::{self, Platform};
use leptos::prelude::*;

use super::AdminNav;
use crate::components::revoke::RevokeCell;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::forms::{ActionError, PlatformAttempt, SavedNotice, posted};
use crate::i18n::use_lang;

pub async fn list_platforms() -> Result<(Vec<Platform>, String), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let list = platforms::list(&state.db, &crate::state::actor()).await?;
        Ok((list, format!("{}/xapi/", state.public_url.trim_end_matches('/'))))
    })
    .await
}

#[component]
pub fn PlatformsPage() -> impl IntoView {
    let lang = use_lang();
    let listed = Resource::new(|| (), |_| list_platforms());
    let attempt = posted::<PlatformAttempt>().unwrap_or_default();
    // After a connection was made the form starts empty again; after a refusal it keeps what was typed.
    let credentials = attempt.credentials.clone();
    let (name, home_pages) =
        if attempt.credentials.is_some() { Default::default() } else { (attempt.name, attempt.home_pages) };
    view! {
        <h1>{lang.t(Text::Platforms)}</h1>
        <AdminNav lang />
        <SavedNotice lang />
        <ActionError lang error=attempt.error />
        <Suspense fallback=move || loading(lang)>
            {move || {
                let credentials = credentials.clone();
                Suspend::new(async move {
                    match listed.await {
                        Ok((list, endpoint)) => {
                            let made = credentials.map(|pair| {
                                let (key, secret) = pair.split_once(':').map(|(k, s)| (k.to_string(), s.to_string())).unwrap_or_default();
                                view! {
                                    <div class="notice" role="status">
                                        <p>{lang.t(Text::PlatformShownOnce)}</p>
                                        <dl>
                                            <dt>{lang.t(Text::LrsEndpoint)}</dt>
                                            <dd><code data-testid="lrs-endpoint">{endpoint.clone()}</code></dd>
                                            <dt>{lang.t(Text::PlatformKey)}</dt>
                                            <dd><code data-testid="platform-key">{key}</code></dd>
                                            <dt>"Secret"</dt>
                                            <dd><code data-testid="platform-secret">{secret}</code></dd>
                                        </dl>
                                    </div>
                                }
                            });
                            let rows = list
                                .into_iter()
                                .map(|platform| {
                                    view! {
                                        <tr>
                                            <td>{platform.name}</td>
                                            <td>{platform.home_pages.join(", ")}</td>
                                            <td><code>{platform.key}</code></td>
                                            <td>{platform.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                            <td>
                                                <RevokeCell
                                                    lang
                                                    action=format!("/admin/platforms/{}/revoke", platform.id)
                                                    revoked=platform.revoked_at.is_some()
                                                />
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                {made}
                                <ScrollTable label=lang.t(Text::Platforms)>
                                    <table class="units">
                                        <thead>
                                            <tr>
                                                <th>{lang.t(Text::Name)}</th>
                                                <th>{lang.t(Text::HomePages)}</th>
                                                <th>{lang.t(Text::PlatformKey)}</th>
                                                <th>{lang.t(Text::Created)}</th>
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
                })
            }}
        </Suspense>
        <h2>{lang.t(Text::NewPlatform)}</h2>
        <form method="post" action="/admin/platforms" class="form">
            <label for="platform-name">{lang.t(Text::Name)}</label>
            <input id="platform-name" name="name" value=name required />
            <label for="platform-home-pages">{lang.t(Text::HomePages)}</label>
            <input id="platform-home-pages" name="home_pages" value=home_pages placeholder="https://mooc.example.edu.vn" required />
            <button type="submit">{lang.t(Text::Create)}</button>
        </form>
    }
}
