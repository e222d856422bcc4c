//! Dashboards and leaderboards, read from the statistics counters only: each query reads counter rows
//! (units × weeks × courses), never learners or enrolments, so a page costs the same at 7,678
//! enrolments as at 7 million. Admins and `read-stats` tokens see the province; organisers their scope.
use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::{Actor, TokenScope};
use crate::entity::{commune, course, organisation, province, stat_counter, team};
use crate::i18n::{Lang, Text};
use crate::model::{
    Area, Completion, CompletionRow, CompletionTable, DashboardFilter, GroupFigures, Leaderboard, LeaderboardRow,
    LearnerGroup, UnitKind, WeekPoint,
};
use crate::service::statistics::{population, targets};
use crate::text::fold;
use crate::week::{IsoWeek, Period};
use crate::{Error, Result};

pub use crate::model::DEFAULT_MIN_ENROLLED;
/// How many weeks the trend shows, ending with the period's last week.
pub const TREND_WEEKS: usize = 26;

/// A unit as dashboards name it.
#[derive(Clone, Debug)]
pub struct Unit {
    pub kind: UnitKind,
    pub id: String,
    pub name: String,
}

/// What the actor may see, and the filter's place, course and period, checked.
struct View {
    area: Area,
    /// The learner group's code, or '' for every learner.
    group: &'static str,
    /// The province's name; empty for the country.
    area_name: String,
    by: UnitKind,
    course_id: String,
    period: Option<Period>,
    /// The units whose counters add up to the whole of what is shown (the province, a commune, an
    /// organisation, or an organiser's communes and organisations).
    context: Vec<(UnitKind, String)>,
    rows: Vec<Unit>,
    /// The rows are every unit of their kind in the country (an unfiltered country view).
    whole_country: bool,
}

fn invalid(field: &str, problem: Text) -> Error {
    Error::invalid(field, problem)
}

/// The communes and organisations an organiser may see; None for admins and statistics tokens.
fn scope_of(actor: &Actor) -> Result<Option<(HashSet<i32>, HashSet<Uuid>)>> {
    actor.require_account_or_token(TokenScope::ReadStats)?;
    Ok(actor
        .organiser_scope()
        .map(|scope| (scope.communes.iter().copied().collect(), scope.organisations.iter().copied().collect())))
}

/// The area a request shows: its `province` (`all` = the country), else the deployment's landing
/// area; a view by province without one is the country. A province admin sees their province only:
/// the country is their province for them, any other province does not exist (404).
pub async fn area_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
    requested: Option<&str>,
    by_province: bool,
) -> Result<Area> {
    let requested = requested.map(str::trim).filter(|p| !p.is_empty());
    let area = match requested {
        None if by_province => Area::Country,
        None => landing,
        Some(p) if p.eq_ignore_ascii_case("all") => Area::Country,
        Some(p) => {
            let code: i32 = p.parse().map_err(|_| invalid("province", Text::UnknownProvince))?;
            province::Entity::find_by_id(code).one(db).await?.ok_or(Error::NotFound)?;
            Area::Province(code)
        }
    };
    match (actor.province_limit(), area) {
        (None, area) => Ok(area),
        // A province admin lands on their province, wherever the deployment lands.
        (Some(own), _) if requested.is_none() => Ok(Area::Province(own)),
        (Some(own), Area::Country) => Ok(Area::Province(own)),
        (Some(own), Area::Province(code)) if code == own => Ok(area),
        (Some(_), Area::Province(_)) => Err(Error::NotFound),
    }
}

/// The counters' key of the group a request names (a code or a label): '' for every learner.
pub fn group_key(group: Option<&str>) -> Result<&'static str> {
    match group.map(str::trim).filter(|g| !g.is_empty()) {
        None => Ok(""),
        Some(g) => Ok(LearnerGroup::parse(g).ok_or_else(|| invalid("group", Text::LearnerGroupUnknown))?.as_str()),
    }
}

