//! The columns that hold a kind, a status or a source accept only the values the code knows, so a
//! row with an unknown status can never be written (and never read back as some default).
//! PostgreSQL gets CHECK constraints; SQLite, which cannot add a constraint to a table, gets
//! triggers that refuse the same rows on insert and on update. The lists are this migration's own:
//! a later change of an enum comes with a migration of its own.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260106_000001_typed_columns"
    }
}

/// (table, column, allowed values)
const TYPED: [(&str, &str, &[&str]); 8] = [
    ("enrolment", "status", &["enrolled", "in_progress", "completed"]),
    ("enrolment", "source", &["form", "import", "api", "xapi", "demo"]),
    ("stat_counter", "unit_kind", &["province", "commune", "organisation", "team", "course"]),
    ("target", "unit_kind", &["province", "commune", "organisation", "team", "course"]),
    ("target", "metric", &["completion_rate", "enrolments", "learners_trained"]),
    ("account_scope", "unit_kind", &["commune", "organisation"]),
    ("account", "role", &["admin", "organiser"]),
    ("api_token", "scope", &["ingest", "read-stats"]),
];

fn allowed(values: &[&str]) -> String {
    values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, values) in TYPED {
            let list = allowed(values);
            if db.get_database_backend() == DbBackend::Postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{column} CHECK ({column} IN ({list}))"
                ))
                .await?;
            } else {
                let on_update = format!("UPDATE OF {column}");
                for (when, on) in [("insert", "INSERT"), ("update", on_update.as_str())] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER ck_{table}_{column}_{when} BEFORE {on} ON {table} \
                         WHEN NEW.{column} NOT IN ({list}) \
                         BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_{table}_{column}'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, _) in TYPED {
            if db.get_database_backend() == DbBackend::Postgres {
                db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT ck_{table}_{column}")).await?;
            } else {
                for when in ["insert", "update"] {
                    db.execute_unprepared(&format!("DROP TRIGGER ck_{table}_{column}_{when}")).await?;
                }
            }
        }
        Ok(())
    }
}
