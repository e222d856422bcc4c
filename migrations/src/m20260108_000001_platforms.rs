//! Platform connections: how a MOOC platform (Open edX, Moodle) signs in to the LRS, with HTTP Basic
//! `key:secret` as LRS clients do. The secret is kept only as its SHA-256 digest.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum PlatformConnection {
    Table,
    Id,
    Name,
    /// The platform's `account.homePage` values, a JSON array of strings.
    HomePages,
    Key,
    SecretHash,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260108_000001_platforms"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlatformConnection::Table)
                    .col(ColumnDef::new(PlatformConnection::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(PlatformConnection::Name).string().not_null())
                    .col(ColumnDef::new(PlatformConnection::HomePages).text().not_null())
                    .col(ColumnDef::new(PlatformConnection::Key).string().not_null().unique_key())
                    .col(ColumnDef::new(PlatformConnection::SecretHash).string().not_null())
                    .col(ColumnDef::new(PlatformConnection::CreatedBy).string().not_null())
                    .col(ColumnDef::new(PlatformConnection::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(PlatformConnection::RevokedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PlatformConnection::Table).to_owned()).await
    }
}