/// The period a filter names: `period`, else `from`/`to` dates; None for all time.
pub fn period_of(filter: &DashboardFilter) -> Result<Option<Period>> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    if let Some(p) = text(&filter.period) {
        return Period::parse(&p).map(Some).ok_or_else(|| invalid("period", Text::PeriodInvalid));
    }
    let date = |field: &str, v: Option<String>| -> Result<Option<chrono::NaiveDate>> {
        v.map(|v| crate::week::parse_date(&v).ok_or_else(|| invalid(field, Text::PeriodInvalid))).transpose()
    };
    match (date("from", text(&filter.from))?, date("to", text(&filter.to))?) {
        (None, None) => Ok(None),
        (from, to) => {
            let first_year = *crate::week::YEARS.start();
            let from = from.unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(first_year, 1, 1).expect("a date"));
            let to = to.unwrap_or_else(crate::week::vietnam_today);
            Period::between(from, to).map(Some).ok_or_else(|| invalid("to", Text::PeriodInvalid))
        }
    }
}

async fn view(db: &impl ConnectionTrait, actor: &Actor, landing: Area, filter: &DashboardFilter) -> Result<View> {
    let scope = scope_of(actor)?;
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let by = match text(&filter.by).as_deref() {
        None => UnitKind::Commune,
        Some(b) => UnitKind::parse(b).ok_or_else(|| invalid("by", Text::InvalidInput))?,
    };
    let area = area_for(db, actor, landing, filter.province.as_deref(), by == UnitKind::Province).await?;
    let course_id = match text(&filter.course) {
        None => String::new(),
        Some(code) => course::Entity::find()
            .filter(match code.parse::<Uuid>() {
                Ok(id) => course::Column::Id.eq(id),
                Err(_) => course::Column::Code.eq(code.to_uppercase()),
            })
            .one(db)
            .await?
            .ok_or_else(|| invalid("course", Text::UnknownCourse))?
            .id
            .to_string(),
    };
    let period = period_of(filter)?;

    let mut communes = commune::Entity::find();
    if let Some(code) = area.province() {
        communes = communes.filter(commune::Column::ProvinceCode.eq(code));
    }
    let communes = communes.all(db).await?;
    let in_area: HashSet<i32> = communes.iter().map(|c| c.code).collect();
    // Only this area's units: a country-wide database holds every province's.
    let codes: Vec<i32> = in_area.iter().copied().collect();
    // Organisations and teams only when the view needs them (a province has ~600 and ~1,500).
    let needs_organisations = by == UnitKind::Organisation
        || text(&filter.organisation).is_some()
        || scope.as_ref().is_some_and(|(_, orgs)| !orgs.is_empty());
    let organisations = if needs_organisations {
        organisation::Entity::find()
            .filter(organisation::Column::Active.eq(true))
            .filter(organisation::Column::CommuneCode.is_in(codes.clone()))
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    let teams = if by == UnitKind::Team {
        team::Entity::find()
            .filter(team::Column::Active.eq(true))
            .filter(team::Column::CommuneCode.is_in(codes))
            .all(db)
            .await?
    } else {
        Vec::new()
    };

    // The place filter, checked against the scope (outside it is as if it did not exist).
    let sees_commune = |code: i32| scope.as_ref().is_none_or(|(c, _)| c.contains(&code));
    let sees_place = |code: i32, org: Option<Uuid>| {
        scope.as_ref().is_none_or(|(c, o)| c.contains(&code) || org.is_some_and(|id| o.contains(&id)))
    };
    let commune_filter = match text(&filter.commune) {
        None => None,
        Some(c) => {
            let code: i32 = c.parse().map_err(|_| invalid("commune", Text::UnknownCommune))?;
            if !in_area.contains(&code) || !sees_commune(code) {
                return Err(Error::NotFound);
            }
            Some(code)
        }
    };
    let organisation_filter = match text(&filter.organisation) {
        None => None,
        Some(o) => {
            let id: Uuid = o.parse().map_err(|_| Error::NotFound)?;
            let org = organisations.iter().find(|x| x.id == id).ok_or(Error::NotFound)?;
            if !sees_place(org.commune_code, Some(org.id)) || commune_filter.is_some_and(|c| c != org.commune_code) {
                return Err(Error::NotFound);
            }
            Some(org.clone())
        }
    };

    let context = match (&organisation_filter, commune_filter, &scope) {
        (Some(org), _, _) => vec![(UnitKind::Organisation, org.id.to_string())],
        (None, Some(code), _) => vec![(UnitKind::Commune, code.to_string())],
        (None, None, None) => match area {
            Area::Province(code) => vec![(UnitKind::Province, code.to_string())],
            // The country is the sum of its provinces.
            Area::Country => {
                let mut codes: Vec<i32> = communes.iter().map(|c| c.province_code).collect();
                codes.sort_unstable();
                codes.dedup();
                codes.into_iter().map(|p| (UnitKind::Province, p.to_string())).collect()
            }
        },
        (None, None, Some((scope_communes, scope_orgs))) => {
            let mut units: Vec<(UnitKind, String)> = communes
                .iter()
                .filter(|c| scope_communes.contains(&c.code))
                .map(|c| (UnitKind::Commune, c.code.to_string()))
                .collect();
            // An organisation counts on its own only when its commune is not already in.
            units.extend(
                organisations
                    .iter()
                    .filter(|o| scope_orgs.contains(&o.id) && !scope_communes.contains(&o.commune_code))
                    .map(|o| (UnitKind::Organisation, o.id.to_string())),
            );
            units
        }
    };

    let place_ok = |code: i32, org: Option<Uuid>| {
        sees_place(code, org)
            && commune_filter.is_none_or(|c| c == code)
            && organisation_filter.as_ref().is_none_or(|o| org == Some(o.id))
    };
    let unit = |kind, id: String, name: String| Unit { kind, id, name };
    let mut rows: Vec<Unit> = match by {
        UnitKind::Commune => communes
            .iter()
            .filter(|c| {
                sees_commune(c.code)
                    && commune_filter.is_none_or(|f| f == c.code)
                    && organisation_filter.as_ref().is_none_or(|o| o.commune_code == c.code)
            })
            .map(|c| unit(UnitKind::Commune, c.code.to_string(), c.name.clone()))
            .collect(),
        UnitKind::Organisation => organisations
            .iter()
            .filter(|o| place_ok(o.commune_code, Some(o.id)))
            .map(|o| unit(UnitKind::Organisation, o.id.to_string(), o.name.clone()))
            .collect(),
        UnitKind::Team => teams
            .iter()
            .filter(|t| place_ok(t.commune_code, t.organisation_id))
            .map(|t| unit(UnitKind::Team, t.id.to_string(), t.name.clone()))
            .collect(),
        UnitKind::Course => course::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .filter(|c| course_id.is_empty() || c.id.to_string() == course_id)
            .map(|c| unit(UnitKind::Course, c.id.to_string(), format!("{} · {}", c.code, c.title)))
            .collect(),
        UnitKind::Province => {
            // Provinces in the area holding some of what the actor sees (a filter narrows them to its place's).
            let seen: HashSet<i32> = communes
                .iter()
                .filter(|c| {
                    commune_filter.is_none_or(|f| f == c.code)
                        && organisation_filter.as_ref().is_none_or(|o| o.commune_code == c.code)
                        && (sees_commune(c.code)
                            || organisations.iter().any(|o| o.commune_code == c.code && sees_place(c.code, Some(o.id))))
                })
                .map(|c| c.province_code)
                .collect();
            province::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .filter(|p| seen.contains(&p.code))
                .map(|p| unit(UnitKind::Province, p.code.to_string(), p.name))
                .collect()
        }
    };
    // Folded once each: the country's 3,321 communes would be folded at every comparison.
    rows.sort_by_cached_key(|u| fold(&u.name));
    let area_name = match area {
        Area::Country => String::new(),
        Area::Province(code) => province::Entity::find_by_id(code).one(db).await?.map(|p| p.name).unwrap_or_default(),
    };
    let group = group_key(filter.group.as_deref())?;
    let whole_country =
        area == Area::Country && scope.is_none() && commune_filter.is_none() && organisation_filter.is_none();
    Ok(View { area, group, area_name, by, course_id, period, context, rows, whole_country })
}

/// Counter rows of some units (all of `kind` when `ids` is None) for one course ('' = all), up to a
/// week: the all-time rows (week 0) when there is no period, else the weekly rows up to its last week.
async fn counters(
    db: &impl ConnectionTrait,
    kind: UnitKind,
    ids: Option<Vec<String>>,
    course_id: Option<&str>,
    up_to: Option<i32>,
    group: &str,
) -> Result<Vec<stat_counter::Model>> {
    let mut query = stat_counter::Entity::find()
        .filter(stat_counter::Column::UnitKind.eq(kind))
        .filter(stat_counter::Column::LearnerGroup.eq(group));
    if let Some(ids) = ids {
        query = query.filter(stat_counter::Column::UnitId.is_in(ids));
    }
    query = match course_id {
        Some(c) => query.filter(stat_counter::Column::CourseId.eq(c)),
        None => query.filter(stat_counter::Column::CourseId.ne("")),
    };
    query = match up_to {
        // A literal, not a bound value: a prepared statement's generic plan can then use the index
        // of all-time rows (idx_stat_counter_all_time, WHERE week = 0).
        None => query.filter(sea_orm::sea_query::ExprTrait::eq(
            Expr::col((stat_counter::Entity, stat_counter::Column::Week)),
            Expr::cust("0"),
        )),
        Some(last) => query.filter(stat_counter::Column::Week.gt(0)).filter(stat_counter::Column::Week.lte(last)),
    };
    Ok(query.all(db).await?)
}

/// Counter rows of some units for one course: the all-time rows (week 0) without a period; with one,
/// a row per unit for everything before the period (dated the week before it) and the period's weekly
/// rows. The rows before are the all-time row less the weekly rows from the period's first week on,
/// so a recent period reads few rows however long the campaign has run.
async fn unit_counters(
    db: &impl ConnectionTrait,
    kind: UnitKind,
    ids: Vec<String>,
    course_id: &str,
    period: Option<Period>,
    group: &str,
) -> Result<Vec<stat_counter::Model>> {
    let Some(period) = period else { return counters(db, kind, Some(ids), Some(course_id), None, group).await };
    let rows = stat_counter::Entity::find()
        .filter(stat_counter::Column::UnitKind.eq(kind))
        .filter(stat_counter::Column::LearnerGroup.eq(group))
        .filter(stat_counter::Column::UnitId.is_in(ids))
        .filter(stat_counter::Column::CourseId.eq(course_id))
        .filter(
            sea_orm::Condition::any()
                .add(stat_counter::Column::Week.eq(0))
                .add(stat_counter::Column::Week.gte(period.first.0)),
        )
        .all(db)
        .await?;
    let before_week = period.first.previous().0;
    let mut before: BTreeMap<String, stat_counter::Model> = BTreeMap::new();
    let mut inside = Vec::new();
    for row in rows {
        let entry = before.entry(row.unit_id.clone()).or_insert_with(|| stat_counter::Model {
            week: before_week,
            enrolled: 0,
            completed: 0,
            learners: 0,
            trained: 0,
            ..row.clone()
        });
        let sign = if row.week == 0 { 1 } else { -1 };
        entry.enrolled += sign * row.enrolled;
        entry.completed += sign * row.completed;
        entry.learners += sign * row.learners;
        entry.trained += sign * row.trained;
        if period.contains(row.week) {
            inside.push(row);
        }
    }
    Ok(before.into_values().chain(inside).collect())
}

/// Cumulative and in-period figures, summed from counter rows.
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    to_date: Completion,
    learners: i64,
    trained: i64,
    new_enrolled: i64,
    new_completed: i64,
}

