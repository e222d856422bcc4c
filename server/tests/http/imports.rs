//! Learner import and export over REST.
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::DatabaseConnection;

use crate::access::session_cookie;
use crate::spawn_app;

const PASSWORD: &str = "ruong-bac-thang-2026";

async fn bad_rows_are_listed_and_good_files_import_once(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let post = |query: String, body: &'static str| {
        app.client
            .post(format!("{}/api/v1/imports/learners?{query}", app.address))
            .header("cookie", &cookie)
            .header("accept-language", "en")
            .body(body)
            .send()
    };
    let bad = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,4465\n\
Lò Thị Dơ,05/03/1990,Nữ,12345,4465\n";
    let response = post(format!("consent_version={CONSENT_VERSION}"), bad).await.unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_rows");
    assert_eq!(
        body["errors"],
        serde_json::json!([{"line": 3, "column": "Số điện thoại", "value": "12345",
            "message": "The phone number is not valid (e.g. 0912 345 678 or +84 912 345 678)."}])
    );

    let unstated = post(String::new(), bad).await.unwrap();
    assert_eq!(unstated.status(), 422);
    let body: serde_json::Value = unstated.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "consent_version");

    let good = "full_name,birth_date,gender,phone,commune\nNguyễn Văn An,05/03/1990,Nam,0912 000 001,4465\n";
    let dry: serde_json::Value =
        post(format!("dry_run=true&consent_version={CONSENT_VERSION}"), good).await.unwrap().json().await.unwrap();
    assert_eq!(
        dry,
        serde_json::json!({"created": 1, "updated": 0, "unchanged": 0, "dry_run": true, "unknown_columns": []})
    );
    let first: serde_json::Value =
        post(format!("consent_version={CONSENT_VERSION}"), good).await.unwrap().json().await.unwrap();
    assert_eq!(first["created"], 1);
    let again: serde_json::Value =
        post(format!("consent_version={CONSENT_VERSION}"), good).await.unwrap().json().await.unwrap();
    assert_eq!((again["created"].clone(), again["unchanged"].clone()), (0.into(), 1.into()));

    // The same path takes a multipart upload, as the upload page sends it.
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(good.as_bytes().to_vec()).file_name("hoc-vien.csv"));
    let multipart: serde_json::Value = app
        .client
        .post(format!("{}/api/v1/imports/learners?consent_version={CONSENT_VERSION}", app.address))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(multipart["unchanged"], 1);

    let export = app
        .client
        .get(format!("{}/api/v1/learners/export?format=xlsx", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert_eq!(export.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let rows = hocvuso::service::table::read(&export.bytes().await.unwrap()).unwrap();
    assert_eq!(rows[1][1], "Nguyễn Văn An");
    let wrong_format = app
        .client
        .get(format!("{}/api/v1/learners/export?format=pdf", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_format.status(), 422);
}

on_both_databases!(rest_import, bad_rows_are_listed_and_good_files_import_once);

#[test]
fn openapi_document_names_every_route() {
    let doc: serde_json::Value = serde_json::from_str(hocvuso_server::api::OPENAPI).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.0.3");
    let mut paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/communes",
            "/completions",
            "/consent-notice",
            "/courses",
            "/enrolments",
            "/imports/completions",
            "/imports/learners",
            "/imports/targets",
            "/leaderboard",
            "/learners",
            "/learners/export",
            "/learners/{code}",
            "/learners/{code}/personal-data",
            "/learners/{code}/progress",
            "/learners/{code}/progress-link",
            "/lookup",
            "/me",
            "/openapi.json",
            "/organisations",
            "/reports/weekly",
            "/session",
            "/stats/completion",
            "/stats/overview",
            "/targets",
            "/teams",
        ]
    );
}
