use sea_orm::entity::prelude::*;

/// Đội hình: a "Bình dân học vụ số" team of a commune.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "team")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub name_folded: String,
    pub commune_code: i32,
    pub organisation_id: Option<Uuid>,
    pub leader_name: Option<String>,
    pub member_count: i32,
    pub founded_on: Option<Date>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
