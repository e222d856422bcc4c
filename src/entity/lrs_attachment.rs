use sea_orm::entity::prelude::*;

/// An attachment received with statements, by its SHA-2 digest (statements name it by that).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lrs_attachment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sha2: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
