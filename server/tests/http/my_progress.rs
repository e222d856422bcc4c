//! A learner's own page at their personal link.
use hocvuso::entity::learner;
use hocvuso::on_both_databases;
use sea_orm::{DatabaseConnection, EntityTrait};

use hocvuso::service::learners::registration;

use crate::{add_course, admin_actor, figure, register_learner_with_link, spawn_app};

async fn the_personal_link_shows_masked_progress_and_only_the_given_name(db: DatabaseConnection) {
    add_course(&db, None).await;
    let (code, token) = register_learner_with_link(&db).await;
    let report = hocvuso::model::CompletionReport {
        learner_code: code.clone(),
        course_code: "KNS-01".into(),
        completed_at: "2026-11-20".into(),
        score: None,
        certificate_no: Some("CC-42".into()),
    };
    hocvuso::service::enrolments::progress::record_completion(
        &db,
        &admin_actor(),
        &report,
        hocvuso::model::Source::Form,
    )
    .await
    .unwrap();
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

/// What the database holds for the learner's link.
async fn stored_link(db: &DatabaseConnection, code: &str) -> Option<String> {
    use sea_orm::{ColumnTrait, QueryFilter};
    learner::Entity::find().filter(learner::Column::Code.eq(code)).one(db).await.unwrap().unwrap().access_token
}

/// The secret at the end of a page address (`…/p/{secret}`).
fn secret_of(address: &str) -> String {
    address.rsplit('/').next().unwrap().to_string()
}

async fn links_are_stored_hashed_so_a_copy_of_the_database_opens_no_page(db: DatabaseConnection) {
    let (code, link) = register_learner_with_link(&db).await;
    let stored = stored_link(&db, &code).await.expect("a link was made at registration");
    assert_eq!(stored, hocvuso::service::secret::digest(&link));
    assert_ne!(stored, link);
    let app = spawn_app(db).await;
    assert_eq!(app.get(&format!("/p/{link}")).await.status(), 200);
    // Whoever reads the table (a backup, a leaked dump) holds only digests: none opens a page.
    assert_eq!(app.get(&format!("/p/{stored}")).await.status(), 404);

    // Over REST the link is in the answer that makes it, and only there.
    hocvuso::service::accounts::create_admin(&app.db, "quantri", "Quản trị", "ruong-bac-thang-2026", None)
        .await
        .unwrap();
    let cookie = crate::access::session_cookie(&app, "quantri", "ruong-bac-thang-2026").await;
    let form = serde_json::json!({"full_name": "Hoàng Thị Mỷ", "birth_date": "1985-08-12", "gender": "nu",
        "phone": "0912 345 678", "commune": 4456, "consent_version": hocvuso::consent::CONSENT_VERSION});
    let created = app.client.post(format!("{}/api/v1/learners", app.address)).header("cookie", &cookie).json(&form);
    let created = created.send().await.unwrap();
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["has_progress_link"], true);
    let address = body["progress_url"].as_str().unwrap();
    assert!(address.starts_with(&format!("{}/p/", app.address)));
    assert_eq!(
        figure(&app.get(&format!("/p/{}", secret_of(address))).await.text().await.unwrap(), "greeting"),
        "Xin chào Mỷ"
    );
    let shown = app.client.get(format!("{}/api/v1/learners/{}", app.address, body["code"].as_str().unwrap()));
    let shown: serde_json::Value = shown.header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    assert!(shown["progress_url"].is_null());
}

on_both_databases!(hashed_links, links_are_stored_hashed_so_a_copy_of_the_database_opens_no_page);

async fn lookup_json(app: &crate::TestApp, phone: &str, birth_date: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/lookup", app.address))
        .header("accept-language", "en")
        .json(&serde_json::json!({"phone": phone, "birth_date": birth_date}))
        .send()
        .await
        .unwrap()
}

async fn lookup_form(app: &crate::TestApp, phone: &str, birth_date: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/tra-cuu", app.address))
        .form(&[("phone", phone), ("birth_date", birth_date)])
        .send()
        .await
        .unwrap()
}

