//! Sign-off (xác nhận số liệu tuần): once a week has ended, an organiser answering for a commune
//! confirms its figures, which are kept as they were (the snapshot, read from the counters as the
//! weekly report reads them); a province (or country) admin approves or returns it with a comment.
//! Signed by Tuesday 12:00 in Vietnam after the week is on time, later is late. A returned week is
//! signed again (the new sign-off replaces the returned one); every step is in the audit log.
//!
//! Completions recorded late for a signed week count in their own week like any other: the snapshot
//! never moves, and the report shows the difference as `changed_since_signoff`.
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{AccountActor, Actor, Role};
use crate::entity::{commune, signoff};
use crate::i18n::Text;
use crate::model::{
    Area, CompletionRow, DashboardFilter, SignoffFigures, SignoffForm, SignoffReview, SignoffState, SignoffView,
    UnitKind,
};
use crate::service::audit;
use crate::service::statistics::dashboard;
use crate::week::{IsoWeek, vietnam};
use crate::{Error, Result};

/// The longest note or comment, in characters.
pub const MAX_TEXT: usize = 1000;

/// The first moment after `week`: the next Monday, 00:00 in Vietnam.
pub fn week_end(week: IsoWeek) -> DateTime<Utc> {
    vietnam_time(week.sunday() + Days::new(1), 0)
}

/// The last moment a sign-off of `week` is on time: the Tuesday after it, 12:00 in Vietnam.
pub fn deadline(week: IsoWeek) -> DateTime<Utc> {
    vietnam_time(week.sunday() + Days::new(2), 12)
}

fn vietnam_time(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let local = date.and_hms_opt(hour, 0, 0).expect("a valid hour");
    local.and_local_timezone(vietnam()).single().expect("UTC+7 has no gaps").with_timezone(&Utc)
}

/// The week a sign-off's address names ("2026-W47"); 422 for anything else.
pub fn parse_week(text: &str) -> Result<IsoWeek> {
    IsoWeek::parse(text).ok_or_else(|| Error::invalid("week", Text::PeriodInvalid))
}

/// A decision on a sign-off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    Approve,
    Return,
}

/// How the audit log names a sign-off: "2026-W47:4465".
fn audit_id(week: i32, commune: i32) -> String {
    format!("{}:{commune}", IsoWeek(week))
}

/// A note or a comment: trimmed, empty as none, at most `MAX_TEXT` characters.
fn text(field: &str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > MAX_TEXT => Err(Error::invalid(field, Text::SignoffTextTooLong)),
        v => Ok(v.map(str::to_string)),
    }
}

/// The commune `code` when `account` answers for it: an organiser whose communes include it, an
/// admin of its province or of the country. Anything else is as if it did not exist (404).
async fn reach(db: &impl ConnectionTrait, account: &AccountActor, code: i32) -> Result<commune::Model> {
    let commune = commune::Entity::find_by_id(code).one(db).await?.ok_or(Error::NotFound)?;
    let covers = match account.role {
        Role::Admin => account.province.is_none_or(|p| p == commune.province_code),
        Role::Organiser => account.scope.communes.contains(&code),
    };
    if covers { Ok(commune) } else { Err(Error::NotFound) }
}

/// A commune's figures for `week` as the weekly report shows them, from the counters in one call.
async fn figures(
    db: &impl ConnectionTrait,
    actor: &Actor,
    commune: &commune::Model,
    week: IsoWeek,
) -> Result<SignoffFigures> {
    let filter = DashboardFilter {
        by: Some(UnitKind::Commune.as_str().into()),
        period: Some(week.to_string()),
        province: Some(commune.province_code.to_string()),
        commune: Some(commune.code.to_string()),
        ..Default::default()
    };
    let table = dashboard::completion(db, actor, Area::Province(commune.province_code), &filter).await?;
    let code = commune.code.to_string();
    table.rows.iter().find(|r| r.id == code).map(SignoffFigures::of).ok_or(Error::NotFound)
}

async fn find(db: &impl ConnectionTrait, week: IsoWeek, commune: i32) -> Result<Option<signoff::Model>> {
    Ok(signoff::Entity::find()
        .filter(signoff::Column::Week.eq(week.0))
        .filter(signoff::Column::CommuneCode.eq(commune))
        .one(db)
        .await?)
}

