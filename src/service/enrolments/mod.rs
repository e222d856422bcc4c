//! Enrolments ("lượt"): enrol, complete, undo a completion, withdraw — each moves the counters by exactly one.
//!
//! The rows themselves come from three functions, `new_row`, `completed_row` and `reopened_row`:
//! every writer (the forms and REST through this module, the completion import, xAPI, the demo and
//! the benchmark) takes its rows from them, so what "enrolled" and "completed" mean is written once.
pub mod courses;
pub mod progress;
pub mod xapi;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, TransactionTrait, TryIntoModel,
};
use uuid::Uuid;

use crate::entity::{enrolment, learner};
use crate::model::{EnrolmentStatus, Source};
use crate::service::learners::{completed_week, is_unique_violation};
use crate::service::now;
use crate::service::statistics::{Deltas, Placement};
use crate::week::week_of;
use crate::{Error, Result};

/// A new enrolment of a learner in a course at `at`: enrolled, nothing done yet.
pub fn new_row(
    learner_id: Uuid,
    course_id: Uuid,
    at: DateTime<Utc>,
    source: Source,
    now: DateTime<Utc>,
) -> enrolment::Model {
    enrolment::Model {
        id: Uuid::now_v7(),
        learner_id,
        course_id,
        status: EnrolmentStatus::Enrolled,
        progress: 0,
        enrolled_at: at,
        enrolled_week: week_of(at),
        completed_at: None,
        completed_week: None,
        score: None,
        certificate_no: None,
        source,
        updated_at: now,
        // Enrolling is the first thing the learner did in the course.
        progress_changed_at: at.min(now),
    }
}

/// `new` as written at `now`, stamped with when the learner last moved: now when its progress or
/// status differs from `old`'s, else `old`'s time. Every writer's rows pass here, so "no progress
/// for 7 days" means the same whoever wrote (a re-sent outcome or a new score is no progress).
pub fn stamped(old: &enrolment::Model, new: enrolment::Model, now: DateTime<Utc>) -> enrolment::Model {
    let moved = new.progress != old.progress || new.status != old.status;
    let progress_changed_at = if moved { now } else { old.progress_changed_at };
    enrolment::Model { updated_at: now, progress_changed_at, ..new }
}

/// `old` completed: progress 100, the completion's date and its week, score, certificate and who
/// said so. Completing again updates them.
pub fn completed_row(old: &enrolment::Model, completion: &Completion, now: DateTime<Utc>) -> enrolment::Model {
    let new = enrolment::Model {
        status: EnrolmentStatus::Completed,
        progress: 100,
        completed_at: Some(completion.at),
        completed_week: Some(week_of(completion.at)),
        score: completion.score,
        certificate_no: completion.certificate_no.clone(),
        source: completion.source,
        ..old.clone()
    };
    stamped(old, new, now)
}

/// `old` with its completion undone: back in progress, with no completion date, score or certificate.
pub fn reopened_row(old: &enrolment::Model, now: DateTime<Utc>) -> enrolment::Model {
    let new = enrolment::Model {
        status: EnrolmentStatus::InProgress,
        completed_at: None,
        completed_week: None,
        certificate_no: None,
        score: None,
        ..old.clone()
    };
    stamped(old, new, now)
}

/// Adds (sign 1) or takes away (sign -1) what one enrolment contributes to the counters.
async fn count(txn: &impl ConnectionTrait, e: &enrolment::Model, sign: i64, deltas: &mut Deltas) -> Result<()> {
    let placement = match deltas.placement_of(e.learner_id) {
        Some(placement) => placement.clone(),
        None => {
            let learner = learner::Entity::find_by_id(e.learner_id).one(txn).await?.ok_or(Error::NotFound)?;
            let placement = match learner.active {
                true => Some(Placement::of_learner(txn, &learner).await?),
                false => None,
            };
            deltas.remember_placement(e.learner_id, placement.clone());
            placement
        }
    };
    match placement {
        Some(placement) => {
            deltas.enrolment(e.learner_id, &placement, e.course_id, e.enrolled_week, completed_week(e), sign)
        }
        None if completed_week(e).is_some() => deltas.completions_changed(e.learner_id, None),
        None => {}
    }
    Ok(())
}

/// Enrols inside the caller's transaction: the enrolment and whether it is new.
pub async fn enrol_in(
    txn: &DatabaseTransaction,
    learner_id: Uuid,
    course_id: Uuid,
    at: DateTime<Utc>,
    source: Source,
) -> Result<(enrolment::Model, bool)> {
    let mut deltas = Deltas::default();
    let enrolled = enrol_counted(txn, learner_id, course_id, at, source, &mut deltas).await?;
    deltas.apply(txn).await?;
    Ok(enrolled)
}

