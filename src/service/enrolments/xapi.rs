//! xAPI 1.0.3, the part that records learning outcomes. The LRS (`lrs::statements`) keeps every
//! valid statement; those whose actor is a learner, whose object is a course and whose verb records
//! an outcome also become enrolments, progress and completions, here, in the same transaction.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Result;
use crate::auth::Actor;
use crate::entity::{course, learner, learner_link, lrs_statement, lrs_unmatched, xapi_statement};
use crate::model::{EnrolmentStatus, Source};
use crate::person::PhoneNumber;
use crate::service::audit;
use crate::service::enrolments::{Completion, change_counted, change_in, completed, enrol_counted};
use crate::service::statistics::Deltas;

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
    learner_id: Uuid,
    course_id: Uuid,
    outcome: Outcome,
    at: DateTime<Utc>,
    score: Option<f64>,
    verb: String,
}

/// What newly kept statements change: outcomes for learners, outcomes waiting for their actor to
/// be linked to a learner, and statements about erased learners (kept without their actor).
#[derive(Default)]
pub struct Outcomes {
    pub mapped: Vec<Mapped>,
    pub unmatched: Vec<lrs_unmatched::Model>,
    pub erased: Vec<Uuid>,
}

/// The part of an xAPI statement that records an outcome, parsed once into types (other properties
/// are not read here). The statement has passed `lrs::validate` already.
#[derive(Debug, serde::Deserialize)]
pub struct Statement {
    pub actor: Value,
    pub verb: Verb,
    pub object: ObjectRef,
    pub result: Option<StatementResult>,
    pub context: Option<Context>,
    pub timestamp: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct Context {
    #[serde(rename = "contextActivities")]
    pub context_activities: Option<ContextActivities>,
}

/// Parent and grouping activities, alone or in arrays (the LRS keeps arrays).
#[derive(Debug, serde::Deserialize)]
pub struct ContextActivities {
    pub parent: Option<Value>,
    pub grouping: Option<Value>,
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

/// The courses a statement may name, by activity IRI (the course link or its activity id) and by
/// Open edX course key (`ORG+NUM+RUN`).
pub struct Courses {
    by_iri: HashMap<String, Uuid>,
    by_edx_key: HashMap<String, Uuid>,
}

impl Courses {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Courses> {
        let courses = course::Entity::find().filter(course::Column::Active.eq(true)).all(db).await?;
        let mut found = Courses { by_iri: HashMap::new(), by_edx_key: HashMap::new() };
        for course in courses {
            for iri in [course.url, course.activity_iri].into_iter().flatten() {
                if let Some(key) = edx_course_key(&iri) {
                    found.by_edx_key.insert(key.to_string(), course.id);
                }
                found.by_iri.insert(iri.trim_end_matches('/').to_string(), course.id);
            }
        }
        Ok(found)
    }

    /// The course an activity is or is part of (`true`: a block inside it, `block-v1:…`).
    fn find(&self, iri: &str) -> Option<(Uuid, bool)> {
        if let Some(course) = self.by_iri.get(iri.trim_end_matches('/')) {
            return Some((*course, false));
        }
        let key = edx_course_key(iri)?;
        self.by_edx_key.get(key).map(|course| (*course, !iri.contains("course-v1:")))
    }

