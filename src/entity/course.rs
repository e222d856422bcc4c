use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub title_en: Option<String>,
    pub platform: String,
    pub url: Option<String>,
    pub hours: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// The xAPI activity id platforms use for this course, when it is not the link.
    pub activity_iri: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
