//! Services: the only code that reads or writes the database. Each takes a connection or a
//! transaction, so the same function serves the web, the CLI and the tests, on SQLite and PostgreSQL.
pub mod accounts;
pub mod audit;
pub mod courses;
pub mod dashboard;
pub mod demo;
pub mod enrolment;
pub mod figures;
pub mod import;
pub mod import_completions;
pub mod learner;
pub mod lookup;
pub mod overview;
pub mod password;
pub mod privacy;
pub mod progress;
pub mod progress_link;
pub mod reference;
pub mod registration;
pub mod report;
pub mod secret;
pub mod sessions;
pub mod stats;
pub mod table;
pub mod targets;
pub mod throttle;
pub mod tokens;
pub mod units;
pub mod xapi;

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
