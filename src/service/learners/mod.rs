//! Learners: registration, moves between units and deactivation, each keeping the counters exact.
pub mod at_risk;
pub mod lookup;
pub mod privacy;
pub mod progress_link;
pub mod registration;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::entity::{enrolment, learner};
use crate::model::{EnrolmentStatus, LearnerGroup};
use crate::service::now;
use crate::service::statistics::{Deltas, Placement};
use crate::text::fold;
use crate::{Error, Result};

/// A learner as the services receive it, already parsed.
#[derive(Clone)]
pub struct NewLearner {
    pub full_name: String,
    pub birth_date: Option<NaiveDate>,
    pub gender: String,
    pub phone: Option<String>,
    pub commune: i32,
    pub organisation: Option<Uuid>,
    pub team: Option<Uuid>,
    pub group: Option<LearnerGroup>,
    pub consent_version: Option<String>,
    pub registered_by: Option<Uuid>,
    pub registered_at: DateTime<Utc>,
    pub citizen_id_hash: Option<String>,
}

/// Letters and digits that cannot be misread for one another on a printed card (no I, O, 0, 1).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A fresh learner code such as "HV-7K2M9Q".
pub fn new_learner_code() -> String {
    learner_code(Uuid::new_v4().as_u128() as u32)
}

/// The learner code of the low 30 bits of `bits`: six letters or digits of `CODE_ALPHABET`.
pub fn learner_code(bits: u32) -> String {
    let code: String = (0..6).map(|i| CODE_ALPHABET[((bits >> (i * 5)) & 31) as usize] as char).collect();
    format!("HV-{code}")
}

fn placement_key(learner: &learner::Model) -> (i32, Option<Uuid>, Option<Uuid>, Option<LearnerGroup>) {
    (learner.commune_code, learner.organisation_id, learner.team_id, learner.learner_group)
}

/// What a learner and all their enrolments add to the counters (nothing when inactive).
async fn contribution(
    txn: &impl sea_orm::ConnectionTrait,
    learner: &learner::Model,
    sign: i64,
    deltas: &mut Deltas,
) -> Result<()> {
    if !learner.active {
        return Ok(());
    }
    let placement = Placement::of_learner(txn, learner).await?;
    deltas.learner(&placement, learner.created_week, sign);
    if let Some(week) = learner.trained_week {
        deltas.trained(&placement, week, sign);
    }
    let enrolments = enrolment::Entity::find().filter(enrolment::Column::LearnerId.eq(learner.id)).all(txn).await?;
    for e in enrolments {
        deltas.enrolment(learner.id, &placement, e.course_id, e.enrolled_week, completed_week(&e), sign);
    }
    Ok(())
}

/// The week an enrolment counts as completed in, if it is completed.
pub fn completed_week(e: &enrolment::Model) -> Option<i32> {
    (e.status == EnrolmentStatus::Completed).then_some(e.completed_week).flatten()
}

/// The one person-identity key: normalised phone, folded name and birth date.
pub fn dedup_key(phone: &str, name_folded: &str, birth: NaiveDate) -> String {
    format!("{phone}|{name_folded}|{birth}")
}

/// Why an insert did not happen.
pub enum InsertError {
    /// The same person is registered already: their learner code.
    Duplicate(String),
    Other(Error),
}

impl From<sea_orm::DbErr> for InsertError {
    fn from(err: sea_orm::DbErr) -> Self {
        InsertError::Other(err.into())
    }
}

impl From<Error> for InsertError {
    fn from(err: Error) -> Self {
        InsertError::Other(err)
    }
}

impl From<InsertError> for Error {
    fn from(err: InsertError) -> Self {
        match err {
            InsertError::Duplicate(code) => Error::Conflict(Some(code)),
            InsertError::Other(err) => err,
        }
    }
}

