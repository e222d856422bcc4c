//! xAPI: the activity IRI a course is known by on MOOC platforms, and the statements already
//! received, so a statement sent twice changes nothing.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Course {
    Table,
    ActivityIri,
}

#[derive(DeriveIden)]
enum XapiStatement {
    Table,
    Id,
    ReceivedAt,
    LearnerId,
    CourseId,
    Verb,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260103_000001_xapi"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Course::Table)
                    .add_column(ColumnDef::new(Course::ActivityIri).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(XapiStatement::Table)
                    .col(ColumnDef::new(XapiStatement::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(XapiStatement::ReceivedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(XapiStatement::LearnerId).uuid().not_null())
                    .col(ColumnDef::new(XapiStatement::CourseId).uuid().not_null())
                    .col(ColumnDef::new(XapiStatement::Verb).string().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(XapiStatement::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Course::Table).drop_column(Course::ActivityIri).to_owned()).await
    }
}
