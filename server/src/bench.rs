//! `hocvuso bench`: generates a deterministic synthetic campaign and measures what the performance
//! issue asks for — dashboards from the counters against GROUP BY over the raw rows, import
//! throughput, HTTP throughput and latency under `wrk`, the wasm bundle, and the server's peak memory.
//! It prints one table and writes the figures as JSON. It asserts nothing: figures, not verdicts.
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hocvuso::auth::{AccountActor, Actor, Role};
use hocvuso::entity::{commune, course, learner, organisation, team};
use hocvuso::model::{DashboardFilter, Source};
// The enrolment rows come from the same transitions every writer uses.
use hocvuso::service::demo::Rng;
use hocvuso::service::enrolments as transitions;
use hocvuso::service::statistics::{Deltas, Placement};
use hocvuso::week::week_of;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// How big a campaign to generate.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub name: &'static str,
    pub learners: usize,
    /// Lào Cai (15) for small and province; every province for country.
    pub province: Option<i32>,
}

pub const SIZES: [Size; 3] = [
    Size { name: "small", learners: 10_000, province: Some(15) },
    Size { name: "province", learners: 1_000_000, province: Some(15) },
    Size { name: "country", learners: 10_000_000, province: None },
];

const ENROLMENTS_PER_LEARNER: usize = 3;
const IMPORT_ROWS: usize = 100_000;

fn bench_actor() -> Actor {
    Actor::Account(AccountActor {
        id: Uuid::nil(),
        username: "bench".into(),
        display_name: "Benchmark".into(),
        role: Role::Admin,
        province: None,
        scope: Default::default(),
    })
}

/// Writes `size.learners` learners with 3 enrolments each (76% completed) over ~600 organisations and
/// ~1,500 teams per million learners, in bulk, with the counters that the services would have kept.
pub async fn generate(db: &DatabaseConnection, size: Size) -> Result<(), String> {
    let err = |e: sea_orm::DbErr| e.to_string();
    let mut rng = Rng(57);
    let mut query = commune::Entity::find();
    if let Some(p) = size.province {
        query = query.filter(commune::Column::ProvinceCode.eq(p));
    }
    let communes = query.all(db).await.map_err(err)?;
    let now = Utc::now();
    let start = Utc.with_ymd_and_hms(2025, 3, 3, 2, 0, 0).single().expect("a date");
    let span = (Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).single().expect("a date") - start).num_seconds();

    let mut courses = Vec::new();
    for i in 0..5 {
        let row = course::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(format!("BENCH-{i}")),
            title: Set(format!("Khoá {i}")),
            title_en: Set(None),
            platform: Set("bench".into()),
            url: Set(Some(course_url(i))),
            hours: Set(4),
            active: Set(true),
            created_at: Set(now),
            activity_iri: Set(None),
        };
        courses.push(row.insert(db).await.map_err(err)?.id);
    }
    let units = |per_million: usize| (size.learners * per_million / 1_000_000).max(communes.len().min(per_million));
    let mut organisations: Vec<(Uuid, i32)> = Vec::new();
    let rows: Vec<organisation::ActiveModel> = (0..units(600))
        .map(|i| {
            let c = &communes[i % communes.len()];
            let id = Uuid::now_v7();
            organisations.push((id, c.code));
            organisation::ActiveModel {
                id: Set(id),
                name: Set(format!("Cơ quan {i}")),
                name_folded: Set(format!("co quan {i}")),
                kind: Set("co_quan".into()),
                commune_code: Set(c.code),
                parent_id: Set(None),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            }
        })
        .collect();
    for chunk in rows.chunks(1000) {
        organisation::Entity::insert_many(chunk.to_vec()).exec(db).await.map_err(err)?;
    }
    let mut teams_of: BTreeMap<i32, Vec<Uuid>> = BTreeMap::new();
    let rows: Vec<team::ActiveModel> = (0..units(1500))
        .map(|i| {
            let c = &communes[i % communes.len()];
            let id = Uuid::now_v7();
            teams_of.entry(c.code).or_default().push(id);
            team::ActiveModel {
                id: Set(id),
                name: Set(format!("Đội hình {i}")),
                name_folded: Set(format!("doi hinh {i}")),
                commune_code: Set(c.code),
                organisation_id: Set(None),
                leader_name: Set(None),
                member_count: Set(10),
                founded_on: Set(None),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            }
        })
        .collect();
    for chunk in rows.chunks(1000) {
        team::Entity::insert_many(chunk.to_vec()).exec(db).await.map_err(err)?;
    }

    let mut deltas = Deltas::default();
    let province_of: BTreeMap<i32, i32> = communes.iter().map(|c| (c.code, c.province_code)).collect();
    let batch = 2_000;
    let mut done = 0;
    while done < size.learners {
        let txn = hocvuso::db::write(db).await.map_err(err)?;
        let mut learners = Vec::with_capacity(batch);
        let mut enrolments = Vec::with_capacity(batch * ENROLMENTS_PER_LEARNER);
        for i in done..(done + batch).min(size.learners) {
            let c = &communes[rng.below(communes.len())];
            let organisation = (rng.below(3) == 0)
                .then(|| organisations[rng.below(organisations.len())])
                .filter(|(_, code)| *code == c.code)
                .map(|(id, _)| id);
            let team = teams_of.get(&c.code).map(|t| t[rng.below(t.len())]);
            let at = start + chrono::Duration::seconds(rng.below(span as usize) as i64);
            let group = hocvuso::model::LearnerGroup::ALL.get(i % 5).copied();
            let placement = Placement { province: province_of[&c.code], commune: c.code, organisation, team, group };
            let id = Uuid::now_v7();
            deltas.learner(&placement, week_of(at), 1);
            let first = rng.below(courses.len());
            let completions: Vec<Option<chrono::DateTime<chrono::Utc>>> = (0..ENROLMENTS_PER_LEARNER)
                .map(|_| (rng.below(100) < 76).then(|| at + chrono::Duration::days(1 + rng.below(60) as i64)))
                .collect();
            let trained_week = completions.iter().flatten().map(|d| week_of(*d)).min();
            if let Some(week) = trained_week {
                deltas.trained(&placement, week, 1);
            }
            learners.push(learner::Model {
                id,
                code: bench_code(i),
                full_name: format!("Học viên {i}"),
                name_folded: format!("hoc vien {i}"),
                birth_date: None,
                gender: "khac".into(),
                phone: Some(format!("+849{:08}", i)),
                commune_code: c.code,
                organisation_id: organisation,
                team_id: team,
                access_token: None,
                consent_version: Some("bench".into()),
                consent_at: Some(at),
                registered_by: None,
                dedup_key: Some(format!("bench|{i}")),
                active: true,
                created_at: at,
                created_week: week_of(at),
                updated_at: at,
                citizen_id_hash: None,
                erased_at: None,
                erased_by: None,
                learner_group: group,
                trained_week,
            });
            for (k, completed) in completions.into_iter().enumerate() {
                let course = courses[(first + k) % courses.len()];
                deltas.enrolment(id, &placement, course, week_of(at), completed.map(week_of), 1);
                let row = transitions::new_row(id, course, at, Source::Import, at);
                enrolments.push(match completed {
                    Some(done) => {
                        let completion = transitions::Completion {
                            at: done,
                            score: None,
                            certificate_no: None,
                            source: Source::Import,
                        };
                        transitions::completed_row(&row, &completion, at)
                    }
                    None => row,
                });
            }
        }
        hocvuso::db::insert_models(&txn, &learners).await.map_err(err)?;
        hocvuso::db::insert_models(&txn, &enrolments).await.map_err(err)?;
        txn.commit().await.map_err(err)?;
        // Each learner's first completion week was written with them, and counted above.
        deltas.assume_settled();
        done = (done + batch).min(size.learners);
    }
    let txn = hocvuso::db::write(db).await.map_err(err)?;
    deltas.apply(&txn).await.map_err(|e| e.to_string())?;
    txn.commit().await.map_err(err)?;
    // PostgreSQL's planner statistics, as autovacuum gathers them within a minute of a load this
    // size: without them `IN (1,000 ids)` is estimated at the whole table and scanned. (SQLite's
    // planner needs none.)
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.map_err(err)?;
    }
    Ok(())
}

