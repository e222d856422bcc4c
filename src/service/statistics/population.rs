//! Population figures per unit (province, commune, organisation), learner group and year, uploaded
//! by admins from CSV or XLSX (`unit_kind,unit,group,year,population`); the denominator of coverage.
use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::auth::Actor;
use crate::entity::population;
use crate::i18n::Text;
use crate::model::{LearnerGroup, PopulationView, RowError, UnitKind};
use crate::service::statistics::targets::Units;
use crate::service::{audit, imports::table, now};
use crate::{Error, Result};

/// The years a population may be given for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2020..=2100;

struct ValidPopulation {
    kind: UnitKind,
    unit_id: String,
    group: String,
    year: i32,
    population: i64,
}

/// One row checked: every problem as (column, problem).
fn check(units: &Units, cells: [&str; 5]) -> std::result::Result<ValidPopulation, Vec<(&'static str, Text)>> {
    let [kind, unit, group, year, value] = cells.map(str::trim);
    let mut problems = Vec::new();
    let kind =
        UnitKind::parse(kind).filter(|k| matches!(k, UnitKind::Province | UnitKind::Commune | UnitKind::Organisation));
    let unit_id = kind.and_then(|k| units.resolve(k, unit));
    if kind.is_none() {
        problems.push(("unit_kind", Text::PopulationUnitKind));
    } else if unit_id.is_none() {
        problems.push(("unit", Text::TargetUnitUnknown));
    }
    let group = LearnerGroup::parse_or_everyone(group).map(|g| LearnerGroup::key(g).to_string());
    if group.is_none() {
        problems.push(("group", Text::LearnerGroupUnknown));
    }
    let year = year.parse::<i32>().ok().filter(|y| YEARS.contains(y));
    if year.is_none() {
        problems.push(("year", Text::PopulationYear));
    }
    let population = value.replace(['.', ' ', ','], "").parse::<i64>().ok().filter(|p| *p > 0);
    if population.is_none() {
        problems.push(("population", Text::PopulationValue));
    }
    match (kind, unit_id, group, year, population) {
        (Some(kind), Some(unit_id), Some(group), Some(year), Some(population)) if problems.is_empty() => {
            Ok(ValidPopulation { kind, unit_id, group, year, population })
        }
        _ => Err(problems),
    }
}

/// Sets population figures from a file: every row checked first, every bad row listed, nothing
/// written unless all are good. Admins only; a province admin within their province. Returns how
/// many figures were set.
pub async fn import(db: &DatabaseConnection, actor: &Actor, bytes: &[u8]) -> Result<u64> {
    actor.require_admin()?;
    let rows = table::read_uploaded(bytes).await?;
    const ALIASES: [(usize, &[&str]); 5] = [
        (0, &["unit kind", "loai don vi"]),
        (1, &["unit", "don vi"]),
        (2, &["group", "doi tuong"]),
        (3, &["year", "nam"]),
        (4, &["population", "dan so", "so nguoi"]),
    ];
    let header = table::Header::map(&rows[0], &ALIASES);
    if !header.repeated.is_empty() {
        return Err(Error::Invalid(header.repeated));
    }
    let columns = [0, 1, 2, 3, 4].map(|c| header.columns.get(&c).copied());
    if columns.iter().any(Option::is_none) {
        return Err(Error::invalid("file", Text::PopulationColumns));
    }
    let units = Units::load(db, actor).await?;
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let cell = |i: usize| columns[i].and_then(|c| row.get(c)).map(String::as_str).unwrap_or_default();
        let cells = [cell(0), cell(1), cell(2), cell(3), cell(4)];
        match check(&units, cells) {
            Ok(p) => valid.push(p),
            Err(problems) => errors.extend(problems.into_iter().map(|(column, problem)| {
                let at = ["unit_kind", "unit", "group", "year", "population"].iter().position(|c| *c == column);
                RowError {
                    line: index as u64 + 1,
                    column: column.to_string(),
                    value: at.map(|i| cells[i].to_string()).unwrap_or_default(),
                    problem,
                }
            })),
        }
    }
    if !errors.is_empty() {
        return Err(Error::InvalidRows(errors));
    }
    let txn = crate::db::write(db).await?;
    let at = now();
    let count = valid.len() as u64;
    // Later rows for the same figure win; one statement a thousand rows (7 values each).
    let mut latest: HashMap<(UnitKind, String, String, i32), i64> = HashMap::new();
    for p in &valid {
        latest.insert((p.kind, p.unit_id.clone(), p.group.clone(), p.year), p.population);
    }
    let rows: Vec<population::ActiveModel> = latest
        .iter()
        .map(|((kind, unit, group, year), value)| population::ActiveModel {
            unit_kind: Set(*kind),
            unit_id: Set(unit.clone()),
            learner_group: Set(group.clone()),
            year: Set(*year),
            population: Set(*value),
            updated_by: Set(actor.label()),
            updated_at: Set(at),
        })
        .collect();
    for chunk in rows.chunks(1000) {
        population::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    population::Column::UnitKind,
                    population::Column::UnitId,
                    population::Column::LearnerGroup,
                    population::Column::Year,
                ])
                .update_columns([
                    population::Column::Population,
                    population::Column::UpdatedBy,
                    population::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::SetPopulation,
        audit::Entity::Population,
        None,
        json!({"rows": count, "figures": latest.len()}),
    )
    .await?;
    txn.commit().await?;
    Ok(latest.len() as u64)
}

/// The population of each unit for a group ('' = everyone): the figure of `year`, else of the
/// latest year before it.
pub async fn for_units(
    db: &impl ConnectionTrait,
    kind: UnitKind,
    ids: &[String],
    group: &str,
    year: i32,
) -> Result<HashMap<String, i64>> {
    if !matches!(kind, UnitKind::Province | UnitKind::Commune | UnitKind::Organisation) || ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found: HashMap<String, (i32, i64)> = HashMap::new();
    for chunk in ids.chunks(5000) {
        let rows = population::Entity::find()
            .filter(population::Column::UnitKind.eq(kind))
            .filter(population::Column::UnitId.is_in(chunk.iter().cloned()))
            .filter(population::Column::LearnerGroup.eq(group))
            .filter(population::Column::Year.lte(year))
            .all(db)
            .await?;
        for row in rows {
            let entry = found.entry(row.unit_id).or_insert((row.year, row.population));
            if row.year > entry.0 {
                *entry = (row.year, row.population);
            }
        }
    }
    Ok(found.into_iter().map(|(id, (_, value))| (id, value)).collect())
}

/// Every figure an admin may see (a province admin: their province's), for the page.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<PopulationView>> {
    actor.require_admin()?;
    let units = Units::load(db, actor).await?;
    let mut rows: Vec<PopulationView> = population::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|p| units.resolve(p.unit_kind, &p.unit_id).is_some())
        .map(|p| PopulationView {
            unit_kind: p.unit_kind,
            unit_id: p.unit_id,
            group: LearnerGroup::parse(&p.learner_group),
            year: p.year,
            population: p.population,
        })
        .collect();
    rows.sort_by(|a, b| (a.unit_kind, &a.unit_id, a.group, a.year).cmp(&(b.unit_kind, &b.unit_id, b.group, b.year)));
    Ok(rows)
}
