//! Levels of administration: an admin account may be limited to one province (`account.province`);
//! NULL is a country admin (and every organiser, whose scope is their communes and organisations).
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Account {
    Table,
    Province,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260110_000001_province_admins"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Account::Table)
                    .add_column(ColumnDef::new(Account::Province).integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Account::Table).drop_column(Account::Province).to_owned()).await
    }
}
