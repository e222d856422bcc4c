use sea_orm::entity::prelude::*;

/// A kept statement that records an outcome in a known course for an actor no learner is linked
/// to yet. Applied, in `timestamp` order, and removed when a link is made.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lrs_unmatched")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub statement_id: Uuid,
    pub actor_key: String,
    /// How organisers recognise the actor: its name and account, an e-mail address masked.
    pub actor: String,
    /// Who sent it (the platform connection or token).
    pub platform: String,
    pub course_id: Uuid,
    /// What the statement will do once linked: ADL's registered, progressed or completed.
    pub verb: String,
    pub timestamp: DateTimeUtc,
    pub stored: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
