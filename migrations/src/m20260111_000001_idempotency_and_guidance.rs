//! Offline outbox support (issue 21):
//! - `idempotency_key`: the outcome of a write sent with an `Idempotency-Key`, per account or token,
//!   written in the transaction of the write it guards, so an entry sent twice is applied once;
//! - `guidance_session` (buổi hướng dẫn) of a team and `guidance_attendance`, the registered
//!   learners who attended one. Counted by GROUP BY (small tables), not by `stat_counter`.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    OwnerId,
    Key,
    Route,
    RequestHash,
    Outcome,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GuidanceSession {
    Table,
    Id,
    TeamId,
    CommuneCode,
    Village,
    HeldOn,
    Week,
    CourseId,
    Topic,
    GuidedUnregistered,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GuidanceAttendance {
    Table,
    SessionId,
    LearnerId,
}

#[derive(DeriveIden)]
enum Team {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Commune {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Course {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Learner {
    Table,
    Id,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260111_000001_idempotency_and_guidance"
    }
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).to_owned();
    for col in cols {
        index.col(Alias::new(*col));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(ColumnDef::new(IdempotencyKey::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(IdempotencyKey::Key).uuid().not_null())
                    .col(ColumnDef::new(IdempotencyKey::Route).string().not_null())
                    .col(ColumnDef::new(IdempotencyKey::RequestHash).string().not_null())
                    .col(ColumnDef::new(IdempotencyKey::Outcome).text().not_null())
                    .col(ColumnDef::new(IdempotencyKey::CreatedAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(IdempotencyKey::OwnerId).col(IdempotencyKey::Key))
                    .check(Expr::cust("route IN ('register_learner', 'record_completions', 'record_guidance_session')"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GuidanceSession::Table)
                    .col(ColumnDef::new(GuidanceSession::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(GuidanceSession::TeamId).uuid().not_null())
                    .col(ColumnDef::new(GuidanceSession::CommuneCode).integer().not_null())
                    .col(ColumnDef::new(GuidanceSession::Village).string().not_null())
                    .col(ColumnDef::new(GuidanceSession::HeldOn).date().not_null())
                    .col(ColumnDef::new(GuidanceSession::Week).integer().not_null())
                    .col(ColumnDef::new(GuidanceSession::CourseId).uuid().null())
                    .col(ColumnDef::new(GuidanceSession::Topic).string().null())
                    .col(ColumnDef::new(GuidanceSession::GuidedUnregistered).integer().not_null())
                    .col(ColumnDef::new(GuidanceSession::RecordedBy).string().not_null())
                    .col(ColumnDef::new(GuidanceSession::CreatedAt).timestamp_with_time_zone().not_null())
                    .check(Expr::cust("guided_unregistered >= 0"))
                    // A topic is a course or a skill typed in, never both nor neither.
                    .check(Expr::cust("(course_id IS NULL) <> (topic IS NULL)"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GuidanceSession::Table, GuidanceSession::TeamId)
                            .to(Team::Table, Team::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GuidanceSession::Table, GuidanceSession::CommuneCode)
                            .to(Commune::Table, Commune::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GuidanceSession::Table, GuidanceSession::CourseId)
                            .to(Course::Table, Course::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_guidance_session_team_week", &["team_id", "week"][..]),
            ("idx_guidance_session_commune_week", &["commune_code", "week"][..]),
            ("idx_guidance_session_week", &["week"][..]),
        ] {
            manager.create_index(index(name, GuidanceSession::Table, cols)).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(GuidanceAttendance::Table)
                    .col(ColumnDef::new(GuidanceAttendance::SessionId).uuid().not_null())
                    .col(ColumnDef::new(GuidanceAttendance::LearnerId).uuid().not_null())
                    .primary_key(Index::create().col(GuidanceAttendance::SessionId).col(GuidanceAttendance::LearnerId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GuidanceAttendance::Table, GuidanceAttendance::SessionId)
                            .to(GuidanceSession::Table, GuidanceSession::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GuidanceAttendance::Table, GuidanceAttendance::LearnerId)
                            .to(Learner::Table, Learner::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_guidance_attendance_learner", GuidanceAttendance::Table, &["learner_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GuidanceAttendance::Table.into_iden(),
            GuidanceSession::Table.into_iden(),
            IdempotencyKey::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
