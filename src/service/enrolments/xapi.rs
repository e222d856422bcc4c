//! xAPI 1.0.3, the part that records learning outcomes. The LRS (`lrs::statements`) keeps every
//! valid statement; those whose actor is a learner, whose object is a course and whose verb records
//! an outcome also become enrolments, progress and completions, here, in the same transaction.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Result;
use crate::auth::Actor;
use crate::entity::{course, learner, xapi_statement};
use crate::model::{EnrolmentStatus, Source};
use crate::person::PhoneNumber;
use crate::service::audit;
use crate::service::enrolments::{Completion, change_in, completed, enrol_in};

pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const VERB_PROGRESSED: &str = "http://adlnet.gov/expapi/verbs/progressed";
pub const VERB_REGISTERED: &str = "http://adlnet.gov/expapi/verbs/registered";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Registered,
    Progressed(i32),
    Completed,
}

/// A statement's outcome for a learner in a course.
pub struct Mapped {
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

/// An agent, identified by an account (`name` is the learner code) or an `openid` (`tel:+84…`).
#[derive(Debug, serde::Deserialize)]
pub struct Agent {
    pub account: Option<Account>,
    pub openid: Option<String>,
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

/// What newly kept statements change: those whose actor is a learner, whose object is a course
/// and whose verb records an outcome. Statements that do not parse into the typed shape below are
/// only kept.
pub async fn outcomes(
    db: &impl ConnectionTrait,
    statements: &[(Uuid, &Value)],
    at_now: DateTime<Utc>,
) -> Result<Vec<Mapped>> {
    if statements.is_empty() {
        return Ok(Vec::new());
    }
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
    let mut mapped = Vec::new();
    for (id, raw) in statements {
        let Ok(statement) = Statement::deserialize(*raw) else { continue };
        if let Some(m) = map(db, &statement, *id, &by_activity, at_now).await? {
            mapped.push(m);
        }
    }
    Ok(mapped)
}

/// What a statement changes, when its actor is a learner, its object a course and its verb one of
/// registered, progressed, completed or passed; None otherwise (it is only kept).
async fn map(
    db: &impl ConnectionTrait,
    statement: &Statement,
    id: Uuid,
    by_activity: &HashMap<String, course::Model>,
    at_now: DateTime<Utc>,
) -> Result<Option<Mapped>> {
    // The learner: account.name is the learner code; openid may carry tel:+84… .
    let learner = if let Some(name) = statement.actor.account.as_ref().map(|a| a.name.as_str()) {
        learner::Entity::find()
            .filter(learner::Column::Code.eq(name.trim().to_uppercase()))
            .filter(learner::Column::ErasedAt.is_null())
            .one(db)
            .await?
    } else if let Some(phone) =
        statement.actor.openid.as_deref().and_then(|m| m.strip_prefix("tel:")).and_then(|p| PhoneNumber::parse(p).ok())
    {
        let found = learner::Entity::find().filter(learner::Column::Phone.eq(phone.as_str())).all(db).await?;
        if found.len() == 1 { found.into_iter().next() } else { None }
    } else {
        None
    };
    let Some(learner) = learner.filter(|l| l.active) else { return Ok(None) };
    let Some(object) = statement.object.id.as_deref() else { return Ok(None) };
    let Some(course) = by_activity.get(object.trim_end_matches('/')).cloned() else { return Ok(None) };
    let verb = statement.verb.id.trim().to_string();
    let result = statement.result.as_ref();
    let (completion, success) = (result.and_then(|r| r.completion), result.and_then(|r| r.success));
    let scaled = result.and_then(|r| r.score.as_ref()).and_then(|s| s.scaled).filter(|s| *s >= 0.0);
    let outcome = match verb.as_str() {
        VERB_COMPLETED => Outcome::Completed,
        VERB_PASSED if success != Some(false) => Outcome::Completed,
        VERB_PASSED => Outcome::Progressed(100),
        VERB_PROGRESSED if completion == Some(true) => Outcome::Completed,
        VERB_PROGRESSED => Outcome::Progressed(result.map_or(0, StatementResult::progress)),
        VERB_REGISTERED => Outcome::Registered,
        _ => return Ok(None),
    };
    // A completion is counted in the week it happened, never later than now.
    let at = statement.timestamp.map_or(at_now, |t| t.with_timezone(&Utc).min(at_now));
    Ok(Some(Mapped { id, learner, course, outcome, at, score: scaled.map(|s| (s * 10000.0).round() / 100.0), verb }))
}

/// Applies what statements change, in the caller's transaction (the one that keeps them).
pub async fn apply(txn: &DatabaseTransaction, actor: &Actor, mapped: Vec<Mapped>, at_now: DateTime<Utc>) -> Result<()> {
    for m in &mapped {
        let (row, _) = enrol_in(txn, m.learner.id, m.course.id, m.at, Source::Xapi).await?;
        match m.outcome {
            Outcome::Registered => {}
            Outcome::Completed => {
                let completion = Completion {
                    at: m.at,
                    score: m.score,
                    certificate_no: row.certificate_no.clone(),
                    source: Source::Xapi,
                };
                change_in(txn, row.id, completed(completion)).await?;
            }
            Outcome::Progressed(progress) => {
                change_in(txn, row.id, |old, change| {
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
        .insert(txn)
        .await?;
    }
    if !mapped.is_empty() {
        audit::record(
            txn,
            &actor.label(),
            audit::Action::Xapi,
            audit::Entity::Enrolment,
            None,
            json!({"statements": mapped.len()}),
        )
        .await?;
    }
    Ok(())
}