/// The code of the `i`th generated learner: distinct for every `i` below 2^30 (an odd multiplier is a
/// bijection modulo 2^30) and spread over all codes as drawn ones are, so imports meet taken codes
/// as often as in a real campaign this size.
/// The address of course BENCH-i on its (Open edX) platform: statements name it.
fn course_url(i: usize) -> String {
    format!("{EDX}/courses/course-v1:BENCH+K{i}+2026/about")
}

const EDX: &str = "https://mooc.example.edu.vn";

fn statement(id: Uuid, actor: Value, verb: &str, object: &str) -> Value {
    json!({"id": id, "actor": actor, "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}"), "display": {"vi": verb}},
        "object": {"id": object, "objectType": "Activity"}, "result": {"completion": true, "score": {"scaled": 0.9}},
        "timestamp": "2026-11-20T08:00:00+07:00"})
}

/// 5: the LRS. Statements per second for batches of 100 completions of learners (they move
/// enrolments and counters) and of statements nobody is linked to (kept, waiting); a page of
/// statements read among `stored` kept ones; and applying the waiting statements when their
/// learners' platform accounts are linked.
async fn lrs(db: &DatabaseConnection, size: Size) -> Result<Value, String> {
    use hocvuso::service::lrs::{links, statements};
    let ingest = Actor::Token(hocvuso::auth::TokenActor {
        id: Uuid::nil(),
        name: "bench".into(),
        scope: hocvuso::auth::TokenScope::Ingest,
    });
    let (stored, waiting) = if size.learners >= 1_000_000 { (1_000_000, 100_000) } else { (100_000, 10_000) };
    let batch = 100;
    let rate = |n: usize, started: Instant| (n as f64 / started.elapsed().as_secs_f64()).round();

    // Completions of learners (by code), each a course they may not have finished.
    let mapped = 5_000.min(size.learners);
    let started = Instant::now();
    for chunk in (0..mapped).collect::<Vec<_>>().chunks(batch) {
        let body: Vec<Value> = chunk
            .iter()
            .map(|&i| {
                let actor = json!({"account": {"homePage": EDX, "name": bench_code(i)}});
                statement(Uuid::new_v4(), actor, "completed", &course_url((i * 7 + 3) % 5))
            })
            .collect();
        statements::post(db, &ingest, Value::Array(body), Vec::new()).await.map_err(|e| brief(&e))?;
    }
    let mapped_rate = rate(mapped, started);

    // Statements of other activities by people nobody knows: kept only.
    let started = Instant::now();
    for k in 0..(5_000 / batch) {
        let body: Vec<Value> = (0..batch)
            .map(|i| {
                let actor = json!({"account": {"homePage": EDX, "name": format!("anon-{k}-{i}")}});
                statement(Uuid::new_v4(), actor, "experienced", &format!("{EDX}/xblock/video-{i}"))
            })
            .collect();
        statements::post(db, &ingest, Value::Array(body), Vec::new()).await.map_err(|e| brief(&e))?;
    }
    let unmapped_rate = rate(5_000, started);

    // Completions that wait for a link: 100 for each of `waiting / 100` platform accounts.
    let accounts = waiting / 100;
    let started = Instant::now();
    for k in 0..(waiting / batch) {
        let body: Vec<Value> = (0..batch)
            .map(|i| {
                let n = k * batch + i;
                let actor = json!({"account": {"homePage": EDX, "name": format!("wait-{}", n % accounts)}});
                let verb = if n % 3 == 0 { "completed" } else { "progressed" };
                statement(Uuid::new_v4(), actor, verb, &course_url(n % 5))
            })
            .collect();
        statements::post(db, &ingest, Value::Array(body), Vec::new()).await.map_err(|e| brief(&e))?;
    }
    let waiting_rate = rate(waiting, started);
    let admin = bench_actor();
    let started = Instant::now();
    let mut applied = 0;
    for a in 0..accounts {
        let form =
            links::PlatformAccountForm { home_page: Some(EDX.into()), name: Some(format!("wait-{a}")), mbox: None };
        // Learners far from the ones above, so these completions are new.
        let code = bench_code(size.learners - 1 - a);
        applied += links::link(db, &admin, &code, &form).await.map_err(|e| brief(&e))?.applied;
    }
    let applying_rate = rate(applied, started);

    // Fill the store up to `stored` statements, in bulk, then read pages of it.
    let have = hocvuso::entity::lrs_statement::Entity::find().count(db).await.map_err(|e| e.to_string())? as usize;
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("a date");
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    for n in have..stored {
        let id = Uuid::new_v4();
        let name = format!("filler-{}", n % 50_000);
        let body = statement(
            id,
            json!({"account": {"homePage": EDX, "name": name}}),
            "experienced",
            &format!("{EDX}/xblock/v{}", n % 1000),
        );
        rows.push(hocvuso::entity::lrs_statement::Model {
            id,
            stored: base + chrono::Duration::milliseconds(n as i64),
            verb: "http://adlnet.gov/expapi/verbs/experienced".into(),
            object_id: Some(format!("{EDX}/xblock/v{}", n % 1000)),
            body: body.to_string(),
            voided: false,
            registration: None,
            target_id: None,
        });
        keys.push(hocvuso::entity::lrs_statement_key::Model {
            kind: "agent".into(),
            value: format!("Agent|account|{EDX}|{name}"),
            statement_id: id,
        });
        if rows.len() == 20_000 {
            hocvuso::db::insert_models(db, &rows).await.map_err(|e| e.to_string())?;
            hocvuso::db::insert_models(db, &keys).await.map_err(|e| e.to_string())?;
            rows.clear();
            keys.clear();
        }
    }
    hocvuso::db::insert_models(db, &rows).await.map_err(|e| e.to_string())?;
    hocvuso::db::insert_models(db, &keys).await.map_err(|e| e.to_string())?;
    hocvuso::db::analyze(db, "lrs_statement").await;
    hocvuso::db::analyze(db, "lrs_statement_key").await;
    let page = |query: statements::Query| {
        let ingest = ingest.clone();
        async move {
            let mut samples = Vec::new();
            for _ in 0..7 {
                let started = Instant::now();
                let found = statements::query(db, &ingest, &query).await.map_err(|e| brief(&e))?;
                samples.push(started.elapsed());
                if found.statements.is_empty() {
                    return Err("an empty page".to_string());
                }
            }
            Ok::<f64, String>(ms(median(samples)))
        }
    };
    let latest = page(statements::Query { limit: 100, ..Default::default() }).await?;
    let by_agent = page(statements::Query {
        limit: 100,
        agent: Some(format!("Agent|account|{EDX}|filler-77")),
        ..Default::default()
    })
    .await?;
    Ok(json!({
        "mapped_per_s": mapped_rate, "unmapped_per_s": unmapped_rate, "waiting_per_s": waiting_rate,
        "applied": applied, "applied_per_s": applying_rate,
        "stored": stored, "page_ms": latest, "page_by_agent_ms": by_agent,
    }))
}

