//! xAPI 1.0.3, the part that records learning outcomes: statements from MOOC platforms become
//! enrolments, progress and completions. A request is applied whole or not at all; a statement id
//! seen before changes nothing.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
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

fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key)).and_then(Value::as_str)
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
        let id = match statement.get("id") {
            None => Uuid::new_v4(),
            Some(id) => match id.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                Some(id) => id,
                None => return fail("id is not a UUID"),
            },
        };
        ids.push(id);
        if xapi_statement::Entity::find_by_id(id).one(db).await?.is_some() || mapped.iter().any(|m: &Mapped| m.id == id)
        {
            continue;
        }
        // The learner: account.name is the learner code; mbox may carry tel:+84… .
        let learner = if let Some(name) = text(statement, &["actor", "account", "name"]) {
            learner::Entity::find()
                .filter(learner::Column::Code.eq(name.trim().to_uppercase()))
                .filter(learner::Column::ErasedAt.is_null())
                .one(db)
                .await?
        } else if let Some(phone) = text(statement, &["actor", "mbox"])
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
        let Some(object) = text(statement, &["object", "id"]) else {
            return fail("object.id is missing");
        };
        let Some(course) = by_activity.get(object.trim_end_matches('/')).cloned() else {
            return fail(&format!("object.id {object} does not match a course link or activity IRI"));
        };
        let verb = text(statement, &["verb", "id"]).unwrap_or_default().to_string();
        let result = statement.get("result");
        let completion = result.and_then(|r| r.get("completion")).and_then(Value::as_bool);
        let success = result.and_then(|r| r.get("success")).and_then(Value::as_bool);
        let scaled = result.and_then(|r| r.get("score")).and_then(|s| s.get("scaled")).and_then(Value::as_f64);
        if scaled.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
            return fail("result.score.scaled is outside 0..1");
        }
        let outcome = match verb.as_str() {
            VERB_COMPLETED => Outcome::Completed,
            VERB_PASSED if success != Some(false) => Outcome::Completed,
            VERB_PASSED => Outcome::Progressed(100),
            VERB_PROGRESSED if completion == Some(true) => Outcome::Completed,
            VERB_PROGRESSED => {
                let progress =
                    text(statement, &["result", "extensions", "https://w3id.org/xapi/cmi5/result/extensions/progress"])
                        .and_then(|p| p.parse().ok())
                        .or_else(|| {
                            result
                                .and_then(|r| r.get("extensions"))
                                .and_then(|e| e.get("https://w3id.org/xapi/cmi5/result/extensions/progress"))
                                .and_then(Value::as_i64)
                                .map(|p| p as i32)
                        })
                        .unwrap_or(0);
                Outcome::Progressed(progress.clamp(0, 100))
            }
            VERB_REGISTERED => Outcome::Registered,
            "" => return fail("verb.id is missing"),
            other => return fail(&format!("verb {other} is not one of completed, passed, progressed, registered")),
        };
        let at = match statement.get("timestamp").and_then(Value::as_str) {
            None => at_now,
            Some(t) => match DateTime::parse_from_rfc3339(t) {
                Ok(t) if t.with_timezone(&Utc) <= at_now + chrono::Duration::minutes(5) => {
                    t.with_timezone(&Utc).min(at_now)
                }
                _ => return fail("timestamp is not an RFC 3339 instant in the past"),
            },
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
