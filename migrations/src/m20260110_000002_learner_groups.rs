//! Learner groups (đối tượng) and the learners trained, so coverage stays a counter read:
//! - `learner.learner_group`: one of the four groups of the basic digital-skills framework, or NULL
//!   (unclassified until set); `learner.trained_week`: the week of their first completed course.
//! - `stat_counter` gains `learner_group` in its key ('' = every learner; a group's code = that
//!   group's learners only) and `trained` (learners with at least one completed course, counted in
//!   the week of their first). The table is rebuilt: SQLite cannot change a primary key.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260110_000002_learner_groups"
    }
}

const GROUPS: &str = "'can_bo', 'hoc_sinh', 'nguoi_dan', 'nguoi_lao_dong'";
const UNIT_KINDS: &str = "'province', 'commune', 'organisation', 'team', 'course'";

/// SQLite's way to refuse values outside a list (it cannot add a CHECK to a table): the triggers
/// `m20260106_000001_typed_columns` uses.
fn sqlite_checks(table: &str, column: &str, list: &str) -> Vec<String> {
    let on_update = format!("UPDATE OF {column}");
    [("insert", "INSERT"), ("update", on_update.as_str())]
        .into_iter()
        .map(|(when, on)| {
            format!(
                "CREATE TRIGGER ck_{table}_{column}_{when} BEFORE {on} ON {table} \
                 WHEN NEW.{column} IS NOT NULL AND NEW.{column} NOT IN ({list}) \
                 BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_{table}_{column}'); END"
            )
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let mut sql: Vec<String> = vec![
            "ALTER TABLE learner ADD COLUMN learner_group TEXT NULL".into(),
            "ALTER TABLE learner ADD COLUMN trained_week INTEGER NULL".into(),
            // The trained learners as the rows say now: the week of each learner's first completion.
            "UPDATE learner SET trained_week = (SELECT MIN(e.completed_week) FROM enrolment e \
             WHERE e.learner_id = learner.id AND e.status = 'completed')"
                .into(),
        ];
        if postgres {
            sql.extend([
                format!(
                    "ALTER TABLE learner ADD CONSTRAINT ck_learner_learner_group CHECK (learner_group IN ({GROUPS}))"
                ),
                "ALTER TABLE stat_counter ADD COLUMN learner_group TEXT NOT NULL DEFAULT ''".into(),
                "ALTER TABLE stat_counter ADD COLUMN trained BIGINT NOT NULL DEFAULT 0".into(),
                "ALTER TABLE stat_counter DROP CONSTRAINT stat_counter_pkey".into(),
                "ALTER TABLE stat_counter ADD PRIMARY KEY (unit_kind, unit_id, course_id, week, learner_group)".into(),
            ]);
        } else {
            sql.extend(sqlite_checks("learner", "learner_group", GROUPS));
            sql.extend([
                "CREATE TABLE stat_counter_new (unit_kind TEXT NOT NULL, unit_id TEXT NOT NULL, \
                 course_id TEXT NOT NULL, week INTEGER NOT NULL, learner_group TEXT NOT NULL DEFAULT '', \
                 enrolled BIGINT NOT NULL, completed BIGINT NOT NULL, learners BIGINT NOT NULL, \
                 trained BIGINT NOT NULL DEFAULT 0, \
                 PRIMARY KEY (unit_kind, unit_id, course_id, week, learner_group))"
                    .into(),
                "INSERT INTO stat_counter_new (unit_kind, unit_id, course_id, week, enrolled, completed, learners) \
                 SELECT unit_kind, unit_id, course_id, week, enrolled, completed, learners FROM stat_counter"
                    .into(),
                "DROP TABLE stat_counter".into(),
                "ALTER TABLE stat_counter_new RENAME TO stat_counter".into(),
            ]);
            sql.extend(sqlite_checks("stat_counter", "unit_kind", UNIT_KINDS));
        }
        // The trained counts of the learners already there, by unit, all courses, all time and week.
        let uuid_text = |column: &str| {
            if postgres {
                format!("CAST({column} AS TEXT)")
            } else {
                // SQLite keeps a uuid as 16 bytes; counters name it in its usual text form.
                let hex = format!("lower(hex({column}))");
                format!(
                    "substr({hex}, 1, 8) || '-' || substr({hex}, 9, 4) || '-' || substr({hex}, 13, 4) || '-' || \
                     substr({hex}, 17, 4) || '-' || substr({hex}, 21, 12)"
                )
            }
        };
        let units = [
            ("province", "CAST(c.province_code AS TEXT)".to_string()),
            ("commune", "CAST(l.commune_code AS TEXT)".to_string()),
            ("organisation", uuid_text("l.organisation_id")),
            ("team", uuid_text("l.team_id")),
        ];
        for (week, grouping) in [("0", ""), ("l.trained_week", ", l.trained_week")] {
            for (kind, unit) in &units {
                sql.push(format!(
                    "INSERT INTO stat_counter (unit_kind, unit_id, course_id, week, learner_group, enrolled, completed, learners, trained) \
                     SELECT '{kind}', {unit}, '', {week}, '', 0, 0, 0, COUNT(*) FROM learner l \
                     JOIN commune c ON c.code = l.commune_code \
                     WHERE l.active = TRUE AND l.trained_week IS NOT NULL AND ({unit}) IS NOT NULL \
                     GROUP BY {unit}{grouping} \
                     ON CONFLICT (unit_kind, unit_id, course_id, week, learner_group) DO UPDATE SET trained = excluded.trained"
                ));
            }
        }
        // One batch on one connection: on SQLite, statements sent one by one may reach pooled
        // connections that still see the table as it was.
        db.execute_unprepared(&sql.join(";\n")).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let mut sql: Vec<String> = Vec::new();
        if db.get_database_backend() == DbBackend::Postgres {
            sql.extend(
                [
                    "DELETE FROM stat_counter WHERE learner_group <> ''",
                    "ALTER TABLE stat_counter DROP CONSTRAINT stat_counter_pkey",
                    "ALTER TABLE stat_counter ADD PRIMARY KEY (unit_kind, unit_id, course_id, week)",
                    "ALTER TABLE stat_counter DROP COLUMN learner_group",
                    "ALTER TABLE stat_counter DROP COLUMN trained",
                    "ALTER TABLE learner DROP CONSTRAINT ck_learner_learner_group",
                ]
                .map(String::from),
            );
        } else {
            sql.extend(
                [
                    "CREATE TABLE stat_counter_old (unit_kind TEXT NOT NULL, unit_id TEXT NOT NULL, \
                     course_id TEXT NOT NULL, week INTEGER NOT NULL, enrolled BIGINT NOT NULL, \
                     completed BIGINT NOT NULL, learners BIGINT NOT NULL, PRIMARY KEY (unit_kind, unit_id, course_id, week))",
                    "INSERT INTO stat_counter_old SELECT unit_kind, unit_id, course_id, week, enrolled, completed, learners \
                     FROM stat_counter WHERE learner_group = ''",
                    "DROP TABLE stat_counter",
                    "ALTER TABLE stat_counter_old RENAME TO stat_counter",
                    "DROP TRIGGER ck_learner_learner_group_insert",
                    "DROP TRIGGER ck_learner_learner_group_update",
                ]
                .map(String::from),
            );
            sql.extend(sqlite_checks("stat_counter", "unit_kind", UNIT_KINDS));
        }
        sql.push("ALTER TABLE learner DROP COLUMN learner_group".into());
        sql.push("ALTER TABLE learner DROP COLUMN trained_week".into());
        db.execute_unprepared(&sql.join(";\n")).await.map(drop)
    }
}
