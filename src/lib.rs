//! hocvuso: the domain of the "Bình dân học vụ số" progress tracker.
//!
//! Everything outside `server` compiles to wasm too and is what the browser sees.
//! Behind the `server` feature live the sea-orm entities, the services and the database connection.

pub mod auth;
pub mod consent;
pub mod error;
pub mod i18n;
pub mod model;
pub mod net;
pub mod person;
pub mod text;
pub mod week;

#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod entity;
#[cfg(feature = "server")]
pub mod service;

pub use error::{Error, Result};