/// Inserts a learner and counts them, inside the caller's transaction. A duplicate person is caught
/// by the database's unique key (so two organisers at the same instant still make one learner).
pub async fn insert(txn: &DatabaseTransaction, new: NewLearner) -> Result<learner::Model, InsertError> {
    let mut deltas = Deltas::default();
    let inserted = insert_counted(txn, new, &mut deltas).await?;
    deltas.apply(txn).await?;
    Ok(inserted)
}

/// `insert`, adding the learner's counts to `deltas` for the caller to write once: an import of
/// 100,000 rows then updates each counter row once, not 100,000 times.
pub async fn insert_counted(
    txn: &DatabaseTransaction,
    new: NewLearner,
    deltas: &mut Deltas,
) -> Result<learner::Model, InsertError> {
    let placement = Placement::of(txn, new.commune, new.organisation, new.team, new.group).await?;
    let (row, created_week, dedup) = new_row(new);
    let mut row = row.into_active_model().reset_all();
    if let Some(key) = &dedup
        && let Some(existing) = learner::Entity::find().filter(learner::Column::DedupKey.eq(key)).one(txn).await?
    {
        return Err(InsertError::Duplicate(existing.code));
    }
    // A savepoint, so a lost race leaves the caller's transaction usable. Codes are random (30 bits):
    // at a million learners a new code meets an old one now and then, and simply draws again.
    let mut attempts = 0;
    let inserted = loop {
        let savepoint = txn.begin().await?;
        match row.clone().insert(&savepoint).await {
            Ok(inserted) => {
                savepoint.commit().await?;
                break inserted;
            }
            Err(err) if is_unique_violation(&err, "dedup_key") => {
                savepoint.rollback().await?;
                let key = dedup.unwrap_or_default();
                let existing = learner::Entity::find().filter(learner::Column::DedupKey.eq(key)).one(txn).await?;
                return Err(existing.map_or(InsertError::Other(Error::Unavailable), |e| InsertError::Duplicate(e.code)));
            }
            Err(err) if attempts < 5 && is_code_taken(&err) => {
                savepoint.rollback().await?;
                attempts += 1;
                row.code = Set(new_learner_code());
            }
            Err(err) => return Err(err.into()),
        }
    };
    deltas.learner(&placement, created_week, 1);
    Ok(inserted)
}

/// The row of a new learner (fresh code, no progress link yet), its registration week and its person key.
fn new_row(new: NewLearner) -> (learner::Model, i32, Option<String>) {
    let created_week = crate::week::week_of(new.registered_at);
    let name_folded = fold(&new.full_name);
    let dedup = match (&new.phone, new.birth_date) {
        (Some(phone), Some(birth)) => Some(dedup_key(phone, &name_folded, birth)),
        _ => None,
    };
    let row = learner::Model {
        id: Uuid::now_v7(),
        code: new_learner_code(),
        full_name: new.full_name,
        name_folded,
        birth_date: new.birth_date,
        gender: new.gender,
        phone: new.phone,
        commune_code: new.commune,
        organisation_id: new.organisation,
        team_id: new.team,
        // A link is made where it can be shown (`progress_link::issue`), never in bulk.
        access_token: None,
        consent_at: new.consent_version.as_ref().map(|_| new.registered_at),
        consent_version: new.consent_version,
        registered_by: new.registered_by,
        dedup_key: dedup.clone(),
        active: true,
        created_at: new.registered_at,
        created_week,
        updated_at: now(),
        citizen_id_hash: new.citizen_id_hash,
        erased_at: None,
        erased_by: None,
        learner_group: new.group,
        // A new learner has completed nothing yet.
        trained_week: None,
    };
    (row, created_week, dedup)
}

