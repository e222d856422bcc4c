//! Bulk import of completions exported from MOOC platforms (CSV or XLSX), with the rules of the
//! learner import: the whole file checked first, every bad row listed, nothing written on error,
//! a dry run, and the same file imported twice changing nothing.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde_json::json;

use crate::auth::Actor;
use crate::entity::{course, enrolment, learner};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{EnrolmentStatus, ImportReport, RowError, Source};
use crate::person::{FullName, PhoneNumber};
use crate::service::enrolments::progress::parse_completed_at;
use crate::service::enrolments::{change_counted, enrol_counted, update_many};
use crate::service::imports::learners::{CITIZEN_ID_ALIASES, ImportOptions, citizen_id_hash};
use crate::service::learners::{completed_week, is_unique_violation};
use crate::service::statistics::Placement;
use crate::service::{audit, imports::table, now};
use crate::text::fold;
use crate::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    LearnerCode,
    Phone,
    FullName,
    CourseCode,
    Status,
    Progress,
    CompletedAt,
    Score,
    CertificateNo,
    CitizenId,
}

const ALIASES: [(Column, &[&str]); 10] = [
    (Column::LearnerCode, &["learner code", "ma hoc vien", "code"]),
    (Column::Phone, &["phone", "so dien thoai", "dien thoai", "sdt"]),
    (Column::FullName, &["full name", "ho va ten", "ho ten", "name"]),
    (Column::CourseCode, &["course code", "ma khoa hoc", "ma khoa", "course"]),
    (Column::Status, &["status", "trang thai"]),
    (Column::Progress, &["progress", "tien do"]),
    (Column::CompletedAt, &["completed at", "ngay hoan thanh", "completion date"]),
    (Column::Score, &["score", "diem"]),
    (Column::CertificateNo, &["certificate no", "so chung chi", "certificate", "chung chi"]),
    (Column::CitizenId, CITIZEN_ID_ALIASES),
];

/// "completed"/"hoàn thành", "in progress"/"đang học", "enrolled"/"đã đăng ký".
fn parse_status(text: &str) -> Option<EnrolmentStatus> {
    match fold(&text.replace('_', " ")).as_str() {
        "completed" | "complete" | "hoan thanh" | "da hoan thanh" => Some(EnrolmentStatus::Completed),
        "in progress" | "dang hoc" => Some(EnrolmentStatus::InProgress),
        "enrolled" | "registered" | "da dang ky" | "dang ky" => Some(EnrolmentStatus::Enrolled),
        _ => None,
    }
}

/// What a completion needs to know of its learner: who, whether counted, where, and how a row
/// without a code names them. Read instead of whole learners (a file names tens of thousands).
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
struct Learner {
    id: uuid::Uuid,
    code: String,
    phone: Option<String>,
    name_folded: String,
    active: bool,
    commune_code: i32,
    organisation_id: Option<uuid::Uuid>,
    team_id: Option<uuid::Uuid>,
    citizen_id_hash: Option<String>,
    learner_group: Option<crate::model::LearnerGroup>,
}

/// The learners `filter` selects, as a completion needs them.
async fn learners_where(conn: &impl sea_orm::ConnectionTrait, filter: sea_orm::Condition) -> Result<Vec<Learner>> {
    use learner::Column as C;
    let columns = [
        C::Id,
        C::Code,
        C::Phone,
        C::NameFolded,
        C::Active,
        C::CommuneCode,
        C::OrganisationId,
        C::TeamId,
        C::CitizenIdHash,
        C::LearnerGroup,
    ];
    super::learners_as(conn, &columns, filter).await
}

/// What one good row says.
struct Row {
    learner: Learner,
    course: course::Model,
    status: EnrolmentStatus,
    progress: i32,
    completed_at: Option<DateTime<Utc>>,
    score: Option<f64>,
    certificate_no: Option<String>,
}