impl Sums {
    fn add(&mut self, row: &stat_counter::Model, period: Option<Period>) {
        self.to_date.enrolled += row.enrolled;
        self.to_date.completed += row.completed;
        self.learners += row.learners;
        self.trained += row.trained;
        if period.is_some_and(|p| p.contains(row.week)) {
            self.new_enrolled += row.enrolled;
            self.new_completed += row.completed;
        }
    }

    fn row(self, id: String, name: String) -> CompletionRow {
        CompletionRow {
            id,
            name,
            completion: self.to_date,
            learners: self.learners,
            new_enrolled: self.new_enrolled,
            new_completed: self.new_completed,
            trained: self.trained,
            population: None,
            targets: Vec::new(),
            needed: None,
        }
    }

    /// The row for one course: everyone who completed it is trained in it (per-course counter rows keep no `trained`).
    fn course_row(mut self, id: String, name: String) -> CompletionRow {
        self.trained = self.to_date.completed;
        self.row(id, name)
    }
}

/// The counters of the context units, by course id ('' = all courses) then week.
async fn context_counters(
    db: &impl ConnectionTrait,
    context: &[(UnitKind, String)],
    course_id: Option<&str>,
    up_to: Option<i32>,
    group: &str,
) -> Result<Vec<stat_counter::Model>> {
    let mut rows = Vec::new();
    let mut by_kind: BTreeMap<UnitKind, Vec<String>> = BTreeMap::new();
    for (kind, id) in context {
        by_kind.entry(*kind).or_default().push(id.clone());
    }
    for (kind, ids) in by_kind {
        rows.extend(counters(db, kind, Some(ids), course_id, up_to, group).await?);
    }
    Ok(rows)
}

