//! The weekly report that arrives by itself: each Monday at 07:00 in Vietnam the report of the week
//! just ended is written (XLSX and CSV, the country and each province with figures) and recorded,
//! so it is written once whatever restarts or second processes; its e-mails are recorded with
//! their attempts and retried with backoff, never dropped silently. The clock is always passed in.
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::auth::{AccountActor, Actor, Role};
use crate::entity::{report_delivery, report_file, report_run};
use crate::i18n::Lang;
use crate::model::{Area, DeliveryState, ReportDeliveryView, ReportFileView, ScheduledReports};
use crate::service::statistics::report;
use crate::week::IsoWeek;
use crate::{Error, Result};

/// The hour of Monday, Vietnam time, the week before is written.
pub const RELEASE_HOUR: u32 = 7;
/// A claim older than this whose week is still not written was left by a process that died: retaken.
pub const STALE_CLAIM: Duration = Duration::minutes(15);
/// How long one attempt may hold an e-mail before another process may try it.
pub const DELIVERY_LEASE: Duration = Duration::minutes(10);
/// The wait after each failed attempt; after the last, the e-mail is given up (`failed`).
pub const RETRY_DELAYS_MINUTES: [i64; 7] = [1, 5, 30, 60, 60, 60, 60];

/// The week whose report is due at `now`: the one before the latest Monday 07:00 (Vietnam) not after `now`.
pub fn due_week(now: DateTime<Utc>) -> IsoWeek {
    let this_week = IsoWeek::of(now);
    let release =
        (this_week.monday().and_time(NaiveTime::MIN) + Duration::hours(i64::from(RELEASE_HOUR) - 7)).and_utc();
    if now >= release { this_week.previous() } else { this_week.previous().previous() }
}

/// The name of a report file: `bao-cao-tuan-2026-W48-ca-nuoc.xlsx`, `bao-cao-tuan-2026-W48-tinh-15.csv`.
pub fn file_name(week: IsoWeek, province: Option<i32>, format: &str) -> String {
    match province {
        None => format!("bao-cao-tuan-{week}-ca-nuoc.{format}"),
        Some(code) => format!("bao-cao-tuan-{week}-tinh-{code}.{format}"),
    }
}

/// Who writes the reports: an administrator of the whole country, recorded as "scheduler".
fn scheduler() -> Actor {
    Actor::Account(AccountActor {
        id: Uuid::nil(),
        username: "scheduler".into(),
        display_name: "Scheduler".into(),
        role: Role::Admin,
        province: None,
        scope: Default::default(),
    })
}

/// Takes the week for this process: true when it may write it (first, or the claim of a process
/// that died), false when it is written or another process is writing it.
pub async fn claim(db: &impl ConnectionTrait, week: IsoWeek, now: DateTime<Utc>) -> Result<bool> {
    let mut insert = Query::insert();
    insert
        .into_table(report_run::Entity)
        .columns([report_run::Column::Week, report_run::Column::ClaimedAt])
        .values_panic([week.0.into(), now.into()])
        .on_conflict(OnConflict::column(report_run::Column::Week).do_nothing().to_owned());
    if db.execute(&insert).await?.rows_affected() == 1 {
        return Ok(true);
    }
    let retaken = report_run::Entity::update_many()
        .col_expr(report_run::Column::ClaimedAt, Expr::value(now))
        .filter(report_run::Column::Week.eq(week.0))
        .filter(report_run::Column::WrittenAt.is_null())
        .filter(report_run::Column::ClaimedAt.lt(now - STALE_CLAIM))
        .exec(db)
        .await?;
    Ok(retaken.rows_affected == 1)
}

/// The most weeks a server that was down for several Mondays writes when it starts again.
pub const CATCH_UP_WEEKS: usize = 8;

/// The weeks to write at `now`: the one due and, after a server was down for several Mondays, those
/// missed since the latest written (at most CATCH_UP_WEEKS in all), oldest first.
pub async fn weeks_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<IsoWeek>> {
    let latest: Option<i32> = report_run::Entity::find()
        .filter(report_run::Column::WrittenAt.is_not_null())
        .order_by_desc(report_run::Column::Week)
        .one(db)
        .await?
        .map(|run| run.week);
    let mut weeks = vec![due_week(now)];
    while let Some(latest) = latest
        && weeks.len() < CATCH_UP_WEEKS
    {
        let before = weeks.last().expect("not empty").previous();
        if before.0 <= latest {
            break;
        }
        weeks.push(before);
    }
    weeks.reverse();
    Ok(weeks)
}

/// Whether the week's files are written.
pub async fn is_written(db: &impl ConnectionTrait, week: IsoWeek) -> Result<bool> {
    let run = report_run::Entity::find_by_id(week.0).one(db).await?;
    Ok(run.is_some_and(|r| r.written_at.is_some()))
}

/// Writes `bytes` to `dir/name` whole or not at all (a temporary file renamed).
async fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = dir.join(name);
    let partial = dir.join(format!(".{name}.partial"));
    let failed = |err: std::io::Error| {
        tracing::error!(path = %path.display(), %err, "cannot write a report file");
        Error::Internal
    };
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    tokio::fs::write(&partial, bytes).await.map_err(failed)?;
    tokio::fs::rename(&partial, &path).await.map_err(failed)?;
    Ok(path)
}