fn snapshot(row: &signoff::Model) -> SignoffFigures {
    SignoffFigures {
        enrolled: row.enrolled,
        completed: row.completed,
        new_enrolled: row.new_enrolled,
        new_completed: row.new_completed,
        learners: row.learners,
        trained: row.trained,
    }
}

/// What the audit log keeps of a sign-off: all of it.
fn detail(row: &signoff::Model) -> serde_json::Value {
    json!({
        "state": row.state.as_str(),
        "on_time": row.on_time,
        "signed_at": row.signed_at,
        "signed_by": row.signed_by,
        "note": row.note,
        "reviewed_at": row.reviewed_at,
        "reviewed_by": row.reviewed_by,
        "comment": row.comment,
        "snapshot": snapshot(row),
    })
}

/// A commune's sign-off as listed; `current` is its figures for the week now (for what changed).
fn view(commune: i32, name: String, row: Option<&signoff::Model>, current: Option<SignoffFigures>) -> SignoffView {
    let Some(row) = row else {
        return SignoffView {
            commune,
            name,
            state: SignoffState::Missing,
            on_time: None,
            signed_at: None,
            signed_by: None,
            note: None,
            reviewed_at: None,
            reviewed_by: None,
            comment: None,
            snapshot: None,
            changed_since_signoff: None,
        };
    };
    let changed = current.filter(|_| row.state.stands()).map(|now| now.minus(snapshot(row)));
    SignoffView {
        commune,
        name,
        state: row.state,
        on_time: Some(row.on_time),
        signed_at: Some(row.signed_at),
        signed_by: Some(row.signed_by.clone()),
        note: row.note.clone(),
        reviewed_at: row.reviewed_at,
        reviewed_by: row.reviewed_by.clone(),
        comment: row.comment.clone(),
        snapshot: Some(snapshot(row)),
        changed_since_signoff: changed,
    }
}

/// Confirms `week`'s figures for the commune `form.commune` at `now`: refused for a week not ended
/// (422), a commune the actor does not answer for (404), and a week already signed or approved
/// (409); a returned week is signed again.
pub async fn sign(
    db: &DatabaseConnection,
    actor: &Actor,
    week: IsoWeek,
    form: &SignoffForm,
    now: DateTime<Utc>,
) -> Result<SignoffView> {
    let account = actor.account()?;
    let code: i32 = form.commune.trim().parse().map_err(|_| Error::invalid("commune", Text::UnknownCommune))?;
    let note = text("note", form.note.as_deref())?;
    let commune = reach(db, account, code).await?;
    if now < week_end(week) {
        return Err(Error::invalid("week", Text::SignoffWeekNotEnded));
    }
    let txn = crate::db::write(db).await?;
    crate::db::lock_keys(&txn, &[&format!("signoff:{}", audit_id(week.0, code))]).await?;
    let returned = match find(&txn, week, code).await? {
        Some(row) if row.state == SignoffState::Returned => Some(row),
        Some(_) => return Err(Error::Conflict(None)),
        None => None,
    };
    if let Some(row) = &returned {
        signoff::Entity::delete_by_id(row.id).exec(&txn).await?;
    }
    let figures = figures(&txn, actor, &commune, week).await?;
    let on_time = now <= deadline(week);
    let row = signoff::ActiveModel {
        id: Set(Uuid::now_v7()),
        week: Set(week.0),
        commune_code: Set(code),
        state: Set(if on_time { SignoffState::Signed } else { SignoffState::Late }),
        on_time: Set(on_time),
        signed_at: Set(now),
        signed_by: Set(actor.label()),
        note: Set(note),
        reviewed_at: Set(None),
        reviewed_by: Set(None),
        comment: Set(None),
        enrolled: Set(figures.enrolled),
        completed: Set(figures.completed),
        new_enrolled: Set(figures.new_enrolled),
        new_completed: Set(figures.new_completed),
        learners: Set(figures.learners),
        trained: Set(figures.trained),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::SignOff,
        audit::Entity::Signoff,
        Some(audit_id(week.0, code)),
        json!({"before": returned.as_ref().map(detail), "after": detail(&row)}),
    )
    .await?;
    txn.commit().await?;
    Ok(view(code, commune.name, Some(&row), Some(figures)))
}

