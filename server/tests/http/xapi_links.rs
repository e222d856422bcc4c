//! Statements from Open edX and Moodle as they send them (HTTP Basic with a platform connection),
//! and how their actors become learners: platform accounts, the unmatched list, voiding, erasure.
use hocvuso::on_both_databases;
use hocvuso::service::statistics;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{Value, json};

use crate::access::session_cookie;
use crate::{TestApp, admin_actor, register_learner, spawn_app};

const EDX: &str = "https://mooc.example.edu.vn";
const COURSE_KEY: &str = "course-v1:MOET+KNS-ND+2026-1";
const MOODLE_COURSE: &str = "https://moodle.example.edu.vn/course/view.php?id=7";
const PASSWORD: &str = "ruong-bac-thang-2026";

async fn completed(db: &DatabaseConnection) -> (i64, i64) {
    let o = statistics::overview::overview(
        db,
        &hocvuso::auth::Actor::Anonymous,
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    (o.completion.enrolled, o.completion.completed)
}

async fn add_courses(db: &DatabaseConnection) {
    for (code, url) in [("KNS-ND", format!("{EDX}/courses/{COURSE_KEY}/about")), ("MOODLE-7", MOODLE_COURSE.into())] {
        let course = hocvuso::model::CourseForm {
            code: code.into(),
            title: format!("Khoá {code}"),
            platform: "mooc".into(),
            hours: "8".into(),
            url: Some(url),
            ..Default::default()
        };
        hocvuso::service::enrolments::courses::create(db, &admin_actor(), &course).await.unwrap();
    }
}

/// Open edX's shape: an account on the LMS with its anonymous user id; the course by its key.
fn edx_statement(id: &str, verb: &str, object: &str) -> Value {
    json!({
        "id": id,
        "actor": {"objectType": "Agent", "account": {"homePage": EDX, "name": "9a1b2c3d4e5f-anon"}},
        "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}"), "display": {"en": verb}},
        "object": {"id": object, "objectType": "Activity",
            "definition": {"type": "http://adlnet.gov/expapi/activities/course"}},
        "result": {"success": true, "score": {"scaled": 0.92}},
        "context": {"contextActivities": {"parent": [{"id": format!("{EDX}/course/{COURSE_KEY}"), "objectType": "Activity"}]},
            "extensions": {"https://w3id.org/xapi/openedx/extension/transformer-version": "event-routing-backends@7.0.0"}},
        "timestamp": "2026-11-20T08:00:00.000000+00:00"
    })
}

