//! What an offline phone's outbox relies on: `Idempotency-Key` on registration, completions and
//! guidance sessions (a repeat answered as the first, never applied twice), and the guidance routes.
use hocvuso::auth::{Actor, Scope};
use hocvuso::entity::{guidance_session, idempotency_key, learner};
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::access::session_cookie;
use crate::{ORGANISER_PASSWORD as PASSWORD, TestApp, add_course, organiser_and_team, register_learner, spawn_app};

struct Answer {
    status: u16,
    replayed: bool,
    body: Value,
}

async fn post(app: &TestApp, cookie: &str, path: &str, key: Option<&str>, body: &Value) -> Answer {
    let mut request = app
        .client
        .post(format!("{}/api/v1{path}", app.address))
        .header("cookie", cookie)
        .header("accept-language", "en")
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    Answer { status, replayed, body: response.json().await.unwrap() }
}

async fn get_json(app: &TestApp, cookie: &str, path: &str) -> Value {
    let response = app.client.get(format!("{}/api/v1{path}", app.address)).header("cookie", cookie).send().await;
    response.unwrap().json().await.unwrap()
}

fn new_key() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn person(name: &str, phone: &str) -> Value {
    json!({"full_name": name, "birth_date": "1990-03-05", "gender": "female", "phone": phone, "commune": 4465,
           "consent_version": hocvuso::consent::CONSENT_VERSION})
}

async fn count<E: EntityTrait<Model: Sync>>(db: &DatabaseConnection, _: E) -> u64 {
    E::find().count(db).await.unwrap()
}

