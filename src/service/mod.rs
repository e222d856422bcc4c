//! Services: the only code that reads or writes the database. Each takes a connection or a
//! transaction, so the same function serves the web, the CLI and the tests, on SQLite and PostgreSQL.
//!
//! Grouped by feature, so "record a completion" or "import a file" has one place:
//! - `learners`: the learner row and its counters; `registration` (register, edit, the card),
//!   `progress_link` (personal links and lookup grants), `lookup`, `privacy`, `at_risk` (who stalled);
//! - `enrolments`: the enrolment row and its transitions (the one home of "enrolled" and
//!   "completed"); `progress` (the use cases: enrol, complete, undo, progress), `courses`, `xapi`;
//! - `statistics`: the counters; `figures` (kept per database state), `dashboard`, `overview`,
//!   `report`, `signoff` (communes confirming a week, province admins approving), `targets`;
//! - `imports`: `table` (reading and writing spreadsheets, one header mapper), `learners`, `completions`;
//! - `units`: communes, organisations, teams; `reference` (provinces and communes);
//! - `accounts`: accounts and scopes; `sessions`, `tokens`, `password`;
//! - `guidance`: a team's guidance sessions (buổi hướng dẫn) and their weekly figures;
//! - shared: `idempotency` (keyed writes applied once), `audit`, `throttle` (budgets for sign-ins,
//!   lookups, dry runs), `secret`, `demo`.
pub mod accounts;
pub mod audit;
pub mod demo;
pub mod enrolments;
pub mod guidance;
pub mod idempotency;
pub mod imports;
pub mod learners;
pub mod lrs;
pub mod secret;
pub mod statistics;
pub mod throttle;
pub mod units;

use chrono::{DateTime, Utc};

/// Now, truncated to whole microseconds so a timestamp reads back equal on both databases.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Seconds to wait when `recent` (newest first, all inside `window`) already holds `limit` attempts:
/// until the oldest of the last `limit` leaves the window. None while under the limit.
pub fn retry_after(recent: &[DateTime<Utc>], limit: usize, window: chrono::Duration, at: DateTime<Utc>) -> Option<u32> {
    let oldest = *recent.get(limit.checked_sub(1)?)?;
    Some((oldest + window - at).num_seconds().max(1) as u32)
}