async fn lookup_finds_the_page_answers_alike_for_both_failures_and_is_limited(db: DatabaseConnection) {
    let (_, link) = register_learner_with_link(&db).await;
    let app = spawn_app(db).await;

    // 1: the form takes the learner to their page (the phone travels in the body, never the URL),
    // through an address of its own: the printed link is kept hashed and cannot be shown again.
    let found = lookup_form(&app, "0362000111", "05/03/1990").await;
    assert_eq!(found.status(), 303);
    let location = found.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/p/") && location != format!("/p/{link}"), "{location}");
    assert_eq!(figure(&app.get(&location).await.text().await.unwrap(), "greeting"), "Xin chào Pao");
    // 2: REST gives the address of a page that opens it, and until when.
    let found = lookup_json(&app, "+84 362 000 111", "1990-03-05").await;
    assert_eq!(found.status(), 200);
    let body: serde_json::Value = found.json().await.unwrap();
    let address = body["progress_url"].as_str().unwrap();
    assert!(address.starts_with(&format!("{}/p/", app.address)), "{address}");
    assert_eq!(app.get(&format!("/p/{}", secret_of(address))).await.status(), 200);
    let expires: chrono::DateTime<chrono::Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let lifetime = expires - chrono::Utc::now();
    assert!(lifetime > chrono::Duration::hours(23) && lifetime <= chrono::Duration::hours(24), "{lifetime}");

    // 3–4: no such phone and a wrong birth date: byte-for-byte the same answer.
    let no_phone = lookup_json(&app, "0362000999", "05/03/1990").await;
    let wrong_date = lookup_json(&app, "0362000111", "06/03/1990").await;
    assert_eq!((no_phone.status().as_u16(), wrong_date.status().as_u16()), (422, 422));
    let (no_phone, wrong_date) = (no_phone.text().await.unwrap(), wrong_date.text().await.unwrap());
    assert_eq!(no_phone, wrong_date);
    assert!(no_phone.contains("No learner matches this phone number and birth date"), "{no_phone}");
    // 5–6: and so on the page, which keeps what was typed.
    let no_phone = lookup_form(&app, "0362000999", "05/03/1990").await;
    let wrong_date = lookup_form(&app, "0362000111", "06/03/1990").await;
    assert_eq!((no_phone.status().as_u16(), wrong_date.status().as_u16()), (422, 422));
    let (no_phone, wrong_date) = (no_phone.text().await.unwrap(), wrong_date.text().await.unwrap());
    assert_eq!(figure(&no_phone, "lookup-error"), figure(&wrong_date, "lookup-error"));
    assert!(figure(&no_phone, "lookup-error").starts_with("Không tìm thấy học viên"));
    assert!(wrong_date.contains(r#"value="06/03/1990""#), "what was typed is kept");
    // 7: malformed input is named, field by field.
    let malformed = lookup_json(&app, "12", "hôm qua").await;
    assert_eq!(malformed.status(), 422);
    let body: serde_json::Value = malformed.json().await.unwrap();
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["phone", "birth_date"]);

    // 8–10 are allowed; the 11th within the minute is refused, even with the right answer.
    for _ in 8..=10 {
        assert_eq!(lookup_json(&app, "0362000999", "05/03/1990").await.status(), 422);
    }
    let refused = lookup_json(&app, "0362000111", "05/03/1990").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let refused = lookup_form(&app, "0362000111", "05/03/1990").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        figure(&refused.text().await.unwrap(), "lookup-error"),
        "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau một phút."
    );
    // Another address is not held back by this one.
    assert!(
        hocvuso::service::learners::lookup::own_page(&app.db, "0362000111", "05/03/1990", "10.0.0.2").await.is_ok()
    );
}

on_both_databases!(lookup, lookup_finds_the_page_answers_alike_for_both_failures_and_is_limited);

async fn a_lookup_opens_the_page_for_a_day_and_a_new_link_closes_it(db: DatabaseConnection) {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let (code, _) = register_learner_with_link(&db).await;
    let first =
        hocvuso::service::learners::lookup::own_page(&db, "0362000111", "05/03/1990", "10.0.0.1").await.unwrap();
    let second =
        hocvuso::service::learners::lookup::own_page(&db, "0362000111", "05/03/1990", "10.0.0.1").await.unwrap();
    assert_ne!(first, second);
    // Grants are kept as digests too.
    let grants = hocvuso::entity::progress_grant::Entity::find().all(&db).await.unwrap();
    assert_eq!(grants.len(), 2);
    assert!(grants.iter().all(|g| g.digest != first && g.digest != second));
    // A day later the first no longer opens the page.
    let mut expired =
        grants.into_iter().find(|g| g.digest == hocvuso::service::secret::digest(&first)).unwrap().into_active_model();
    expired.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    expired.update(&db).await.unwrap();
    let app = spawn_app(db).await;
    assert_eq!(app.get(&format!("/p/{first}")).await.status(), 404);
    assert_eq!(app.get(&format!("/p/{second}")).await.status(), 200);
    // A lost card renewed: every page a lookup opened closes with the old link.
    registration::renew_progress_link(&app.db, &admin_actor(), &code, "http://x").await.unwrap();
    assert_eq!(app.get(&format!("/p/{second}")).await.status(), 404);
    assert!(hocvuso::entity::progress_grant::Entity::find().all(&app.db).await.unwrap().is_empty());
}