async fn a_repeated_send_is_answered_as_the_first_and_applied_once(db: DatabaseConnection) {
    add_course(&db, None).await;
    let pao = register_learner(&db).await;
    let team = organiser_and_team(&db).await;
    let app = spawn_app(db.clone()).await;
    let me = session_cookie(&app, "trong", PASSWORD).await;
    let admin = session_cookie(&app, "quantri", PASSWORD).await;

    // Registration: 201, then the same answer (the link is shown once).
    let key = new_key();
    let lan = person("Lò Thị Lan", "0362 000 444");
    let first = post(&app, &me, "/learners", Some(&key), &lan).await;
    assert_eq!((first.status, first.replayed), (201, false), "{}", first.body);
    assert!(first.body["progress_url"].is_string());
    let learners = count(&db, learner::Entity).await;
    // The draft's form of the header, a structured-field string, is the same key.
    let again = post(&app, &me, "/learners", Some(&format!("\"{key}\"")), &lan).await;
    assert_eq!((again.status, again.replayed), (201, true));
    let mut expected = first.body.clone();
    expected["progress_url"] = Value::Null;
    assert_eq!(again.body, expected);
    assert_eq!(count(&db, learner::Entity).await, learners, "registered once");

    // "Registered already" with the existing code, and again the same.
    let key = new_key();
    let duplicate = post(&app, &me, "/learners", Some(&key), &lan).await;
    assert_eq!((duplicate.status, duplicate.body["existing"].clone()), (409, first.body["code"].clone()));
    let again = post(&app, &me, "/learners", Some(&key), &lan).await;
    assert_eq!((again.status, again.replayed, &again.body), (409, true, &duplicate.body));

    // The same key with another body; a key that is not a UUID.
    let other = post(&app, &me, "/learners", Some(&key), &person("Lò Thị Hoa", "0362 000 555")).await;
    assert_eq!((other.status, other.body["errors"][0]["field"].clone()), (422, json!("Idempotency-Key")));
    assert!(other.body["errors"][0]["message"].as_str().unwrap().contains("another request"), "{}", other.body);
    for bad in ["abc", "", "01890a5d-ac96-774b-bcce"] {
        let refused = post(&app, &me, "/learners", Some(bad), &person("Lò Thị Hoa", "0362 000 555")).await;
        assert_eq!((refused.status, refused.body["errors"][0]["field"].clone()), (422, json!("Idempotency-Key")));
        assert!(refused.body["errors"][0]["message"].as_str().unwrap().contains("UUID"));
    }

    // Completions: the same results, once.
    let key = new_key();
    let reports = json!([{"learner_code": pao, "course_code": "KNS-01", "completed_at": "2026-11-20"},
                         {"learner_code": "HV-NOSUCH", "course_code": "KNS-01", "completed_at": "2026-11-20"}]);
    let first = post(&app, &me, "/completions", Some(&key), &reports).await;
    assert_eq!(
        (first.status, first.body[0]["ok"].clone(), first.body[1]["error"].clone()),
        (200, json!(true), json!("not_found"))
    );
    let audit = count(&db, hocvuso::entity::audit_log::Entity).await;
    let again = post(&app, &me, "/completions", Some(&key), &reports).await;
    assert_eq!((again.status, again.replayed, &again.body), (200, true, &first.body));
    assert_eq!(count(&db, hocvuso::entity::audit_log::Entity).await, audit, "recorded once");

    // Guidance sessions: created, the same answer again, listed once.
    let session = json!({"team": team, "date": hocvuso::week::vietnam_today(), "commune": "4465", "village": "Bản Nà Hẩu",
                         "course": "KNS-01", "attendees": [pao], "guided_unregistered": 6});
    let key = new_key();
    let first = post(&app, &me, "/guidance-sessions", Some(&key), &session).await;
    assert_eq!((first.status, first.replayed), (201, false), "{}", first.body);
    assert_eq!(
        (&first.body["attendees"], &first.body["guided_unregistered"], &first.body["village"], &first.body["topic"]),
        (&json!([pao]), &json!(6), &json!("Bản Nà Hẩu"), &json!("Kỹ năng số cơ bản"))
    );
    let again = post(&app, &me, "/guidance-sessions", Some(&key), &session).await;
    assert_eq!((again.status, again.replayed, &again.body), (201, true, &first.body));
    let listed = get_json(&app, &me, &format!("/guidance-sessions?team={team}")).await;
    assert_eq!(listed, json!([first.body.clone()]));
    // Another account's key of the same value is theirs: a session of its own.
    let theirs = post(&app, &admin, "/guidance-sessions", Some(&key), &session).await;
    assert_eq!((theirs.status, theirs.replayed), (201, false));
    assert_ne!(theirs.body["id"], first.body["id"]);
    assert_eq!(count(&db, guidance_session::Entity).await, 2);

    // Unknown fields are named, hostile values refused; nothing is written, no key kept.
    let keys = count(&db, idempotency_key::Entity).await;
    let mut typo = session.clone();
    typo["attendee"] = json!([pao]);
    let refused = post(&app, &me, "/guidance-sessions", Some(&new_key()), &typo).await;
    assert_eq!((refused.status, refused.body["errors"][0]["field"].clone()), (422, json!("attendee")));
    let mut hostile = session.clone();
    hostile["guided_unregistered"] = json!(-5);
    hostile["village"] = json!("x".repeat(10_000));
    hostile["date"] = json!("9999-12-31");
    hostile["attendees"] = json!(vec!["HV-NOSUCH"; 501]);
    let refused = post(&app, &me, "/guidance-sessions", Some(&new_key()), &hostile).await;
    let mut fields: Vec<&str> =
        refused.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!((refused.status, fields), (422, vec!["attendees", "date", "guided_unregistered", "village"]));
    let mut strangers = session.clone();
    strangers["attendees"] = json!([pao, "HV-NOSUCH", "HV-NOSUCH2"]);
    let refused = post(&app, &me, "/guidance-sessions", Some(&new_key()), &strangers).await;
    assert_eq!(
        refused.body["errors"],
        json!([
            {"field": "attendees.1", "message": "No learner with this code in your scope."},
            {"field": "attendees.2", "message": "No learner with this code in your scope."},
        ])
    );
    assert_eq!(count(&db, guidance_session::Entity).await, 2);
    assert_eq!(count(&db, idempotency_key::Entity).await, keys);

    // The team page lists the sessions; the weekly report ranks the team by them.
    let page = |path: String, cookie: String| {
        let request = app.client.get(format!("{}{path}", app.address)).header("cookie", cookie);
        async move { request.header("accept-language", "en").send().await.unwrap().text().await.unwrap() }
    };
    let teams = page("/teams".into(), me.clone()).await;
    assert!(teams.contains("data-testid=\"team-guidance\""), "{teams}");
    assert!(teams.contains("2 sessions · 2 learners attending · 14 people guided"), "{teams}");
    assert!(teams.contains("Bản Nà Hẩu"));
    let week = hocvuso::week::IsoWeek::current();
    let report = page(format!("/reports/weekly?week={week}&province=15"), admin.clone()).await;
    assert!(report.contains(&format!("data-team=\"{team}\"")), "{report}");
}

on_both_databases!(outbox_replays, a_repeated_send_is_answered_as_the_first_and_applied_once);