fn bench_code(i: usize) -> String {
    hocvuso::service::learners::learner_code((i as u32).wrapping_mul(0x2545_F491) & ((1 << 30) - 1))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// 1: completion by commune from the counters, and the same by GROUP BY over the raw rows.
async fn dashboard_vs_group_by(db: &DatabaseConnection, province: i32) -> Result<Value, String> {
    let filter = DashboardFilter::default();
    let actor = bench_actor();
    let mut counters = Vec::new();
    for _ in 0..21 {
        let started = Instant::now();
        hocvuso::service::statistics::dashboard::completion(
            db,
            &actor,
            hocvuso::model::Area::Province(province),
            &filter,
        )
        .await
        .map_err(|e| e.to_string())?;
        counters.push(started.elapsed());
    }
    let sql = "SELECT l.commune_code, COUNT(*) AS n, SUM(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END) AS c \
               FROM enrolment e JOIN learner l ON l.id = e.learner_id WHERE l.active = true GROUP BY l.commune_code";
    let mut group_by = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.map_err(|e| e.to_string())?;
        group_by.push(started.elapsed());
    }
    // The leaderboard as computed on a change (the server keeps it until the next commit).
    let mut leaderboard = Vec::new();
    let week = hocvuso::week::IsoWeek::current();
    for _ in 0..21 {
        let started = Instant::now();
        hocvuso::service::statistics::dashboard::leaderboard(
            db,
            &actor,
            hocvuso::model::Area::Province(province),
            &filter,
            week,
            20,
        )
        .await
        .map_err(|e| e.to_string())?;
        leaderboard.push(started.elapsed());
    }
    // The country level: by province, by learner group, and every commune of the country in one view.
    let mut country = serde_json::Map::new();
    for (name, by, province) in [
        ("country_by_province_ms", "province", None),
        ("country_by_group_ms", "group", Some("all")),
        ("country_communes_ms", "commune", Some("all")),
    ] {
        let filter =
            DashboardFilter { by: Some(by.into()), province: province.map(str::to_string), ..Default::default() };
        let mut samples = Vec::new();
        for _ in 0..21 {
            let started = Instant::now();
            hocvuso::service::statistics::dashboard::completion(db, &actor, hocvuso::model::Area::Country, &filter)
                .await
                .map_err(|e| e.to_string())?;
            samples.push(started.elapsed());
        }
        country.insert(name.into(), json!(ms(median(samples))));
    }
    let (a, b) = (median(counters), median(group_by));
    Ok(json!({"counters_ms": ms(a), "group_by_ms": ms(b), "ratio": (b.as_secs_f64() / a.as_secs_f64()).round(),
        "leaderboard_ms": ms(median(leaderboard)), "country": country}))
}

