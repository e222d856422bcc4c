use sea_orm::entity::prelude::*;

/// An agent or activity a statement names, for the statement resource's filters. `kind` is
/// `agent` (actor, or object when it is an agent or group), `activity` (object), `related_agent`
/// or `related_activity` (anywhere in the statement, sub-statement included).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lrs_statement_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub statement_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
