use hocvuso::auth::Role;
use hocvuso::i18n::Text;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::use_lang;
use crate::session::use_session;

/// Header, navigation and language switch around every page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    // A plain link (rel=external): it works without JavaScript and reloads the page in the other language.
    let switch_href = move || format!("/lang/{}?next={}", lang.other().code(), location.pathname.get());
    let session = use_session();
    // Only signed-in people get the offline code (`/outbox.js`: the outbox and the service worker).
    let account_menu = move || {
        Suspend::new(async move {
            match session.await {
                Ok(Some(account)) => view! {
                    <span class="who" data-testid="signed-in-as" data-account=account.username.clone()>{account.display_name.clone()}</span>
                    <a class="nav-link" href="/dashboard">{lang.t(Text::Statistics)}</a>
                    <a class="nav-link" href="/learners">{lang.t(Text::Learners)}</a>
                    <a class="nav-link" href="/at-risk">{lang.t(Text::AtRiskNav)}</a>
                    <a class="nav-link wide-only" href="/teams">{lang.t(Text::Teams)}</a>
                    <a class="nav-link wide-only" href="/outbox">{lang.t(Text::Outbox)}</a>
                    <a class="nav-link wide-only" href="/organisations">{lang.t(Text::Organisations)}</a>
                    {(account.role == Role::Admin)
                        .then(|| view! { <a class="nav-link" href="/admin/accounts">{lang.t(Text::Administration)}</a> })}
                    <form method="post" action="/logout" class="inline">
                        <button type="submit" class="link-button">{lang.t(Text::SignOut)}</button>
                    </form>
                    <script type="module" src="/outbox.js"></script>
                }
                .into_any(),
                _ => view! {
                    <a class="nav-link" href="/tra-cuu">{lang.t(Text::LookupNav)}</a>
                    <a class="nav-link" rel="external" href=move || format!("/login?next={}", location.pathname.get())>
                        {lang.t(Text::SignIn)}
                    </a>
                }
                .into_any(),
            }
        })
    };
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"BD"</span>
                <span class="brand-text">
                    <strong>{lang.t(Text::AppName)}</strong>
                    <small>{lang.t(Text::AppTagline)}</small>
                </span>
            </a>
            <nav class="header-nav">
                <Suspense fallback=|| ()>{account_menu}</Suspense>
                <a class="lang-switch" rel="external" href=switch_href hreflang=lang.other().code()>
                    {lang.t(Text::SwitchLanguage)}
                </a>
            </nav>
        </header>
        <main class="page">{children()}</main>
    }
}
