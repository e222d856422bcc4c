//! Bulk import of completions exported from MOOC platforms (CSV or XLSX), with the rules of the
//! learner import: the whole file checked first, every bad row listed, nothing written on error,
//! a dry run, and the same file imported twice changing nothing.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;

use crate::auth::Actor;
use crate::entity::{course, enrolment, learner};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{EnrolmentStatus, ImportReport, RowError, Source};
use crate::person::{FullName, PhoneNumber};
use crate::service::enrolment::{Completion, change_counted, completed, enrol_counted};
use crate::service::import::ImportOptions;
use crate::service::progress::parse_completed_at;
use crate::service::{audit, now, table};
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
}

const ALIASES: [(Column, &[&str]); 9] = [
    (Column::LearnerCode, &["learner code", "ma hoc vien", "code"]),
    (Column::Phone, &["phone", "so dien thoai", "dien thoai", "sdt"]),
    (Column::FullName, &["full name", "ho va ten", "ho ten", "name"]),
    (Column::CourseCode, &["course code", "ma khoa hoc", "ma khoa", "course"]),
    (Column::Status, &["status", "trang thai"]),
    (Column::Progress, &["progress", "tien do"]),
    (Column::CompletedAt, &["completed at", "ngay hoan thanh", "completion date"]),
    (Column::Score, &["score", "diem"]),
    (Column::CertificateNo, &["certificate no", "so chung chi", "certificate", "chung chi"]),
];

fn column_of(header: &str) -> Option<Column> {
    let key = table::header_key(header);
    ALIASES.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(c, _)| *c)
}

/// "completed"/"hoàn thành", "in progress"/"đang học", "enrolled"/"đã đăng ký".
fn parse_status(text: &str) -> Option<EnrolmentStatus> {
    match fold(&text.replace('_', " ")).as_str() {
        "completed" | "complete" | "hoan thanh" | "da hoan thanh" => Some(EnrolmentStatus::Completed),
        "in progress" | "dang hoc" => Some(EnrolmentStatus::InProgress),
        "enrolled" | "registered" | "da dang ky" | "dang ky" => Some(EnrolmentStatus::Enrolled),
        _ => None,
    }
}

