//! The overview, read from the counters: its cost does not grow with learners or enrolments. The
//! country's lists its provinces; a province's, its communes.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::Result;
use crate::auth::Actor;
use crate::entity::{app_meta, commune, province, stat_counter, team};
use crate::i18n::{Lang, Text};
use crate::model::{Area, Completion, Overview, UnitFigures, UnitKind, rank_units};
use crate::service::statistics::dashboard::{self, DEFAULT_MIN_ENROLLED};

/// The overview of the area a request names (`province`: a code or `all`; else the deployment's
/// landing area). Organisers see the units of their scope in the table; the headline figures are
/// public aggregates.
pub async fn overview(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
    requested: Option<&str>,
    group: Option<&str>,
) -> Result<Overview> {
    let area = dashboard::area_for(db, actor, landing, requested, false).await?;
    let group = dashboard::group_key(group)?;
    let communes = match area {
        Area::Country => commune::Entity::find().all(db).await?,
        Area::Province(code) => commune::Entity::find().filter(commune::Column::ProvinceCode.eq(code)).all(db).await?,
    };
    let provinces = province::Entity::find().all(db).await?;
    let unit_kind = if area == Area::Country { UnitKind::Province } else { UnitKind::Commune };

    let counters: HashMap<(UnitKind, String), stat_counter::Model> = stat_counter::Entity::find()
        .filter(stat_counter::Column::UnitKind.is_in([UnitKind::Province, unit_kind]))
        .filter(stat_counter::Column::CourseId.eq(""))
        .filter(stat_counter::Column::Week.eq(0))
        .filter(stat_counter::Column::LearnerGroup.eq(group))
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
            rank: None,
        }
    };

    let scope = actor.organiser_scope();
    let (name, mut total) = match area {
        Area::Province(code) => {
            let name = provinces.iter().find(|p| p.code == code).map(|p| p.name.clone()).unwrap_or_default();
            (name.clone(), figures(UnitKind::Province, code.to_string(), name))
        }
        Area::Country => {
            (Lang::Vi.t(Text::WholeCountry).to_string(), figures(UnitKind::Province, String::new(), String::new()))
        }
    };
    let mut units: Vec<UnitFigures> = match area {
        Area::Country => {
            let seen: std::collections::HashSet<i32> = communes
                .iter()
                .filter(|c| scope.is_none_or(|s| s.communes.contains(&c.code)))
                .map(|c| c.province_code)
                .collect();
            provinces
                .iter()
                .filter(|p| seen.contains(&p.code))
                .map(|p| figures(UnitKind::Province, p.code.to_string(), p.name.clone()))
                .collect()
        }
        Area::Province(_) => communes
            .iter()
            .filter(|c| scope.is_none_or(|s| s.communes.contains(&c.code)))
            .map(|c| figures(UnitKind::Commune, c.code.to_string(), c.name.clone()))
            .collect(),
    };
    if area == Area::Country {
        // The country is the sum of its provinces.
        for p in &provinces {
            let f = figures(UnitKind::Province, p.code.to_string(), String::new());
            total.completion.enrolled += f.completion.enrolled;
            total.completion.completed += f.completion.completed;
            total.learners += f.learners;
        }
    }
    rank_units(&mut units, DEFAULT_MIN_ENROLLED);

    let mut teams = team::Entity::find().filter(team::Column::Active.eq(true));
    if let Area::Province(code) = area {
        teams = teams.filter(
            team::Column::CommuneCode.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(commune::Column::Code)
                    .from(commune::Entity)
                    .and_where(commune::Column::ProvinceCode.eq(code))
                    .to_owned(),
            ),
        );
    }
    let teams = teams.count(db).await? as i64;
    let demo = app_meta::Entity::find_by_id("demo".to_string()).one(db).await?.is_some();

    Ok(Overview {
        area,
        name,
        completion: total.completion,
        learners: total.learners,
        teams,
        unit_kind,
        units,
        min_enrolled: DEFAULT_MIN_ENROLLED,
        scoped: scope.is_some(),
        demo,
    })
}
