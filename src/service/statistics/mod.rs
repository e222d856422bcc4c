//! Statistics counters: running totals per unit, per course and per ISO week, kept in the same
//! transaction as every change to a learner or an enrolment, so dashboards read a few hundred rows.
//!
//! Every change is expressed as "take away what the old row contributed, add what the new row
//! contributes" (`Deltas`). `recompute` derives the same totals from the raw rows with GROUP BY,
//! which is what `verify` and `rebuild` compare against and write.
pub mod dashboard;
pub mod figures;
pub mod overview;
pub mod population;
pub mod report;
pub mod scheduled;
pub mod signoff;
pub mod targets;

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult, Statement};
use uuid::Uuid;

use crate::Result;
use crate::entity::{commune, enrolment, learner, stat_counter};
use crate::model::{EnrolmentStatus, LearnerGroup, UnitKind};

/// Where a learner stands: the units their learners and enrolments count towards, and their group
/// (counted under '' and, when they have one, under it too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub province: i32,
    pub commune: i32,
    pub organisation: Option<Uuid>,
    pub team: Option<Uuid>,
    pub group: Option<LearnerGroup>,
}

impl Placement {
    /// Looks up the commune's province.
    pub async fn of(
        db: &impl ConnectionTrait,
        commune: i32,
        organisation: Option<Uuid>,
        team: Option<Uuid>,
        group: Option<LearnerGroup>,
    ) -> Result<Placement> {
        let province = commune::Entity::find_by_id(commune)
            .one(db)
            .await?
            .ok_or_else(|| crate::Error::invalid("commune", crate::i18n::Text::UnknownCommune))?
            .province_code;
        Ok(Placement { province, commune, organisation, team, group })
    }

    /// Where a learner row stands.
    pub async fn of_learner(db: &impl ConnectionTrait, learner: &learner::Model) -> Result<Placement> {
        Placement::of(db, learner.commune_code, learner.organisation_id, learner.team_id, learner.learner_group).await
    }

    /// The placement of a learner in `commune`, `organisation` and `team`, each commune's province
    /// looked up once per `provinces` (imports place thousands of learners in a few communes).
    pub async fn cached(
        db: &impl ConnectionTrait,
        provinces: &mut HashMap<i32, i32>,
        commune: i32,
        organisation: Option<Uuid>,
        team: Option<Uuid>,
        group: Option<LearnerGroup>,
    ) -> Result<Placement> {
        let province = match provinces.get(&commune) {
            Some(province) => *province,
            None => {
                let province = Placement::of(db, commune, None, None, None).await?.province;
                provinces.insert(commune, province);
                province
            }
        };
        Ok(Placement { province, commune, organisation, team, group })
    }

    /// The group keys a learner counts under: every learner (''), and their group's.
    fn groups(&self) -> impl Iterator<Item = Option<LearnerGroup>> + '_ {
        std::iter::once(None).chain(self.group.map(Some))
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

/// A counter row's key while gathering: unit, course (None = all courses), week and group (None = all).
type DeltaKey = (UnitKind, UnitRef, Option<Uuid>, i32, Option<LearnerGroup>);

/// One counter row's key. `course_id` is empty for all courses; `week` is 0 for all time;
/// `learner_group` is empty for every learner.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub course_id: String,
    pub week: i32,
    pub learner_group: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub enrolled: i64,
    pub completed: i64,
    pub learners: i64,
    pub trained: i64,
}

impl Tally {
    fn is_zero(&self) -> bool {
        *self == Tally::default()
    }
}

/// Changes to counters, gathered during a transaction and written once at its end. It also keeps
/// the placement of each learner whose enrolments it counted (None: not counted, inactive), so a
/// request that changes many enrolments reads each learner once; no writer that gathers deltas
/// moves a learner meanwhile. The learners whose completions changed have their first completion
/// week (and so `trained`) settled when the deltas are applied, from the rows as they are then.
#[derive(Debug, Default)]
pub struct Deltas {
    counters: HashMap<DeltaKey, Tally>,
    /// Each learner's placement as counted in this transaction (None: inactive, not counted).
    placements: HashMap<Uuid, Option<Placement>>,
    /// The learners whose completions changed, with their placement, to settle `trained` for.
    completions_changed: HashMap<Uuid, Option<Placement>>,
}

