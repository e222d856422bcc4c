//! Reliability: many organisers at once, bad input everywhere, a database that goes away and comes
//! back, a read-only database file. Nothing accepted is lost, nothing refused is half-written.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hocvuso::on_both_databases;
use hocvuso::service::{accounts, statistics};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Statement};
use serde_json::{Value, json};

use crate::access::session_cookie;
use crate::{TestApp, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

/// Learners per client: 20 in `make test`, 200 in `make soak` (HOCVUSO_SOAK_LEARNERS).
fn learners_per_client() -> usize {
    std::env::var("HOCVUSO_SOAK_LEARNERS").ok().and_then(|n| n.parse().ok()).unwrap_or(20)
}

async fn signed_in_admin(db: DatabaseConnection) -> (TestApp, String) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let course = hocvuso::model::CourseForm {
        code: "KNS-01".into(),
        title: "Kỹ năng số".into(),
        platform: "mooc".into(),
        hours: "8".into(),
        ..Default::default()
    };
    hocvuso::service::enrolments::courses::create(&db, &crate::admin_actor(), &course).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    (app, cookie)
}

/// Person `k` of client `c`; every tenth person is shared by clients 2j and 2j+1, as when two
/// organisers register the same citizen at once.
fn person(c: usize, k: usize) -> (String, String) {
    let owner = if k.is_multiple_of(10) { c / 2 * 1000 + k } else { c * 1000 + k + 100_000 };
    let letters: String = owner.to_string().chars().map(|d| (b'a' + d.to_digit(10).unwrap() as u8) as char).collect();
    (format!("Học Viên {letters}"), format!("0912{owner:06}"))
}

