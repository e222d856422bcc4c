use sea_orm::entity::prelude::*;

/// One commune or organisation an organiser works in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_scope")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// A commune or an organisation (the CHECK refuses other kinds).
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_kind: crate::model::UnitKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
