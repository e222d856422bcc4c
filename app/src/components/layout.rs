use hocvuso::i18n::Text;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::use_lang;

/// Header, navigation and language switch around every page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    // A plain link (rel=external): it works without JavaScript and reloads the page in the other language.
    let switch_href = move || format!("/lang/{}?next={}", lang.other().code(), location.pathname.get());
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"BD"</span>
                <span class="brand-text">
                    <strong>{lang.t(Text::AppName)}</strong>
                    <small>{lang.t(Text::AppTagline)}</small>
                </span>
            </a>
            <a class="lang-switch" rel="external" href=switch_href hreflang=lang.other().code()>
                {lang.t(Text::SwitchLanguage)}
            </a>
        </header>
        <main class="page">{children()}</main>
    }
}