async fn fifty_organisers_at_once_lose_nothing_and_duplicate_nobody(db: DatabaseConnection) {
    let (app, cookie) = signed_in_admin(db).await;
    let app = Arc::new(app);
    let per_client = learners_per_client();
    let mut clients = Vec::new();
    for c in 0..50 {
        let (app, cookie) = (app.clone(), cookie.clone());
        clients.push(tokio::spawn(async move {
            let (mut created, mut conflicts, mut completed) = (Vec::new(), 0, 0);
            for k in 0..per_client {
                let (name, phone) = person(c, k);
                let body = json!({"full_name": name, "birth_date": "1990-03-05", "gender": "nu", "phone": phone,
                    "commune": 4465, "consent_version": hocvuso::consent::CONSENT_VERSION});
                let response = app
                    .client
                    .post(format!("{}/api/v1/learners", app.address))
                    .header("cookie", &cookie)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                match response.status().as_u16() {
                    201 => created.push(response.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_string()),
                    409 => conflicts += 1,
                    other => panic!("client {c}, learner {k}: {other} {}", response.text().await.unwrap()),
                }
            }
            // Each client records a completion for everyone it registered.
            let reports: Vec<Value> = created
                .iter()
                .map(|code| json!({"learner_code": code, "course_code": "KNS-01", "completed_at": "2026-11-20"}))
                .collect();
            let response = app
                .client
                .post(format!("{}/api/v1/completions", app.address))
                .header("cookie", &cookie)
                .json(&reports)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            for result in response.json::<Vec<Value>>().await.unwrap() {
                completed += (result["ok"] == true) as usize;
            }
            (created.len(), conflicts, completed)
        }));
    }
    let (mut created, mut conflicts, mut completed) = (0, 0, 0);
    for client in clients {
        let (a, b, c) = client.await.unwrap();
        created += a;
        conflicts += b;
        completed += c;
    }
    // Every shared person was accepted once and refused once; nobody is missing or twice.
    let shared = 25 * per_client.div_ceil(10);
    assert_eq!((created, conflicts), (50 * per_client - shared, shared));
    assert_eq!(completed, created);
    let learners = hocvuso::entity::learner::Entity::find().count(&app.db).await.unwrap() as usize;
    assert_eq!(learners, created, "every accepted registration is stored, and only those");
    let distinct = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(DISTINCT dedup_key) AS n FROM learner",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap() as usize;
    assert_eq!(distinct, created, "no duplicate person");
    assert_eq!(statistics::verify(&app.db).await.unwrap(), vec![], "stats verify is clean");
    let overview = hocvuso::service::statistics::overview::overview(
        &app.db,
        &crate::admin_actor(),
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!((overview.completion.enrolled, overview.completion.completed), (created as i64, created as i64));
}

on_both_databases!(concurrency, fifty_organisers_at_once_lose_nothing_and_duplicate_nobody);

async fn bad_input_gets_a_clear_4xx_and_changes_nothing(db: DatabaseConnection) {
    let (app, cookie) = signed_in_admin(db).await;
    let before = statistics::stored(&app.db).await.unwrap();
    let learner = |birth: &str, gender: &str| {
        json!({"full_name": "Lò Văn Pao", "birth_date": birth, "gender": gender, "phone": "0362 000 111",
            "commune": 4465, "consent_version": hocvuso::consent::CONSENT_VERSION})
        .to_string()
        .into_bytes()
    };
    let huge = format!(r#"{{"full_name": "{}"}}"#, "a".repeat(3 * 1024 * 1024)).into_bytes();
    let json = "application/json";
    let csv = "text/csv";
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let cases: Vec<(&str, &str, &str, Vec<u8>, u16)> = vec![
        ("POST", "/api/v1/learners", json, huge, 413),
        ("POST", "/api/v1/learners", "text/plain", learner("1990-03-05", "nu"), 422),
        ("POST", "/api/v1/learners", json, vec![b'{', 0xff, 0xfe, b'}'], 422),
        ("POST", "/api/v1/learners", json, b"{\"full_name\": ".to_vec(), 422),
        ("POST", "/api/v1/learners", json, b"[1, 2, 3]".to_vec(), 422),
        ("POST", "/api/v1/learners", json, learner("31/02/1990", "nu"), 422),
        ("POST", "/api/v1/learners", json, learner("9999-99-99", "nu"), 422),
        ("POST", "/api/v1/learners", json, learner("1990-03-05", "robot"), 422),
        (
            "POST",
            "/api/v1/completions",
            json,
            br#"[{"learner_code":"HV-XXXXXX","course_code":"KNS-01","completed_at":"20/13/2026","score":-5}]"#.to_vec(),
            200,
        ),
        ("POST", "/api/v1/completions", json, br#"{"learner_code": 12}"#.to_vec(), 422),
        (
            "POST",
            "/api/v1/targets",
            json,
            br#"{"unit_kind":"commune","unit":"4465","metric":"enrolments","value":"-3"}"#.to_vec(),
            422,
        ),
        (
            "POST",
            "/api/v1/targets",
            json,
            br#"{"unit_kind":"commune","unit":"4465","metric":"enrolments","value":"99999999999999999999999"}"#
                .to_vec(),
            422,
        ),
        (
            "POST",
            "/api/v1/targets",
            json,
            br#"{"unit_kind":"planet","unit":"4465","metric":"speed","value":"1"}"#.to_vec(),
            422,
        ),
        ("GET", "/api/v1/stats/completion?by=planet", json, vec![], 422),
        ("GET", "/api/v1/stats/completion?period=2026-13", json, vec![], 422),
        ("GET", "/api/v1/leaderboard?week=2026-W99", json, vec![], 422),
        // Weeks and dates outside 2020–2100 are refused, never a panic (a dropped connection).
        ("GET", "/api/v1/leaderboard?week=-262143-W02", json, vec![], 422),
        ("GET", "/api/v1/reports/weekly?week=-262143-W02", json, vec![], 422),
        ("GET", "/api/v1/reports/weekly?week=262143-W02", json, vec![], 422),
        ("GET", "/api/v1/stats/completion?from=-262143-01-01", json, vec![], 422),
        ("GET", "/api/v1/stats/completion?from=2026-01-01&to=262143-12-31", json, vec![], 422),
        ("GET", "/api/v1/stats/completion?period=-262143-W02", json, vec![], 422),
        ("GET", "/leaderboard?week=-262143-W02", "text/html", vec![], 422),
        ("GET", "/reports/weekly?week=-262143-W02", "text/html", vec![], 422),
        ("GET", "/dashboard?from=-262143-01-01", "text/html", vec![], 422),
        // A field the body's type does not know is refused, naming it, never dropped.
        (
            "POST",
            "/api/v1/courses",
            json,
            br#"{"code":"X-2","title":"X","platform":"p","hours":1,"colour":"red"}"#.to_vec(),
            422,
        ),
        (
            "POST",
            "/api/v1/completions",
            json,
            br#"[{"learner_code":"HV-1","course_code":"K","when":"x"}]"#.to_vec(),
            422,
        ),
        ("POST", "/api/v1/session", json, br#"{"username":"a","password":"b","remember":true}"#.to_vec(), 422),
        ("GET", "/api/v1/reports/weekly?format=pdf", json, vec![], 422),
        ("GET", "/api/v1/learners?page=-1", json, vec![], 400),
        (
            "POST",
            "/api/v1/imports/learners?consent_version=2026-11",
            csv,
            "Họ và tên,Ngày sinh\nA,1,2,3,4\n".into(),
            422,
        ),
        (
            "POST",
            "/api/v1/imports/learners?consent_version=2026-11",
            xlsx,
            b"PK\x03\x04 this is not a workbook".to_vec(),
            422,
        ),
        ("POST", "/api/v1/imports/learners?consent_version=2026-11", csv, vec![0xff, 0xfe, 0x00, 0x41], 422),
        ("POST", "/api/v1/imports/completions", csv, Vec::new(), 422),
        // A person is no LRS client: refused before the body is read (a client gets 400, xapi.rs).
        ("POST", "/xapi/statements", json, b"not json".to_vec(), 403),
        ("GET", "/dashboard?commune=%FF%FE", "text/plain", Vec::new(), 422),
    ];
    let mut wrong = Vec::new();
    for (method, path, content_type, body, expected) in cases {
        let url = format!("{}{path}", app.address);
        // The server may answer 413 and close before the client has sent the whole body; the client
        // then sees a broken connection (for that request or the next one on the same connection)
        // instead of the answer, so a request that could not be sent is sent again.
        let mut attempts = 0;
        let response = loop {
            let request = match method {
                "GET" => app.client.get(&url),
                _ => app.client.post(&url).header("content-type", content_type).body(body.clone()),
            };
            match request.header("cookie", &cookie).send().await {
                Ok(response) => break response,
                Err(_) if attempts < 5 => attempts += 1,
                Err(err) => panic!("{method} {path}: {err}"),
            }
        };
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status != expected {
            wrong.push(format!(
                "{method} {path}: {status}, expected {expected}: {}",
                text.chars().take(200).collect::<String>()
            ));
        } else if status == 200 {
            // A batch answers item by item: the bad item is refused, with its reason.
            assert!(text.contains(r#""ok":false"#), "{text}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(hocvuso::entity::learner::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(statistics::stored(&app.db).await.unwrap(), before, "nothing changed");
}

on_both_databases!(bad_input, bad_input_gets_a_clear_4xx_and_changes_nothing);

/// A SQLite file opened read-only: pages that read still work; a change gets a clear 503, no panic.
#[tokio::test]
async fn a_read_only_sqlite_file_gives_a_clear_error() {
    let path = std::env::temp_dir().join(format!("hocvuso-ro-{}.db", uuid::Uuid::new_v4().simple()));
    let writable = hocvuso::db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
    crate::migrate(&writable).await;
    accounts::create_admin(&writable, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let (_, token) =
        hocvuso::service::accounts::tokens::create(&writable, "t", "ingest", hocvuso::auth::TokenScope::Ingest)
            .await
            .unwrap();
    writable.close().await.unwrap();
    let read_only = hocvuso::db::connect(&format!("sqlite://{}?mode=ro", path.display())).await.unwrap();
    let app = spawn_app(read_only).await;
    assert_eq!(app.get("/").await.status(), 200);
    let refused = app
        .client
        .post(format!("{}/api/v1/courses", app.address))
        .bearer_auth(&token)
        .json(&json!({"code": "X-1", "title": "X", "platform": "p", "hours": 1}))
        .send()
        .await
        .unwrap();
    // The ingest token may not add courses (403) — so sign in instead, which must write a session.
    assert_eq!(refused.status(), 403);
    let signing_in = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .header("accept-language", "en")
        .json(&json!({"username": "quantri", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signing_in.status(), 503);
    let body: Value = signing_in.json().await.unwrap();
    assert_eq!(body["message"], "The service is briefly unavailable; please try again in a few minutes.");
}

/// A TCP relay to PostgreSQL that can be cut and restored, to play a database outage.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
}

impl Relay {
    async fn start() -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { continue };
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused as soon as it opens
                }
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect("127.0.0.1:5432").await else { return };
                    let (mut cr, mut cw) = client.split();
                    let (mut sr, mut sw) = server.split();
                    let cut = async {
                        while flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = tokio::io::copy(&mut cr, &mut sw) => {},
                        _ = tokio::io::copy(&mut sr, &mut cw) => {},
                        () = cut => {},
                    }
                });
            }
        });
        Relay { port, up }
    }
}

/// PostgreSQL goes away during traffic: requests get a translated 503 within a bounded time, and
/// the app serves again within 5 seconds of the database coming back, without a restart.
#[tokio::test]
async fn the_app_survives_a_postgres_outage() {
    let Some(db) = hocvuso::db::testing::fresh_postgres().await else { return };
    let db = db.unwrap();
    crate::migrate(&db).await;
    let name: String = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT current_database() AS n"))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    db.close().await.unwrap();
    let relay = Relay::start().await;
    let url = format!("postgres://postgres@127.0.0.1:{}/{name}", relay.port);
    let app = spawn_app(hocvuso::db::connect(&url).await.unwrap()).await;
    assert_eq!(app.get("/").await.status(), 200);

    relay.up.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let down = app.client.get(format!("{}/", app.address)).header("accept-language", "vi").send().await.unwrap();
    let waited = started.elapsed();
    assert_eq!(down.status(), 503);
    assert!(down.text().await.unwrap().contains("Hệ thống tạm thời không phục vụ được"));
    assert!(waited < Duration::from_secs(12), "answered in {waited:?}");

    relay.up.store(true, Ordering::SeqCst);
    let back = Instant::now();
    loop {
        if app.get("/").await.status() == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(5), "not serving 5 s after the database came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("outage answered in {waited:?}; serving again {:?} after the database came back", back.elapsed());
}
