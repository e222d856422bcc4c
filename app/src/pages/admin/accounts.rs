//! `/admin/accounts`: create organisers, change their scopes, reset passwords, deactivate. Nothing is
//! deleted. Plain form posts (`server/src/routes/admin.rs`), so the page works without JavaScript;
//! a refused change comes back beside what was typed (passwords excepted).
use hocvuso::Error;
use hocvuso::auth::Role;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::AccountSummary;
use leptos::prelude::*;

use super::AdminNav;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::forms::{AccountAttempt, ActionError, SavedNotice, posted};
use crate::i18n::use_lang;

pub async fn list_accounts() -> Result<Vec<AccountSummary>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::accounts::list(&state.db, &crate::state::actor()).await
    })
    .await
}

fn scope_text(account: &AccountSummary) -> String {
    account.scope.communes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    let accounts = Resource::new(|| (), |_| list_accounts());
    let attempt = posted::<AccountAttempt>().unwrap_or_default();
    // A new organiser's form keeps what was typed when it was refused; a row's form keeps its own.
    let new = if attempt.id.is_none() { attempt.clone() } else { AccountAttempt::default() };
    view! {
        <h1>{lang.t(Text::Accounts)}</h1>
        <AdminNav lang />
        <SavedNotice lang />
        <ActionError lang error=attempt.error.clone() />
        <Suspense fallback=move || loading(lang)>
            {move || {
                let attempt = attempt.clone();
                Suspend::new(async move {
                    match accounts.await {
                        Ok(list) => view! { <AccountTable lang accounts=list attempt /> }.into_any(),
                        Err(err) => failed(lang, &err),
                    }
                })
            }}
        </Suspense>
        <h2>{lang.t(Text::NewOrganiser)}</h2>
        <form method="post" action="/admin/accounts" class="form">
            <label for="new-username">{lang.t(Text::Username)}</label>
            <input id="new-username" name="username" value=new.username autocapitalize="none" required />
            <label for="new-display-name">{lang.t(Text::DisplayName)}</label>
            <input id="new-display-name" name="display_name" value=new.display_name required />
            <label for="new-password">{lang.t(Text::Password)}</label>
            <input id="new-password" name="password" type="password" autocomplete="new-password" required />
            <label for="new-communes">{lang.t(Text::ScopeLabel)}</label>
            <input id="new-communes" name="communes" value=new.communes inputmode="numeric" required />
            <small class="hint">{lang.t(Text::ScopeHelp)}</small>
            <button type="submit">{lang.t(Text::Create)}</button>
        </form>
    }
}

#[component]
fn AccountTable(lang: Lang, accounts: Vec<AccountSummary>, attempt: AccountAttempt) -> impl IntoView {
    let rows = accounts
        .into_iter()
        .map(|account| {
            let id = account.id;
            let role = if account.role == Role::Admin { Text::RoleAdmin } else { Text::RoleOrganiser };
            let status = if account.active { Text::Active } else { Text::Inactive };
            let toggle = if account.active { Text::Deactivate } else { Text::Reactivate };
            // The refused form of this row, if any, opens again with what was typed.
            let refused = attempt.id == Some(id);
            let scope_form = (account.role == Role::Organiser).then(|| {
                let current = if refused { attempt.communes.clone() } else { scope_text(&account) };
                view! {
                    <details open=refused>
                        <summary>{lang.t(Text::ScopeLabel)}</summary>
                        <form method="post" action=format!("/admin/accounts/{id}/scope") class="form">
                            <label>
                                {lang.t(Text::ScopeHelp)}
                                <input name="communes" value=current required />
                            </label>
                            <button type="submit">{lang.t(Text::Save)}</button>
                        </form>
                    </details>
                }
            });
            view! {
                <tr data-username=account.username.clone()>
                    <td>{account.username.clone()}</td>
                    <td>{account.display_name.clone()}</td>
                    <td>{lang.t(role)}</td>
                    <td>{scope_text(&account)}</td>
                    <td>{lang.t(status)}</td>
                    <td class="actions">
                        <form method="post" action=format!("/admin/accounts/{id}/active") class="inline">
                            <input type="hidden" name="active" value=(!account.active).to_string() />
                            <button type="submit">{lang.t(toggle)}</button>
                        </form>
                        <details>
                            <summary>{lang.t(Text::ResetPassword)}</summary>
                            <form method="post" action=format!("/admin/accounts/{id}/password") class="form">
                                <label>
                                    {lang.t(Text::NewPassword)}
                                    <input name="password" type="password" autocomplete="new-password" required />
                                </label>
                                <button type="submit">{lang.t(Text::Save)}</button>
                            </form>
                        </details>
                        {scope_form}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable label=lang.t(Text::Accounts)>
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
        </ScrollTable>
    }
}