/// An import's refusal in one line: the first bad row and how many there are.
fn brief(err: &hocvuso::Error) -> String {
    match err {
        hocvuso::Error::InvalidRows(rows) => format!("{} bad rows, the first: {:?}", rows.len(), rows.first()),
        other => format!("{other:?}"),
    }
}

/// 2: rows per second of a 100k-row learner file and a completion file, validation included.
async fn imports(db: &DatabaseConnection, province: i32, learners: usize) -> Result<Value, String> {
    let actor = bench_actor();
    // Each run on a kept campaign (`--keep`) imports people and completions earlier runs did not,
    // so its figures measure new rows as the first run's did: run k names its learners with k and
    // completes courses of the k-th slice of the generated learners.
    let run = hocvuso::entity::audit_log::Entity::find()
        .filter(hocvuso::entity::audit_log::Column::Action.eq(hocvuso::service::audit::Action::Import.as_str()))
        .filter(hocvuso::entity::audit_log::Column::Entity.eq(hocvuso::service::audit::Entity::Learner.as_str()))
        .count(db)
        .await
        .map_err(|e| e.to_string())? as usize;
    let mut csv = String::from("full_name,birth_date,gender,phone,commune\n");
    let communes: Vec<i32> = commune::Entity::find()
        .filter(commune::Column::ProvinceCode.eq(province))
        .all(db)
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .map(|c| c.code)
        .collect();
    let in_letters = |n: usize| -> String {
        n.to_string().chars().map(|d| (b'a' + d.to_digit(10).unwrap_or(0) as u8) as char).collect()
    };
    for i in 0..IMPORT_ROWS {
        let letters = in_letters(i);
        // Names take no digits: the run's number is spelt in letters too.
        let name = if run == 0 {
            format!("Nhập Khẩu {letters}")
        } else {
            format!("Nhập Khẩu Lần {} {letters}", in_letters(run))
        };
        csv.push_str(&format!("{name},05/03/1990,nu,098{:07},{}\n", i, communes[i % communes.len()]));
    }
    let options = hocvuso::service::imports::learners::ImportOptions {
        consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
        ..Default::default()
    };
    let floor = learner_insert_floor(db, communes[0]).await.map_err(|e| format!("floor: {e}"))?;
    let started = Instant::now();
    let report = hocvuso::service::imports::learners::import_learners(
        db,
        &actor,
        hocvuso::model::Area::Province(province),
        csv.as_bytes(),
        &options,
    )
    .await
    .map_err(|e| format!("learner import: {}", brief(&e)))?;
    let learner_rate = report.created as f64 / started.elapsed().as_secs_f64();

    // Completions of enrolments not yet completed: generated learners × courses they are not in.
    let rows = IMPORT_ROWS.min(learners * 2);
    let first = (run * rows / 2) % learners;
    let mut csv = String::from("learner_code,course_code,status,completed_at\n");
    for i in 0..rows {
        let learner = (first + i / 2) % learners;
        csv.push_str(&format!(
            "{},BENCH-{},completed,20/11/2026\n",
            bench_code(learner),
            (learner * 7 + 3 + i % 2) % 5
        ));
    }
    let started = Instant::now();
    let report = hocvuso::service::imports::completions::import_completions(db, &actor, csv.as_bytes(), &options)
        .await
        .map_err(|e| format!("completion import: {}", brief(&e)))?;
    let completion_rate = rows as f64 / started.elapsed().as_secs_f64();
    Ok(json!({
        "learner_rows": IMPORT_ROWS, "learner_rows_per_s": learner_rate.round(),
        "learner_floor_rows_per_s": floor.round(),
        "completion_rows": rows, "completion_rows_per_s": completion_rate.round(),
        "completion_report": {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    }))
}

/// The baseline of the learner import: the database alone writing as many learner rows, made up in
/// SQL by one `INSERT … SELECT` (no file, no checks, no Rust), committed — every index and foreign
/// key of the table maintained, as the import must. Rows per second; the rows are removed after.
async fn learner_insert_floor(db: &DatabaseConnection, commune: i32) -> Result<f64, sea_orm::DbErr> {
    let now = "2026-12-01T00:00:00+00:00";
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!(
            "INSERT INTO learner SELECT gen_random_uuid(), 'HX-' || g, 'Nhập Khẩu ' || g, 'nhap khau ' || g, \
             DATE '1990-03-05', 'nu', '+8497' || (1000000 + g), {commune}, NULL, NULL, \
             md5(random()::text) || md5(random()::text), 'v1', TIMESTAMPTZ '{now}', NULL, \
             '+8497' || g || '|nhap khau ' || g || '|1990-03-05', true, TIMESTAMPTZ '{now}', 202649, \
             TIMESTAMPTZ '{now}', NULL, NULL, NULL FROM generate_series(1, {IMPORT_ROWS}) AS g"
        ),
        _ => format!(
            "WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {IMPORT_ROWS}) \
             INSERT INTO learner SELECT randomblob(16), 'HX-' || g, 'Nhập Khẩu ' || g, 'nhap khau ' || g, \
             '1990-03-05', 'nu', '+8497' || (1000000 + g), {commune}, NULL, NULL, lower(hex(randomblob(32))), \
             'v1', '{now}', NULL, '+8497' || g || '|nhap khau ' || g || '|1990-03-05', 1, '{now}', 202649, \
             '{now}', NULL, NULL, NULL FROM n"
        ),
    };
    let started = Instant::now();
    let txn = hocvuso::db::write(db).await?;
    txn.execute_unprepared(&sql).await?;
    txn.commit().await?;
    let rate = IMPORT_ROWS as f64 / started.elapsed().as_secs_f64();
    db.execute_unprepared("DELETE FROM learner WHERE code LIKE 'HX-%'").await?;
    Ok(rate)
}

