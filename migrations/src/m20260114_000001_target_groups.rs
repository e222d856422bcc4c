//! Targets per learner group: a provincial plan sets one figure for each of the framework's four
//! groups ("100% of cadres", "80% of adults") beside its total. `target.learner_group` is '' for
//! every learner (all targets so far) or a group's code, and joins the target's key.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260114_000001_target_groups"
    }
}

const GROUPS: &str = "'', 'can_bo', 'hoc_sinh', 'nguoi_dan', 'nguoi_lao_dong'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let mut sql = vec!["ALTER TABLE target ADD COLUMN learner_group TEXT NOT NULL DEFAULT ''".to_string()];
        if db.get_database_backend() == DbBackend::Postgres {
            sql.push(format!(
                "ALTER TABLE target ADD CONSTRAINT ck_target_learner_group CHECK (learner_group IN ({GROUPS}))"
            ));
        } else {
            // SQLite cannot add a CHECK to a table: triggers, as m20260106_000001_typed_columns made them.
            for (when, on) in [("insert", "INSERT"), ("update", "UPDATE OF learner_group")] {
                sql.push(format!(
                    "CREATE TRIGGER ck_target_learner_group_{when} BEFORE {on} ON target \
                     WHEN NEW.learner_group NOT IN ({GROUPS}) \
                     BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_target_learner_group'); END"
                ));
            }
        }
        sql.extend([
            "DROP INDEX uq_target_unit_period_metric".to_string(),
            "CREATE UNIQUE INDEX uq_target_unit_period_metric_group ON target (unit_kind, unit_id, period, metric, learner_group)"
                .into(),
        ]);
        // One batch on one connection (see m20260110_000002_learner_groups).
        db.execute_unprepared(&sql.join(";\n")).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let mut sql = vec![
            "DELETE FROM target WHERE learner_group <> ''".to_string(),
            "DROP INDEX uq_target_unit_period_metric_group".into(),
            "CREATE UNIQUE INDEX uq_target_unit_period_metric ON target (unit_kind, unit_id, period, metric)".into(),
        ];
        if db.get_database_backend() == DbBackend::Postgres {
            sql.push("ALTER TABLE target DROP CONSTRAINT ck_target_learner_group".into());
        } else {
            sql.push("DROP TRIGGER ck_target_learner_group_insert".into());
            sql.push("DROP TRIGGER ck_target_learner_group_update".into());
        }
        sql.push("ALTER TABLE target DROP COLUMN learner_group".into());
        db.execute_unprepared(&sql.join(";\n")).await.map(drop)
    }
}
