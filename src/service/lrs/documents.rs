//! The documents LRS clients keep (xAPI 1.0.3, Communication 2.2–2.7): the state of an activity
//! for an agent (State), an activity's profile and an agent's profile, each any content type; and
//! the Activities and Agents resources. A document's ETag is the SHA-1 of its bytes; writes honour
//! `If-Match` and `If-None-Match` (Communication 3.1). POST merges JSON objects one level deep.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use uuid::Uuid;

use crate::auth::{Actor, TokenScope};
use crate::entity::lrs_document;
pub use crate::entity::lrs_document::DocumentKind;
use crate::entity::lrs_statement;
use crate::service::lrs::validate;
use crate::service::now;
use crate::{Error, Result};

/// The largest document a client may keep.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// How many of the latest statements about an activity its definition is gathered from.
const DEFINITIONS_READ: u64 = 100;

/// What a document without a Content-Type is kept as.
const OCTET_STREAM: &str = "application/octet-stream";

/// An activity's id (`activityId`): an absolute IRI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityId(String);

impl ActivityId {
    pub fn parse(text: &str) -> Result<Self> {
        if validate::is_iri(text) {
            Ok(ActivityId(text.to_string()))
        } else {
            Err(Error::BadRequest(format!("activityId: {text:?} is not an absolute IRI")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `agent` parameter: a valid Agent (JSON), found by its one identifier.
#[derive(Clone, Debug, PartialEq)]
pub struct Agent {
    value: Value,
    key: String,
}

impl Agent {
    pub fn parse(text: &str) -> Result<Self> {
        let value: Value =
            serde_json::from_str(text).map_err(|_| Error::BadRequest("agent: not a JSON object".into()))?;
        validate::agent(&value, "agent").map_err(Error::BadRequest)?;
        let key = validate::agent_key(&value).ok_or_else(|| Error::BadRequest("agent: no identifier".into()))?;
        Ok(Agent { value, key })
    }
}

/// The `registration` parameter: a UUID.
pub fn parse_registration(text: &str) -> Result<Uuid> {
    validate::is_uuid(text)
        .then(|| Uuid::parse_str(text).ok())
        .flatten()
        .ok_or_else(|| Error::BadRequest(format!("registration: {text:?} is not a UUID")))
}

/// The `since` parameter: an ISO 8601 timestamp.
pub fn parse_since(text: &str) -> Result<DateTime<Utc>> {
    validate::parse_timestamp(text)
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| Error::BadRequest(format!("since: {text:?} is not an ISO 8601 timestamp")))
}

/// The documents of one resource for one activity, agent or both: what a GET without a document id
/// lists and a DELETE without one (State only) removes.
#[derive(Clone, Debug, PartialEq)]
pub struct Documents {
    kind: DocumentKind,
    /// '' where the kind has no activity.
    activity_id: String,
    /// '' where the kind has no agent.
    agent_key: String,
    /// State only. For a list or a removal, None means every registration; for one document, the
    /// one kept without a registration.
    registration: Option<Uuid>,
}

impl Documents {
    pub fn state(activity: &ActivityId, agent: &Agent, registration: Option<Uuid>) -> Self {
        Documents {
            kind: DocumentKind::State,
            activity_id: activity.0.clone(),
            agent_key: agent.key.clone(),
            registration,
        }
    }

    pub fn activity_profile(activity: &ActivityId) -> Self {
        Documents {
            kind: DocumentKind::ActivityProfile,
            activity_id: activity.0.clone(),
            agent_key: String::new(),
            registration: None,
        }
    }

    pub fn agent_profile(agent: &Agent) -> Self {
        Documents {
            kind: DocumentKind::AgentProfile,
            activity_id: String::new(),
            agent_key: agent.key.clone(),
            registration: None,
        }
    }

    /// One of these documents, by its `stateId` or `profileId` (not empty).
    pub fn document(self, id: &str) -> Result<DocumentKey> {
        if id.is_empty() {
            return Err(Error::BadRequest("the document id is empty".into()));
        }
        Ok(DocumentKey { documents: self, id: id.to_string() })
    }

    fn filter<Q: QueryFilter>(&self, query: Q) -> Q {
        let query = query
            .filter(lrs_document::Column::Kind.eq(self.kind))
            .filter(lrs_document::Column::ActivityId.eq(self.activity_id.as_str()))
            .filter(lrs_document::Column::AgentKey.eq(self.agent_key.as_str()));
        match self.registration {
            Some(registration) => query.filter(lrs_document::Column::Registration.eq(registration.to_string())),
            None => query,
        }
    }
}

/// One document: a set of documents and an id.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentKey {
    documents: Documents,
    id: String,
}

impl DocumentKey {
    pub fn kind(&self) -> DocumentKind {
        self.documents.kind
    }

    fn registration(&self) -> String {
        self.documents.registration.map(|r| r.to_string()).unwrap_or_default()
    }

    /// Writers of the same document take turns (PostgreSQL; SQLite has one writer anyway).
    fn lock_name(&self) -> String {
        let d = &self.documents;
        format!("lrs_document|{:?}|{}|{}|{}|{}", d.kind, d.activity_id, d.agent_key, self.registration(), self.id)
    }

    async fn find(&self, db: &impl ConnectionTrait) -> Result<Option<lrs_document::Model>> {
        let d = &self.documents;
        Ok(lrs_document::Entity::find()
            .filter(lrs_document::Column::Kind.eq(d.kind))
            .filter(lrs_document::Column::ActivityId.eq(d.activity_id.as_str()))
            .filter(lrs_document::Column::AgentKey.eq(d.agent_key.as_str()))
            .filter(lrs_document::Column::Registration.eq(self.registration()))
            .filter(lrs_document::Column::DocumentId.eq(self.id.as_str()))
            .one(db)
            .await?)
    }
}

/// A kept document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub content_type: String,
    pub content: Vec<u8>,
    /// The SHA-1 of `content` in hexadecimal, unquoted.
    pub etag: String,
    pub updated: DateTime<Utc>,
}

/// A document as a client sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// The request's Content-Type, if it had one.
    pub content_type: Option<String>,
    pub content: Vec<u8>,
}

impl Upload {
    fn content_type(&self) -> &str {
        self.content_type.as_deref().unwrap_or(OCTET_STREAM)
    }

