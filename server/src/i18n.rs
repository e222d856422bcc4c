//! The language of a request outside Leptos: the same rule as pages (`hocvuso_app::i18n::request_lang`).
pub use hocvuso_app::i18n::request_lang;
