//! Browser sessions, held in the database so several app processes share them. The cookie carries a
//! random secret; the table keeps only its digest. Sessions end after IDLE_TIMEOUT without use, after
//! MAX_AGE in any case, at logout, and when the account is deactivated or its password reset.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;

use crate::Result;
use crate::auth::AccountActor;
use crate::entity::session;
use crate::service::accounts::actor_for;
use crate::service::secret::{digest, new_secret};

pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
pub const MAX_AGE: Duration = Duration::hours(12);
/// Last-seen is written at most this often, so reading a page does not always write.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Starts a session and returns the secret for the cookie.
pub async fn start(db: &impl ConnectionTrait, account_id: Uuid, at: DateTime<Utc>) -> Result<String> {
    let secret = new_secret();
    session::ActiveModel {
        id_hash: Set(digest(&secret)),
        account_id: Set(account_id),
        created_at: Set(at),
        last_seen_at: Set(at),
        expires_at: Set(at + MAX_AGE),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

/// The signed-in account for a cookie's secret, if the session is alive; an expired one is removed.
pub async fn resolve(db: &impl ConnectionTrait, secret: &str, at: DateTime<Utc>) -> Result<Option<AccountActor>> {
    let Some(row) = session::Entity::find_by_id(digest(secret)).one(db).await? else {
        return Ok(None);
    };
    if at >= row.expires_at || at - row.last_seen_at >= IDLE_TIMEOUT {
        session::Entity::delete_by_id(row.id_hash).exec(db).await?;
        return Ok(None);
    }
    let Some(actor) = actor_for(db, row.account_id).await? else {
        return Ok(None);
    };
    if at - row.last_seen_at >= TOUCH_EVERY {
        let mut touch = row.into_active_model();
        touch.last_seen_at = Set(at);
        touch.update(db).await?;
    }
    Ok(Some(actor))
}

/// Logout: the session is gone for every process at once.
pub async fn end(db: &impl ConnectionTrait, secret: &str) -> Result<()> {
    session::Entity::delete_by_id(digest(secret)).exec(db).await?;
    Ok(())
}

pub async fn end_all(db: &impl ConnectionTrait, account_id: Uuid) -> Result<()> {
    session::Entity::delete_many().filter(session::Column::AccountId.eq(account_id)).exec(db).await?;
    Ok(())
}
