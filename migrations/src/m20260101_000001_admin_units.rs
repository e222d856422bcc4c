//! Provinces and communes after the 2025 reform (34 provinces, 3,321 communes), keyed by official code.
use sea_orm_migration::prelude::*;

/// A copy of shared/data/vn-admin-units-2025.csv, so the app never reads outside the repository.
const ADMIN_UNITS_CSV: &str = include_str!("../data/vn-admin-units-2025.csv");

#[derive(DeriveIden)]
pub enum Province {
    Table,
    Code,
    Name,
    Kind,
}

#[derive(DeriveIden)]
pub enum Commune {
    Table,
    Code,
    ProvinceCode,
    Name,
    Kind,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000001_admin_units"
    }
}

/// One row of the reference file: (province_code, province_name, province_type, commune_code, commune_name, commune_type).
fn admin_unit_rows() -> impl Iterator<Item = Vec<&'static str>> {
    ADMIN_UNITS_CSV
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.trim_end_matches('\r').split(',').collect::<Vec<_>>())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Province::Table)
                    .col(ColumnDef::new(Province::Code).integer().not_null().primary_key())
                    .col(ColumnDef::new(Province::Name).string().not_null())
                    .col(ColumnDef::new(Province::Kind).string().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Commune::Table)
                    .col(ColumnDef::new(Commune::Code).integer().not_null().primary_key())
                    .col(ColumnDef::new(Commune::ProvinceCode).integer().not_null())
                    .col(ColumnDef::new(Commune::Name).string().not_null())
                    .col(ColumnDef::new(Commune::Kind).string().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Commune::Table, Commune::ProvinceCode)
                            .to(Province::Table, Province::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_commune_province")
                    .table(Commune::Table)
                    .col(Commune::ProvinceCode)
                    .to_owned(),
            )
            .await?;

        let mut provinces = Query::insert()
            .into_table(Province::Table)
            .columns([Province::Code, Province::Name, Province::Kind])
            .to_owned();
        let mut seen = std::collections::BTreeSet::new();
        for row in admin_unit_rows() {
            let code: i32 = row[0].parse().map_err(|_| DbErr::Custom(format!("bad province code {}", row[0])))?;
            if seen.insert(code) {
                provinces.values_panic([code.into(), row[1].into(), row[2].into()]);
            }
        }
        manager.exec_stmt(provinces).await?;

        let rows: Vec<_> = admin_unit_rows().collect();
        for chunk in rows.chunks(500) {
            let mut communes = Query::insert()
                .into_table(Commune::Table)
                .columns([Commune::Code, Commune::ProvinceCode, Commune::Name, Commune::Kind])
                .to_owned();
            for row in chunk {
                let province: i32 =
                    row[0].parse().map_err(|_| DbErr::Custom(format!("bad province code {}", row[0])))?;
                let code: i32 = row[3].parse().map_err(|_| DbErr::Custom(format!("bad commune code {}", row[3])))?;
                communes.values_panic([code.into(), province.into(), row[4].into(), row[5].into()]);
            }
            manager.exec_stmt(communes).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Commune::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Province::Table).to_owned()).await
    }
}
