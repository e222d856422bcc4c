//! A learner finds their own page with phone number and birth date, without an account. Both ways
//! of failing (no such phone, wrong birth date) get the same answer, and each client address may
//! look up only LOOKUP_LIMIT times a minute, so the form cannot be used to probe who is registered.
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::learner;
use crate::error::{Error, FieldError, Result};
use crate::i18n::Text;
use crate::person::{BirthDate, PhoneNumber};
use crate::service::throttle::{self, Budget};

pub const LOOKUP_LIMIT: usize = 10;
pub const LOOKUP_WINDOW: Duration = Duration::minutes(1);
/// Lookups of one phone number, from any address: its answer is a personal page, so a birth date
/// must not be guessed from many addresses either (36,500 possible dates take over 150 days at this rate).
pub const PHONE_LIMIT: usize = 10;
pub const PHONE_WINDOW: Duration = Duration::hours(1);

/// A phone number's budget is kept under its digest, never the number itself.
fn phone_key(phone: &PhoneNumber) -> String {
    format!("tel:{}", &crate::service::secret::digest(phone.as_str())[..32])
}

/// The secret of a page of the active learner with this phone and birth date, open for
/// `progress_link::GRANT_LIFETIME` (the printed link is kept hashed and cannot be shown again). Malformed input is a
/// field error; a well-formed pair that matches nobody is `Text::LookupNoMatch`, whichever part is wrong.
/// Each client address may try LOOKUP_LIMIT times in LOOKUP_WINDOW, each phone number PHONE_LIMIT
/// times in PHONE_WINDOW (`throttle::spend`: concurrent tries cannot slip past the limit).
pub async fn own_page(
    db: &sea_orm::DatabaseConnection,
    phone: &str,
    birth_date: &str,
    client_addr: &str,
) -> Result<String> {
    let mut problems = Vec::new();
    let phone =
        PhoneNumber::parse(phone).map_err(|p| problems.push(FieldError { field: "phone".into(), problem: p })).ok();
    let born = BirthDate::parse(birth_date, crate::week::vietnam_today())
        .map_err(|p| problems.push(FieldError { field: "birth_date".into(), problem: p }))
        .ok();
    let mut budgets = vec![Budget { key: client_addr.to_string(), limit: LOOKUP_LIMIT, window: LOOKUP_WINDOW }];
    budgets.extend(phone.as_ref().map(|p| Budget { key: phone_key(p), limit: PHONE_LIMIT, window: PHONE_WINDOW }));
    throttle::spend(db, &budgets).await?;

    let (Some(phone), Some(born)) = (phone, born) else {
        return Err(Error::Invalid(problems));
    };
    let found = learner::Entity::find()
        .filter(learner::Column::Phone.eq(phone.as_str()))
        .filter(learner::Column::BirthDate.eq(born.date()))
        .filter(learner::Column::Active.eq(true))
        .order_by_asc(learner::Column::CreatedAt)
        .one(db)
        .await?
        .ok_or_else(|| Error::invalid("lookup", Text::LookupNoMatch))?;
    let txn = crate::db::write(db).await?;
    let secret = crate::service::learners::progress_link::grant(&txn, found.id).await?;
    txn.commit().await?;
    Ok(secret)
}