/// The year whose population applies to a view: its period's last, else this year.
fn population_year(period: Option<Period>) -> i32 {
    use chrono::Datelike;
    period.map_or_else(|| crate::week::vietnam_today().year(), |p| p.last.sunday().year())
}

/// The population of the view's whole (the units in context), for a group ('' = everyone):
/// the sum over the context units, or None unless every one of them has a figure.
async fn context_population(db: &impl ConnectionTrait, view: &View, group: &str) -> Result<Option<i64>> {
    let year = population_year(view.period);
    let mut by_kind: BTreeMap<UnitKind, Vec<String>> = BTreeMap::new();
    for (kind, id) in &view.context {
        by_kind.entry(*kind).or_default().push(id.clone());
    }
    let mut sum = 0;
    for (kind, ids) in by_kind {
        let found = population::for_units(db, kind, &ids, group, year).await?;
        if found.len() != ids.len() {
            return Ok(None);
        }
        sum += found.values().sum::<i64>();
    }
    Ok((sum > 0).then_some(sum))
}

/// The whole of the view for every learner and for each group: the plan's five indicators (and, with
/// `by=group`, the rows: each group, then those not classified yet).
async fn group_figures(db: &impl ConnectionTrait, view: &View) -> Result<Vec<GroupFigures>> {
    let mut out = Vec::new();
    let period_label = view.period.map(|p| p.to_string()).unwrap_or_default();
    let keys = std::iter::once(None).chain(LearnerGroup::ALL.into_iter().map(Some));
    let mut by_kind: BTreeMap<UnitKind, Vec<String>> = BTreeMap::new();
    for (kind, id) in &view.context {
        by_kind.entry(*kind).or_default().push(id.clone());
    }
    for group in keys {
        let key = LearnerGroup::key(group);
        let mut sums = Sums::default();
        // The all-time rows (with a period, those before it and its own weeks): a few rows a unit,
        // not one a week of the campaign.
        for (kind, ids) in &by_kind {
            for row in unit_counters(db, *kind, ids.clone(), &view.course_id, view.period, key).await? {
                sums.add(&row, view.period);
            }
        }
        let name = group.map_or_else(|| Lang::Vi.t(Text::AllLearners), |g| Lang::Vi.t(g.text())).to_string();
        let mut row = if view.course_id.is_empty() {
            sums.row(key.to_string(), name)
        } else {
            sums.course_row(key.to_string(), name)
        };
        row.population = context_population(db, view, key).await?;
        if let [(kind, id)] = view.context.as_slice() {
            // One unit in context: its targets for this group (a plan sets one a group) apply.
            let found = targets::for_units(db, *kind, std::slice::from_ref(id), &period_label, key).await?;
            row.targets = targets::statuses(found.get(id), &row);
            row.needed = targets::needed(&row.targets);
        }
        out.push(GroupFigures { group, row });
    }
    Ok(out)
}

