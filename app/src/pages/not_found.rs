use hocvuso::i18n::Text;
use leptos::prelude::*;

use crate::i18n::use_lang;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <h1>{lang.t(Text::NotFound)}</h1>
        <p>
            <a href="/">{lang.t(Text::Overview)}</a>
        </p>
    }
}
