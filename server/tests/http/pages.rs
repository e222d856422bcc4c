use hocvuso::on_both_databases;
use sea_orm::DatabaseConnection;

use crate::{figure, spawn_app};

async fn overview_is_rendered_on_the_server_with_the_demo_figures(db: DatabaseConnection) {
    hocvuso::service::demo::seed_demo(&db).await.unwrap();
    let app = spawn_app(db).await;

    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="vi""#), "{html}");
    assert_eq!(figure(&html, "enrolled"), "7.678");
    assert_eq!(figure(&html, "completed"), "5.835");
    assert_eq!(figure(&html, "rate"), "76,0%");
    assert_eq!(figure(&html, "teams"), "152");
    assert!(!html.contains("Đang tải"), "the figures are in the first response, not streamed in later");
    assert_eq!(html.matches("data-commune=").count(), 99);

    let english = app
        .client
        .get(format!("{}/", app.address))
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains(r#"<html lang="en""#));
    assert_eq!(figure(&english, "enrolled"), "7,678");
    assert_eq!(figure(&english, "rate"), "76.0%");
}

on_both_databases!(overview_page, overview_is_rendered_on_the_server_with_the_demo_figures);

async fn health_answers_while_the_database_does(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");

    app.db.clone().close().await.unwrap();
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
}

on_both_databases!(health, health_answers_while_the_database_does);

async fn language_switch_sets_a_cookie_and_stays_on_this_site(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let response = app.get("/lang/en?next=/reports").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/reports");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");

    // %09 is a tab: browsers drop it and would read `/<TAB>/evil.example` as `//evil.example`.
    for outside in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "/%20/evil.example",
        "%2F%2Fevil.example",
    ] {
        let response = app.get(&format!("/lang/vi?next={outside}")).await;
        assert_eq!(response.headers()["location"], "/", "next={outside}");
    }
}

on_both_databases!(language_switch, language_switch_sets_a_cookie_and_stays_on_this_site);

async fn unknown_page_is_a_404_in_the_users_language(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let response = app.get("/khong-co-trang-nay").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Không tìm thấy."));
}

on_both_databases!(not_found, unknown_page_is_a_404_in_the_users_language);

/// One rule everywhere: the `lang` cookie, else Accept-Language, else Vietnamese.
async fn pages_rest_and_kept_pages_follow_one_language_rule(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let get = |path: &str, cookie: Option<&str>, accept: Option<&str>| {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let english = Some("en-US,en;q=0.9");
    // "/" is a kept page (rendered once, answered again): each language is kept apart.
    for path in ["/", "/khong-co-trang-nay"] {
        for _ in 0..2 {
            assert!(get(path, None, None).await.contains(r#"<html lang="vi""#), "{path}: Vietnamese by default");
            assert!(get(path, None, english).await.contains(r#"<html lang="en""#), "{path}: the browser's preference");
            assert!(
                get(path, Some("lang=vi"), english).await.contains(r#"<html lang="vi""#),
                "{path}: the cookie first"
            );
        }
    }
    // REST says the same in the same language.
    let lookup = |accept: Option<&'static str>| {
        let mut request = app
            .client
            .post(format!("{}/api/v1/lookup", app.address))
            .body("{")
            .header("content-type", "application/json");
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let (vi, en) = (lookup(None).await, lookup(english).await);
    assert_ne!(vi, en);
    assert!(en.is_ascii(), "{en}");
    assert!(!vi.is_ascii(), "{vi}");
}

on_both_databases!(one_language_rule, pages_rest_and_kept_pages_follow_one_language_rule);
