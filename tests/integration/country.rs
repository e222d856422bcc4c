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
    Area, Completion, CompletionRow, CourseForm, DashboardFilter, Source, TargetForm, TargetMetric, UnitForm, UnitKind,
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
            let (completion, learners) = raw.of(UnitKind::Province, row.id.parse().unwrap());
            assert_eq!((row.completion, row.learners), (completion, learners), "{}", row.name);
        }
        let sum = raw.sum(UnitKind::Province);
        assert_eq!((table.total.completion, table.total.learners), sum);
        assert_eq!(sum.0.enrolled, raw.sum(UnitKind::Commune).0.enrolled);
    }

    // Each province by commune, named by code; the country's communes all at once.
    for province in [1, 15, 79] {
        let code = province.to_string();
        let table = dashboard::completion(&db, &admin, Area::Country, &by("commune", Some(&code))).await.unwrap();
        assert_eq!(table.area, Area::Province(province));
        let expected = COMMUNES.iter().filter(|(p, _)| *p == province).count();
        assert_eq!(table.rows.iter().filter(|r| r.completion.enrolled > 0 || r.learners > 0).count(), expected);
        for row in &table.rows {
            let (completion, learners) = raw.of(UnitKind::Commune, row.id.parse().unwrap());
            assert_eq!((row.completion, row.learners), (completion, learners), "{} in {province}", row.name);
        }
        assert_eq!((table.total.completion, table.total.learners), raw.of(UnitKind::Province, province));
    }
    let all = dashboard::completion(&db, &admin, Area::Country, &by("commune", Some("all"))).await.unwrap();
    assert_eq!(all.rows.len(), 3321);
    assert_eq!(all.rows.iter().map(|r| r.completion.enrolled).sum::<i64>(), all.total.completion.enrolled);

    // The overview of the country lists provinces, ranked fairly: below 20 enrolments, unranked.
    let country = overview::overview(&db, &admin, Area::Country, None, None).await.unwrap();
    assert_eq!((country.area, country.unit_kind, country.units.len()), (Area::Country, UnitKind::Province, 34));
    for unit in &country.units {
        let (completion, learners) = raw.of(UnitKind::Province, unit.id.parse().unwrap());
        assert_eq!((unit.completion, unit.learners), (completion, learners));
        assert_eq!(unit.rank.is_some(), completion.enrolled >= 20, "{}", unit.name);
    }
    assert_eq!(country.units.iter().filter(|u| u.rank.is_some()).count(), 2, "Hà Nội has too few to rank");
    let lao_cai = overview::overview(&db, &admin, Area::Country, Some("15"), None).await.unwrap();
    assert_eq!((lao_cai.area, lao_cai.unit_kind, lao_cai.units.len()), (Area::Province(15), UnitKind::Commune, 99));
    assert_eq!((lao_cai.completion, lao_cai.learners), raw.of(UnitKind::Province, 15));
    assert_eq!(overview::overview(&db, &admin, Area::Country, Some("99"), None).await.unwrap_err(), Error::NotFound);

    // The leaderboard by province and the country's weekly report.
    let week = IsoWeek::parse("2026-W40").unwrap();
    let board = dashboard::leaderboard(&db, &admin, Area::Country, &by("province", None), week, 20).await.unwrap();
    assert_eq!(board.ranked.len() + board.unranked.len(), 34);
    assert_eq!(board.ranked.len(), 2);
    let weekly = report::weekly(&db, &admin, Area::Country, None, None, week).await.unwrap();
    assert_eq!((weekly.area, weekly.provinces.len(), weekly.communes.len()), (Area::Country, 34, 3321));
    let weekly = report::weekly(&db, &admin, Area::Country, Some("79"), None, week).await.unwrap();
    assert_eq!((weekly.area, weekly.provinces.len()), (Area::Province(79), 0));
    assert_eq!(weekly.total.completion, raw.of(UnitKind::Province, 79).0);

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
        assert_eq!((table.total.completion, table.total.learners), raw.of(UnitKind::Province, 15));
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
        overview::overview(&db, &lao_cai, Area::Country, Some("1"), None).await.map(|_| ()),
        report::weekly(&db, &lao_cai, Area::Country, Some("79"), None, IsoWeek(202640)).await.map(|_| ()),
        dashboard::leaderboard(&db, &lao_cai, Area::Country, &by("commune", Some("1")), IsoWeek(202640), 20)
            .await
            .map(|_| ()),
    ] {
        assert_eq!(refused, Err(Error::NotFound));
    }
    let own = overview::overview(&db, &lao_cai, Area::Country, None, None).await?;
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
    assert_eq!(units::create_team(&db, &lao_cai, Area::Country, &far_team).await.unwrap_err(), Error::Forbidden);
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
    let outside = Error::invalid("scope", hocvuso::i18n::Text::UnknownCommune);
    for (username, communes) in [("tochuc.vungtau", &[26506][..]), ("tochuc.hai", &[4465, 70][..])] {
        let refused = accounts::create_organiser(&db, &lao_cai, username, "Tổ chức", PASSWORD, &scope(communes)).await;
        assert_eq!(refused.unwrap_err(), outside, "{communes:?}: wholly or partly outside the province");
    }
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
        group: String::new(),
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

