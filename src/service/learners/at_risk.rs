//! At-risk learners ("học viên cần nhắc học"): enrolled in a course for some days, not completed,
//! and no change of progress or status for some days — who a team leader calls this week, most
//! idle first. Read from `enrolment.progress_changed_at`, which only real progress moves.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::{course, enrolment, learner, organisation, team};
use crate::error::FieldError;
use crate::i18n::{Lang, Text};
use crate::model::{AtRiskList, AtRiskQuery, AtRiskRow, LearnerFilter};
use crate::service::enrolments::courses;
use crate::service::learners::{progress_link, registration};
use crate::{Error, Result};

/// Rows a page shows: a call list for one sitting.
pub const PAGE_SIZE: u64 = 50;
/// The default for both thresholds: a week.
pub const DEFAULT_DAYS: u32 = 7;
/// Ten years: longer than any campaign, so anything above is a typing mistake.
pub const MAX_DAYS: u32 = 3650;
/// Deep enough for 500,000 rows; a deeper offset only costs the database.
pub const MAX_PAGE: u64 = 10_000;

/// A threshold in whole days, 0 to `MAX_DAYS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Days(u32);

impl Days {
    pub fn new(days: u32) -> Option<Days> {
        (days <= MAX_DAYS).then_some(Days(days))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Which learners and courses, and how long counts as stalled; only `parse` and `new` build one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub team: Option<Uuid>,
    pub organisation: Option<Uuid>,
    pub commune: Option<i32>,
    /// A course code, upper case.
    pub course: Option<String>,
    pub idle: Days,
    pub enrolled: Days,
    /// From 1 to `MAX_PAGE`.
    pub page: u64,
}

impl Filter {
    /// Everything in the caller's scope, with the default thresholds, first page.
    pub fn new(idle: Days, enrolled: Days) -> Filter {
        Filter { team: None, organisation: None, commune: None, course: None, idle, enrolled, page: 1 }
    }

