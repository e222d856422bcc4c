//! The province overview, read from the counters: its cost does not grow with learners or enrolments.
use std::cmp::Ordering;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::{Actor, Role};
use crate::entity::{app_meta, commune, province, stat_counter, team};
use crate::model::{Completion, Overview, UnitFigures, UnitKind};
use crate::{Error, Result};

/// Best completion rate first; ties broken by completions, then name. Units with no enrolment go last.
pub fn rank_order(a: &UnitFigures, b: &UnitFigures) -> Ordering {
    crate::model::rank_cmp((a.completion, &a.name), (b.completion, &b.name))
}

/// The overview of a province. Organisers see the communes of their scope in the table; the
/// province's headline figures are public aggregates.
pub async fn overview(db: &impl ConnectionTrait, province_code: i32, actor: &Actor) -> Result<Overview> {
    let province = province::Entity::find_by_id(province_code).one(db).await?.ok_or(Error::NotFound)?;
    let communes = commune::Entity::find().filter(commune::Column::ProvinceCode.eq(province_code)).all(db).await?;

    let counters: HashMap<(UnitKind, String), stat_counter::Model> = stat_counter::Entity::find()
        .filter(stat_counter::Column::UnitKind.is_in([UnitKind::Province, UnitKind::Commune]))
        .filter(stat_counter::Column::CourseId.eq(""))
        .filter(stat_counter::Column::Week.eq(0))
        .all(db)
        .await?
        .into_iter()
        .map(|row| ((row.unit_kind, row.unit_id.clone()), row))
        .collect();
    let figures = |kind: UnitKind, id: String, name: String| {
        let row = counters.get(&(kind, id.clone()));
        UnitFigures {
            completion: Completion {
                enrolled: row.map_or(0, |r| r.enrolled),
                completed: row.map_or(0, |r| r.completed),
            },
            learners: row.map_or(0, |r| r.learners),
            id,
            name,
        }
    };

    let total = figures(UnitKind::Province, province_code.to_string(), province.name.clone());
    let scope = match actor {
        Actor::Account(account) if account.role == Role::Organiser => Some(&account.scope),
        _ => None,
    };
    let mut commune_rows: Vec<UnitFigures> = communes
        .into_iter()
        .filter(|c| scope.is_none_or(|scope| scope.communes.contains(&c.code)))
        .map(|c| figures(UnitKind::Commune, c.code.to_string(), c.name))
        .collect();
    commune_rows.sort_by(rank_order);

    let teams = team::Entity::find()
        .filter(team::Column::Active.eq(true))
        .filter(
            team::Column::CommuneCode.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(commune::Column::Code)
                    .from(commune::Entity)
                    .and_where(commune::Column::ProvinceCode.eq(province_code))
                    .to_owned(),
            ),
        )
        .count(db)
        .await? as i64;
    let demo = app_meta::Entity::find_by_id("demo".to_string()).one(db).await?.is_some();

    Ok(Overview {
        province_code,
        province_name: province.name,
        completion: total.completion,
        learners: total.learners,
        teams,
        communes: commune_rows,
        scoped: scope.is_some(),
        demo,
    })
}