/// `enrol_in`, adding to `deltas` for the caller to write once (imports).
pub async fn enrol_counted(
    txn: &DatabaseTransaction,
    learner_id: Uuid,
    course_id: Uuid,
    at: DateTime<Utc>,
    source: Source,
    deltas: &mut Deltas,
) -> Result<(enrolment::Model, bool)> {
    let find = || {
        enrolment::Entity::find()
            .filter(enrolment::Column::LearnerId.eq(learner_id))
            .filter(enrolment::Column::CourseId.eq(course_id))
    };
    if let Some(existing) = find().one(txn).await? {
        return Ok((existing, false));
    }
    let row = new_row(learner_id, course_id, at, source, now()).into_active_model().reset_all();
    // A savepoint: when another client enrolled the same learner a moment ago, theirs stands.
    let savepoint = txn.begin().await?;
    let row = match row.insert(&savepoint).await {
        Ok(row) => {
            savepoint.commit().await?;
            row
        }
        Err(err) if is_unique_violation(&err, "course_id") || is_unique_violation(&err, "uq_enrolment") => {
            savepoint.rollback().await?;
            return Ok((find().one(txn).await?.ok_or(Error::Unavailable)?, false));
        }
        Err(err) => return Err(err.into()),
    };
    count(txn, &row, 1, deltas).await?;
    Ok((row, true))
}

/// Changes one enrolment inside the caller's transaction, moving the counters from its old
/// contribution to its new one.
pub async fn change_in(
    txn: &DatabaseTransaction,
    id: Uuid,
    edit: impl FnOnce(&enrolment::Model, &mut enrolment::ActiveModel),
) -> Result<enrolment::Model> {
    let mut deltas = Deltas::default();
    let new = change_counted(txn, id, edit, &mut deltas).await?;
    deltas.apply(txn).await?;
    Ok(new)
}

/// `change_in`, adding to `deltas` for the caller to write once (imports).
pub async fn change_counted(
    txn: &DatabaseTransaction,
    id: Uuid,
    edit: impl FnOnce(&enrolment::Model, &mut enrolment::ActiveModel),
    deltas: &mut Deltas,
) -> Result<enrolment::Model> {
    // FOR UPDATE on PostgreSQL: two clients changing one enrolment take turns, so counters move once.
    let old = enrolment::Entity::find_by_id(id).lock_exclusive().one(txn).await?.ok_or(Error::NotFound)?;
    count(txn, &old, -1, deltas).await?;
    let mut row = old.clone().into_active_model();
    edit(&old, &mut row);
    let written = stamped(&old, row.clone().try_into_model()?, now());
    row.updated_at = Set(written.updated_at);
    row.progress_changed_at = Set(written.progress_changed_at);
    let new = row.update(txn).await?;
    count(txn, &new, 1, deltas).await?;
    Ok(new)
}

pub struct Completion {
    pub at: DateTime<Utc>,
    pub score: Option<f64>,
    pub certificate_no: Option<String>,
    pub source: Source,
}

/// The edit that records a completion (`completed_row`).
pub fn completed(completion: Completion) -> impl FnOnce(&enrolment::Model, &mut enrolment::ActiveModel) {
    move |old, row| *row = completed_row(old, &completion, now()).into_active_model().reset_all()
}

/// The edit that undoes a completion (`reopened_row`).
pub fn not_completed(old: &enrolment::Model, row: &mut enrolment::ActiveModel) {
    *row = reopened_row(old, now()).into_active_model().reset_all();
}

/// Writes many changed enrolments (imports), 500 a statement: each `(new, was)` is written only if the
/// row is still as `was` (same status, completion week and last change), so no lock is needed while
/// reading. Returns the ids written; the others were changed meanwhile and are the caller's to redo.
/// Moving the counters is the caller's work, as with `insert_many`.
pub async fn update_many(
    txn: &DatabaseTransaction,
    rows: &[(enrolment::Model, enrolment::Model)],
) -> Result<std::collections::HashSet<Uuid>> {
    const COLUMNS: [&str; 13] = [
        "id",
        "status",
        "progress",
        "completed_at",
        "completed_week",
        "score",
        "certificate_no",
        "source",
        "updated_at",
        "progress_changed_at",
        "was_status",
        "was_completed_week",
        "was_updated_at",
    ];
    const SET: usize = 10;
    let backend = txn.get_database_backend();
    let mut written = std::collections::HashSet::new();
    for chunk in rows.chunks(500) {
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * COLUMNS.len());
        let mut tuples = Vec::with_capacity(chunk.len());
        for (e, was) in chunk {
            tuples.push(crate::db::values_tuple(backend, values.len() + 1, COLUMNS.len()));
            values.extend([
                e.id.into(),
                e.status.into(),
                e.progress.into(),
                e.completed_at.into(),
                e.completed_week.into(),
                e.score.into(),
                e.certificate_no.clone().into(),
                e.source.into(),
                e.updated_at.into(),
                e.progress_changed_at.into(),
                was.status.into(),
                was.completed_week.into(),
                was.updated_at.into(),
            ]);
        }
        // One text for both databases: a named VALUES list joined by id (SQLite ≥ 3.39 and PostgreSQL).
        let set: Vec<String> = COLUMNS[1..SET].iter().map(|c| format!("{c} = v.{c}")).collect();
        let sql = format!(
            "WITH v({}) AS (VALUES {}) UPDATE enrolment SET {} FROM v WHERE enrolment.id = v.id \
             AND enrolment.status = v.was_status AND enrolment.updated_at = v.was_updated_at \
             AND enrolment.completed_week IS NOT DISTINCT FROM v.was_completed_week RETURNING enrolment.id",
            COLUMNS.join(", "),
            tuples.join(", "),
            set.join(", ")
        );
        for row in txn.query_all_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await? {
            written.insert(row.try_get_by_index::<Uuid>(0)?);
        }
    }
    Ok(written)
}
