//! `/admin/accounts`: create organisers, change their scopes, reset passwords, deactivate. Nothing is deleted.
use hocvuso::Error;
use hocvuso::auth::Role;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::AccountSummary;
use leptos::prelude::*;
use uuid::Uuid;

use super::{ActionError, AdminNav};
use crate::components::status::{failed, loading};
use crate::i18n::use_lang;

#[server(endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<AccountSummary>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::accounts::list(&state.db, &crate::state::actor()).await
    })
    .await
}

#[server(endpoint = "create_organiser")]
pub async fn create_organiser(
    username: String,
    display_name: String,
    password: String,
    communes: String,
) -> Result<(), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let scope = hocvuso::service::accounts::parse_scope(&communes)?;
        hocvuso::service::accounts::create_organiser(
            &state.db,
            &crate::state::actor(),
            &username,
            &display_name,
            &password,
            &scope,
        )
        .await
        .map(|_| ())
    })
    .await
}

#[server(endpoint = "set_account_scope")]
pub async fn set_account_scope(id: Uuid, communes: String) -> Result<(), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let scope = hocvuso::service::accounts::parse_scope(&communes)?;
        hocvuso::service::accounts::set_scope(&state.db, &crate::state::actor(), id, &scope).await
    })
    .await
}

#[server(endpoint = "reset_account_password")]
pub async fn reset_account_password(id: Uuid, password: String) -> Result<(), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::accounts::reset_password(&state.db, &crate::state::actor(), id, &password).await
    })
    .await
}

#[server(endpoint = "set_account_active")]
pub async fn set_account_active(id: Uuid, active: bool) -> Result<(), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::accounts::set_active(&state.db, &crate::state::actor(), id, active).await
    })
    .await
}

fn scope_text(account: &AccountSummary) -> String {
    account.scope.communes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
}

#[island]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    let create = ServerAction::<CreateOrganiser>::new();
    let scope = ServerAction::<SetAccountScope>::new();
    let reset = ServerAction::<ResetAccountPassword>::new();
    let active = ServerAction::<SetAccountActive>::new();
    let accounts = Resource::new(
        move || (create.version().get(), scope.version().get(), reset.version().get(), active.version().get()),
        |_| list_accounts(),
    );
    let action_error = move || {
        [
            create.value().get().and_then(Result::err),
            scope.value().get().and_then(Result::err),
            reset.value().get().and_then(Result::err),
            active.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <h1>{lang.t(Text::Accounts)}</h1>
        <AdminNav lang />
        {move || view! { <ActionError lang error=action_error() /> }}
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match accounts.await {
                    Ok(list) => view! { <AccountTable lang accounts=list scope reset active /> }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
        <h2>{lang.t(Text::NewOrganiser)}</h2>
        <ActionForm action=create attr:class="form">
            <label for="new-username">{lang.t(Text::Username)}</label>
            <input id="new-username" name="username" autocapitalize="none" required />
            <label for="new-display-name">{lang.t(Text::DisplayName)}</label>
            <input id="new-display-name" name="display_name" required />
            <label for="new-password">{lang.t(Text::Password)}</label>
            <input id="new-password" name="password" type="password" autocomplete="new-password" required />
            <label for="new-communes">{lang.t(Text::ScopeLabel)}</label>
            <input id="new-communes" name="communes" inputmode="numeric" required />
            <small class="hint">{lang.t(Text::ScopeHelp)}</small>
            <button type="submit">{lang.t(Text::Create)}</button>
        </ActionForm>
    }
}

#[component]
fn AccountTable(
    lang: Lang,
    accounts: Vec<AccountSummary>,
    scope: ServerAction<SetAccountScope>,
    reset: ServerAction<ResetAccountPassword>,
    active: ServerAction<SetAccountActive>,
) -> impl IntoView {
    let rows = accounts
        .into_iter()
        .map(|account| {
            let id = account.id.to_string();
            let role = if account.role == Role::Admin { Text::RoleAdmin } else { Text::RoleOrganiser };
            let status = if account.active { Text::Active } else { Text::Inactive };
            let toggle = if account.active { Text::Deactivate } else { Text::Reactivate };
            let scope_form = (account.role == Role::Organiser).then(|| {
                let id = id.clone();
                let current = scope_text(&account);
                view! {
                    <details>
                        <summary>{lang.t(Text::ScopeLabel)}</summary>
                        <ActionForm action=scope attr:class="form">
                            <input type="hidden" name="id" value=id />
                            <label>
                                {lang.t(Text::ScopeHelp)}
                                <input name="communes" value=current required />
                            </label>
                            <button type="submit">{lang.t(Text::Save)}</button>
                        </ActionForm>
                    </details>
                }
            });
            let scope_shown = scope_text(&account);
            let (id_toggle, id_reset) = (id.clone(), id);
            view! {
                <tr data-username=account.username.clone()>
                    <td>{account.username.clone()}</td>
                    <td>{account.display_name.clone()}</td>
                    <td>{lang.t(role)}</td>
                    <td>{scope_shown}</td>
                    <td>{lang.t(status)}</td>
                    <td class="actions">
                        <ActionForm action=active attr:class="inline">
                            <input type="hidden" name="id" value=id_toggle />
                            <input type="hidden" name="active" value=(!account.active).to_string() />
                            <button type="submit">{lang.t(toggle)}</button>
                        </ActionForm>
                        <details>
                            <summary>{lang.t(Text::ResetPassword)}</summary>
                            <ActionForm action=reset attr:class="form">
                                <input type="hidden" name="id" value=id_reset />
                                <label>
                                    {lang.t(Text::NewPassword)}
                                    <input name="password" type="password" autocomplete="new-password" required />
                                </label>
                                <button type="submit">{lang.t(Text::Save)}</button>
                            </ActionForm>
                        </details>
                        {scope_form}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="units" data-testid="accounts">
                <thead>
                    <tr>
                        <th>{lang.t(Text::Username)}</th>
                        <th>{lang.t(Text::DisplayName)}</th>
                        <th>{lang.t(Text::Role)}</th>
                        <th>{lang.t(Text::ScopeLabel)}</th>
                        <th>{lang.t(Text::Status)}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