/// Approves or returns (`comment` required) the sign-off of `week` by the commune `code`: admins only
/// (403 for anyone else), of the commune's province or the country (404 otherwise, and for a week
/// not signed); only a sign-off awaiting review (409 otherwise).
pub async fn review(
    db: &DatabaseConnection,
    actor: &Actor,
    week: IsoWeek,
    code: i32,
    decision: Review,
    form: &SignoffReview,
    now: DateTime<Utc>,
) -> Result<SignoffView> {
    let account = actor.require_admin()?;
    let commune = reach(db, account, code).await?;
    let comment = text("comment", form.comment.as_deref())?;
    if decision == Review::Return && comment.is_none() {
        return Err(Error::invalid("comment", Text::SignoffCommentRequired));
    }
    let txn = crate::db::write(db).await?;
    crate::db::lock_keys(&txn, &[&format!("signoff:{}", audit_id(week.0, code))]).await?;
    let row = find(&txn, week, code).await?.ok_or(Error::NotFound)?;
    if !row.state.awaits_review() {
        return Err(Error::Conflict(None));
    }
    let before = detail(&row);
    let mut change: signoff::ActiveModel = row.into();
    change.state = Set(if decision == Review::Approve { SignoffState::Approved } else { SignoffState::Returned });
    change.reviewed_at = Set(Some(now));
    change.reviewed_by = Set(Some(actor.label()));
    change.comment = Set(comment);
    let row = change.update(&txn).await?;
    let action = if decision == Review::Approve { audit::Action::ApproveSignOff } else { audit::Action::ReturnSignOff };
    audit::record(
        &txn,
        &actor.label(),
        action,
        audit::Entity::Signoff,
        Some(audit_id(week.0, code)),
        json!({"before": before, "after": detail(&row)}),
    )
    .await?;
    txn.commit().await?;
    Ok(view(code, commune.name, Some(&row), None))
}

/// The sign-offs of a week's report: one per commune listed, in its order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WeekSignoffs {
    pub rows: Vec<SignoffView>,
    /// Communes whose sign-off stands and was on time (signed on time, or approved after it).
    pub on_time: i64,
}

impl WeekSignoffs {
    /// Communes signed on time over the communes listed; None without a commune.
    pub fn on_time_rate(&self) -> Option<f64> {
        (!self.rows.is_empty()).then(|| self.on_time as f64 / self.rows.len() as f64)
    }
}

/// The sign-off of `week` of every commune of a report (`communes`, its commune rows). What changed
/// since a sign-off is of every learner: a report of one learner group reads every learner's rows again.
pub async fn for_report(
    db: &impl ConnectionTrait,
    actor: &Actor,
    area: Area,
    week: IsoWeek,
    group: Option<&str>,
    communes: &[CompletionRow],
) -> Result<WeekSignoffs> {
    let everyone;
    let communes = match group.map(str::trim).filter(|g| !g.is_empty()) {
        None => communes,
        Some(_) => {
            let filter = DashboardFilter {
                by: Some(UnitKind::Commune.as_str().into()),
                period: Some(week.to_string()),
                province: Some(area.param()),
                ..Default::default()
            };
            everyone = dashboard::completion(db, actor, area, &filter).await?.rows;
            &everyone
        }
    };
    let mut signed: std::collections::HashMap<i32, signoff::Model> = signoff::Entity::find()
        .filter(signoff::Column::Week.eq(week.0))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.commune_code, row))
        .collect();
    let mut out = WeekSignoffs::default();
    for row in communes {
        let Ok(code) = row.id.parse::<i32>() else { continue };
        let signoff = signed.remove(&code);
        let view = view(code, row.name.clone(), signoff.as_ref(), Some(SignoffFigures::of(row)));
        if view.on_time == Some(true) && view.state.stands() {
            out.on_time += 1;
        }
        out.rows.push(view);
    }
    Ok(out)
}
