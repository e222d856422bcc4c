//! At-risk learners: the list equals a recomputation from the raw rows for every scope, filter and
//! threshold; a unit outside the caller's scope is 404; only a change of progress or status resets
//! a learner's idle days.
use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use hocvuso::Error;
use hocvuso::auth::{AccountActor, Actor, Role, Scope};
use hocvuso::entity::{course, enrolment, learner};
use hocvuso::i18n::Text;
use hocvuso::model::{Area, AtRiskQuery, CourseForm, EnrolmentStatus, Source, UnitForm};
use hocvuso::on_both_databases;
use hocvuso::service::enrolments::{Completion, completed_row, new_row, stamped};
use hocvuso::service::learners::at_risk::{self, Days, Filter};
use hocvuso::service::{enrolments::courses, enrolments::progress, learners::registration, units};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::Lcg;
use crate::registration::{admin, form, organiser};

/// The moment every list below is read at.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
}

fn organisation_organiser(organisation: Uuid) -> Actor {
    Actor::Account(AccountActor {
        id: Uuid::now_v7(),
        username: "truong".into(),
        display_name: "Trường".into(),
        role: Role::Organiser,
        province: None,
        scope: Scope { communes: Default::default(), organisations: [organisation].into_iter().collect() },
    })
}

fn hanoi_admin() -> Actor {
    Actor::Account(AccountActor {
        id: Uuid::now_v7(),
        username: "quantri.hanoi".into(),
        display_name: "Hà Nội".into(),
        role: Role::Admin,
        province: Some(1),
        scope: Scope { communes: [70].into_iter().collect(), organisations: Default::default() },
    })
}

/// Three courses; two organisations and three teams in Khao Mang (4465) and Mù Cang Chải (4456);
/// 60 learners across those and Púng Luông (4492), one erased and one deactivated; enrolments
/// whose progress, scores and completions happened at known times.
pub struct Campaign {
    school: Uuid,
    office: Uuid,
    school_team: Uuid,
    village_team: Uuid,
    office_team: Uuid,
}

