//! A MOOC platform's own report, imported as the statements the platform would have sent: Open
//! edX's grade report and Moodle's course completion report. Each row with an outcome becomes one
//! xAPI statement kept by the LRS (`lrs::statements::keep_imported`), so a row whose account is
//! linked to a learner counts at once and one linked to nobody waits on the unmatched list until it
//! is. A statement's id comes from the platform, the course, the account and the outcome, so the
//! same file twice changes nothing. The whole file is checked first, every bad row listed.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use sha1::Digest;
use uuid::Uuid;

use crate::auth::{Actor, TokenScope};
use crate::entity::{learner, lrs_statement};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{PlatformImportReport, RowError};
use crate::service::enrolments::progress::parse_completed_at;
use crate::service::enrolments::xapi::{VERB_COMPLETED, VERB_PASSED, VERB_PROGRESSED};
use crate::service::imports::learners::is_yes;
use crate::service::lrs::links::{self, PlatformAccount, PlatformAccountForm};
use crate::service::lrs::platforms::HomePages;
use crate::service::{audit, imports::table, now};
use crate::text::fold;
use crate::{Error, Result};

/// Which platform's report a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// Open edX's grade report (Instructor → Data Download → Generate Grade Report).
    OpenEdx,
    /// Moodle's course completion report as CSV (Reports → Course completion → Download in CSV).
    Moodle,
}

impl ReportFormat {
    /// `openedx` or `moodle`, as the command line and REST name them.
    pub fn parse(text: &str) -> Result<ReportFormat> {
        match fold(text).replace([' ', '-', '_'], "").as_str() {
            "openedx" | "edx" => Ok(ReportFormat::OpenEdx),
            "moodle" => Ok(ReportFormat::Moodle),
            _ => Err(Error::invalid("format", Text::ImportFormatInvalid)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::OpenEdx => "openedx",
            ReportFormat::Moodle => "moodle",
        }
    }
}

/// What the uploader says beside a platform's report.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    pub format: ReportFormat,
    /// The platform: its address (`account.homePage`) or the name of its connection.
    pub platform: String,
    /// The course the report is about, by its code here.
    pub course: String,
    pub dry_run: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Username,
    Email,
    Grade,
    CertificateEligible,
    CourseComplete,
}

/// Open edX's grade report: `Student ID, Email, Username, Grade, <graded sections…>, [Cohort Name,
/// Team Name,] Enrollment Track, Verification Status, Certificate Eligible (Y/N), Certificate
/// Delivered, Certificate Type, Enrollment Status`; Grade is a fraction (0.85).
const OPEN_EDX: [(Column, &[&str]); 4] = [
    (Column::Username, &["username"]),
    (Column::Email, &["email"]),
    (Column::Grade, &["grade"]),
    (Column::CertificateEligible, &["certificate eligible"]),
];

/// Moodle's course completion report: `ID, Name, <identity fields: Email address…>, <criteria…>,
/// Course complete` (when the course was completed, "20/11/26, 14:05"; empty if not).
const MOODLE: [(Column, &[&str]); 2] = [
    (Column::Email, &["email address", "email", "e mail", "dia chi email", "dia chi thu dien tu", "thu dien tu"]),
    (Column::CourseComplete, &["course complete", "hoan thanh khoa hoc", "khoa hoc hoan thanh"]),
];

impl Column {
    fn field(self) -> &'static str {
        match self {
            Column::Username => "username",
            Column::Email => "email",
            Column::Grade => "grade",
            Column::CertificateEligible => "certificate_eligible",
            Column::CourseComplete => "course_complete",
        }
    }
}

/// What a row says happened in the course.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    /// Open edX: eligible for the certificate, with the grade (0 to 1).
    Passed(f64),
    /// Open edX: a grade, not (yet) eligible.
    Progressed(f64),
    /// Moodle: the course completed at this instant.
    Completed(DateTime<Utc>),
}

impl Outcome {
    /// How the outcome enters the statement's id: a new grade is new progress; a completion is one.
    fn id_part(self) -> String {
        match self {
            Outcome::Passed(_) => "passed".into(),
            Outcome::Progressed(grade) => format!("progressed {grade:.4}"),
            Outcome::Completed(_) => "completed".into(),
        }
    }