/// The Requests/sec, 50% and 99% latency lines of `wrk --latency`.
fn parse_wrk(output: &str) -> Value {
    let find = |prefix: &str| {
        output.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|r| r.trim().to_string())).unwrap_or_default()
    };
    let latency_ms = |text: String| -> f64 {
        let (value, scale) = if let Some(v) = text.strip_suffix("us") {
            (v, 0.001)
        } else if let Some(v) = text.strip_suffix("ms") {
            (v, 1.0)
        } else if let Some(v) = text.strip_suffix('s') {
            (v, 1000.0)
        } else {
            (text.as_str(), f64::NAN)
        };
        value.parse::<f64>().map_or(f64::NAN, |v| (v * scale * 100.0).round() / 100.0)
    };
    json!({
        "requests_per_s": find("Requests/sec:").parse::<f64>().unwrap_or(f64::NAN).round(),
        "p50_ms": latency_ms(find("50%")),
        "p99_ms": latency_ms(find("99%")),
    })
}

/// Peak resident memory of a process, in MB (VmHWM).
fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
}

/// Bytes a GET transfers on the wire (headers included) with the given Accept-Encoding, and the body.
fn transferred(addr: &str, path: &str, encoding: &str) -> Result<(usize, String), String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: {encoding}\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok((bytes.len(), String::from_utf8_lossy(&bytes).to_string()))
}

/// Signs in over REST and returns the session cookie (`name=value`).
fn sign_in(addr: &str, username: &str, password: &str) -> Result<String, String> {
    use std::io::{Read, Write};
    let body = json!({"username": username, "password": password}).to_string();
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    answer
        .lines()
        .find_map(|l| l.to_ascii_lowercase().starts_with("set-cookie:").then(|| l[11..].trim().to_string()))
        .and_then(|c| c.split(';').next().map(str::to_string))
        .ok_or_else(|| format!("sign-in failed: {}", answer.lines().next().unwrap_or_default()))
}