pub async fn campaign(db: &DatabaseConnection) -> Campaign {
    for (code, title) in
        [("KNS-01", "Kỹ năng số cơ bản"), ("KNS-02", "An toàn trên mạng"), ("AI-01", "Trí tuệ nhân tạo")]
    {
        let course = CourseForm {
            code: code.into(),
            title: title.into(),
            platform: "onething.vn".into(),
            hours: "4".into(),
            ..CourseForm::default()
        };
        courses::create(db, &admin(), &course).await.unwrap();
    }
    let unit = |name: &str, commune: &str, kind: Option<&str>, organisation: Option<Uuid>| UnitForm {
        name: name.into(),
        commune: commune.into(),
        kind: kind.map(str::to_string),
        organisation: organisation.map(|o| o.to_string()),
        ..UnitForm::default()
    };
    let db_conn = db;
    let landing = Area::Province(15);
    let school = units::create_organisation(
        db_conn,
        &admin(),
        landing,
        &unit("Trường THCS Khao Mang", "4465", Some("truong_hoc"), None),
    )
    .await
    .unwrap()
    .id;
    let office = units::create_organisation(
        db_conn,
        &admin(),
        landing,
        &unit("UBND xã Mù Cang Chải", "4456", Some("co_quan"), None),
    )
    .await
    .unwrap()
    .id;
    let school_team =
        units::create_team(db_conn, &admin(), landing, &unit("Đội hình trường", "4465", None, Some(school)))
            .await
            .unwrap()
            .id;
    let village_team =
        units::create_team(db_conn, &admin(), landing, &unit("Đội hình bản Pao", "4465", None, None)).await.unwrap().id;
    let office_team = units::create_team(db_conn, &admin(), landing, &unit("Đội hình xã", "4456", None, Some(office)))
        .await
        .unwrap()
        .id;

    let given = ["An", "Bình", "Chi", "Dung", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga"];
    let mut codes = Vec::new();
    for i in 0..60usize {
        let commune = [4465, 4456, 4492][i % 3];
        let (organisation, team) = match (commune, (i / 3) % 4) {
            (4465, 0) => (Some(school), Some(school_team)),
            (4465, 1) => (None, Some(village_team)),
            (4465, 2) => (Some(school), None),
            (4456, 0 | 1) => (Some(office), Some(office_team)),
            (4456, 2) => (Some(office), None),
            _ => (None, None),
        };
        let name = format!("Lò Văn {} {}", given[i % 10], given[i / 10]);
        let mut learner = form(&name, &format!("0362{:06}", 100 + i), &commune.to_string());
        learner.organisation = organisation.map(|o| o.to_string());
        learner.team = team.map(|t| t.to_string());
        codes.push(registration::register(db, &admin(), landing, &learner).await.unwrap().learner.code);
    }
    hocvuso::service::learners::privacy::erase(db, &admin(), &codes[3]).await.unwrap();
    registration::set_active(db, &admin(), &codes[6], false).await.unwrap();

    // Each learner in one to three courses, enrolled up to 40 days ago; then progress, a score
    // changed alone, an outcome sent again, a completion, each at a known time.
    let learners = learner::Entity::find().all(db).await.unwrap();
    let catalogue = course::Entity::find().all(db).await.unwrap();
    let mut rng = Lcg(22);
    let mut rows = Vec::new();
    for l in &learners {
        for c in &catalogue {
            if rng.below(3) == 0 {
                continue;
            }
            let enrolled_at = now() - Duration::days(rng.below(40) as i64) - Duration::minutes(rng.below(1440) as i64);
            let mut row = new_row(l.id, c.id, enrolled_at, Source::Import, enrolled_at);
            let mut at = enrolled_at;
            for _ in 0..rng.below(4) {
                at += Duration::minutes(rng.below(((now() - at).num_minutes().max(1) / 2 + 1) as usize) as i64);
                let was = row.clone();
                row = match rng.below(5) {
                    0 | 1 => {
                        let progress = (was.progress + 10 + rng.below(30) as i32).min(99);
                        stamped(
                            &was,
                            enrolment::Model { progress, status: EnrolmentStatus::InProgress, ..was.clone() },
                            at,
                        )
                    }
                    2 => stamped(&was, enrolment::Model { score: Some(rng.below(100) as f64), ..was.clone() }, at),
                    3 => stamped(&was, was.clone(), at),
                    _ => {
                        let completion =
                            Completion { at, score: Some(80.0), certificate_no: None, source: Source::Import };
                        completed_row(&was, &completion, at)
                    }
                };
            }
            rows.push(row);
        }
    }
    // On the thresholds exactly: enrolled 14 days ago, last moved 7 days ago (both count).
    let exact = new_row(learners[0].id, catalogue[0].id, now() - Duration::days(14), Source::Import, now());
    rows.retain(|r| (r.learner_id, r.course_id) != (exact.learner_id, exact.course_id));
    rows.push(stamped(&exact, enrolment::Model { progress: 5, ..exact.clone() }, now() - Duration::days(7)));
    hocvuso::db::insert_models(db, &rows).await.unwrap();
    Campaign { school, office, school_team, village_team, office_team }
}

/// What a unit filter asks of a learner.
#[derive(Clone, Copy, Debug)]
enum Unit {
    All,
    Team(Uuid),
    Organisation(Uuid),
    Commune(i32),
}

/// The list recomputed from the raw rows: (code, course, last change, days idle, progress), most idle first.
type Expected = Vec<(String, String, DateTime<Utc>, i64, i32)>;

/// Which learners a caller sees as people.
type Sees<'a> = &'a dyn Fn(&learner::Model) -> bool;

/// The rows as stored, read back.
struct Raw {
    enrolments: Vec<enrolment::Model>,
    people: HashMap<Uuid, learner::Model>,
    catalogue: HashMap<Uuid, course::Model>,
}

fn recomputed(raw: &Raw, sees: Sees, unit: Unit, course: Option<&str>, idle: i64, enrolled: i64) -> Expected {
    let Raw { enrolments, people, catalogue } = raw;
    let mut found: Vec<&enrolment::Model> = enrolments
        .iter()
        .filter(|e| {
            let l = &people[&e.learner_id];
            let in_unit = match unit {
                Unit::All => true,
                Unit::Team(t) => l.team_id == Some(t),
                Unit::Organisation(o) => l.organisation_id == Some(o),
                Unit::Commune(c) => l.commune_code == c,
            };
            l.active
                && l.erased_at.is_none()
                && sees(l)
                && in_unit
                && course.is_none_or(|code| catalogue[&e.course_id].code == code)
                && e.status != EnrolmentStatus::Completed
                && now() - e.enrolled_at >= Duration::days(enrolled)
                && now() - e.progress_changed_at >= Duration::days(idle)
        })
        .collect();
    found.sort_by_key(|e| (e.progress_changed_at, e.id));
    found
        .into_iter()
        .map(|e| {
            let days = (now() - e.progress_changed_at).num_days();
            (
                people[&e.learner_id].code.clone(),
                catalogue[&e.course_id].code.clone(),
                e.progress_changed_at,
                days,
                e.progress,
            )
        })
        .collect()
}

/// Every page of the service's list.
async fn listed(db: &DatabaseConnection, actor: &Actor, filter: &Filter) -> Result<Expected, Error> {
    let mut rows = Vec::new();
    let mut filter = filter.clone();
    loop {
        let page = at_risk::list(db, actor, &filter, "https://hocvuso.laocai.gov.vn", now()).await?;
        assert!(page.rows.len() as u64 <= at_risk::PAGE_SIZE);
        rows.extend(
            page.rows.into_iter().map(|r| (r.learner_code, r.course_code, r.last_change, r.days_idle, r.progress)),
        );
        if filter.page * page.page_size >= page.total {
            assert_eq!(rows.len() as u64, page.total, "total is the number of rows");
            return Ok(rows);
        }
        filter.page += 1;
    }
}

async fn at_risk_rows_equal_a_recomputation_from_the_raw_rows(db: DatabaseConnection) {
    let c = campaign(&db).await;
    let raw = Raw {
        enrolments: enrolment::Entity::find().all(&db).await.unwrap(),
        people: learner::Entity::find().all(&db).await.unwrap().into_iter().map(|l| (l.id, l)).collect(),
        catalogue: course::Entity::find().all(&db).await.unwrap().into_iter().map(|c| (c.id, c)).collect(),
    };

    let everyone = |_: &learner::Model| true;
    let khao_mang = |l: &learner::Model| l.commune_code == 4465;
    let school = c.school;
    let school_staff = move |l: &learner::Model| l.organisation_id == Some(school);
    let callers: [(&str, Actor, Sees); 3] = [
        ("admin", admin(), &everyone),
        ("organiser of Khao Mang", organiser(&[4465]), &khao_mang),
        ("organiser of the school", organisation_organiser(c.school), &school_staff),
    ];
    // (unit, course, which callers may ask for it: admin, Khao Mang, school)
    let asks = [
        (Unit::All, None, [true, true, true]),
        (Unit::Team(c.school_team), None, [true, true, true]),
        (Unit::Team(c.village_team), Some("KNS-01"), [true, true, false]),
        (Unit::Team(c.office_team), Some("AI-01"), [true, false, false]),
        (Unit::Organisation(c.school), None, [true, true, true]),
        (Unit::Organisation(c.office), Some("KNS-02"), [true, false, false]),
        (Unit::Commune(4465), None, [true, true, false]),
        (Unit::Commune(4492), Some("KNS-02"), [true, false, false]),
    ];
    let mut compared = 0;
    let mut nonempty = 0;
    for (name, actor, sees) in &callers {
        for (i, (unit, course, allowed)) in asks.iter().enumerate() {
            let caller = callers.iter().position(|(n, _, _)| n == name).unwrap();
            for idle in [0, 3, 7, 30] {
                for enrolled in [0, 7, 14] {
                    let mut filter = Filter::new(Days::new(idle).unwrap(), Days::new(enrolled).unwrap());
                    match unit {
                        Unit::All => {}
                        Unit::Team(t) => filter.team = Some(*t),
                        Unit::Organisation(o) => filter.organisation = Some(*o),
                        Unit::Commune(code) => filter.commune = Some(*code),
                    }
                    filter.course = course.map(str::to_string);
                    let got = listed(&db, actor, &filter).await;
                    if !allowed[caller] {
                        assert_eq!(got, Err(Error::NotFound), "{name} asking #{i}");
                        continue;
                    }
                    let want = recomputed(&raw, *sees, *unit, *course, idle.into(), enrolled.into());
                    assert_eq!(got.unwrap(), want, "{name} asking #{i} with idle {idle}, enrolled {enrolled}");
                    compared += 1;
                    nonempty += usize::from(!want.is_empty());
                }
            }
        }
    }
    assert_eq!(compared, 16 * 12, "8 asks of the admin, 5 of Khao Mang's, 3 of the school's");
    assert!(nonempty > 150, "the comparisons are about rows, not empty lists: {nonempty}");

    // The whole campaign is more than a page; the threshold rows are in; days idle are whole days.
    let all = listed(&db, &admin(), &Filter::new(Days::new(0).unwrap(), Days::new(0).unwrap())).await.unwrap();
    assert!(all.len() as u64 > at_risk::PAGE_SIZE, "{} rows", all.len());
    let week = listed(&db, &admin(), &Filter::new(Days::new(7).unwrap(), Days::new(14).unwrap())).await.unwrap();
    let first = &raw.people.values().min_by_key(|l| l.created_at).unwrap().code;
    assert!(
        week.iter().any(|(code, course, _, days, progress)| code == first
            && course == "KNS-01"
            && *days == 7
            && *progress == 5)
    );
    assert!(all.windows(2).all(|w| w[0].2 <= w[1].2), "most idle first");
}

on_both_databases!(at_risk_recomputed, at_risk_rows_equal_a_recomputation_from_the_raw_rows);

async fn units_outside_the_scope_and_bad_values_are_refused(db: DatabaseConnection) {
    let c = campaign(&db).await;
    let week = || Filter::new(Days::new(7).unwrap(), Days::new(7).unwrap());
    let with = |edit: &dyn Fn(&mut Filter)| {
        let mut filter = week();
        edit(&mut filter);
        filter
    };
    let list = |actor: Actor, filter: Filter| {
        let db = db.clone();
        async move { at_risk::list(&db, &actor, &filter, "https://x.vn", now()).await.map(|l| l.total) }
    };
    // Outside the scope, or nowhere: the same 404.
    let office_team = c.office_team;
    let office = c.office;
    for (actor, filter) in [
        (organiser(&[4465]), with(&|f| f.team = Some(office_team))),
        (organiser(&[4465]), with(&|f| f.organisation = Some(office))),
        (organiser(&[4465]), with(&|f| f.commune = Some(4456))),
        (organisation_organiser(c.school), with(&|f| f.commune = Some(4465))),
        (hanoi_admin(), with(&|f| f.commune = Some(4465))),
        (admin(), with(&|f| f.team = Some(Uuid::now_v7()))),
        (admin(), with(&|f| f.organisation = Some(Uuid::now_v7()))),
        (admin(), with(&|f| f.commune = Some(99_999))),
    ] {
        assert_eq!(list(actor, filter.clone()).await, Err(Error::NotFound), "{filter:?}");
    }
    // A province admin elsewhere sees nobody of Lào Cai; tokens and strangers are no callers.
    assert_eq!(list(hanoi_admin(), week()).await, Ok(0));
    assert_eq!(list(Actor::Anonymous, week()).await, Err(Error::Unauthorized));
    let token = Actor::Token(hocvuso::auth::TokenActor {
        id: Uuid::now_v7(),
        name: "moodle".into(),
        scope: hocvuso::auth::TokenScope::ReadStats,
    });
    assert_eq!(list(token, week()).await, Err(Error::Forbidden));
    let unknown = list(admin(), with(&|f| f.course = Some("KHONG-CO".into()))).await.unwrap_err();
    assert_eq!(unknown.field_problem("course"), Some(Text::UnknownCourse));
    // Bad values in the address: each named.
    let bad = AtRiskQuery {
        idle_days: Some("-1".into()),
        enrolled_days: Some("1e9".into()),
        page: Some("99999999999999999999999".into()),
        team: Some("đội-1".into()),
        ..AtRiskQuery::default()
    };
    let err = Filter::parse(&bad).unwrap_err();
    for field in ["idle_days", "enrolled_days", "page", "team"] {
        assert!(err.field_problem(field).is_some(), "{field}");
    }
    let _ = c.village_team;
}

on_both_databases!(at_risk_scope, units_outside_the_scope_and_bad_values_are_refused);

/// The enrolment row as stored now.
async fn stored(db: &DatabaseConnection, code: &str) -> enrolment::Model {
    let l = learner::Entity::find().filter(learner::Column::Code.eq(code)).one(db).await.unwrap().unwrap();
    enrolment::Entity::find().filter(enrolment::Column::LearnerId.eq(l.id)).one(db).await.unwrap().unwrap()
}

async fn only_a_change_of_progress_or_status_resets_the_idle_days(db: DatabaseConnection) {
    let code = crate::progress::setup(&db).await;
    let actor = admin();
    progress::enrol(&db, &actor, &code, "KNS-01", Source::Form).await.unwrap();
    let enrolled = stored(&db, &code).await;
    assert_eq!(enrolled.progress_changed_at, enrolled.enrolled_at, "enrolling is the first change");

    progress::set_progress(&db, &actor, &code, "KNS-01", 30).await.unwrap();
    let moved = stored(&db, &code).await;
    assert!(moved.progress_changed_at > enrolled.progress_changed_at);
    assert_eq!(moved.progress_changed_at, moved.updated_at);

    // The same progress again: the row is written, the learner did not move.
    progress::set_progress(&db, &actor, &code, "KNS-01", 30).await.unwrap();
    let again = stored(&db, &code).await;
    assert!(again.updated_at > moved.updated_at);
    assert_eq!(again.progress_changed_at, moved.progress_changed_at);

    let report = |score| hocvuso::model::CompletionReport {
        learner_code: code.clone(),
        course_code: "KNS-01".into(),
        completed_at: "20/11/2026".into(),
        score: Some(score),
        certificate_no: None,
    };
    progress::record_completion(&db, &actor, &report(80.0), Source::Api).await.unwrap();
    let completed = stored(&db, &code).await;
    assert!(completed.progress_changed_at > again.progress_changed_at);
    // A platform sending the completion again with another score: no progress.
    progress::record_completion(&db, &actor, &report(90.0), Source::Api).await.unwrap();
    let rescored = stored(&db, &code).await;
    assert_eq!((rescored.score, rescored.progress_changed_at), (Some(90.0), completed.progress_changed_at));

    progress::undo_completion(&db, &actor, &code, "KNS-01").await.unwrap();
    let reopened = stored(&db, &code).await;
    assert!(reopened.progress_changed_at > completed.progress_changed_at);

    // The completion import: a row as it is changes nothing; new progress moves the learner.
    use hocvuso::service::imports::{completions::import_completions, learners::ImportOptions};
    let file =
        |progress: i32| format!("learner_code,course_code,status,progress\n{code},KNS-01,in progress,{progress}\n");
    import_completions(&db, &actor, file(60).as_bytes(), &ImportOptions::default()).await.unwrap();
    let imported = stored(&db, &code).await;
    assert_eq!(imported.progress, 60);
    assert!(imported.progress_changed_at > reopened.progress_changed_at);
    import_completions(&db, &actor, file(60).as_bytes(), &ImportOptions::default()).await.unwrap();
    assert_eq!(stored(&db, &code).await.progress_changed_at, imported.progress_changed_at);
    import_completions(&db, &actor, file(40).as_bytes(), &ImportOptions::default()).await.unwrap();
    assert!(stored(&db, &code).await.progress_changed_at > imported.progress_changed_at);
}

on_both_databases!(at_risk_last_change, only_a_change_of_progress_or_status_resets_the_idle_days);

/// What the planner says it reads for `query`: SQLite's EXPLAIN QUERY PLAN (without statistics, as
/// the app runs it), PostgreSQL's EXPLAIN after ANALYZE with sequential scans priced out, as they
/// are on a province-sized table.
async fn plan(db: &DatabaseConnection, query: sea_orm::Select<enrolment::Entity>) -> String {
    use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement, TransactionTrait};
    let backend = db.get_database_backend();
    let statement = query.build(backend);
    let txn = db.begin().await.unwrap();
    let (prefix, column) = match backend {
        DbBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
            ("EXPLAIN", 0)
        }
        _ => ("EXPLAIN QUERY PLAN", 3),
    };
    let explain = Statement { sql: format!("{prefix} {}", statement.sql), ..statement };
    let rows = txn.query_all_raw(explain).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(column).unwrap()).collect::<Vec<_>>().join("\n")
}

