//! Targets: what a unit should reach by the end of a period (or of the campaign), set by admins one at
//! a time or from a CSV, and shown beside the actual figure ("98/95%").
use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::{commune, organisation, target, team};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{
    CompletionRow, LearnerGroup, RowError, TargetForm, TargetMetric, TargetStatus, TargetView, UnitKind,
};
use crate::service::{audit, imports::table, now};
use crate::text::fold;
use crate::week::Period;
use crate::{Error, Result};

struct ValidTarget {
    kind: UnitKind,
    unit_id: String,
    period: String,
    metric: TargetMetric,
    value: i64,
    group: Option<LearnerGroup>,
}

/// Organisations and teams by id and by folded name, to resolve what a form or file names.
pub(super) struct Units {
    communes: HashMap<i32, i32>,
    organisations: Vec<(Uuid, String)>,
    teams: Vec<(Uuid, String)>,
}

impl Units {
    /// The units an admin may set targets on: a province admin's province only (others do not exist for them).
    pub(super) async fn load(db: &impl ConnectionTrait, actor: &Actor) -> Result<Units> {
        let mut communes = commune::Entity::find();
        if let Some(province) = actor.province_limit() {
            communes = communes.filter(commune::Column::ProvinceCode.eq(province));
        }
        let communes: HashMap<i32, i32> =
            communes.all(db).await?.into_iter().map(|c| (c.code, c.province_code)).collect();
        Ok(Units {
            organisations: organisation::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .filter(|o| communes.contains_key(&o.commune_code))
                .map(|o| (o.id, fold(&o.name)))
                .collect(),
            teams: team::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .filter(|t| communes.contains_key(&t.commune_code))
                .map(|t| (t.id, fold(&t.name)))
                .collect(),
            communes,
        })
    }

    pub(super) fn resolve(&self, kind: UnitKind, unit: &str) -> Option<String> {
        let unit = unit.trim();
        let named = |list: &[(Uuid, String)]| {
            let by_id = unit.parse::<Uuid>().ok().filter(|id| list.iter().any(|(x, _)| x == id));
            let folded = fold(unit);
            let by_name: Vec<&Uuid> = list.iter().filter(|(_, n)| *n == folded).map(|(id, _)| id).collect();
            by_id.or_else(|| (by_name.len() == 1).then(|| *by_name[0])).map(|id| id.to_string())
        };
        match kind {
            UnitKind::Province => {
                let code: i32 = unit.parse().ok()?;
                self.communes.values().any(|p| *p == code).then(|| code.to_string())
            }
            UnitKind::Commune => {
                let code: i32 = unit.parse().ok()?;
                self.communes.contains_key(&code).then(|| code.to_string())
            }
            UnitKind::Organisation => named(&self.organisations),
            UnitKind::Team => named(&self.teams),
            UnitKind::Course => None,
        }
    }

    fn validate(&self, form: &TargetForm) -> std::result::Result<ValidTarget, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut problem = |field: &str, text| problems.push(FieldError { field: field.into(), problem: text });
        let kind = UnitKind::parse(form.unit_kind.trim()).filter(|k| *k != UnitKind::Course);
        let unit_id = kind.and_then(|k| self.resolve(k, &form.unit));
        if kind.is_none() {
            problem("unit_kind", Text::TargetUnitKind);
        } else if unit_id.is_none() {
            problem("unit", Text::TargetUnitUnknown);
        }
        let period = match form.period.trim() {
            "" => Some(String::new()),
            p => Period::parse(p).map(|p| p.to_string()),
        };
        if period.is_none() {
            problem("period", Text::PeriodInvalid);
        }
        let metric = TargetMetric::parse(&form.metric);
        let value = match metric {
            None => {
                problem("metric", Text::TargetMetricUnknown);
                None
            }
            Some(m) if m.is_percent() => {
                let v = form.value.trim().trim_end_matches('%').replace(',', ".");
                v.parse::<f64>()
                    .ok()
                    .filter(|p| (0.0..=100.0).contains(p) && (p * 10.0).fract().abs() < 1e-9)
                    .map(|p| (p * 10.0).round() as i64)
            }
            Some(_) => form.value.trim().replace(['.', ' '], "").parse::<i64>().ok().filter(|v| *v >= 0),
        };
        if metric.is_some() && value.is_none() {
            problem("value", Text::TargetValueInvalid);
        }
        let group = LearnerGroup::parse_or_everyone(&form.group);
        if group.is_none() {
            problem("group", Text::LearnerGroupUnknown);
        }
        match (kind, unit_id, period, metric, value, group) {
            (Some(kind), Some(unit_id), Some(period), Some(metric), Some(value), Some(group))
                if problems.is_empty() =>
            {
                Ok(ValidTarget { kind, unit_id, period, metric, value, group })
            }
            _ => Err(problems),
        }
    }
}

