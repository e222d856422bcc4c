//! People's data: a citizen ID is kept only as a keyed hash (to match imports), and erasure on
//! request leaves an anonymous learner whose enrolments still count, marked with who erased and when.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Learner {
    Table,
    CitizenIdHash,
    ErasedAt,
    ErasedBy,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260105_000001_personal_data"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        for column in [
            ColumnDef::new(Learner::CitizenIdHash).string().null().to_owned(),
            ColumnDef::new(Learner::ErasedAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(Learner::ErasedBy).string().null().to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Learner::Table).add_column(column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_learner_citizen_id_hash")
                    .table(Learner::Table)
                    .col(Learner::CitizenIdHash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_learner_citizen_id_hash").table(Learner::Table).to_owned()).await?;
        for column in [Learner::ErasedBy, Learner::ErasedAt, Learner::CitizenIdHash] {
            manager.alter_table(Table::alter().table(Learner::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
