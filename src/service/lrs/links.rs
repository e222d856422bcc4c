//! A learner's platform accounts: how statements from Open edX (an account: the LMS's home page
//! and its user id) or Moodle (an e-mail address) become the learner's. An e-mail address is kept
//! only as its SHA-1 (xAPI's `mbox_sha1sum`), never in clear. Making a link applies, in order and
//! once, the statements that were waiting for it.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha1::Digest;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::{learner_link, lrs_unmatched};
use crate::i18n::Text;
use crate::service::enrolments::xapi::VERB_COMPLETED;
use crate::service::{audit, now};
use crate::{Error, Result};

/// The key statements find a learner by: `account|<homePage>|<name>` for an account,
/// `mbox_sha1sum|<sha1 of mailto:…, in lower case>` for an e-mail address (given as `mbox` or
/// `mbox_sha1sum`).
/// None for an actor with neither (an `openid`, an anonymous group).
pub fn actor_key(actor: &Value) -> Option<String> {
    if let Some(account) = actor.get("account") {
        let home_page = account.get("homePage")?.as_str()?.trim_end_matches('/');
        let name = account.get("name")?.as_str()?;
        return Some(format!("account|{home_page}|{name}"));
    }
    if let Some(mbox) = actor.get("mbox").and_then(Value::as_str) {
        // Addresses are matched whatever their case, as people type them.
        return Some(format!("mbox_sha1sum|{}", sha1_hex(&mbox.to_lowercase())));
    }
    actor.get("mbox_sha1sum").and_then(Value::as_str).map(|sum| format!("mbox_sha1sum|{}", sum.to_ascii_lowercase()))
}

fn sha1_hex(text: &str) -> String {
    sha1::Sha1::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// How organisers recognise an actor that waits for a link: its name, and its account or its
/// e-mail address masked (`n***@example.com`).
pub fn describe(actor: &Value) -> String {
    let name = actor.get("name").and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty());
    let id = if let Some(account) = actor.get("account") {
        let home_page = account.get("homePage").and_then(Value::as_str).unwrap_or_default();
        format!("{} @ {home_page}", account.get("name").and_then(Value::as_str).unwrap_or_default())
    } else if let Some(mbox) = actor.get("mbox").and_then(Value::as_str) {
        mask(mbox.trim_start_matches("mailto:"))
    } else if let Some(sum) = actor.get("mbox_sha1sum").and_then(Value::as_str) {
        format!("sha1 {}…", &sum[..sum.len().min(12)])
    } else {
        String::new()
    };
    match name {
        Some(name) => format!("{name} ({id})"),
        None => id,
    }
}

fn mask(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

/// A platform account as an organiser or a platform sends it: `{"home_page", "name"}` or `{"mbox"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PlatformAccountForm {
    /// The platform's address as its statements name it (`account.homePage`), e.g. `https://mooc.example.edu.vn`.
    #[serde(default)]
    pub home_page: Option<String>,
    /// The learner's account name on that platform (Open edX: the anonymous user id its statements carry).
    #[serde(default)]
    pub name: Option<String>,
    /// An e-mail address (`name@example.com` or `mailto:name@example.com`); kept only as its SHA-1.
    #[serde(default)]
    pub mbox: Option<String>,
}

/// A link, parsed: it cannot be half an account or an address that is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlatformAccount {
    Account { home_page: String, name: String },
    Mbox { sha1: String },
}

impl PlatformAccount {
    pub fn parse(form: &PlatformAccountForm) -> Result<PlatformAccount> {
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        match (text(&form.home_page), text(&form.name), text(&form.mbox)) {
            (None, None, Some(mbox)) => {
                let address = mbox.strip_prefix("mailto:").unwrap_or(&mbox).to_lowercase();
                let valid = address.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
                    && !address.contains(char::is_whitespace)
                    && address.len() <= 254;
                if !valid {
                    return Err(Error::invalid("mbox", Text::LinkEmailInvalid));
                }
                Ok(PlatformAccount::Mbox { sha1: sha1_hex(&format!("mailto:{address}")) })
            }
            (home_page, name, None) if home_page.is_some() || name.is_some() => {
                let home_page = home_page.unwrap_or_default();
                let home_page = home_page.trim_end_matches('/');
                let rest = home_page.strip_prefix("https://").or_else(|| home_page.strip_prefix("http://"));
                if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) || home_page.len() > 500 {
                    return Err(Error::invalid("home_page", Text::LinkHomePageInvalid));
                }
                let name = name.unwrap_or_default();
                if name.chars().count() > 200 || name.is_empty() {
                    return Err(Error::invalid("name", Text::LinkNameRequired));
                }
                Ok(PlatformAccount::Account { home_page: home_page.to_string(), name })
            }
            _ => Err(Error::invalid("mbox", Text::LinkOneKind)),
        }
    }

    pub fn key(&self) -> String {
        match self {
            PlatformAccount::Account { home_page, name } => format!("account|{home_page}|{name}"),
            PlatformAccount::Mbox { sha1 } => format!("mbox_sha1sum|{sha1}"),
        }
    }
}