pub async fn import_completions(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportReport> {
    actor.require_account_or_token(crate::auth::TokenScope::Ingest)?;
    if options.dry_run {
        crate::service::imports::spend_dry_run(db, actor).await?;
    }
    let started = std::time::Instant::now();
    let rows = table::read_uploaded(bytes).await?;
    let read = started.elapsed();
    let header = &rows[0];
    let table::Header { columns, unknown: unknown_columns, repeated: mut missing } =
        table::Header::map(header, &ALIASES);
    let identifies = columns.contains_key(&Column::LearnerCode)
        || columns.contains_key(&Column::CitizenId)
        || (columns.contains_key(&Column::Phone) && columns.contains_key(&Column::FullName));
    if !identifies {
        missing.push(FieldError { field: "learner_code".into(), problem: Text::ColumnMissing });
    }
    for column in [Column::CourseCode, Column::Status] {
        if !columns.contains_key(&column) {
            missing.push(FieldError { field: format!("{column:?}").to_lowercase(), problem: Text::ColumnMissing });
        }
    }
    // Citizen IDs are matched only through their keyed hash, as the learner import keeps them.
    let citizen_id_key = options.citizen_id_key();
    if columns.contains_key(&Column::CitizenId) && citizen_id_key.is_none() {
        missing.push(FieldError { field: "citizen_id".into(), problem: Text::CitizenIdNoKey });
    }
    if !missing.is_empty() {
        return Err(Error::Invalid(missing));
    }
    let cell = |row: &[String], column: Column| {
        columns.get(&column).and_then(|i| row.get(*i)).map(|s| s.trim().to_string()).unwrap_or_default()
    };
    let title = |column: Column| columns.get(&column).map(|i| header[*i].clone()).unwrap_or_default();

    // Everything the file names, loaded once.
    let catalogue: HashMap<String, course::Model> =
        course::Entity::find().all(db).await?.into_iter().map(|c| (c.code.clone(), c)).collect();
    // Each learner once, however many rows name them.
    let codes: std::collections::BTreeSet<String> =
        rows.iter().skip(1).map(|r| cell(r, Column::LearnerCode).to_uppercase()).filter(|c| !c.is_empty()).collect();
    let codes: Vec<String> = codes.into_iter().collect();
    let mut by_code = HashMap::new();
    for chunk in codes.chunks(1000) {
        let filter = sea_orm::Condition::all()
            .add(learner::Column::Code.is_in(chunk.to_vec()))
            .add(learner::Column::ErasedAt.is_null());
        for l in learners_where(db, filter).await? {
            by_code.insert(l.code.clone(), l);
        }
    }
    // A row's citizen ID as its hash, for rows without a code; a bad number is said on its row below.
    let hash_of = |row: &[String]| match citizen_id_key {
        Some(key) if cell(row, Column::LearnerCode).is_empty() => {
            citizen_id_hash(&cell(row, Column::CitizenId), key).ok().flatten()
        }
        _ => None,
    };
    let hashes: std::collections::BTreeSet<String> = rows.iter().skip(1).filter_map(|r| hash_of(r)).collect();
    let hashes: Vec<String> = hashes.into_iter().collect();
    let mut by_hash = HashMap::new();
    for chunk in hashes.chunks(1000) {
        let filter = sea_orm::Condition::all()
            .add(learner::Column::CitizenIdHash.is_in(chunk.to_vec()))
            .add(learner::Column::ErasedAt.is_null());
        for l in learners_where(db, filter).await? {
            by_hash.insert(l.citizen_id_hash.clone().unwrap_or_default(), l);
        }
    }
    let phones: std::collections::BTreeSet<String> = rows
        .iter()
        .skip(1)
        .filter(|r| cell(r, Column::LearnerCode).is_empty() && cell(r, Column::CitizenId).is_empty())
        .filter_map(|r| PhoneNumber::parse(&cell(r, Column::Phone)).ok().map(|p| p.as_str().to_string()))
        .collect();
    let phones: Vec<String> = phones.into_iter().collect();
    let mut by_phone: HashMap<(String, String), Vec<Learner>> = HashMap::new();
    for chunk in phones.chunks(1000) {
        let filter = sea_orm::Condition::all().add(learner::Column::Phone.is_in(chunk.to_vec()));
        for l in learners_where(db, filter).await? {
            by_phone.entry((l.phone.clone().unwrap_or_default(), l.name_folded.clone())).or_default().push(l);
        }
    }

    let looked_up = started.elapsed();
    let at_now = now();
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let line = index as u64 + 1;
        let mut bad = |column: Column, problem: Text| {
            // A citizen ID is never repeated back, not even to the one who sent it.
            let value = if column == Column::CitizenId { String::new() } else { cell(row, column) };
            errors.push(RowError { line, column: title(column), value, problem })
        };
        let code = cell(row, Column::LearnerCode).to_uppercase();
        let citizen_id = cell(row, Column::CitizenId);
        // Which column named the learner: said with the row's problem.
        let named_by = if !code.is_empty() {
            Column::LearnerCode
        } else if !citizen_id.is_empty() {
            Column::CitizenId
        } else {
            Column::Phone
        };
        let learner = if !code.is_empty() {
            by_code.get(&code).cloned()
        } else if !citizen_id.is_empty() {
            match citizen_id_key.map(|key| citizen_id_hash(&citizen_id, key)) {
                Some(Err(problem)) => {
                    bad(Column::CitizenId, problem);
                    continue;
                }
                Some(Ok(Some(hash))) => by_hash.get(&hash).cloned(),
                _ => None,
            }
        } else {
            let phone = PhoneNumber::parse(&cell(row, Column::Phone)).ok();
            let name = FullName::parse(&cell(row, Column::FullName)).ok();
            match (phone, name) {
                (Some(phone), Some(name)) => by_phone
                    .get(&(phone.as_str().to_string(), name.folded()))
                    .filter(|found| found.len() == 1)
                    .map(|found| found[0].clone()),
                _ => None,
            }
        };
        let Some(learner) = learner.filter(|l| l.active) else {
            bad(named_by, Text::UnknownLearner);
            continue;
        };
        // Outside the caller's scope is answered exactly as no such learner.
        if matches!(actor, Actor::Account(_)) && !actor.may_manage(learner.commune_code, learner.organisation_id) {
            bad(named_by, Text::UnknownLearner);
            continue;
        }
        let Some(course) = catalogue.get(&cell(row, Column::CourseCode).to_uppercase()).filter(|c| c.active).cloned()
        else {
            bad(Column::CourseCode, Text::UnknownCourse);
            continue;
        };
        let Some(status) = parse_status(&cell(row, Column::Status)) else {
            bad(Column::Status, Text::StatusInvalid);
            continue;
        };
        let progress = match cell(row, Column::Progress).trim_end_matches('%').trim() {
            "" => {
                if status == EnrolmentStatus::Completed {
                    100
                } else {
                    0
                }
            }
            text => match text.parse::<i32>() {
                Ok(p) if (0..=100).contains(&p) => p,
                _ => {
                    bad(Column::Progress, Text::ProgressInvalid);
                    continue;
                }
            },
        };
        let score = match crate::model::Score::parse(&cell(row, Column::Score)) {
            Ok(score) => score.map(crate::model::Score::value),
            Err(problem) => {
                bad(Column::Score, problem);
                continue;
            }
        };
        let completed_at = if status == EnrolmentStatus::Completed {
            match parse_completed_at(&cell(row, Column::CompletedAt), at_now) {
                Ok(at) => Some(at),
                Err(_) => {
                    bad(Column::CompletedAt, Text::CompletedAtInvalid);
                    continue;
                }
            }
        } else {
            None
        };
        let certificate_no = Some(cell(row, Column::CertificateNo)).filter(|c| !c.is_empty());
        good.push(Row { learner, course, status, progress, completed_at, score, certificate_no });
    }
    if !errors.is_empty() {
        return Err(Error::InvalidRows(errors));
    }

    // Compare with what is recorded: created, updated or unchanged. An import reads it once, inside
    // its transaction (so nothing changes between reading and writing); a dry run reads outside.
    let txn = if options.dry_run { None } else { Some(crate::db::write(db).await?) };
    let (learners, existing) = match &txn {
        Some(txn) => recorded(txn, &good).await?,
        None => recorded(db, &good).await?,
    };
    let mut report = ImportReport { dry_run: options.dry_run, unknown_columns, ..ImportReport::default() };
    for r in &good {
        match existing.get(&(r.learner.id, r.course.id)) {
            None => report.created += 1,
            Some(e) if same(e, r) => report.unchanged += 1,
            Some(_) => report.updated += 1,
        }
    }
    let Some(txn) = txn else { return Ok(report) };
    let matched = started.elapsed();
    write_rows(&txn, good, learners, existing, at_now).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Import,
        audit::Entity::Enrolment,
        None,
        json!({"created": report.created, "updated": report.updated, "unchanged": report.unchanged}),
    )
    .await?;
    txn.commit().await?;
    let committed = started.elapsed();
    if report.created + report.updated >= crate::service::imports::learners::BULK_ROWS {
        crate::db::analyze(db, "enrolment").await;
    }
    // Where an import's time goes (rows, not people's data), for the benchmark's profile.
    tracing::debug!(rows = rows.len() - 1, ?read, ?looked_up, ?matched, ?committed, analysed = ?started.elapsed(), "completion import");
    Ok(report)
}

