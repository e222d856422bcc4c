//! `/admin/tokens`: API tokens for MOOC platforms and other tools; the secret is shown once.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::TokenSummary;
use leptos::prelude::*;
use uuid::Uuid;

use super::{ActionError, AdminNav};
use crate::components::status::{failed, loading};
use crate::i18n::use_lang;

#[server(endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenSummary>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::tokens::list(&state.db, &crate::state::actor()).await
    })
    .await
}

/// Returns the secret, once.
#[server(endpoint = "create_token")]
pub async fn create_token(name: String, scope: String) -> Result<String, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let scope =
            hocvuso::auth::TokenScope::parse(&scope).ok_or_else(|| Error::invalid("scope", Text::TokenScopeInvalid))?;
        let (_, secret) =
            hocvuso::service::tokens::create_by_admin(&state.db, &crate::state::actor(), &name, scope).await?;
        Ok(secret)
    })
    .await
}

#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: Uuid) -> Result<(), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::tokens::revoke(&state.db, &crate::state::actor(), id).await
    })
    .await
}

#[island]
pub fn TokensPage() -> impl IntoView {
    let lang = use_lang();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_tokens());
    let action_error =
        move || create.value().get().and_then(Result::err).or_else(|| revoke.value().get().and_then(Result::err));
    let secret = move || create.value().get().and_then(Result::ok);
    view! {
        <h1>{lang.t(Text::ApiTokens)}</h1>
        <AdminNav lang />
        {move || view! { <ActionError lang error=action_error() /> }}
        {move || {
            secret()
                .map(|secret| {
                    view! {
                        <div class="notice">
                            <p>{lang.t(Text::TokenShownOnce)}</p>
                            <code data-testid="new-token">{secret}</code>
                        </div>
                    }
                })
        }}
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
                                            {match token.revoked_at {
                                                Some(_) => lang.t(Text::Revoked).into_any(),
                                                None => view! {
                                                    <ActionForm action=revoke attr:class="inline">
                                                        <input type="hidden" name="id" value=token.id.to_string() />
                                                        <button type="submit">{lang.t(Text::Revoke)}</button>
                                                    </ActionForm>
                                                }
                                                .into_any(),
                                            }}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <div class="table-scroll">
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
                            </div>
                        }
                            .into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
        <h2>{lang.t(Text::NewToken)}</h2>
        <ActionForm action=create attr:class="form">
            <label for="token-name">{lang.t(Text::Name)}</label>
            <input id="token-name" name="name" required />
            <label for="token-scope">{lang.t(Text::ScopeLabel)}</label>
            <select id="token-scope" name="scope">
                <option value="ingest">"ingest"</option>
                <option value="read-stats">"read-stats"</option>
            </select>
            <button type="submit">{lang.t(Text::Create)}</button>
        </ActionForm>
    }
}