    fn is_completion(self) -> bool {
        !matches!(self, Outcome::Progressed(_))
    }
}

/// One good row: who on the platform, and what happened.
struct Row {
    line: u64,
    /// The account on the platform (Open edX).
    account: Option<PlatformAccount>,
    /// The e-mail address, in lower case: Moodle's actor, and Open edX's when only it is linked.
    email: Option<String>,
    outcome: Option<Outcome>,
}

impl Row {
    /// The account's name, or else the address: the row's part of its statement's id.
    fn who(&self) -> String {
        match (&self.account, &self.email) {
            (Some(PlatformAccount::Account { name, .. }), _) => name.clone(),
            (_, Some(email)) => email.clone(),
            _ => String::new(),
        }
    }

    fn mbox(&self) -> Option<(String, String)> {
        let email = self.email.clone()?;
        let form = PlatformAccountForm { mbox: Some(email.clone()), ..Default::default() };
        PlatformAccount::parse(&form).ok().map(|account| (email, account.key()))
    }
}

/// A statement id made of what a row says, so the same row again is the same statement.
fn statement_id(platform: &str, course: &str, who: &str, outcome: Outcome) -> Uuid {
    let text = format!("hocvuso import|{platform}|{course}|{who}|{}", outcome.id_part());
    let digest = sha1::Sha1::digest(text.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes).into_uuid()
}

/// A grade as Open edX writes it (0.85), or as a percentage (85%); an empty cell is no grade.
fn parse_grade(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0.0);
    }
    let (number, scale) = match text.strip_suffix('%') {
        Some(number) => (number.trim(), 100.0),
        None => (text, 1.0),
    };
    let grade = number.replace(',', ".").parse::<f64>().ok()? / scale;
    ((0.0..=1.0).contains(&grade)).then_some((grade * 10_000.0).round() / 10_000.0)
}

/// When a course was completed, as Moodle's report writes it ("20/11/26, 14:05" in English,
/// "20/11/2026 14:05") or as `parse_completed_at` reads dates; Vietnam time, never in the future.
fn completed_at(text: &str, at_now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Ok(at) = parse_completed_at(text, at_now) {
        return Some(at);
    }
    let text = text.trim();
    let (date, time) = text.split_once([',', ' ']).map_or((text, None), |(d, t)| (d, Some(t.trim())));
    let date = crate::week::parse_date(date).or_else(|| NaiveDate::parse_from_str(date, "%d/%m/%y").ok())?;
    let time = match time {
        Some(time) => NaiveTime::parse_from_str(time, "%H:%M").ok()?,
        None => NaiveTime::from_hms_opt(12, 0, 0)?,
    };
    let vietnam = crate::week::vietnam();
    let at = vietnam.from_local_datetime(&date.and_time(time)).single()?.with_timezone(&Utc);
    // A date of today means today, even before the hour it names.
    (date <= at_now.with_timezone(&vietnam).date_naive()).then(|| at.min(at_now))
}