/// A row with these figures and nothing else.
fn row_of(completion: Completion, trained: i64, population: Option<i64>) -> CompletionRow {
    CompletionRow {
        id: String::new(),
        name: String::new(),
        completion,
        learners: 0,
        new_enrolled: 0,
        new_completed: 0,
        trained,
        population,
        targets: vec![],
        needed: None,
    }
}

#[test]
fn needed_is_the_fewest_completions_that_meet_the_target() {
    use hocvuso::model::TargetStatus;
    for enrolled in 0..60 {
        for completed in 0..=enrolled {
            let c = Completion { enrolled, completed };
            for target in [0, 1, 333, 500, 667, 750, 760, 800, 955, 999, 1000] {
                let status = TargetStatus::of(TargetMetric::CompletionRate, target, &row_of(c, 0, None));
                let expected = if status.met { Some(0) } else { needed_by_trying(c, target) };
                assert_eq!(status.needed, expected, "{completed}/{enrolled} against {target}");
                // Coverage counts learners trained against the population the same way (a population is never 0).
                if enrolled > 0 {
                    let row = row_of(c, completed, Some(enrolled));
                    let coverage = TargetStatus::of(TargetMetric::Coverage, target, &row);
                    assert_eq!(coverage.needed, expected, "{completed} trained of {enrolled} people against {target}");
                }
            }
        }
    }
    let c = Completion { enrolled: 105, completed: 103 };
    assert_eq!(TargetStatus::of(TargetMetric::LearnersTrained, 120, &row_of(c, 0, None)).needed, Some(17));
    assert_eq!(TargetStatus::of(TargetMetric::Enrolments, 100, &row_of(c, 0, None)).needed, Some(0));
    let unknown = TargetStatus::of(TargetMetric::Coverage, 500, &row_of(c, 90, None));
    assert_eq!((unknown.met, unknown.needed), (false, None), "no population: coverage cannot be said");
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
            group: String::new(),
        };
        targets::set(&db, &admin, &form).await.unwrap();
    }
    let filter = DashboardFilter { sort: Some("needed".into()), ..by("commune", Some("15")) };
    let table = dashboard::completion(&db, &admin, Area::Country, &filter).await.unwrap();
    let khao_mang = raw.of(UnitKind::Commune, 4465).0;
    let mu_cang_chai = raw.of(UnitKind::Commune, 4456).0;
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

/// Enrolments, completions, learners and learners trained per (province or commune, group), from the
/// raw rows; the group None is every learner.
/// A province or commune, and a group (None: every learner).
type UnitGroup = (UnitKind, i32, Option<hocvuso::model::LearnerGroup>);