on_both_databases!(lookup_grants, a_lookup_opens_the_page_for_a_day_and_a_new_link_closes_it);

async fn a_new_link_retires_the_old_one(db: DatabaseConnection) {
    let (code, old) = register_learner_with_link(&db).await;
    let organiser_out = hocvuso::auth::Actor::Account(hocvuso::auth::AccountActor {
        id: uuid::Uuid::now_v7(),
        username: "ngoai".into(),
        display_name: "Ngoài".into(),
        role: hocvuso::auth::Role::Organiser,
        province: None,
        scope: hocvuso::auth::Scope { communes: [70].into(), organisations: Default::default() },
    });
    let refused = registration::renew_progress_link(&db, &organiser_out, &code, "http://x").await;
    assert_eq!(refused.unwrap_err(), hocvuso::Error::NotFound, "out of scope");
    let stored = stored_link(&db, &code).await;
    assert_eq!(stored.as_deref(), Some(hocvuso::service::secret::digest(&old).as_str()), "a refusal changes nothing");

    let (card, new) =
        registration::renew_progress_link(&db, &admin_actor(), &code, "https://hocvuso.example").await.unwrap();
    assert_ne!(new, old);
    assert_eq!(stored_link(&db, &code).await, Some(hocvuso::service::secret::digest(&new)));
    assert_eq!(card.progress_url, Some(format!("https://hocvuso.example/p/{new}")));
    // The card shows the link only to whoever holds it: anyone else sees that one exists.
    let later = registration::card(&db, &admin_actor(), &code, "https://hocvuso.example", None).await.unwrap();
    assert_eq!((later.progress_url, later.qr_svg, later.has_progress_link), (None, None, true));
    let stale = registration::card(&db, &admin_actor(), &code, "https://hocvuso.example", Some(&old)).await.unwrap();
    assert_eq!(stale.progress_url, None, "an old link is not shown as the learner's");
    let audit = hocvuso::entity::audit_log::Entity::find().all(&db).await.unwrap();
    let entry = audit.iter().find(|e| e.action == "renew_progress_link").expect("audited");
    assert_eq!(entry.entity_id.as_deref(), Some(code.as_str()));
    assert!(!format!("{entry:?}").contains(&new) && !format!("{entry:?}").contains(&old), "no token in the audit");

    let app = spawn_app(db).await;
    let gone = app.get(&format!("/p/{old}")).await;
    assert_eq!(gone.status(), 404);
    assert!(gone.text().await.unwrap().contains("Đường dẫn này không còn hiệu lực"));
    assert_eq!(app.get(&format!("/p/{new}")).await.status(), 200);
}

on_both_databases!(renew_link, a_new_link_retires_the_old_one);

async fn a_page_shows_only_its_own_learner(db: DatabaseConnection) {
    let (pao, pao_token) = register_learner_with_link(&db).await;
    let form = hocvuso::model::LearnerForm {
        full_name: "Hoàng Thị Mỷ".into(),
        birth_date: "12/08/1985".into(),
        gender: "Nữ".into(),
        phone: "0912 345 678".into(),
        commune: "4456".into(),
        consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
        ..Default::default()
    };
    let registered =
        registration::register(&db, &admin_actor(), hocvuso::model::Area::Province(15), &form).await.unwrap();
    let (my, my_token) = (registered.learner.code, registered.link);
    hocvuso::service::accounts::create_admin(&db, "quantri", "Quản trị", "ruong-bac-thang-2026", None).await.unwrap();
    let app = spawn_app(db).await;

    let pao_page = app.get(&format!("/p/{pao_token}")).await.text().await.unwrap();
    let my_page = app.get(&format!("/p/{my_token}")).await.text().await.unwrap();
    assert_eq!(figure(&pao_page, "greeting"), "Xin chào Pao");
    assert_eq!(figure(&my_page, "greeting"), "Xin chào Mỷ");
    for (page, other) in [
        (&pao_page, ["Mỷ", "09xx xxx 678", my.as_str(), my_token.as_str()]),
        (&my_page, ["Pao", "03xx xxx 111", pao.as_str(), pao_token.as_str()]),
    ] {
        for text in other {
            assert!(!page.contains(text), "{text} leaked into another learner's page");
        }
    }
    for (page, birth) in [(&pao_page, "1990"), (&my_page, "1985")] {
        assert!(!page.contains(birth), "no birth date on the page");
    }

    // The learner's record over REST says a link exists, never the link: it is kept hashed.
    let cookie = crate::access::session_cookie(&app, "quantri", "ruong-bac-thang-2026").await;
    let shown: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/learners/{pao}", app.address))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["code"], pao.as_str());
    assert_eq!((shown["has_progress_link"].as_bool(), shown["progress_url"].is_null()), (Some(true), true));
}