/// The whole learner export as CSV (streamed by the server): seconds, rows and MB received.
fn export_all(addr: &str, cookie: &str) -> Result<Value, String> {
    use std::io::{BufRead, Write};
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET /api/v1/learners/export?format=csv HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let (mut lines, mut bytes) = (0_u64, 0_u64);
    let mut reader = std::io::BufReader::new(stream);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).map_err(|e| e.to_string())? > 0 {
        lines += 1;
        bytes += line.len() as u64;
        line.clear();
    }
    // Chunk-size lines and the answer's head are counted too: rows are within a few hundred of this.
    Ok(json!({"seconds": started.elapsed().as_secs_f64(), "lines": lines, "mb": bytes as f64 / 1e6}))
}

/// 3–5: serves the database with this (release) binary, exports every learner, loads it with wrk,
/// reads its peak memory and what a first visit transfers.
async fn http(database_url: &str, token: &str, admin: (&str, &str), province: i32) -> Result<Value, String> {
    let mut results = serde_json::Map::new();
    // The export on a server of its own, so its peak memory and the one under load are told apart.
    let (mut server, addr) = start_server(database_url)?;
    let cookie = sign_in(&addr, admin.0, admin.1)?;
    let mut export = export_all(&addr, &cookie)?;
    export["peak_rss_mb"] = json!(peak_rss_mb(server.id()));
    results.insert("export_csv".into(), export);
    stop_server(&mut server);

    let (mut server, addr) = start_server(database_url)?;
    let base = format!("http://{addr}");
    let week = hocvuso::week::IsoWeek::current();
    for (name, path) in [
        // Every commune of the landing area (the country: 3,321 in one response), then one province's.
        ("leaderboard_page", format!("/leaderboard?by=commune&week={week}")),
        ("stats_completion_api", "/api/v1/stats/completion?by=commune".to_string()),
        ("province_leaderboard_page", format!("/leaderboard?by=commune&province={province}&week={week}")),
        ("province_stats_api", format!("/api/v1/stats/completion?by=commune&province={province}")),
        ("country_overview_page", "/?province=all".to_string()),
        ("country_provinces_api", "/api/v1/stats/completion?by=province".to_string()),
    ] {
        let output = Command::new("wrk")
            .args([
                "-t2",
                "-c32",
                "-d10s",
                "--latency",
                "-H",
                &format!("Authorization: Bearer {token}"),
                &format!("{base}{path}"),
            ])
            .output()
            .map_err(|e| format!("wrk: {e} (make bench installs it)"))?;
        results.insert(name.into(), parse_wrk(&String::from_utf8_lossy(&output.stdout)));
    }
    results.insert("peak_rss_mb".into(), json!(peak_rss_mb(server.id())));

    // The wasm bundle, and everything a first visit to / transfers (brotli, as browsers ask).
    let (_, page) = transferred(&addr, "/", "identity")?;
    let mut first_visit = transferred(&addr, "/", "br")?.0;
    for asset in ["/pkg/hocvuso.js", "/pkg/hocvuso.css", "/pkg/hocvuso.wasm"] {
        if page.contains(asset) {
            first_visit += transferred(&addr, asset, "br")?.0;
        }
    }
    let (gzip, _) = transferred(&addr, "/pkg/hocvuso.wasm", "gzip")?;
    let (brotli, _) = transferred(&addr, "/pkg/hocvuso.wasm", "br")?;
    let (raw, _) = transferred(&addr, "/pkg/hocvuso.wasm", "identity")?;
    results.insert("wasm".into(), json!({"raw_kb": raw / 1024, "gzip_kb": gzip / 1024, "brotli_kb": brotli / 1024}));
    results.insert("first_visit_kb".into(), json!(first_visit / 1024));
    // The offline island (issue 21): what a signed-in page adds, in bytes on the wire (headers included).
    let (mut offline_raw, mut offline_gzip) = (0, 0);
    for script in ["/sw.js", "/outbox.js", "/outbox-store.js", "/scan.js"] {
        offline_raw += transferred(&addr, script, "identity")?.0;
        offline_gzip += transferred(&addr, script, "gzip")?.0;
    }
    results.insert("offline_scripts".into(), json!({"raw_bytes": offline_raw, "gzip_bytes": offline_gzip}));
    stop_server(&mut server);
    Ok(Value::Object(results))
}