impl Deltas {
    /// The placement counted for `learner` earlier in this transaction, if any.
    pub fn placement_of(&self, learner: Uuid) -> Option<&Option<Placement>> {
        self.placements.get(&learner)
    }

    pub fn remember_placement(&mut self, learner: Uuid, placement: Option<Placement>) {
        self.placements.insert(learner, placement);
    }

    fn add(&mut self, key: DeltaKey, tally: Tally) {
        let entry = self.counters.entry(key).or_default();
        entry.enrolled += tally.enrolled;
        entry.completed += tally.completed;
        entry.learners += tally.learners;
        entry.trained += tally.trained;
    }

    /// Adds `tally` to a unit's all-time row and its row of `week`, under every group key of `placement`.
    fn add_to(
        &mut self,
        placement: &Placement,
        kind: UnitKind,
        id: UnitRef,
        course: Option<Uuid>,
        week: i32,
        tally: Tally,
    ) {
        for group in placement.groups() {
            self.add((kind, id, course, 0, group), tally);
            self.add((kind, id, course, week, group), tally);
        }
    }

    /// `count` learners registered in `created_week` (negative to take them away).
    pub fn learner(&mut self, placement: &Placement, created_week: i32, count: i64) {
        let tally = Tally { learners: count, ..Tally::default() };
        for (kind, id) in placement.units() {
            self.add_to(placement, kind, id, None, created_week, tally);
        }
    }

    /// `count` learners trained (a first course completed) in `week` (negative to take them away).
    pub fn trained(&mut self, placement: &Placement, week: i32, count: i64) {
        let tally = Tally { trained: count, ..Tally::default() };
        for (kind, id) in placement.units() {
            self.add_to(placement, kind, id, None, week, tally);
        }
    }

    /// `count` enrolments of `learner` in `course`, enrolled in `enrolled_week` and, if completed,
    /// completed in `completed_week`.
    pub fn enrolment(
        &mut self,
        learner: Uuid,
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
                self.add_to(placement, kind, id, course_id, enrolled_week, enrolled);
                if let Some(week) = completed_week {
                    self.add_to(placement, kind, id, course_id, week, completed);
                }
            }
        }
        if completed_week.is_some() {
            self.completions_changed(learner, Some(placement.clone()));
        }
    }

    /// For bulk seeding (the benchmark) that writes each learner's first completion week with them
    /// and counts it (`trained`) itself: nothing is left to settle.
    pub fn assume_settled(&mut self) {
        self.completions_changed.clear();
    }

    /// `learner`'s completions changed: their first completion week is settled when applied. An
    /// inactive learner (no placement) counts nowhere, but keeps the week right for when they return.
    pub fn completions_changed(&mut self, learner: Uuid, placement: Option<Placement>) {
        self.completions_changed.insert(learner, placement);
    }

    pub fn is_empty(&self) -> bool {
        self.counters.values().all(Tally::is_zero)
    }

    /// The changes by counter row, zero ones left out.
    fn into_counters(self) -> BTreeMap<CounterKey, Tally> {
        self.counters
            .into_iter()
            .filter(|(_, tally)| !tally.is_zero())
            .map(|((unit_kind, unit, course, week, group), tally)| {
                let course_id = course.map(|c| c.to_string()).unwrap_or_default();
                let learner_group = LearnerGroup::key(group).to_string();
                (CounterKey { unit_kind, unit_id: unit.text(), course_id, week, learner_group }, tally)
            })
            .collect()
    }

    /// Adds the deltas to the counter rows, creating the rows that do not exist yet; first settles
    /// the first completion week of every learner whose completions changed.
    pub async fn apply(mut self, db: &impl ConnectionTrait) -> Result<()> {
        self.settle_trained(db).await?;
        add_to_counters(db, self.into_counters()).await
    }

    /// Reads, for the learners whose completions changed, their first completion week as the rows
    /// now say and as the learner row says; where they differ, moves `trained` from the old week to
    /// the new and writes the new week on the learner.
    async fn settle_trained(&mut self, db: &impl ConnectionTrait) -> Result<()> {
        use sea_orm::QuerySelect;
        let touched: Vec<(Uuid, Option<Placement>)> =
            std::mem::take(&mut self.completions_changed).into_iter().collect();
        for chunk in touched.chunks(1000) {
            let ids: Vec<Uuid> = chunk.iter().map(|(id, _)| *id).collect();
            let stored: HashMap<Uuid, Option<i32>> = learner::Entity::find()
                .select_only()
                .columns([learner::Column::Id, learner::Column::TrainedWeek])
                .filter(learner::Column::Id.is_in(ids.clone()))
                .into_tuple::<(Uuid, Option<i32>)>()
                .all(db)
                .await?
                .into_iter()
                .collect();
            let first: HashMap<Uuid, i32> = first_completion_weeks(db, &ids).await?;
            // The learners whose week moved, written by one statement (not one a week: at country size
            // a chunk's learners have dozens of different weeks).
            let mut moved: Vec<(Uuid, Option<i32>)> = Vec::new();
            for (id, placement) in chunk {
                let (was, now) = (stored.get(id).copied().flatten(), first.get(id).copied());
                if was == now {
                    continue;
                }
                if let (Some(week), Some(placement)) = (was, placement) {
                    self.trained(placement, week, -1);
                }
                if let (Some(week), Some(placement)) = (now, placement) {
                    self.trained(placement, week, 1);
                }
                moved.push((*id, now));
            }
            set_trained_weeks(db, &moved).await?;
        }
        Ok(())
    }
}

