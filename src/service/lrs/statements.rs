//! The statement resource (xAPI 1.0.3, Communication 2.1): statements are checked whole
//! (`validate`), kept as received with `stored`, `authority`, `version` and `timestamp` set, and read
//! back by id or by query. A request is kept whole or refused whole. A statement id seen before with
//! the same content changes nothing; with other content it is a conflict (409). A voiding statement
//! hides its target from queries. Statements that record a learner's outcome in a course also move
//! enrolments, in the same transaction (`enrolments::xapi`).
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Set, Statement as Sql};
use serde_json::{Map, Value, json};
use sha2::Digest;
use uuid::Uuid;

use super::validate::{self, VERB_VOIDED};
use crate::auth::{Actor, TokenScope};
use crate::entity::{lrs_attachment, lrs_statement, lrs_statement_key};
use crate::service::enrolments::xapi as outcomes;
use crate::service::now;
use crate::{Error, Result};

/// The most statements a page holds, whatever `limit` asks.
pub const PAGE_MAX: u64 = 500;

const SIGNATURE_USAGE: &str = "http://adlnet.gov/expapi/attachments/signature";

/// An attachment's content as it came in a multipart/mixed request.
#[derive(Debug, Clone)]
pub struct Part {
    pub content_type: String,
    /// The part's `X-Experience-API-Hash` header: the SHA-256 of the content, hexadecimal.
    pub hash: String,
    pub content: Vec<u8>,
}

/// Keeps statements (`POST`: one statement or an array). Returns their ids, in order.
pub async fn post(db: &DatabaseConnection, actor: &Actor, body: Value, parts: Vec<Part>) -> Result<Vec<Uuid>> {
    actor.require_token(TokenScope::Ingest)?;
    let statements = match body {
        Value::Array(items) => items,
        Value::Object(_) => vec![body],
        _ => return Err(bad("the body is not a statement or an array of statements")),
    };
    receive(db, actor, statements, parts, None).await
}

/// Keeps one statement under the id the caller chose (`PUT ?statementId=`).
pub async fn put(db: &DatabaseConnection, actor: &Actor, id: Uuid, body: Value, parts: Vec<Part>) -> Result<()> {
    actor.require_token(TokenScope::Ingest)?;
    if !body.is_object() {
        return Err(bad("the body is not a statement"));
    }
    receive(db, actor, vec![body], parts, Some(id)).await.map(drop)
}

/// Keeps statements made from a platform's own export (an import), as if the platform had sent
/// them; `actor` (who imports) is their authority. The caller checks who may import.
pub async fn keep_imported(db: &DatabaseConnection, actor: &Actor, statements: Vec<Value>) -> Result<Vec<Uuid>> {
    receive(db, actor, statements, Vec::new(), None).await
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadRequest(message.into())
}

