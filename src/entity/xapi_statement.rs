use sea_orm::entity::prelude::*;

/// An xAPI statement already applied, by its id.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "xapi_statement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub received_at: DateTimeUtc,
    pub learner_id: Uuid,
    pub course_id: Uuid,
    pub verb: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
