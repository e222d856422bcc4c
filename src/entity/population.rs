use sea_orm::entity::prelude::*;

/// How many people a unit counts, in one learner group ('' = everyone) and year: the denominator of coverage.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "population")]
pub struct Model {
    /// A province, a commune or an organisation (the CHECK refuses other kinds).
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_kind: crate::model::UnitKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub learner_group: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub population: i64,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
