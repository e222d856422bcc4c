//! Kept pages: a figures page is rendered once per database state and per reader, answered again
//! with a fresh nonce, and never shown to anyone who would see another page.
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::DatabaseConnection;

use crate::access::session_cookie;
use crate::{TestApp, figure, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

/// (the nonce the answer's policy allows, the page).
async fn page(app: &TestApp, cookie: &str, path: &str) -> (String, String) {
    let response = app.client.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    let nonce = policy.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    (nonce, response.text().await.unwrap())
}

async fn figure_pages_are_kept_until_a_commit_and_never_shared(db: DatabaseConnection) {
    hocvuso::service::demo::seed_demo(&db).await.unwrap();
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let admin = crate::admin_actor();
    let scope = hocvuso::auth::Scope { communes: [4465].into(), organisations: Default::default() };
    accounts::create_organiser(&db, &admin, "trong", "Trong Khao Mang", PASSWORD, &scope).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let organiser = session_cookie(&app, "trong", PASSWORD).await;
    // On PostgreSQL the snapshot moves with every database of the server (other tests beside this
    // one), so there a kept page may be rendered again: the counts are exact on SQLite only.
    let exact = app.db.get_database_backend() == sea_orm::DbBackend::Sqlite;

    let path = "/leaderboard?by=commune&week=2026-W47";
    let (first_nonce, first) = page(&app, &cookie, path).await;
    let kept = app.figures.kept_count();
    let (second_nonce, second) = page(&app, &cookie, path).await;
    let after_second = app.figures.kept_count();
    // The same figures at another address: the page, and only the page, is rendered and kept.
    page(&app, &cookie, "/leaderboard?week=2026-W47&by=commune").await;
    if exact {
        assert_eq!(after_second, kept, "the second reader is answered from the kept page");
        assert_eq!(app.figures.kept_count(), kept + 1, "a page is kept, its figures were already");
    }
    assert_ne!(first_nonce, second_nonce, "every answer has its own nonce");
    assert!(second.contains(&format!("nonce=\"{second_nonce}\"")) && !second.contains(&first_nonce));
    assert_eq!(first.replace(&first_nonce, "N"), second.replace(&second_nonce, "N"), "the same page otherwise");

    // An organiser asking for the same address gets their own page: their communes, their name.
    let (_, theirs) = page(&app, &organiser, path).await;
    assert!(theirs.contains("Trong Khao Mang") && !theirs.contains("Quản trị"));
    assert_eq!(theirs.matches("<tr data-unit=").count(), 1);
    assert_eq!(first.matches("<tr data-unit=").count(), 99);
    // So does a reader who chose English.
    let (_, english) = page(&app, &format!("{cookie}; lang=en"), path).await;
    assert!(english.contains("<html lang=\"en\"") && first.contains("<html lang=\"vi\""));

    // A commit is seen at once: one more learner in the overview.
    let (_, before) = page(&app, &cookie, "/").await;
    crate::register_learner(&app.db).await;
    let (_, after) = page(&app, &cookie, "/").await;
    assert_eq!((figure(&before, "learners"), figure(&after, "learners")), ("3.043".into(), "3.044".into()));

    // Other pages are rendered for every request.
    let kept = app.figures.kept_count();
    page(&app, &cookie, "/learners").await;
    page(&app, &cookie, "/learners").await;
    if exact {
        assert_eq!(app.figures.kept_count(), kept);
    }
}

on_both_databases!(kept_pages, figure_pages_are_kept_until_a_commit_and_never_shared);
