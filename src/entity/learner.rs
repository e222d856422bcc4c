use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "learner")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Human-readable, printed on the registration card.
    pub code: String,
    pub full_name: String,
    pub name_folded: String,
    pub birth_date: Option<Date>,
    pub gender: String,
    /// Normalised to +84…; personal data.
    pub phone: Option<String>,
    pub commune_code: i32,
    pub organisation_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// The unguessable part of the personal progress link.
    pub access_token: Option<String>,
    pub consent_version: Option<String>,
    pub consent_at: Option<DateTimeUtc>,
    pub registered_by: Option<Uuid>,
    pub dedup_key: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub created_week: i32,
    pub updated_at: DateTimeUtc,
    /// HMAC-SHA256 of a citizen ID number under the configured key, for matching imports; never the number.
    pub citizen_id_hash: Option<String>,
    /// Set when the person's data was erased on request: the row stays, anonymous, so counts hold.
    pub erased_at: Option<DateTimeUtc>,
    pub erased_by: Option<String>,
    /// Their group (đối tượng); None until someone says.
    pub learner_group: Option<crate::model::LearnerGroup>,
    /// The week of their first completed course (the counters' `trained`); None before it.
    pub trained_week: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