    /// Reads the address's values, naming every one that is not valid.
    pub fn parse(query: &AtRiskQuery) -> Result<Filter> {
        let mut errors = Vec::new();
        let team = field(&mut errors, "team", &query.team, |t| Uuid::parse_str(t).ok(), Text::UnknownTeam);
        let organisation = field(
            &mut errors,
            "organisation",
            &query.organisation,
            |o| Uuid::parse_str(o).ok(),
            Text::UnknownOrganisation,
        );
        let commune = field(&mut errors, "commune", &query.commune, |c| c.parse().ok(), Text::UnknownCommune);
        let days = |text: &str| text.parse::<u32>().ok().and_then(Days::new);
        let idle = field(&mut errors, "idle_days", &query.idle_days, days, Text::AtRiskDaysInvalid);
        let enrolled = field(&mut errors, "enrolled_days", &query.enrolled_days, days, Text::AtRiskDaysInvalid);
        let page = field(
            &mut errors,
            "page",
            &query.page,
            |p| p.parse::<u64>().ok().filter(|p| (1..=MAX_PAGE).contains(p)),
            Text::PageInvalid,
        );
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let default = Days(DEFAULT_DAYS);
        Ok(Filter {
            team,
            organisation,
            commune,
            course: given(&query.course).map(str::to_uppercase),
            idle: idle.unwrap_or(default),
            enrolled: enrolled.unwrap_or(default),
            page: page.unwrap_or(1),
        })
    }
}

/// A value left out or empty is None.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The value of `name` read by `parse`; a value `parse` refuses adds `problem` to `errors`.
fn field<T>(
    errors: &mut Vec<FieldError>,
    name: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Option<T>,
    problem: Text,
) -> Option<T> {
    let text = given(value)?;
    let parsed = parse(text);
    if parsed.is_none() {
        errors.push(FieldError { field: name.to_string(), problem });
    }
    parsed
}

/// 404 for a team, organisation or commune that does not exist or lies outside the actor's scope.
async fn check_units(db: &impl ConnectionTrait, actor: &Actor, filter: &Filter) -> Result<()> {
    if let Some(id) = filter.team {
        let found = team::Entity::find_by_id(id).one(db).await?;
        found.filter(|t| actor.may_manage(t.commune_code, t.organisation_id)).ok_or(Error::NotFound)?;
    }
    if let Some(id) = filter.organisation {
        let found = organisation::Entity::find_by_id(id).one(db).await?;
        found.filter(|o| actor.may_manage(o.commune_code, Some(o.id))).ok_or(Error::NotFound)?;
    }
    if let Some(code) = filter.commune {
        let found = crate::entity::commune::Entity::find_by_id(code).one(db).await?;
        found.filter(|c| actor.may_manage(c.code, None)).ok_or(Error::NotFound)?;
    }
    Ok(())
}

/// One page of the actor's at-risk learners at `now`, most idle first: enrolled at least
/// `filter.enrolled` days before `now`, not completed, and no change of progress or status for at
/// least `filter.idle` days. Signed-in people only; only learners they may see as people.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &Filter,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<AtRiskList> {
    actor.account()?;
    check_units(db, actor, filter).await?;
    let course_id = match &filter.course {
        Some(code) => Some(
            courses::find_by_code(db, code).await?.ok_or_else(|| Error::invalid("course", Text::UnknownCourse))?.id,
        ),
        None => None,
    };
    let query = stalled(actor, filter, course_id, now)?;
    let total = query.clone().count(db).await?;
    let enrolments = query
        .order_by_asc(enrolment::Column::ProgressChangedAt)
        .order_by_asc(enrolment::Column::Id)
        .offset((filter.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    let people: HashMap<Uuid, learner::Model> = learner::Entity::find()
        .filter(learner::Column::Id.is_in(enrolments.iter().map(|e| e.learner_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let catalogue: HashMap<Uuid, course::Model> = course::Entity::find()
        .filter(course::Column::Id.is_in(enrolments.iter().map(|e| e.course_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let lookup = progress_link::lookup_url(public_url);
    let rows = enrolments
        .iter()
        .filter_map(|e| {
            let (person, course) = (people.get(&e.learner_id)?, catalogue.get(&e.course_id)?);
            Some(row(e, person, course, &lookup, now))
        })
        .collect();
    Ok(AtRiskList {
        idle_days: filter.idle.get(),
        enrolled_days: filter.enrolled.get(),
        rows,
        total,
        page: filter.page,
        page_size: PAGE_SIZE,
    })
}

/// How many rows `list` would have at `now` per learner commune, for everything in the actor's
/// scope with `filter`'s thresholds (unit and course filters ignored): the weekly report's counts.
pub async fn count_per_commune(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<HashMap<i32, i64>> {
    let everything = Filter::new(filter.idle, filter.enrolled);
    let rows: Vec<(i32, i64)> = stalled(actor, &everything, None, now)?
        .select_only()
        .join(
            sea_orm::JoinType::InnerJoin,
            enrolment::Entity::belongs_to(learner::Entity)
                .from(enrolment::Column::LearnerId)
                .to(learner::Column::Id)
                .into(),
        )
        .column(learner::Column::CommuneCode)
        .column_as(Expr::col((enrolment::Entity, enrolment::Column::Id)).count(), "count")
        .group_by(learner::Column::CommuneCode)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The stalled enrolments of the learners the actor sees (the learner list's own rule: scope,
/// active, not erased), in `filter`'s unit and course, unordered. Public so that a test can ask
/// the planner which index it reads.
pub fn stalled(
    actor: &Actor,
    filter: &Filter,
    course_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<sea_orm::Select<enrolment::Entity>> {
    let unit = LearnerFilter {
        commune: filter.commune,
        organisation: filter.organisation,
        team: filter.team,
        ..LearnerFilter::default()
    };
    let seen = registration::filtered(actor, &unit)?;
    let mut query = enrolment::Entity::find()
        // Written out, as the partial index `idx_enrolment_open_changed` says it (SQLite matches the text).
        .filter(Expr::cust("enrolment.status <> 'completed'"))
        .filter(enrolment::Column::ProgressChangedAt.lte(now - Duration::days(filter.idle.get().into())))
        .filter(enrolment::Column::EnrolledAt.lte(now - Duration::days(filter.enrolled.get().into())));
    let wide =
        actor.organiser_scope().is_none() && (filter.team, filter.organisation, filter.commune) == (None, None, None);
    query = if wide {
        // An admin's whole province or country (100,000 rows and more): walk the open enrolments in
        // idle order (the partial index) and stop at the page; each learner is checked by key.
        let learner_of_row =
            Expr::col((learner::Entity, learner::Column::Id)).equals((enrolment::Entity, enrolment::Column::LearnerId));
        query.filter(Expr::exists(seen.select_only().expr(Expr::val(1)).filter(learner_of_row).into_query()))
    } else {
        // One unit's or one organiser's learners: few, found through the learner indexes first.
        query.filter(
            enrolment::Column::LearnerId.in_subquery(seen.select_only().column(learner::Column::Id).into_query()),
        )
    };
    if let Some(course_id) = course_id {
        query = query.filter(enrolment::Column::CourseId.eq(course_id));
    }
    Ok(query)
}

fn row(
    e: &enrolment::Model,
    person: &learner::Model,
    course: &course::Model,
    lookup: &str,
    now: DateTime<Utc>,
) -> AtRiskRow {
    let given_name = crate::person::FullName::parse(&person.full_name)
        .map(|n| n.given_name().to_string())
        .unwrap_or_else(|_| person.full_name.clone());
    AtRiskRow {
        learner_code: person.code.clone(),
        full_name: person.full_name.clone(),
        phone: person.phone.clone(),
        course_code: course.code.clone(),
        course_title: course.title.clone(),
        status: e.status,
        progress: e.progress,
        enrolled_on: e.enrolled_at.with_timezone(&crate::week::vietnam()).date_naive(),
        last_change: e.progress_changed_at,
        days_idle: (now - e.progress_changed_at).num_days(),
        message: message(&given_name, &course.title, e.progress, lookup),
    }
}

/// The text a learner receives, always in Vietnamese (the learner's language, whatever the
/// organiser reads the page in): who, which course, how far, and where to see their progress.
pub fn message(given_name: &str, course_title: &str, progress: i32, progress_url: &str) -> String {
    let t = |text| Lang::Vi.t(text);
    format!(
        "{} {given_name}, {} «{course_title}» ({} {progress}%) {} {} {progress_url} {}.",
        t(Text::AtRiskMessageHello),
        t(Text::AtRiskMessageCourse),
        t(Text::AtRiskMessageProgress),
        t(Text::AtRiskMessageContinue),
        t(Text::AtRiskMessageLink),
        t(Text::AtRiskMessageLookup),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> AtRiskQuery {
        let get = |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        AtRiskQuery {
            team: get("team"),
            organisation: get("organisation"),
            commune: get("commune"),
            course: get("course"),
            idle_days: get("idle_days"),
            enrolled_days: get("enrolled_days"),
            page: get("page"),
        }
    }

    #[test]
    fn thresholds_default_to_a_week_and_empty_values_are_left_out() {
        let filter = Filter::parse(&query(&[("idle_days", ""), ("course", " kns-01 ")])).unwrap();
        assert_eq!((filter.idle.get(), filter.enrolled.get(), filter.page), (7, 7, 1));
        assert_eq!(filter.course.as_deref(), Some("KNS-01"));
        let filter = Filter::parse(&query(&[("idle_days", "0"), ("enrolled_days", "3650"), ("page", "2")])).unwrap();
        assert_eq!((filter.idle.get(), filter.enrolled.get(), filter.page), (0, 3650, 2));
    }

    #[test]
    fn every_bad_value_is_named() {
        let err = Filter::parse(&query(&[
            ("team", "x"),
            ("organisation", "1"),
            ("commune", "abc"),
            ("idle_days", "-1"),
            ("enrolled_days", "99999999999"),
            ("page", "0"),
        ]))
        .unwrap_err();
        assert_eq!(err.field_problem("team"), Some(Text::UnknownTeam));
        assert_eq!(err.field_problem("organisation"), Some(Text::UnknownOrganisation));
        assert_eq!(err.field_problem("commune"), Some(Text::UnknownCommune));
        assert_eq!(err.field_problem("idle_days"), Some(Text::AtRiskDaysInvalid));
        assert_eq!(err.field_problem("enrolled_days"), Some(Text::AtRiskDaysInvalid));
        assert_eq!(err.field_problem("page"), Some(Text::PageInvalid));
        for (name, value) in [("idle_days", "3651"), ("idle_days", "7.5"), ("page", "10001"), ("page", "x")] {
            assert!(
                Filter::parse(&query(&[(name, value)])).unwrap_err().field_problem(name).is_some(),
                "{name}={value}"
            );
        }
    }

    #[test]
    fn the_message_names_the_course_the_progress_and_the_page() {
        assert_eq!(
            message("Pao", "Kỹ năng số cơ bản", 20, "https://hocvuso.vn/tra-cuu"),
            "Chào Pao, bạn đã đăng ký khoá học «Kỹ năng số cơ bản» (tiến độ 20%) nhưng chưa hoàn thành. \
             Mời bạn học tiếp để hoàn thành khoá học. Xem tiến độ của bạn tại https://hocvuso.vn/tra-cuu \
             (nhập số điện thoại và ngày sinh)."
        );
    }
}
