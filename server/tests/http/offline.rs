//! The installable app (issue 21): the service worker and manifest as browsers need them, the
//! offline code only on signed-in people's pages, and the guidance form's plain post applied once
//! per outbox key.
use hocvuso::auth::Actor;
use hocvuso::entity::guidance_session;
use hocvuso::on_both_databases;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::access::session_cookie;
use crate::{ORGANISER_PASSWORD as PASSWORD, organiser_and_team, register_learner, spawn_app};

async fn the_service_worker_and_manifest_are_served_as_browsers_need_them(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let worker = app.get("/sw.js").await;
    let header = |name: &str| worker.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header("cache-control"), "no-cache", "a new worker is picked up on the next visit");
    assert_eq!(header("content-security-policy"), "default-src 'self'", "the worker may fetch this site only");
    assert!(worker.text().await.unwrap().contains("importScripts('/outbox-store.js')"));

    let manifest = app.get("/manifest.webmanifest").await;
    assert_eq!(manifest.headers()["content-type"], "application/manifest+json");
    let manifest: serde_json::Value = manifest.json().await.unwrap();
    assert_eq!((&manifest["start_url"], &manifest["theme_color"]), (&"/learners/new".into(), &"#b91c1c".into()));
    let sizes: Vec<&str> = manifest["icons"].as_array().unwrap().iter().map(|i| i["sizes"].as_str().unwrap()).collect();
    assert!(sizes.contains(&"192x192") && sizes.contains(&"512x512"), "{sizes:?}");
    for icon in ["icon-192.png", "icon-512.png"] {
        let png = std::fs::read(format!("{}/../public/icons/{icon}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(&png[1..4], b"PNG", "{icon}");
    }
}

on_both_databases!(offline_files, the_service_worker_and_manifest_are_served_as_browsers_need_them);

async fn only_signed_in_pages_load_the_offline_code_and_the_guidance_post_applies_once(db: DatabaseConnection) {
    let pao = register_learner(&db).await;
    let team = organiser_and_team(&db).await;
    let app = spawn_app(db.clone()).await;
    let me = session_cookie(&app, "trong", PASSWORD).await;
    let page = |path: &str, cookie: Option<&str>| {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };

    let anonymous = page("/", None).await.unwrap();
    let policy = anonymous.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("worker-src 'self'") && policy.contains("manifest-src 'self'"), "{policy}");
    let html = anonymous.text().await.unwrap();
    assert!(html.contains(r#"<link rel="manifest" href="/manifest.webmanifest""#));
    assert!(!html.contains("/outbox.js"), "no code for those not signed in");

    let form = page("/guidance/new", Some(&me)).await.unwrap().text().await.unwrap();
    assert!(form.contains(r#"<script type="module" src="/outbox.js">"#));
    assert!(form.contains(r#"data-outbox="guidance""#) && form.contains("Đội hình Khao Mang"));
    let registration = page("/learners/new", Some(&me)).await.unwrap().text().await.unwrap();
    assert!(registration.contains(r#"data-outbox="registration""#));
    let outbox = page("/outbox", Some(&me)).await.unwrap().text().await.unwrap();
    assert!(outbox.contains(r#"id="outbox""#) && outbox.contains("Đang chờ gửi"));

    // The plain post, twice with one outbox key (a post the service worker kept and sent again): one session.
    let key = uuid::Uuid::now_v7();
    let body = format!(
        "team={team}&date={}&commune=&village=B%E1%BA%A3n+N%C3%A0+H%E1%BA%A9u&course=&topic=VNeID&attendees={pao}%2C+&guided_unregistered=4&outbox_id={key}",
        hocvuso::week::vietnam_today()
    );
    for _ in 0..2 {
        let posted = app
            .client
            .post(format!("{}/guidance/new", app.address))
            .header("cookie", &me)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!((posted.status().as_u16(), &posted.headers()["location"]), (303, &"/teams".parse().unwrap()));
    }
    assert_eq!(guidance_session::Entity::find().count(&db).await.unwrap(), 1);
    let sessions = hocvuso::service::guidance::list(&db, &Actor::Anonymous, team).await;
    assert!(sessions.is_err(), "not for anonymous callers");

    // A refused post shows the form again, with what was typed and every problem.
    let refused = app
        .client
        .post(format!("{}/guidance/new", app.address))
        .header("cookie", &me)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("team={team}&date=31/02/2026&village=&guided_unregistered=abc&attendees=HV-NOSUCH"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    for problem in ["Ngày hướng dẫn là một ngày", "Ghi thôn/bản", "Chọn một khoá học", "Không có học viên mang mã này"]
    {
        assert!(html.contains(problem), "{problem}");
    }
}

on_both_databases!(offline_pages, only_signed_in_pages_load_the_offline_code_and_the_guidance_post_applies_once);