/// Sets (or replaces) one target. Admins only; audited with the value before and after.
pub async fn set(db: &DatabaseConnection, actor: &Actor, form: &TargetForm) -> Result<()> {
    actor.require_admin()?;
    let units = Units::load(db, actor).await?;
    let valid = units.validate(form).map_err(Error::Invalid)?;
    let txn = crate::db::write(db).await?;
    upsert(&txn, actor, valid).await?;
    txn.commit().await?;
    Ok(())
}

async fn upsert(txn: &impl ConnectionTrait, actor: &Actor, t: ValidTarget) -> Result<bool> {
    let existing = target::Entity::find()
        .filter(target::Column::UnitKind.eq(t.kind))
        .filter(target::Column::UnitId.eq(&t.unit_id))
        .filter(target::Column::Period.eq(&t.period))
        .filter(target::Column::Metric.eq(t.metric))
        .filter(target::Column::LearnerGroup.eq(LearnerGroup::key(t.group)))
        .one(txn)
        .await?;
    let before = existing.as_ref().map(|e| e.value);
    if before == Some(t.value) {
        return Ok(false);
    }
    if let Some(old) = existing {
        target::Entity::delete_by_id(old.id).exec(txn).await?;
    }
    target::ActiveModel {
        id: Set(Uuid::now_v7()),
        unit_kind: Set(t.kind),
        unit_id: Set(t.unit_id.clone()),
        period: Set(t.period.clone()),
        metric: Set(t.metric),
        value: Set(t.value),
        learner_group: Set(LearnerGroup::key(t.group).to_string()),
        created_at: Set(now()),
    }
    .insert(txn)
    .await?;
    let mut id = format!("{}:{}:{}:{}", t.kind.as_str(), t.unit_id, t.period, t.metric.as_str());
    if let Some(group) = t.group {
        id = format!("{id}:{}", group.as_str());
    }
    audit::record(
        txn,
        &actor.label(),
        audit::Action::SetTarget,
        audit::Entity::Target,
        Some(id),
        json!({"before": before, "after": t.value}),
    )
    .await?;
    Ok(true)
}

/// Sets targets from a CSV or XLSX file with the columns unit_kind, unit, period, metric, value and,
/// optionally, group (empty or `all` for every learner): every row checked first, every bad row
/// listed, nothing written unless all are good. Returns how many targets changed.
pub async fn import(db: &DatabaseConnection, actor: &Actor, bytes: &[u8]) -> Result<u64> {
    actor.require_admin()?;
    let rows = table::read_uploaded(bytes).await?;
    // The five columns, by their place in `columns` below, and the optional group.
    const ALIASES: [(usize, &[&str]); 6] = [
        (0, &["unit kind"]),
        (1, &["unit"]),
        (2, &["period"]),
        (3, &["metric"]),
        (4, &["value"]),
        (5, &["group", "doi tuong", "learner group"]),
    ];
    let header = table::Header::map(&rows[0], &ALIASES);
    if !header.repeated.is_empty() {
        return Err(Error::Invalid(header.repeated));
    }
    let columns = [0, 1, 2, 3, 4, 5].map(|c| header.columns.get(&c).copied());
    if columns[..5].iter().any(Option::is_none) {
        return Err(Error::invalid("file", Text::TargetColumns));
    }
    let units = Units::load(db, actor).await?;
    let cell = |row: &[String], i: usize| columns[i].and_then(|c| row.get(c)).cloned().unwrap_or_default();
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let form = TargetForm {
            unit_kind: cell(row, 0),
            unit: cell(row, 1),
            period: cell(row, 2),
            metric: cell(row, 3),
            value: cell(row, 4),
            group: cell(row, 5),
        };
        match units.validate(&form) {
            Ok(t) => valid.push(t),
            Err(problems) => errors.extend(problems.into_iter().map(|p| RowError {
                line: index as u64 + 1,
                value: match p.field.as_str() {
                    "unit_kind" => form.unit_kind.clone(),
                    "unit" => form.unit.clone(),
                    "period" => form.period.clone(),
                    "metric" => form.metric.clone(),
                    "group" => form.group.clone(),
                    _ => form.value.clone(),
                },
                column: p.field,
                problem: p.problem,
            })),
        }
    }
    if !errors.is_empty() {
        return Err(Error::InvalidRows(errors));
    }
    let txn = crate::db::write(db).await?;
    let mut changed = 0;
    for t in valid {
        changed += upsert(&txn, actor, t).await? as u64;
    }
    txn.commit().await?;
    Ok(changed)
}