/// True when the recorded enrolment `e` already says what row `r` says.
fn same(e: &enrolment::Model, r: &Row) -> bool {
    e.status == r.status
        && (r.status == EnrolmentStatus::Completed || e.progress == r.progress)
        && e.completed_at.map(|t| t.date_naive()) == r.completed_at.map(|t| t.date_naive())
        && e.score == r.score
        && e.certificate_no == r.certificate_no
}

type Enrolments = HashMap<(uuid::Uuid, uuid::Uuid), enrolment::Model>;

/// What a file does to one enrolment: the row it will be, the row recorded before (None: new), the
/// file's last row for it, and the learner's place.
struct Change {
    new: enrolment::Model,
    recorded: Option<enrolment::Model>,
    row: Row,
    placement: Placement,
}

impl Change {
    /// Takes this change's counts back out of `deltas` (when the enrolment service writes it instead).
    fn take_back(&self, deltas: &mut crate::service::statistics::Deltas) {
        let (new, placement, learner) = (&self.new, &self.placement, self.new.learner_id);
        deltas.enrolment(learner, placement, new.course_id, new.enrolled_week, completed_week(new), -1);
        if let Some(was) = &self.recorded {
            deltas.enrolment(learner, placement, was.course_id, was.enrolled_week, completed_week(was), 1);
        }
    }
}