/// Inserts many new learners at once (imports), 1,000 rows a statement, each statement in a
/// savepoint. Drawn codes already taken are drawn again before writing. When the database refuses
/// a statement all the same (someone registered one of these people a moment ago, or took a code
/// meanwhile) its rows go again one by one through `insert_counted`, which draws a new code or
/// names the person already registered. Returns how many were inserted.
pub async fn insert_many_counted(
    txn: &DatabaseTransaction,
    learners: Vec<NewLearner>,
    deltas: &mut Deltas,
) -> Result<usize, InsertError> {
    // 22 values a row: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
    const ROWS_PER_STATEMENT: usize = 1000;
    let mut provinces: std::collections::HashMap<i32, i32> = std::collections::HashMap::new();
    let mut codes = std::collections::HashSet::new();
    let mut inserted = 0;
    let mut learners = learners.into_iter().peekable();
    while learners.peek().is_some() {
        let chunk: Vec<NewLearner> = learners.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut rows = Vec::with_capacity(chunk.len());
        let mut counts = Vec::with_capacity(chunk.len());
        for new in &chunk {
            let placement =
                Placement::cached(txn, &mut provinces, new.commune, new.organisation, new.team, new.group).await?;
            let (mut row, created_week, _) = new_row(new.clone());
            // Codes drawn twice within this import draw again here; codes taken before, just below.
            while !codes.insert(row.code.clone()) {
                row.code = new_learner_code();
            }
            rows.push(row);
            counts.push((placement, created_week));
        }
        draw_again_where_taken(txn, &mut rows, &mut codes).await?;
        let savepoint = txn.begin().await?;
        match crate::db::insert_models(&savepoint, &rows).await {
            Ok(()) => {
                savepoint.commit().await?;
                for (placement, week) in counts {
                    deltas.learner(&placement, week, 1);
                }
                inserted += chunk.len();
            }
            Err(err) if is_unique_violation(&err, "dedup_key") || is_code_taken(&err) => {
                savepoint.rollback().await?;
                for new in chunk {
                    insert_counted(txn, new, deltas).await?;
                    inserted += 1;
                }
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(inserted)
}

/// Draws new codes for the rows whose code some learner has already (30-bit codes: among a million
/// learners one draw in a thousand meets one), until none does; `codes` holds the codes drawn so
/// far in this import, which a new draw must not repeat either.
pub async fn draw_again_where_taken(
    txn: &DatabaseTransaction,
    rows: &mut [learner::Model],
    codes: &mut std::collections::HashSet<String>,
) -> Result<()> {
    let mut pending: Vec<usize> = (0..rows.len()).collect();
    while !pending.is_empty() {
        let asked: Vec<String> = pending.iter().map(|&i| rows[i].code.clone()).collect();
        let taken: std::collections::HashSet<String> = learner::Entity::find()
            .select_only()
            .column(learner::Column::Code)
            .filter(learner::Column::Code.is_in(asked))
            .into_tuple::<String>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        pending.retain(|&i| taken.contains(&rows[i].code));
        for &i in &pending {
            let mut code = new_learner_code();
            while !codes.insert(code.clone()) {
                code = new_learner_code();
            }
            rows[i].code = code;
        }
    }
    Ok(())
}

/// True when `err` says the learner code is taken (SQLite names the column, PostgreSQL its constraint).
fn is_code_taken(err: &sea_orm::DbErr) -> bool {
    is_unique_violation(err, "learner.code") || is_unique_violation(err, "learner_code_key")
}

/// True when `err` is a unique-key violation naming `column`.
pub fn is_unique_violation(err: &sea_orm::DbErr, column: &str) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(message)) if message.contains(column))
}

/// Changes a learner inside the caller's transaction, moving the counters with them when their
/// place changes.
pub async fn update_in(
    txn: &DatabaseTransaction,
    old: learner::Model,
    edit: impl FnOnce(&mut learner::ActiveModel),
) -> Result<learner::Model> {
    let mut row = old.clone().into_active_model();
    edit(&mut row);
    row.updated_at = Set(now());
    let new = row.update(txn).await?;
    if placement_key(&old) != placement_key(&new) || old.active != new.active {
        let mut deltas = Deltas::default();
        contribution(txn, &old, -1, &mut deltas).await?;
        contribution(txn, &new, 1, &mut deltas).await?;
        deltas.apply(txn).await?;
    }
    Ok(new)
}