    /// The course a statement is about: its object, or else (a block inside a course, as Open edX
    /// sends) the course the block or a parent or grouping activity names; `true` in the second case.
    fn of(&self, statement: &Statement) -> Option<(Uuid, bool)> {
        if let Some(found) = statement.object.id.as_deref().and_then(|id| self.find(id)) {
            return Some(found);
        }
        let activities = statement.context.as_ref()?.context_activities.as_ref()?;
        [&activities.parent, &activities.grouping]
            .into_iter()
            .flatten()
            .flat_map(|list| match list {
                Value::Array(items) => items.iter().collect::<Vec<_>>(),
                one => vec![one],
            })
            .filter_map(|activity| activity.get("id").and_then(Value::as_str))
            .find_map(|id| self.find(id))
            .map(|(course, _)| (course, true))
    }
}

/// The Open edX course key in a course or block address: `MOET+KNS-ND+2026-1` in
/// `…/courses/course-v1:MOET+KNS-ND+2026-1/…` or `…/block-v1:MOET+KNS-ND+2026-1+type@problem+block@…`.
pub fn edx_course_key(text: &str) -> Option<&str> {
    let start = ["course-v1:", "block-v1:"].iter().find_map(|prefix| text.find(prefix).map(|at| at + prefix.len()))?;
    let rest = &text[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let rest = &rest[..end];
    let rest = rest.find("+type@").map_or(rest, |at| &rest[..at]);
    let parts: Vec<&str> = rest.split('+').collect();
    (parts.len() == 3 && parts.iter().all(|p| !p.is_empty())).then_some(rest)
}

/// What newly kept statements change. Statements whose verb records no outcome, or whose object is
/// no known course, change nothing (they are only kept).
pub async fn outcomes(
    db: &impl ConnectionTrait,
    statements: &[(Uuid, &Value)],
    platform: &str,
    at_now: DateTime<Utc>,
) -> Result<Outcomes> {
    let mut found = Outcomes::default();
    if statements.is_empty() {
        return Ok(found);
    }
    let courses = Courses::load(db).await?;
    let parsed: Vec<(Uuid, Statement)> =
        statements.iter().filter_map(|(id, raw)| Some((*id, Statement::deserialize(*raw).ok()?))).collect();
    let people = People::load(db, parsed.iter().map(|(_, s)| &s.actor)).await?;
    for (id, statement) in parsed {
        let Some((course_id, outcome, at)) = outcome(&statement, &courses, at_now) else { continue };
        match people.who(db, &statement.actor).await? {
            Who::Learner(learner_id) => found.mapped.push(Mapped {
                id,
                learner_id,
                course_id,
                outcome,
                at,
                score: score(&statement),
                verb: statement.verb.id.clone(),
            }),
            Who::Erased => found.erased.push(id),
            Who::Unknown(actor_key) => found.unmatched.push(lrs_unmatched::Model {
                statement_id: id,
                actor_key,
                actor: crate::service::lrs::links::describe(&statement.actor),
                platform: platform.to_string(),
                course_id,
                // What it will do once linked (a block's completion is work in the course).
                verb: match outcome {
                    Outcome::Registered => VERB_REGISTERED,
                    Outcome::Progressed(_) => VERB_PROGRESSED,
                    Outcome::Completed => VERB_COMPLETED,
                }
                .to_string(),
                timestamp: at,
                stored: at_now,
            }),
            Who::Nobody => {}
        }
    }
    Ok(found)
}

/// The learners a request's actors may be, read at once: by linked platform account and by code.
struct People {
    by_key: HashMap<String, Uuid>,
    learners: HashMap<Uuid, learner::Model>,
    by_code: HashMap<String, Uuid>,
}

impl People {
    async fn load(db: &impl ConnectionTrait, actors: impl Iterator<Item = &Value>) -> Result<People> {
        let mut keys = Vec::new();
        let mut codes = Vec::new();
        for actor in actors {
            keys.extend(crate::service::lrs::links::actor_key(actor));
            if let Some(name) = actor.pointer("/account/name").and_then(Value::as_str) {
                codes.push(name.trim().to_uppercase());
            }
        }
        let links = learner_link::Entity::find().filter(learner_link::Column::ActorKey.is_in(keys)).all(db).await?;
        let by_key: HashMap<String, Uuid> = links.into_iter().map(|l| (l.actor_key, l.learner_id)).collect();
        let ids: Vec<Uuid> = by_key.values().copied().collect();
        // Two lookups by index: SQLite scans the whole table for `id IN … OR code IN …`.
        let mut found = learner::Entity::find().filter(learner::Column::Id.is_in(ids)).all(db).await?;
        found.extend(learner::Entity::find().filter(learner::Column::Code.is_in(codes)).all(db).await?);
        let by_code = found.iter().map(|l| (l.code.clone(), l.id)).collect();
        Ok(People { by_key, learners: found.into_iter().map(|l| (l.id, l)).collect(), by_code })
    }

    /// The learner an actor is: a linked platform account or e-mail address; an account whose
    /// name is a learner code; or an `openid` `tel:` number that is one learner's registered phone.
    async fn who(&self, db: &impl ConnectionTrait, actor: &Value) -> Result<Who> {
        let key = crate::service::lrs::links::actor_key(actor);
        let mut learner = key.as_ref().and_then(|k| self.by_key.get(k)).and_then(|id| self.learners.get(id)).cloned();
        if learner.is_none()
            && let Some(name) = actor.pointer("/account/name").and_then(Value::as_str)
        {
            learner = self.by_code.get(&name.trim().to_uppercase()).and_then(|id| self.learners.get(id)).cloned();
        }
        if learner.is_none()
            && let Some(phone) = actor
                .get("openid")
                .and_then(Value::as_str)
                .and_then(|m| m.strip_prefix("tel:"))
                .and_then(|p| PhoneNumber::parse(p).ok())
        {
            let found = learner::Entity::find().filter(learner::Column::Phone.eq(phone.as_str())).all(db).await?;
            learner = if found.len() == 1 { found.into_iter().next() } else { None };
        }
        Ok(match learner {
            Some(l) if l.erased_at.is_some() => Who::Erased,
            Some(l) if l.active => Who::Learner(l.id),
            Some(_) => Who::Nobody,
            None => key.map_or(Who::Nobody, Who::Unknown),
        })
    }
}

/// Where a statement's actor leads.
enum Who {
    Learner(Uuid),
    /// A learner whose personal data was erased: nothing of theirs is kept.
    Erased,
    /// No learner yet: the statement waits for a link to this actor key.
    Unknown(String),
    /// Nobody to wait for (a deactivated learner, an actor without an identifier to link).
    Nobody,
}

/// The course, the outcome and when, for a statement whose verb is registered, progressed,
/// completed or passed and whose object (or its parent) is a known course. A block inside a
/// course shows the learner at work in it; only the course itself is completed.
fn outcome(statement: &Statement, courses: &Courses, at_now: DateTime<Utc>) -> Option<(Uuid, Outcome, DateTime<Utc>)> {
    let (course, via_context) = courses.of(statement)?;
    let result = statement.result.as_ref();
    let (completion, success) = (result.and_then(|r| r.completion), result.and_then(|r| r.success));
    let progress = result.map_or(0, StatementResult::progress);
    let outcome = match statement.verb.id.trim() {
        VERB_REGISTERED => Outcome::Registered,
        VERB_COMPLETED | VERB_PASSED | VERB_PROGRESSED if via_context => Outcome::Progressed(progress),
        VERB_COMPLETED => Outcome::Completed,
        VERB_PASSED if success != Some(false) => Outcome::Completed,
        VERB_PASSED => Outcome::Progressed(100),
        VERB_PROGRESSED if completion == Some(true) => Outcome::Completed,
        VERB_PROGRESSED => Outcome::Progressed(progress),
        _ => return None,
    };
    // A completion is counted in the week it happened, never later than now.
    let at = statement
        .timestamp
        .as_deref()
        .and_then(crate::service::lrs::validate::parse_timestamp)
        .map_or(at_now, |t| t.with_timezone(&Utc).min(at_now));
    Some((course, outcome, at))
}

fn score(statement: &Statement) -> Option<f64> {
    let scaled = statement.result.as_ref()?.score.as_ref()?.scaled.filter(|s| *s >= 0.0)?;
    Some((scaled * 10000.0).round() / 100.0)
}

/// Applies, in `timestamp` order, the statements that waited for `actor_key` now that it is the
/// learner's, in the caller's transaction; each once. Returns how many changed an enrolment.
pub async fn apply_waiting(
    txn: &DatabaseTransaction,
    actor: &Actor,
    actor_key: &str,
    learner_id: Uuid,
    at_now: DateTime<Utc>,
) -> Result<usize> {
    use sea_orm::QueryOrder;
    let waiting = lrs_unmatched::Entity::find()
        .filter(lrs_unmatched::Column::ActorKey.eq(actor_key))
        .order_by_asc(lrs_unmatched::Column::Timestamp)
        .order_by_asc(lrs_unmatched::Column::Stored)
        .all(txn)
        .await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = waiting.iter().map(|w| w.statement_id).collect();
    let bodies: HashMap<Uuid, String> = lrs_statement::Entity::find()
        .filter(lrs_statement::Column::Id.is_in(ids.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| (row.id, row.body))
        .collect();
    let courses = Courses::load(txn).await?;
    let mut mapped = Vec::new();
    for row in &waiting {
        let Some(body) = bodies.get(&row.statement_id) else { continue };
        let Ok(raw) = serde_json::from_str::<Value>(body) else { continue };
        let Ok(statement) = Statement::deserialize(&raw) else { continue };
        let Some((course_id, outcome, at)) = outcome(&statement, &courses, at_now) else { continue };
        let score = score(&statement);
        mapped.push(Mapped {
            id: row.statement_id,
            learner_id,
            course_id,
            outcome,
            at,
            score,
            verb: statement.verb.id,
        });
    }
    lrs_unmatched::Entity::delete_many().filter(lrs_unmatched::Column::StatementId.is_in(ids)).exec(txn).await?;
    let count = mapped.len();
    apply(txn, actor, mapped, at_now).await?;
    Ok(count)
}

/// Undoes the completions that voided statements had recorded (the enrolment is back in
/// progress), and forgets outcomes that were waiting for a link.
pub async fn undo_voided(txn: &DatabaseTransaction, targets: &[Uuid]) -> Result<()> {
    use crate::entity::enrolment;
    lrs_unmatched::Entity::delete_many()
        .filter(lrs_unmatched::Column::StatementId.is_in(targets.to_vec()))
        .exec(txn)
        .await?;
    let applied = xapi_statement::Entity::find()
        .filter(xapi_statement::Column::Id.is_in(targets.to_vec()))
        .filter(xapi_statement::Column::Verb.is_in([VERB_COMPLETED, VERB_PASSED, VERB_PROGRESSED]))
        .all(txn)
        .await?;
    for statement in applied {
        let row = enrolment::Entity::find()
            .filter(enrolment::Column::LearnerId.eq(statement.learner_id))
            .filter(enrolment::Column::CourseId.eq(statement.course_id))
            .one(txn)
            .await?;
        if let Some(row) = row.filter(|r| r.status == EnrolmentStatus::Completed && r.source == Source::Xapi) {
            change_in(txn, row.id, crate::service::enrolments::not_completed).await?;
        }
    }
    Ok(())
}

/// Applies what statements change, in the caller's transaction (the one that keeps them).
pub async fn apply(txn: &DatabaseTransaction, actor: &Actor, mapped: Vec<Mapped>, at_now: DateTime<Utc>) -> Result<()> {
    // The counters move once for the whole request, as imports do.
    let mut deltas = Deltas::default();
    for m in &mapped {
        let (row, _) = enrol_counted(txn, m.learner_id, m.course_id, m.at, Source::Xapi, &mut deltas).await?;
        match m.outcome {
            Outcome::Registered => {}
            Outcome::Completed => {
                let completion = Completion {
                    at: m.at,
                    score: m.score,
                    certificate_no: row.certificate_no.clone(),
                    source: Source::Xapi,
                };
                change_counted(txn, row.id, completed(completion), &mut deltas).await?;
            }
            Outcome::Progressed(progress) => {
                change_counted(
                    txn,
                    row.id,
                    |old, change| {
                        if old.status != EnrolmentStatus::Completed {
                            change.status = Set(EnrolmentStatus::InProgress);
                            change.progress = Set(progress.max(old.progress));
                        }
                    },
                    &mut deltas,
                )
                .await?;
            }
        }
    }
    // Which statements moved which enrolment: voiding one finds what to undo.
    let applied: Vec<xapi_statement::Model> = mapped
        .iter()
        .map(|m| xapi_statement::Model {
            id: m.id,
            received_at: at_now,
            learner_id: m.learner_id,
            course_id: m.course_id,
            verb: m.verb.clone(),
        })
        .collect();
    crate::db::insert_models(txn, &applied).await?;
    deltas.apply(txn).await?;
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
