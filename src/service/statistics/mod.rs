//! Statistics counters: running totals per unit, per course and per ISO week, kept in the same
//! transaction as every change to a learner or an enrolment, so dashboards read a few hundred rows.
//!
//! Every change is expressed as "take away what the old row contributed, add what the new row
//! contributes" (`Deltas`). `recompute` derives the same totals from the raw rows with GROUP BY,
//! which is what `verify` and `rebuild` compare against and write.
pub mod dashboard;
pub mod figures;
pub mod overview;
pub mod report;
pub mod targets;

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, EntityTrait, QueryResult, Statement};
use uuid::Uuid;

use crate::Result;
use crate::entity::{commune, stat_counter};
use crate::model::{EnrolmentStatus, UnitKind};

/// Where a learner stands: the units their learners and enrolments count towards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub province: i32,
    pub commune: i32,
    pub organisation: Option<Uuid>,
    pub team: Option<Uuid>,
}

impl Placement {
    /// Looks up the commune's province.
    pub async fn of(
        db: &impl ConnectionTrait,
        commune: i32,
        organisation: Option<Uuid>,
        team: Option<Uuid>,
    ) -> Result<Placement> {
        let province = commune::Entity::find_by_id(commune)
            .one(db)
            .await?
            .ok_or_else(|| crate::Error::invalid("commune", crate::i18n::Text::UnknownCommune))?
            .province_code;
        Ok(Placement { province, commune, organisation, team })
    }

    /// The placement of a learner in `commune`, `organisation` and `team`, each commune's province
    /// looked up once per `provinces` (imports place thousands of learners in a few communes).
    pub async fn cached(
        db: &impl ConnectionTrait,
        provinces: &mut HashMap<i32, i32>,
        commune: i32,
        organisation: Option<Uuid>,
        team: Option<Uuid>,
    ) -> Result<Placement> {
        let province = match provinces.get(&commune) {
            Some(province) => *province,
            None => {
                let province = Placement::of(db, commune, None, None).await?.province;
                provinces.insert(commune, province);
                province
            }
        };
        Ok(Placement { province, commune, organisation, team })
    }

    fn units(&self) -> impl Iterator<Item = (UnitKind, UnitRef)> + '_ {
        [
            Some((UnitKind::Province, UnitRef::Code(self.province))),
            Some((UnitKind::Commune, UnitRef::Code(self.commune))),
            self.organisation.map(|id| (UnitKind::Organisation, UnitRef::Id(id))),
            self.team.map(|id| (UnitKind::Team, UnitRef::Id(id))),
        ]
        .into_iter()
        .flatten()
    }
}

/// A unit as `Deltas` gather it: a code or an id, made text only when written (an import of
/// 100,000 rows adds millions of changes to a few thousand counter rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum UnitRef {
    Code(i32),
    Id(Uuid),
}

impl UnitRef {
    fn text(self) -> String {
        match self {
            UnitRef::Code(code) => code.to_string(),
            UnitRef::Id(id) => id.to_string(),
        }
    }
}

/// A counter row's key while gathering: unit, course (None = all courses) and week.
type DeltaKey = (UnitKind, UnitRef, Option<Uuid>, i32);

/// One counter row's key. `course_id` is empty for all courses; `week` is 0 for all time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub course_id: String,
    pub week: i32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub enrolled: i64,
    pub completed: i64,
    pub learners: i64,
}

impl Tally {
    fn is_zero(&self) -> bool {
        *self == Tally::default()
    }
}

/// Changes to counters, gathered during a transaction and written once at its end. It also keeps
/// the placement of each learner whose enrolments it counted (None: not counted, inactive), so a
/// request that changes many enrolments reads each learner once; no writer that gathers deltas
/// moves a learner meanwhile.
#[derive(Debug, Default)]
pub struct Deltas(HashMap<DeltaKey, Tally>, HashMap<Uuid, Option<Placement>>);

impl Deltas {
    /// The placement counted for `learner` earlier in this transaction, if any.
    pub fn placement_of(&self, learner: Uuid) -> Option<&Option<Placement>> {
        self.1.get(&learner)
    }

    pub fn remember_placement(&mut self, learner: Uuid, placement: Option<Placement>) {
        self.1.insert(learner, placement);
    }

    fn add(&mut self, key: DeltaKey, tally: Tally) {
        let entry = self.0.entry(key).or_default();
        entry.enrolled += tally.enrolled;
        entry.completed += tally.completed;
        entry.learners += tally.learners;
    }

