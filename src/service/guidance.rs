//! Guidance sessions (buổi hướng dẫn): a team goes to a village and guides people through a course
//! or a skill, some of them registered learners, some not. Recorded by organisers in scope (often
//! offline, so once per idempotency key), listed per team, and counted per team, commune and ISO
//! week by GROUP BY over the two small tables (no counters to keep).
use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::{commune, course, guidance_attendance, guidance_session, learner, team};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{
    Area, GuidanceFigures, GuidanceRow, GuidanceSessionForm, GuidanceSessionView, TeamGuidance, TeamGuidanceSummary,
    TeamRoster,
};
use crate::service::idempotency::{self, IdempotencyKey, Keyed, KeyedRequest, Route};
use crate::service::{audit, now};
use crate::week::{IsoWeek, Period};
use crate::{Error, Result};

/// The most registered learners one session may list: a village meeting, not a census.
pub const MAX_ATTENDEES: usize = 500;
/// The most people not registered one session may count.
pub const MAX_GUIDED_UNREGISTERED: i64 = 1000;
pub const MAX_VILLAGE_CHARS: usize = 100;
pub const MAX_TOPIC_CHARS: usize = 200;
/// The most teams whose learners the guidance form lists (an organiser's few teams); someone with
/// more (an admin) types or scans the attendees' codes.
pub const ROSTER_TEAMS: usize = 20;
/// The most learners of one team the form lists, by name.
pub const ROSTER_SIZE: usize = 300;
/// How many of a team's latest sessions the team page shows.
pub const LATEST_ON_TEAM_PAGE: usize = 10;

/// The first day a session may be dated: the campaign began in 2025.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date")
}

/// What a session is about: a course of the catalogue, or a skill in words.
#[derive(Clone, Debug)]
enum Topic {
    Course(course::Model),
    Skill(String),
}

/// A session that passed every rule; only `validate` builds one.
#[derive(Clone, Debug)]
struct ValidSession {
    team: team::Model,
    commune: i32,
    village: String,
    date: NaiveDate,
    topic: Topic,
    /// Distinct, in the order given.
    attendees: Vec<learner::Model>,
    guided_unregistered: i32,
}

/// Text trimmed, with inner runs of spaces made one; None when empty or longer than `max` characters.
fn short_text(text: &str, max: usize) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty() && text.chars().count() <= max).then_some(text)
}