async fn receive(
    db: &DatabaseConnection,
    actor: &Actor,
    mut statements: Vec<Value>,
    parts: Vec<Part>,
    put_id: Option<Uuid>,
) -> Result<Vec<Uuid>> {
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    let batch = statements.len() > 1;
    let name = |i: usize| if batch { format!("statements[{i}]") } else { "statement".to_string() };
    let mut ids = Vec::with_capacity(statements.len());
    for (i, statement) in statements.iter_mut().enumerate() {
        validate::statement(statement, &name(i)).map_err(bad)?;
        let given = statement.get("id").and_then(Value::as_str).map(|id| id.to_ascii_lowercase());
        let id = match (given, put_id) {
            (Some(given), Some(put)) if given != put.to_string() => {
                return Err(bad(format!("the statement's id {given} is not the statementId {put}")));
            }
            (Some(given), _) => Uuid::parse_str(&given).map_err(|_| bad("id: not a UUID"))?,
            (None, Some(put)) => put,
            (None, None) => Uuid::new_v4(),
        };
        if ids.contains(&id) {
            return Err(bad(format!("{}.id: {id} is used twice in the request", name(i))));
        }
        ids.push(id);
    }
    let attachments = check_attachments(&statements, parts)?;

    // Seen before: the same statement changes nothing; another under the same id is a conflict.
    let seen: HashMap<Uuid, lrs_statement::Model> = lrs_statement::Entity::find()
        .filter(lrs_statement::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut fresh = Vec::new();
    for (id, statement) in ids.iter().zip(statements) {
        match seen.get(id) {
            Some(row) => {
                let kept: Value = serde_json::from_str(&row.body).unwrap_or_default();
                if !same_statement(&kept, &statement) {
                    return Err(Error::Conflict(None));
                }
            }
            None => fresh.push((*id, statement)),
        }
    }

    // A voiding statement may not target another voiding statement.
    let targets: Vec<Uuid> = fresh.iter().filter_map(|(_, s)| voided_target(s)).collect();
    let voiding: HashSet<Uuid> = fresh.iter().filter(|(_, s)| verb(s) == VERB_VOIDED).map(|(id, _)| *id).collect();
    if !targets.is_empty() {
        let known_voiding = lrs_statement::Entity::find()
            .filter(lrs_statement::Column::Id.is_in(targets.clone()))
            .filter(lrs_statement::Column::Verb.eq(VERB_VOIDED))
            .all(db)
            .await?;
        if !known_voiding.is_empty() || targets.iter().any(|t| voiding.contains(t)) {
            return Err(bad("a voiding statement cannot be voided"));
        }
    }

    let at_now = now();
    let authority = json!({"objectType": "Agent", "account": {"homePage": "urn:hocvuso", "name": actor.label()}});
    let mut rows = Vec::with_capacity(fresh.len());
    let mut keys = Vec::new();
    for (i, (id, statement)) in fresh.iter_mut().enumerate() {
        // Distinct instants keep a batch in order in every query.
        let stored = at_now + chrono::Duration::microseconds(i as i64);
        let stored_text = stored.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        // Context activities are kept as arrays, as they are answered.
        normalise(statement);
        statement["id"] = json!(id);
        statement["stored"] = json!(stored_text);
        statement["authority"] = authority.clone();
        if statement.get("version").is_none() {
            statement["version"] = json!("1.0.0");
        }
        if statement.get("timestamp").is_none() {
            statement["timestamp"] = json!(stored_text);
        }
        for (kind, value) in statement_keys(statement) {
            keys.push(lrs_statement_key::Model { statement_id: *id, kind: kind.into(), value });
        }
        rows.push(lrs_statement::Model {
            id: *id,
            stored,
            verb: verb(statement).to_string(),
            object_id: statement["object"].get("id").and_then(Value::as_str).map(str::to_string),
            body: statement.to_string(),
            voided: false,
            registration: statement.pointer("/context/registration").and_then(Value::as_str).map(str::to_lowercase),
            target_id: target(statement),
        });
    }
    let new: Vec<(Uuid, &Value)> = fresh.iter().map(|(id, s)| (*id, s)).collect();
    let outcomes = outcomes::outcomes(db, &new, &actor.label(), at_now).await?;
    // A statement about a learner whose personal data was erased keeps nothing of them.
    for row in rows.iter_mut().filter(|row| outcomes.erased.contains(&row.id)) {
        let mut body: Value = serde_json::from_str(&row.body).map_err(|_| Error::Internal)?;
        body["actor"] = erased_actor();
        row.body = body.to_string();
        keys.retain(|k| k.statement_id != row.id || k.kind.ends_with("activity"));
    }
    let txn = crate::db::write(db).await?;
    crate::db::insert_models(&txn, &rows).await?;
    keys.sort_by(|a, b| (&a.kind, &a.value).cmp(&(&b.kind, &b.value)));
    keys.dedup_by(|a, b| a.kind == b.kind && a.value == b.value && a.statement_id == b.statement_id);
    crate::db::insert_models(&txn, &keys).await?;
    if !targets.is_empty() {
        lrs_statement::Entity::update_many()
            .col_expr(lrs_statement::Column::Voided, sea_orm::sea_query::Expr::value(true))
            .filter(lrs_statement::Column::Id.is_in(targets.clone()))
            .exec(&txn)
            .await?;
    }
    for part in attachments {
        // The same content may come again, with another statement: kept once.
        let row = lrs_attachment::ActiveModel {
            sha2: Set(part.hash),
            content_type: Set(part.content_type),
            content: Set(part.content),
        };
        lrs_attachment::Entity::insert(row)
            .on_conflict(OnConflict::column(lrs_attachment::Column::Sha2).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
    }
    if !targets.is_empty() {
        outcomes::undo_voided(&txn, &targets).await?;
    }
    crate::db::insert_models(&txn, &outcomes.unmatched).await?;
    outcomes::apply(&txn, actor, outcomes.mapped, at_now).await?;
    txn.commit().await?;
    Ok(ids)
}

/// What an erased learner's statements keep of their actor: nothing.
fn erased_actor() -> Value {
    json!({"objectType": "Agent", "account": {"homePage": "urn:hocvuso:erased", "name": "erased"}})
}

/// Forgets a learner in the statements kept (their personal data is being erased): those that
/// applied to them and those whose actor is one of their platform accounts lose their actor, and
/// the links go. Runs in the caller's transaction.
pub async fn forget_learner(txn: &sea_orm::DatabaseTransaction, learner_id: Uuid, code: &str) -> Result<()> {
    use crate::entity::{learner_link, xapi_statement};
    let links = learner_link::Entity::find().filter(learner_link::Column::LearnerId.eq(learner_id)).all(txn).await?;
    let mut agent_keys: Vec<String> = links
        .iter()
        .filter_map(|l| Some(format!("Agent|account|{}|{}", l.home_page.as_deref()?, l.name.as_deref()?)))
        .collect();
    agent_keys.extend(
        links
            .iter()
            .filter_map(|l| l.actor_key.strip_prefix("mbox_sha1sum|"))
            .map(|sum| format!("Agent|mbox_sha1sum|{sum}")),
    );
    let mut ids: HashSet<Uuid> = xapi_statement::Entity::find()
        .filter(xapi_statement::Column::LearnerId.eq(learner_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    let by_key = lrs_statement_key::Entity::find()
        .filter(lrs_statement_key::Column::Kind.eq("agent"))
        .filter(
            sea_orm::Condition::any()
                .add(lrs_statement_key::Column::Value.is_in(agent_keys))
                .add(lrs_statement_key::Column::Value.like(format!("Agent|account|%|{code}"))),
        )
        .all(txn)
        .await?;
    ids.extend(by_key.into_iter().map(|k| k.statement_id));
    let ids: Vec<Uuid> = ids.into_iter().collect();
    for chunk in ids.chunks(500) {
        for row in
            lrs_statement::Entity::find().filter(lrs_statement::Column::Id.is_in(chunk.to_vec())).all(txn).await?
        {
            let Ok(mut body) = serde_json::from_str::<Value>(&row.body) else { continue };
            body["actor"] = erased_actor();
            lrs_statement::Entity::update_many()
                .col_expr(lrs_statement::Column::Body, sea_orm::sea_query::Expr::value(body.to_string()))
                .filter(lrs_statement::Column::Id.eq(row.id))
                .exec(txn)
                .await?;
        }
        lrs_statement_key::Entity::delete_many()
            .filter(lrs_statement_key::Column::StatementId.is_in(chunk.to_vec()))
            .filter(lrs_statement_key::Column::Kind.is_in(["agent", "related_agent"]))
            .exec(txn)
            .await?;
    }
    learner_link::Entity::delete_many().filter(learner_link::Column::LearnerId.eq(learner_id)).exec(txn).await?;
    Ok(())
}

fn verb(statement: &Value) -> &str {
    statement.pointer("/verb/id").and_then(Value::as_str).unwrap_or_default()
}

/// The statement a StatementRef object names.
fn target(statement: &Value) -> Option<Uuid> {
    let object = &statement["object"];
    (object.get("objectType").and_then(Value::as_str) == Some("StatementRef"))
        .then(|| object.get("id").and_then(Value::as_str).and_then(|id| Uuid::parse_str(id).ok()))
        .flatten()
}

fn voided_target(statement: &Value) -> Option<Uuid> {
    (verb(statement) == VERB_VOIDED).then(|| target(statement)).flatten()
}

/// Attachments sent with the statements: every one a statement names without a `fileUrl` must come
/// as a part, every part must be named, and its content must have the digest it claims. Signed
/// statements are checked here too. Returns the parts to keep.
fn check_attachments(statements: &[Value], parts: Vec<Part>) -> Result<Vec<Part>> {
    let mut by_hash: HashMap<String, Part> = HashMap::new();
    for part in parts {
        let hash = part.hash.to_ascii_lowercase();
        let actual: String = sha2::Sha256::digest(&part.content).iter().map(|b| format!("{b:02x}")).collect();
        if actual != hash {
            return Err(bad(format!("an attachment's content does not have the SHA-256 {hash}")));
        }
        by_hash.insert(hash, Part { hash: actual, ..part });
    }
    let mut named = HashSet::new();
    for statement in statements {
        let Some(attachments) = statement.get("attachments").and_then(Value::as_array) else { continue };
        for attachment in attachments {
            let sha2 = attachment["sha2"].as_str().unwrap_or_default().to_ascii_lowercase();
            let has_url = attachment.get("fileUrl").is_some();
            let part = by_hash.get(&sha2);
            if part.is_none() && !has_url {
                return Err(bad(format!("the attachment {sha2} is neither sent nor at a fileUrl")));
            }
            if attachment["usageType"] == SIGNATURE_USAGE {
                if attachment["contentType"] != "application/octet-stream" {
                    return Err(bad("a signature attachment's contentType must be application/octet-stream"));
                }
                let part = part.ok_or_else(|| bad("a signed statement's signature must be sent with it"))?;
                check_signature(statement, &part.content)?;
            }
            named.insert(sha2);
        }
    }
    if let Some(stray) = by_hash.keys().find(|hash| !named.contains(*hash)) {
        return Err(bad(format!("the attachment {stray} is not named by any statement")));
    }
    Ok(by_hash.into_values().collect())
}

/// A signature is a JWS (compact form) with RS256, RS384 or RS512 whose payload is the statement
/// as it was before the signature was attached.
fn check_signature(statement: &Value, jws: &[u8]) -> Result<()> {
    let text = std::str::from_utf8(jws).map_err(|_| bad("the signature is not a JWS"))?.trim();
    let segments: Vec<&str> = text.split('.').collect();
    let [header, payload, signature] = segments[..] else { return Err(bad("the signature is not a JWS")) };
    let decode = |segment: &str| base64url(segment).ok_or_else(|| bad("the signature is not a JWS"));
    let header: Value =
        serde_json::from_slice(&decode(header)?).map_err(|_| bad("the signature's header is not JSON"))?;
    if !matches!(header["alg"].as_str(), Some("RS256" | "RS384" | "RS512")) {
        return Err(bad("a signature must use RS256, RS384 or RS512"));
    }
    if decode(signature)?.is_empty() {
        return Err(bad("the signature is empty"));
    }
    let payload: Value =
        serde_json::from_slice(&decode(payload)?).map_err(|_| bad("the signature's payload is not a statement"))?;
    let mut unsigned = statement.clone();
    if let Some(fields) = unsigned.as_object_mut() {
        fields.remove("attachments");
    }
    let mut payload = payload;
    if let Some(fields) = payload.as_object_mut() {
        fields.remove("attachments");
    }
    if !same_statement(&payload, &unsigned) {
        return Err(bad("the signature's payload is not this statement"));
    }
    Ok(())
}

fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// Statements are the same when they differ only where the specification allows: what the LRS
/// sets (`id`, `stored`, `authority`, `version`), a `timestamp` the sender left out, a context
/// activity given alone or in an array of one.
fn same_statement(kept: &Value, sent: &Value) -> bool {
    let comparable = |statement: &Value, drop_timestamp: bool| {
        let mut value = statement.clone();
        if let Some(fields) = value.as_object_mut() {
            for key in ["id", "stored", "authority", "version"] {
                fields.remove(key);
            }
            if drop_timestamp {
                fields.remove("timestamp");
            }
        }
        normalise(&mut value);
        value
    };
    let without_timestamp = sent.get("timestamp").is_none();
    comparable(kept, without_timestamp) == comparable(sent, without_timestamp)
}

fn normalise(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            if let Some(Value::Object(activities)) = fields.get_mut("contextActivities") {
                for list in activities.values_mut() {
                    if list.is_object() {
                        *list = Value::Array(vec![list.take()]);
                    }
                }
            }
            // Inside extensions, anything goes and nothing is changed.
            fields.iter_mut().filter(|(key, _)| *key != "extensions").for_each(|(_, v)| normalise(v));
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// What a statement is found by: `agent` (its actor, or its object when that is an agent or a
/// group), `activity` (its object), and the `related_` kinds for every agent or activity it names.
fn statement_keys(statement: &Value) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    let object = &statement["object"];
    let object_type = object.get("objectType").and_then(Value::as_str).unwrap_or("Activity");
    for agent in agents(&statement["actor"]) {
        keys.push(("agent", agent));
    }
    if matches!(object_type, "Agent" | "Group") {
        for agent in agents(object) {
            keys.push(("agent", agent));
        }
    }
    if object_type == "Activity"
        && let Some(id) = object["id"].as_str()
    {
        keys.push(("activity", id.to_string()));
    }
    let mut related_agents = Vec::new();
    let mut related_activities = Vec::new();
    related(statement, &mut related_agents, &mut related_activities);
    if object_type == "SubStatement" {
        related(object, &mut related_agents, &mut related_activities);
    }
    keys.extend(related_agents.into_iter().map(|a| ("related_agent", a)));
    keys.extend(related_activities.into_iter().map(|a| ("related_activity", a)));
    keys
}

/// The keys of an actor: its own, and its members' for a group.
fn agents(actor: &Value) -> Vec<String> {
    let mut keys: Vec<String> = validate::agent_key(actor).into_iter().collect();
    if let Some(members) = actor.get("member").and_then(Value::as_array) {
        keys.extend(members.iter().filter_map(validate::agent_key));
    }
    keys
}

fn related(statement: &Value, agent_keys: &mut Vec<String>, activity_ids: &mut Vec<String>) {
    let object = &statement["object"];
    let object_type = object.get("objectType").and_then(Value::as_str).unwrap_or("Activity");
    agent_keys.extend(agents(&statement["actor"]));
    if matches!(object_type, "Agent" | "Group") {
        agent_keys.extend(agents(object));
    }
    if object_type == "Activity"
        && let Some(id) = object["id"].as_str()
    {
        activity_ids.push(id.to_string());
    }
    for pointer in ["/authority", "/context/instructor", "/context/team"] {
        if let Some(agent) = statement.pointer(pointer) {
            agent_keys.extend(agents(agent));
        }
    }
    if let Some(Value::Object(lists)) = statement.pointer("/context/contextActivities") {
        for list in lists.values() {
            let items = match list {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            activity_ids.extend(items.into_iter().filter_map(|a| a["id"].as_str()).map(str::to_string));
        }
    }
}

/// One statement by id: a voided one only when `voided` is asked for, any other only when it is not.
pub async fn one(db: &DatabaseConnection, actor: &Actor, id: Uuid, voided: bool) -> Result<Kept> {
    actor.require_token(TokenScope::Ingest)?;
    let row = lrs_statement::Entity::find_by_id(id)
        .filter(lrs_statement::Column::Voided.eq(voided))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    kept(row)
}

/// A kept statement as the LRS answers it.
#[derive(Debug, Clone)]
pub struct Kept {
    pub stored: DateTime<Utc>,
    pub statement: Value,
}

fn kept(row: lrs_statement::Model) -> Result<Kept> {
    let statement = serde_json::from_str(&row.body).map_err(|_| Error::Internal)?;
    Ok(Kept { stored: row.stored, statement })
}

/// The filters of `GET /xapi/statements`, parsed.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// An agent's key (`validate::agent_key`).
    pub agent: Option<String>,
    pub verb: Option<String>,
    pub activity: Option<String>,
    pub registration: Option<String>,
    pub related_activities: bool,
    pub related_agents: bool,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// 0: as many as a page holds.
    pub limit: u64,
    pub ascending: bool,
    /// Where the previous page ended.
    pub after: Option<Cursor>,
}

/// A position in the order of statements: the last one's `stored` and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub stored: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.stored.timestamp_micros(), self.id.simple())
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let (micros, id) = text.split_once('_')?;
        Some(Cursor { stored: DateTime::from_timestamp_micros(micros.parse().ok()?)?, id: Uuid::parse_str(id).ok()? })
    }
}

/// A page of statements; `next` when there are more.
#[derive(Debug, Clone)]
pub struct Page {
    pub statements: Vec<Kept>,
    pub next: Option<Cursor>,
}

/// The statements that match `query`, newest first (oldest first when `ascending`). Voided
/// statements are left out; a statement that refers to a matching statement matches too.
pub async fn query(db: &DatabaseConnection, actor: &Actor, query: &Query) -> Result<Page> {
    actor.require_token(TokenScope::Ingest)?;
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut param = |value: sea_orm::Value| {
        values.push(value);
        match backend {
            DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_string(),
        }
    };
    // Filters on what a statement says; time and order apply to the statement found, not its target.
    // The agent and activity filters drive the search through their index (kind, value); then verb
    // and registration. Placeholders are numbered in the order they appear in the text.
    let mut joins = Vec::new();
    let mut key = |kind: &str, value: &str| {
        let n = joins.len();
        let kind = param(kind.to_string().into());
        let value = param(value.to_string().into());
        joins.push(format!(
            "JOIN lrs_statement_key k{n} ON k{n}.kind = {kind} AND k{n}.value = {value} AND k{n}.statement_id = s.id"
        ));
    };
    if let Some(agent) = &query.agent {
        key(if query.related_agents { "related_agent" } else { "agent" }, agent);
    }
    if let Some(activity) = &query.activity {
        key(if query.related_activities { "related_activity" } else { "activity" }, activity);
    }
    let mut matches = Vec::new();
    if let Some(verb) = &query.verb {
        matches.push(format!("s.verb = {}", param(verb.clone().into())));
    }
    if let Some(registration) = &query.registration {
        matches.push(format!("s.registration = {}", param(registration.to_lowercase().into())));
    }
    let mut sql = String::new();
    let mut conditions = vec![format!("s.voided = {}", param(false.into()))];
    if !joins.is_empty() || !matches.is_empty() {
        let filter = if matches.is_empty() { String::new() } else { format!("WHERE {}", matches.join(" AND ")) };
        sql.push_str(&format!(
            "WITH RECURSIVE matched(id) AS (SELECT s.id FROM lrs_statement s {} {filter} \
             UNION SELECT t.id FROM lrs_statement t JOIN matched m ON t.target_id = m.id) ",
            joins.join(" ")
        ));
        conditions.push("s.id IN (SELECT id FROM matched)".into());
    }
    if let Some(since) = query.since {
        conditions.push(format!("s.stored > {}", param(since.into())));
    }
    if let Some(until) = query.until {
        conditions.push(format!("s.stored <= {}", param(until.into())));
    }
    let (before, order) = if query.ascending { (">", "ASC") } else { ("<", "DESC") };
    if let Some(after) = query.after {
        let stored = param(after.stored.into());
        let stored_again = param(after.stored.into());
        let id = param(after.id.into());
        conditions.push(format!("(s.stored {before} {stored} OR (s.stored = {stored_again} AND s.id {before} {id}))"));
    }
    let limit = if query.limit == 0 { PAGE_MAX } else { query.limit.min(PAGE_MAX) };
    sql.push_str(&format!(
        "SELECT s.id, s.stored, s.verb, s.object_id, s.body, s.voided, s.registration, s.target_id \
         FROM lrs_statement s WHERE {} ORDER BY s.stored {order}, s.id {order} LIMIT {}",
        conditions.join(" AND "),
        limit + 1
    ));
    let rows =
        lrs_statement::Entity::find().from_raw_sql(Sql::from_sql_and_values(backend, sql, values)).all(db).await?;
    let more = rows.len() as u64 > limit;
    let rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next = if more { rows.last().map(|r| Cursor { stored: r.stored, id: r.id }) } else { None };
    Ok(Page { statements: rows.into_iter().map(kept).collect::<Result<_>>()?, next })
}

/// The attachments the statements name, for answers that carry them.
pub async fn attachments(db: &DatabaseConnection, statements: &[Value]) -> Result<Vec<lrs_attachment::Model>> {
    let mut wanted: Vec<String> = Vec::new();
    for statement in statements {
        for attachment in statement.get("attachments").and_then(Value::as_array).into_iter().flatten() {
            if let Some(sha2) = attachment["sha2"].as_str().map(str::to_ascii_lowercase)
                && !wanted.contains(&sha2)
            {
                wanted.push(sha2);
            }
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    Ok(lrs_attachment::Entity::find().filter(lrs_attachment::Column::Sha2.is_in(wanted)).all(db).await?)
}

/// How statements are answered (`format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Exact,
    /// Agents, groups and activities by their identifiers only.
    Ids,
    /// Language maps reduced to the language the reader asked for.
    Canonical,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "exact" => Some(Format::Exact),
            "ids" => Some(Format::Ids),
            "canonical" => Some(Format::Canonical),
            _ => None,
        }
    }

    /// The statement in this format; `languages` are the reader's (Accept-Language), best first.
    pub fn apply(self, statement: &Value, languages: &[String]) -> Value {
        let mut value = statement.clone();
        match self {
            Format::Exact => {}
            Format::Ids => ids_only(&mut value),
            Format::Canonical => canonical(&mut value, languages, false),
        }
        value
    }
}

fn ids_only(statement: &mut Value) {
    for pointer in ["/actor", "/authority", "/context/instructor", "/context/team", "/object/actor"] {
        if let Some(agent) = statement.pointer_mut(pointer) {
            agent_ids(agent);
        }
    }
    for pointer in ["/verb", "/object/verb"] {
        if let Some(verb) = statement.pointer_mut(pointer).and_then(Value::as_object_mut) {
            verb.retain(|key, _| key == "id");
        }
    }
    for object in ["/object", "/object/object"] {
        let Some(value) = statement.pointer_mut(object) else { continue };
        match value.get("objectType").and_then(Value::as_str).unwrap_or("Activity") {
            "Agent" | "Group" => agent_ids(value),
            "Activity" => activity_ids(value),
            _ => {}
        }
    }
    for context in ["/context/contextActivities", "/object/context/contextActivities"] {
        if let Some(Value::Object(lists)) = statement.pointer_mut(context) {
            for list in lists.values_mut() {
                match list {
                    Value::Array(items) => items.iter_mut().for_each(activity_ids),
                    one => activity_ids(one),
                }
            }
        }
    }
}

/// An agent or identified group by its identifier; an anonymous group by its members'.
fn agent_ids(agent: &mut Value) {
    let identified = validate::agent_key(agent).is_some();
    let Some(fields) = agent.as_object_mut() else { return };
    fields.remove("name");
    if identified {
        fields.remove("member");
    }
    if let Some(Value::Array(members)) = fields.get_mut("member") {
        members.iter_mut().for_each(agent_ids);
    }
}

fn activity_ids(activity: &mut Value) {
    if let Some(fields) = activity.as_object_mut() {
        fields.retain(|key, _| key == "id");
    }
}

/// Language maps (`display`, `name`, `description`) keep only the reader's best language.
fn canonical(value: &mut Value, languages: &[String], in_extensions: bool) {
    let Value::Object(fields) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(|item| canonical(item, languages, in_extensions));
        }
        return;
    };
    for (key, child) in fields.iter_mut() {
        if in_extensions || key == "extensions" {
            continue;
        }
        if matches!(key.as_str(), "display" | "name" | "description")
            && let Value::Object(map) = child
            && map.values().all(Value::is_string)
            && !map.is_empty()
        {
            let pick = languages
                .iter()
                .find_map(|lang| map.keys().find(|tag| tag.eq_ignore_ascii_case(lang)).cloned())
                .or_else(|| map.keys().next().cloned());
            if let Some(tag) = pick {
                let text = map[&tag].clone();
                *map = Map::from_iter([(tag, text)]);
            }
            continue;
        }
        canonical(child, languages, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let cursor =
            Cursor { stored: DateTime::from_timestamp_micros(1_764_800_000_123_456).unwrap(), id: Uuid::nil() };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("x_y"), None);
    }

    #[test]
    fn same_statement_ignores_what_the_lrs_sets() {
        let sent = json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x/v"}, "object": {"id": "http://x/o"},
            "context": {"contextActivities": {"parent": {"id": "http://x/p"}}}});
        let mut kept = sent.clone();
        kept["stored"] = json!("2026-01-01T00:00:00Z");
        kept["timestamp"] = json!("2026-01-01T00:00:00Z");
        kept["version"] = json!("1.0.0");
        kept["context"]["contextActivities"]["parent"] = json!([{"id": "http://x/p"}]);
        assert!(same_statement(&kept, &sent));
        let mut other = sent.clone();
        other["verb"]["id"] = json!("http://x/w");
        assert!(!same_statement(&kept, &other));
    }

    #[test]
    fn jws_segments_decode() {
        assert_eq!(base64url("eyJhbGciOiJSUzI1NiJ9").unwrap(), br#"{"alg":"RS256"}"#.to_vec());
    }
}