async fn at_risk_lists_read_an_index_not_the_table(db: DatabaseConnection) {
    use sea_orm::{ConnectionTrait, QueryOrder, QuerySelect};
    let c = campaign(&db).await;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.unwrap();
    }
    let page = |query: sea_orm::Select<enrolment::Entity>| {
        query.order_by_asc(enrolment::Column::ProgressChangedAt).order_by_asc(enrolment::Column::Id).limit(50)
    };
    let week = Filter::new(Days::new(7).unwrap(), Days::new(7).unwrap());
    // An admin's whole list walks the open enrolments in idle order.
    let wide = plan(&db, page(at_risk::stalled(&admin(), &week, None, now()).unwrap())).await;
    assert!(wide.contains("idx_enrolment_open_changed"), "{wide}");
    // One team's, or one organiser's, starts from their learners.
    for (actor, filter) in
        [(admin(), Filter { team: Some(c.school_team), ..week.clone() }), (organiser(&[4465]), week.clone())]
    {
        let narrow = plan(&db, page(at_risk::stalled(&actor, &filter, None, now()).unwrap())).await;
        assert!(!narrow.contains("SCAN enrolment") && !narrow.contains("Seq Scan on enrolment"), "{narrow}");
    }
}

on_both_databases!(at_risk_index, at_risk_lists_read_an_index_not_the_table);