/// A link as organisers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PlatformAccountView {
    pub id: Uuid,
    /// `account` or `mbox`.
    pub kind: String,
    pub home_page: Option<String>,
    pub name: Option<String>,
    /// For `mbox`: the SHA-1 of `mailto:<address>`, all that is kept of it.
    pub mbox_sha1sum: Option<String>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn view(row: learner_link::Model) -> PlatformAccountView {
    let mbox_sha1sum = row.actor_key.strip_prefix("mbox_sha1sum|").map(str::to_string);
    PlatformAccountView {
        id: row.id,
        kind: row.kind,
        home_page: row.home_page,
        name: row.name,
        mbox_sha1sum,
        created_by: row.created_by,
        created_at: row.created_at,
    }
}

/// What making a link did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Linked {
    pub link: PlatformAccountView,
    /// Statements that were waiting for this account and now count for the learner.
    pub applied: usize,
    /// False when the learner had this link already (nothing changed).
    pub created: bool,
}

/// Links a platform account to a learner the actor may change, and applies the statements that
/// were waiting for it. 409 when the account is another learner's.
pub async fn link(db: &DatabaseConnection, actor: &Actor, code: &str, form: &PlatformAccountForm) -> Result<Linked> {
    let account = PlatformAccount::parse(form)?;
    let learner = crate::service::enrolments::progress::learner_for_change(db, actor, code).await?;
    if learner.erased_at.is_some() {
        return Err(Error::NotFound);
    }
    let txn = crate::db::write(db).await?;
    let linked = make_link(&txn, actor, learner.id, &account, now()).await?;
    if linked.created {
        audit::record(
            &txn,
            &actor.label(),
            audit::Action::LinkPlatformAccount,
            audit::Entity::Learner,
            Some(learner.code.clone()),
            json!({"kind": linked.link.kind, "applied": linked.applied}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(linked)
}

/// Makes `account` the learner's, in the caller's transaction, and applies in order and once the
/// statements that waited for it: the one rule for a new link, whether made on a card or from a
/// file. 409 when the account is another learner's; nothing changes when it is this learner's.
pub(crate) async fn make_link(
    txn: &DatabaseTransaction,
    actor: &Actor,
    learner_id: Uuid,
    account: &PlatformAccount,
    at: DateTime<Utc>,
) -> Result<Linked> {
    let key = account.key();
    let existing =
        learner_link::Entity::find().filter(learner_link::Column::ActorKey.eq(key.as_str())).one(txn).await?;
    if let Some(existing) = existing {
        if existing.learner_id != learner_id {
            return Err(Error::Conflict(None));
        }
        return Ok(Linked { link: view(existing), applied: 0, created: false });
    }
    let (kind, home_page, name) = match account {
        PlatformAccount::Account { home_page, name } => ("account", Some(home_page.clone()), Some(name.clone())),
        PlatformAccount::Mbox { .. } => ("mbox", None, None),
    };
    let row = learner_link::ActiveModel {
        id: Set(Uuid::now_v7()),
        learner_id: Set(learner_id),
        actor_key: Set(key.clone()),
        kind: Set(kind.into()),
        home_page: Set(home_page),
        name: Set(name),
        created_by: Set(actor.label()),
        created_at: Set(at),
    }
    .insert(txn)
    .await?;
    let applied = crate::service::enrolments::xapi::apply_waiting(txn, actor, &key, learner_id, at).await?;
    Ok(Linked { link: view(row), applied, created: true })
}

/// The learners the keys are linked to, by key, 1,000 keys a query.
pub async fn linked(
    db: &impl sea_orm::ConnectionTrait,
    keys: &[String],
) -> Result<std::collections::HashMap<String, Uuid>> {
    let mut found = std::collections::HashMap::new();
    for chunk in keys.chunks(1000) {
        let rows =
            learner_link::Entity::find().filter(learner_link::Column::ActorKey.is_in(chunk.to_vec())).all(db).await?;
        found.extend(rows.into_iter().map(|row| (row.actor_key, row.learner_id)));
    }
    Ok(found)
}

/// The learner's platform accounts, oldest first.
pub async fn of_learner(db: &impl sea_orm::ConnectionTrait, learner_id: Uuid) -> Result<Vec<PlatformAccountView>> {
    let rows = learner_link::Entity::find()
        .filter(learner_link::Column::LearnerId.eq(learner_id))
        .order_by_asc(learner_link::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(view).collect())
}

/// An actor whose statements wait for a link, as organisers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UnmatchedActor {
    /// Name and account, or a masked e-mail address.
    pub actor: String,
    /// For an account: what to link on the learner card.
    pub home_page: Option<String>,
    pub name: Option<String>,
    /// The platform (connection) that sent the statements.
    pub platform: String,
    /// The courses' codes.
    pub courses: Vec<String>,
    pub statements: i64,
    /// How many of them are completions.
    pub completions: i64,
    pub first_seen: chrono::DateTime<chrono::Utc>,
    pub last_seen: chrono::DateTime<chrono::Utc>,
}

/// Actors whose statements wait for a link, most recently seen first. For signed-in people.
pub async fn unmatched(db: &DatabaseConnection, actor: &Actor) -> Result<Vec<UnmatchedActor>> {
    actor.account()?;
    let rows = lrs_unmatched::Entity::find().order_by_asc(lrs_unmatched::Column::Stored).all(db).await?;
    let courses: std::collections::HashMap<Uuid, String> =
        crate::entity::course::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c.code)).collect();
    // One entry an actor key.
    let mut by_actor: std::collections::HashMap<String, UnmatchedActor> = std::collections::HashMap::new();
    for row in rows {
        let completion = i64::from(row.verb == VERB_COMPLETED);
        let course = courses.get(&row.course_id).cloned().unwrap_or_default();
        let found = by_actor.entry(row.actor_key.clone()).or_insert_with(|| {
            // `account|<homePage>|<name>`: what to link on the learner card.
            let (home_page, name) = match row.actor_key.strip_prefix("account|").and_then(|r| r.split_once('|')) {
                Some((home_page, name)) => (Some(home_page.to_string()), Some(name.to_string())),
                None => (None, None),
            };
            UnmatchedActor {
                actor: row.actor.clone(),
                home_page,
                name,
                platform: row.platform.clone(),
                courses: Vec::new(),
                statements: 0,
                completions: 0,
                first_seen: row.stored,
                last_seen: row.stored,
            }
        });
        found.statements += 1;
        found.completions += completion;
        found.first_seen = found.first_seen.min(row.stored);
        found.last_seen = found.last_seen.max(row.stored);
        if !found.courses.contains(&course) {
            found.courses.push(course);
        }
    }
    let mut list: Vec<UnmatchedActor> = by_actor.into_values().collect();
    list.sort_by_key(|a| std::cmp::Reverse(a.last_seen));
    Ok(list)
}