    /// Refuses a document too large, or one that says it is JSON and is not.
    fn check(&self) -> Result<()> {
        if self.content.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::TooLarge);
        }
        if is_json(self.content_type()) && serde_json::from_slice::<Value>(&self.content).is_err() {
            return Err(Error::BadRequest("the document is declared application/json but is not JSON".into()));
        }
        Ok(())
    }

    /// The JSON object a POST merges in; None when the document is not JSON.
    fn json_object(&self) -> Result<Option<Map<String, Value>>> {
        if !is_json(self.content_type()) {
            return Ok(None);
        }
        match serde_json::from_slice(&self.content) {
            Ok(Value::Object(object)) => Ok(Some(object)),
            _ => Err(Error::BadRequest("a POSTed application/json document must be a JSON object".into())),
        }
    }
}

/// `If-Match` or `If-None-Match`: `*`, or the entity tags listed (unquoted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tags {
    Any,
    Listed(Vec<String>),
}

impl Tags {
    fn matches(&self, etag: &str) -> bool {
        match self {
            Tags::Any => true,
            Tags::Listed(tags) => tags.iter().any(|tag| tag.eq_ignore_ascii_case(etag)),
        }
    }
}

/// The conditions a write asks for (Communication 3.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preconditions {
    pub if_match: Option<Tags>,
    pub if_none_match: Option<Tags>,
}

impl Preconditions {
    fn is_empty(&self) -> bool {
        self.if_match.is_none() && self.if_none_match.is_none()
    }

