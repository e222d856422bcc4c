//! A learner finds their own page with phone number and birth date, without an account. Both ways
//! of failing (no such phone, wrong birth date) get the same answer, and each client address may
//! look up only LOOKUP_LIMIT times a minute, so the form cannot be used to probe who is registered.
use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entity::{learner, lookup_attempt};
use crate::error::{Error, FieldError, Result};
use crate::i18n::Text;
use crate::person::{BirthDate, PhoneNumber};
use crate::service::{now, retry_after};

pub const LOOKUP_LIMIT: usize = 10;
pub const LOOKUP_WINDOW: Duration = Duration::minutes(1);

/// The access token of the active learner with this phone and birth date. Malformed input is a
/// field error; a well-formed pair that matches nobody is `Text::LookupNoMatch`, whichever part is wrong.
pub async fn own_page(
    db: &sea_orm::DatabaseConnection,
    phone: &str,
    birth_date: &str,
    client_addr: &str,
) -> Result<String> {
    let at = now();
    let since = at - LOOKUP_WINDOW;
    let txn = crate::db::write(db).await?;
    let recent = lookup_attempt::Entity::find()
        .filter(lookup_attempt::Column::ClientAddr.eq(client_addr))
        .filter(lookup_attempt::Column::At.gt(since))
        .order_by_desc(lookup_attempt::Column::At)
        .all(&txn)
        .await?;
    let times: Vec<_> = recent.iter().map(|r| r.at).collect();
    if let Some(wait) = retry_after(&times, LOOKUP_LIMIT, LOOKUP_WINDOW, at) {
        return Err(Error::RateLimited(wait));
    }
    // Old attempts are of no further use.
    lookup_attempt::Entity::delete_many()
        .filter(lookup_attempt::Column::At.lt(at - Duration::hours(1)))
        .exec(&txn)
        .await?;
    lookup_attempt::ActiveModel { id: Set(Uuid::now_v7()), client_addr: Set(client_addr.to_string()), at: Set(at) }
        .insert(&txn)
        .await?;
    txn.commit().await?;

    let mut problems = Vec::new();
    let phone =
        PhoneNumber::parse(phone).map_err(|p| problems.push(FieldError { field: "phone".into(), problem: p })).ok();
    let born = BirthDate::parse(birth_date, crate::week::vietnam_today())
        .map_err(|p| problems.push(FieldError { field: "birth_date".into(), problem: p }))
        .ok();
    let (Some(phone), Some(born)) = (phone, born) else {
        return Err(Error::Invalid(problems));
    };
    let token = learner::Entity::find()
        .filter(learner::Column::Phone.eq(phone.as_str()))
        .filter(learner::Column::BirthDate.eq(born.date()))
        .filter(learner::Column::Active.eq(true))
        .filter(learner::Column::AccessToken.is_not_null())
        .order_by_asc(learner::Column::CreatedAt)
        .one(db)
        .await?
        .and_then(|l| l.access_token);
    token.ok_or_else(|| Error::invalid("lookup", Text::LookupNoMatch))
}