/// The e-mail to send once a week is written: to whom, and which area's report it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailing {
    pub recipients: Vec<String>,
    pub area: Area,
}

/// Writes the week's reports into `dir` (the country's, then each province with figures, and
/// `always`, the deployment's own area, even without) and records them, with an e-mail to send
/// when `mailing` is given. The caller holds the week's claim.
pub async fn write_week(
    db: &DatabaseConnection,
    dir: &Path,
    week: IsoWeek,
    always: Area,
    mailing: Option<&Mailing>,
    now: DateTime<Utc>,
) -> Result<Vec<report_file::Model>> {
    let actor = scheduler();
    let lang = Lang::Vi;
    let country = report::weekly(db, &actor, Area::Country, None, None, week).await?;
    let mut provinces: Vec<i32> = country
        .provinces
        .iter()
        .filter(|p| p.completion.enrolled > 0 || p.learners > 0)
        .filter_map(|p| p.id.parse().ok())
        .collect();
    if let Area::Province(code) = always
        && !provinces.contains(&code)
    {
        provinces.push(code);
    }
    let mut files = Vec::new();
    let mut reports = vec![(None, country)];
    for code in provinces {
        let code_text = code.to_string();
        reports.push((Some(code), report::weekly(db, &actor, Area::Country, Some(&code_text), None, week).await?));
    }
    for (province, data) in &reports {
        for (format, bytes) in [("xlsx", report::xlsx(data, lang)?), ("csv", report::csv(data, lang))] {
            let name = file_name(week, *province, format);
            let path = write_file(dir, &name, &bytes).await?;
            files.push(report_file::Model {
                file_name: name,
                week: week.0,
                province_code: *province,
                format: format.into(),
                path: path.to_string_lossy().into_owned(),
                bytes: bytes.len() as i64,
                written_at: now,
            });
        }
    }
    let txn = crate::db::write(db).await?;
    // Only the first writer to finish records the week and its e-mail (a claim retaken after
    // STALE_CLAIM may have two writers at once); the other's files are the same week's, left as written.
    let first = report_run::Entity::update_many()
        .col_expr(report_run::Column::WrittenAt, Expr::value(now))
        .filter(report_run::Column::Week.eq(week.0))
        .filter(report_run::Column::WrittenAt.is_null())
        .exec(&txn)
        .await?;
    if first.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(Vec::new());
    }
    for file in &files {
        // A week retaken after a crash may find its files recorded already: the new ones replace them.
        report_file::Entity::delete_by_id(file.file_name.clone()).exec(&txn).await?;
        report_file::Entity::insert(report_file::ActiveModel::from(file.clone())).exec(&txn).await?;
    }
    if let Some(mailing) = mailing {
        report_delivery::Entity::insert(report_delivery::ActiveModel {
            id: Set(Uuid::now_v7()),
            week: Set(week.0),
            province_code: Set(mailing.area.province()),
            recipients: Set(mailing.recipients.join(", ")),
            state: Set(DeliveryState::Pending),
            attempts: Set(0),
            last_error: Set(None),
            next_attempt_at: Set(Some(now)),
            sent_at: Set(None),
            created_at: Set(now),
        })
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(files)
}

