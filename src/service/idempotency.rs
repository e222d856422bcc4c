//! Writes applied once (draft-ietf-httpapi-idempotency-key-header): an offline phone sends each
//! queued entry with an id it made, and may send it twice (a lost answer, two tabs). The key's row is
//! written in the transaction of the write it guards, so the effect and the key commit together; a
//! repeat gets the stored outcome back instead of a second effect.
//!
//! What is stored is the domain outcome (`Ok(value)` or the `Error`), not an HTTP answer: the
//! handler maps a replayed outcome exactly as it mapped the first.
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, Set};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::idempotency_key;
use crate::i18n::Text;
use crate::service::now;
use crate::{Error, Result};

/// The request header that carries the key.
pub const HEADER: &str = "Idempotency-Key";

/// How long a key is kept: far longer than a phone stays without signal, so a repeat within it is
/// still recognised; older keys go with the weekly report's run (`forget_expired`).
pub const KEPT_DAYS: i64 = 90;

/// Forgets the keys older than KEPT_DAYS at `now`; returns how many.
pub async fn forget_expired(db: &impl ConnectionTrait, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let cutoff = now - chrono::Duration::days(KEPT_DAYS);
    let done =
        idempotency_key::Entity::delete_many().filter(idempotency_key::Column::CreatedAt.lt(cutoff)).exec(db).await?;
    Ok(done.rows_affected)
}

/// A key as the client made it: a UUID (the phone makes v7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(Uuid);

impl IdempotencyKey {
    /// A header value: a UUID, bare or as the draft writes it, a structured-field string (`"…"`).
    pub fn parse(text: &str) -> Result<IdempotencyKey> {
        let text = text.trim();
        let bare = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        Uuid::try_parse(bare)
            .ok()
            .filter(|id| !id.is_nil())
            .map(IdempotencyKey)
            .ok_or_else(|| Error::invalid(HEADER, Text::IdempotencyKeyInvalid))
    }
}

/// The writes that take a key. A key is bound to one of them: sent to another, it is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    RegisterLearner,
    RecordCompletions,
    RecordGuidanceSession,
}

impl Route {
    fn as_str(self) -> &'static str {
        match self {
            Route::RegisterLearner => "register_learner",
            Route::RecordCompletions => "record_completions",
            Route::RecordGuidanceSession => "record_guidance_session",
        }
    }
}

/// One keyed send: whose key (an account's or a token's; never shared between them), which write,
/// and a digest of the request as parsed (so spacing or field order do not make it another request).
pub struct KeyedRequest {
    owner: Uuid,
    key: Uuid,
    route: Route,
    request_hash: String,
}

impl KeyedRequest {
    pub fn new(actor: &Actor, key: IdempotencyKey, route: Route, request: &impl Serialize) -> Result<KeyedRequest> {
        let owner = match actor {
            Actor::Account(account) => account.id,
            Actor::Token(token) => token.id,
            Actor::Anonymous => return Err(Error::Unauthorized),
        };
        let json = serde_json::to_string(request).map_err(|_| Error::Internal)?;
        Ok(KeyedRequest { owner, key: key.0, route, request_hash: crate::service::secret::digest(&json) })
    }

    /// Several senders of one key take turns (PostgreSQL; SQLite's write lock does it already).
    fn lock_name(&self) -> String {
        format!("idempotency:{}:{}", self.owner, self.key)
    }
}

/// What a keyed write answered: its outcome, and whether this is the stored outcome of an earlier send.
#[derive(Debug)]
pub struct Keyed<T> {
    pub outcome: Result<T>,
    pub replayed: bool,
}

impl<T> Keyed<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Keyed<U> {
        Keyed { outcome: self.outcome.map(f), replayed: self.replayed }
    }
}

/// The outcome stored for `send`, if its key was used before: 422 when it was used for another
/// request (another route or another body).
async fn stored<T: DeserializeOwned>(db: &impl ConnectionTrait, send: &KeyedRequest) -> Result<Option<Keyed<T>>> {
    let Some(row) = idempotency_key::Entity::find_by_id((send.owner, send.key)).one(db).await? else {
        return Ok(None);
    };
    if row.route != send.route.as_str() || row.request_hash != send.request_hash {
        return Err(Error::invalid(HEADER, Text::IdempotencyKeyReused));
    }
    let outcome: Result<T> = serde_json::from_str(&row.outcome).map_err(|err| {
        tracing::error!(%err, route = row.route, "a stored idempotent outcome does not read back");
        Error::Internal
    })?;
    Ok(Some(Keyed { outcome, replayed: true }))
}

/// The outcome of an earlier send of this key, if any: checked before the request is validated, so
/// a repeat is answered as the first was even when the rules changed in between.
pub async fn earlier<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    send: Option<&KeyedRequest>,
) -> Result<Option<Keyed<T>>> {
    match send {
        Some(send) => stored(db, send).await,
        None => Ok(None),
    }
}

/// Runs `work` in one write transaction. With a key, the outcome is stored in that transaction when
/// `keep` says it is an answer (not a refusal to correct and send again), and a send that finds the
/// key stored meanwhile (a concurrent send that committed first) gets that outcome instead of
/// running `work`. `work` returning an error must have written nothing that should stay: an `Err`
/// that `keep`s is committed with its key, any other `Err` is rolled back.
pub async fn apply<T: Serialize + DeserializeOwned>(
    db: &DatabaseConnection,
    send: Option<&KeyedRequest>,
    keep: impl FnOnce(&Result<T>) -> bool,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T>,
) -> Result<Keyed<T>> {
    let txn = crate::db::write(db).await?;
    if let Some(send) = send {
        crate::db::lock_keys(&txn, &[&send.lock_name()]).await?;
        if let Some(done) = stored(&txn, send).await? {
            return Ok(done);
        }
    }
    let outcome = work(&txn).await;
    match send {
        Some(send) if keep(&outcome) => {
            let row = idempotency_key::ActiveModel {
                owner_id: Set(send.owner),
                key: Set(send.key),
                route: Set(send.route.as_str().to_string()),
                request_hash: Set(send.request_hash.clone()),
                outcome: Set(serde_json::to_string(&outcome).map_err(|_| Error::Internal)?),
                created_at: Set(now()),
            };
            if let Err(err) = row.insert(&txn).await {
                // The lock makes this rare; should another send have stored the key all the same,
                // its outcome stands and this one's effect is rolled back with `txn`.
                if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) {
                    drop(txn);
                    return stored(db, send).await?.ok_or(Error::Unavailable);
                }
                return Err(err.into());
            }
            txn.commit().await?;
        }
        _ if outcome.is_ok() => txn.commit().await?,
        _ => {}
    }
    Ok(Keyed { outcome, replayed: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_uuids_bare_or_quoted() {
        let id = "01890a5d-ac96-774b-bcce-b302099a8057";
        assert_eq!(IdempotencyKey::parse(id), IdempotencyKey::parse(&format!("\"{id}\"")));
        assert!(IdempotencyKey::parse(id).is_ok());
        for bad in ["", "abc", "\"\"", "00000000-0000-0000-0000-000000000000", &format!("{id}x")] {
            assert_eq!(
                IdempotencyKey::parse(bad).unwrap_err().field_problem(HEADER),
                Some(Text::IdempotencyKeyInvalid),
                "{bad:?}"
            );
        }
    }
}
