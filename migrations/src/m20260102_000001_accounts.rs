//! Accounts (admins and scoped organisers), their scopes, database-held sessions,
//! API tokens for other systems, and login attempts for throttling.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AccountScope {
    Table,
    AccountId,
    UnitKind,
    UnitId,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    IdHash,
    AccountId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    Scope,
    TokenHash,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}

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
        "m20260102_000001_accounts"
    }
}

fn timestamp<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(ColumnDef::new(Account::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Account::Username).string().not_null().unique_key())
                    .col(ColumnDef::new(Account::DisplayName).string().not_null())
                    .col(ColumnDef::new(Account::PasswordHash).string().not_null())
                    .col(ColumnDef::new(Account::Role).string().not_null())
                    .col(ColumnDef::new(Account::Active).boolean().not_null())
                    .col(timestamp(Account::CreatedAt))
                    .col(timestamp(Account::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountScope::Table)
                    .col(ColumnDef::new(AccountScope::AccountId).uuid().not_null())
                    .col(ColumnDef::new(AccountScope::UnitKind).string().not_null())
                    .col(ColumnDef::new(AccountScope::UnitId).string().not_null())
                    .primary_key(
                        Index::create()
                            .col(AccountScope::AccountId)
                            .col(AccountScope::UnitKind)
                            .col(AccountScope::UnitId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountScope::Table, AccountScope::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    // SHA-256 of the cookie value: a stolen database does not hold usable sessions.
                    .col(ColumnDef::new(Session::IdHash).string().not_null().primary_key())
                    .col(ColumnDef::new(Session::AccountId).uuid().not_null())
                    .col(timestamp(Session::CreatedAt))
                    .col(timestamp(Session::LastSeenAt))
                    .col(timestamp(Session::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create().from(Session::Table, Session::AccountId).to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_session_account").table(Session::Table).col(Session::AccountId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(ColumnDef::new(ApiToken::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ApiToken::Name).string().not_null())
                    .col(ColumnDef::new(ApiToken::Scope).string().not_null())
                    .col(ColumnDef::new(ApiToken::TokenHash).string().not_null().unique_key())
                    .col(ColumnDef::new(ApiToken::CreatedBy).string().null())
                    .col(timestamp(ApiToken::CreatedAt))
                    .col(ColumnDef::new(ApiToken::RevokedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempt::Table)
                    .col(ColumnDef::new(LoginAttempt::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(LoginAttempt::Username).string().not_null())
                    .col(ColumnDef::new(LoginAttempt::ClientAddr).string().not_null())
                    .col(timestamp(LoginAttempt::At))
                    .col(ColumnDef::new(LoginAttempt::Success).boolean().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_attempt_username")
                    .table(LoginAttempt::Table)
                    .col(LoginAttempt::Username)
                    .col(LoginAttempt::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_attempt_addr")
                    .table(LoginAttempt::Table)
                    .col(LoginAttempt::ClientAddr)
                    .col(LoginAttempt::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginAttempt::Table.into_iden(),
            ApiToken::Table.into_iden(),
            Session::Table.into_iden(),
            AccountScope::Table.into_iden(),
            Account::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
