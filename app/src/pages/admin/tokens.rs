//! `/admin/tokens`: API tokens for MOOC platforms and other tools; the secret is shown once, on the
//! answer to the form that made it (never in a URL). Plain form posts (`server/src/routes/admin.rs`).
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::TokenSummary;
use leptos::prelude::*;

use super::AdminNav;
use crate::components::revoke::RevokeCell;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::forms::{ActionError, SavedNotice, TokenAttempt, posted};
use crate::i18n::use_lang;

pub async fn list_tokens() -> Result<Vec<TokenSummary>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::accounts::tokens::list(&state.db, &crate::state::actor()).await
    })
    .await
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let lang = use_lang();
    let tokens = Resource::new(|| (), |_| list_tokens());
    let attempt = posted::<TokenAttempt>().unwrap_or_default();
    // After a token was made the form starts empty again; after a refusal it keeps what was typed.
    let (name, scope) = if attempt.secret.is_some() { Default::default() } else { (attempt.name, attempt.scope) };
    view! {
        <h1>{lang.t(Text::ApiTokens)}</h1>
        <AdminNav lang />
        <SavedNotice lang />
        <ActionError lang error=attempt.error />
        {attempt.secret.map(|secret| {
            view! {
                <div class="notice" role="status">
                    <p>{lang.t(Text::TokenShownOnce)}</p>
                    <code data-testid="new-token">{secret}</code>
                </div>
            }
        })}
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) => {
                        let rows = list
                            .into_iter()
                            .map(|token| {
                                view! {
                                    <tr>
                                        <td>{token.name}</td>
                                        <td>{token.scope.as_str()}</td>
                                        <td>{token.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                        <td>
                                            <RevokeCell
                                                lang
                                                action=format!("/admin/tokens/{}/revoke", token.id)
                                                revoked=token.revoked_at.is_some()
                                            />
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <ScrollTable label=lang.t(Text::ApiTokens)>
                                <table class="units">
                                    <thead>
                                        <tr>
                                            <th>{lang.t(Text::Name)}</th>
                                            <th>{lang.t(Text::ScopeLabel)}</th>
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
            })}
        </Suspense>
        <h2>{lang.t(Text::NewToken)}</h2>
        <form method="post" action="/admin/tokens" class="form">
            <label for="token-name">{lang.t(Text::Name)}</label>
            <input id="token-name" name="name" value=name required />
            <label for="token-scope">{lang.t(Text::ScopeLabel)}</label>
            <select id="token-scope" name="scope">
                <option value="ingest">"ingest"</option>
                <option value="read-stats" selected=scope == "read-stats">"read-stats"</option>
            </select>
            <button type="submit">{lang.t(Text::Create)}</button>
        </form>
    }
}
