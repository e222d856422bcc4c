//! Accounts: admins and scoped organisers. Created, rescoped, reset and deactivated by admins;
//! nothing is deleted. Sign-in is throttled per account and per client address.
pub mod password;
pub mod sessions;
pub mod tokens;

use std::collections::HashMap;

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{AccountActor, Actor, Role, Scope};
use crate::entity::{account, account_scope, commune, organisation};
use crate::i18n::Text;
use crate::model::{AccountSummary, UnitKind};
use crate::service::throttle::{self, Budget};
use crate::service::{audit, now};
use crate::{Error, Result};
use password::Password;

/// Failures allowed in `THROTTLE_WINDOW`, per account and per client address.
pub const MAX_FAILURES: u64 = 5;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);

/// Lower case; 3–40 of a–z, 0–9, '.', '-', '_'.
pub fn parse_username(text: &str) -> Result<String> {
    let username = text.trim().to_lowercase();
    let valid = (3..=40).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if valid { Ok(username) } else { Err(Error::invalid("username", Text::UsernameInvalid)) }
}

/// Trimmed, inner spaces collapsed, 2–100 characters.
pub fn parse_display_name(text: &str) -> Result<String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if (2..=100).contains(&name.chars().count()) {
        Ok(name)
    } else {
        Err(Error::invalid("display_name", Text::DisplayNameInvalid))
    }
}

/// A scope typed as commune codes separated by commas or spaces ("4465, 4456").
pub fn parse_scope(text: &str) -> Result<Scope> {
    let mut scope = Scope::default();
    for word in text.split([',', ';', ' ']).map(str::trim).filter(|w| !w.is_empty()) {
        let code = word.parse::<i32>().map_err(|_| Error::invalid("scope", Text::UnknownCommune))?;
        scope.communes.insert(code);
    }
    Ok(scope)
}

/// Checks that every commune and organisation of a scope exists.
async fn check_scope(db: &impl ConnectionTrait, scope: &Scope) -> Result<()> {
    if scope.is_empty() {
        return Err(Error::invalid("scope", Text::ScopeEmpty));
    }
    let communes =
        commune::Entity::find().filter(commune::Column::Code.is_in(scope.communes.iter().copied())).count(db).await?;
    if communes != scope.communes.len() as u64 {
        return Err(Error::invalid("scope", Text::UnknownCommune));
    }
    let organisations = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(scope.organisations.iter().copied()))
        .count(db)
        .await?;
    if organisations != scope.organisations.len() as u64 {
        return Err(Error::invalid("scope", Text::UnknownOrganisation));
    }
    Ok(())
}

