use sea_orm::entity::prelude::*;

/// A learner in a course ("lượt"): the unit completion rates count.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub learner_id: Uuid,
    pub course_id: Uuid,
    pub status: crate::model::EnrolmentStatus,
    pub progress: i32,
    pub enrolled_at: DateTimeUtc,
    pub enrolled_week: i32,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_week: Option<i32>,
    pub score: Option<f64>,
    pub certificate_no: Option<String>,
    pub source: crate::model::Source,
    pub updated_at: DateTimeUtc,
    /// When progress or status last changed (`enrolments::stamped`); `updated_at` moves for any write.
    pub progress_changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