/// How many completions wait for their learner to be linked (the overview shows it).
pub async fn waiting_completions(db: &impl sea_orm::ConnectionTrait) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    // A waiting statement's verb is what it will do: a completion is `completed`, whatever was sent.
    Ok(lrs_unmatched::Entity::find().filter(lrs_unmatched::Column::Verb.eq(VERB_COMPLETED)).count(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_and_links_meet_on_one_key() {
        let moodle = json!({"mbox": "mailto:an@example.com"});
        let form = PlatformAccountForm { mbox: Some("An@Example.com".into()), ..Default::default() };
        assert_eq!(actor_key(&moodle), Some(PlatformAccount::parse(&form).unwrap().key()));
        let edx = json!({"account": {"homePage": "https://mooc.example.edu.vn/", "name": "a1b2"}});
        let form = PlatformAccountForm {
            home_page: Some("https://mooc.example.edu.vn".into()),
            name: Some("a1b2".into()),
            ..Default::default()
        };
        assert_eq!(actor_key(&edx), Some(PlatformAccount::parse(&form).unwrap().key()));
        assert_eq!(describe(&json!({"name": "An", "mbox": "mailto:an@example.com"})), "An (a***@example.com)");
        let both = PlatformAccountForm { mbox: Some("a@b.vn".into()), name: Some("x".into()), ..Default::default() };
        assert_eq!(PlatformAccount::parse(&both), Err(Error::invalid("mbox", Text::LinkOneKind)));
    }
}