/// Serves the database with this (release) binary on a free port; the process and its address.
fn start_server(database_url: &str) -> Result<(std::process::Child, String), String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| e.to_string())?
        .local_addr()
        .map_err(|e| e.to_string())?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("HOCVUSO_ADDR", &addr)
        .env("HOCVUSO_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = server.kill();
            return Err("the server did not start".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((server, addr))
}

/// SIGTERM, then waits for the graceful stop.
fn stop_server(server: &mut std::process::Child) {
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let _ = server.wait();
}

/// Migrates the database and generates the campaign in it; the seconds that took.
async fn prepare(database_url: &str, size: Size) -> Result<f64, String> {
    let db = hocvuso::db::connect(database_url).await.map_err(|e| e.to_string())?;
    <migration::Migrator as migration::MigratorTrait>::up(&db, None).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    generate(&db, size).await?;
    let seconds = started.elapsed().as_secs_f64().round();
    db.close().await.map_err(|e| e.to_string())?;
    Ok(seconds)
}

/// Runs every measurement (or only the part `only` names, to profile it) on one database that
/// holds the generated campaign; `generated_s` is what generating it took.
async fn measure(database_url: &str, size: Size, only: Option<&str>, generated_s: Value) -> Result<Value, String> {
    let db = hocvuso::db::connect(database_url).await.map_err(|e| e.to_string())?;
    let province = size.province.unwrap_or(15);
    let runs = |part: &str| only.is_none_or(|o| o.split(',').any(|o| o.trim() == part));
    let dashboard = if runs("dashboard") { dashboard_vs_group_by(&db, province).await? } else { Value::Null };
    let (_, token) =
        hocvuso::service::accounts::tokens::create(&db, "bench", "bench", hocvuso::auth::TokenScope::ReadStats)
            .await
            .map_err(|e| e.to_string())?;
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let password = format!("bench-{secret}");
    // A name of this run's own: a kept campaign (`--keep`) has the admins of earlier runs.
    let username = format!("bench.admin.{}", &secret[..8]);
    hocvuso::service::accounts::create_admin(&db, &username, "Bench", &password, None).await.map_err(|e| brief(&e))?;
    let admin = (username.as_str(), password.as_str());
    let http = if runs("http") { http(database_url, &token, admin, province).await? } else { Value::Null };
    // Imports last: they add rows the HTTP figures should not see.
    let imports = if runs("imports") { imports(&db, province, size.learners).await? } else { Value::Null };
    let lrs = if runs("lrs") { lrs(&db, size).await? } else { Value::Null };
    // What `hocvuso stats verify` does, on everything the run wrote: every counter against GROUP BY.
    let verify = if runs("verify") {
        let started = Instant::now();
        let differences = hocvuso::service::statistics::verify(&db).await.map_err(|e| brief(&e))?.len();
        json!({"differences": differences, "seconds": started.elapsed().as_secs_f64().round()})
    } else {
        Value::Null
    };
    Ok(
        json!({"generated_s": generated_s, "dashboard": dashboard, "imports": imports, "lrs": lrs, "http": http, "verify": verify}),
    )
}

/// `hocvuso bench --size small|province|country`: SQLite always (not for country), PostgreSQL when
/// HOCVUSO_BENCH_POSTGRES_URL names a server (a fresh database is made on it). With `keep`, the
/// PostgreSQL campaign is generated once into the database of that name, which is kept and measured
/// again by later runs: at country size generating takes most of an hour and ~40 GB, too much to
/// copy. Parts that write (imports, lrs) leave their rows in it, so a later run measures a campaign
/// that much larger.
pub async fn run(size_name: &str, out: &str, only: Option<&str>, keep: Option<&str>) -> Result<(), String> {
    let size = SIZES.into_iter().find(|s| s.name == size_name).ok_or_else(|| format!("no size {size_name}"))?;
    let mut figures = serde_json::Map::new();
    if size.province.is_some() {
        let path = std::env::temp_dir().join(format!("hocvuso-bench-{}.db", Uuid::new_v4().simple()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let generated_s = prepare(&url, size).await?;
        figures.insert("sqlite".into(), measure(&url, size, only, json!(generated_s)).await?);
        let _ = std::fs::remove_file(&path);
    }
    if let Some(base) = std::env::var("HOCVUSO_BENCH_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        let err = |e: sea_orm::DbErr| e.to_string();
        let name = format!("hocvuso_bench_{}", Uuid::new_v4().simple());
        let admin = hocvuso::db::connect(&base).await.map_err(err)?;
        let (name, generated_s) = match keep {
            Some(kept) => {
                if !kept.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                    return Err(format!("--keep {kept:?}: a database name of a-z, 0-9 and _"));
                }
                let found = admin
                    .query_one_raw(Statement::from_string(
                        sea_orm::DbBackend::Postgres,
                        format!("SELECT 1 FROM pg_database WHERE datname = '{kept}'"),
                    ))
                    .await
                    .map_err(err)?;
                if found.is_some() {
                    (kept.to_string(), json!("kept"))
                } else {
                    admin.execute_unprepared(&format!("CREATE DATABASE {kept}")).await.map_err(err)?;
                    match prepare(&hocvuso::db::testing::with_database(&base, kept), size).await {
                        Ok(seconds) => (kept.to_string(), json!(seconds)),
                        Err(e) => {
                            // Half a campaign is not kept: the next run starts again.
                            let _ = admin.execute_unprepared(&format!("DROP DATABASE {kept} WITH (FORCE)")).await;
                            return Err(e);
                        }
                    }
                }
            }
            None => {
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.map_err(err)?;
                let seconds = prepare(&hocvuso::db::testing::with_database(&base, &name), size).await?;
                (name, json!(seconds))
            }
        };
        let url = hocvuso::db::testing::with_database(&base, &name);
        let measured = measure(&url, size, only, generated_s).await;
        if keep.is_none() {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await;
        }
        figures.insert("postgres".into(), measured?);
    }
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l
                .split(':')
                .nth(1)
                .unwrap_or("")
                .trim()
                .to_string()))
            .unwrap_or_default()
    );
    let report = json!({"size": size.name, "learners": size.learners, "enrolments": size.learners * ENROLMENTS_PER_LEARNER,
        "machine": machine, "at": Utc::now().to_rfc3339(), "figures": figures});
    std::fs::write(out, serde_json::to_string_pretty(&report).unwrap_or_default()).map_err(|e| e.to_string())?;
    print_table(&report);
    Ok(())
}

