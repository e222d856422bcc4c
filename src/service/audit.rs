//! The audit log: who did what, when, with the values before and after. Admins read it.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Result;
use crate::auth::Actor;
use crate::entity::audit_log;
use crate::service::now;

/// What was done: the audit log's one vocabulary of actions, stored as their snake_case names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    ApproveSignOff,
    Complete,
    Create,
    Deactivate,
    Enrol,
    EnrolGroup,
    ErasePersonalData,
    Import,
    LinkPlatformAccount,
    Login,
    LoginFailed,
    Progress,
    Reactivate,
    RenewProgressLink,
    ResetPassword,
    ReturnSignOff,
    Revoke,
    SetPopulation,
    SetTarget,
    SignOff,
    Uncomplete,
    Update,
    Xapi,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ApproveSignOff => "approve_sign_off",
            Action::Complete => "complete",
            Action::Create => "create",
            Action::Deactivate => "deactivate",
            Action::Enrol => "enrol",
            Action::EnrolGroup => "enrol_group",
            Action::ErasePersonalData => "erase_personal_data",
            Action::Import => "import",
            Action::LinkPlatformAccount => "link_platform_account",
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::Progress => "progress",
            Action::Reactivate => "reactivate",
            Action::RenewProgressLink => "renew_progress_link",
            Action::ResetPassword => "reset_password",
            Action::ReturnSignOff => "return_sign_off",
            Action::Revoke => "revoke",
            Action::SetPopulation => "set_population",
            Action::SetTarget => "set_target",
            Action::SignOff => "sign_off",
            Action::Uncomplete => "uncomplete",
            Action::Update => "update",
            Action::Xapi => "xapi",
        }
    }
}

/// What it was done to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Account,
    ApiToken,
    Course,
    Enrolment,
    GuidanceSession,
    Learner,
    Organisation,
    PlatformConnection,
    Population,
    Signoff,
    Target,
    Team,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Account => "account",
            Entity::ApiToken => "api_token",
            Entity::Course => "course",
            Entity::Enrolment => "enrolment",
            Entity::GuidanceSession => "guidance_session",
            Entity::Learner => "learner",
            Entity::Organisation => "organisation",
            Entity::PlatformConnection => "platform_connection",
            Entity::Population => "population",
            Entity::Signoff => "signoff",
            Entity::Target => "target",
            Entity::Team => "team",
        }
    }
}

/// Writes one entry; call it inside the transaction of the change it records.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &str,
    action: Action,
    entity: Entity,
    entity_id: Option<String>,
    detail: serde_json::Value,
) -> Result<()> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now()),
        actor: Set(Some(actor.to_string())),
        action: Set(action.as_str().to_string()),
        entity: Set(entity.as_str().to_string()),
        entity_id: Set(entity_id),
        detail: Set((!detail.is_null()).then(|| detail.to_string())),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// From 0.
    pub page: u64,
}

pub use crate::model::AuditEntry;

pub const AUDIT_PAGE_SIZE: u64 = 50;

/// Newest first, for admins only.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, filter: &AuditFilter) -> Result<(Vec<AuditEntry>, u64)> {
    actor.require_country_admin()?;
    let mut query = audit_log::Entity::find();
    if let Some(who) = filter.actor.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(audit_log::Column::Actor.eq(who));
    }
    if let Some(action) = filter.action.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(entity) = filter.entity.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(audit_log::Column::Entity.eq(entity));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::Column::At.lt(to));
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .offset(filter.page * AUDIT_PAGE_SIZE)
        .limit(AUDIT_PAGE_SIZE)
        .all(db)
        .await?;
    Ok((rows.into_iter().map(entry).collect(), total))
}

/// Everything recorded about one thing (a learner by code, say), oldest first.
pub async fn about(db: &impl ConnectionTrait, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq(entity))
        .filter(audit_log::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_log::Column::At)
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(entry).collect())
}

fn entry(row: audit_log::Model) -> AuditEntry {
    AuditEntry {
        at: row.at,
        actor: row.actor.unwrap_or_default(),
        action: row.action,
        entity: row.entity,
        entity_id: row.entity_id,
        detail: row.detail,
    }
}
