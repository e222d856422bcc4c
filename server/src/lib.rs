//! The hocvuso process: configuration, command line, router. `main.rs` only calls in here,
//! so tests can start the real router on a random port.
pub mod api;
pub mod auth;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod config;
pub mod i18n;
pub mod kept_pages;
pub mod routes;
pub mod scheduler;
pub mod security;
pub mod startup;
