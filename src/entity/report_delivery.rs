use sea_orm::entity::prelude::*;

use crate::model::DeliveryState;

/// One e-mail of a week's report, its attempts and the next one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_delivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub week: i32,
    /// The report attached: None for the country's.
    pub province_code: Option<i32>,
    /// Comma-separated addresses.
    pub recipients: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
