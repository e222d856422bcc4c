//! xAPI statements from a MOOC platform.
use hocvuso::auth::TokenScope;
use hocvuso::on_both_databases;
use hocvuso::service::{accounts::tokens, statistics};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{add_course, register_learner, spawn_app};

const COURSE_IRI: &str = "https://mooc.example.edu.vn/courses/kns-01";

async fn setup(db: &DatabaseConnection) -> String {
    add_course(db, Some(COURSE_IRI)).await;
    register_learner(db).await
}

fn statement(id: &str, actor: Value, verb: &str, scaled: f64) -> Value {
    json!({
        "id": id,
        "actor": actor,
        "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}")},
        "object": {"id": COURSE_IRI, "objectType": "Activity"},
        "result": {"completion": true, "success": true, "score": {"scaled": scaled}},
        "timestamp": "2026-11-20T08:00:00+07:00"
    })
}

async fn completed(db: &DatabaseConnection) -> (i64, i64) {
    let o = hocvuso::service::statistics::overview::overview(
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

async fn statements_record_completions_once_and_refuse_whole_batches(db: DatabaseConnection) {
    let code = setup(&db).await;
    let (_, ingest) = tokens::create(&db, "test", "mooc", TokenScope::Ingest).await.unwrap();
    let (_, reader) = tokens::create(&db, "test", "reader", TokenScope::ReadStats).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let post = |token: &str, body: Value, version: bool| {
        let mut request = app.client.post(format!("{}/xapi/statements", app.address)).bearer_auth(token).json(&body);
        if version {
            request = request.header("x-experience-api-version", "1.0.3");
        }
        request.send()
    };
    let by_code = json!({"objectType": "Agent", "account": {"homePage": "https://mooc.example.edu.vn", "name": code}});
    let first = statement("0f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_code.clone(), "completed", 0.875);

    let no_version = post(&ingest, first.clone(), false).await.unwrap();
    assert_eq!(no_version.status(), 400);
    assert_eq!(post(&reader, first.clone(), true).await.unwrap().status(), 403);
    assert_eq!(completed(&db).await, (0, 0), "refusals write nothing");

    let ok = post(&ingest, first.clone(), true).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["x-experience-api-version"], "1.0.3");
    assert_eq!(ok.json::<Value>().await.unwrap(), json!(["0f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f"]));
    assert_eq!(completed(&db).await, (1, 1));
    let progress = hocvuso::service::enrolments::progress::learner_progress(
        &db,
        &hocvuso::auth::Actor::Token(hocvuso::auth::TokenActor {
            id: uuid::Uuid::nil(),
            name: "t".into(),
            scope: TokenScope::Ingest,
        }),
        &code,
    )
    .await
    .unwrap();
    assert_eq!(progress.courses[0].score, Some(87.5));

    // The same statement id again: nothing changes.
    assert_eq!(post(&ingest, first.clone(), true).await.unwrap().status(), 200);
    assert_eq!(completed(&db).await, (1, 1));

    // A batch mixing a statement that maps, one whose actor is no learner and one with another verb:
    // every one is kept (200), only the first changes an enrolment, and nothing is lost.
    let by_phone = json!({"objectType": "Agent", "openid": "tel:+84362000111"});
    let progressed = statement("1f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_phone, "progressed", 0.5);
    let stranger =
        json!({"objectType": "Agent", "account": {"homePage": "https://mooc.example.edu.vn", "name": "HV-NOSUCH"}});
    let unknown = statement("2f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", stranger, "completed", 0.9);
    let mut other_verb = statement("3f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_code.clone(), "completed", 0.9);
    other_verb["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/experienced");
    let batch = post(&ingest, json!([progressed, unknown, other_verb]), true).await.unwrap();
    assert_eq!(batch.status(), 200);
    assert_eq!(
        batch.json::<Value>().await.unwrap(),
        json!([
            "1f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f",
            "2f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f",
            "3f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f"
        ])
    );
    assert_eq!(completed(&db).await, (1, 1), "the completed enrolment stays completed; the others change none");

    // Each is kept as received, with `stored` and `authority`, and read back by id.
    let read = |query: &str| {
        app.client
            .get(format!("{}/xapi/statements{query}", app.address))
            .bearer_auth(&ingest)
            .header("x-experience-api-version", "1.0.3")
            .send()
    };
    let kept = read("?statementId=2f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f").await.unwrap();
    assert_eq!(kept.status(), 200);
    assert!(kept.headers().contains_key("x-experience-api-consistent-through"));
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept["actor"]["account"]["name"], "HV-NOSUCH");
    assert_eq!(kept["authority"]["account"]["name"], "token:mooc");
    assert!(kept["stored"].as_str().unwrap().ends_with('Z'), "{kept}");
    assert_eq!(read("?statementId=9f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f").await.unwrap().status(), 404);
    let all: Value = read("?limit=10").await.unwrap().json().await.unwrap();
    assert_eq!(all["statements"].as_array().unwrap().len(), 4, "{all}");
    assert_eq!(all["more"], "");
    assert_eq!(read("").await.unwrap().status(), 200);
    assert_eq!(
        app.client
            .get(format!("{}/xapi/statements", app.address))
            .bearer_auth(&reader)
            .header("x-experience-api-version", "1.0.3")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // An invalid statement refuses its whole batch: nothing of it is kept.
    let fine = statement("af5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_code.clone(), "completed", 0.9);
    let mut broken = statement("bf5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_code.clone(), "completed", 0.9);
    broken.as_object_mut().unwrap().remove("object");
    let refused = post(&ingest, json!([fine, broken]), true).await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().ends_with("(statements[1].object: is required)"), "{body}");
    assert_eq!(read("?statementId=af5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f").await.unwrap().status(), 404);
    assert_eq!(completed(&db).await, (1, 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(xapi_statements, statements_record_completions_once_and_refuse_whole_batches);

/// A platform signs in as LRS clients do, with HTTP Basic `key:secret` of a platform connection;
/// anyone else is asked for it (401 with `WWW-Authenticate: Basic`), and a revoked key stops at once.
async fn platforms_send_statements_with_basic_credentials(db: DatabaseConnection) {
    use hocvuso::service::lrs::platforms;
    let code = setup(&db).await;
    let home = vec!["https://mooc.example.edu.vn/".to_string()];
    let (platform, secret) = platforms::create(&db, "test", "MOOC Lào Cai", &home).await.unwrap();
    assert_eq!(platform.home_pages, ["https://mooc.example.edu.vn"], "kept without the trailing slash");
    assert!(platform.key.starts_with("hvp_"));
    let stored: Vec<String> = hocvuso::entity::platform_connection::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.secret_hash)
        .collect();
    assert_eq!(stored, [hocvuso::service::secret::digest(&secret)], "only the secret's digest is kept");
    let app = spawn_app(db.clone()).await;

    let about = app.get("/xapi/about").await;
    assert_eq!(about.status(), 200);
    assert_eq!(about.headers()["x-experience-api-version"], "1.0.3");
    assert_eq!(
        about.json::<Value>().await.unwrap(),
        json!({"version": ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"], "extensions": {}})
    );

    let by_code = json!({"objectType": "Agent", "account": {"homePage": "https://mooc.example.edu.vn", "name": code}});
    let done = statement("4f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_code, "passed", 0.9);
    let post = |user: &str, password: &str| {
        app.client
            .post(format!("{}/xapi/statements", app.address))
            .basic_auth(user, Some(password))
            .header("x-experience-api-version", "1.0.3")
            .json(&done)
            .send()
    };
    for (user, password) in [(platform.key.as_str(), "wrong"), ("hvp_nosuch", secret.as_str()), ("", "")] {
        let refused = post(user, password).await.unwrap();
        assert_eq!(refused.status(), 401, "{user}:{password}");
        assert_eq!(refused.headers()["www-authenticate"], "Basic realm=\"hocvuso xAPI\"");
        assert_eq!(refused.headers()["x-experience-api-version"], "1.0.3");
    }
    let anonymous = app.client.post(format!("{}/xapi/statements", app.address)).json(&done).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(completed(&db).await, (0, 0), "refusals write nothing");

    let ok = post(&platform.key, &secret).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.unwrap(), json!(["4f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f"]));
    assert_eq!(completed(&db).await, (1, 1));
    // The platform is an ingest client: it reads no figures and registers nobody.
    let figures = app
        .client
        .get(format!("{}/api/v1/stats/overview", app.address))
        .basic_auth(&platform.key, Some(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(figures.status(), 403);

    platforms::revoke(&db, "test", &platform.key).await.unwrap();
    assert_eq!(post(&platform.key, &secret).await.unwrap().status(), 401, "revoked at once");
    let audit: Vec<String> = hocvuso::entity::audit_log::Entity::find()
        .filter(hocvuso::entity::audit_log::Column::Entity.eq("platform_connection"))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect();
    assert_eq!(audit, ["create", "revoke"]);
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(lrs_platforms, platforms_send_statements_with_basic_credentials);

async fn platform_connections_refuse_bad_input(db: DatabaseConnection) {
    use hocvuso::service::lrs::platforms;
    let problems = |err: hocvuso::Error| match err {
        hocvuso::Error::Invalid(fields) => fields.into_iter().map(|f| f.field).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let pages = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let err = platforms::create(&db, "test", " ", &pages(&["mooc.example.vn"])).await.unwrap_err();
    assert_eq!(problems(err), ["name", "home_page"]);
    let err = platforms::create(&db, "test", "Moodle", &pages(&[])).await.unwrap_err();
    assert_eq!(problems(err), ["home_page"]);
    let err = platforms::create(&db, "test", "Moodle", &pages(&["https://a.vn", "ftp://b.vn"])).await.unwrap_err();
    assert_eq!(problems(err), ["home_page"]);
    assert_eq!(platforms::revoke(&db, "test", "hvp_nosuch").await, Err(hocvuso::Error::NotFound));
    assert_eq!(hocvuso::entity::platform_connection::Entity::find().all(&db).await.unwrap(), vec![]);
    let (both, _) =
        platforms::create(&db, "test", "Moodle", &pages(&["https://lms.a.vn", "http://lms.b.vn/"])).await.unwrap();
    assert_eq!(both.home_pages, ["https://lms.a.vn", "http://lms.b.vn"]);
}

on_both_databases!(lrs_platform_input, platform_connections_refuse_bad_input);

/// Statements are checked against xAPI's rules once: a wrong type or a missing part is named,
/// whichever property it is, and cmi5's progress reads as a number or as text.
async fn statements_are_parsed_into_types(db: DatabaseConnection) {
    let code = setup(&db).await;
    let (_, ingest) = tokens::create(&db, "test", "mooc", TokenScope::Ingest).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let send = |body: Value| {
        app.client
            .post(format!("{}/xapi/statements", app.address))
            .bearer_auth(&ingest)
            .header("x-experience-api-version", "1.0.3")
            .json(&body)
            .send()
    };
    let actor = json!({"account": {"homePage": "https://mooc.example.edu.vn", "name": code}});
    let message = |body: Value| async move {
        let response = send(body).await.unwrap();
        assert_eq!(response.status(), 400);
        let message = response.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_string();
        // "<the error, in the reader's language> (<the rule broken>)"
        message.split_once(" (").unwrap().1.trim_end_matches(')').to_string()
    };
    let mut bad_id = statement("5f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", actor.clone(), "completed", 0.5);
    bad_id["id"] = json!("not-a-uuid");
    assert_eq!(message(bad_id).await, r#"statement.id: "not-a-uuid" is not a UUID"#);
    let mut no_verb = statement("5f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", actor.clone(), "completed", 0.5);
    no_verb.as_object_mut().unwrap().remove("verb");
    assert_eq!(message(no_verb).await, "statement.verb: is required");
    let mut too_high = statement("5f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", actor.clone(), "completed", 0.5);
    too_high["result"]["score"]["scaled"] = json!(1.5);
    assert_eq!(message(too_high).await, "statement.result.score.scaled: must be between -1 and 1");
    let mut late = statement("5f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", actor.clone(), "completed", 0.5);
    late["timestamp"] = json!("20 November 2026");
    assert_eq!(message(late).await, r#"statement.timestamp: "20 November 2026" is not an ISO 8601 timestamp"#);
    assert_eq!(completed(&db).await, (0, 0), "nothing written");

    for (id, progress) in
        [("6f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", json!(40)), ("7f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", json!("65"))]
    {
        let mut step = statement(id, actor.clone(), "progressed", 0.5);
        step["result"] = json!({"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": progress}});
        assert_eq!(send(step).await.unwrap().status(), 200);
    }
    let token = hocvuso::auth::Actor::Token(hocvuso::auth::TokenActor {
        id: uuid::Uuid::nil(),
        name: "t".into(),
        scope: TokenScope::Ingest,
    });
    let progress = hocvuso::service::enrolments::progress::learner_progress(&db, &token, &code).await.unwrap();
    assert_eq!(
        (progress.courses[0].progress, progress.courses[0].status),
        (65, hocvuso::model::EnrolmentStatus::InProgress)
    );
    assert_eq!(completed(&db).await, (1, 0));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(xapi_types, statements_are_parsed_into_types);

/// The LRS takes requests up to 10 MB (statements with their attachments) and answers 413 beyond,
/// keeping nothing.
async fn requests_beyond_ten_megabytes_are_refused(db: DatabaseConnection) {
    let (_, ingest) = tokens::create(&db, "test", "mooc", TokenScope::Ingest).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let send = |bytes: usize| {
        let padding = "x".repeat(bytes);
        let body = json!({
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "http://example.com/big", "definition": {"description": {"vi": padding}}}
        });
        app.client
            .post(format!("{}/xapi/statements", app.address))
            .bearer_auth(&ingest)
            .header("x-experience-api-version", "1.0.3")
            .json(&body)
            .send()
    };
    let big = send(9 * 1024 * 1024).await.unwrap();
    assert_eq!(big.status(), 200, "9 MB is within the limit");
    let too_big = send(10 * 1024 * 1024 + 1).await.unwrap();
    assert_eq!(too_big.status(), 413);
    assert_eq!(hocvuso::entity::lrs_statement::Entity::find().all(&db).await.unwrap().len(), 1);
}

on_both_databases!(lrs_body_limit, requests_beyond_ten_megabytes_are_refused);
