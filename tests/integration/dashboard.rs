//! Every dashboard and leaderboard figure equals the same figure computed from the raw learner and
//! enrolment rows, over random data with empty units, units below the leaderboard minimum, inactive
//! and erased learners, and periods with no activity.
use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;

use hocvuso::auth::Actor;
use hocvuso::entity::{enrolment, learner};
use hocvuso::model::{Completion, CompletionRow, CourseForm, DashboardFilter, Source, UnitForm, UnitKind};
use hocvuso::on_both_databases;
use hocvuso::service::enrolments::{self as enrolments, Completion as Done};
use hocvuso::service::learners::{self as learners, NewLearner};
use hocvuso::service::statistics::dashboard;
use hocvuso::service::units;
use hocvuso::week::{IsoWeek, Period};

use crate::registration::{admin, organiser};

use crate::Lcg;

fn day(rng: &mut Lcg) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap() + Duration::hours(rng.below(24 * 400) as i64)
}

/// Communes of Lào Cai with activity; the province's other communes stay empty.
const COMMUNES: [i32; 3] = [4465, 4456, 4492];

/// The data: units, courses and learners made through the services.
struct Campaign {
    organisations: Vec<Uuid>,
    courses: Vec<(String, Uuid)>,
}

async fn campaign(db: &DatabaseConnection) -> Campaign {
    let mut rng = Lcg(48);
    let admin = admin();
    let mut organisations = Vec::new();
    for (i, commune) in ["4465", "4465", "4456"].into_iter().enumerate() {
        let form = UnitForm {
            name: format!("Cơ quan {i}"),
            commune: commune.into(),
            kind: Some("co_quan".into()),
            ..Default::default()
        };
        organisations
            .push(units::create_organisation(db, &admin, hocvuso::model::Area::Province(15), &form).await.unwrap().id);
    }
    let mut teams = Vec::new();
    for (i, commune) in ["4465", "4456", "4492", "4492"].into_iter().enumerate() {
        // The last team stays empty.
        let form = UnitForm { name: format!("Đội hình {i}"), commune: commune.into(), ..Default::default() };
        teams.push(units::create_team(db, &admin, hocvuso::model::Area::Province(15), &form).await.unwrap().id);
    }
    let mut courses = Vec::new();
    for code in ["A1", "B1", "C1"] {
        let form = CourseForm {
            code: code.into(),
            title: format!("Khoá {code}"),
            platform: "test".into(),
            hours: "4".into(),
            ..Default::default()
        };
        courses.push((
            code.to_string(),
            hocvuso::service::enrolments::courses::create(db, &admin, &form).await.unwrap().id,
        ));
    }
    for i in 0..140 {
        let commune = COMMUNES[rng.below(3)];
        let organisation = match commune {
            4465 => [None, Some(organisations[0]), Some(organisations[1])][rng.below(3)],
            4456 => [None, Some(organisations[2])][rng.below(2)],
            _ => None,
        };
        let team = match commune {
            4465 => [None, Some(teams[0])][rng.below(2)],
            4456 => [None, Some(teams[1])][rng.below(2)],
            _ => [None, Some(teams[2])][rng.below(2)],
        };
        let new = NewLearner {
            full_name: format!("Học viên {i}"),
            birth_date: None,
            gender: "khac".into(),
            phone: None,
            commune,
            organisation,
            team,
            group: None,
            consent_version: Some("test".into()),
            registered_by: None,
            registered_at: day(&mut rng),
            citizen_id_hash: None,
        };
        // The services' own steps, at dates of the test's choosing (the use cases write "now").
        let txn = hocvuso::db::write(db).await.unwrap();
        let l = learners::insert(&txn, new).await.map_err(hocvuso::Error::from).unwrap();
        for _ in 0..rng.below(4) {
            let (_, course) = courses[rng.below(3)];
            let (e, _) = enrolments::enrol_in(&txn, l.id, course, day(&mut rng), Source::Form).await.unwrap();
            if rng.below(3) != 0 && e.status != hocvuso::model::EnrolmentStatus::Completed {
                // Completed some time after enrolling.
                let at = e.enrolled_at + Duration::hours(rng.below(24 * 60) as i64);
                let done = Done { at, score: None, certificate_no: None, source: Source::Api };
                enrolments::change_in(&txn, e.id, enrolments::completed(done)).await.unwrap();
            }
        }
        let fate = rng.below(12);
        if fate == 0 {
            learners::update_in(&txn, l.clone(), |row| row.active = Set(false)).await.unwrap();
        }
        txn.commit().await.unwrap();
        if fate == 1 {
            hocvuso::service::learners::privacy::erase(db, &admin, &l.code).await.unwrap();
        }
    }
    Campaign { organisations, courses }
}

/// The raw rows, and the figures of any unit computed from them.
struct Raw {
    learners: Vec<learner::Model>,
    enrolments: Vec<enrolment::Model>,
}

impl Raw {
    async fn load(db: &DatabaseConnection) -> Raw {
        let learners = learner::Entity::find().all(db).await.unwrap().into_iter().filter(|l| l.active).collect();
        Raw { learners, enrolments: enrolment::Entity::find().all(db).await.unwrap() }
    }

