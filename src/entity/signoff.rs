use sea_orm::entity::prelude::*;

/// A commune's sign-off of a week (xác nhận số liệu tuần): the figures as signed, and the review.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signoff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The ISO week, as yyyyww.
    pub week: i32,
    pub commune_code: i32,
    pub state: crate::model::SignoffState,
    pub on_time: bool,
    pub signed_at: DateTimeUtc,
    pub signed_by: String,
    pub note: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<String>,
    pub comment: Option<String>,
    pub enrolled: i64,
    pub completed: i64,
    pub new_enrolled: i64,
    pub new_completed: i64,
    pub learners: i64,
    pub trained: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