/// The rows' learners as recorded now, and their enrolments by (learner, course), 1,000 learners a
/// query. Nothing is locked: changes are written only where rows are still as read (`update_many`).
async fn recorded(
    conn: &impl sea_orm::ConnectionTrait,
    rows: &[Row],
) -> Result<(HashMap<uuid::Uuid, Learner>, Enrolments)> {
    let mut ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.learner.id).collect();
    ids.sort();
    ids.dedup();
    let (mut learners, mut enrolments) = (HashMap::new(), HashMap::new());
    for chunk in ids.chunks(1000) {
        for l in learners_where(conn, sea_orm::Condition::all().add(learner::Column::Id.is_in(chunk.to_vec()))).await? {
            learners.insert(l.id, l);
        }
        for e in enrolment::Entity::find().filter(enrolment::Column::LearnerId.is_in(chunk.to_vec())).all(conn).await? {
            enrolments.insert((e.learner_id, e.course_id), e);
        }
    }
    Ok((learners, enrolments))
}

/// The enrolment row `r` asks for: `old` changed, or a new one.
fn apply_row(old: Option<&enrolment::Model>, r: &Row, at_now: DateTime<Utc>) -> enrolment::Model {
    use crate::service::enrolments::{Completion, completed_row, new_row, reopened_row, stamped};
    let enrolled_at = r.completed_at.unwrap_or(at_now).min(at_now);
    let row = old.cloned().unwrap_or_else(|| new_row(r.learner.id, r.course.id, enrolled_at, Source::Import, at_now));
    let before = row.clone();
    if r.status == EnrolmentStatus::Completed {
        let completion = Completion {
            at: r.completed_at.unwrap_or(at_now),
            score: r.score,
            certificate_no: r.certificate_no.clone(),
            source: Source::Import,
        };
        return completed_row(&row, &completion, at_now);
    }
    // A row that says "not completed" reopens a completed enrolment, then sets what the file says.
    let row = if row.status == EnrolmentStatus::Completed { reopened_row(&row, at_now) } else { row };
    stamped(&before, enrolment::Model { status: r.status, progress: r.progress, score: r.score, ..row }, at_now)
}