    /// Figures of the learners `member` picks, for one course or all, to the end of `period`.
    fn row(
        &self,
        member: impl Fn(&learner::Model) -> bool,
        course: Option<Uuid>,
        period: Option<Period>,
    ) -> CompletionRow {
        let last = period.map_or(i32::MAX, |p| p.last.0);
        let inside = |w: i32| period.is_some_and(|p| p.contains(w));
        let ids: HashMap<Uuid, &learner::Model> =
            self.learners.iter().filter(|l| member(l)).map(|l| (l.id, l)).collect();
        let mut row = CompletionRow {
            id: String::new(),
            name: String::new(),
            completion: Completion::default(),
            // Learners are counted per unit, not per course.
            learners: if course.is_some() { 0 } else { ids.values().filter(|l| l.created_week <= last).count() as i64 },
            new_enrolled: 0,
            new_completed: 0,
            trained: 0,
            population: None,
            targets: vec![],
            needed: None,
        };
        for e in self.enrolments.iter().filter(|e| ids.contains_key(&e.learner_id)) {
            if course.is_some_and(|c| c != e.course_id) {
                continue;
            }
            if e.enrolled_week <= last {
                row.completion.enrolled += 1;
            }
            row.new_enrolled += inside(e.enrolled_week) as i64;
            if let (Some(w), true) = (e.completed_week, e.status == hocvuso::model::EnrolmentStatus::Completed) {
                if w <= last {
                    row.completion.completed += 1;
                }
                row.new_completed += inside(w) as i64;
            }
        }
        row
    }
}

fn place_of(kind: UnitKind, id: &str, l: &learner::Model) -> bool {
    match kind {
        UnitKind::Province => true,
        UnitKind::Commune => l.commune_code.to_string() == id,
        UnitKind::Organisation => l.organisation_id.map(|o| o.to_string()).as_deref() == Some(id),
        UnitKind::Team => l.team_id.map(|t| t.to_string()).as_deref() == Some(id),
        UnitKind::Course => unreachable!(),
    }
}

fn figures(row: &CompletionRow) -> (Completion, i64, i64, i64) {
    (row.completion, row.learners, row.new_enrolled, row.new_completed)
}

async fn every_dashboard_figure_equals_the_raw_rows(db: DatabaseConnection) {
    let campaign = campaign(&db).await;
    let raw = Raw::load(&db).await;
    let org0 = campaign.organisations[0].to_string();
    let mut checked = 0;
    for by in ["commune", "organisation", "team", "course"] {
        for course in [None, Some(&campaign.courses[0])] {
            for period in [None, Some("2025-W20"), Some("2025-06"), Some("2026-Q1"), Some("2027-W10"), Some("2024-W01")]
            {
                for place in [None, Some(("commune", "4465")), Some(("organisation", org0.as_str()))] {
                    let filter = DashboardFilter {
                        by: Some(by.into()),
                        course: course.map(|(code, _)| code.clone()),
                        period: period.map(str::to_string),
                        commune: place.filter(|(k, _)| *k == "commune").map(|(_, id)| id.to_string()),
                        organisation: place.filter(|(k, _)| *k == "organisation").map(|(_, id)| id.to_string()),
                        ..Default::default()
                    };
                    let table = dashboard::completion(&db, &admin(), hocvuso::model::Area::Province(15), &filter)
                        .await
                        .unwrap();
                    let period = period.map(|p| Period::parse(p).unwrap());
                    let course_id = course.map(|(_, id)| *id);
                    let (context_kind, context_id) = match place {
                        None => (UnitKind::Province, "15".to_string()),
                        Some(("commune", id)) => (UnitKind::Commune, id.to_string()),
                        Some((_, id)) => (UnitKind::Organisation, id.to_string()),
                    };
                    let in_context = |l: &learner::Model| place_of(context_kind, &context_id, l);
                    let label = format!("by {by}, course {course:?}, period {period:?}, place {place:?}");
                    assert_eq!(
                        figures(&table.total),
                        figures(&raw.row(in_context, course_id, period)),
                        "total, {label}"
                    );
                    for row in &table.rows {
                        let expected = if by == "course" {
                            let id: Uuid = row.id.parse().unwrap();
                            raw.row(in_context, Some(id), period)
                        } else {
                            let kind = UnitKind::parse(by).unwrap();
                            raw.row(|l| place_of(kind, &row.id, l), course_id, period)
                        };
                        assert_eq!(figures(row), figures(&expected), "{} ({}), {label}", row.name, row.id);
                        checked += 1;
                    }
                    // The trend: completions each week and the cumulative figures at its end.
                    for point in &table.trend {
                        let week = Period { first: IsoWeek(point.week), last: IsoWeek(point.week) };
                        let expected = raw.row(in_context, course_id, Some(week));
                        assert_eq!(
                            (point.completed, point.to_date),
                            (expected.new_completed, expected.completion),
                            "week {}, {label}",
                            point.week
                        );
                    }
                }
            }
        }
    }
    // Every commune of the province is listed, the empty ones with zeros.
    let communes =
        dashboard::completion(&db, &admin(), hocvuso::model::Area::Province(15), &DashboardFilter::default())
            .await
            .unwrap();
    assert_eq!(communes.rows.len(), 99);
    assert!(communes.rows.iter().filter(|r| r.completion.enrolled == 0).count() >= 96);
    assert!(checked > 1000, "{checked} rows checked");
}

