//! How MOOC platforms' actors become learners: a learner's platform accounts (`learner_link`: an
//! account on a platform, or an e-mail address kept only as its SHA-1, as xAPI's `mbox_sha1sum`),
//! and the statements that record an outcome in a known course for an actor nobody is linked to
//! yet (`lrs_unmatched`), applied when the link is made.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum LearnerLink {
    Table,
    Id,
    LearnerId,
    ActorKey,
    Kind,
    HomePage,
    Name,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LrsUnmatched {
    Table,
    StatementId,
    ActorKey,
    Actor,
    Platform,
    CourseId,
    Verb,
    Timestamp,
    Stored,
}

#[derive(DeriveIden)]
enum Learner {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LrsStatement {
    Table,
    Id,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260109_000003_learner_links"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LearnerLink::Table)
                    .col(ColumnDef::new(LearnerLink::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(LearnerLink::LearnerId).uuid().not_null())
                    .col(ColumnDef::new(LearnerLink::ActorKey).string().not_null().unique_key())
                    .col(ColumnDef::new(LearnerLink::Kind).string().not_null())
                    .col(ColumnDef::new(LearnerLink::HomePage).string().null())
                    .col(ColumnDef::new(LearnerLink::Name).string().null())
                    .col(ColumnDef::new(LearnerLink::CreatedBy).string().not_null())
                    .col(ColumnDef::new(LearnerLink::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(LearnerLink::Table, LearnerLink::LearnerId)
                            .to(Learner::Table, Learner::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_learner_link_learner")
                    .table(LearnerLink::Table)
                    .col(LearnerLink::LearnerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LrsUnmatched::Table)
                    .col(ColumnDef::new(LrsUnmatched::StatementId).uuid().not_null().primary_key())
                    .col(ColumnDef::new(LrsUnmatched::ActorKey).string().not_null())
                    .col(ColumnDef::new(LrsUnmatched::Actor).string().not_null())
                    .col(ColumnDef::new(LrsUnmatched::Platform).string().not_null())
                    .col(ColumnDef::new(LrsUnmatched::CourseId).uuid().not_null())
                    .col(ColumnDef::new(LrsUnmatched::Verb).string().not_null())
                    .col(ColumnDef::new(LrsUnmatched::Timestamp).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(LrsUnmatched::Stored).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(LrsUnmatched::Table, LrsUnmatched::StatementId)
                            .to(LrsStatement::Table, LrsStatement::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lrs_unmatched_actor")
                    .table(LrsUnmatched::Table)
                    .col(LrsUnmatched::ActorKey)
                    .col(LrsUnmatched::Timestamp)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LrsUnmatched::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(LearnerLink::Table).to_owned()).await
    }
}
