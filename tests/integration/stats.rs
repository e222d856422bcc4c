//! The counters equal a recomputation from the raw rows after every step of a long random sequence
//! of changes, each made through a writer production uses: the registration form and the learner
//! file, the card's forms (enrol, progress, complete, undo), REST completions, the completion file,
//! xAPI statements, edits that move a learner, deactivation and erasure.
use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::DatabaseConnection;

use hocvuso::auth::{Actor, TokenActor, TokenScope};
use hocvuso::model::{CompletionReport, CourseForm, LearnerForm, Source, UnitForm};
use hocvuso::on_both_databases;
use hocvuso::service::imports::learners::{ImportOptions, import_learners};
use hocvuso::service::{enrolments::progress, imports::completions, learners::registration, statistics, units};

use crate::Lcg;

fn day(rng: &mut Lcg) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap() + Duration::hours(rng.below(24 * 600) as i64)
}

/// Communes in two provinces (Lào Cai 15, Hà Nội 1), so moves cross province totals too.
const COMMUNES: [(i32, i32); 4] = [(15, 4465), (15, 4456), (15, 4492), (1, 70)];
const COURSES: [&str; 3] = ["A1", "B1", "C1"];
const SYLLABLES: [&str; 10] = ["Không", "Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín"];

/// A learner as the sequence knows them: their code, the form that registered them, their province.
struct Known {
    code: String,
    form: LearnerForm,
    province: i32,
}

fn form(step: usize, commune: i32, organisation: &Option<String>, team: &Option<String>) -> LearnerForm {
    LearnerForm {
        // Names take no digits: the step written in syllables.
        full_name: format!(
            "Học Viên {}",
            step.to_string().chars().map(|d| SYLLABLES[d as usize - '0' as usize]).collect::<Vec<_>>().join(" ")
        ),
        birth_date: "05/03/1990".into(),
        gender: "khac".into(),
        phone: format!("0912{step:06}"),
        commune: commune.to_string(),
        province: None,
        organisation: organisation.clone(),
        team: team.clone(),
        group: None,
        consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
    }
}

