//! Lookups of a learner's own page by phone and birth date, kept a short while to limit them per
//! client address.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum LookupAttempt {
    Table,
    Id,
    ClientAddr,
    At,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260104_000001_lookup"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LookupAttempt::Table)
                    .col(ColumnDef::new(LookupAttempt::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(LookupAttempt::ClientAddr).string().not_null())
                    .col(ColumnDef::new(LookupAttempt::At).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_lookup_attempt_addr")
                    .table(LookupAttempt::Table)
                    .col(LookupAttempt::ClientAddr)
                    .col(LookupAttempt::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LookupAttempt::Table).to_owned()).await
    }
}
