//! A learner's own page at their personal link.
use hocvuso::entity::learner;
use hocvuso::on_both_databases;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::{add_course, admin_actor, register_learner, spawn_app};

async fn the_personal_link_shows_masked_progress_and_only_the_given_name(db: DatabaseConnection) {
    add_course(&db, None).await;
    let code = register_learner(&db).await;
    let report = hocvuso::model::CompletionReport {
        learner_code: code.clone(),
        course_code: "KNS-01".into(),
        completed_at: "2026-11-20".into(),
        score: None,
        certificate_no: Some("CC-42".into()),
    };
    hocvuso::service::progress::record_completion(&db, &admin_actor(), &report, hocvuso::model::Source::Form)
        .await
        .unwrap();
    let token = learner::Entity::find().one(&db).await.unwrap().unwrap().access_token.unwrap();
    let app = spawn_app(db).await;

    let page = app.get(&format!("/p/{token}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<meta name="robots" content="noindex, nofollow">"#), "{html}");
    assert!(html.contains("Xin chào Pao"));
    assert!(html.contains("03xx xxx 111") && !html.contains("362000111"), "the phone is masked");
    assert!(!html.contains("Lò Văn"), "only the given name");
    assert!(html.contains("Hoàn thành") && html.contains("CC-42") && html.contains("1/1"));

    for wrong in ["0".repeat(64), "not-a-token".to_string()] {
        let gone = app.get(&format!("/p/{wrong}")).await;
        assert_eq!(gone.status(), 404);
        assert!(gone.text().await.unwrap().contains("Đường dẫn này không còn hiệu lực"));
    }
}

on_both_databases!(personal_link, the_personal_link_shows_masked_progress_and_only_the_given_name);
