use sea_orm::entity::prelude::*;

/// A document an LRS client keeps (xAPI 1.0.3, Communication 2.2): the state of an activity for
/// an agent, an activity's profile, or an agent's profile. The parts of its key a kind does not
/// use are '' (not NULL), so the unique key holds on both databases.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lrs_document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: DocumentKind,
    pub activity_id: String,
    /// `validate::agent_key` of the agent.
    pub agent_key: String,
    /// A registration UUID, hyphenated and lower-case.
    pub registration: String,
    pub document_id: String,
    pub content_type: String,
    pub content: Vec<u8>,
    /// The SHA-1 of `content`, in hexadecimal (unquoted).
    pub etag: String,
    pub updated: DateTimeUtc,
}

/// Which resource a document belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, DeriveActiveEnum, EnumIter)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum DocumentKind {
    #[sea_orm(string_value = "state")]
    State,
    #[sea_orm(string_value = "activity_profile")]
    ActivityProfile,
    #[sea_orm(string_value = "agent_profile")]
    AgentProfile,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