on_both_databases!(own_page_only, a_page_shows_only_its_own_learner);

async fn lookups_are_limited_atomically_and_per_phone(db: DatabaseConnection) {
    use hocvuso::service::learners::lookup::own_page;
    register_learner_with_link(&db).await;
    let app = spawn_app(db).await;
    // 30 at once from one address: exactly the limit of 10 are looked up.
    let tries = (0..30).map(|_| lookup_json(&app, "0362000999", "05/03/1990"));
    let statuses: Vec<u16> = futures::future::join_all(tries).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 20, "{statuses:?}");

    // One phone from ten addresses: its tenth try still answers, the eleventh from a fresh address does not.
    for i in 0..9 {
        let wrong = own_page(&app.db, "0362 000 111", "06/03/1990", &format!("10.1.0.{i}")).await;
        assert_eq!(wrong.unwrap_err().field_problem("lookup"), Some(hocvuso::i18n::Text::LookupNoMatch));
    }
    assert!(own_page(&app.db, "0362000111", "05/03/1990", "10.1.0.9").await.is_ok());
    let refused = own_page(&app.db, "+84362000111", "05/03/1990", "10.1.0.10").await;
    assert!(matches!(refused, Err(hocvuso::Error::RateLimited(_))), "{refused:?}");
    // Another phone from that address is not held back.
    let other = own_page(&app.db, "0362000222", "05/03/1990", "10.1.0.10").await;
    assert_eq!(other.unwrap_err().field_problem("lookup"), Some(hocvuso::i18n::Text::LookupNoMatch));
}

on_both_databases!(lookup_limits, lookups_are_limited_atomically_and_per_phone);

async fn behind_a_proxy_the_client_cannot_choose_its_own_address(db: DatabaseConnection) {
    // The test client connects from 127.0.0.1, which plays the trusted proxy here.
    let app = crate::spawn_app_with(db, |config| {
        config.trusted_proxies = hocvuso::net::TrustedProxies::parse("127.0.0.1/32").unwrap();
    })
    .await;
    // Each try asks for another phone, so only the address limit is in play.
    let lookup = |forwarded: String, try_number: usize| {
        app.client
            .post(format!("{}/api/v1/lookup", app.address))
            .header("x-forwarded-for", forwarded)
            .json(&serde_json::json!({"phone": format!("0362000{try_number:03}"), "birth_date": "05/03/1990"}))
            .send()
    };
    // The client writes a new address on every try; the proxy appends the one it saw.
    for i in 0..10 {
        assert_eq!(lookup(format!("192.0.2.{i}, 198.51.100.7"), i).await.unwrap().status(), 422);
    }
    assert_eq!(lookup("192.0.2.99, 198.51.100.7".into(), 10).await.unwrap().status(), 429);
    // Another client behind the same proxy is counted on its own.
    assert_eq!(lookup("198.51.100.8".into(), 11).await.unwrap().status(), 422);
    // IPv6 clients are counted by their /64: changing the last 64 bits does not help.
    for i in 0..10 {
        let status = lookup(format!("2001:db8:7:7::{i:x}"), 20 + i).await.unwrap().status();
        assert_eq!(status, 422, "try {i}");
    }
    assert_eq!(lookup("2001:db8:7:7:ffff::1".into(), 30).await.unwrap().status(), 429);
}

on_both_databases!(trusted_proxies, behind_a_proxy_the_client_cannot_choose_its_own_address);