    /// `count` learners registered in `created_week` (negative to take them away).
    pub fn learner(&mut self, placement: &Placement, created_week: i32, count: i64) {
        let tally = Tally { learners: count, ..Tally::default() };
        for (kind, id) in placement.units() {
            self.add((kind, id, None, 0), tally);
            self.add((kind, id, None, created_week), tally);
        }
    }

    /// `count` enrolments in `course`, enrolled in `enrolled_week` and, if completed, completed in `completed_week`.
    pub fn enrolment(
        &mut self,
        placement: &Placement,
        course: Uuid,
        enrolled_week: i32,
        completed_week: Option<i32>,
        count: i64,
    ) {
        let enrolled = Tally { enrolled: count, ..Tally::default() };
        let completed = Tally { completed: count, ..Tally::default() };
        let units = placement.units().chain(std::iter::once((UnitKind::Course, UnitRef::Id(course))));
        for (kind, id) in units {
            // The course unit is already per course; other units keep an all-courses row and a per-course row.
            let courses: &[Option<Uuid>] = if kind == UnitKind::Course { &[None] } else { &[None, Some(course)] };
            for &course_id in courses {
                self.add((kind, id, course_id, 0), enrolled);
                self.add((kind, id, course_id, enrolled_week), enrolled);
                if let Some(week) = completed_week {
                    self.add((kind, id, course_id, 0), completed);
                    self.add((kind, id, course_id, week), completed);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(Tally::is_zero)
    }

    /// The changes by counter row, zero ones left out.
    fn into_counters(self) -> BTreeMap<CounterKey, Tally> {
        self.0
            .into_iter()
            .filter(|(_, tally)| !tally.is_zero())
            .map(|((unit_kind, unit, course, week), tally)| {
                let course_id = course.map(|c| c.to_string()).unwrap_or_default();
                (CounterKey { unit_kind, unit_id: unit.text(), course_id, week }, tally)
            })
            .collect()
    }

    /// Adds the deltas to the counter rows, creating the rows that do not exist yet.
    pub async fn apply(self, db: &impl ConnectionTrait) -> Result<()> {
        add_to_counters(db, self.into_counters()).await
    }
}

/// Adds `rows` to the counter rows, creating those that do not exist yet.
async fn add_to_counters(db: &impl ConnectionTrait, rows: BTreeMap<CounterKey, Tally>) -> Result<()> {
    let rows: Vec<_> = rows.into_iter().collect();
    // In key order (a BTreeMap): concurrent transactions then lock counter rows in the same
    // order and cannot deadlock one another on PostgreSQL.
    // 7 values a row; stay well under SQLite's limit of bound parameters.
    for chunk in rows.chunks(1000) {
        let mut insert = Query::insert();
        insert.into_table(stat_counter::Entity).columns([
            stat_counter::Column::UnitKind,
            stat_counter::Column::UnitId,
            stat_counter::Column::CourseId,
            stat_counter::Column::Week,
            stat_counter::Column::Enrolled,
            stat_counter::Column::Completed,
            stat_counter::Column::Learners,
        ]);
        for (key, tally) in chunk {
            insert.values_panic([
                key.unit_kind.into(),
                key.unit_id.clone().into(),
                key.course_id.clone().into(),
                key.week.into(),
                tally.enrolled.into(),
                tally.completed.into(),
                tally.learners.into(),
            ]);
        }
        let add_excluded = |column: stat_counter::Column| {
            (column, Expr::col((stat_counter::Entity, column)).add(Expr::col((Alias::new("excluded"), column))))
        };
        insert.on_conflict(
            OnConflict::columns([
                stat_counter::Column::UnitKind,
                stat_counter::Column::UnitId,
                stat_counter::Column::CourseId,
                stat_counter::Column::Week,
            ])
            .values([
                add_excluded(stat_counter::Column::Enrolled),
                add_excluded(stat_counter::Column::Completed),
                add_excluded(stat_counter::Column::Learners),
            ])
            .to_owned(),
        );
        db.execute(&insert).await?;
    }
    Ok(())
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    Ok(row.try_get::<T>("", column)?)
}

/// Every counter derived again from the raw learner and enrolment rows.
pub async fn recompute(db: &impl ConnectionTrait) -> Result<BTreeMap<CounterKey, Tally>> {
    let backend = db.get_database_backend();
    let mut deltas = Deltas::default();

    let learners = Statement::from_string(
        backend,
        "SELECT c.province_code AS province, l.commune_code AS commune, l.organisation_id AS organisation, \
         l.team_id AS team, l.created_week AS week, COUNT(*) AS n \
         FROM learner l JOIN commune c ON c.code = l.commune_code WHERE l.active = TRUE \
         GROUP BY c.province_code, l.commune_code, l.organisation_id, l.team_id, l.created_week",
    );
    for row in db.query_all_raw(learners).await? {
        let placement = Placement {
            province: get(&row, "province")?,
            commune: get(&row, "commune")?,
            organisation: get(&row, "organisation")?,
            team: get(&row, "team")?,
        };
        deltas.learner(&placement, get(&row, "week")?, get(&row, "n")?);
    }

    let enrolments = Statement::from_string(
        backend,
        format!(
            "SELECT c.province_code AS province, l.commune_code AS commune, l.organisation_id AS organisation, \
             l.team_id AS team, e.course_id AS course, e.enrolled_week AS enrolled_week, \
             CASE WHEN e.status = '{completed}' THEN e.completed_week END AS completed_week, COUNT(*) AS n \
             FROM enrolment e JOIN learner l ON l.id = e.learner_id JOIN commune c ON c.code = l.commune_code \
             WHERE l.active = TRUE \
             GROUP BY c.province_code, l.commune_code, l.organisation_id, l.team_id, e.course_id, e.enrolled_week, \
             CASE WHEN e.status = '{completed}' THEN e.completed_week END",
            completed = EnrolmentStatus::Completed.as_str()
        ),
    );
    for row in db.query_all_raw(enrolments).await? {
        let placement = Placement {
            province: get(&row, "province")?,
            commune: get(&row, "commune")?,
            organisation: get(&row, "organisation")?,
            team: get(&row, "team")?,
        };
        let course: Uuid = get(&row, "course")?;
        deltas.enrolment(
            &placement,
            course,
            get(&row, "enrolled_week")?,
            get(&row, "completed_week")?,
            get(&row, "n")?,
        );
    }

    Ok(deltas.into_counters())
}

/// The counters as stored, zero rows left out.
pub async fn stored(db: &impl ConnectionTrait) -> Result<BTreeMap<CounterKey, Tally>> {
    let rows = stat_counter::Entity::find().all(db).await?;
    let mut counters = BTreeMap::new();
    for row in rows {
        let tally = Tally { enrolled: row.enrolled, completed: row.completed, learners: row.learners };
        if tally.is_zero() {
            continue;
        }
        counters.insert(
            CounterKey { unit_kind: row.unit_kind, unit_id: row.unit_id, course_id: row.course_id, week: row.week },
            tally,
        );
    }
    Ok(counters)
}

/// A counter whose stored value differs from the recomputation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub key: CounterKey,
    pub stored: Tally,
    pub recomputed: Tally,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} course={} week={}: stored enrolled={} completed={} learners={}, recomputed enrolled={} completed={} learners={}",
            self.key.unit_kind.as_str(),
            self.key.unit_id,
            if self.key.course_id.is_empty() { "*" } else { &self.key.course_id },
            self.key.week,
            self.stored.enrolled,
            self.stored.completed,
            self.stored.learners,
            self.recomputed.enrolled,
            self.recomputed.completed,
            self.recomputed.learners,
        )
    }
}

/// Every counter that disagrees with the raw rows; empty when all is well.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Vec<Difference>> {
    let stored = stored(db).await?;
    let recomputed = recompute(db).await?;
    let keys: std::collections::BTreeSet<_> = stored.keys().chain(recomputed.keys()).cloned().collect();
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let stored = stored.get(&key).copied().unwrap_or_default();
            let recomputed = recomputed.get(&key).copied().unwrap_or_default();
            (stored != recomputed).then_some(Difference { key, stored, recomputed })
        })
        .collect())
}

/// Replaces every counter with the recomputation, in one transaction.
pub async fn rebuild(db: &sea_orm::DatabaseConnection) -> Result<()> {
    let txn = crate::db::write(db).await?;
    stat_counter::Entity::delete_many().exec(&txn).await?;
    add_to_counters(&txn, recompute(&txn).await?).await?;
    txn.commit().await?;
    Ok(())
}
