//! One deployment for the whole country: a campaign over three provinces, every by=province and
//! by=commune figure equal to counts from the raw rows, province admins limited to their province
//! (404 elsewhere), and `needed` exact.
use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use hocvuso::auth::Actor;
use hocvuso::entity::{commune, enrolment, learner};
use hocvuso::model::{
    Area, Completion, CourseForm, DashboardFilter, Source, TargetForm, TargetMetric, UnitForm, UnitKind,
};
use hocvuso::on_both_databases;
use hocvuso::service::enrolments::{self as enrolments, Completion as Done};
use hocvuso::service::learners::{self as learners, NewLearner};
use hocvuso::service::statistics::{self, dashboard, overview, report, targets};
use hocvuso::service::{accounts, units};
use hocvuso::week::IsoWeek;
use hocvuso::{Error, Result};

use crate::Lcg;
use crate::registration::admin;

/// Hà Nội, Lào Cai, Hồ Chí Minh City: two communes each with activity.
const COMMUNES: [(i32, i32); 6] = [(1, 70), (1, 73), (15, 4465), (15, 4456), (79, 26506), (79, 26526)];
const PASSWORD: &str = "ruong-bac-thang-2026";

fn day(rng: &mut Lcg) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap() + Duration::hours(rng.below(24 * 200) as i64)
}

/// Learners over the three provinces, some enrolled and some completed; a team in Lào Cai.
async fn campaign(db: &DatabaseConnection) -> Uuid {
    let mut rng = Lcg(20);
    let admin = admin();
    let team = UnitForm { name: "Đội hình Khao Mang".into(), commune: "4465".into(), ..Default::default() };
    let team = units::create_team(db, &admin, Area::Country, &team).await.unwrap().id;
    let mut courses = Vec::new();
    for code in ["A1", "B1"] {
        let form = CourseForm {
            code: code.into(),
            title: format!("Khoá {code}"),
            platform: "test".into(),
            hours: "4".into(),
            ..Default::default()
        };
        courses.push(enrolments::courses::create(db, &admin, &form).await.unwrap().id);
    }
    for i in 0..150 {
        // Unevenly: Hà Nội gets few learners, so it falls below the ranking minimum.
        let (_, commune) = COMMUNES[[0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 2, 3, 4, 5, 2, 3, 4, 5, 2, 3][rng.below(20)]];
        let new = NewLearner {
            full_name: format!("Học viên {i}"),
            birth_date: None,
            gender: "khac".into(),
            phone: None,
            commune,
            organisation: None,
            team: (commune == 4465 && rng.below(2) == 0).then_some(team),
            group: hocvuso::model::LearnerGroup::ALL.get(i % 5).copied(),
            consent_version: Some("test".into()),
            registered_by: None,
            registered_at: day(&mut rng),
            citizen_id_hash: None,
        };
        let txn = hocvuso::db::write(db).await.unwrap();
        let l = learners::insert(&txn, new).await.map_err(Error::from).unwrap();
        for course in courses.iter().take(rng.below(3)) {
            let (e, _) = enrolments::enrol_in(&txn, l.id, *course, day(&mut rng), Source::Form).await.unwrap();
            if rng.below(3) != 0 {
                let at = e.enrolled_at + Duration::hours(rng.below(24 * 30) as i64);
                let done = Done { at, score: None, certificate_no: None, source: Source::Api };
                enrolments::change_in(&txn, e.id, enrolments::completed(done)).await.unwrap();
            }
        }
        txn.commit().await.unwrap();
    }
    team
}

/// Enrolments, completions and learners per province and per commune, from the raw rows.
struct Raw {
    provinces: HashMap<i32, (Completion, i64)>,
    communes: HashMap<i32, (Completion, i64)>,
}

impl Raw {
    async fn load(db: &DatabaseConnection) -> Raw {
        let province_of: HashMap<i32, i32> =
            commune::Entity::find().all(db).await.unwrap().into_iter().map(|c| (c.code, c.province_code)).collect();
        let learners: HashMap<Uuid, learner::Model> = learner::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|l| l.active)
            .map(|l| (l.id, l))
            .collect();
        let mut raw = Raw { provinces: HashMap::new(), communes: HashMap::new() };
        for l in learners.values() {
            raw.communes.entry(l.commune_code).or_default().1 += 1;
            raw.provinces.entry(province_of[&l.commune_code]).or_default().1 += 1;
        }
        for e in enrolment::Entity::find().all(db).await.unwrap() {
            let Some(l) = learners.get(&e.learner_id) else { continue };
            let completed = (e.status == hocvuso::model::EnrolmentStatus::Completed) as i64;
            for figures in [
                &mut raw.communes.entry(l.commune_code).or_default().0,
                &mut raw.provinces.entry(province_of[&l.commune_code]).or_default().0,
            ] {
                figures.enrolled += 1;
                figures.completed += completed;
            }
        }
        raw
    }
}