    /// 412 when `If-Match` names another version (or there is no document), or when
    /// `If-None-Match` names the current one (`*`: any).
    fn check(&self, current: Option<&lrs_document::Model>) -> Result<()> {
        let etag = current.map(|d| d.etag.as_str());
        if let Some(tags) = &self.if_match
            && !etag.is_some_and(|etag| tags.matches(etag))
        {
            return Err(Error::PreconditionFailed);
        }
        if let Some(tags) = &self.if_none_match
            && etag.is_some_and(|etag| tags.matches(etag))
        {
            return Err(Error::PreconditionFailed);
        }
        Ok(())
    }
}

/// `application/json`, whatever its parameters (`; charset=utf-8`).
pub fn is_json(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

fn sha1_hex(content: &[u8]) -> String {
    Sha1::digest(content).iter().map(|b| format!("{b:02x}")).collect()
}

/// One document (404 when there is none).
pub async fn get(db: &DatabaseConnection, actor: &Actor, key: &DocumentKey) -> Result<Document> {
    actor.require_token(TokenScope::Ingest)?;
    let row = key.find(db).await?.ok_or(Error::NotFound)?;
    Ok(Document { content_type: row.content_type, content: row.content, etag: row.etag, updated: row.updated })
}

/// The ids of the documents, those changed after `since` only when it is given.
pub async fn ids(
    db: &DatabaseConnection,
    actor: &Actor,
    documents: &Documents,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<String>> {
    actor.require_token(TokenScope::Ingest)?;
    let mut query = documents.filter(lrs_document::Entity::find());
    if let Some(since) = since {
        query = query.filter(lrs_document::Column::Updated.gt(since));
    }
    Ok(query
        .select_only()
        .column(lrs_document::Column::DocumentId)
        .distinct()
        .order_by_asc(lrs_document::Column::DocumentId)
        .into_tuple()
        .all(db)
        .await?)
}

/// PUT: keeps the document as sent, replacing the one kept. A profile (not a state) is replaced
/// only under `If-Match` or `If-None-Match`: without either, 409 when one is kept, 400 otherwise.
/// Returns the new ETag.
pub async fn put(
    db: &DatabaseConnection,
    actor: &Actor,
    key: &DocumentKey,
    preconditions: &Preconditions,
    upload: Upload,
) -> Result<String> {
    actor.require_token(TokenScope::Ingest)?;
    upload.check()?;
    let txn = crate::db::write(db).await?;
    crate::db::lock_keys(&txn, &[&key.lock_name()]).await?;
    let current = key.find(&txn).await?;
    preconditions.check(current.as_ref())?;
    if key.kind() != DocumentKind::State && preconditions.is_empty() {
        return Err(match current {
            Some(_) => Error::Conflict(None),
            None => Error::BadRequest("a PUT to a profile needs If-Match or If-None-Match".into()),
        });
    }
    let content_type = upload.content_type().to_string();
    let etag = save(&txn, key, current, content_type, upload.content).await?;
    txn.commit().await?;
    Ok(etag)
}

/// POST: keeps the document when none is kept; else merges it into the kept one, when both are
/// JSON objects, key by key at the top level (400 otherwise). Returns the new ETag.
pub async fn post(
    db: &DatabaseConnection,
    actor: &Actor,
    key: &DocumentKey,
    preconditions: &Preconditions,
    upload: Upload,
) -> Result<String> {
    actor.require_token(TokenScope::Ingest)?;
    upload.check()?;
    let incoming = upload.json_object()?;
    let txn = crate::db::write(db).await?;
    crate::db::lock_keys(&txn, &[&key.lock_name()]).await?;
    let current = key.find(&txn).await?;
    preconditions.check(current.as_ref())?;
    let (content_type, content) = match (&current, incoming) {
        (None, _) => (upload.content_type().to_string(), upload.content),
        (Some(kept), Some(incoming)) if is_json(&kept.content_type) => {
            let Ok(Value::Object(mut merged)) = serde_json::from_slice::<Value>(&kept.content) else {
                return Err(Error::BadRequest("the kept document is not a JSON object: it cannot be merged".into()));
            };
            merged.extend(incoming);
            let content = serde_json::to_vec(&merged).map_err(|_| Error::Internal)?;
            ("application/json".to_string(), content)
        }
        (Some(_), _) => {
            return Err(Error::BadRequest(
                "a POST merges only a JSON object into a kept JSON object; PUT replaces a document".into(),
            ));
        }
    };
    let etag = save(&txn, key, current, content_type, content).await?;
    txn.commit().await?;
    Ok(etag)
}

async fn save(
    db: &impl ConnectionTrait,
    key: &DocumentKey,
    current: Option<lrs_document::Model>,
    content_type: String,
    content: Vec<u8>,
) -> Result<String> {
    let etag = sha1_hex(&content);
    match current {
        Some(row) => {
            let mut row = row.into_active_model();
            row.content_type = Set(content_type);
            row.content = Set(content);
            row.etag = Set(etag.clone());
            row.updated = Set(now());
            row.update(db).await?;
        }
        None => {
            lrs_document::ActiveModel {
                id: Set(Uuid::now_v7()),
                kind: Set(key.documents.kind),
                activity_id: Set(key.documents.activity_id.clone()),
                agent_key: Set(key.documents.agent_key.clone()),
                registration: Set(key.registration()),
                document_id: Set(key.id.clone()),
                content_type: Set(content_type),
                content: Set(content),
                etag: Set(etag.clone()),
                updated: Set(now()),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(etag)
}

/// DELETE of one document; deleting one that is not kept is no error (unless `If-Match` asks for it).
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    key: &DocumentKey,
    preconditions: &Preconditions,
) -> Result<()> {
    actor.require_token(TokenScope::Ingest)?;
    let txn = crate::db::write(db).await?;
    crate::db::lock_keys(&txn, &[&key.lock_name()]).await?;
    let current = key.find(&txn).await?;
    preconditions.check(current.as_ref())?;
    if let Some(row) = current {
        lrs_document::Entity::delete_by_id(row.id).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// DELETE without a document id: every document of the set.
pub async fn delete_all(db: &DatabaseConnection, actor: &Actor, documents: &Documents) -> Result<()> {
    actor.require_token(TokenScope::Ingest)?;
    documents.filter(lrs_document::Entity::delete_many()).exec(db).await?;
    Ok(())
}

/// The Activities resource: the activity, with the definition gathered from the latest statements
/// whose object it is (language maps merged, a later value winning); its id alone when there are none.
pub async fn activity(db: &DatabaseConnection, actor: &Actor, id: &ActivityId) -> Result<Value> {
    actor.require_token(TokenScope::Ingest)?;
    let bodies: Vec<String> = lrs_statement::Entity::find()
        .select_only()
        .column(lrs_statement::Column::Body)
        // By the statements' index of activities (their objects), not a scan of every statement.
        .filter(
            lrs_statement::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(crate::entity::lrs_statement_key::Column::StatementId)
                    .from(crate::entity::lrs_statement_key::Entity)
                    .and_where(crate::entity::lrs_statement_key::Column::Kind.eq("activity"))
                    .and_where(crate::entity::lrs_statement_key::Column::Value.eq(id.as_str()))
                    .to_owned(),
            ),
        )
        .order_by_desc(lrs_statement::Column::Stored)
        .limit(DEFINITIONS_READ)
        .into_tuple()
        .all(db)
        .await?;
    let mut definition = Map::new();
    for body in bodies.iter().rev() {
        let Ok(statement) = serde_json::from_str::<Value>(body) else { continue };
        let object = &statement["object"];
        let is_activity = object.get("objectType").and_then(Value::as_str).is_none_or(|kind| kind == "Activity");
        if let (true, Some(Value::Object(newer))) = (is_activity, object.get("definition")) {
            merge_definition(&mut definition, newer);
        }
    }
    let mut activity = Map::new();
    activity.insert("objectType".into(), "Activity".into());
    activity.insert("id".into(), id.as_str().into());
    if !definition.is_empty() {
        activity.insert("definition".into(), Value::Object(definition));
    }
    Ok(Value::Object(activity))
}

/// Maps (`name`, `description`, `extensions`) are merged entry by entry; anything else is replaced.
fn merge_definition(definition: &mut Map<String, Value>, newer: &Map<String, Value>) {
    for (field, value) in newer {
        match (definition.get_mut(field), value) {
            (Some(Value::Object(kept)), Value::Object(entries)) => {
                kept.extend(entries.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ => {
                definition.insert(field.clone(), value.clone());
            }
        }
    }
}

/// The Agents resource: the Person the agent is, each property an array. The LRS keeps nothing
/// more about people than the agent given, so that is all it says.
pub fn person(actor: &Actor, agent: &Agent) -> Result<Value> {
    actor.require_token(TokenScope::Ingest)?;
    let mut person = Map::new();
    person.insert("objectType".into(), "Person".into());
    for field in ["name", "mbox", "mbox_sha1sum", "openid", "account"] {
        if let Some(value) = agent.value.get(field) {
            person.insert(field.into(), Value::Array(vec![value.clone()]));
        }
    }
    Ok(Value::Object(person))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(etag: &str) -> lrs_document::Model {
        lrs_document::Model {
            id: Uuid::nil(),
            kind: DocumentKind::State,
            activity_id: String::new(),
            agent_key: String::new(),
            registration: String::new(),
            document_id: "a".into(),
            content_type: "application/json".into(),
            content: b"{}".to_vec(),
            etag: etag.into(),
            updated: now(),
        }
    }

    #[test]
    fn preconditions_follow_rfc_7232() {
        let kept = row("abc");
        let if_match = |tags: Tags| Preconditions { if_match: Some(tags), if_none_match: None };
        let if_none_match = |tags: Tags| Preconditions { if_match: None, if_none_match: Some(tags) };
        assert_eq!(if_match(Tags::Listed(vec!["abc".into()])).check(Some(&kept)), Ok(()));
        assert_eq!(if_match(Tags::Listed(vec!["def".into()])).check(Some(&kept)), Err(Error::PreconditionFailed));
        assert_eq!(if_match(Tags::Any).check(None), Err(Error::PreconditionFailed));
        assert_eq!(if_none_match(Tags::Any).check(Some(&kept)), Err(Error::PreconditionFailed));
        assert_eq!(if_none_match(Tags::Any).check(None), Ok(()));
        assert_eq!(if_none_match(Tags::Listed(vec!["def".into()])).check(Some(&kept)), Ok(()));
        assert_eq!(Preconditions::default().check(Some(&kept)), Ok(()));
    }

    #[test]
    fn etag_is_the_sha1_of_the_bytes() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn definitions_merge_language_maps() {
        let mut definition = serde_json::from_str(r#"{"name": {"en-US": "meeting"}, "type": "http://a"}"#).unwrap();
        let newer: Map<String, Value> =
            serde_json::from_str(r#"{"name": {"fr-FR": "réunion"}, "type": "http://b"}"#).unwrap();
        merge_definition(&mut definition, &newer);
        assert_eq!(
            Value::Object(definition),
            serde_json::json!({"name": {"en-US": "meeting", "fr-FR": "réunion"}, "type": "http://b"})
        );
    }

    #[test]
    fn parameters_are_refused_with_their_name() {
        assert!(matches!(ActivityId::parse("not an iri"), Err(Error::BadRequest(m)) if m.starts_with("activityId")));
        assert!(matches!(Agent::parse("true"), Err(Error::BadRequest(m)) if m.starts_with("agent")));
        assert!(matches!(parse_registration("true"), Err(Error::BadRequest(m)) if m.starts_with("registration")));
        assert!(matches!(parse_since("yesterday"), Err(Error::BadRequest(m)) if m.starts_with("since")));
        assert_eq!(
            Agent::parse(r#"{"mbox": "mailto:a@example.com"}"#).map(|a| a.key),
            Ok("Agent|mbox|mailto:a@example.com".to_string())
        );
    }
}