/// Writes the good rows inside `txn`, given the learners and enrolments as read there: new enrolments
/// inserted and changed ones updated many rows a statement, every counter row moved once. What
/// another client changed or created meanwhile goes through the enrolment service row by row.
async fn write_rows(
    txn: &sea_orm::DatabaseTransaction,
    good: Vec<Row>,
    learners: HashMap<uuid::Uuid, Learner>,
    recorded: Enrolments,
    at_now: DateTime<Utc>,
) -> Result<()> {
    let mut provinces = HashMap::new();
    let mut deltas = crate::service::statistics::Deltas::default();
    // What each enrolment the file names will be; later rows win.
    let mut pending: HashMap<(uuid::Uuid, uuid::Uuid), Change> = HashMap::new();
    let mut order = Vec::new();
    for r in good {
        // An inactive learner's enrolments are in no count.
        let Some(learner) = learners.get(&r.learner.id).filter(|l| l.active) else { continue };
        let (commune, organisation, team, group) =
            (learner.commune_code, learner.organisation_id, learner.team_id, learner.learner_group);
        let placement = Placement::cached(txn, &mut provinces, commune, organisation, team, group).await?;
        let key = (r.learner.id, r.course.id);
        let was = recorded.get(&key);
        let old = pending.get(&key).map(|change| &change.new).or(was);
        if old.is_some_and(|e| same(e, &r)) {
            continue;
        }
        let new = apply_row(old, &r, at_now);
        if let Some(old) = old {
            deltas.enrolment(key.0, &placement, old.course_id, old.enrolled_week, completed_week(old), -1);
        }
        deltas.enrolment(key.0, &placement, new.course_id, new.enrolled_week, completed_week(&new), 1);
        if pending.insert(key, Change { new, recorded: was.cloned(), row: r, placement }).is_none() {
            order.push(key);
        }
    }
    let (inserts, updates): (Vec<_>, Vec<_>) =
        order.iter().filter_map(|key| pending.remove(key)).partition(|change| change.recorded.is_none());

    // Changed enrolments are updated only where they still are as read; any changed meanwhile
    // goes through the enrolment service, which moves the counters from what is there now.
    let pairs: Vec<_> = updates.iter().filter_map(|c| c.recorded.clone().map(|was| (c.new.clone(), was))).collect();
    let updated = update_many(txn, &pairs).await?;
    for change in updates.iter().filter(|c| !updated.contains(&c.new.id)) {
        change.take_back(&mut deltas);
        let row = &change.row;
        change_counted(
            txn,
            change.new.id,
            |now, edit| *edit = apply_row(Some(now), row, at_now).into_active_model().reset_all(),
            &mut deltas,
        )
        .await?;
    }
    for chunk in inserts.chunks(1000) {
        let savepoint = txn.begin().await?;
        let rows: Vec<enrolment::Model> = chunk.iter().map(|change| change.new.clone()).collect();
        match crate::db::insert_models(&savepoint, &rows).await {
            Ok(()) => savepoint.commit().await?,
            Err(err) if is_unique_violation(&err, "course_id") || is_unique_violation(&err, "uq_enrolment") => {
                // Someone enrolled one of these learners meanwhile: these rows go through the
                // enrolment service one by one, which moves the counters from what is there now.
                savepoint.rollback().await?;
                for change in chunk {
                    change.take_back(&mut deltas);
                    let new = &change.new;
                    let (row, _) =
                        enrol_counted(txn, new.learner_id, new.course_id, new.enrolled_at, Source::Import, &mut deltas)
                            .await?;
                    let target = apply_row(Some(&row), &change.row, at_now).into_active_model().reset_all();
                    change_counted(txn, row.id, |_, edit| *edit = target, &mut deltas).await?;
                }
            }
            Err(err) => return Err(err.into()),
        }
    }
    deltas.apply(txn).await
}
