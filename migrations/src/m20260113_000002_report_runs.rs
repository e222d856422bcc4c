//! The weekly report that writes itself (issue 22): each week the scheduler wrote (`report_run`,
//! claimed before writing so two processes never both write it), its files (`report_file`, the only
//! names `/reports` serves) and its e-mails with their retries (`report_delivery`).
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ReportRun {
    Table,
    Week,
    ClaimedAt,
    WrittenAt,
}

#[derive(DeriveIden)]
enum ReportFile {
    Table,
    FileName,
    Week,
    ProvinceCode,
    Format,
    Path,
    Bytes,
    WrittenAt,
}

#[derive(DeriveIden)]
enum ReportDelivery {
    Table,
    Id,
    Week,
    ProvinceCode,
    Recipients,
    State,
    Attempts,
    LastError,
    NextAttemptAt,
    SentAt,
    CreatedAt,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260113_000002_report_runs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportRun::Table)
                    .col(ColumnDef::new(ReportRun::Week).integer().not_null().primary_key())
                    .col(ColumnDef::new(ReportRun::ClaimedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ReportRun::WrittenAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportFile::Table)
                    .col(ColumnDef::new(ReportFile::FileName).string().not_null().primary_key())
                    .col(ColumnDef::new(ReportFile::Week).integer().not_null())
                    // NULL: the country's report.
                    .col(ColumnDef::new(ReportFile::ProvinceCode).integer().null())
                    .col(ColumnDef::new(ReportFile::Format).string().not_null())
                    .col(ColumnDef::new(ReportFile::Path).string().not_null())
                    .col(ColumnDef::new(ReportFile::Bytes).big_integer().not_null())
                    .col(ColumnDef::new(ReportFile::WrittenAt).timestamp_with_time_zone().not_null())
                    .check(Expr::cust("format IN ('xlsx', 'csv')"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReportFile::Table, ReportFile::Week)
                            .to(ReportRun::Table, ReportRun::Week),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_report_file_week").table(ReportFile::Table).col(ReportFile::Week).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportDelivery::Table)
                    .col(ColumnDef::new(ReportDelivery::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ReportDelivery::Week).integer().not_null())
                    .col(ColumnDef::new(ReportDelivery::ProvinceCode).integer().null())
                    .col(ColumnDef::new(ReportDelivery::Recipients).text().not_null())
                    .col(ColumnDef::new(ReportDelivery::State).string().not_null())
                    .col(ColumnDef::new(ReportDelivery::Attempts).integer().not_null())
                    .col(ColumnDef::new(ReportDelivery::LastError).text().null())
                    .col(ColumnDef::new(ReportDelivery::NextAttemptAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ReportDelivery::SentAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ReportDelivery::CreatedAt).timestamp_with_time_zone().not_null())
                    .check(Expr::cust("state IN ('pending', 'sent', 'retrying', 'failed')"))
                    .check(Expr::cust("attempts >= 0"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReportDelivery::Table, ReportDelivery::Week)
                            .to(ReportRun::Table, ReportRun::Week),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [ReportDelivery::Table.into_iden(), ReportFile::Table.into_iden(), ReportRun::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
