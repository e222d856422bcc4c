//! `/login`: a plain form posted to the server's `/login`, so it works without JavaScript too.
use hocvuso::i18n::Text;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::use_lang;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let param = move |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let error = match param("error").as_str() {
        "credentials" => Some(Text::BadCredentials),
        "throttled" => Some(Text::RateLimited),
        "" => None,
        _ => Some(Text::Unavailable),
    };
    let next = param("next");
    view! {
        <section class="narrow">
            <h1>{lang.t(Text::SignIn)}</h1>
            {error.map(|text| view! { <p class="error" role="alert">{lang.t(text)}</p> })}
            <form method="post" action="/login" class="form">
                <input type="hidden" name="next" value=if next.is_empty() { "/".to_string() } else { next } />
                <label for="username">{lang.t(Text::Username)}</label>
                <input
                    id="username"
                    name="username"
                    autocomplete="username"
                    autocapitalize="none"
                    required
                    value=param("username")
                />
                <label for="password">{lang.t(Text::Password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <button type="submit">{lang.t(Text::SignIn)}</button>
            </form>
        </section>
    }
}
