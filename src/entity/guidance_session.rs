use sea_orm::entity::prelude::*;

/// Buổi hướng dẫn: a team guiding people in a village, some registered (`guidance_attendance`), some not.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guidance_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub commune_code: i32,
    /// Thôn/bản.
    pub village: String,
    pub held_on: Date,
    /// The ISO week of `held_on`, as yyyyww.
    pub week: i32,
    /// The topic: a course, or (`topic`) a skill typed in; exactly one of the two.
    pub course_id: Option<Uuid>,
    pub topic: Option<String>,
    pub guided_unregistered: i32,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
