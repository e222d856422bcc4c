//! `enrolment.progress_changed_at`: when the enrolment's progress or status last changed. At-risk
//! lists ("no progress for 7 days") read it; `updated_at` cannot serve, as it also moves when a
//! platform re-sends the same outcome, a score or a certificate number changes, or nothing does.
//! Existing rows start from `updated_at`, the best that is known of them.
//!
//! The partial index holds only the enrolments not completed, longest unchanged first (then by id,
//! the list's order): an admin's province- or country-wide list reads a page without sorting the
//! table. Lists of one team, organisation, commune or organiser go through the learner indexes and
//! `uq_enrolment_learner_course` instead (`service::learners::at_risk`).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260112_000001_progress_changed_at"
    }
}

/// The condition is written as the at-risk query writes it: SQLite uses a partial index only for
/// a query that carries the same term.
const INDEX: &str = "CREATE INDEX idx_enrolment_open_changed ON enrolment (progress_changed_at, id) \
                     WHERE status <> 'completed'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql: Vec<&str> = if db.get_database_backend() == DbBackend::Postgres {
            vec![
                "ALTER TABLE enrolment ADD COLUMN progress_changed_at TIMESTAMP WITH TIME ZONE NULL",
                "UPDATE enrolment SET progress_changed_at = updated_at",
                "ALTER TABLE enrolment ALTER COLUMN progress_changed_at SET NOT NULL",
                INDEX,
            ]
        } else {
            // SQLite adds a NOT NULL column only with a default; every writer sets the column.
            vec![
                "ALTER TABLE enrolment ADD COLUMN progress_changed_at timestamp_with_timezone_text NOT NULL \
                 DEFAULT '1970-01-01 00:00:00+00:00'",
                "UPDATE enrolment SET progress_changed_at = updated_at",
                INDEX,
            ]
        };
        // One batch on one connection, as `m20260110_000002_learner_groups` explains.
        db.execute_unprepared(&sql.join(";\n")).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "DROP INDEX idx_enrolment_open_changed;\nALTER TABLE enrolment DROP COLUMN progress_changed_at",
        )
        .await
        .map(drop)
    }
}
