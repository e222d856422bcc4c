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
    let capture = Capture::default();
    let writer = capture.clone();
    // nextest runs every test in its own process, so this test owns the global subscriber.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .try_init()
        .expect("the only subscriber in this process");

    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD).await.unwrap();
    let (_, token) =
        hocvuso::service::tokens::create(&db, "test", "read", hocvuso::auth::TokenScope::ReadStats).await.unwrap();
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

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains(r#"route="/api/v1/session""#), "the capture works: {logs}");
    assert!(logs.contains(r#"route="/login""#));
    for secret_text in [PASSWORD, "sai-roi-nhe-1", &secret, &token, &token[4..]] {
        assert!(!logs.contains(secret_text), "a secret reached the log:\n{logs}");
    }
}

on_both_databases!(no_secrets_in_logs, sign_in_flow_logs_no_secret);
