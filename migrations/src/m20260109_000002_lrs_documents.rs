//! The documents LRS clients keep (xAPI 1.0.3 State, Activity Profile and Agent Profile
//! resources): any content type, as bytes, with the SHA-1 its ETag is made of. A key part a kind
//! does not use is '' rather than NULL, since NULLs never collide in a unique index.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum LrsDocument {
    Table,
    Id,
    Kind,
    ActivityId,
    AgentKey,
    Registration,
    DocumentId,
    ContentType,
    Content,
    Etag,
    Updated,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260109_000002_lrs_documents"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let kinds = Expr::col(LrsDocument::Kind).is_in(["state", "activity_profile", "agent_profile"]);
        manager
            .create_table(
                Table::create()
                    .table(LrsDocument::Table)
                    .col(ColumnDef::new(LrsDocument::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(LrsDocument::Kind).string().not_null())
                    .col(ColumnDef::new(LrsDocument::ActivityId).string().not_null().default(""))
                    .col(ColumnDef::new(LrsDocument::AgentKey).string().not_null().default(""))
                    .col(ColumnDef::new(LrsDocument::Registration).string().not_null().default(""))
                    .col(ColumnDef::new(LrsDocument::DocumentId).string().not_null())
                    .col(ColumnDef::new(LrsDocument::ContentType).string().not_null())
                    .col(ColumnDef::new(LrsDocument::Content).blob().not_null())
                    .col(ColumnDef::new(LrsDocument::Etag).string().not_null())
                    .col(ColumnDef::new(LrsDocument::Updated).timestamp_with_time_zone().not_null())
                    .check(Check::named("ck_lrs_document_kind", kinds))
                    .to_owned(),
            )
            .await?;
        // Also serves the lists (kind, activity, agent, registration) a GET without an id asks for.
        manager
            .create_index(
                Index::create()
                    .name("ux_lrs_document_key")
                    .table(LrsDocument::Table)
                    .col(LrsDocument::Kind)
                    .col(LrsDocument::ActivityId)
                    .col(LrsDocument::AgentKey)
                    .col(LrsDocument::Registration)
                    .col(LrsDocument::DocumentId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LrsDocument::Table).to_owned()).await
    }
}
