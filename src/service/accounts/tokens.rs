//! API tokens for other systems: shown once at creation, stored as a digest, revocable.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Actor, TokenActor, TokenScope};
use crate::entity::api_token;
use crate::i18n::Text;
use crate::model::TokenSummary;
use crate::service::secret::{digest, new_secret};
use crate::service::{audit, now};
use crate::{Error, Result};

/// Prefix so a leaked token is recognisable in a scanner or a bug report.
pub const TOKEN_PREFIX: &str = "hvs_";

fn summary(row: api_token::Model) -> Result<TokenSummary> {
    Ok(TokenSummary {
        id: row.id,
        scope: row.scope,
        name: row.name,
        created_at: row.created_at,
        created_by: row.created_by,
        revoked_at: row.revoked_at,
    })
}

/// Creates a token; the secret is returned here and never again. `by` names who asked (an admin, or "cli").
pub async fn create(
    db: &DatabaseConnection,
    by: &str,
    name: &str,
    scope: TokenScope,
) -> Result<(TokenSummary, String)> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(2..=60).contains(&name.chars().count()) {
        return Err(Error::invalid("name", Text::TokenNameInvalid));
    }
    let secret = format!("{TOKEN_PREFIX}{}", new_secret());
    let txn = crate::db::write(db).await?;
    let row = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        scope: Set(scope),
        token_hash: Set(digest(&secret)),
        created_by: Set(Some(by.to_string())),
        created_at: Set(now()),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        by,
        audit::Action::Create,
        audit::Entity::ApiToken,
        Some(row.id.to_string()),
        json!({"after": {"name": row.name, "scope": row.scope.as_str()}}),
    )
    .await?;
    txn.commit().await?;
    Ok((summary(row)?, secret))
}

pub async fn create_by_admin(
    db: &DatabaseConnection,
    actor: &Actor,
    name: &str,
    scope: TokenScope,
) -> Result<(TokenSummary, String)> {
    actor.require_country_admin()?;
    create(db, &actor.label(), name, scope).await
}

/// The machine client for a bearer secret, unless unknown or revoked.
pub async fn resolve(db: &impl ConnectionTrait, secret: &str) -> Result<Option<TokenActor>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(secret)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    row.map(|row| Ok(TokenActor { id: row.id, scope: row.scope, name: row.name })).transpose()
}

pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<TokenSummary>> {
    actor.require_country_admin()?;
    api_token::Entity::find()
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(summary)
        .collect()
}

pub async fn revoke(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require_country_admin()?;
    let txn = crate::db::write(db).await?;
    let row = api_token::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    if row.revoked_at.is_none() {
        let mut change = row.into_active_model();
        change.revoked_at = Set(Some(now()));
        change.update(&txn).await?;
        audit::record(
            &txn,
            &actor.label(),
            audit::Action::Revoke,
            audit::Entity::ApiToken,
            Some(id.to_string()),
            serde_json::Value::Null,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
