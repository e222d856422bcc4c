//! The language of a request, one rule for pages, form posts, REST and kept pages: the `lang`
//! cookie set by /lang/{code}, else Accept-Language, else Vietnamese. In the browser it comes from
//! `<html lang>`, which the server wrote.
use hocvuso::i18n::Lang;
use leptos::prelude::*;

/// The language a request asks for.
#[cfg(feature = "ssr")]
pub fn request_lang(headers: &http::HeaderMap) -> Lang {
    crate::state::cookie(headers, "lang")
        .or_else(|| headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
        .map(Lang::from_code)
        .unwrap_or_default()
}

/// Reads the language for this render.
pub fn current_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().map(|parts| request_lang(&parts.headers)).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .map(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

/// Puts the language in context for every component below.
pub fn provide_lang() -> Lang {
    let lang = current_lang();
    provide_context(lang);
    lang
}

/// The language in context; inside an island in the browser, the page's own `<html lang>`.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_else(current_lang)
}
