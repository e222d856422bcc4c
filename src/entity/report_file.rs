use sea_orm::entity::prelude::*;

/// One file of a written weekly report; its name is the only handle a download accepts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_file")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub file_name: String,
    pub week: i32,
    /// None: the country's report.
    pub province_code: Option<i32>,
    /// "xlsx" or "csv".
    pub format: String,
    /// Where it was written (the reports directory of the time, then the name).
    pub path: String,
    pub bytes: i64,
    pub written_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