/// The statement a row stands for, as the platform would have sent it.
fn statement(id: Uuid, actor: Value, outcome: Outcome, activity: &str) -> Value {
    let (verb, display, result) = match outcome {
        Outcome::Passed(grade) => {
            (VERB_PASSED, "passed", json!({"success": true, "completion": true, "score": {"scaled": grade}}))
        }
        // A grade says how well, not how far through the course: no progress percentage.
        Outcome::Progressed(grade) => (VERB_PROGRESSED, "progressed", json!({"score": {"scaled": grade}})),
        Outcome::Completed(_) => (VERB_COMPLETED, "completed", json!({"completion": true})),
    };
    let mut statement = json!({
        "id": id,
        "actor": actor,
        "verb": {"id": verb, "display": {"en-US": display}},
        "object": {"objectType": "Activity", "id": activity},
        "result": result,
    });
    // Without a date in the file the LRS dates the statement when it keeps it.
    if let Outcome::Completed(at) = outcome {
        statement["timestamp"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    statement
}

/// Where a row's statement will go.
enum Target {
    /// A learner who counts it at once.
    Learner,
    /// No learner is linked to its actor: it waits for a link.
    Waiting,
    /// A learner no longer active or erased: kept, counted for nobody.
    Nobody,
    /// A learner outside the organiser's scope: not kept.
    OutsideScope,
}

/// What a statement needs to know of its learner.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
struct Learner {
    id: Uuid,
    code: String,
    active: bool,
    erased_at: Option<DateTime<Utc>>,
    commune_code: i32,
    organisation_id: Option<Uuid>,
}

async fn learners_where(db: &DatabaseConnection, filter: sea_orm::Condition) -> Result<Vec<Learner>> {
    use learner::Column as C;
    let columns = [C::Id, C::Code, C::Active, C::ErasedAt, C::CommuneCode, C::OrganisationId];
    super::learners_as(db, &columns, filter).await
}

/// Imports a platform's report for one course; with `dry_run` it reports what would happen and
/// writes nothing. For organisers and admins and ingest clients, as the completion import; rows
/// about learners outside an organiser's scope are counted, not kept.
pub async fn import_report(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    options: &ReportOptions,
) -> Result<PlatformImportReport> {
    actor.require_account_or_token(TokenScope::Ingest)?;
    if options.dry_run {
        crate::service::imports::spend_dry_run(db, actor).await?;
    }
    let mut problems = Vec::new();
    let platform = HomePages::load(db).await?.resolve(&options.platform);
    if platform.is_none() {
        problems.push(FieldError { field: "platform".into(), problem: Text::UnknownPlatform });
    }
    let course = crate::service::enrolments::courses::find_by_code(db, &options.course).await?;
    let activity = match &course {
        None => Err(Text::UnknownCourse),
        Some(c) if !c.active => Err(Text::CourseInactive),
        Some(c) => c.activity_iri.clone().or_else(|| c.url.clone()).ok_or(Text::CourseNoActivityId),
    };
    if let Err(problem) = &activity {
        problems.push(FieldError { field: "course".into(), problem: *problem });
    }
    let rows = table::read_uploaded(bytes).await?;
    let header = &rows[0];
    let aliases: &[(Column, &[&str])] = match options.format {
        ReportFormat::OpenEdx => &OPEN_EDX,
        ReportFormat::Moodle => &MOODLE,
    };
    // A platform's report has columns of its own (sections, criteria): they are not reported.
    let table::Header { columns, repeated, .. } = table::Header::map(header, aliases);
    problems.extend(repeated);
    let required: &[Column] = match options.format {
        ReportFormat::OpenEdx => &[Column::Username, Column::Grade, Column::CertificateEligible],
        ReportFormat::Moodle => &[Column::Email, Column::CourseComplete],
    };
    for column in required.iter().filter(|c| !columns.contains_key(c)) {
        problems.push(FieldError { field: column.field().into(), problem: Text::ColumnMissing });
    }
    let (Some(platform), Some(course), Ok(activity), true) = (platform, course, activity, problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    let cell = |row: &[String], column: Column| {
        columns.get(&column).and_then(|i| row.get(*i)).map(|s| s.trim().to_string()).unwrap_or_default()
    };
    let title = |column: Column| columns.get(&column).map(|i| header[*i].clone()).unwrap_or_default();
    // The column that names a row's person, for its problems.
    let who_column = match options.format {
        ReportFormat::OpenEdx => Column::Username,
        ReportFormat::Moodle => Column::Email,
    };

    let at_now = now();
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let line = index as u64 + 1;
        let mut bad = |column: Column, problem: Text| {
            errors.push(RowError { line, column: title(column), value: cell(row, column), problem })
        };
        let parsed = match options.format {
            ReportFormat::OpenEdx => {
                let form = PlatformAccountForm {
                    home_page: Some(platform.clone()),
                    name: Some(cell(row, Column::Username)),
                    mbox: None,
                };
                let account = match PlatformAccount::parse(&form) {
                    Ok(account) => account,
                    Err(err) => {
                        bad(Column::Username, err.field_problem("name").unwrap_or(Text::LinkNameRequired));
                        continue;
                    }
                };
                let Some(grade) = parse_grade(&cell(row, Column::Grade)) else {
                    bad(Column::Grade, Text::GradeInvalid);
                    continue;
                };
                let outcome = if is_yes(&cell(row, Column::CertificateEligible)) {
                    Some(Outcome::Passed(grade))
                } else {
                    (grade > 0.0).then_some(Outcome::Progressed(grade))
                };
                // The address is only a second way to the learner: one that is not an address is not used.
                let email = Some(cell(row, Column::Email).to_lowercase()).filter(|e| !e.is_empty());
                Row { line, account: Some(account), email, outcome }
            }
            ReportFormat::Moodle => {
                let email = cell(row, Column::Email);
                let form = PlatformAccountForm { mbox: Some(email.clone()), ..Default::default() };
                if PlatformAccount::parse(&form).is_err() {
                    bad(Column::Email, Text::LinkEmailInvalid);
                    continue;
                }
                let email = email.strip_prefix("mailto:").unwrap_or(&email).to_lowercase();
                let completed = cell(row, Column::CourseComplete);
                let outcome = if completed.is_empty() {
                    None
                } else if let Some(at) = completed_at(&completed, at_now) {
                    Some(Outcome::Completed(at))
                } else {
                    bad(Column::CourseComplete, Text::CompletedAtInvalid);
                    continue;
                };
                Row { line, account: None, email: Some(email), outcome }
            }
        };
        good.push(parsed);
    }

    // Who each row's actor is: an account or an address linked to a learner, or (as the LRS reads
    // an account) an account named by a learner code.
    let mut keys: Vec<String> = good.iter().filter_map(|r| r.account.as_ref().map(PlatformAccount::key)).collect();
    keys.extend(good.iter().filter_map(|r| r.mbox().map(|(_, key)| key)));
    let linked = links::linked(db, &keys).await?;
    let names: Vec<String> = good
        .iter()
        .filter_map(|r| match &r.account {
            Some(PlatformAccount::Account { name, .. }) => Some(name.trim().to_uppercase()),
            _ => None,
        })
        .collect();
    let mut learners: HashMap<Uuid, Learner> = HashMap::new();
    let mut by_code: HashMap<String, Uuid> = HashMap::new();
    let ids: Vec<Uuid> = linked.values().copied().collect();
    for chunk in ids.chunks(1000) {
        for l in learners_where(db, sea_orm::Condition::all().add(learner::Column::Id.is_in(chunk.to_vec()))).await? {
            learners.insert(l.id, l);
        }
    }
    for chunk in names.chunks(1000) {
        for l in learners_where(db, sea_orm::Condition::all().add(learner::Column::Code.is_in(chunk.to_vec()))).await? {
            by_code.insert(l.code.clone(), l.id);
            learners.insert(l.id, l);
        }
    }

    let mut seen = HashSet::new();
    let mut planned: Vec<(Uuid, Value, Outcome, Target)> = Vec::new();
    let mut report =
        PlatformImportReport { rows: (rows.len() - 1) as u64, dry_run: options.dry_run, ..Default::default() };
    for row in &good {
        let Some(outcome) = row.outcome else {
            report.skipped += 1;
            continue;
        };
        let id = statement_id(&platform, &course.code, &row.who(), outcome);
        if !seen.insert(id) {
            let value = cell(&rows[row.line as usize - 1], who_column);
            errors.push(RowError { line: row.line, column: title(who_column), value, problem: Text::DuplicateInFile });
            continue;
        }
        // The account on the platform (Open edX) and the address, each with the key links find it by.
        let account = match &row.account {
            Some(key @ PlatformAccount::Account { home_page, name }) => Some((key.key(), home_page, name)),
            _ => None,
        };
        let mbox = row.mbox();
        let by_account = account.as_ref().and_then(|(key, ..)| linked.get(key));
        let by_mbox = mbox.as_ref().and_then(|(_, key)| linked.get(key));
        let by_name = account.as_ref().and_then(|(_, _, name)| by_code.get(&name.trim().to_uppercase()));
        let account_actor = |home_page: &str, name: &str| json!({"objectType": "Agent", "account": {"homePage": home_page, "name": name}});
        let mbox_actor = |email: &str| json!({"objectType": "Agent", "mbox": format!("mailto:{email}")});
        // The account when it is linked, else the address when it is, else the account (it waits).
        let (actor_json, learner) = match (&account, &mbox) {
            (Some((_, home_page, name)), _) if by_account.is_some() => (account_actor(home_page, name), by_account),
            (_, Some((email, _))) if by_mbox.is_some() => (mbox_actor(email), by_mbox),
            (Some((_, home_page, name)), _) => (account_actor(home_page, name), by_name),
            (None, Some((email, _))) => (mbox_actor(email), None),
            (None, None) => continue,
        };
        let target = match learner.and_then(|id| learners.get(id)) {
            None => Target::Waiting,
            Some(l) if l.erased_at.is_some() || !l.active => Target::Nobody,
            // A report covers a whole course: an organiser's import records their own learners.
            Some(l) if matches!(actor, Actor::Account(_)) && !actor.may_manage(l.commune_code, l.organisation_id) => {
                Target::OutsideScope
            }
            Some(_) => Target::Learner,
        };
        planned.push((id, actor_json, outcome, target));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(Error::InvalidRows(errors));
    }

    // Rows imported before are their statements kept already: nothing to send again.
    let ids: Vec<Uuid> = planned.iter().map(|(id, ..)| *id).collect();
    let mut kept = HashSet::new();
    for chunk in ids.chunks(1000) {
        let found: Vec<Uuid> = lrs_statement::Entity::find()
            .select_only()
            .column(lrs_statement::Column::Id)
            .filter(lrs_statement::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        kept.extend(found);
    }
    let mut fresh = Vec::new();
    for (id, actor_json, outcome, target) in planned {
        if kept.contains(&id) {
            report.unchanged += 1;
            continue;
        }
        match target {
            Target::Learner if outcome.is_completion() => report.completions += 1,
            Target::Learner => report.progress += 1,
            Target::Waiting => report.waiting += 1,
            Target::Nobody => report.skipped += 1,
            Target::OutsideScope => {
                report.outside_scope += 1;
                continue;
            }
        }
        fresh.push(statement(id, actor_json, outcome, &activity));
    }
    if options.dry_run || fresh.is_empty() {
        return Ok(report);
    }
    // Kept 500 statements a request, as a platform sends them; each is kept once by its id, so an
    // import cut short completes when the file is imported again.
    let mut left = fresh;
    while !left.is_empty() {
        let rest = left.split_off(left.len().min(500));
        crate::service::lrs::statements::keep_imported(db, actor, left).await?;
        left = rest;
    }
    let txn = crate::db::write(db).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Import,
        audit::Entity::Enrolment,
        Some(course.code.clone()),
        json!({"format": options.format.as_str(), "completions": report.completions, "progress": report.progress,
            "waiting": report.waiting}),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_read_as_fractions_or_percentages() {
        assert_eq!(parse_grade("0.85"), Some(0.85));
        assert_eq!(parse_grade("85%"), Some(0.85));
        assert_eq!(parse_grade("0,5"), Some(0.5));
        assert_eq!(parse_grade(""), Some(0.0));
        assert_eq!(parse_grade("85"), None);
        assert_eq!(parse_grade("Not Attempted"), None);
    }

    #[test]
    fn moodle_dates_read_in_vietnam_time_and_never_in_the_future() {
        let now = "2026-11-28T03:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let at = |text: &str| completed_at(text, now).map(|t| t.to_rfc3339());
        assert_eq!(at("20/11/26, 14:05").as_deref(), Some("2026-11-20T07:05:00+00:00"));
        assert_eq!(at("20/11/2026 14:05").as_deref(), Some("2026-11-20T07:05:00+00:00"));
        assert_eq!(at("20/11/2026").as_deref(), Some("2026-11-20T05:00:00+00:00"));
        assert_eq!(at("28/11/26, 23:00").as_deref(), Some("2026-11-28T03:00:00+00:00"), "today, not later than now");
        assert_eq!(at("29/11/26, 08:00"), None);
        assert_eq!(at("Not completed"), None);
    }

    #[test]
    fn the_same_row_is_the_same_statement() {
        let a = statement_id("https://mooc.example.edu.vn", "KNS-01", "pao", Outcome::Passed(0.9));
        assert_eq!(a, statement_id("https://mooc.example.edu.vn", "KNS-01", "pao", Outcome::Passed(0.8)));
        assert_ne!(a, statement_id("https://mooc.example.edu.vn", "KNS-02", "pao", Outcome::Passed(0.9)));
        let progress = |grade| statement_id("https://mooc.example.edu.vn", "KNS-01", "pao", Outcome::Progressed(grade));
        assert_ne!(progress(0.3), progress(0.4), "a new grade is new progress");
        assert_eq!(a.get_version_num(), 5);
    }
}