/// The targets of these units for a period label (a target for exactly that period, else the
/// campaign's) and a group key ('' = every learner), by unit id.
pub async fn for_units(
    db: &impl ConnectionTrait,
    kind: UnitKind,
    ids: &[String],
    period: &str,
    group: &str,
) -> Result<HashMap<String, Vec<target::Model>>> {
    let rows = target::Entity::find()
        .filter(target::Column::UnitKind.eq(kind))
        .filter(target::Column::Period.is_in([period.to_string(), String::new()]))
        .filter(target::Column::LearnerGroup.eq(group))
        .all(db)
        .await?;
    let wanted: std::collections::HashSet<&String> = ids.iter().collect();
    let mut chosen: HashMap<(String, TargetMetric), target::Model> = HashMap::new();
    for row in rows.into_iter().filter(|r| wanted.contains(&r.unit_id)) {
        let key = (row.unit_id.clone(), row.metric);
        // A target for the period itself wins over the campaign's.
        if chosen.get(&key).is_none_or(|c| c.period.is_empty() && !row.period.is_empty()) {
            chosen.insert(key, row);
        }
    }
    let mut by_unit: HashMap<String, Vec<target::Model>> = HashMap::new();
    for ((unit, _), row) in chosen {
        by_unit.entry(unit).or_default().push(row);
    }
    Ok(by_unit)
}

/// Each target against the row's figure, completion rate first.
pub fn statuses(targets: Option<&Vec<target::Model>>, row: &CompletionRow) -> Vec<TargetStatus> {
    let mut out: Vec<TargetStatus> =
        targets.into_iter().flatten().map(|t| TargetStatus::of(t.metric, t.value, row)).collect();
    out.sort_by_key(|s| TargetMetric::ALL.iter().position(|m| *m == s.metric));
    out
}

/// The completions a row still needs for its completion targets (rate, learners trained): the most any one needs.
pub fn needed(statuses: &[TargetStatus]) -> Option<i64> {
    statuses.iter().filter(|s| s.metric != TargetMetric::Enrolments).filter_map(|s| s.needed).max()
}

/// Every target, with the unit's name, for the admin page.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<TargetView>> {
    actor.require_admin()?;
    let names: HashMap<String, String> = commune::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code.to_string(), c.name))
        .chain(organisation::Entity::find().all(db).await?.into_iter().map(|o| (o.id.to_string(), o.name)))
        .chain(team::Entity::find().all(db).await?.into_iter().map(|t| (t.id.to_string(), t.name)))
        .collect();
    let mut rows: Vec<TargetView> = target::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| TargetView {
            unit_name: names.get(&t.unit_id).cloned().unwrap_or_else(|| t.unit_id.clone()),
            unit_kind: t.unit_kind,
            unit_id: t.unit_id,
            period: t.period,
            metric: t.metric,
            value: t.value,
            group: LearnerGroup::parse(&t.learner_group),
        })
        .collect();
    if actor.province_limit().is_some() {
        let units = Units::load(db, actor).await?;
        rows.retain(|t| units.resolve(t.unit_kind, &t.unit_id).is_some());
    }
    rows.sort_by_cached_key(|t| (t.unit_kind, fold(&t.unit_name), t.period.clone(), t.group, t.metric.as_str()));
    Ok(rows)
}
