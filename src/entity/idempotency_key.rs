use sea_orm::entity::prelude::*;

/// The outcome of a write sent with an `Idempotency-Key`, kept so a repeat is answered, not applied.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    /// The account or token that sent it: a key is theirs alone.
    #[sea_orm(primary_key, auto_increment = false)]
    pub owner_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: Uuid,
    pub route: String,
    /// SHA-256 of the request as parsed: the same key with another body is refused.
    pub request_hash: String,
    /// The domain outcome as JSON (`{"Ok": …}` or `{"Err": …}`); the handler maps it as the first time.
    pub outcome: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
