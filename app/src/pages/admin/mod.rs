//! Administration: accounts, API tokens and the audit log. Admins only — checked by every server function.
pub mod accounts;
pub mod audit;
pub mod courses;
pub mod targets;
pub mod tokens;

use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use leptos::prelude::*;

/// Tabs between the admin pages.
#[component]
pub fn AdminNav(lang: Lang) -> impl IntoView {
    view! {
        <nav class="tabs">
            <a href="/admin/accounts">{lang.t(Text::Accounts)}</a>
            <a href="/admin/courses">{lang.t(Text::Courses)}</a>
            <a href="/admin/targets">{lang.t(Text::Targets)}</a>
            <a href="/admin/tokens">{lang.t(Text::ApiTokens)}</a>
            <a href="/admin/audit">{lang.t(Text::AuditLog)}</a>
        </nav>
    }
}

/// The message of a failed action, and its field problems, in the reader's language.
#[component]
pub fn ActionError(lang: Lang, error: Option<Error>) -> impl IntoView {
    error.map(|err| {
        let fields = match &err {
            Error::Invalid(fields) => fields.iter().map(|f| lang.t(f.problem)).collect::<Vec<_>>().join(" "),
            _ => String::new(),
        };
        view! {
            <p class="error" role="alert">
                {lang.t(err.text())}
                " "
                {fields}
            </p>
        }
    })
}
