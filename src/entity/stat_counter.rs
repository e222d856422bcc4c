use sea_orm::entity::prelude::*;

/// Running totals per unit, per course ('' = all courses), per ISO week (0 = all time) and per
/// learner group ('' = every learner, else a group's code).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_counter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_kind: crate::model::UnitKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub learner_group: String,
    pub enrolled: i64,
    pub completed: i64,
    pub learners: i64,
    /// Learners with at least one completed course, in the week of their first (all-courses rows only).
    pub trained: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
