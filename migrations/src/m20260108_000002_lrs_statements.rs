//! The LRS keeps every valid statement as received (with `stored` and `authority` set), whatever its
//! verb, so nothing a platform sends is lost; those that record an outcome also change enrolments.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum LrsStatement {
    Table,
    Id,
    Stored,
    Verb,
    ObjectId,
    Body,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260108_000002_lrs_statements"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LrsStatement::Table)
                    .col(ColumnDef::new(LrsStatement::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(LrsStatement::Stored).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(LrsStatement::Verb).string().not_null())
                    .col(ColumnDef::new(LrsStatement::ObjectId).string().null())
                    .col(ColumnDef::new(LrsStatement::Body).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lrs_statement_stored")
                    .table(LrsStatement::Table)
                    .col(LrsStatement::Stored)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LrsStatement::Table).to_owned()).await
    }
}