/// Completion by province, commune, organisation, team, course or learner group (`by=group`), with
/// the total, the plan's indicators by group and the weekly trend.
pub async fn completion(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
    filter: &DashboardFilter,
) -> Result<CompletionTable> {
    let by_group = filter.by.as_deref().map(str::trim) == Some("group");
    let by_units = DashboardFilter { by: if by_group { None } else { filter.by.clone() }, ..filter.clone() };
    let view = view(db, actor, landing, &by_units).await?;
    let up_to = view.period.map(|p| p.last.0);
    let per_course = !view.course_id.is_empty();
    let mut sums: HashMap<String, Sums> = HashMap::new();
    if by_group {
        // Rows come from the group figures below.
    } else if view.by == UnitKind::Course {
        // A course's figures inside the context: the context units' per-course rows.
        for row in context_counters(db, &view.context, None, up_to, view.group).await? {
            sums.entry(row.course_id.clone()).or_default().add(&row, view.period);
        }
    } else {
        let rows = if view.whole_country && view.period.is_none() {
            // Every unit's all-time row, side by side in their index, not one lookup per unit.
            counters(db, view.by, None, Some(&view.course_id), None, view.group).await?
        } else {
            let ids = view.rows.iter().map(|u| u.id.clone()).collect();
            unit_counters(db, view.by, ids, &view.course_id, view.period, view.group).await?
        };
        for row in rows {
            sums.entry(row.unit_id.clone()).or_default().add(&row, view.period);
        }
    }
    let make_row = |sums: Sums, id: String, name: String| {
        if per_course || view.by == UnitKind::Course { sums.course_row(id, name) } else { sums.row(id, name) }
    };
    let groups = group_figures(db, &view).await?;
    let mut rows: Vec<CompletionRow> = if by_group {
        group_rows(&groups)
    } else {
        view.rows
            .iter()
            .map(|u| make_row(sums.get(&u.id).copied().unwrap_or_default(), u.id.clone(), u.name.clone()))
            .collect()
    };
    if !by_group {
        let year = population_year(view.period);
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let found = population::for_units(db, view.by, &ids, view.group, year).await?;
        for row in &mut rows {
            row.population = found.get(&row.id).copied();
        }
    }

    let mut total = Sums::default();
    let mut weekly: BTreeMap<i32, Completion> = BTreeMap::new();
    let up_to_now = Some(up_to.unwrap_or(i32::MAX));
    for row in context_counters(db, &view.context, Some(&view.course_id), up_to_now, view.group).await? {
        total.add(&row, view.period);
        let week = weekly.entry(row.week).or_default();
        week.enrolled += row.enrolled;
        week.completed += row.completed;
    }
    let mut total_row = make_row(total, String::new(), view.area_name.clone());
    total_row.population = context_population(db, &view, view.group).await?;
    let period_label = view.period.map(|p| p.to_string()).unwrap_or_default();
    if let [(kind, id)] = view.context.as_slice() {
        // One unit in context (the province, a commune, an organisation): its own targets apply.
        let found = targets::for_units(db, *kind, std::slice::from_ref(id), &period_label, view.group).await?;
        total_row.id = id.clone();
        total_row.targets = targets::statuses(found.get(id), &total_row);
        total_row.needed = targets::needed(&total_row.targets);
    }
    let trend = trend(&weekly, up_to);

    if !by_group {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let found = targets::for_units(db, view.by, &ids, &period_label, view.group).await?;
        for row in &mut rows {
            row.targets = targets::statuses(found.get(&row.id), row);
            row.needed = targets::needed(&row.targets);
        }
    }
    if filter.sort.as_deref().map(str::trim) == Some("needed") {
        // Most needed first; rows without a target last, in name order (stable sort).
        rows.sort_by_key(|r| std::cmp::Reverse(r.needed.map_or(-1, |n| n)));
    }
    Ok(CompletionTable {
        area: view.area,
        by: view.by,
        by_group,
        period: view.period,
        rows,
        total: total_row,
        groups,
        trend,
    })
}

