use sea_orm::entity::prelude::*;

/// One of a learner's platform accounts: statements whose actor has `actor_key` are theirs. An
/// e-mail address is kept only as its SHA-1 (`mbox_sha1sum|…`), never in clear.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "learner_link")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub learner_id: Uuid,
    /// `account|<homePage>|<name>` or `mbox_sha1sum|<sha1>` (`lrs::links::actor_key`).
    pub actor_key: String,
    /// `account` or `mbox`.
    pub kind: String,
    pub home_page: Option<String>,
    pub name: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
