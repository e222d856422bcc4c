//! What the statement resource queries by: whether a statement is voided, its registration and
//! the statement it targets (`lrs_statement`), the agents and activities it names
//! (`lrs_statement_key`), and the attachments received with statements (`lrs_attachment`, by
//! their SHA-2 digest).
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum LrsStatement {
    Table,
    Id,
    Stored,
    Verb,
    Voided,
    Registration,
    TargetId,
}

#[derive(DeriveIden)]
enum LrsStatementKey {
    Table,
    StatementId,
    Kind,
    Value,
}

#[derive(DeriveIden)]
enum LrsAttachment {
    Table,
    Sha2,
    ContentType,
    Content,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260109_000001_lrs_statement_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column an ALTER.
        for column in [
            ColumnDef::new(LrsStatement::Voided).boolean().not_null().default(false).to_owned(),
            ColumnDef::new(LrsStatement::Registration).string().null().to_owned(),
            ColumnDef::new(LrsStatement::TargetId).uuid().null().to_owned(),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table(LrsStatement::Table).add_column(&mut column).to_owned()).await?;
        }
        // Pages of statements go by (stored, id), newest first or oldest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_lrs_statement_stored_id")
                    .table(LrsStatement::Table)
                    .col(LrsStatement::Stored)
                    .col(LrsStatement::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lrs_statement_verb")
                    .table(LrsStatement::Table)
                    .col(LrsStatement::Verb)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lrs_statement_target")
                    .table(LrsStatement::Table)
                    .col(LrsStatement::TargetId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LrsStatementKey::Table)
                    .col(ColumnDef::new(LrsStatementKey::StatementId).uuid().not_null())
                    .col(ColumnDef::new(LrsStatementKey::Kind).string().not_null())
                    .col(ColumnDef::new(LrsStatementKey::Value).string().not_null())
                    .primary_key(
                        Index::create()
                            .col(LrsStatementKey::Kind)
                            .col(LrsStatementKey::Value)
                            .col(LrsStatementKey::StatementId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LrsStatementKey::Table, LrsStatementKey::StatementId)
                            .to(LrsStatement::Table, LrsStatement::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lrs_statement_key_statement")
                    .table(LrsStatementKey::Table)
                    .col(LrsStatementKey::StatementId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LrsAttachment::Table)
                    .col(ColumnDef::new(LrsAttachment::Sha2).string().not_null().primary_key())
                    .col(ColumnDef::new(LrsAttachment::ContentType).string().not_null())
                    .col(ColumnDef::new(LrsAttachment::Content).blob().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LrsAttachment::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(LrsStatementKey::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_lrs_statement_target").table(LrsStatement::Table).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("ix_lrs_statement_stored_id").table(LrsStatement::Table).to_owned())
            .await?;
        for column in [LrsStatement::TargetId, LrsStatement::Registration, LrsStatement::Voided] {
            manager.alter_table(Table::alter().table(LrsStatement::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