/// The rows of `by=group`: each group's figures, then the learners not classified yet (everyone
/// less the four groups), who have no population of their own.
fn group_rows(groups: &[GroupFigures]) -> Vec<CompletionRow> {
    let mut rows: Vec<CompletionRow> = groups.iter().filter(|g| g.group.is_some()).map(|g| g.row.clone()).collect();
    if let Some(all) = groups.iter().find(|g| g.group.is_none()) {
        let mut rest = all.row.clone();
        for g in &rows {
            rest.completion.enrolled -= g.completion.enrolled;
            rest.completion.completed -= g.completion.completed;
            rest.learners -= g.learners;
            rest.trained -= g.trained;
            rest.new_enrolled -= g.new_enrolled;
            rest.new_completed -= g.new_completed;
        }
        rest.id = String::new();
        rest.name = Lang::Vi.t(Text::Unclassified).to_string();
        rest.population = None;
        // Nobody sets a target for the learners not classified yet.
        rest.targets = Vec::new();
        rest.needed = None;
        rows.push(rest);
    }
    rows
}

/// The last TREND_WEEKS weeks up to `up_to` (or the latest week with activity), every week present.
fn trend(weekly: &BTreeMap<i32, Completion>, up_to: Option<i32>) -> Vec<WeekPoint> {
    let Some(&first) = weekly.keys().next() else { return Vec::new() };
    let last = up_to.unwrap_or_else(|| *weekly.keys().last().expect("not empty"));
    let mut weeks = vec![IsoWeek(last)];
    while weeks.len() < TREND_WEEKS && weeks.last().expect("not empty").0 > first {
        let previous = weeks.last().expect("not empty").previous();
        weeks.push(previous);
    }
    weeks.reverse();
    let start = weeks[0].0;
    let mut to_date: Completion = Completion::default();
    for (_, c) in weekly.range(..start) {
        to_date.enrolled += c.enrolled;
        to_date.completed += c.completed;
    }
    weeks
        .into_iter()
        .map(|w| {
            let c = weekly.get(&w.0).copied().unwrap_or_default();
            to_date.enrolled += c.enrolled;
            to_date.completed += c.completed;
            WeekPoint { week: w.0, completed: c.completed, to_date }
        })
        .collect()
}

