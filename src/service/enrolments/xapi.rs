//! xAPI 1.0.3, the part that records learning outcomes: statements from MOOC platforms become
//! enrolments, progress and completions. A request is applied whole or not at all; a statement id
//! seen before changes nothing.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::{Actor, TokenScope};
use crate::entity::{course, learner, xapi_statement};
use crate::model::{EnrolmentStatus, Source};
use crate::person::PhoneNumber;
use crate::service::enrolments::{Completion, change_in, completed, enrol_in};
use crate::service::{audit, now};
use crate::{Error, Result};

pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const VERB_PROGRESSED: &str = "http://adlnet.gov/expapi/verbs/progressed";
pub const VERB_REGISTERED: &str = "http://adlnet.gov/expapi/verbs/registered";

/// Why a statement could not be mapped; the message names what failed.
#[derive(Debug, PartialEq, Eq)]
pub struct Unmappable {
    pub index: usize,
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Registered,
    Progressed(i32),
    Completed,
}

struct Mapped {
    id: Uuid,
    learner: learner::Model,
    course: course::Model,
    outcome: Outcome,
    at: DateTime<Utc>,
    score: Option<f64>,
    verb: String,
}

/// The part of an xAPI statement that records an outcome, parsed once into types (other properties
/// are not read here). `id` must be a UUID; `timestamp` an RFC 3339 instant.
#[derive(Debug, serde::Deserialize)]
pub struct Statement {
    pub id: Option<Uuid>,
    pub actor: Agent,
    pub verb: Verb,
    pub object: ObjectRef,
    pub result: Option<StatementResult>,
    pub timestamp: Option<DateTime<chrono::FixedOffset>>,
}

