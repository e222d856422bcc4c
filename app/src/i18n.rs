//! The language of a request: a `lang` cookie set by /lang/{code}, else Vietnamese.
//! On the server it comes from the request; in the browser from `<html lang>`, which the server wrote.
use hocvuso::i18n::Lang;
use leptos::prelude::*;

/// Reads the language for this render.
pub fn current_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
                    cookies.split(';').find_map(|c| c.trim().strip_prefix("lang=").map(Lang::from_code))
                })
            })
            .unwrap_or_default()
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