fn by(kind: &str, province: Option<&str>) -> DashboardFilter {
    DashboardFilter { by: Some(kind.into()), province: province.map(str::to_string), ..Default::default() }
}

async fn province_admin(db: &DatabaseConnection, username: &str, province: i32) -> Actor {
    let row = accounts::create_admin(db, username, "Quản trị tỉnh", PASSWORD, Some(province)).await.unwrap();
    Actor::Account(accounts::actor_for(db, row.id).await.unwrap().unwrap())
}

async fn every_country_figure_equals_the_raw_rows(db: DatabaseConnection) {
    campaign(&db).await;
    let raw = Raw::load(&db).await;
    let admin = admin();

    // The country by province: 34 rows, each equal to the raw rows; the total is their sum.
    for landing in [Area::Country, Area::Province(15)] {
        let table = dashboard::completion(&db, &admin, landing, &by("province", None)).await.unwrap();
        assert_eq!(table.area, Area::Country, "by=province without a province is the country");
        assert_eq!(table.rows.len(), 34);
        for row in &table.rows {
            let (completion, learners) = raw.provinces.get(&row.id.parse().unwrap()).copied().unwrap_or_default();
            assert_eq!((row.completion, row.learners), (completion, learners), "{}", row.name);
        }
        let sum = raw.provinces.values().fold((Completion::default(), 0), |(c, n), (rc, rn)| {
            (Completion { enrolled: c.enrolled + rc.enrolled, completed: c.completed + rc.completed }, n + rn)
        });
        assert_eq!((table.total.completion, table.total.learners), sum);
        assert_eq!(sum.0.enrolled, raw.communes.values().map(|c| c.0.enrolled).sum::<i64>());
    }

    // Each province by commune, named by code; the country's communes all at once.
    for province in [1, 15, 79] {
        let code = province.to_string();
        let table = dashboard::completion(&db, &admin, Area::Country, &by("commune", Some(&code))).await.unwrap();
        assert_eq!(table.area, Area::Province(province));
        let expected = COMMUNES.iter().filter(|(p, _)| *p == province).count();
        assert_eq!(table.rows.iter().filter(|r| r.completion.enrolled > 0 || r.learners > 0).count(), expected);
        for row in &table.rows {
            let (completion, learners) = raw.communes.get(&row.id.parse().unwrap()).copied().unwrap_or_default();
            assert_eq!((row.completion, row.learners), (completion, learners), "{} in {province}", row.name);
        }
        assert_eq!((table.total.completion, table.total.learners), raw.provinces[&province]);
    }
    let all = dashboard::completion(&db, &admin, Area::Country, &by("commune", Some("all"))).await.unwrap();
    assert_eq!(all.rows.len(), 3321);
    assert_eq!(all.rows.iter().map(|r| r.completion.enrolled).sum::<i64>(), all.total.completion.enrolled);

    // The overview of the country lists provinces, ranked fairly: below 20 enrolments, unranked.
    let country = overview::overview(&db, &admin, Area::Country, None).await.unwrap();
    assert_eq!((country.area, country.unit_kind, country.units.len()), (Area::Country, UnitKind::Province, 34));
    for unit in &country.units {
        let (completion, learners) = raw.provinces.get(&unit.id.parse().unwrap()).copied().unwrap_or_default();
        assert_eq!((unit.completion, unit.learners), (completion, learners));
        assert_eq!(unit.rank.is_some(), completion.enrolled >= 20, "{}", unit.name);
    }
    assert_eq!(country.units.iter().filter(|u| u.rank.is_some()).count(), 2, "Hà Nội has too few to rank");
    let lao_cai = overview::overview(&db, &admin, Area::Country, Some("15")).await.unwrap();
    assert_eq!((lao_cai.area, lao_cai.unit_kind, lao_cai.units.len()), (Area::Province(15), UnitKind::Commune, 99));
    assert_eq!((lao_cai.completion, lao_cai.learners), raw.provinces[&15]);
    assert_eq!(overview::overview(&db, &admin, Area::Country, Some("99")).await.unwrap_err(), Error::NotFound);

    // The leaderboard by province and the country's weekly report.
    let week = IsoWeek::parse("2026-W40").unwrap();
    let board = dashboard::leaderboard(&db, &admin, Area::Country, &by("province", None), week, 20).await.unwrap();
    assert_eq!(board.ranked.len() + board.unranked.len(), 34);
    assert_eq!(board.ranked.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().len(), 2);
    let weekly = report::weekly(&db, &admin, Area::Country, None, week).await.unwrap();
    assert_eq!((weekly.area, weekly.provinces.len(), weekly.communes.len()), (Area::Country, 34, 3321));
    let weekly = report::weekly(&db, &admin, Area::Country, Some("79"), week).await.unwrap();
    assert_eq!((weekly.area, weekly.provinces.len()), (Area::Province(79), 0));
    assert_eq!(weekly.total.completion, raw.provinces[&79].0);

    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(country_figures, every_country_figure_equals_the_raw_rows);

async fn a_province_admin_sees_exactly_their_province(db: DatabaseConnection) -> Result<()> {
    let team = campaign(&db).await;
    let raw = Raw::load(&db).await;
    let lao_cai = province_admin(&db, "quantri.laocai", 15).await;
    let ha_noi = province_admin(&db, "quantri.hanoi", 1).await;
    assert_eq!(lao_cai.province_limit(), Some(15));

    // Their province, whatever the deployment's landing; the country means their province.
    for landing in [Area::Country, Area::Province(15), Area::Province(79)] {
        let table = dashboard::completion(&db, &lao_cai, landing, &DashboardFilter::default()).await?;
        assert_eq!((table.area, table.rows.len()), (Area::Province(15), 99), "landing {landing:?}");
        assert_eq!((table.total.completion, table.total.learners), raw.provinces[&15]);
    }
    let provinces = dashboard::completion(&db, &lao_cai, Area::Country, &by("province", None)).await?;
    assert_eq!(provinces.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["15"]);
    let all = dashboard::completion(&db, &lao_cai, Area::Country, &by("commune", Some("all"))).await?;
    assert_eq!(all.rows.len(), 99);
    let teams = dashboard::completion(&db, &lao_cai, Area::Country, &by("team", None)).await?;
    assert_eq!(teams.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), [team.to_string()]);

    // Another province, or a commune of one, does not exist for them.
    let other = DashboardFilter { commune: Some("26506".into()), ..Default::default() };
    for refused in [
        dashboard::completion(&db, &lao_cai, Area::Country, &by("commune", Some("79"))).await.map(|_| ()),
        dashboard::completion(&db, &lao_cai, Area::Country, &other).await.map(|_| ()),
        overview::overview(&db, &lao_cai, Area::Country, Some("1")).await.map(|_| ()),
        report::weekly(&db, &lao_cai, Area::Country, Some("79"), IsoWeek(202640)).await.map(|_| ()),
        dashboard::leaderboard(&db, &lao_cai, Area::Country, &by("commune", Some("1")), IsoWeek(202640), 20)
            .await
            .map(|_| ()),
    ] {
        assert_eq!(refused, Err(Error::NotFound));
    }
    let own = overview::overview(&db, &lao_cai, Area::Country, None).await?;
    assert_eq!((own.area, own.units.len()), (Area::Province(15), 99));

    // Learners and units elsewhere are out of reach; theirs are theirs to manage.
    let elsewhere = learner::Entity::find().all(&db).await?.into_iter().find(|l| l.commune_code == 26506).unwrap();
    let own_learner = learner::Entity::find().all(&db).await?.into_iter().find(|l| l.commune_code == 4465).unwrap();
    assert_eq!(
        hocvuso::service::learners::registration::find(&db, &lao_cai, &elsewhere.code).await.unwrap_err(),
        Error::NotFound
    );
    hocvuso::service::learners::registration::find(&db, &lao_cai, &own_learner.code).await?;
    assert_eq!(
        hocvuso::service::learners::registration::find(&db, &ha_noi, &own_learner.code).await.unwrap_err(),
        Error::NotFound
    );
    let far_team = UnitForm { name: "Đội hình Vũng Tàu".into(), commune: "26506".into(), ..Default::default() };
    assert!(units::create_team(&db, &lao_cai, Area::Country, &far_team).await.is_err());
    let near_team =
        UnitForm { name: "Đội hình Mù Cang Chải".into(), commune: "4456".into(), ..Default::default() };
    units::create_team(&db, &lao_cai, Area::Country, &near_team).await?;

    // Organisers and targets: inside the province only.
    let scope = |communes: &[i32]| hocvuso::auth::Scope {
        communes: communes.iter().copied().collect(),
        organisations: Default::default(),
    };
    let made =
        accounts::create_organiser(&db, &lao_cai, "tochuc.khaomang", "Tổ chức", PASSWORD, &scope(&[4465])).await?;
    assert!(
        accounts::create_organiser(&db, &lao_cai, "tochuc.vungtau", "Tổ chức", PASSWORD, &scope(&[26506]))
            .await
            .is_err()
    );
    assert!(
        accounts::create_organiser(&db, &lao_cai, "tochuc.hai", "Tổ chức", PASSWORD, &scope(&[4465, 70]))
            .await
            .is_err(),
        "a scope partly outside the province is refused"
    );
    let hn_organiser =
        accounts::create_organiser(&db, &admin(), "tochuc.hoankiem", "Tổ chức", PASSWORD, &scope(&[70])).await?;
    let listed: Vec<String> = accounts::list(&db, &lao_cai).await?.into_iter().map(|a| a.username).collect();
    assert_eq!(listed, ["quantri.laocai", "tochuc.khaomang"]);
    assert_eq!(accounts::set_active(&db, &lao_cai, hn_organiser.id, false).await, Err(Error::NotFound));
    accounts::set_active(&db, &lao_cai, made.id, false).await?;
    let target = |unit_kind: &str, unit: &str| TargetForm {
        unit_kind: unit_kind.into(),
        unit: unit.into(),
        period: String::new(),
        metric: "completion_rate".into(),
        value: "80".into(),
    };
    targets::set(&db, &lao_cai, &target("commune", "4465")).await?;
    targets::set(&db, &lao_cai, &target("province", "15")).await?;
    assert!(matches!(targets::set(&db, &lao_cai, &target("commune", "26506")).await, Err(Error::Invalid(_))));
    assert!(matches!(targets::set(&db, &lao_cai, &target("province", "79")).await, Err(Error::Invalid(_))));
    targets::set(&db, &admin(), &target("commune", "26506")).await?;
    let seen: Vec<String> = targets::list(&db, &lao_cai).await?.into_iter().map(|t| t.unit_id).collect();
    assert_eq!(seen, ["15", "4465"]);

    // What is shared by every province stays the country admin's.
    let course = CourseForm {
        code: "C9".into(),
        title: "Khoá".into(),
        platform: "x".into(),
        hours: "1".into(),
        ..Default::default()
    };
    assert_eq!(enrolments::courses::create(&db, &lao_cai, &course).await.unwrap_err(), Error::Forbidden);
    assert_eq!(hocvuso::service::audit::list(&db, &lao_cai, &Default::default()).await.unwrap_err(), Error::Forbidden);
    Ok(())
}