async fn two_concurrent_sends_of_one_key_get_one_effect_and_equal_answers(db: DatabaseConnection) {
    add_course(&db, None).await;
    let pao = register_learner(&db).await;
    let team = organiser_and_team(&db).await;
    let app = spawn_app(db.clone()).await;
    let me = session_cookie(&app, "trong", PASSWORD).await;
    let (learners, sessions) = (count(&db, learner::Entity).await, count(&db, guidance_session::Entity).await);

    let key = new_key();
    let lan = person("Lò Thị Lan", "0362 000 444");
    let (a, b) =
        tokio::join!(post(&app, &me, "/learners", Some(&key), &lan), post(&app, &me, "/learners", Some(&key), &lan));
    assert_eq!((a.status, b.status, a.replayed ^ b.replayed), (201, 201, true), "{} {}", a.body, b.body);
    assert_eq!((&a.body["id"], &a.body["code"]), (&b.body["id"], &b.body["code"]));

    let key = new_key();
    let reports = json!([{"learner_code": pao, "course_code": "KNS-01", "completed_at": "2026-11-20"}]);
    let (a, b) = tokio::join!(
        post(&app, &me, "/completions", Some(&key), &reports),
        post(&app, &me, "/completions", Some(&key), &reports)
    );
    assert_eq!((a.status, b.status, a.replayed ^ b.replayed, &a.body), (200, 200, true, &b.body));

    let key = new_key();
    let session = json!({"team": team, "date": hocvuso::week::vietnam_today(), "village": "Bản Nà Hẩu",
                         "topic": "Cài VNeID", "attendees": [pao], "guided_unregistered": 3});
    let (a, b) = tokio::join!(
        post(&app, &me, "/guidance-sessions", Some(&key), &session),
        post(&app, &me, "/guidance-sessions", Some(&key), &session)
    );
    assert_eq!((a.status, b.status, a.replayed ^ b.replayed, &a.body), (201, 201, true, &b.body));

    assert_eq!(count(&db, learner::Entity).await, learners + 1);
    assert_eq!(count(&db, guidance_session::Entity).await, sessions + 1);
    let completions = hocvuso::service::audit::about(&db, "enrolment", &format!("{pao}/KNS-01")).await.unwrap();
    assert_eq!(completions.iter().filter(|e| e.action == "complete").count(), 1);
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(outbox_concurrent, two_concurrent_sends_of_one_key_get_one_effect_and_equal_answers);

async fn form_post(app: &TestApp, cookie: &str, path: &str, body: &str) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// The plain posts the service worker may send again (a timed-out answer) apply once per outbox id,
/// and an entry typed under one account is never sent under another (a phone shared in a team).
async fn outbox_posts_apply_once_and_only_under_the_account_that_typed_them(db: DatabaseConnection) {
    add_course(&db, None).await;
    let pao = register_learner(&db).await;
    let team = organiser_and_team(&db).await;
    let admin = Actor::Account(accounts::authenticate(&db, "quantri", PASSWORD, "t").await.unwrap());
    let scope = Scope { communes: [4465].into_iter().collect(), organisations: Default::default() };
    accounts::create_organiser(&db, &admin, "khac", "Người khác", PASSWORD, &scope).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let me = session_cookie(&app, "trong", PASSWORD).await;
    let other = session_cookie(&app, "khac", PASSWORD).await;

    // A registration posted twice with one outbox id: one learner, one link cookie.
    let key = new_key();
    let registration = format!(
        "full_name=L%C3%B2+Th%E1%BB%8B+Lan&birth_date=05%2F03%2F1990&gender=N%E1%BB%AF&phone=0362000444&commune=4465&consent_version={}&outbox_id={key}&outbox_account=trong",
        hocvuso::consent::CONSENT_VERSION
    );
    let learners = count(&db, learner::Entity).await;
    let first = form_post(&app, &me, "/learners/new", &registration).await;
    assert_eq!(first.status(), 303);
    assert!(first.headers().get("set-cookie").is_some(), "the new link, shown once");
    let card = first.headers()["location"].to_str().unwrap().to_string();
    let again = form_post(&app, &me, "/learners/new", &registration).await;
    assert_eq!((again.status().as_u16(), again.headers()["location"].to_str().unwrap()), (303, card.as_str()));
    assert!(again.headers().get("set-cookie").is_none(), "a replay shows no link");
    assert_eq!(count(&db, learner::Entity).await, learners + 1);

    // A completion posted twice with one outbox id: recorded once.
    let completion_key = new_key();
    let completed_at = hocvuso::week::vietnam_today().format("%d/%m/%Y").to_string();
    let completion = format!(
        "course_code=KNS-01&completed_at={completed_at}&score=8%2C5&certificate_no=&outbox_id={completion_key}"
    );
    let audit = count(&db, hocvuso::entity::audit_log::Entity).await;
    for _ in 0..2 {
        let posted = form_post(&app, &me, &format!("/learners/{pao}/complete"), &completion).await;
        let status = posted.status();
        let text = posted.text().await.unwrap();
        let problem = text.find("class=\"error\"").map(|i| &text[i..(i + 300).min(text.len())]);
        assert_eq!(status, 303, "{problem:?}");
    }
    // One completion audited, not two.
    assert_eq!(count(&db, hocvuso::entity::audit_log::Entity).await, audit + 1, "recorded once");
    // The service worker kept it (the answer came too late) and the outbox sends it over REST, as
    // `outbox-store.js` writes the body: the same entry, answered as the first.
    let outbox_body =
        json!([{"learner_code": pao, "course_code": "KNS-01", "completed_at": completed_at, "score": 8.5}]);
    let resent = post(&app, &me, "/completions", Some(&completion_key), &outbox_body).await;
    assert_eq!((resent.status, resent.replayed), (200, true), "{}", resent.body);
    assert_eq!(count(&db, hocvuso::entity::audit_log::Entity).await, audit + 1);

    // Typed under `trong`, sent while `khac` is signed in: refused naming the header, nothing written.
    let before = (count(&db, learner::Entity).await, count(&db, idempotency_key::Entity).await);
    let typed_by_trong = |key: &str| {
        app.client
            .post(format!("{}/api/v1/learners", app.address))
            .header("idempotency-key", key.to_string())
            .header("outbox-account", "trong")
            .header("accept-language", "en")
            .json(&person("Vàng Thị Dua", "0362 000 666"))
    };
    let key = new_key();
    let refused = typed_by_trong(&key).header("cookie", &other).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "Outbox-Account", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "This entry was typed under another account: sign in with that account to send it"
    );
    assert_eq!((count(&db, learner::Entity).await, count(&db, idempotency_key::Entity).await), before);
    let form =
        form_post(&app, &other, &format!("/learners/{pao}/complete"), &format!("{completion}&outbox_account=trong"))
            .await;
    assert_eq!(form.status(), 422, "the form post as well");
    // Under its own account it goes.
    let sent = typed_by_trong(&key).header("cookie", &me).send().await.unwrap();
    assert_eq!(sent.status(), 201);

    // Guidance: the learners ticked on the team's list attend, with the codes typed.
    let lan = card.trim_start_matches("/learners/").split('?').next().unwrap().to_string();
    let page = app.client.get(format!("{}/guidance/new", app.address)).header("cookie", &me).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(!html.contains(r#"name="attendee""#), "no learner is in the team yet: no list");
    let session = format!(
        "team={team}&date={}&village=Th%C3%B4n+N%C3%A0+H%E1%BA%A9u&topic=VNeID&attendees={pao}&attendee={lan}&attendee={pao}&guided_unregistered=3&outbox_id={}",
        hocvuso::week::vietnam_today(),
        new_key()
    );
    assert_eq!(form_post(&app, &me, "/guidance/new", &session).await.status(), 303);
    let listed = hocvuso::service::guidance::list(&db, &admin, team).await.unwrap();
    let mut attendees = vec![pao.clone(), lan.clone()];
    attendees.sort();
    assert_eq!((listed.len(), &listed[0].attendees), (1, &attendees));

    // The figures per team and commune, over REST and on the dashboard.
    let stats = get_json(&app, &me, "/stats/guidance?by=team").await;
    assert_eq!(
        stats,
        json!([{"id": team.to_string(), "name": "Đội hình Khao Mang",
                "figures": {"sessions": 1, "attendances": 2, "guided_unregistered": 3}, "people_guided": 5}])
    );
    let dashboard = app
        .client
        .get(format!("{}/dashboard?by=commune&province=15", app.address))
        .header("cookie", &me)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains(r#"data-testid="guidance-table""#), "the dashboard shows guidance by commune");
    assert_eq!(crate::figure(&dashboard, "people-guided"), "5");
    let narrowed = app
        .client
        .get(format!("{}/dashboard?by=team&province=15&commune=4465", app.address))
        .header("cookie", &me)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(narrowed.contains(r#"data-testid="dashboard-table""#));
    assert!(!narrowed.contains(r#"data-testid="guidance-table""#), "not the whole area's beside one commune's");
}

on_both_databases!(outbox_posts, outbox_posts_apply_once_and_only_under_the_account_that_typed_them);