#[derive(Default)]
struct Raw(HashMap<UnitGroup, (Completion, i64, i64)>);

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
        let mut raw = Raw::default();
        let keys = |l: &learner::Model| -> Vec<UnitGroup> {
            let units = [(UnitKind::Province, province_of[&l.commune_code]), (UnitKind::Commune, l.commune_code)];
            let groups: Vec<_> = std::iter::once(None).chain(l.learner_group.map(Some)).collect();
            units.into_iter().flat_map(|(kind, id)| groups.iter().map(move |g| (kind, id, *g))).collect()
        };
        let mut trained: std::collections::HashSet<Uuid> = Default::default();
        for e in enrolment::Entity::find().all(db).await.unwrap() {
            let Some(l) = learners.get(&e.learner_id) else { continue };
            let completed = e.status == hocvuso::model::EnrolmentStatus::Completed;
            for key in keys(l) {
                let entry = raw.0.entry(key).or_default();
                entry.0.enrolled += 1;
                entry.0.completed += completed as i64;
            }
            if completed {
                trained.insert(l.id);
            }
        }
        for l in learners.values() {
            for key in keys(l) {
                let entry = raw.0.entry(key).or_default();
                entry.1 += 1;
                entry.2 += trained.contains(&l.id) as i64;
            }
        }
        raw
    }

    fn get(&self, kind: UnitKind, id: i32, group: Option<hocvuso::model::LearnerGroup>) -> (Completion, i64, i64) {
        self.0.get(&(kind, id, group)).copied().unwrap_or_default()
    }

    /// Enrolments, completions and learners of a province (or commune), every learner.
    fn of(&self, kind: UnitKind, id: i32) -> (Completion, i64) {
        let (completion, learners, _) = self.get(kind, id, None);
        (completion, learners)
    }

    /// The same summed over every province (or commune).
    fn sum(&self, kind: UnitKind) -> (Completion, i64) {
        self.0.iter().filter(|((k, _, g), _)| *k == kind && g.is_none()).fold(
            (Completion::default(), 0),
            |(c, n), (_, (rc, rn, _))| {
                (Completion { enrolled: c.enrolled + rc.enrolled, completed: c.completed + rc.completed }, n + rn)
            },
        )
    }
}

fn figures(row: &CompletionRow) -> (Completion, i64, i64) {
    (row.completion, row.learners, row.trained)
}

