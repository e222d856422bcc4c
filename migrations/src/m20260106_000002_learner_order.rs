//! Learner lists and exports read newest first, a page after another from where the last ended:
//! an index in that order lets a million-learner export read each page without sorting the table.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Learner {
    Table,
    CreatedAt,
    Id,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260106_000002_learner_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_learner_created_id")
                    .table(Learner::Table)
                    .col(Learner::CreatedAt)
                    .col(Learner::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_learner_created_id").table(Learner::Table).to_owned()).await
    }
}
