use sea_orm::entity::prelude::*;

/// A week the scheduler claimed (`claimed_at`) and, once its files are on disk, wrote (`written_at`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_run")]
pub struct Model {
    /// yyyyww.
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: i32,
    pub claimed_at: DateTimeUtc,
    pub written_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
