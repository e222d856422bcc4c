//! Completions pushed by a MOOC platform over REST: one result per item.
use hocvuso::auth::TokenScope;
use hocvuso::on_both_databases;
use hocvuso::service::accounts::tokens;
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::{add_course, register_learner, spawn_app};

async fn a_platform_pushes_completions_and_gets_one_result_per_item(db: DatabaseConnection) {
    add_course(&db, None).await;
    let learner_code = register_learner(&db).await;
    let (_, ingest) = tokens::create(&db, "test", "moodle", TokenScope::Ingest).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let push = |body: serde_json::Value| {
        app.client
            .post(format!("{}/api/v1/completions", app.address))
            .bearer_auth(&ingest)
            .header("accept-language", "en")
            .json(&body)
            .send()
    };
    let results: serde_json::Value = push(json!([
        {"learner_code": learner_code, "course_code": "KNS-01", "completed_at": "2026-11-20", "score": 92, "certificate_no": "CC-9"},
        {"learner_code": "HV-NOSUCH", "course_code": "KNS-01", "completed_at": "2026-11-20"},
        {"learner_code": learner_code, "course_code": "KNS-01", "completed_at": "2099-01-01"},
    ]))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        results[0],
        json!({"learner_code": learner_code, "course_code": "KNS-01", "ok": true, "status": "completed"})
    );
    assert_eq!((results[1]["ok"].clone(), results[1]["error"].clone()), (json!(false), json!("not_found")));
    assert_eq!(results[2]["errors"][0]["field"], "completed_at");

    let progress: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/learners/{}/progress", app.address, learner_code))
        .bearer_auth(&ingest)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(progress["courses"][0]["score"], 92.0);
    assert_eq!(progress["completion"], json!({"enrolled": 1, "completed": 1}));
    let overview = hocvuso::service::statistics::overview::overview(
        &db,
        &hocvuso::auth::Actor::Anonymous,
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!((overview.completion.enrolled, overview.completion.completed), (1, 1));

    let not_json = app
        .client
        .post(format!("{}/api/v1/completions", app.address))
        .bearer_auth(&ingest)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 422);
}

on_both_databases!(rest_completions, a_platform_pushes_completions_and_gets_one_result_per_item);
