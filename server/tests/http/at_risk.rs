//! `/at-risk` and `GET /api/v1/at-risk`: a call list with `tel:` links and ready messages, for
//! the caller's scope only; bad values are a clear 422.
use chrono::Duration;
use hocvuso::auth::Scope;
use hocvuso::entity::enrolment;
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::sea_query::Expr;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::access::session_cookie;
use crate::{TestApp, add_course, admin_actor, figure, register_learner, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

/// Lò Văn Pao enrolled in KNS-01 20 days ago, at 20%, unchanged for 12 days; organisers of his
/// commune (4465) and of Hoàn Kiếm (70), signed in.
async fn stalled(db: DatabaseConnection) -> (TestApp, String, String, String) {
    add_course(&db, None).await;
    let code = register_learner(&db).await;
    let admin = admin_actor();
    hocvuso::service::enrolments::progress::set_progress(&db, &admin, &code, "KNS-01", 20).await.unwrap();
    let now = hocvuso::service::now();
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::EnrolledAt, Expr::value(now - Duration::days(20)))
        .col_expr(enrolment::Column::ProgressChangedAt, Expr::value(now - Duration::days(12) - Duration::hours(1)))
        .exec(&db)
        .await
        .unwrap();
    let scope = |code: i32| Scope { communes: [code].into_iter().collect(), organisations: Default::default() };
    accounts::create_organiser(&db, &admin, "trong", "Trong phạm vi", PASSWORD, &scope(4465)).await.unwrap();
    accounts::create_organiser(&db, &admin, "ngoai", "Ngoài phạm vi", PASSWORD, &scope(70)).await.unwrap();
    let app = spawn_app(db).await;
    let inside = session_cookie(&app, "trong", PASSWORD).await;
    let outside = session_cookie(&app, "ngoai", PASSWORD).await;
    (app, code, inside, outside)
}

async fn get(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap()
}

async fn the_page_is_a_call_list_with_tel_links_and_messages(db: DatabaseConnection) {
    let (app, code, inside, outside) = stalled(db).await;
    let response = get(&app, &inside, "/at-risk").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store", "phone numbers stay out of caches");
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!(r#"data-learner="{code}""#)), "{html}");
    assert_eq!(figure(&html, "days-idle"), "12");
    assert!(html.contains(r#"href="tel:+84362000111""#), "a call link");
    assert!(html.contains("0362 000 111"), "the number as dialled");
    let message = format!(
        "Chào Pao, bạn đã đăng ký khoá học «Kỹ năng số cơ bản» (tiến độ 20%) nhưng chưa hoàn thành. Mời bạn học \
         tiếp để hoàn thành khoá học. Xem tiến độ của bạn tại {}/tra-cuu (nhập số điện thoại và ngày sinh).",
        app.address
    );
    assert!(html.contains(&format!(">{message}</textarea>")), "the message, ready to select: {html}");
    assert!(html.contains(r#"data-copy="message-1""#) && html.contains(r#"id="message-1""#));
    assert!(html.contains(r#"<script src="/copy-message.js""#), "the copy button's script, same origin");
    assert!(html.contains("Chép tin nhắn"));
    assert!(html.contains(r#"href="/at-risk""#), "in the navigation");

    // In English the page changes; the message for the learner stays Vietnamese.
    let english = app
        .client
        .get(format!("{}/at-risk?idle_days=12", app.address))
        .header("cookie", format!("{inside}; lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Copy message") && english.contains(&message), "{english}");
    // A longer threshold than his idle days: nobody.
    let none = get(&app, &inside, "/at-risk?idle_days=13").await.text().await.unwrap();
    assert!(none.contains(r#"data-testid="no-at-risk""#) && !none.contains("tel:"));

    // The organiser of another commune: not his commune (404), and nobody of theirs.
    assert_eq!(get(&app, &outside, "/at-risk?commune=4465").await.status(), 404);
    let theirs = get(&app, &outside, "/at-risk").await.text().await.unwrap();
    assert!(!theirs.contains("362000111") && !theirs.contains(&code));
    // A bad value: 422, saying which.
    let bad = get(&app, &inside, "/at-risk?idle_days=-1").await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("idle_days: Số ngày là số nguyên từ 0 đến 3.650."), "{html}");
}

on_both_databases!(at_risk_page, the_page_is_a_call_list_with_tel_links_and_messages);

async fn the_api_lists_the_same_rows_and_refuses_bad_values(db: DatabaseConnection) {
    let (app, code, inside, outside) = stalled(db).await;
    let response = get(&app, &inside, "/api/v1/at-risk?commune=4465&course=kns-01&idle_days=7&enrolled_days=14").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (body["total"].as_u64(), body["idle_days"].as_u64(), body["enrolled_days"].as_u64()),
        (Some(1), Some(7), Some(14))
    );
    let row = &body["rows"][0];
    assert_eq!(row["learner_code"], code.as_str());
    assert_eq!(row["full_name"], "Lò Văn Pao");
    assert_eq!(row["phone"], "+84362000111");
    assert_eq!(
        (row["course_code"].as_str(), row["progress"].as_i64(), row["days_idle"].as_i64()),
        (Some("KNS-01"), Some(20), Some(12))
    );
    assert_eq!(row["status"], "in_progress");
    assert!(row["enrolled_on"].as_str().unwrap().len() == 10 && row["last_change"].is_string());
    assert!(row["message"].as_str().unwrap().contains("/tra-cuu"));
    // Unknown parameters are left aside, as on every route.
    let extra: serde_json::Value = get(&app, &inside, "/api/v1/at-risk?colour=red").await.json().await.unwrap();
    assert_eq!(extra["total"], 1);

    for (path, field) in [
        ("/api/v1/at-risk?idle_days=-1", "idle_days"),
        ("/api/v1/at-risk?idle_days=abc", "idle_days"),
        ("/api/v1/at-risk?idle_days=99999999999", "idle_days"),
        ("/api/v1/at-risk?idle_days=3651", "idle_days"),
        ("/api/v1/at-risk?enrolled_days=-7", "enrolled_days"),
        ("/api/v1/at-risk?enrolled_days=1.5", "enrolled_days"),
        ("/api/v1/at-risk?page=0", "page"),
        ("/api/v1/at-risk?page=123456789012", "page"),
        ("/api/v1/at-risk?team=abc", "team"),
        ("/api/v1/at-risk?commune=x", "commune"),
        ("/api/v1/at-risk?course=KHONG-CO", "course"),
    ] {
        let response = get(&app, &inside, path).await;
        assert_eq!(response.status(), 422, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid", "{path}");
        assert_eq!(body["errors"][0]["field"], field, "{path}");
    }
    // Outside the scope, or nowhere: 404 alike.
    for path in [
        "/api/v1/at-risk?commune=4465".to_string(),
        format!("/api/v1/at-risk?team={}", uuid::Uuid::now_v7()),
        format!("/api/v1/at-risk?organisation={}", uuid::Uuid::now_v7()),
    ] {
        assert_eq!(get(&app, &outside, &path).await.status(), 404, "{path}");
    }
    let theirs: serde_json::Value =
        get(&app, &outside, "/api/v1/at-risk?idle_days=0&enrolled_days=0").await.json().await.unwrap();
    assert_eq!(theirs["total"], 0);
    // Strangers are asked to sign in before anything is read.
    assert_eq!(app.get("/api/v1/at-risk?idle_days=-1").await.status(), 401);
}

on_both_databases!(at_risk_api, the_api_lists_the_same_rows_and_refuses_bad_values);
