//! Files people bring: spreadsheets of learners, of completions, of platform accounts, and
//! MOOC platforms' own reports (targets are read in `statistics::targets`). `table` reads and
//! writes CSV and XLSX within limits and maps headers one way for every import.
pub mod completions;
pub mod learners;
pub mod platform_accounts;
pub mod platform_reports;
pub mod table;

use crate::auth::Actor;
use crate::{Error, Result};

/// A dry run answers like a lookup (who is registered, who is linked), so each caller's dry runs
/// are limited as lookups are.
pub(crate) async fn spend_dry_run(db: &sea_orm::DatabaseConnection, actor: &Actor) -> Result<()> {
    let who = match actor {
        Actor::Account(account) => account.id,
        Actor::Token(token) => token.id,
        Actor::Anonymous => return Err(Error::Unauthorized),
    };
    crate::service::throttle::spend(db, &[crate::service::throttle::dry_run(who)]).await.map(drop)
}

/// The learners `filter` selects, read as `M`: only the `columns` an import needs (a file names tens
/// of thousands of them).
pub(crate) async fn learners_as<M: sea_orm::FromQueryResult + Send + Sync>(
    conn: &impl sea_orm::ConnectionTrait,
    columns: &[crate::entity::learner::Column],
    filter: sea_orm::Condition,
) -> Result<Vec<M>> {
    use sea_orm::{EntityTrait, QueryFilter, QuerySelect};
    Ok(crate::entity::learner::Entity::find()
        .select_only()
        .columns(columns.iter().copied())
        .filter(filter)
        .into_model::<M>()
        .all(conn)
        .await?)
}