async fn province_admin_scope(db: DatabaseConnection) {
    a_province_admin_sees_exactly_their_province(db).await.unwrap();
}

on_both_databases!(province_admins, province_admin_scope);

/// The fewest completions that make `completion` meet a completion-rate target, by trying each.
fn needed_by_trying(completion: Completion, target_tenths: i64) -> Option<i64> {
    (0..=completion.enrolled - completion.completed).find(|n| {
        Completion { completed: completion.completed + n, ..completion }.rate_tenths().unwrap_or(0) >= target_tenths
    })
}

#[test]
fn needed_is_the_fewest_completions_that_meet_the_target() {
    for enrolled in 0..60 {
        for completed in 0..=enrolled {
            let c = Completion { enrolled, completed };
            for target in [0, 1, 333, 500, 667, 750, 760, 800, 955, 999, 1000] {
                let status = hocvuso::model::TargetStatus::of(TargetMetric::CompletionRate, target, c);
                let expected = if status.met { Some(0) } else { needed_by_trying(c, target) };
                assert_eq!(status.needed, expected, "{completed}/{enrolled} against {target}");
            }
        }
    }
    let c = Completion { enrolled: 105, completed: 103 };
    assert_eq!(hocvuso::model::TargetStatus::of(TargetMetric::LearnersTrained, 120, c).needed, Some(17));
    assert_eq!(hocvuso::model::TargetStatus::of(TargetMetric::Enrolments, 100, c).needed, Some(0));
}

