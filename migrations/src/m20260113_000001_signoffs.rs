//! `signoff` (issue 22): a commune's confirmation of a week's figures, with the figures as they were
//! when signed (the snapshot), and the province admin's approval or return. One row per week and
//! commune: signing again after a return replaces the returned row; the audit log keeps the history.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Signoff {
    Table,
    Id,
    Week,
    CommuneCode,
    State,
    OnTime,
    SignedAt,
    SignedBy,
    Note,
    ReviewedAt,
    ReviewedBy,
    Comment,
    Enrolled,
    Completed,
    NewEnrolled,
    NewCompleted,
    Learners,
    Trained,
}

#[derive(DeriveIden)]
enum Commune {
    Table,
    Code,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260113_000001_signoffs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Signoff::Table)
                    .col(ColumnDef::new(Signoff::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Signoff::Week).integer().not_null())
                    .col(ColumnDef::new(Signoff::CommuneCode).integer().not_null())
                    .col(ColumnDef::new(Signoff::State).string().not_null())
                    .col(ColumnDef::new(Signoff::OnTime).boolean().not_null())
                    .col(ColumnDef::new(Signoff::SignedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Signoff::SignedBy).string().not_null())
                    .col(ColumnDef::new(Signoff::Note).text().null())
                    .col(ColumnDef::new(Signoff::ReviewedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Signoff::ReviewedBy).string().null())
                    .col(ColumnDef::new(Signoff::Comment).text().null())
                    .col(ColumnDef::new(Signoff::Enrolled).big_integer().not_null())
                    .col(ColumnDef::new(Signoff::Completed).big_integer().not_null())
                    .col(ColumnDef::new(Signoff::NewEnrolled).big_integer().not_null())
                    .col(ColumnDef::new(Signoff::NewCompleted).big_integer().not_null())
                    .col(ColumnDef::new(Signoff::Learners).big_integer().not_null())
                    .col(ColumnDef::new(Signoff::Trained).big_integer().not_null())
                    // `missing` is a commune without a row, never a row.
                    .check(Expr::cust("state IN ('signed', 'late', 'approved', 'returned')"))
                    // Signed on time is `signed`, after the deadline `late`.
                    .check(Expr::cust("(state <> 'signed' OR on_time) AND (state <> 'late' OR NOT on_time)"))
                    // Reviewed exactly when approved or returned.
                    .check(Expr::cust("(reviewed_at IS NULL) = (state IN ('signed', 'late'))"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Signoff::Table, Signoff::CommuneCode)
                            .to(Commune::Table, Commune::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_signoff_week_commune")
                    .table(Signoff::Table)
                    .col(Signoff::Week)
                    .col(Signoff::CommuneCode)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Signoff::Table).to_owned()).await
    }
}
