//! Sign-in and sign-out over HTTP: cookies, rotation, logout, throttling, CSRF and security headers.
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::DatabaseConnection;

use crate::access::session_cookie;
use crate::{TestApp, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

async fn me(app: &TestApp, cookie: &str) -> u16 {
    app.client
        .get(format!("{}/api/v1/me", app.address))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn session_cookie_is_safe_rotated_and_ended_by_logout(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;

    let response = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&serde_json::json!({"username": "quantri", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(set_cookie.contains(attribute), "{set_cookie} lacks {attribute}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP on loopback");
    let first = set_cookie.split(';').next().unwrap().to_string();
    assert_eq!(me(&app, &first).await, 200);

    // Signing in again with the old cookie rotates it: the old one is dead.
    let response = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .header("cookie", &first)
        .json(&serde_json::json!({"username": "quantri", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let second = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(me(&app, &first).await, 401);
    assert_eq!(me(&app, &second).await, 200);

    let response =
        app.client.delete(format!("{}/api/v1/session", app.address)).header("cookie", &second).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(me(&app, &second).await, 401, "logout really ends the session");
}

on_both_databases!(cookie_rotation_logout, session_cookie_is_safe_rotated_and_ended_by_logout);

async fn login_form_redirects_and_never_echoes_the_password(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let post = |form: &'static [(&'static str, &'static str)]| {
        app.client.post(format!("{}/login", app.address)).form(form).send()
    };
    let wrong =
        post(&[("username", "quantri"), ("password", "sai-roi-nhe-1"), ("next", "/admin/audit")]).await.unwrap();
    assert_eq!(wrong.status(), 303);
    let location = wrong.headers()["location"].to_str().unwrap();
    assert_eq!(location, "/login?error=credentials&username=quantri&next=%2Fadmin%2Faudit");
    assert!(wrong.headers().get("set-cookie").is_none());

    let right = post(&[("username", "quantri"), ("password", PASSWORD), ("next", "/admin/audit")]).await.unwrap();
    assert_eq!(right.status(), 303);
    assert_eq!(right.headers()["location"], "/admin/audit");
    let cookie = right.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    assert_eq!(me(&app, &cookie).await, 200);

    let outside =
        post(&[("username", "quantri"), ("password", PASSWORD), ("next", "https://evil.example/")]).await.unwrap();
    assert_eq!(outside.headers()["location"], "/");
    let tab = post(&[("username", "quantri"), ("password", PASSWORD), ("next", "/\t/evil.example")]).await.unwrap();
    assert_eq!(tab.headers()["location"], "/", "a tab would make the browser read //evil.example");

    let logout = app.client.post(format!("{}/logout", app.address)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(logout.status(), 303);
    assert_eq!(me(&app, &cookie).await, 401);
}

on_both_databases!(login_form, login_form_redirects_and_never_echoes_the_password);

async fn repeated_failures_are_refused_with_retry_after(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let attempt = |password: &'static str| {
        app.client
            .post(format!("{}/api/v1/session", app.address))
            .header("accept-language", "en")
            .json(&serde_json::json!({"username": "quantri", "password": password}))
            .send()
    };
    for _ in 0..5 {
        let response = attempt("sai-roi-nhe-1").await.unwrap();
        assert_eq!(response.status(), 401);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["message"], "Wrong username or password.");
    }
    let refused = attempt(PASSWORD).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(body["message"], "Too many attempts. Please wait a few minutes and try again.");
}

on_both_databases!(http_throttling, repeated_failures_are_refused_with_retry_after);

async fn cross_site_requests_are_refused(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let (_, token) =
        hocvuso::service::accounts::tokens::create(&db, "test", "read", hocvuso::auth::TokenScope::ReadStats)
            .await
            .unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;

    let forged = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({"username": "quantri", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.headers().get("set-cookie").is_none());

    let forged_form = app
        .client
        .post(format!("{}/admin/tokens", app.address))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "forged"), ("scope", "ingest")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_form.status(), 403);
    assert_eq!(forged_form.text().await.unwrap(), "Yêu cầu từ trang web khác bị từ chối.");

    let same_origin = app
        .client
        .get(format!("{}/admin/tokens", app.address))
        .header("cookie", &cookie)
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), 200);
    assert!(!same_origin.text().await.unwrap().contains("forged"), "the forged request changed nothing");

    let with_bearer = app
        .client
        .post(format!("{}/api/v1/stats/overview", app.address))
        .header("origin", "https://evil.example")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    // It reaches the router (405: the route only reads), not the cross-site refusal (403).
    assert_eq!(with_bearer.status(), 405, "bearer tokens are not borrowed by pages");
}

on_both_databases!(csrf, cross_site_requests_are_refused);

async fn every_response_carries_security_headers(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    for path in ["/", "/login", "/api/v1/me", "/healthz", "/favicon.svg"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    let page = app.get("/").await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    let html = page.text().await.unwrap();
    // The page's own inline scripts carry the nonce its policy allows, and nothing else runs.
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")));
    assert_eq!(html.matches("<script").count(), html.matches(&format!("<script nonce=\"{nonce}\">")).count());
    // No page has an island yet, so none loads the browser bundle (nor the data it would hydrate).
    assert!(!html.contains("/pkg/hocvuso.js") && !html.contains(".wasm") && html.contains("__RESOLVED_RESOURCES=[]"));
}

on_both_databases!(security_headers, every_response_carries_security_headers);

async fn concurrent_guesses_are_held_to_the_failure_limit(db: DatabaseConnection) {
    use hocvuso::entity::lookup_attempt;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let audit_rows = || hocvuso::entity::audit_log::Entity::find().count(&app.db);
    let audited_before = audit_rows().await.unwrap();
    let guesses = (0..100).map(|i| {
        app.client
            .post(format!("{}/api/v1/session", app.address))
            .json(&serde_json::json!({"username": "quantri", "password": format!("sai-roi-nhe-{i}")}))
            .send()
    });
    let statuses: Vec<u16> =
        futures::future::join_all(guesses).await.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    // At most MAX_FAILURES passwords were checked; every other guess was refused unchecked, for the
    // limit (429) or because the hashing queue was full (503 with Retry-After: argon2 is slow in a
    // debug build, so here most guesses wait too long for a turn).
    let checked = count(401);
    assert!(checked <= 5, "{statuses:?}");
    assert_eq!(checked + count(429) + count(503), 100, "{statuses:?}");
    // Guessing on one at a time, exactly the rest of the five are checked, then the limit holds.
    let mut later = Vec::new();
    for i in 0..(8 - checked) {
        let response = app
            .client
            .post(format!("{}/api/v1/session", app.address))
            .json(&serde_json::json!({"username": "quantri", "password": format!("sai-nua-{i}")}))
            .send()
            .await
            .unwrap();
        later.push(response.status().as_u16());
    }
    let mut expected = vec![401; 5 - checked];
    expected.extend([429; 3]);
    assert_eq!(later, expected);
    let failures = lookup_attempt::Entity::find().filter(lookup_attempt::Column::ClientAddr.eq("login user quantri"));
    assert_eq!(failures.count(&app.db).await.unwrap(), 5);
    // Refusals wrote nothing: the only new audit rows are the five failures.
    assert_eq!(audit_rows().await.unwrap(), audited_before + 5);
}

on_both_databases!(concurrent_guesses, concurrent_guesses_are_held_to_the_failure_limit);

async fn private_answers_are_never_cached_and_https_sites_send_hsts(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let code = crate::register_learner(&db).await;
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    for path in [
        format!("/learners/{code}"),
        format!("/learners/{code}/personal-data"),
        format!("/api/v1/learners/{code}"),
        "/admin/tokens".to_string(),
    ] {
        let response = app.client.get(format!("{}{path}", app.address)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert!(response.headers().get("strict-transport-security").is_none(), "plain http: {path}");
    }
    // Behind a TLS-terminating proxy (HOCVUSO_SECURE_COOKIES), every answer carries HSTS.
    let https = crate::spawn_app_with(db.clone(), |config| config.secure_cookies = true).await;
    for path in ["/", "/healthz", "/api/v1/me"] {
        let response = https.get(path).await;
        assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000", "{path}");
    }
    // A proxy that is not trusted cannot claim HTTPS: no HSTS, no Secure cookie.
    let sign_in = |app: &TestApp| {
        let body = serde_json::json!({"username": "quantri", "password": PASSWORD});
        app.client
            .post(format!("{}/api/v1/session", app.address))
            .header("x-forwarded-proto", "https")
            .json(&body)
            .send()
    };
    let response =
        app.client.get(format!("{}/", app.address)).header("x-forwarded-proto", "https").send().await.unwrap();
    assert!(response.headers().get("strict-transport-security").is_none());
    let cookie = sign_in(&app).await.unwrap().headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!cookie.contains("Secure"), "{cookie}");
    // A trusted one can, and both follow from the same rule.
    let proxied = crate::spawn_app_with(db, |config| {
        config.trusted_proxies = hocvuso::net::TrustedProxies::parse("127.0.0.1/32").unwrap();
    })
    .await;
    let response =
        proxied.client.get(format!("{}/", proxied.address)).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000");
    let cookie = sign_in(&proxied).await.unwrap().headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

on_both_databases!(private_headers, private_answers_are_never_cached_and_https_sites_send_hsts);

/// Sends the head of a POST announcing `length` bytes and a few of them, then waits for an answer
/// without sending the rest: a server that reads the body before asking who is there never answers.
async fn answer_before_body(app: &TestApp, path: &str, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: multipart/form-data; boundary=x\r\n\
         Content-Length: {length}\r\n\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), stream.read(&mut answer))
        .await
        .expect("answered without waiting for the 20 MB body")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).to_string()
}

async fn uploads_from_strangers_are_refused_before_the_file_is_read(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    for path in ["/learners/import", "/admin/targets/import", "/api/v1/imports/learners", "/api/v1/imports/completions"]
    {
        let answer = answer_before_body(&app, path, 20 * 1024 * 1024).await;
        let status_line = answer.lines().next().unwrap_or_default();
        assert!(
            status_line.contains(" 401 ") || status_line.contains(" 303 ") || status_line.contains(" 403 "),
            "{path}: {status_line}"
        );
    }
}

on_both_databases!(uploads_ask_who_first, uploads_from_strangers_are_refused_before_the_file_is_read);
