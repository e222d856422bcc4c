//! The hocvuso process: configuration, command line, router. `main.rs` only calls in here,
//! so tests can start the real router on a random port.
pub mod cli;
pub mod config;
pub mod routes;
pub mod startup;