async fn rows_behind_target_carry_needed(db: DatabaseConnection) {
    campaign(&db).await;
    let raw = Raw::load(&db).await;
    let admin = admin();
    for (commune, metric, value) in [("4465", "completion_rate", "95"), ("4456", "learners_trained", "500")] {
        let form = TargetForm {
            unit_kind: "commune".into(),
            unit: commune.into(),
            period: String::new(),
            metric: metric.into(),
            value: value.into(),
        };
        targets::set(&db, &admin, &form).await.unwrap();
    }
    let filter = DashboardFilter { sort: Some("needed".into()), ..by("commune", Some("15")) };
    let table = dashboard::completion(&db, &admin, Area::Country, &filter).await.unwrap();
    let khao_mang = raw.communes[&4465].0;
    let mu_cang_chai = raw.communes[&4456].0;
    let expected =
        [("4456", Some(500 - mu_cang_chai.completed)), ("4465", Some(needed_by_trying(khao_mang, 950).unwrap()))];
    let mut expected = expected.to_vec();
    expected.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let got: Vec<(&str, Option<i64>)> = table.rows.iter().take(2).map(|r| (r.id.as_str(), r.needed)).collect();
    assert_eq!(got, expected, "sorted by needed, most first");
    assert!(table.rows[2..].iter().all(|r| r.needed.is_none()), "no target, nothing needed");
    assert!(expected.iter().all(|(_, n)| n.unwrap() > 0));
}

on_both_databases!(needed_exact, rows_behind_target_carry_needed);