on_both_databases!(dashboard_exact, every_dashboard_figure_equals_the_raw_rows);

async fn leaderboards_rank_as_the_raw_rows_do(db: DatabaseConnection) {
    let _ = campaign(&db).await;
    let raw = Raw::load(&db).await;
    for by in [UnitKind::Commune, UnitKind::Organisation, UnitKind::Team] {
        for week in ["2025-W30", "2026-W10", "2024-W01"] {
            let week = IsoWeek::parse(week).unwrap();
            let filter = DashboardFilter { by: Some(by.as_str().into()), ..Default::default() };
            let board = dashboard::leaderboard(&db, &admin(), hocvuso::model::Area::Province(15), &filter, week, 10)
                .await
                .unwrap();
            // Rank from the raw rows: eligible units by rate, completions, name.
            let rank = |w: IsoWeek| -> HashMap<String, u32> {
                let mut eligible: Vec<hocvuso::model::UnitFigures> = board
                    .ranked
                    .iter()
                    .chain(&board.unranked)
                    .filter_map(|u| {
                        let c =
                            raw.row(|l| place_of(by, &u.id, l), None, Some(Period { first: w, last: w })).completion;
                        (c.enrolled >= 10).then(|| hocvuso::model::UnitFigures {
                            id: u.id.clone(),
                            name: u.name.clone(),
                            completion: c,
                            learners: 0,
                            rank: None,
                        })
                    })
                    .collect();
                eligible.sort_by(|a, b| hocvuso::model::rank_cmp((a.completion, &a.name), (b.completion, &b.name)));
                eligible.into_iter().enumerate().map(|(i, u)| (u.id, i as u32 + 1)).collect()
            };
            let (now, before) = (rank(week), rank(week.previous()));
            for row in board.ranked.iter().chain(&board.unranked) {
                let c =
                    raw.row(|l| place_of(by, &row.id, l), None, Some(Period { first: week, last: week })).completion;
                assert_eq!(row.completion, c, "{}", row.name);
                assert_eq!(row.rank, now.get(&row.id).copied(), "{} in {week}", row.name);
                assert_eq!(row.previous_rank, before.get(&row.id).copied());
                assert_eq!(row.movement, row.rank.zip(row.previous_rank).map(|(r, p)| p as i32 - r as i32));
                assert_eq!(row.rank.is_some(), c.enrolled >= 10, "below the minimum: listed apart");
            }
            let ranks: Vec<u32> = board.ranked.iter().filter_map(|r| r.rank).collect();
            assert_eq!(ranks, (1..=ranks.len() as u32).collect::<Vec<_>>());
        }
    }
    // Some units are below the minimum and some above, so both lists are exercised.
    let board = dashboard::leaderboard(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &DashboardFilter::default(),
        IsoWeek(202610),
        10,
    )
    .await
    .unwrap();
    assert!(!board.ranked.is_empty() && !board.unranked.is_empty());
}

on_both_databases!(leaderboard_exact, leaderboards_rank_as_the_raw_rows_do);

async fn organisers_see_their_scope_only(db: DatabaseConnection) {
    let campaign = campaign(&db).await;
    let raw = Raw::load(&db).await;
    let mine = organiser(&[4465]);
    let table = dashboard::completion(&db, &mine, hocvuso::model::Area::Province(15), &DashboardFilter::default())
        .await
        .unwrap();
    assert_eq!(table.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["4465"]);
    assert_eq!(figures(&table.total), figures(&raw.row(|l| l.commune_code == 4465, None, None)));
    let outside = DashboardFilter { commune: Some("4456".into()), ..Default::default() };
    assert_eq!(
        dashboard::completion(&db, &mine, hocvuso::model::Area::Province(15), &outside).await.unwrap_err(),
        hocvuso::Error::NotFound
    );
    let foreign_org =
        DashboardFilter { organisation: Some(campaign.organisations[2].to_string()), ..Default::default() };
    assert_eq!(
        dashboard::completion(&db, &mine, hocvuso::model::Area::Province(15), &foreign_org).await.unwrap_err(),
        hocvuso::Error::NotFound
    );
    assert_eq!(
        dashboard::completion(&db, &Actor::Anonymous, hocvuso::model::Area::Province(15), &DashboardFilter::default())
            .await
            .unwrap_err(),
        hocvuso::Error::Unauthorized
    );
    let bad = DashboardFilter { period: Some("tuần 48".into()), ..Default::default() };
    assert_eq!(
        dashboard::completion(&db, &admin(), hocvuso::model::Area::Province(15), &bad).await.unwrap_err(),
        hocvuso::Error::invalid("period", hocvuso::i18n::Text::PeriodInvalid)
    );
}

on_both_databases!(dashboard_scope, organisers_see_their_scope_only);
