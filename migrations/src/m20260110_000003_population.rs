//! Population figures per unit, learner group and year, uploaded by admins, so rows can say what
//! share of the people they should reach have completed a course (coverage); and `coverage` as a
//! target metric (tenths of a percent, as the completion rate).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260110_000003_population"
    }
}

const METRICS_BEFORE: &str = "'completion_rate', 'enrolments', 'learners_trained'";
const METRICS: &str = "'completion_rate', 'enrolments', 'learners_trained', 'coverage'";

/// The statements that make `target.metric` take `list`: a CHECK on PostgreSQL, triggers on SQLite
/// (as `m20260106_000001_typed_columns` made them).
fn metric_check(postgres: bool, list: &str) -> Vec<String> {
    if postgres {
        return vec![
            "ALTER TABLE target DROP CONSTRAINT ck_target_metric".into(),
            format!("ALTER TABLE target ADD CONSTRAINT ck_target_metric CHECK (metric IN ({list}))"),
        ];
    }
    let mut sql =
        vec!["DROP TRIGGER ck_target_metric_insert".to_string(), "DROP TRIGGER ck_target_metric_update".into()];
    for (when, on) in [("insert", "INSERT"), ("update", "UPDATE OF metric")] {
        sql.push(format!(
            "CREATE TRIGGER ck_target_metric_{when} BEFORE {on} ON target WHEN NEW.metric NOT IN ({list}) \
             BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_target_metric'); END"
        ));
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let mut sql = vec![
            "CREATE TABLE population (unit_kind TEXT NOT NULL, unit_id TEXT NOT NULL, \
             learner_group TEXT NOT NULL, year INTEGER NOT NULL, population BIGINT NOT NULL, \
             updated_by TEXT NOT NULL, updated_at TIMESTAMP WITH TIME ZONE NOT NULL, \
             PRIMARY KEY (unit_kind, unit_id, learner_group, year), \
             CHECK (unit_kind IN ('province', 'commune', 'organisation')), \
             CHECK (learner_group IN ('', 'can_bo', 'hoc_sinh', 'nguoi_dan', 'nguoi_lao_dong')), \
             CHECK (population > 0))"
                .to_string(),
        ];
        sql.extend(metric_check(postgres, METRICS));
        // One batch on one connection (see m20260110_000002_learner_groups).
        db.execute_unprepared(&sql.join(";\n")).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let mut sql = vec!["DROP TABLE population".to_string(), "DELETE FROM target WHERE metric = 'coverage'".into()];
        sql.extend(metric_check(postgres, METRICS_BEFORE));
        db.execute_unprepared(&sql.join(";\n")).await.map(drop)
    }
}