/// What one good row says.
struct Row {
    learner: learner::Model,
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
    let rows = table::read(bytes)?;
    let header = &rows[0];
    let mut columns = HashMap::new();
    let mut unknown_columns = Vec::new();
    for (index, title) in header.iter().enumerate() {
        match column_of(title) {
            Some(column) => {
                columns.entry(column).or_insert(index);
            }
            None if title.trim().is_empty() => {}
            None => unknown_columns.push(title.clone()),
        }
    }
    let mut missing = Vec::new();
    let identifies = columns.contains_key(&Column::LearnerCode)
        || (columns.contains_key(&Column::Phone) && columns.contains_key(&Column::FullName));
    if !identifies {
        missing.push(FieldError { field: "learner_code".into(), problem: Text::ColumnMissing });
    }
    for column in [Column::CourseCode, Column::Status] {
        if !columns.contains_key(&column) {
            missing.push(FieldError { field: format!("{column:?}").to_lowercase(), problem: Text::ColumnMissing });
        }
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
    let codes: Vec<String> =
        rows.iter().skip(1).map(|r| cell(r, Column::LearnerCode).to_uppercase()).filter(|c| !c.is_empty()).collect();
    let mut by_code = HashMap::new();
    for chunk in codes.chunks(500) {
        for l in learner::Entity::find()
            .filter(learner::Column::Code.is_in(chunk.to_vec()))
            .filter(learner::Column::ErasedAt.is_null())
            .all(db)
            .await?
        {
            by_code.insert(l.code.clone(), l);
        }
    }
    let phones: Vec<String> = rows
        .iter()
        .skip(1)
        .filter(|r| cell(r, Column::LearnerCode).is_empty())
        .filter_map(|r| PhoneNumber::parse(&cell(r, Column::Phone)).ok().map(|p| p.as_str().to_string()))
        .collect();
    let mut by_phone: HashMap<(String, String), Vec<learner::Model>> = HashMap::new();
    for chunk in phones.chunks(500) {
        for l in learner::Entity::find().filter(learner::Column::Phone.is_in(chunk.to_vec())).all(db).await? {
            by_phone.entry((l.phone.clone().unwrap_or_default(), l.name_folded.clone())).or_default().push(l);
        }
    }

    let at_now = now();
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let line = index as u64 + 1;
        let mut bad = |column: Column, problem: Text| {
            errors.push(RowError { line, column: title(column), value: cell(row, column), problem })
        };
        let code = cell(row, Column::LearnerCode).to_uppercase();
        let learner = if !code.is_empty() {
            by_code.get(&code).cloned()
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
            bad(if code.is_empty() { Column::Phone } else { Column::LearnerCode }, Text::UnknownLearner);
            continue;
        };
        if matches!(actor, Actor::Account(_)) && !actor.may_manage(learner.commune_code, learner.organisation_id) {
            bad(Column::LearnerCode, Text::OutOfScope);
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
        let score = match cell(row, Column::Score).replace(',', ".").as_str() {
            "" => None,
            text => match text.parse::<f64>() {
                Ok(s) if (0.0..=100.0).contains(&s) => Some(s),
                _ => {
                    bad(Column::Score, Text::ScoreInvalid);
                    continue;
                }
            },
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

    // Compare with what is recorded: created, updated or unchanged.
    let existing: HashMap<(uuid::Uuid, uuid::Uuid), enrolment::Model> = enrolment::Entity::find()
        .filter(enrolment::Column::LearnerId.is_in(good.iter().map(|r| r.learner.id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|e| ((e.learner_id, e.course_id), e))
        .collect();
    let mut report = ImportReport { dry_run: options.dry_run, unknown_columns, ..ImportReport::default() };
    let same = |e: &enrolment::Model, r: &Row| {
        e.status == r.status.as_str()
            && (r.status == EnrolmentStatus::Completed || e.progress == r.progress)
            && e.completed_at.map(|t| t.date_naive()) == r.completed_at.map(|t| t.date_naive())
            && e.score == r.score
            && e.certificate_no == r.certificate_no
    };
    for r in &good {
        match existing.get(&(r.learner.id, r.course.id)) {
            None => report.created += 1,
            Some(e) if same(e, r) => report.unchanged += 1,
            Some(_) => report.updated += 1,
        }
    }
    if options.dry_run {
        return Ok(report);
    }
    let txn = crate::db::write(db).await?;
    // Every row's counter changes, written once at the end.
    let mut deltas = crate::service::stats::Deltas::default();
    for r in good {
        if existing.get(&(r.learner.id, r.course.id)).is_some_and(|e| same(e, &r)) {
            continue;
        }
        let enrolled_at = r.completed_at.unwrap_or(at_now).min(at_now);
        let (row, _) = enrol_counted(&txn, r.learner.id, r.course.id, enrolled_at, Source::Import, &mut deltas).await?;
        match r.status {
            EnrolmentStatus::Completed => {
                let completion = Completion {
                    at: r.completed_at.unwrap_or(at_now),
                    score: r.score,
                    certificate_no: r.certificate_no,
                    source: Source::Import,
                };
                change_counted(&txn, row.id, completed(completion), &mut deltas).await?;
            }
            status => {
                let edit = |_: &_, change: &mut crate::entity::enrolment::ActiveModel| {
                    use sea_orm::Set;
                    change.status = Set(status.as_str().to_string());
                    change.progress = Set(r.progress);
                    change.completed_at = Set(None);
                    change.completed_week = Set(None);
                    change.score = Set(r.score);
                };
                change_counted(&txn, row.id, edit, &mut deltas).await?;
            }
        }
    }
    deltas.apply(&txn).await?;
    audit::record(
        &txn,
        &actor.label(),
        "import",
        "enrolment",
        None,
        json!({"created": report.created, "updated": report.updated, "unchanged": report.unchanged}),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}
