use sea_orm::entity::prelude::*;

/// A statement as the LRS received it, `stored` and `authority` set (`body`, JSON).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lrs_statement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub stored: DateTimeUtc,
    pub verb: String,
    pub object_id: Option<String>,
    pub body: String,
    /// A later statement voided this one: it is found by `voidedStatementId` only.
    pub voided: bool,
    pub registration: Option<String>,
    /// The statement this one's object refers to (a StatementRef).
    pub target_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
