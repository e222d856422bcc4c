//! Administration: accounts, API tokens and the audit log. Admins only — checked by the service each page reads.
pub mod accounts;
pub mod audit;
pub mod courses;
pub mod platforms;
pub mod targets;
pub mod tokens;

use hocvuso::i18n::{Lang, Text};
use leptos::prelude::*;

/// Tabs between the admin pages. API tokens, platforms and the audit log are the country admins'
/// alone: a province admin is not shown tabs that would answer 403.
#[component]
pub fn AdminNav(lang: Lang) -> impl IntoView {
    let country_admin = crate::state::actor().sees_everything();
    view! {
        <nav class="tabs">
            <a href="/admin/accounts">{lang.t(Text::Accounts)}</a>
            <a href="/admin/courses">{lang.t(Text::Courses)}</a>
            <a href="/admin/targets">{lang.t(Text::Targets)}</a>
            <a href="/reports">{lang.t(Text::ScheduledReports)}</a>
            {country_admin
                .then(|| {
                    view! {
                        <a href="/admin/tokens">{lang.t(Text::ApiTokens)}</a>
                        <a href="/admin/platforms">{lang.t(Text::Platforms)}</a>
                        <a href="/admin/audit">{lang.t(Text::AuditLog)}</a>
                    }
                })}
        </nav>
    }
}
