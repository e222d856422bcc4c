//! No password, session id or token appears in any log line of a full sign-in flow.
use std::io::Write;
use std::sync::{Arc, Mutex};

use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::DatabaseConnection;

use crate::access::session_cookie;
use crate::spawn_app;

const PASSWORD: &str = "ruong-bac-thang-2026";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Captures every log line of this process, at every level. nextest runs each test in its own
    /// process, so the test owns the global subscriber.
    fn install() -> Capture {
        let capture = Capture::default();
        let writer = capture.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init()
            .expect("the only subscriber in this process");
        capture
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn sign_in_flow_logs_no_secret(db: DatabaseConnection) {
    let capture = Capture::install();

    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let (_, token) =
        hocvuso::service::accounts::tokens::create(&db, "test", "read", hocvuso::auth::TokenScope::ReadStats)
            .await
            .unwrap();
    let app = spawn_app(db).await;
    // A failed attempt, the form, REST, a token call, logout.
    let _ = app
        .client
        .post(format!("{}/login", app.address))
        .form(&[("username", "quantri"), ("password", "sai-roi-nhe-1")])
        .send()
        .await;
    let _ = app
        .client
        .post(format!("{}/login", app.address))
        .form(&[("username", "quantri"), ("password", PASSWORD)])
        .send()
        .await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let secret = cookie.split('=').nth(1).unwrap().to_string();
    let _ = app.client.get(format!("{}/api/v1/stats/overview", app.address)).bearer_auth(&token).send().await;
    let _ = app.client.get(format!("{}/admin/accounts", app.address)).header("cookie", &cookie).send().await;
    let _ = app.client.delete(format!("{}/api/v1/session", app.address)).header("cookie", &cookie).send().await;

    let logs = capture.text();
    assert!(logs.contains(r#"route="/api/v1/session""#), "the capture works: {logs}");
    assert!(logs.contains(r#"route="/login""#));
    // Lines are logged inside the request's span: its route and id come with them.
    assert!(
        logs.lines().any(|l| l.contains("request{") && l.contains(r#"route="/login""#) && l.contains(" id=")),
        "{logs}"
    );
    for secret_text in [PASSWORD, "sai-roi-nhe-1", &secret, &token, &token[4..]] {
        assert!(!logs.contains(secret_text), "a secret reached the log:\n{logs}");
    }
}

on_both_databases!(no_secrets_in_logs, sign_in_flow_logs_no_secret);

/// No phone number, birth date, name or personal link in any log line of a registration (form and
/// REST), an import, the learner's page and a lookup.
async fn learner_flows_log_nothing_personal(db: DatabaseConnection) {
    let capture = Capture::install();
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let consent = hocvuso::consent::CONSENT_VERSION;

    let form = app
        .client
        .post(format!("{}/learners/new", app.address))
        .header("cookie", &cookie)
        .form(&[
            ("full_name", "Vàng Thị Mai"),
            ("birth_date", "14/07/1992"),
            ("gender", "nu"),
            ("phone", "0977 300 001"),
            ("commune", "4465"),
            ("consent_version", consent),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 303);
    let rest = app
        .client
        .post(format!("{}/api/v1/learners", app.address))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"full_name": "Sùng A Páo", "birth_date": "1988-02-29", "gender": "male",
            "phone": "0977 300 002", "commune": 4465, "consent_version": consent}))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 201);
    let import = app
        .client
        .post(format!("{}/api/v1/imports/learners?consent_version={consent}", app.address))
        .header("cookie", &cookie)
        .header("content-type", "text/csv")
        .body("Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Số CCCD\nLò Văn Ín,03/09/1979,Nam,0977 300 003,4465,010090001234\n")
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 200, "{}", import.text().await.unwrap());
    // A failing registration too: its problems are reported, its values not logged.
    let _ = app
        .client
        .post(format!("{}/api/v1/learners", app.address))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"full_name": "Vàng Thị Mai", "birth_date": "14/07/1992", "gender": "nu",
            "phone": "0977 300 001", "commune": 4465, "consent_version": consent}))
        .send()
        .await;

    let lookup = app
        .client
        .post(format!("{}/tra-cuu", app.address))
        .form(&[("phone", "0977 300 001"), ("birth_date", "14/07/1992")])
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), 303);
    let page = lookup.headers()["location"].to_str().unwrap().to_string();
    let token = page.trim_start_matches("/p/").to_string();
    assert_eq!(app.get(&page).await.status(), 200);
    let _ = app
        .client
        .post(format!("{}/api/v1/lookup", app.address))
        .json(&serde_json::json!({"phone": "0977 300 002", "birth_date": "01/01/1990"}))
        .send()
        .await;

    let logs = capture.text();
    assert!(
        logs.contains(r#"route="/tra-cuu""#) && logs.contains(r#"route="/p/{token}""#),
        "the capture works: {logs}"
    );
    for personal in [
        "977300001",
        "977 300 001",
        "977300002",
        "977300003",
        "14/07/1992",
        "1992-07-14",
        "1988-02-29",
        "03/09/1979",
        "1979-09-03",
        "010090001234",
        "Vàng Thị Mai",
        "Sùng A Páo",
        "Lò Văn Ín",
        "vang thi mai",
        &token,
    ] {
        assert!(!logs.contains(personal), "{personal} reached the log:\n{logs}");
    }
}

on_both_databases!(nothing_personal_in_logs, learner_flows_log_nothing_personal);
