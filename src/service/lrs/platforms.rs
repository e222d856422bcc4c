//! Platform connections: a MOOC platform's name, its `account.homePage` values, and the key and
//! secret it sends with HTTP Basic, as LRS clients (Open edX event-routing-backends, Moodle
//! logstore_xapi) are configured. The secret is shown once and kept as its digest; a connection
//! is revoked, never deleted. A connection may push statements and completions, nothing else.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Actor, TokenActor, TokenScope};
use crate::entity::platform_connection;
use crate::i18n::Text;
use crate::service::secret::{digest, new_secret};
use crate::service::{audit, now};
use crate::{Error, Result};

/// Prefix of a connection's key, so a key is recognisable in a platform's settings or a log.
pub const KEY_PREFIX: &str = "hvp_";

/// A platform connection as admins see it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Platform {
    pub id: Uuid,
    pub name: String,
    pub home_pages: Vec<String>,
    pub key: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn platform(row: platform_connection::Model) -> Platform {
    Platform {
        id: row.id,
        name: row.name,
        home_pages: serde_json::from_str(&row.home_pages).unwrap_or_default(),
        key: row.key,
        created_by: row.created_by,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
    }
}

/// A home page as platforms write it: an absolute http(s) URL, kept without a trailing slash.
fn home_page(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/');
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"))?;
    (!rest.is_empty() && !rest.contains(char::is_whitespace) && text.len() <= 500).then(|| text.to_string())
}

/// How a file or a command names a platform: its address (`https://…`) or the name of its
/// connection, which stands for the connection's first home page.
pub struct HomePages {
    by_name: std::collections::HashMap<String, String>,
}

impl HomePages {
    /// The connections in use, by name.
    pub async fn load(db: &impl ConnectionTrait) -> Result<HomePages> {
        let rows = platform_connection::Entity::find()
            .filter(platform_connection::Column::RevokedAt.is_null())
            .order_by_asc(platform_connection::Column::CreatedAt)
            .all(db)
            .await?;
        let mut by_name = std::collections::HashMap::new();
        for found in rows.into_iter().map(platform) {
            if let Some(first) = found.home_pages.first() {
                by_name.entry(crate::text::fold(&found.name)).or_insert_with(|| first.clone());
            }
        }
        Ok(HomePages { by_name })
    }

    /// The home page `text` names, without a trailing slash; None when it is neither an address nor
    /// a connection's name.
    pub fn resolve(&self, text: &str) -> Option<String> {
        let text = text.trim();
        if text.starts_with("http://") || text.starts_with("https://") {
            return home_page(text);
        }
        self.by_name.get(&crate::text::fold(text)).cloned()
    }
}

/// The platforms a file may name (names and first home pages, never keys), for those who may
/// import platform accounts: signed-in people and ingest clients.
pub async fn named(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<(String, String)>> {
    actor.require_account_or_token(TokenScope::Ingest)?;
    let rows = platform_connection::Entity::find()
        .filter(platform_connection::Column::RevokedAt.is_null())
        .order_by_asc(platform_connection::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(platform)
        .filter_map(|p| p.home_pages.first().cloned().map(|first| (p.name, first)))
        .collect())
}

/// Creates a connection; the secret is in the answer only. `by` names who did it in the audit log.
pub async fn create(
    db: &DatabaseConnection,
    by: &str,
    name: &str,
    home_pages: &[String],
) -> Result<(Platform, String)> {
    let name = name.trim();
    let mut problems = Vec::new();
    if !(2..=100).contains(&name.chars().count()) {
        problems.push(crate::error::FieldError { field: "name".into(), problem: Text::PlatformNameInvalid });
    }
    let pages: Option<Vec<String>> = home_pages.iter().map(|p| home_page(p)).collect();
    let pages = pages.filter(|p| !p.is_empty() && p.len() <= 20);
    if pages.is_none() {
        problems.push(crate::error::FieldError { field: "home_page".into(), problem: Text::HomePageInvalid });
    }
    let (Some(pages), true) = (pages, problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    let key = format!("{KEY_PREFIX}{}", Uuid::new_v4().simple());
    let secret = new_secret();
    let txn = crate::db::write(db).await?;
    let row = platform_connection::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_string()),
        home_pages: Set(serde_json::to_string(&pages).map_err(|_| Error::Internal)?),
        key: Set(key),
        secret_hash: Set(digest(&secret)),
        created_by: Set(by.to_string()),
        created_at: Set(now()),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        by,
        audit::Action::Create,
        audit::Entity::PlatformConnection,
        Some(row.id.to_string()),
        json!({"after": {"name": row.name, "home_pages": pages, "key": row.key}}),
    )
    .await?;
    txn.commit().await?;
    Ok((platform(row), secret))
}

/// `create` for an admin (the `/admin/platforms` page).
pub async fn create_by_admin(
    db: &DatabaseConnection,
    actor: &Actor,
    name: &str,
    home_pages: &[String],
) -> Result<(Platform, String)> {
    actor.require_country_admin()?;
    create(db, &actor.label(), name, home_pages).await
}

/// The connection for HTTP Basic `key:secret`, unless unknown, wrong or revoked. It acts as an
/// `ingest` client named after the platform.
pub async fn resolve(db: &impl ConnectionTrait, key: &str, secret: &str) -> Result<Option<TokenActor>> {
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let row = platform_connection::Entity::find()
        .filter(platform_connection::Column::Key.eq(key))
        .filter(platform_connection::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    // Digests of equal length compared whole: the time taken says nothing about the secret.
    let matches = |row: &platform_connection::Model| {
        let given = digest(secret);
        given.len() == row.secret_hash.len()
            && given.bytes().zip(row.secret_hash.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    };
    Ok(row.filter(matches).map(|row| TokenActor { id: row.id, scope: TokenScope::Ingest, name: row.name }))
}

pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<Platform>> {
    actor.require_country_admin()?;
    let rows =
        platform_connection::Entity::find().order_by_desc(platform_connection::Column::CreatedAt).all(db).await?;
    Ok(rows.into_iter().map(platform).collect())
}

/// Ends a connection by its key (the console): its key and secret stop working at once.
pub async fn revoke(db: &DatabaseConnection, by: &str, key: &str) -> Result<()> {
    end(db, by, platform_connection::Column::Key.eq(key)).await
}

/// Ends a connection by its id, for an admin (the `/admin/platforms` page).
pub async fn revoke_by_admin(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require_country_admin()?;
    end(db, &actor.label(), platform_connection::Column::Id.eq(id)).await
}

async fn end(db: &DatabaseConnection, by: &str, which: sea_orm::sea_query::SimpleExpr) -> Result<()> {
    let txn = crate::db::write(db).await?;
    let row = platform_connection::Entity::find().filter(which).one(&txn).await?.ok_or(Error::NotFound)?;
    if row.revoked_at.is_none() {
        let id = row.id;
        let mut change = row.into_active_model();
        change.revoked_at = Set(Some(now()));
        change.update(&txn).await?;
        audit::record(
            &txn,
            by,
            audit::Action::Revoke,
            audit::Entity::PlatformConnection,
            Some(id.to_string()),
            serde_json::Value::Null,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