/// Writes each learner's first completion week (None: no course completed), one statement for all.
async fn set_trained_weeks(db: &impl ConnectionTrait, moved: &[(Uuid, Option<i32>)]) -> Result<()> {
    if moved.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(moved.len() * 2);
    let mut tuples = Vec::with_capacity(moved.len());
    for (id, week) in moved {
        tuples.push(crate::db::values_tuple(backend, values.len() + 1, 2));
        values.extend([(*id).into(), (*week).into()]);
    }
    // A named VALUES list joined by id, as `enrolments::update_many` writes (SQLite ≥ 3.39 and PostgreSQL).
    let sql = format!(
        "WITH v(id, trained_week) AS (VALUES {}) UPDATE learner SET trained_week = v.trained_week \
         FROM v WHERE learner.id = v.id",
        tuples.join(", ")
    );
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

/// The week of each learner's first completed course, for those who have one.
async fn first_completion_weeks(db: &impl ConnectionTrait, learners: &[Uuid]) -> Result<HashMap<Uuid, i32>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(Uuid, Option<i32>)> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::LearnerId)
        .column_as(enrolment::Column::CompletedWeek.min(), "first")
        .filter(enrolment::Column::LearnerId.is_in(learners.iter().copied()))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Completed))
        .group_by(enrolment::Column::LearnerId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(id, week)| week.map(|w| (id, w))).collect())
}