async fn every_group_and_coverage_figure_equals_the_raw_rows(db: DatabaseConnection) {
    use hocvuso::model::LearnerGroup;
    use hocvuso::service::statistics::population;
    campaign(&db).await;
    let raw = Raw::load(&db).await;
    let admin = admin();
    let file = "unit_kind,unit,group,year,population\n\
                province,15,all,2026,600\nprovince,15,can_bo,2026,100\nprovince,15,Học sinh,2026,90\n\
                province,15,nguoi_dan,2026,300\nprovince,15,nguoi_lao_dong,2026,110\nprovince,15,all,2025,999\n\
                commune,4465,all,2026,250\ncommune,4456,Người dân,2026,120\nprovince,79,all,2026,400\nprovince,1,all,2024,50\n";
    assert_eq!(population::import(&db, &admin, file.as_bytes()).await.unwrap(), 10);

    // The country by province: trained from the raw rows; the population of this year, else the latest before.
    let table = dashboard::completion(&db, &admin, Area::Country, &by("province", None)).await.unwrap();
    let expected_population = HashMap::from([(15, 600), (79, 400), (1, 50)]);
    for row in &table.rows {
        let code: i32 = row.id.parse().unwrap();
        assert_eq!(figures(row), raw.get(UnitKind::Province, code, None), "{}", row.name);
        assert_eq!(row.population, expected_population.get(&code).copied(), "{}", row.name);
        assert_eq!(row.coverage(), row.population.map(|p| row.trained as f64 / p as f64));
    }
    assert_eq!(table.total.population, None, "not every province has a population");

    // Every commune of the country in one view (read through the index of all-time rows).
    for group in [None, Some(LearnerGroup::CanBo)] {
        let filter = DashboardFilter { group: group.map(|g| g.as_str().to_string()), ..by("commune", None) };
        let table = dashboard::completion(&db, &admin, Area::Country, &filter).await.unwrap();
        assert_eq!(table.rows.len(), 3321);
        for row in &table.rows {
            let code: i32 = row.id.parse().unwrap();
            assert_eq!(figures(row), raw.get(UnitKind::Commune, code, group), "{} {group:?}", row.name);
        }
    }

    // A province by commune, for everyone and for one group.
    for group in [None, Some(LearnerGroup::NguoiDan), Some(LearnerGroup::CanBo)] {
        let filter = DashboardFilter { group: group.map(|g| g.as_str().to_string()), ..by("commune", Some("15")) };
        let table = dashboard::completion(&db, &admin, Area::Country, &filter).await.unwrap();
        for row in &table.rows {
            let code: i32 = row.id.parse().unwrap();
            assert_eq!(figures(row), raw.get(UnitKind::Commune, code, group), "{} {group:?}", row.name);
            let population = match (code, group) {
                (4465, None) => Some(250),
                (4456, Some(LearnerGroup::NguoiDan)) => Some(120),
                _ => None,
            };
            assert_eq!(row.population, population, "{} {group:?}", row.name);
        }
        assert_eq!(figures(&table.total), raw.get(UnitKind::Province, 15, group));
        let expected = match group {
            None => 600,
            Some(LearnerGroup::NguoiDan) => 300,
            Some(_) => 100,
        };
        assert_eq!(table.total.population, Some(expected));
    }

    // The plan's five indicators, and by=group: each group, then the unclassified.
    let table = dashboard::completion(&db, &admin, Area::Country, &by("group", Some("15"))).await.unwrap();
    assert!(table.by_group);
    let populations = [Some(600), Some(100), Some(90), Some(300), Some(110)];
    for (indicator, population) in table.groups.iter().zip(populations) {
        assert_eq!(figures(&indicator.row), raw.get(UnitKind::Province, 15, indicator.group), "{:?}", indicator.group);
        assert_eq!(indicator.row.population, population);
    }
    assert_eq!(table.groups.len(), 5);
    assert_eq!(table.rows.len(), 5);
    for (row, group) in table.rows.iter().zip(LearnerGroup::ALL) {
        assert_eq!((row.id.as_str(), figures(row)), (group.as_str(), raw.get(UnitKind::Province, 15, Some(group))));
    }
    let everyone = raw.get(UnitKind::Province, 15, None);
    let classified = LearnerGroup::ALL.map(|g| raw.get(UnitKind::Province, 15, Some(g)));
    let unclassified = &table.rows[4];
    assert_eq!(unclassified.learners, everyone.1 - classified.iter().map(|c| c.1).sum::<i64>());
    assert_eq!(unclassified.trained, everyone.2 - classified.iter().map(|c| c.2).sum::<i64>());
    assert!(unclassified.learners > 0, "the campaign leaves one learner in five unclassified");

    // `group=` on the overview and the weekly report too.
    let cadres = overview::overview(&db, &admin, Area::Country, Some("15"), Some("Cán bộ")).await.unwrap();
    let expected = raw.get(UnitKind::Province, 15, Some(LearnerGroup::CanBo));
    assert_eq!((cadres.completion, cadres.learners), (expected.0, expected.1));
    let weekly = report::weekly(&db, &admin, Area::Country, Some("15"), Some("can_bo"), IsoWeek(202652)).await.unwrap();
    assert_eq!(weekly.total.completion, expected.0);
    assert_eq!(
        overview::overview(&db, &admin, Area::Country, None, Some("giao_vien")).await.unwrap_err(),
        Error::invalid("group", hocvuso::i18n::Text::LearnerGroupUnknown)
    );

    // A period in 2025 takes 2025's population.
    let in_2025 = DashboardFilter { period: Some("2025".into()), ..by("province", None) };
    let table = dashboard::completion(&db, &admin, Area::Country, &in_2025).await.unwrap();
    assert_eq!(table.rows.iter().find(|r| r.id == "15").unwrap().population, Some(999));

    // A coverage target: what is still needed is learners trained, found by trying.
    let target = TargetForm {
        unit_kind: "province".into(),
        unit: "15".into(),
        period: String::new(),
        metric: "coverage".into(),
        value: "45,5".into(),
        group: String::new(),
    };
    targets::set(&db, &admin, &target).await.unwrap();
    let table = dashboard::completion(&db, &admin, Area::Country, &by("commune", Some("15"))).await.unwrap();
    let trained = everyone.2;
    let status = table.total.targets.iter().find(|t| t.metric == TargetMetric::Coverage).unwrap();
    let by_trying = (0..=600 - trained)
        .find(|n| row_of(Completion::default(), trained + n, Some(600)).coverage_tenths().unwrap() >= 455)
        .unwrap();
    assert_eq!((status.target, status.needed), (455, Some(by_trying)));
    assert_eq!(status.met, by_trying == 0);

    // Targets per group, as a plan sets them: each group's row of the plan's indicators (and of
    // by=group, and a dashboard filtered by the group) is held to its own, by its own population.
    let file = "unit_kind,unit,period,metric,value,Đối tượng\nprovince,15,,coverage,90,Cán bộ\n\
                province,15,,coverage,20,nguoi_dan\nprovince,15,,learners_trained,1,all\n";
    assert_eq!(targets::import(&db, &admin, file.as_bytes()).await.unwrap(), 3);
    let coverage_needed = |trained: i64, population: i64, tenths: i64| {
        (0..=population)
            .find(|n| row_of(Completion::default(), trained + n, Some(population)).coverage_tenths().unwrap() >= tenths)
    };
    let table = dashboard::completion(&db, &admin, Area::Country, &by("group", Some("15"))).await.unwrap();
    for indicator in &table.groups {
        let trained = raw.get(UnitKind::Province, 15, indicator.group).2;
        let coverage: Vec<(i64, Option<i64>)> = indicator
            .row
            .targets
            .iter()
            .filter(|t| t.metric == TargetMetric::Coverage)
            .map(|t| (t.target, t.needed))
            .collect();
        let expected = match indicator.group {
            None => vec![(455, coverage_needed(trained, 600, 455))],
            Some(LearnerGroup::CanBo) => vec![(900, coverage_needed(trained, 100, 900))],
            Some(LearnerGroup::NguoiDan) => vec![(200, coverage_needed(trained, 300, 200))],
            Some(_) => vec![],
        };
        assert_eq!(coverage, expected, "{:?}", indicator.group);
        let others: Vec<TargetMetric> =
            indicator.row.targets.iter().map(|t| t.metric).filter(|m| *m != TargetMetric::Coverage).collect();
        let expected_others = if indicator.group.is_none() { vec![TargetMetric::LearnersTrained] } else { vec![] };
        assert_eq!(others, expected_others, "{:?}", indicator.group);
    }
    let cadres = table.rows.iter().find(|r| r.id == "can_bo").unwrap();
    assert_eq!(cadres.targets.len(), 1);
    assert_eq!(cadres.needed, coverage_needed(raw.get(UnitKind::Province, 15, Some(LearnerGroup::CanBo)).2, 100, 900));
    assert!(table.rows[4].targets.is_empty(), "no target for the unclassified");
    let filter = DashboardFilter { group: Some("can_bo".into()), ..by("commune", Some("15")) };
    let table = dashboard::completion(&db, &admin, Area::Country, &filter).await.unwrap();
    let got: Vec<(TargetMetric, i64)> = table.total.targets.iter().map(|t| (t.metric, t.target)).collect();
    assert_eq!(got, [(TargetMetric::Coverage, 900)], "the cadres' target, not everyone's");
    let listed: Vec<(String, Option<LearnerGroup>, i64)> = targets::list(&db, &admin)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.unit_id == "15")
        .map(|t| (t.metric.as_str().to_string(), t.group, t.value))
        .collect();
    assert_eq!(
        listed,
        [
            ("coverage".to_string(), None, 455),
            ("learners_trained".to_string(), None, 1),
            ("coverage".to_string(), Some(LearnerGroup::CanBo), 900),
            ("coverage".to_string(), Some(LearnerGroup::NguoiDan), 200),
        ]
    );
    let bad = "unit_kind,unit,period,metric,value,group\nprovince,15,,coverage,50,giao_vien\n";
    match targets::import(&db, &admin, bad.as_bytes()).await {
        Err(Error::InvalidRows(rows)) => {
            let got: Vec<(u64, &str, &str)> =
                rows.iter().map(|r| (r.line, r.column.as_str(), r.value.as_str())).collect();
            assert_eq!(got, [(2, "group", "giao_vien")]);
        }
        other => panic!("{other:?}"),
    }

    // A bad file: every bad row named, nothing written.
    let bad = "unit_kind,unit,group,year,population\nteam,x,all,2026,5\ncommune,99999,all,2026,5\n\
               province,15,giao_vien,2026,5\nprovince,15,all,1999,5\nprovince,15,all,2026,-5\nprovince,15,all,2026,1\n";
    match population::import(&db, &admin, bad.as_bytes()).await {
        Err(Error::InvalidRows(rows)) => {
            let got: Vec<(u64, &str)> = rows.iter().map(|r| (r.line, r.column.as_str())).collect();
            assert_eq!(got, [(2, "unit_kind"), (3, "unit"), (4, "group"), (5, "year"), (6, "population")]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(population::list(&db, &admin).await.unwrap().len(), 10, "nothing written");
    // A province admin sets figures in their province only.
    let lao_cai = province_admin(&db, "quantri.laocai", 15).await;
    let elsewhere = "unit_kind,unit,group,year,population\nprovince,79,all,2027,5\n";
    assert!(matches!(population::import(&db, &lao_cai, elsewhere.as_bytes()).await, Err(Error::InvalidRows(_))));
    assert_eq!(population::list(&db, &lao_cai).await.unwrap().len(), 8, "Lào Cai's figures only");
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(coverage_exact, every_group_and_coverage_figure_equals_the_raw_rows);
