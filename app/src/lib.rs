//! hocvuso's Leptos UI. Pages render on the server only: each reads its data straight from the
//! services during the render (no endpoint of its own), and no page ships wasm to the browser yet
//! (`/at-risk` loads one small same-origin script, `public/copy-message.js`, for its copy buttons).
//! The browser build (`hydrate`) holds only what islands need; the offline forms will be the first.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod components;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod state;

#[cfg(feature = "ssr")]
pub mod shell;
#[cfg(feature = "ssr")]
pub use shell::{App, shell};

/// The browser's entry, for the islands to come; no page loads it today (see `shell`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
