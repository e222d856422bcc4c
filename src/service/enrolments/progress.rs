//! Enrolments and completions as organisers and other systems record them: scoped, audited, and
//! moving the statistics counters in the same transaction.
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde_json::json;

use crate::auth::{Actor, TokenScope};
use crate::entity::{course, enrolment, learner};
use crate::i18n::Text;
use crate::model::{Completion as Rate, CompletionReport, CourseProgress, EnrolmentStatus, LearnerProgress, Source};
use crate::service::enrolments::{Completion, change_in, completed, enrol_in, not_completed};
use crate::service::idempotency::{self, IdempotencyKey, Keyed, KeyedRequest, Route};
use crate::service::{audit, enrolments::courses, learners::registration, now};
use crate::{Error, Result};

/// The learner a change is about: in the actor's scope, or any learner for an `ingest` token.
pub(crate) async fn learner_for_change(db: &impl ConnectionTrait, actor: &Actor, code: &str) -> Result<learner::Model> {
    let id = match actor {
        Actor::Token(token) if token.scope == TokenScope::Ingest => {
            learner::Entity::find()
                .filter(learner::Column::Code.eq(code.trim().to_uppercase()))
                .filter(learner::Column::ErasedAt.is_null())
                .one(db)
                .await?
                .ok_or(Error::NotFound)?
                .id
        }
        Actor::Token(_) => return Err(Error::Forbidden),
        _ => registration::find(db, actor, code).await?.id,
    };
    learner::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)
}

async fn active_course(db: &impl ConnectionTrait, code: &str) -> Result<course::Model> {
    match courses::find_by_code(db, code).await? {
        Some(course) if course.active => Ok(course),
        Some(_) => Err(Error::invalid("course_code", Text::CourseInactive)),
        None => Err(Error::invalid("course_code", Text::UnknownCourse)),
    }
}

fn progress_of(row: &enrolment::Model, course: &course::Model) -> CourseProgress {
    CourseProgress {
        course_code: course.code.clone(),
        course_title: course.title.clone(),
        status: row.status,
        progress: row.progress,
        enrolled_at: row.enrolled_at,
        completed_at: row.completed_at,
        score: row.score,
        certificate_no: row.certificate_no.clone(),
    }
}

/// A completion date: dd/mm/yyyy, yyyy-mm-dd (noon in Vietnam) or an RFC 3339 instant; never in the future.
pub fn parse_completed_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let text = text.trim();
    let instant = DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
        let date = crate::week::parse_date(text)?;
        crate::week::vietnam().from_local_datetime(&date.and_hms_opt(12, 0, 0)?).single().map(|t| t.with_timezone(&Utc))
    });
    match instant {
        // A date typed today means today, even before noon.
        Some(at)
            if at.with_timezone(&crate::week::vietnam()).date_naive()
                <= now.with_timezone(&crate::week::vietnam()).date_naive() =>
        {
            Ok(at.min(now))
        }
        _ => Err(Error::invalid("completed_at", Text::CompletedAtInvalid)),
    }
}

fn check_score(score: Option<f64>) -> Result<()> {
    score.map(crate::model::Score::new).transpose().map(|_| ()).map_err(|problem| Error::invalid("score", problem))
}

fn audit_id(learner: &learner::Model, course: &course::Model) -> Option<String> {
    Some(format!("{}/{}", learner.code, course.code))
}

