//! sea-orm entities, one file a table. Server only: they never reach the wasm bundle.
pub mod account;
pub mod account_scope;
pub mod api_token;
pub mod app_meta;
pub mod audit_log;
pub mod commune;
pub mod course;
pub mod enrolment;
pub mod learner;
pub mod login_attempt;
pub mod organisation;
pub mod province;
pub mod session;
pub mod stat_counter;
pub mod target;
pub mod team;
pub mod xapi_statement;
