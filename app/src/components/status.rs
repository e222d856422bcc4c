//! What a page shows while its figures load and when they cannot be had: one look everywhere.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use leptos::prelude::*;

/// The Suspense fallback of every page.
pub fn loading(lang: Lang) -> impl IntoView {
    view! { <p class="loading">{lang.t(Text::Loading)}</p> }
}

/// A failed load, said in the reader's language (never the server's text).
pub fn failed(lang: Lang, err: &Error) -> AnyView {
    view! { <p class="error" role="alert">{lang.t(err.text())}</p> }.into_any()
}