/// The team, if the actor may record its sessions: 404 for one that does not exist, is closed, or
/// lies outside their scope (another scope's teams are not theirs to learn of).
async fn team_in_scope(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<team::Model> {
    actor.account()?;
    match team::Entity::find_by_id(id).one(db).await? {
        Some(t) if t.active && actor.may_manage(t.commune_code, t.organisation_id) => Ok(t),
        _ => Err(Error::NotFound),
    }
}

/// Parses and checks a session form: the team first (404 outside the scope), then every field
/// problem at once, each attendee that is not a learner in scope named by its place in the list.
async fn validate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    form: &GuidanceSessionForm,
    today: NaiveDate,
) -> Result<ValidSession> {
    actor.account()?;
    let team_id = Uuid::try_parse(form.team.trim()).map_err(|_| Error::invalid("team", Text::UnknownTeam))?;
    let team = team_in_scope(db, actor, team_id).await?;
    let mut errors = Vec::new();
    let mut problem = |field: &str, problem: Text| errors.push(FieldError { field: field.to_string(), problem });

    let date = crate::week::parse_date(&form.date).filter(|d| (first_day()..=today).contains(d));
    if date.is_none() {
        problem("date", Text::GuidanceDateInvalid);
    }
    let village = short_text(&form.village, MAX_VILLAGE_CHARS);
    if village.is_none() {
        problem("village", Text::VillageInvalid);
    }
    let course_code = form.course.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let skill = form.topic.as_deref().filter(|t| !t.trim().is_empty());
    let topic = match (course_code, skill) {
        (Some(code), None) => match crate::service::enrolments::courses::find_by_code(db, code).await? {
            Some(c) if c.active => Some(Topic::Course(c)),
            Some(_) => {
                problem("course", Text::CourseInactive);
                None
            }
            None => {
                problem("course", Text::UnknownCourse);
                None
            }
        },
        (None, Some(text)) => {
            let skill = short_text(text, MAX_TOPIC_CHARS).map(Topic::Skill);
            if skill.is_none() {
                problem("topic", Text::GuidanceTopicRequired);
            }
            skill
        }
        _ => {
            problem("topic", Text::GuidanceTopicRequired);
            None
        }
    };
    let guided_unregistered =
        i32::try_from(form.guided_unregistered).ok().filter(|n| (0..=MAX_GUIDED_UNREGISTERED as i32).contains(n));
    if guided_unregistered.is_none() {
        problem("guided_unregistered", Text::GuidedUnregisteredInvalid);
    }
    // The commune: a code, the team's when none is given. One outside the scope is not the actor's
    // to record in, as a team outside it.
    let commune = match form.commune.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => Some(team.commune_code),
        Some(text) => match text.parse::<i32>().ok() {
            Some(code) if commune::Entity::find_by_id(code).one(db).await?.is_some() => {
                if !actor.may_manage(code, team.organisation_id) {
                    return Err(Error::NotFound);
                }
                Some(code)
            }
            _ => {
                problem("commune", Text::UnknownCommune);
                None
            }
        },
    };
    let mut attendees = Vec::new();
    if form.attendees.len() > MAX_ATTENDEES {
        problem("attendees", Text::TooManyAttendees);
    } else {
        // Each attendee is a learner code, or the progress link their card's QR code holds.
        let mut codes = Vec::with_capacity(form.attendees.len());
        for text in &form.attendees {
            let scanned = match crate::service::learners::progress_link::secret_in(text) {
                Some(secret) => crate::service::learners::progress_link::learner_of(db, secret).await?,
                None => None,
            };
            codes.push(scanned.map_or_else(|| text.trim().to_uppercase(), |l| l.code));
        }
        let found: HashMap<String, learner::Model> = learner::Entity::find()
            .filter(learner::Column::Code.is_in(codes.iter().cloned().collect::<BTreeSet<_>>()))
            .filter(learner::Column::ErasedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .filter(|l| actor.may_manage(l.commune_code, l.organisation_id))
            .map(|l| (l.code.clone(), l))
            .collect();
        let mut seen = BTreeSet::new();
        for (i, code) in codes.iter().enumerate() {
            match found.get(code) {
                // The same learner listed twice attended once.
                Some(l) if seen.insert(l.id) => attendees.push(l.clone()),
                Some(_) => {}
                None => problem(&format!("attendees.{i}"), Text::AttendeeUnknown),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (Some(date), Some(village), Some(topic), Some(guided_unregistered), Some(commune)) =
        (date, village, topic, guided_unregistered, commune)
    else {
        return Err(Error::Internal);
    };
    Ok(ValidSession { team, commune, village, date, topic, attendees, guided_unregistered })
}

/// Records a guidance session, once per idempotency key: a repeat gets the same session back.
/// Refusals are not kept with the key, so the entry may be corrected and sent again with it.
pub async fn record_once(
    db: &DatabaseConnection,
    actor: &Actor,
    form: &GuidanceSessionForm,
    key: Option<IdempotencyKey>,
) -> Result<Keyed<GuidanceSessionView>> {
    let send = key.map(|key| KeyedRequest::new(actor, key, Route::RecordGuidanceSession, form)).transpose()?;
    if let Some(done) = idempotency::earlier(db, send.as_ref()).await? {
        return Ok(done);
    }
    let valid = validate(db, actor, form, crate::week::vietnam_today()).await?;
    idempotency::apply(db, send.as_ref(), Result::is_ok, async |txn| {
        let (course_id, topic) = match &valid.topic {
            Topic::Course(c) => (Some(c.id), None),
            Topic::Skill(text) => (None, Some(text.clone())),
        };
        let row = guidance_session::Model {
            id: Uuid::now_v7(),
            team_id: valid.team.id,
            commune_code: valid.commune,
            village: valid.village.clone(),
            held_on: valid.date,
            week: crate::week::week_of_date(valid.date),
            course_id,
            topic,
            guided_unregistered: valid.guided_unregistered,
            recorded_by: actor.label(),
            created_at: now(),
        };
        crate::db::insert_models(txn, std::slice::from_ref(&row)).await?;
        let attendance: Vec<guidance_attendance::Model> = valid
            .attendees
            .iter()
            .map(|l| guidance_attendance::Model { session_id: row.id, learner_id: l.id })
            .collect();
        crate::db::insert_models(txn, &attendance).await?;
        audit::record(
            txn,
            &actor.label(),
            audit::Action::Create,
            audit::Entity::GuidanceSession,
            Some(row.id.to_string()),
            json!({"after": {
                "team": row.team_id,
                "commune": row.commune_code,
                "date": row.held_on,
                "attendees": attendance.len(),
                "guided_unregistered": row.guided_unregistered,
            }}),
        )
        .await?;
        Ok(views(txn, vec![row]).await?.remove(0))
    })
    .await
}

/// A team's sessions, latest first; 404 for a team outside the actor's scope.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, team: Uuid) -> Result<Vec<GuidanceSessionView>> {
    let team = team_in_scope(db, actor, team).await?;
    let rows = guidance_session::Entity::find()
        .filter(guidance_session::Column::TeamId.eq(team.id))
        .order_by_desc(guidance_session::Column::HeldOn)
        .order_by_desc(guidance_session::Column::Id)
        .all(db)
        .await?;
    views(db, rows).await
}

/// The learners of each of the actor's teams, for the guidance form to tick who attended: none when
/// the actor has more than ROSTER_TEAMS teams, at most ROSTER_SIZE a team.
pub async fn rosters(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<TeamRoster>> {
    let teams = crate::service::units::list_teams(db, actor, None).await?;
    if teams.len() > ROSTER_TEAMS {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<Uuid>, String, String)> = learner::Entity::find()
        .select_only()
        .column(learner::Column::TeamId)
        .column(learner::Column::Code)
        .column(learner::Column::FullName)
        .filter(learner::Column::TeamId.is_in(teams.iter().map(|t| t.id)))
        .filter(learner::Column::Active.eq(true))
        .filter(learner::Column::ErasedAt.is_null())
        .order_by_asc(learner::Column::NameFolded)
        .order_by_asc(learner::Column::Code)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_team: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for (team, code, name) in rows {
        let listed = by_team.entry(team.unwrap_or_default()).or_default();
        if listed.len() < ROSTER_SIZE {
            listed.push((code, name));
        }
    }
    Ok(teams
        .into_iter()
        .map(|t| TeamRoster { learners: by_team.remove(&t.id).unwrap_or_default(), team: t.id })
        .collect())
}

/// Sessions as views, with the names of their team, commune and course and their attendees' codes.
async fn views(db: &impl ConnectionTrait, rows: Vec<guidance_session::Model>) -> Result<Vec<GuidanceSessionView>> {
    let teams: HashMap<Uuid, String> = team::Entity::find()
        .filter(team::Column::Id.is_in(rows.iter().map(|r| r.team_id).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let communes: HashMap<i32, String> = commune::Entity::find()
        .filter(commune::Column::Code.is_in(rows.iter().map(|r| r.commune_code).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let courses: HashMap<Uuid, course::Model> = course::Entity::find()
        .filter(course::Column::Id.is_in(rows.iter().filter_map(|r| r.course_id).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut attendees: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in rows.chunks(500) {
        let pairs: Vec<(Uuid, String)> = guidance_attendance::Entity::find()
            .select_only()
            .column(guidance_attendance::Column::SessionId)
            .column(learner::Column::Code)
            .join(
                sea_orm::JoinType::InnerJoin,
                guidance_attendance::Entity::belongs_to(learner::Entity)
                    .from(guidance_attendance::Column::LearnerId)
                    .to(learner::Column::Id)
                    .into(),
            )
            .filter(guidance_attendance::Column::SessionId.is_in(chunk.iter().map(|r| r.id)))
            .into_tuple()
            .all(db)
            .await?;
        for (session, code) in pairs {
            attendees.entry(session).or_default().push(code);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let course = r.course_id.and_then(|id| courses.get(&id));
            let mut codes = attendees.remove(&r.id).unwrap_or_default();
            codes.sort_unstable();
            GuidanceSessionView {
                id: r.id,
                team: r.team_id,
                team_name: teams.get(&r.team_id).cloned().unwrap_or_default(),
                date: r.held_on,
                week: IsoWeek(r.week),
                commune: r.commune_code,
                commune_name: communes.get(&r.commune_code).cloned().unwrap_or_default(),
                village: r.village,
                course: course.map(|c| c.code.clone()),
                topic: course.map(|c| c.title.clone()).or(r.topic).unwrap_or_default(),
                attendees: codes,
                guided_unregistered: r.guided_unregistered.into(),
                recorded_by: r.recorded_by,
                recorded_at: r.created_at,
            }
        })
        .collect())
}

/// Most sessions first, then most people guided; callers break ties by name.
fn most_active_first(a: &GuidanceFigures, b: &GuidanceFigures) -> std::cmp::Ordering {
    b.sessions.cmp(&a.sessions).then(b.people_guided().cmp(&a.people_guided()))
}

/// The unit guidance figures are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    Team,
    Commune,
    Week,
}

impl Per {
    /// How a request names it (`by=`).
    pub fn parse(text: &str) -> Option<Per> {
        match text.trim() {
            "team" => Some(Per::Team),
            "commune" => Some(Per::Commune),
            "week" => Some(Per::Week),
            _ => None,
        }
    }
}

/// The sessions figures are taken from: all of them, those held in some communes, or those of some teams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    Everywhere,
    Communes(Vec<i32>),
    Teams(Vec<Uuid>),
}

impl Within {
    /// What `actor` sees of `area`: an organiser the sessions of the teams in their scope, anyone
    /// else those held in the area's communes.
    pub async fn seen_by(db: &impl ConnectionTrait, actor: &Actor, area: Area) -> Result<Within> {
        if actor.organiser_scope().is_some() {
            let teams = crate::service::units::list_teams(db, actor, None).await?;
            return Ok(Within::Teams(teams.into_iter().map(|t| t.id).collect()));
        }
        Ok(match area.province() {
            None => Within::Everywhere,
            Some(province) => Within::Communes(
                commune::Entity::find()
                    .select_only()
                    .column(commune::Column::Code)
                    .filter(commune::Column::ProvinceCode.eq(province))
                    .into_tuple()
                    .all(db)
                    .await?,
            ),
        })
    }

    fn filter<Q: QueryFilter>(&self, query: Q) -> Q {
        match self {
            Within::Everywhere => query,
            Within::Communes(codes) => query.filter(guidance_session::Column::CommuneCode.is_in(codes.iter().copied())),
            Within::Teams(ids) => query.filter(guidance_session::Column::TeamId.is_in(ids.iter().copied())),
        }
    }
}

/// Guidance figures per team, commune or week, of the sessions `within` held in the weeks
/// `from..=to` (yyyyww; every week when None). Two GROUP BY queries: sessions with their
/// unregistered people, attendances.
pub async fn figures<K>(
    db: &impl ConnectionTrait,
    per: Per,
    weeks: Option<(i32, i32)>,
    within: &Within,
) -> Result<HashMap<K, GuidanceFigures>>
where
    K: sea_orm::TryGetable + Eq + std::hash::Hash,
{
    let column = match per {
        Per::Team => guidance_session::Column::TeamId,
        Per::Commune => guidance_session::Column::CommuneCode,
        Per::Week => guidance_session::Column::Week,
    };
    let chosen = |query: sea_orm::Select<_>| {
        let query = within.filter(query);
        match weeks {
            Some((from, to)) => query.filter(guidance_session::Column::Week.between(from, to)),
            None => query,
        }
    };
    let sessions: Vec<(K, i64, i64)> = chosen(guidance_session::Entity::find())
        .select_only()
        .column(column)
        .expr(Expr::col(guidance_session::Column::Id).count())
        // Cast so both databases answer a 64-bit integer (PostgreSQL's SUM of an INTEGER is a BIGINT).
        .expr(Expr::cust("CAST(COALESCE(SUM(guidance_session.guided_unregistered), 0) AS BIGINT)"))
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    let mut figures: HashMap<K, GuidanceFigures> = sessions
        .into_iter()
        .map(|(key, sessions, guided_unregistered)| {
            (key, GuidanceFigures { sessions, attendances: 0, guided_unregistered })
        })
        .collect();
    let mut attendances = guidance_attendance::Entity::find()
        .select_only()
        .column(column)
        .expr(Expr::col((guidance_attendance::Entity, guidance_attendance::Column::LearnerId)).count())
        .inner_join(guidance_session::Entity)
        .group_by(column);
    attendances = within.filter(attendances);
    if let Some((from, to)) = weeks {
        attendances = attendances.filter(guidance_session::Column::Week.between(from, to));
    }
    for (key, count) in attendances.into_tuple::<(K, i64)>().all(db).await? {
        figures.entry(key).or_default().attendances = count;
    }
    Ok(figures)
}

/// Guidance per team, commune or week of what the actor sees of `area` in `period` (all time when
/// None), as the dashboard and `GET /api/v1/stats/guidance` show it: most sessions first.
pub async fn table(
    db: &impl ConnectionTrait,
    actor: &Actor,
    area: Area,
    per: Per,
    period: Option<Period>,
) -> Result<Vec<GuidanceRow>> {
    actor.require_account_or_token(crate::auth::TokenScope::ReadStats)?;
    let within = Within::seen_by(db, actor, area).await?;
    let weeks = period.map(|p| (p.first.0, p.last.0));
    let mut rows: Vec<GuidanceRow> = match per {
        Per::Team => {
            let figures: HashMap<Uuid, GuidanceFigures> = figures(db, per, weeks, &within).await?;
            let names: HashMap<Uuid, String> = team::Entity::find()
                .filter(team::Column::Id.is_in(figures.keys().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            figures.into_iter().map(|(id, f)| GuidanceRow::new(id.to_string(), names.get(&id).cloned(), f)).collect()
        }
        Per::Commune => {
            let figures: HashMap<i32, GuidanceFigures> = figures(db, per, weeks, &within).await?;
            let names: HashMap<i32, String> = commune::Entity::find()
                .filter(commune::Column::Code.is_in(figures.keys().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|c| (c.code, c.name))
                .collect();
            figures
                .into_iter()
                .map(|(code, f)| GuidanceRow::new(code.to_string(), names.get(&code).cloned(), f))
                .collect()
        }
        Per::Week => {
            let figures: HashMap<i32, GuidanceFigures> = figures(db, per, weeks, &within).await?;
            let mut rows: Vec<GuidanceRow> =
                figures.into_iter().map(|(week, f)| GuidanceRow::new(IsoWeek(week).to_string(), None, f)).collect();
            // A trend reads in time order.
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            return Ok(rows);
        }
    };
    rows.sort_by(|a, b| {
        most_active_first(&a.figures, &b.figures)
            .then_with(|| crate::text::fold(&a.name).cmp(&crate::text::fold(&b.name)))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(rows)
}

/// `table` for a request's words: `by` team, commune (the default) or week; `province` (a code or
/// `all`; the landing area when None); `period` as the dashboard's ("2026-W48", "2026-11", …).
pub async fn stats(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
    by: Option<&str>,
    province: Option<&str>,
    period: Option<&str>,
) -> Result<Vec<GuidanceRow>> {
    actor.require_account_or_token(crate::auth::TokenScope::ReadStats)?;
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let per = match given(by) {
        None => Per::Commune,
        Some(text) => Per::parse(text).ok_or_else(|| Error::invalid("by", Text::InvalidInput))?,
    };
    let period = given(period)
        .map(|text| Period::parse(text).ok_or_else(|| Error::invalid("period", Text::PeriodInvalid)))
        .transpose()?;
    let area = crate::service::statistics::dashboard::area_for(db, actor, landing, province, false).await?;
    table(db, actor, area, per, period).await
}

/// The teams that guided the most people in `week`, inside `area` and what the actor sees: by
/// sessions, then people guided, then name; at most `top`.
pub async fn most_active_teams(
    db: &impl ConnectionTrait,
    actor: &Actor,
    area: Area,
    week: IsoWeek,
    top: usize,
) -> Result<Vec<TeamGuidance>> {
    let within = Within::seen_by(db, actor, area).await?;
    let figures: HashMap<Uuid, GuidanceFigures> = figures(db, Per::Team, Some((week.0, week.0)), &within).await?;
    let teams = team::Entity::find().filter(team::Column::Id.is_in(figures.keys().copied())).all(db).await?;
    let communes: HashMap<i32, commune::Model> = commune::Entity::find()
        .filter(commune::Column::Code.is_in(teams.iter().map(|t| t.commune_code).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code, c))
        .collect();
    let mut rows: Vec<TeamGuidance> = teams
        .into_iter()
        .filter_map(|t| {
            let commune = communes.get(&t.commune_code)?;
            let figures = *figures.get(&t.id)?;
            Some(TeamGuidance {
                team: t.id,
                team_name: t.name,
                commune_name: commune.name.clone(),
                figures,
                people_guided: figures.people_guided(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        most_active_first(&a.figures, &b.figures).then_with(|| a.team_name.cmp(&b.team_name)).then(a.team.cmp(&b.team))
    });
    rows.truncate(top);
    Ok(rows)
}

/// The guidance of the actor's teams for the team page: this week's and all time's figures (two
/// GROUP BY pairs), the latest sessions of each team that held any (a LIMIT-ed query each: an
/// organiser has a few teams) and their views in one set of queries.
pub async fn of_my_teams(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<TeamGuidanceSummary>> {
    let teams = crate::service::units::list_teams(db, actor, None).await?;
    let within = Within::Teams(teams.iter().map(|t| t.id).collect());
    let week = IsoWeek::current().0;
    let this_week: HashMap<Uuid, GuidanceFigures> = figures(db, Per::Team, Some((week, week)), &within).await?;
    let all_time: HashMap<Uuid, GuidanceFigures> = figures(db, Per::Team, None, &within).await?;
    let active: Vec<Uuid> = teams.iter().map(|t| t.id).filter(|id| all_time.contains_key(id)).collect();
    // Each team's latest few (a query a team that held sessions, LIMIT-ed); their views in one go.
    let mut latest: HashMap<Uuid, Vec<guidance_session::Model>> = HashMap::new();
    for team in &active {
        let rows = guidance_session::Entity::find()
            .filter(guidance_session::Column::TeamId.eq(*team))
            .order_by_desc(guidance_session::Column::HeldOn)
            .order_by_desc(guidance_session::Column::Id)
            .limit(LATEST_ON_TEAM_PAGE as u64)
            .all(db)
            .await?;
        latest.insert(*team, rows);
    }
    let mut views_of: HashMap<Uuid, Vec<GuidanceSessionView>> = HashMap::new();
    for view in views(db, latest.into_values().flatten().collect()).await? {
        views_of.entry(view.team).or_default().push(view);
    }
    Ok(active
        .into_iter()
        .map(|team| {
            let mut latest = views_of.remove(&team).unwrap_or_default();
            latest.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
            TeamGuidanceSummary {
                team,
                this_week: this_week.get(&team).copied().unwrap_or_default(),
                all_time: all_time.get(&team).copied().unwrap_or_default(),
                latest,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::short_text;

    #[test]
    fn short_text_is_trimmed_and_bounded() {
        assert_eq!(short_text("  Thôn   Nà Hẩu ", 100).as_deref(), Some("Thôn Nà Hẩu"));
        assert_eq!(short_text("   ", 100), None);
        assert_eq!(short_text(&"ả".repeat(101), 100), None);
        assert_eq!(short_text(&"ả".repeat(100), 100).map(|t| t.chars().count()), Some(100));
    }
}