/// Adds `rows` to the counter rows, creating those that do not exist yet.
async fn add_to_counters(db: &impl ConnectionTrait, rows: BTreeMap<CounterKey, Tally>) -> Result<()> {
    let rows: Vec<_> = rows.into_iter().collect();
    // In key order (a BTreeMap): concurrent transactions then lock counter rows in the same
    // order and cannot deadlock one another on PostgreSQL.
    // 9 values a row; stay well under SQLite's limit of bound parameters.
    for chunk in rows.chunks(1000) {
        let mut insert = Query::insert();
        insert.into_table(stat_counter::Entity).columns([
            stat_counter::Column::UnitKind,
            stat_counter::Column::UnitId,
            stat_counter::Column::CourseId,
            stat_counter::Column::Week,
            stat_counter::Column::LearnerGroup,
            stat_counter::Column::Enrolled,
            stat_counter::Column::Completed,
            stat_counter::Column::Learners,
            stat_counter::Column::Trained,
        ]);
        for (key, tally) in chunk {
            insert.values_panic([
                key.unit_kind.into(),
                key.unit_id.clone().into(),
                key.course_id.clone().into(),
                key.week.into(),
                key.learner_group.clone().into(),
                tally.enrolled.into(),
                tally.completed.into(),
                tally.learners.into(),
                tally.trained.into(),
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
                stat_counter::Column::LearnerGroup,
            ])
            .values([
                add_excluded(stat_counter::Column::Enrolled),
                add_excluded(stat_counter::Column::Completed),
                add_excluded(stat_counter::Column::Learners),
                add_excluded(stat_counter::Column::Trained),
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

/// A placement as a recomputation's row names it.
fn placement_of_row(row: &QueryResult) -> Result<Placement> {
    let group: Option<String> = get(row, "learner_group")?;
    Ok(Placement {
        province: get(row, "province")?,
        commune: get(row, "commune")?,
        organisation: get(row, "organisation")?,
        team: get(row, "team")?,
        group: group.as_deref().and_then(LearnerGroup::parse),
    })
}

/// Every counter derived again from the raw learner and enrolment rows.
pub async fn recompute(db: &impl ConnectionTrait) -> Result<BTreeMap<CounterKey, Tally>> {
    let backend = db.get_database_backend();
    let mut deltas = Deltas::default();
    let placement = "c.province_code AS province, l.commune_code AS commune, l.organisation_id AS organisation, \
                     l.team_id AS team, l.learner_group AS learner_group";
    let group_by = "c.province_code, l.commune_code, l.organisation_id, l.team_id, l.learner_group";

    let learners = Statement::from_string(
        backend,
        format!(
            "SELECT {placement}, l.created_week AS week, COUNT(*) AS n \
             FROM learner l JOIN commune c ON c.code = l.commune_code WHERE l.active = TRUE \
             GROUP BY {group_by}, l.created_week"
        ),
    );
    for row in db.query_all_raw(learners).await? {
        deltas.learner(&placement_of_row(&row)?, get(&row, "week")?, get(&row, "n")?);
    }

    let completed = EnrolmentStatus::Completed.as_str();
    let enrolments = Statement::from_string(
        backend,
        format!(
            "SELECT {placement}, e.course_id AS course, e.enrolled_week AS enrolled_week, \
             CASE WHEN e.status = '{completed}' THEN e.completed_week END AS completed_week, COUNT(*) AS n \
             FROM enrolment e JOIN learner l ON l.id = e.learner_id JOIN commune c ON c.code = l.commune_code \
             WHERE l.active = TRUE \
             GROUP BY {group_by}, e.course_id, e.enrolled_week, \
             CASE WHEN e.status = '{completed}' THEN e.completed_week END"
        ),
    );
    for row in db.query_all_raw(enrolments).await? {
        let course: Uuid = get(&row, "course")?;
        let counted = (get(&row, "enrolled_week")?, get(&row, "completed_week")?, get(&row, "n")?);
        // The learner is a grouping key here, not one learner: nothing to settle (Uuid::nil is not remembered).
        let (enrolled_week, completed_week, n) = counted;
        deltas.enrolment(Uuid::nil(), &placement_of_row(&row)?, course, enrolled_week, completed_week, n);
    }
    deltas.assume_settled();

    // Trained: each active learner once, in the week of their first completed course.
    let trained = Statement::from_string(
        backend,
        format!(
            "SELECT {placement}, t.first AS week, COUNT(*) AS n \
             FROM (SELECT learner_id, MIN(completed_week) AS first FROM enrolment WHERE status = '{completed}' \
                   GROUP BY learner_id) t \
             JOIN learner l ON l.id = t.learner_id JOIN commune c ON c.code = l.commune_code \
             WHERE l.active = TRUE GROUP BY {group_by}, t.first"
        ),
    );
    for row in db.query_all_raw(trained).await? {
        deltas.trained(&placement_of_row(&row)?, get(&row, "week")?, get(&row, "n")?);
    }

    Ok(deltas.into_counters())
}

/// The counters as stored, zero rows left out.
pub async fn stored(db: &impl ConnectionTrait) -> Result<BTreeMap<CounterKey, Tally>> {
    let rows = stat_counter::Entity::find().all(db).await?;
    let mut counters = BTreeMap::new();
    for row in rows {
        let tally =
            Tally { enrolled: row.enrolled, completed: row.completed, learners: row.learners, trained: row.trained };
        if tally.is_zero() {
            continue;
        }
        let key = CounterKey {
            unit_kind: row.unit_kind,
            unit_id: row.unit_id,
            course_id: row.course_id,
            week: row.week,
            learner_group: row.learner_group,
        };
        counters.insert(key, tally);
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
            "{} {} course={} week={} group={}: stored enrolled={} completed={} learners={} trained={}, \
             recomputed enrolled={} completed={} learners={} trained={}",
            self.key.unit_kind.as_str(),
            self.key.unit_id,
            if self.key.course_id.is_empty() { "*" } else { &self.key.course_id },
            self.key.week,
            if self.key.learner_group.is_empty() { "*" } else { &self.key.learner_group },
            self.stored.enrolled,
            self.stored.completed,
            self.stored.learners,
            self.stored.trained,
            self.recomputed.enrolled,
            self.recomputed.completed,
            self.recomputed.learners,
            self.recomputed.trained,
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