/// An agent, identified by an account (`name` is the learner code) or an `mbox` (`tel:+84…`).
#[derive(Debug, serde::Deserialize)]
pub struct Agent {
    pub account: Option<Account>,
    pub mbox: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct Account {
    pub name: String,
    #[serde(rename = "homePage")]
    pub home_page: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct Verb {
    pub id: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct ObjectRef {
    pub id: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StatementResult {
    pub completion: Option<bool>,
    pub success: Option<bool>,
    pub score: Option<ResultScore>,
    #[serde(default)]
    pub extensions: HashMap<String, Value>,
}

#[derive(Debug, serde::Deserialize)]
pub struct ResultScore {
    pub scaled: Option<f64>,
}

/// cmi5's progress extension: a percentage, as a number or as text.
const PROGRESS_EXTENSION: &str = "https://w3id.org/xapi/cmi5/result/extensions/progress";

impl StatementResult {
    fn progress(&self) -> i32 {
        match self.extensions.get(PROGRESS_EXTENSION) {
            Some(Value::Number(n)) => n.as_i64().map_or(0, |p| p.clamp(0, 100) as i32),
            Some(Value::String(p)) => p.trim().parse::<i32>().map_or(0, |p| p.clamp(0, 100)),
            _ => 0,
        }
    }
}

/// Applies statements (one object or an array). Returns the statement ids, in order.
pub async fn receive(
    db: &DatabaseConnection,
    actor: &Actor,
    body: &Value,
) -> Result<std::result::Result<Vec<Uuid>, Unmappable>> {
    match actor {
        Actor::Anonymous => return Err(Error::Unauthorized),
        Actor::Token(t) if t.scope == TokenScope::Ingest => {}
        _ => return Err(Error::Forbidden),
    }
    let statements: Vec<&Value> = match body {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![body],
        _ => {
            return Ok(Err(Unmappable {
                index: 0,
                reason: "the body is not a statement or an array of statements".into(),
            }));
        }
    };
    let at_now = now();
    let courses = course::Entity::find().filter(course::Column::Active.eq(true)).all(db).await?;
    let by_activity: HashMap<String, course::Model> = courses
        .iter()
        .flat_map(|c| {
            [c.url.clone(), c.activity_iri.clone()]
                .into_iter()
                .flatten()
                .map(move |iri| (iri.trim_end_matches('/').to_string(), c.clone()))
        })
        .collect();

    let mut ids = Vec::new();
    let mut mapped = Vec::new();
    for (index, statement) in statements.iter().enumerate() {
        let fail = |reason: &str| Ok(Err(Unmappable { index, reason: format!("statement {index}: {reason}") }));
        let statement: Statement = match Statement::deserialize(*statement) {
            Ok(statement) => statement,
            Err(err) => return fail(&format!("not a statement: {err}")),
        };
        let id = statement.id.unwrap_or_else(Uuid::new_v4);
        ids.push(id);
        if xapi_statement::Entity::find_by_id(id).one(db).await?.is_some() || mapped.iter().any(|m: &Mapped| m.id == id)
        {
            continue;
        }
        // The learner: account.name is the learner code; mbox may carry tel:+84… .
        let learner = if let Some(name) = statement.actor.account.as_ref().map(|a| a.name.as_str()) {
            learner::Entity::find()
                .filter(learner::Column::Code.eq(name.trim().to_uppercase()))
                .filter(learner::Column::ErasedAt.is_null())
                .one(db)
                .await?
        } else if let Some(phone) = statement
            .actor
            .mbox
            .as_deref()
            .and_then(|m| m.strip_prefix("tel:"))
            .and_then(|p| PhoneNumber::parse(p).ok())
        {
            let found = learner::Entity::find().filter(learner::Column::Phone.eq(phone.as_str())).all(db).await?;
            if found.len() == 1 { found.into_iter().next() } else { None }
        } else {
            return fail("actor has neither account.name (learner code) nor mbox tel: phone");
        };
        let Some(learner) = learner.filter(|l| l.active) else {
            return fail("actor does not match a learner");
        };
        let Some(object) = statement.object.id.as_deref() else {
            return fail("object.id is missing");
        };
        let Some(course) = by_activity.get(object.trim_end_matches('/')).cloned() else {
            return fail(&format!("object.id {object} does not match a course link or activity IRI"));
        };
        let verb = statement.verb.id.trim().to_string();
        let result = statement.result.unwrap_or_default();
        let (completion, success) = (result.completion, result.success);
        let scaled = result.score.as_ref().and_then(|s| s.scaled);
        if scaled.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
            return fail("result.score.scaled is outside 0..1");
        }
        let outcome = match verb.as_str() {
            VERB_COMPLETED => Outcome::Completed,
            VERB_PASSED if success != Some(false) => Outcome::Completed,
            VERB_PASSED => Outcome::Progressed(100),
            VERB_PROGRESSED if completion == Some(true) => Outcome::Completed,
            VERB_PROGRESSED => Outcome::Progressed(result.progress()),
            VERB_REGISTERED => Outcome::Registered,
            "" => return fail("verb.id is missing"),
            other => return fail(&format!("verb {other} is not one of completed, passed, progressed, registered")),
        };
        let at = match statement.timestamp.map(|t| t.with_timezone(&Utc)) {
            None => at_now,
            Some(t) if t <= at_now + chrono::Duration::minutes(5) => t.min(at_now),
            Some(_) => return fail("timestamp is in the future"),
        };
        mapped.push(Mapped {
            id,
            learner,
            course,
            outcome,
            at,
            score: scaled.map(|s| (s * 10000.0).round() / 100.0),
            verb,
        });
    }

    let txn = crate::db::write(db).await?;
    for m in &mapped {
        let (row, _) = enrol_in(&txn, m.learner.id, m.course.id, m.at, Source::Xapi).await?;
        match m.outcome {
            Outcome::Registered => {}
            Outcome::Completed => {
                let completion = Completion {
                    at: m.at,
                    score: m.score,
                    certificate_no: row.certificate_no.clone(),
                    source: Source::Xapi,
                };
                change_in(&txn, row.id, completed(completion)).await?;
            }
            Outcome::Progressed(progress) => {
                change_in(&txn, row.id, |old, change| {
                    if old.status != EnrolmentStatus::Completed {
                        change.status = Set(EnrolmentStatus::InProgress);
                        change.progress = Set(progress.max(old.progress));
                    }
                })
                .await?;
            }
        }
        xapi_statement::ActiveModel {
            id: Set(m.id),
            received_at: Set(at_now),
            learner_id: Set(m.learner.id),
            course_id: Set(m.course.id),
            verb: Set(m.verb.clone()),
        }
        .insert(&txn)
        .await?;
    }
    if !mapped.is_empty() {
        audit::record(
            &txn,
            &actor.label(),
            audit::Action::Xapi,
            audit::Entity::Enrolment,
            None,
            json!({"statements": mapped.len()}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Ok(ids))
}