async fn counters_equal_recomputation_after_every_step(db: DatabaseConnection) {
    let mut rng = Lcg(2026);
    let admin = crate::registration::admin();
    let ingest = Actor::Token(TokenActor { id: uuid::Uuid::now_v7(), name: "mooc".into(), scope: TokenScope::Ingest });
    // Units in both provinces, made through the services organisers use.
    let mut organisations = Vec::new();
    for (i, (province, commune)) in [(15, "4465"), (1, "70")].into_iter().enumerate() {
        let form = UnitForm {
            name: format!("Cơ quan {i}"),
            commune: commune.into(),
            kind: Some("co_quan".into()),
            ..UnitForm::default()
        };
        let id =
            units::create_organisation(&db, &admin, hocvuso::model::Area::Province(province), &form).await.unwrap().id;
        organisations.push((province, id.to_string()));
    }
    let mut teams = Vec::new();
    for (i, (province, commune)) in [(15, "4465"), (15, "4456"), (1, "70")].into_iter().enumerate() {
        let form = UnitForm { name: format!("Đội hình {i}"), commune: commune.into(), ..UnitForm::default() };
        teams.push((
            province,
            units::create_team(&db, &admin, hocvuso::model::Area::Province(province), &form)
                .await
                .unwrap()
                .id
                .to_string(),
        ));
    }
    for code in COURSES {
        let form = CourseForm {
            code: code.into(),
            title: format!("Khoá {code}"),
            platform: "test".into(),
            url: Some(format!("https://mooc.example.edu.vn/courses/{code}")),
            hours: "4".into(),
            ..CourseForm::default()
        };
        hocvuso::service::enrolments::courses::create(&db, &admin, &form).await.unwrap();
    }

    let mut learners: Vec<Known> = Vec::new();
    let mut counts = [0usize; 11];
    let mut refused = 0;
    for step in 0..400 {
        let op = if learners.is_empty() { rng.below(2) } else { rng.below(counts.len()) };
        let (province, commune) = COMMUNES[rng.below(COMMUNES.len())];
        // None, or a unit of the chosen province (a unit of another is refused, and tried now and then).
        let mut unit = |units: &[(i32, String)]| {
            let here: Vec<&String> =
                units.iter().filter(|(p, _)| *p == province || rng.below(10) == 0).map(|(_, id)| id).collect();
            let pick = rng.below(here.len() + 1);
            here.get(pick).map(|id| id.to_string())
        };
        let (organisation, team) = (&unit(&organisations), &unit(&teams));
        let course = COURSES[rng.below(COURSES.len())];
        let someone = (!learners.is_empty()).then(|| rng.below(learners.len()));
        let code = someone.map(|i| learners[i].code.clone()).unwrap_or_default();
        let date = day(&mut rng);
        let before = statistics::stored(&db).await.unwrap();
        // Units of another province are refused by the form, as they would be on the page: nothing moves then.
        let outcome: Result<(), hocvuso::Error> = match op {
            0 => {
                let form = form(step, commune, organisation, team);
                registration::register(&db, &admin, hocvuso::model::Area::Province(province), &form).await.map(|done| {
                    learners.push(Known { code: done.learner.code, form, province });
                })
            }
            1 => {
                // The learner file: one or two people a file, written many rows a statement.
                let people: Vec<LearnerForm> =
                    (0..1 + rng.below(2)).map(|i| form(step * 10 + 1000 + i, commune, &None, &None)).collect();
                let mut file = String::from("full_name,birth_date,gender,phone,commune\n");
                for p in &people {
                    file.push_str(&format!(
                        "{},{},{},{},{}\n",
                        p.full_name, p.birth_date, p.gender, p.phone, p.commune
                    ));
                }
                let options = ImportOptions {
                    consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
                    ..Default::default()
                };
                match import_learners(&db, &admin, hocvuso::model::Area::Province(province), file.as_bytes(), &options)
                    .await
                {
                    Ok(_) => {
                        for p in people {
                            let filter =
                                hocvuso::model::LearnerFilter { q: Some(p.phone.clone()), ..Default::default() };
                            let found = registration::search(&db, &admin, &filter).await.unwrap().rows.remove(0);
                            learners.push(Known { code: found.code, form: p, province });
                        }
                        Ok(())
                    }
                    Err(err) => Err(err),
                }
            }
            2 => progress::enrol(&db, &admin, &code, course, Source::Form).await.map(drop),
            3 => progress::set_progress(&db, &admin, &code, course, rng.below(101) as i32).await.map(drop),
            4 => {
                let report = CompletionReport {
                    learner_code: code.clone(),
                    course_code: course.into(),
                    completed_at: date.format("%d/%m/%Y").to_string(),
                    score: Some(8.5),
                    certificate_no: None,
                };
                let source = if rng.below(2) == 0 { Source::Form } else { Source::Api };
                progress::record_completion(&db, &admin, &report, source).await.map(drop)
            }
            5 => progress::undo_completion(&db, &admin, &code, course).await.map(drop),
            6 => {
                // The completion file: completed, or reopened ("enrolled"), a row at a time.
                let status = if rng.below(3) == 0 { "enrolled" } else { "completed" };
                let file = format!(
                    "learner_code,course_code,status,completed_at\n{code},{course},{status},{}\n",
                    if status == "completed" { date.format("%d/%m/%Y").to_string() } else { String::new() }
                );
                completions::import_completions(&db, &ingest, file.as_bytes(), &ImportOptions::default())
                    .await
                    .map(drop)
            }
            7 => {
                let statement = serde_json::json!({
                    "id": uuid::Uuid::new_v4(),
                    "actor": {"objectType": "Agent", "account": {"homePage": "https://mooc.example.edu.vn", "name": code}},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                    "object": {"id": format!("https://mooc.example.edu.vn/courses/{course}"), "objectType": "Activity"},
                    "result": {"completion": true},
                    "timestamp": date.to_rfc3339(),
                });
                hocvuso::service::lrs::statements::post(&db, &ingest, statement, Vec::new()).await.map(drop)
            }
            8 => {
                // An edit that moves the learner (place, organisation, team), as the edit form sends it.
                let known = &mut learners[someone.unwrap()];
                let mut moved = known.form.clone();
                (moved.commune, moved.organisation, moved.team) =
                    (commune.to_string(), organisation.clone(), team.clone());
                let result =
                    registration::update(&db, &admin, hocvuso::model::Area::Province(province), &known.code, &moved)
                        .await;
                if result.is_ok() {
                    (known.form, known.province) = (moved, province);
                }
                result.map(drop)
            }
            9 => registration::set_active(&db, &admin, &code, rng.below(3) != 0).await.map(drop),
            _ => {
                // Erasure on request changes no counter at all (the learner stays, anonymous).
                let erased = hocvuso::service::learners::privacy::erase(&db, &admin, &code).await;
                if erased.is_ok() {
                    learners.remove(someone.unwrap());
                }
                assert_eq!(statistics::stored(&db).await.unwrap(), before, "step {step}: erasure moved a counter");
                erased
            }
        };
        match outcome {
            Ok(()) => counts[op] += 1,
            Err(err) => {
                if std::env::var("SHOW_REFUSALS").is_ok() {
                    eprintln!("step {step}, op {op}: {err:?}");
                }
                refused += 1;
                assert_eq!(
                    statistics::stored(&db).await.unwrap(),
                    before,
                    "step {step}, op {op}: a refusal moved a counter"
                );
            }
        }
        let differences = statistics::verify(&db).await.unwrap();
        assert!(
            differences.is_empty(),
            "step {step}, op {op}: {}",
            differences.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
        );
    }
    // The sequence really exercised every writer.
    assert!(counts.iter().all(|&n| n >= 5), "changes per writer: {counts:?} ({refused} refused)");
    assert!(!statistics::stored(&db).await.unwrap().is_empty());
}

on_both_databases!(counter_property, counters_equal_recomputation_after_every_step);

async fn rebuild_repairs_a_tampered_counter(db: DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    hocvuso::service::demo::seed_demo(&db).await.unwrap();
    db.execute_unprepared(
        "UPDATE stat_counter SET enrolled = enrolled + 5 WHERE unit_kind = 'province' AND course_id = '' AND week = 0 \
         AND learner_group = ''",
    )
    .await
    .unwrap();
    let differences = statistics::verify(&db).await.unwrap();
    assert_eq!(differences.len(), 1);
    assert_eq!(differences[0].stored.enrolled, 7683);
    assert_eq!(differences[0].recomputed.enrolled, 7678);
    statistics::rebuild(&db).await.unwrap();
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(rebuild, rebuild_repairs_a_tampered_counter);