/// Communes, organisations or teams ranked by completion rate as at the end of `week` (ties:
/// completions, then name), with the move since the week before; units with fewer than
/// `min_enrolled` enrolments are listed apart.
pub async fn leaderboard(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
    filter: &DashboardFilter,
    week: IsoWeek,
    min_enrolled: i64,
) -> Result<Leaderboard> {
    let mut filter = filter.clone();
    filter.period = Some(week.to_string());
    filter.from = None;
    filter.to = None;
    let view = view(db, actor, landing, &filter).await?;
    if view.by == UnitKind::Course {
        return Err(invalid("by", Text::InvalidInput));
    }
    let ids: Vec<String> = view.rows.iter().map(|u| u.id.clone()).collect();
    let rows =
        unit_counters(db, view.by, ids, &view.course_id, Some(Period { first: week, last: week }), view.group).await?;
    let previous = week.previous().0;
    let mut now: HashMap<&str, Completion> = HashMap::new();
    let mut before: HashMap<&str, Completion> = HashMap::new();
    for row in &rows {
        for (map, include) in [(&mut now, true), (&mut before, row.week <= previous)] {
            if include {
                let c = map.entry(row.unit_id.as_str()).or_default();
                c.enrolled += row.enrolled;
                c.completed += row.completed;
            }
        }
    }
    let ranks = |figures: &HashMap<&str, Completion>| -> HashMap<String, u32> {
        let mut eligible: Vec<crate::model::UnitFigures> = view
            .rows
            .iter()
            .filter_map(|u| {
                let c = figures.get(u.id.as_str()).copied().unwrap_or_default();
                (c.enrolled >= min_enrolled.max(1)).then(|| crate::model::UnitFigures {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    completion: c,
                    learners: 0,
                    rank: None,
                })
            })
            .collect();
        eligible.sort_by(|a, b| crate::model::rank_cmp((a.completion, &a.name), (b.completion, &b.name)));
        eligible.into_iter().enumerate().map(|(i, u)| (u.id, i as u32 + 1)).collect()
    };
    let (rank_now, rank_before) = (ranks(&now), ranks(&before));
    let mut by_completions: Vec<&Unit> = view.rows.iter().collect();
    let completed = |u: &Unit| now.get(u.id.as_str()).map_or(0, |c| c.completed);
    by_completions.sort_by(|a, b| completed(b).cmp(&completed(a)).then_with(|| fold(&a.name).cmp(&fold(&b.name))));
    let completion_rank: HashMap<&str, u32> =
        by_completions.iter().enumerate().map(|(i, u)| (u.id.as_str(), i as u32 + 1)).collect();

    let (mut ranked, mut unranked): (Vec<LeaderboardRow>, Vec<LeaderboardRow>) = view
        .rows
        .iter()
        .map(|u| {
            let rank = rank_now.get(&u.id).copied();
            let previous_rank = rank_before.get(&u.id).copied();
            LeaderboardRow {
                id: u.id.clone(),
                name: u.name.clone(),
                completion: now.get(u.id.as_str()).copied().unwrap_or_default(),
                rank,
                previous_rank,
                movement: rank.zip(previous_rank).map(|(r, p)| p as i32 - r as i32),
                rank_by_completions: completion_rank[u.id.as_str()],
            }
        })
        .partition(|r| r.rank.is_some());
    ranked.sort_by_key(|r| r.rank);
    unranked
        .sort_by(|a, b| crate::model::fair_rank_cmp((a.completion, &a.name), (b.completion, &b.name), min_enrolled));
    Ok(Leaderboard { area: view.area, by: view.by, week, min_enrolled, ranked, unranked })
}
