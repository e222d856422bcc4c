//! Budgets of attempts for things an attacker would repeat: signing in, looking up a learner's
//! page, and dry runs of imports (each answers whether people exist). Attempts are rows of `lookup_attempt`
//! under a key — a client address, a phone number's digest, an account — counted and recorded
//! in one atomic step, so attempts sent at once cannot slip past the limit.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::lookup_attempt;
use crate::service::{now, retry_after};
use crate::{Error, Result};

/// At most `limit` attempts under `key` in any `window`.
#[derive(Clone, Debug)]
pub struct Budget {
    pub key: String,
    pub limit: usize,
    pub window: Duration,
}

/// Seconds to wait if any budget is spent.
async fn wait_needed(db: &impl ConnectionTrait, budgets: &[Budget], at: DateTime<Utc>) -> Result<Option<u32>> {
    for budget in budgets {
        let recent = lookup_attempt::Entity::find()
            .filter(lookup_attempt::Column::ClientAddr.eq(&budget.key))
            .filter(lookup_attempt::Column::At.gt(at - budget.window))
            .order_by_desc(lookup_attempt::Column::At)
            .limit(budget.limit as u64)
            .all(db)
            .await?;
        let times: Vec<_> = recent.iter().map(|r| r.at).collect();
        if let Some(wait) = retry_after(&times, budget.limit, budget.window, at) {
            return Ok(Some(wait));
        }
    }
    Ok(None)
}

/// Refuses with `RateLimited` when any budget is spent, on a plain read: no write lock taken,
/// nothing written. For a caller who must do something first (wait for a hashing turn) before `spend`.
pub async fn check(db: &DatabaseConnection, budgets: &[Budget]) -> Result<()> {
    match wait_needed(db, budgets, now()).await? {
        Some(wait) => Err(Error::RateLimited(wait)),
        None => Ok(()),
    }
}

/// The attempts one `spend` recorded, to give back when the attempt turns out not to count.
pub struct Spent(Vec<Uuid>);

/// Records one attempt against every budget, or refuses with `RateLimited` when any is spent.
/// A refused caller is turned away on a plain read: no write lock taken, nothing written.
pub async fn spend(db: &DatabaseConnection, budgets: &[Budget]) -> Result<Spent> {
    let at = now();
    if let Some(wait) = wait_needed(db, budgets, at).await? {
        return Err(Error::RateLimited(wait));
    }
    let txn = crate::db::write(db).await?;
    let locks: Vec<String> = budgets.iter().map(|b| format!("budget {}", b.key)).collect();
    crate::db::lock_keys(&txn, &locks.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    if let Some(wait) = wait_needed(&txn, budgets, at).await? {
        return Err(Error::RateLimited(wait));
    }
    // Attempts older than any window are of no further use.
    lookup_attempt::Entity::delete_many()
        .filter(lookup_attempt::Column::At.lt(at - Duration::days(1)))
        .exec(&txn)
        .await?;
    let mut recorded = Vec::with_capacity(budgets.len());
    for budget in budgets {
        let id = Uuid::now_v7();
        lookup_attempt::ActiveModel { id: Set(id), client_addr: Set(budget.key.clone()), at: Set(at) }
            .insert(&txn)
            .await?;
        recorded.push(id);
    }
    txn.commit().await?;
    Ok(Spent(recorded))
}

/// Gives back what `spend` recorded (a sign-in whose password was right costs nothing).
pub async fn refund(db: &impl ConnectionTrait, spent: Spent) -> Result<()> {
    lookup_attempt::Entity::delete_many().filter(lookup_attempt::Column::Id.is_in(spent.0)).exec(db).await?;
    Ok(())
}

/// Dry runs of imports an account may make in a minute: a dry run tells whether people exist, like a lookup.
pub fn dry_run(account: Uuid) -> Budget {
    Budget { key: format!("dry-run {account}"), limit: 10, window: Duration::minutes(1) }
}
