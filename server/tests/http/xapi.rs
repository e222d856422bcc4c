//! xAPI statements from a MOOC platform.
use hocvuso::auth::TokenScope;
use hocvuso::on_both_databases;
use hocvuso::service::{accounts::tokens, statistics};
use sea_orm::DatabaseConnection;
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
    let o = hocvuso::service::statistics::overview::overview(db, 15, &hocvuso::auth::Actor::Anonymous).await.unwrap();
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

    // A batch with one statement that cannot be mapped writes nothing at all.
    let by_phone = json!({"objectType": "Agent", "mbox": "tel:+84362000111"});
    let progressed = statement("1f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_phone, "progressed", 0.5);
    let stranger =
        json!({"objectType": "Agent", "account": {"homePage": "https://mooc.example.edu.vn", "name": "HV-NOSUCH"}});
    let unknown = statement("2f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", stranger, "completed", 0.9);
    let refused = post(&ingest, json!([progressed, unknown]), true).await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["message"], "statement 1: actor does not match a learner");
    let mut other_verb = statement("3f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", by_code.clone(), "completed", 0.9);
    other_verb["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/experienced");
    let body: Value = post(&ingest, other_verb, true).await.unwrap().json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("experienced"), "{body}");
    assert_eq!(completed(&db).await, (1, 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(xapi_statements, statements_record_completions_once_and_refuse_whole_batches);