async fn write_scope(db: &impl ConnectionTrait, account_id: Uuid, scope: &Scope) -> Result<()> {
    account_scope::Entity::delete_many().filter(account_scope::Column::AccountId.eq(account_id)).exec(db).await?;
    let rows: Vec<_> = scope
        .communes
        .iter()
        .map(|c| (UnitKind::Commune, c.to_string()))
        .chain(scope.organisations.iter().map(|o| (UnitKind::Organisation, o.to_string())))
        .map(|(kind, id)| account_scope::ActiveModel {
            account_id: Set(account_id),
            unit_kind: Set(kind),
            unit_id: Set(id),
        })
        .collect();
    if !rows.is_empty() {
        account_scope::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

async fn read_scope(db: &impl ConnectionTrait, account_id: Uuid) -> Result<Scope> {
    let rows = account_scope::Entity::find().filter(account_scope::Column::AccountId.eq(account_id)).all(db).await?;
    let mut scope = Scope::default();
    for row in rows {
        add_to_scope(&mut scope, &row);
    }
    Ok(scope)
}

fn add_to_scope(scope: &mut Scope, row: &account_scope::Model) {
    match row.unit_kind {
        UnitKind::Commune => scope.communes.extend(row.unit_id.parse::<i32>().ok()),
        UnitKind::Organisation => scope.organisations.extend(row.unit_id.parse::<Uuid>().ok()),
        _ => {}
    }
}

/// The signed-in actor for an active account. A province admin's scope is every commune of their
/// province, so every check of a place (`Actor::may_manage`) covers the province and nothing else.
pub async fn actor_for(db: &impl ConnectionTrait, account_id: Uuid) -> Result<Option<AccountActor>> {
    let Some(row) = account::Entity::find_by_id(account_id).one(db).await?.filter(|a| a.active) else {
        return Ok(None);
    };
    let scope = match (row.role, row.province) {
        (Role::Admin, Some(province)) => province_scope(db, province).await?,
        _ => read_scope(db, row.id).await?,
    };
    Ok(Some(AccountActor {
        id: row.id,
        role: row.role,
        province: row.province.filter(|_| row.role == Role::Admin),
        scope,
        username: row.username,
        display_name: row.display_name,
    }))
}

/// Every commune of a province, as a scope.
async fn province_scope(db: &impl ConnectionTrait, province: i32) -> Result<Scope> {
    let communes = commune::Entity::find().filter(commune::Column::ProvinceCode.eq(province)).all(db).await?;
    Ok(Scope { communes: communes.into_iter().map(|c| c.code).collect(), organisations: Default::default() })
}

/// The commune of each organisation the scopes name, read at once (a list of accounts is one query).
async fn organisation_communes<'a>(
    db: &impl ConnectionTrait,
    scopes: impl Iterator<Item = &'a Scope>,
) -> Result<HashMap<Uuid, i32>> {
    let ids: std::collections::BTreeSet<Uuid> = scopes.flat_map(|s| s.organisations.iter().copied()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = organisation::Entity::find().filter(organisation::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows.into_iter().map(|o| (o.id, o.commune_code)).collect())
}

/// True when everything a scope names lies where the actor manages: a province admin's province (their
/// scope is its communes); always for country admins.
fn scope_within_reach(actor: &Actor, scope: &Scope, organisation_communes: &HashMap<Uuid, i32>) -> bool {
    actor.province_limit().is_none()
        || (scope.communes.iter().all(|c| actor.may_manage(*c, None))
            && scope
                .organisations
                .iter()
                .all(|o| organisation_communes.get(o).is_some_and(|c| actor.may_manage(*c, None))))
}

/// What a new account reaches: the country or one province (admins), or a scope (organisers).
pub(crate) enum Reach<'a> {
    Country,
    Province(i32),
    Scope(&'a Scope),
}

pub(crate) async fn insert_account(
    db: &DatabaseConnection,
    by: &str,
    username: &str,
    display_name: &str,
    password: &str,
    reach: Reach<'_>,
) -> Result<account::Model> {
    let none = Scope::default();
    let (role, province, scope) = match reach {
        Reach::Country => (Role::Admin, None, &none),
        Reach::Province(code) => (Role::Admin, Some(code), &none),
        Reach::Scope(scope) => (Role::Organiser, None, scope),
    };
    let username = parse_username(username)?;
    let display_name = parse_display_name(display_name)?;
    let hash = Password::parse(password)?.hash().await?;
    let txn = crate::db::write(db).await?;
    if account::Entity::find().filter(account::Column::Username.eq(&username)).one(&txn).await?.is_some() {
        return Err(Error::invalid("username", Text::UsernameTaken));
    }
    if role == Role::Organiser {
        check_scope(&txn, scope).await?;
    }
    if let Some(code) = province
        && crate::entity::province::Entity::find_by_id(code).one(&txn).await?.is_none()
    {
        return Err(Error::invalid("province", Text::UnknownProvince));
    }
    let at = now();
    let row = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username),
        display_name: Set(display_name),
        password_hash: Set(hash),
        role: Set(role),
        province: Set(province),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    write_scope(&txn, row.id, scope).await?;
    audit::record(
        &txn,
        by,
        audit::Action::Create,
        audit::Entity::Account,
        Some(row.id.to_string()),
        json!({"after": {"username": row.username, "display_name": row.display_name, "role": row.role.as_str(), "province": province, "scope": scope}}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// `hocvuso create-admin`: run by the operator at the console, so no actor check. With a province,
/// the admin administers that province only.
pub async fn create_admin(
    db: &DatabaseConnection,
    username: &str,
    display_name: &str,
    password: &str,
    province: Option<i32>,
) -> Result<account::Model> {
    let reach = province.map_or(Reach::Country, Reach::Province);
    insert_account(db, "cli", username, display_name, password, reach).await
}

pub async fn create_organiser(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    display_name: &str,
    password: &str,
    scope: &Scope,
) -> Result<account::Model> {
    actor.require_admin()?;
    if !scope_within_reach(actor, scope, &organisation_communes(db, std::iter::once(scope)).await?) {
        return Err(Error::invalid("scope", Text::UnknownCommune));
    }
    insert_account(db, &actor.label(), username, display_name, password, Reach::Scope(scope)).await
}

/// True when a province admin may see and change the account: an organiser whose whole scope is in
/// their province, or another admin of it. Country admins reach every account.
fn within_reach(actor: &Actor, row: &account::Model, scope: &Scope, organisations: &HashMap<Uuid, i32>) -> bool {
    match actor.province_limit() {
        None => true,
        Some(province) => match row.role {
            Role::Admin => row.province == Some(province),
            Role::Organiser => !scope.is_empty() && scope_within_reach(actor, scope, organisations),
        },
    }
}

pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<AccountSummary>> {
    actor.require_admin()?;
    let rows = account::Entity::find().order_by_asc(account::Column::Username).all(db).await?;
    // Every scope in one query, not one query an account.
    let mut scopes: std::collections::HashMap<Uuid, Scope> = std::collections::HashMap::new();
    for row in account_scope::Entity::find().all(db).await? {
        add_to_scope(scopes.entry(row.account_id).or_default(), &row);
    }
    let organisations = organisation_communes(db, scopes.values()).await?;
    let mut summaries = Vec::new();
    for row in rows {
        let scope = scopes.remove(&row.id).unwrap_or_default();
        if within_reach(actor, &row, &scope, &organisations) {
            summaries.push(AccountSummary {
                id: row.id,
                role: row.role,
                province: row.province,
                scope,
                username: row.username,
                display_name: row.display_name,
                active: row.active,
            });
        }
    }
    Ok(summaries)
}

/// The account an admin changes; 404 for one a province admin cannot reach.
async fn find_for_change(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<account::Model> {
    actor.require_admin()?;
    let row = account::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    let scope = read_scope(db, id).await?;
    if !within_reach(actor, &row, &scope, &organisation_communes(db, std::iter::once(&scope)).await?) {
        return Err(Error::NotFound);
    }
    Ok(row)
}

pub async fn set_scope(db: &DatabaseConnection, actor: &Actor, id: Uuid, scope: &Scope) -> Result<()> {
    let txn = crate::db::write(db).await?;
    let row = find_for_change(&txn, actor, id).await?;
    if row.role != Role::Organiser {
        return Err(Error::NotFound);
    }
    check_scope(&txn, scope).await?;
    if !scope_within_reach(actor, scope, &organisation_communes(&txn, std::iter::once(scope)).await?) {
        return Err(Error::invalid("scope", Text::UnknownCommune));
    }
    let before = read_scope(&txn, id).await?;
    write_scope(&txn, id, scope).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Update,
        audit::Entity::Account,
        Some(id.to_string()),
        json!({"before": {"scope": before}, "after": {"scope": scope}}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a new password and ends the account's sessions.
pub async fn reset_password(db: &DatabaseConnection, actor: &Actor, id: Uuid, password: &str) -> Result<()> {
    actor.require_admin()?;
    let hash = Password::parse(password)?.hash().await?;
    let txn = crate::db::write(db).await?;
    let row = find_for_change(&txn, actor, id).await?;
    let mut change = row.into_active_model();
    change.password_hash = Set(hash);
    change.updated_at = Set(now());
    change.update(&txn).await?;
    sessions::end_all(&txn, id).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::ResetPassword,
        audit::Entity::Account,
        Some(id.to_string()),
        serde_json::Value::Null,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deactivates (ending its sessions) or reactivates an account. Admins cannot lock themselves out.
pub async fn set_active(db: &DatabaseConnection, actor: &Actor, id: Uuid, active: bool) -> Result<()> {
    let txn = crate::db::write(db).await?;
    let row = find_for_change(&txn, actor, id).await?;
    if !active && actor.account().map(|a| a.id) == Ok(id) {
        return Err(Error::invalid("active", Text::CannotDeactivateSelf));
    }
    let before = row.active;
    let mut change = row.into_active_model();
    change.active = Set(active);
    change.updated_at = Set(now());
    change.update(&txn).await?;
    if !active {
        sessions::end_all(&txn, id).await?;
    }
    let action = if active { audit::Action::Reactivate } else { audit::Action::Deactivate };
    audit::record(
        &txn,
        &actor.label(),
        action,
        audit::Entity::Account,
        Some(id.to_string()),
        json!({"before": {"active": before}, "after": {"active": active}}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The budgets a sign-in spends: MAX_FAILURES failures in THROTTLE_WINDOW per account and per
/// client address (a right password gives its attempt back).
fn sign_in_budgets(username: &str, client_addr: &str) -> [Budget; 2] {
    let budget = |key: String| Budget { key, limit: MAX_FAILURES as usize, window: THROTTLE_WINDOW };
    [budget(format!("login user {username}")), budget(format!("login addr {client_addr}"))]
}

/// Sign-ins refused for too many failures since the process started. They are counted and logged,
/// not audited: an anonymous caller must not be able to make the server write.
static THROTTLED_SIGN_INS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn throttled_sign_ins() -> u64 {
    THROTTLED_SIGN_INS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts and logs a sign-in refused by its budgets; other errors pass as they are.
fn refuse_throttled(err: Error) -> Error {
    if matches!(err, Error::RateLimited(_)) {
        let count = THROTTLED_SIGN_INS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        tracing::warn!(throttled_since_start = count, "sign-in refused: too many failures");
    }
    err
}

/// Checks a username and password. Unknown users and wrong passwords get the same answer after the
/// same work; after MAX_FAILURES failures in THROTTLE_WINDOW the account or address must wait.
///
/// The attempt is spent before the password is checked, in one step with counting the earlier ones
/// (`throttle::spend`), so however many guesses arrive at once, at most MAX_FAILURES are ever
/// checked per window; a right password then gives its attempt back.
pub async fn authenticate(
    db: &DatabaseConnection,
    username: &str,
    password: &str,
    client_addr: &str,
) -> Result<AccountActor> {
    let username = username.trim().to_lowercase();
    let budgets = sign_in_budgets(&username, client_addr);
    // A throttled caller is refused on a plain read: no write lock taken, nothing written.
    throttle::check(db, &budgets).await.map_err(refuse_throttled)?;
    // A turn to hash first, so a busy server answers 503 without spending anyone's attempts.
    let permit = password::hashing_permit().await?;
    let attempt = throttle::spend(db, &budgets).await.map_err(refuse_throttled)?;

    let row = account::Entity::find().filter(account::Column::Username.eq(&username)).one(db).await?;
    let matches = password::verify(&permit, password.to_string(), row.as_ref().map(|r| r.password_hash.clone())).await;
    drop(permit);
    let mut account = row.filter(|r| matches && r.active);
    // The demo's password is published in the README: it opens nothing outside the demo campaign.
    if account.is_some() && password == super::demo::DEMO_PASSWORD && !super::demo::is_demo(db).await? {
        tracing::warn!("sign-in with the demo password refused: this database is not the demo");
        account = None;
    }
    let txn = crate::db::write(db).await?;
    if account.is_some() {
        throttle::refund(&txn, attempt).await?;
    }
    let action = if account.is_some() { audit::Action::Login } else { audit::Action::LoginFailed };
    let id = account.as_ref().map(|a| a.id.to_string());
    audit::record(&txn, &username, action, audit::Entity::Account, id, json!({"client": client_addr})).await?;
    txn.commit().await?;
    let account = account.ok_or(Error::BadCredentials)?;
    actor_for(db, account.id).await?.ok_or(Error::BadCredentials)
}