/// Moodle's shape (logstore_xapi): the user by e-mail address.
fn moodle_statement(id: &str) -> Value {
    json!({
        "id": id,
        "actor": {"objectType": "Agent", "name": "Lò Văn Pao", "mbox": "mailto:Pao.Lo@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}},
        "object": {"id": MOODLE_COURSE, "objectType": "Activity"},
        "timestamp": "2026-11-21T09:30:00+07:00"
    })
}

struct Lrs {
    app: TestApp,
    key: String,
    secret: String,
    cookie: String,
}

impl Lrs {
    async fn send(&self, body: Value) -> reqwest::Response {
        self.app
            .client
            .post(format!("{}/xapi/statements", self.app.address))
            .basic_auth(&self.key, Some(&self.secret))
            .header("x-experience-api-version", "1.0.3")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn stored(&self, id: &str) -> Value {
        self.app
            .client
            .get(format!("{}/xapi/statements?statementId={id}", self.app.address))
            .basic_auth(&self.key, Some(&self.secret))
            .header("x-experience-api-version", "1.0.3")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn link(&self, code: &str, body: Value) -> reqwest::Response {
        self.app
            .client
            .post(format!("{}/api/v1/learners/{code}/platform-accounts", self.app.address))
            .header("cookie", &self.cookie)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn unmatched(&self) -> Value {
        let response = self
            .app
            .client
            .get(format!("{}/api/v1/xapi/unmatched", self.app.address))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

async fn setup(db: &DatabaseConnection) -> Lrs {
    add_courses(db).await;
    hocvuso::service::accounts::create_admin(db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let (platform, secret) =
        hocvuso::service::lrs::platforms::create(db, "test", "Open edX", &[EDX.to_string()]).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    Lrs { app, key: platform.key, secret, cookie }
}

async fn actors_become_learners_through_platform_accounts(db: DatabaseConnection) {
    let lrs = setup(&db).await;
    let code = register_learner(&db).await;
    let passed = edx_statement("1a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", "passed", &format!("{EDX}/course/{COURSE_KEY}"));
    let block = format!("{EDX}/xblock/block-v1:MOET+KNS-ND+2026-1+type@problem+block@5e6f");
    let in_block = edx_statement("2a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", "completed", &block);

    // Nobody is linked to the Open edX account yet: both are kept and wait, nothing counts.
    assert_eq!(lrs.send(json!([passed.clone(), in_block])).await.status(), 200);
    assert_eq!(completed(&db).await, (0, 0));
    let waiting = lrs.unmatched().await;
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    assert_eq!(waiting[0]["home_page"], EDX);
    assert_eq!(waiting[0]["name"], "9a1b2c3d4e5f-anon");
    assert_eq!(waiting[0]["platform"], "token:Open edX");
    assert_eq!(waiting[0]["courses"], json!(["KNS-ND"]));
    assert_eq!((waiting[0]["statements"].as_i64(), waiting[0]["completions"].as_i64()), (Some(2), Some(1)));
    assert_eq!(hocvuso::service::lrs::links::waiting_completions(&db).await.unwrap(), 1);

    // The link applies them in time order, once: the block shows work, the course is passed.
    let linked = lrs.link(&code, json!({"home_page": format!("{EDX}/"), "name": "9a1b2c3d4e5f-anon"})).await;
    assert_eq!(linked.status(), 201);
    let linked: Value = linked.json().await.unwrap();
    assert_eq!((linked["applied"].as_u64(), linked["created"].as_bool()), (Some(2), Some(true)));
    assert_eq!(linked["link"]["home_page"], EDX);
    assert_eq!(completed(&db).await, (1, 1));
    assert_eq!(lrs.unmatched().await, json!([]));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // The same link again changes nothing; the same statement again changes nothing.
    let again = lrs.link(&code, json!({"home_page": EDX, "name": "9a1b2c3d4e5f-anon"})).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["applied"], 0);
    assert_eq!(lrs.send(passed).await.status(), 200);
    assert_eq!(completed(&db).await, (1, 1));

    // Moodle names people by e-mail address: linked first, its completion counts at once. Only
    // the address's SHA-1 is kept in the link.
    let other = hocvuso::service::learners::registration::register(
        &db,
        &admin_actor(),
        hocvuso::model::Area::Province(15),
        &hocvuso::model::LearnerForm {
            full_name: "Vàng Thị Mai".into(),
            birth_date: "01/02/1995".into(),
            gender: "Nữ".into(),
            phone: "0362 000 999".into(),
            commune: "4465".into(),
            consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .learner
    .code;
    let taken = lrs.link(&other, json!({"home_page": EDX, "name": "9a1b2c3d4e5f-anon"})).await;
    assert_eq!(taken.status(), 409, "another learner's account");
    let by_mail = lrs.link(&other, json!({"mbox": "pao.lo@example.com"})).await;
    assert_eq!(by_mail.status(), 201);
    let links = hocvuso::entity::learner_link::Entity::find().all(&db).await.unwrap();
    assert!(links.iter().all(|l| !l.actor_key.contains('@')), "no address in clear: {links:?}");
    let moodle = moodle_statement("3a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f");
    assert_eq!(lrs.send(moodle).await.status(), 200);
    assert_eq!(completed(&db).await, (2, 2));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // Voiding the statement that completed an enrolment undoes that completion.
    let void = json!({
        "actor": {"mbox": "mailto:teacher@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": "3a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f"}
    });
    assert_eq!(lrs.send(void).await.status(), 200);
    assert_eq!(completed(&db).await, (2, 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(xapi_platform_accounts, actors_become_learners_through_platform_accounts);

async fn an_erased_learner_keeps_nothing_in_the_lrs(db: DatabaseConnection) {
    let lrs = setup(&db).await;
    let code = register_learner(&db).await;
    assert_eq!(lrs.link(&code, json!({"home_page": EDX, "name": "9a1b2c3d4e5f-anon"})).await.status(), 201);
    let first = edx_statement("4a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", "passed", &format!("{EDX}/course/{COURSE_KEY}"));
    assert_eq!(lrs.send(first).await.status(), 200);
    assert_eq!(completed(&db).await, (1, 1));

    hocvuso::service::learners::privacy::erase(&db, &admin_actor(), &code).await.unwrap();
    let kept = lrs.stored("4a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f").await;
    assert!(!kept.to_string().contains("9a1b2c3d4e5f-anon"), "{kept}");
    assert_eq!(kept["actor"]["account"]["name"], "erased");
    assert!(hocvuso::entity::learner_link::Entity::find().all(&db).await.unwrap().is_empty());

    // Later statements naming them by code or by their old account change nothing and keep nothing.
    let by_code = json!({
        "id": "5a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f",
        "actor": {"name": "Lò Văn Pao", "account": {"homePage": lrs.app.address, "name": code}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": MOODLE_COURSE}
    });
    assert_eq!(lrs.send(by_code).await.status(), 200);
    let kept = lrs.stored("5a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f").await;
    assert!(!kept.to_string().contains("Lò Văn Pao") && !kept.to_string().contains(&code), "{kept}");
    assert_eq!(completed(&db).await, (1, 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(xapi_erased_learner, an_erased_learner_keeps_nothing_in_the_lrs);