/// Enrols a learner in a course; the answer says whether the enrolment is new.
pub async fn enrol(
    db: &DatabaseConnection,
    actor: &Actor,
    learner_code: &str,
    course_code: &str,
    source: Source,
) -> Result<(CourseProgress, bool)> {
    let learner = learner_for_change(db, actor, learner_code).await?;
    let course = active_course(db, course_code).await?;
    let txn = crate::db::write(db).await?;
    let (row, created) = enrol_in(&txn, learner.id, course.id, now(), source).await?;
    if created {
        audit::record(
            &txn,
            &actor.label(),
            audit::Action::Enrol,
            audit::Entity::Enrolment,
            audit_id(&learner, &course),
            json!({"source": source.as_str()}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok((progress_of(&row, &course), created))
}

/// Records a completion (enrolling first when the platform reports one for a learner not enrolled yet).
pub async fn record_completion(
    db: &DatabaseConnection,
    actor: &Actor,
    report: &CompletionReport,
    source: Source,
) -> Result<CourseProgress> {
    let reported = Reported::read(db, actor, report).await?;
    let txn = crate::db::write(db).await?;
    let done = reported.record_in(&txn, actor, source).await?;
    txn.commit().await?;
    Ok(done)
}

/// A completion report read and checked: its instant, score and certificate, its learner and course.
struct Reported {
    at: DateTime<Utc>,
    score: Option<f64>,
    certificate_no: Option<String>,
    learner: learner::Model,
    course: course::Model,
}

impl Reported {
    async fn read(db: &impl ConnectionTrait, actor: &Actor, report: &CompletionReport) -> Result<Reported> {
        let at = parse_completed_at(&report.completed_at, now())?;
        check_score(report.score)?;
        let learner = learner_for_change(db, actor, &report.learner_code).await?;
        let course = active_course(db, &report.course_code).await?;
        let certificate_no =
            report.certificate_no.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        Ok(Reported { at, score: report.score, certificate_no, learner, course })
    }

    /// Records it inside the caller's transaction.
    async fn record_in(self, txn: &DatabaseTransaction, actor: &Actor, source: Source) -> Result<CourseProgress> {
        let Reported { at, score, certificate_no, learner, course } = self;
        let (row, _) = enrol_in(txn, learner.id, course.id, at.min(now()), source).await?;
        let before = json!({"status": row.status, "completed_at": row.completed_at, "score": row.score});
        let row = change_in(txn, row.id, completed(Completion { at, score, certificate_no, source })).await?;
        let after = json!({"status": row.status, "completed_at": row.completed_at, "score": row.score});
        audit::record(
            txn,
            &actor.label(),
            audit::Action::Complete,
            audit::Entity::Enrolment,
            audit_id(&learner, &course),
            json!({"before": before, "after": after}),
        )
        .await?;
        Ok(progress_of(&row, &course))
    }
}

/// Records a list of completions, each on its own (one refused leaves the others recorded): one
/// outcome per report, in order. With an idempotency key the list is one transaction, each report
/// in a savepoint, so the whole list and its key commit together and a repeat is applied once. The
/// outcome is kept with its key when at least one report was recorded; a list refused whole may be
/// corrected and sent again with its key.
pub async fn record_completions(
    db: &DatabaseConnection,
    actor: &Actor,
    reports: &[CompletionReport],
    source: Source,
    key: Option<IdempotencyKey>,
) -> Result<Keyed<Vec<Result<CourseProgress>>>> {
    actor.require_account_or_token(TokenScope::Ingest)?;
    let Some(key) = key else {
        // Without a key each report is its own transaction: a long list never holds the write lock long.
        let mut results = Vec::with_capacity(reports.len());
        for report in reports {
            results.push(record_completion(db, actor, report, source).await);
        }
        return Ok(Keyed { outcome: Ok(results), replayed: false });
    };
    let send = KeyedRequest::new(actor, key, Route::RecordCompletions, &reports)?;
    if let Some(done) = idempotency::earlier(db, Some(&send)).await? {
        return Ok(done);
    }
    let keep = |outcome: &Result<Vec<Result<CourseProgress>>>| {
        outcome.as_ref().is_ok_and(|results| results.iter().any(Result::is_ok))
    };
    // Read and checked before the write lock is taken, as the unkeyed path does.
    let mut read = Vec::with_capacity(reports.len());
    for report in reports {
        read.push(Reported::read(db, actor, report).await);
    }
    idempotency::apply(db, Some(&send), keep, async |txn| {
        let mut results = Vec::with_capacity(read.len());
        for reported in read {
            let savepoint = txn.begin().await?;
            let outcome = match reported {
                Ok(reported) => reported.record_in(&savepoint, actor, source).await,
                Err(err) => Err(err),
            };
            if outcome.is_ok() {
                savepoint.commit().await?
            } else {
                savepoint.rollback().await?
            }
            results.push(outcome);
        }
        Ok(results)
    })
    .await
}

/// Undoes a completion recorded by mistake; the enrolment is back in progress.
pub async fn undo_completion(
    db: &DatabaseConnection,
    actor: &Actor,
    learner_code: &str,
    course_code: &str,
) -> Result<CourseProgress> {
    let learner = learner_for_change(db, actor, learner_code).await?;
    let course = courses::find_by_code(db, course_code).await?.ok_or(Error::NotFound)?;
    let txn = crate::db::write(db).await?;
    let row = enrolment::Entity::find()
        .filter(enrolment::Column::LearnerId.eq(learner.id))
        .filter(enrolment::Column::CourseId.eq(course.id))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    let before = json!({"status": row.status, "completed_at": row.completed_at, "score": row.score});
    let row = change_in(&txn, row.id, not_completed).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Uncomplete,
        audit::Entity::Enrolment,
        audit_id(&learner, &course),
        json!({"before": before, "after": {"status": row.status}}),
    )
    .await?;
    txn.commit().await?;
    Ok(progress_of(&row, &course))
}

/// Sets progress (0–100) of a course in progress.
pub async fn set_progress(
    db: &DatabaseConnection,
    actor: &Actor,
    learner_code: &str,
    course_code: &str,
    progress: i32,
) -> Result<CourseProgress> {
    if !(0..=100).contains(&progress) {
        return Err(Error::invalid("progress", Text::ProgressInvalid));
    }
    let learner = learner_for_change(db, actor, learner_code).await?;
    let course = active_course(db, course_code).await?;
    let txn = crate::db::write(db).await?;
    let (row, _) = enrol_in(&txn, learner.id, course.id, now(), Source::Form).await?;
    let row = change_in(&txn, row.id, |old, change| {
        use sea_orm::Set;
        change.progress = Set(progress);
        if old.status != EnrolmentStatus::Completed {
            change.status = Set(if progress > 0 { EnrolmentStatus::InProgress } else { EnrolmentStatus::Enrolled });
        }
    })
    .await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Progress,
        audit::Entity::Enrolment,
        audit_id(&learner, &course),
        json!({"after": {"progress": progress}}),
    )
    .await?;
    txn.commit().await?;
    Ok(progress_of(&row, &course))
}

/// A learner's courses, for organisers in scope and for people and systems allowed to read them.
pub async fn learner_progress(db: &impl ConnectionTrait, actor: &Actor, code: &str) -> Result<LearnerProgress> {
    let learner = learner_for_change(db, actor, code).await?;
    let (courses, completion) = courses_of(db, &learner).await?;
    Ok(LearnerProgress { learner_code: learner.code, courses, completion })
}

/// A learner's courses in the order they enrolled, and how many they completed.
async fn courses_of(db: &impl ConnectionTrait, learner: &learner::Model) -> Result<(Vec<CourseProgress>, Rate)> {
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::LearnerId.eq(learner.id))
        .order_by_asc(enrolment::Column::EnrolledAt)
        .all(db)
        .await?;
    let catalogue: std::collections::HashMap<_, _> = course::Entity::find()
        .filter(course::Column::Id.is_in(rows.iter().map(|r| r.course_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let courses: Vec<CourseProgress> =
        rows.iter().filter_map(|e| catalogue.get(&e.course_id).map(|c| progress_of(e, c))).collect();
    let completion = Rate {
        enrolled: courses.len() as i64,
        completed: courses.iter().filter(|c| c.status == EnrolmentStatus::Completed).count() as i64,
    };
    Ok((courses, completion))
}

/// A team or an organisation to enrol at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Group {
    Team(uuid::Uuid),
    Organisation(uuid::Uuid),
}

/// Enrols every active learner of a team or organisation in a course: how many were enrolled now and
/// how many were already. Organisers only for groups inside their scope (404 otherwise), and only
/// the members they may manage.
pub async fn enrol_group(
    db: &DatabaseConnection,
    actor: &Actor,
    group: Group,
    course_code: &str,
) -> Result<(u64, u64)> {
    use crate::entity::{organisation, team};
    actor.account()?;
    let placed = match group {
        Group::Team(id) => team::Entity::find_by_id(id).one(db).await?.map(|t| (t.commune_code, t.organisation_id)),
        Group::Organisation(id) => {
            organisation::Entity::find_by_id(id).one(db).await?.map(|o| (o.commune_code, Some(o.id)))
        }
    };
    match placed {
        Some((commune, organisation)) if actor.may_manage(commune, organisation) => {}
        _ => return Err(Error::NotFound),
    }
    let course = active_course(db, course_code).await?;
    let members = match group {
        Group::Team(id) => learner::Column::TeamId.eq(id),
        Group::Organisation(id) => learner::Column::OrganisationId.eq(id),
    };
    let learners = learner::Entity::find()
        .filter(members)
        .filter(learner::Column::Active.eq(true))
        .filter(learner::Column::ErasedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        // A team may hold people registered in a commune outside the organiser's scope: not theirs to enrol.
        .filter(|l| actor.may_manage(l.commune_code, l.organisation_id))
        .collect::<Vec<_>>();
    let txn = crate::db::write(db).await?;
    let (mut enrolled, mut already) = (0, 0);
    for l in &learners {
        match enrol_in(&txn, l.id, course.id, now(), Source::Form).await? {
            (_, true) => enrolled += 1,
            (_, false) => already += 1,
        }
    }
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::EnrolGroup,
        audit::Entity::Enrolment,
        Some(course.code.clone()),
        json!({"group": group, "enrolled": enrolled, "already": already}),
    )
    .await?;
    txn.commit().await?;
    Ok((enrolled, already))
}

/// A learner's own page, by the secret of their personal link or of a lookup's grant; 404 for an
/// unknown, replaced or expired one. Shows the given name and a masked phone only.
pub async fn by_token(db: &impl ConnectionTrait, token: &str) -> Result<crate::model::PublicProgress> {
    let learner =
        crate::service::learners::progress_link::learner_of(db, token.trim()).await?.ok_or(Error::NotFound)?;
    let (courses, completion) = courses_of(db, &learner).await?;
    let view = registration::views(db, vec![learner.clone()]).await?.remove(0);
    let given_name =
        crate::person::FullName::parse(&learner.full_name).map(|n| n.given_name().to_string()).unwrap_or_default();
    Ok(crate::model::PublicProgress {
        given_name,
        masked_phone: learner.phone.as_deref().map(crate::person::mask_phone),
        commune_name: view.commune_name,
        team_name: view.team_name,
        courses,
        completion,
    })
}