fn print_table(report: &Value) {
    println!(
        "hocvuso bench · size {} ({} learners, {} enrolments) · {}",
        report["size"], report["learners"], report["enrolments"], report["machine"]
    );
    println!("{:<44} {:>14} {:>14} {:>12}", "figure", "sqlite", "postgres", "target");
    let rows: [(&str, &str, &str); 36] = [
        ("dashboard from counters, median ms", "/dashboard/counters_ms", "≤ 20"),
        ("country by province, median ms", "/dashboard/country/country_by_province_ms", "≤ 20"),
        ("country by learner group, median ms", "/dashboard/country/country_by_group_ms", "≤ 20"),
        ("country's 3,321 communes, median ms", "/dashboard/country/country_communes_ms", "≤ 50"),
        ("leaderboard computed afresh, median ms", "/dashboard/leaderboard_ms", ""),
        ("same by GROUP BY over raw rows, median ms", "/dashboard/group_by_ms", ""),
        ("ratio GROUP BY / counters", "/dashboard/ratio", "≥ 50"),
        ("learner import, rows/s (100k rows)", "/imports/learner_rows_per_s", "≥ 100000"),
        ("  the database alone, same rows, rows/s", "/imports/learner_floor_rows_per_s", ""),
        ("completion import, rows/s", "/imports/completion_rows_per_s", "≥ 100000"),
        ("xAPI: learners' completions, statements/s", "/lrs/mapped_per_s", "≥ 3000"),
        ("xAPI: statements kept only, statements/s", "/lrs/unmapped_per_s", "≥ 3000"),
        ("xAPI: completions waiting for a link, /s", "/lrs/waiting_per_s", ""),
        ("xAPI: waiting ones applied on linking, /s", "/lrs/applied_per_s", ""),
        ("xAPI: page of 100 among stored, median ms", "/lrs/page_ms", "≤ 50"),
        ("  the same, one agent's, median ms", "/lrs/page_by_agent_ms", "≤ 50"),
        ("leaderboard page, all communes, requests/s", "/http/leaderboard_page/requests_per_s", "≥ 2000"),
        ("leaderboard page, all communes, p99 ms", "/http/leaderboard_page/p99_ms", "≤ 50"),
        ("/api/v1/stats/completion, all communes, req/s", "/http/stats_completion_api/requests_per_s", "≥ 2000"),
        ("/api/v1/stats/completion, all communes, p99", "/http/stats_completion_api/p99_ms", "≤ 50"),
        ("a province's leaderboard page, requests/s", "/http/province_leaderboard_page/requests_per_s", "≥ 2000"),
        ("a province's leaderboard page, p99 ms", "/http/province_leaderboard_page/p99_ms", "≤ 50"),
        ("a province's communes (REST), requests/s", "/http/province_stats_api/requests_per_s", "≥ 2000"),
        ("a province's communes (REST), p99 ms", "/http/province_stats_api/p99_ms", "≤ 50"),
        ("country overview page, requests/s", "/http/country_overview_page/requests_per_s", "≥ 2000"),
        ("country overview page, p99 ms", "/http/country_overview_page/p99_ms", "≤ 50"),
        ("country by province (REST), requests/s", "/http/country_provinces_api/requests_per_s", "≥ 2000"),
        ("country by province (REST), p99 ms", "/http/country_provinces_api/p99_ms", "≤ 50"),
        ("wasm built, gzip KB (no page loads it yet)", "/http/wasm/gzip_kb", "≤ 250"),
        ("first visit to /, KB transferred", "/http/first_visit_kb", "≤ 400"),
        ("offline scripts (sw, outbox), gzip bytes", "/http/offline_scripts/gzip_bytes", "≤ 153600"),
        ("  the same, raw bytes", "/http/offline_scripts/raw_bytes", ""),
        ("server peak RSS under load, MB", "/http/peak_rss_mb", "≤ 150"),
        ("learner export, whole CSV, seconds", "/http/export_csv/seconds", ""),
        ("  its server's peak RSS, MB", "/http/export_csv/peak_rss_mb", ""),
        ("stats verify: counters unlike GROUP BY", "/verify/differences", "0"),
    ];
    for (label, pointer, target) in rows {
        let cell =
            |db: &str| report["figures"][db].pointer(pointer).map(|v| v.to_string()).unwrap_or_else(|| "–".into());
        println!("{label:<44} {:>14} {:>14} {target:>12}", cell("sqlite"), cell("postgres"));
    }
}