/// The e-mails due at `now` (not sent, not given up, their next attempt reached), oldest first.
pub async fn due_deliveries(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<report_delivery::Model>> {
    Ok(report_delivery::Entity::find()
        .filter(report_delivery::Column::State.is_in([DeliveryState::Pending, DeliveryState::Retrying]))
        .filter(report_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(report_delivery::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Takes an e-mail for one attempt: false when another process took it first.
pub async fn take_delivery(
    db: &impl ConnectionTrait,
    delivery: &report_delivery::Model,
    now: DateTime<Utc>,
) -> Result<bool> {
    let taken = report_delivery::Entity::update_many()
        .col_expr(report_delivery::Column::NextAttemptAt, Expr::value(now + DELIVERY_LEASE))
        .filter(report_delivery::Column::Id.eq(delivery.id))
        .filter(report_delivery::Column::Attempts.eq(delivery.attempts))
        .filter(report_delivery::Column::State.is_in([DeliveryState::Pending, DeliveryState::Retrying]))
        .filter(report_delivery::Column::NextAttemptAt.lte(now))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// The files an e-mail carries: its week's files of its area, XLSX first.
pub async fn delivery_files(
    db: &impl ConnectionTrait,
    delivery: &report_delivery::Model,
) -> Result<Vec<(report_file::Model, Vec<u8>)>> {
    let mut query = report_file::Entity::find().filter(report_file::Column::Week.eq(delivery.week));
    query = match delivery.province_code {
        Some(code) => query.filter(report_file::Column::ProvinceCode.eq(code)),
        None => query.filter(report_file::Column::ProvinceCode.is_null()),
    };
    let mut found = Vec::new();
    for file in query.order_by_desc(report_file::Column::Format).all(db).await? {
        let bytes = tokio::fs::read(&file.path).await.map_err(|err| {
            tracing::error!(path = %file.path, %err, "cannot read a report file");
            Error::Internal
        })?;
        found.push((file, bytes));
    }
    Ok(found)
}

/// Records an e-mail sent.
pub async fn delivery_sent(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    report_delivery::Entity::update_many()
        .col_expr(report_delivery::Column::State, Expr::value(DeliveryState::Sent))
        .col_expr(report_delivery::Column::Attempts, Expr::col(report_delivery::Column::Attempts).add(1))
        .col_expr(report_delivery::Column::SentAt, Expr::value(now))
        .col_expr(report_delivery::Column::NextAttemptAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(report_delivery::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: retried after the next delay, or given up after the last.
pub async fn delivery_failed(
    db: &impl ConnectionTrait,
    delivery: &report_delivery::Model,
    error: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryState> {
    let attempts = delivery.attempts + 1;
    let delay = RETRY_DELAYS_MINUTES.get(usize::try_from(delivery.attempts).unwrap_or(usize::MAX));
    let (state, next) = match delay {
        Some(minutes) => (DeliveryState::Retrying, Some(now + Duration::minutes(*minutes))),
        None => (DeliveryState::Failed, None),
    };
    report_delivery::Entity::update_many()
        .col_expr(report_delivery::Column::State, Expr::value(state))
        .col_expr(report_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(report_delivery::Column::LastError, Expr::value(error.chars().take(1000).collect::<String>()))
        .col_expr(report_delivery::Column::NextAttemptAt, Expr::value(next))
        .filter(report_delivery::Column::Id.eq(delivery.id))
        .exec(db)
        .await?;
    Ok(state)
}

fn area_of(province: Option<i32>) -> Area {
    province.map_or(Area::Country, Area::Province)
}

fn file_view(file: report_file::Model) -> ReportFileView {
    ReportFileView {
        week: IsoWeek(file.week),
        area: area_of(file.province_code),
        format: file.format,
        file_name: file.file_name,
        bytes: file.bytes,
        written_at: file.written_at,
    }
}

/// What `/reports` lists for an admin: every file and e-mail for the country's, a province
/// admin's province's only. Others are refused.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<ScheduledReports> {
    actor.require_admin()?;
    let mut files = report_file::Entity::find();
    let mut deliveries = report_delivery::Entity::find();
    if let Some(code) = actor.province_limit() {
        files = files.filter(report_file::Column::ProvinceCode.eq(code));
        deliveries = deliveries.filter(report_delivery::Column::ProvinceCode.eq(code));
    }
    let mut files: Vec<ReportFileView> = files.all(db).await?.into_iter().map(file_view).collect();
    // Newest week first; the country before the provinces; XLSX before CSV.
    files.sort_by(|a, b| {
        let province = |f: &ReportFileView| f.area.province().unwrap_or(0);
        b.week.cmp(&a.week).then(province(a).cmp(&province(b))).then(b.format.cmp(&a.format))
    });
    let deliveries = deliveries
        .order_by_desc(report_delivery::Column::Week)
        .order_by_desc(report_delivery::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|d| ReportDeliveryView {
            week: IsoWeek(d.week),
            area: area_of(d.province_code),
            recipients: d.recipients,
            state: d.state,
            attempts: d.attempts,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            sent_at: d.sent_at,
        })
        .collect();
    Ok(ScheduledReports { files, deliveries })
}

/// A written file by its recorded name, and its bytes: 404 for any other name (no path is ever
/// built from what the caller sends) and for a province admin's request of another area's file.
pub async fn read(db: &impl ConnectionTrait, actor: &Actor, name: &str) -> Result<(ReportFileView, Vec<u8>)> {
    actor.require_admin()?;
    let file = report_file::Entity::find_by_id(name.to_string()).one(db).await?.ok_or(Error::NotFound)?;
    if let Some(code) = actor.province_limit()
        && file.province_code != Some(code)
    {
        return Err(Error::NotFound);
    }
    let bytes = tokio::fs::read(&file.path).await.map_err(|err| {
        tracing::error!(path = %file.path, %err, "cannot read a report file");
        Error::NotFound
    })?;
    Ok((file_view(file), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_week_before_is_due_from_monday_seven_in_vietnam() {
        // Monday 2026-11-30 07:00 in Hà Nội is 00:00 UTC.
        let release = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
        assert_eq!(due_week(release), IsoWeek(202648));
        assert_eq!(due_week(release - Duration::seconds(1)), IsoWeek(202647));
        assert_eq!(due_week(release + Duration::days(6)), IsoWeek(202648));
        assert_eq!(due_week(release + Duration::days(7)), IsoWeek(202649));
    }

    #[test]
    fn names_say_the_week_and_the_area() {
        assert_eq!(file_name(IsoWeek(202648), None, "xlsx"), "bao-cao-tuan-2026-W48-ca-nuoc.xlsx");
        assert_eq!(file_name(IsoWeek(202648), Some(15), "csv"), "bao-cao-tuan-2026-W48-tinh-15.csv");
    }
}
