//! The counters equal a recomputation from the raw rows after every step of a long random sequence.
use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use hocvuso::model::Source;
use hocvuso::model::{CourseForm, UnitForm};
use hocvuso::on_both_databases;
use hocvuso::service::enrolment::{self, Completion};
use hocvuso::service::learner::{self, NewLearner};
use hocvuso::service::stats;
use hocvuso::service::units;

use crate::Lcg;

fn day(rng: &mut Lcg) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap() + Duration::hours(rng.below(24 * 600) as i64)
}

/// Units in two provinces, so moves cross province totals too.
const COMMUNES: [i32; 4] = [4465, 4456, 4492, 70];

async fn counters_equal_recomputation_after_every_step(db: DatabaseConnection) {
    let mut rng = Lcg(2026);
    // Units in two provinces (Lào Cai 15, Hà Nội 1), made through the services organisers use.
    let admin = crate::registration::admin();
    let mut organisations = vec![None];
    for (i, (province, commune)) in [(15, "4465"), (1, "70")].into_iter().enumerate() {
        let form = UnitForm {
            name: format!("Cơ quan {i}"),
            commune: commune.into(),
            kind: Some("co_quan".into()),
            ..UnitForm::default()
        };
        organisations.push(Some(units::create_organisation(&db, &admin, province, &form).await.unwrap().id));
    }
    let mut teams = vec![None];
    for (i, (province, commune)) in [(15, "4465"), (15, "4456"), (1, "70")].into_iter().enumerate() {
        let form = UnitForm { name: format!("Đội hình {i}"), commune: commune.into(), ..UnitForm::default() };
        teams.push(Some(units::create_team(&db, &admin, province, &form).await.unwrap().id));
    }
    let mut courses = Vec::new();
    for code in ["A1", "B1", "C1"] {
        let form = CourseForm {
            code: code.into(),
            title: format!("Khoá {code}"),
            platform: "test".into(),
            hours: "4".into(),
            ..CourseForm::default()
        };
        courses.push(hocvuso::service::courses::create(&db, &admin, &form).await.unwrap().id);
    }

    let mut learners: Vec<Uuid> = Vec::new();
    let mut enrolments: Vec<Uuid> = Vec::new();
    let mut counts = [0usize; 8];
    for step in 0..400 {
        let op = if learners.is_empty() {
            0
        } else if enrolments.is_empty() {
            rng.below(2)
        } else {
            rng.below(8)
        };
        match op {
            0 => {
                let l = learner::register(
                    &db,
                    NewLearner {
                        full_name: format!("Học viên {step}"),
                        birth_date: None,
                        gender: "khac".into(),
                        phone: None,
                        commune: COMMUNES[rng.below(COMMUNES.len())],
                        organisation: organisations[rng.below(organisations.len())],
                        team: teams[rng.below(teams.len())],
                        consent_version: Some("test".into()),
                        registered_by: None,
                        registered_at: day(&mut rng),
                        citizen_id_hash: None,
                    },
                )
                .await
                .unwrap();
                learners.push(l.id);
            }
            1 => {
                let l = learners[rng.below(learners.len())];
                let c = courses[rng.below(courses.len())];
                let e = enrolment::enrol(&db, l, c, day(&mut rng), Source::Form).await.unwrap();
                if !enrolments.contains(&e.id) {
                    enrolments.push(e.id);
                }
            }
            2 => {
                let e = enrolments[rng.below(enrolments.len())];
                let completion =
                    Completion { at: day(&mut rng), score: Some(80.0), certificate_no: None, source: Source::Api };
                enrolment::complete(&db, e, completion).await.unwrap();
            }
            3 => {
                enrolment::uncomplete(&db, enrolments[rng.below(enrolments.len())]).await.unwrap();
            }
            4 => {
                let l = learners[rng.below(learners.len())];
                let commune = COMMUNES[rng.below(COMMUNES.len())];
                learner::move_to(
                    &db,
                    l,
                    commune,
                    organisations[rng.below(organisations.len())],
                    teams[rng.below(teams.len())],
                )
                .await
                .unwrap();
            }
            5 => {
                let e = enrolments.swap_remove(rng.below(enrolments.len()));
                enrolment::remove(&db, e).await.unwrap();
            }
            6 => {
                let l = learners[rng.below(learners.len())];
                learner::set_active(&db, l, rng.below(3) != 0).await.unwrap();
            }
            _ => {
                // Erasure on request changes no counter at all (the learner stays, anonymous).
                let l = learners[rng.below(learners.len())];
                let row = hocvuso::entity::learner::Entity::find_by_id(l).one(&db).await.unwrap().unwrap();
                let before = stats::stored(&db).await.unwrap();
                match hocvuso::service::privacy::erase(&db, &admin, &row.code).await {
                    Ok(()) => assert!(row.erased_at.is_none()),
                    Err(err) => assert_eq!((err, row.erased_at.is_some()), (hocvuso::Error::NotFound, true)),
                }
                assert_eq!(stats::stored(&db).await.unwrap(), before, "step {step}: erasure moved a counter");
            }
        }
        counts[op] += 1;
        let differences = stats::verify(&db).await.unwrap();
        assert!(
            differences.is_empty(),
            "step {step}, op {op}: {}",
            differences.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
        );
    }
    // The sequence really exercised every kind of change.
    assert!(counts.iter().all(|&n| n >= 10), "operations per kind: {counts:?}");
    assert!(!stats::stored(&db).await.unwrap().is_empty());
}

on_both_databases!(counter_property, counters_equal_recomputation_after_every_step);

async fn rebuild_repairs_a_tampered_counter(db: DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    hocvuso::service::demo::seed_demo(&db).await.unwrap();
    db.execute_unprepared(
        "UPDATE stat_counter SET enrolled = enrolled + 5 WHERE unit_kind = 'province' AND course_id = '' AND week = 0",
    )
    .await
    .unwrap();
    let differences = stats::verify(&db).await.unwrap();
    assert_eq!(differences.len(), 1);
    assert_eq!(differences[0].stored.enrolled, 7683);
    assert_eq!(differences[0].recomputed.enrolled, 7678);
    stats::rebuild(&db).await.unwrap();
    assert_eq!(stats::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(rebuild, rebuild_repairs_a_tampered_counter);
