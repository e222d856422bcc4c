//! Sign-in attempts are budgets like lookups and dry runs (`throttle::Budget`), kept in the one
//! table of attempts; the separate sign-in table goes. Who signed in, or failed to, is in the audit log.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum LoginAttempt {
    Table,
    Id,
    Username,
    ClientAddr,
    At,
    Success,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260107_000002_one_attempt_table"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LoginAttempt::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempt::Table)
                    .col(ColumnDef::new(LoginAttempt::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(LoginAttempt::Username).string().not_null())
                    .col(ColumnDef::new(LoginAttempt::ClientAddr).string().not_null())
                    .col(ColumnDef::new(LoginAttempt::At).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(LoginAttempt::Success).boolean().not_null())
                    .to_owned(),
            )
            .await
    }
}
