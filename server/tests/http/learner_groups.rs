//! Learner groups over HTTP: the REST body's `group`, and the form's "Đối tượng" choice shown on the card.
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::entity::learner;
use hocvuso::model::LearnerGroup;
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::access::session_cookie;
use crate::{figure, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

fn learner_json(phone: &str, group: &str) -> Value {
    json!({"full_name": "Hoàng Thị Mỷ", "birth_date": "1985-08-12", "gender": "nu", "phone": phone,
        "commune": 4456, "consent_version": CONSENT_VERSION, "group": group})
}

async fn rest_registration_takes_a_group_code_and_refuses_an_unknown_one(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let post = |body: Value| {
        app.client.post(format!("{}/api/v1/learners", app.address)).header("cookie", &cookie).json(&body).send()
    };
    let created = post(learner_json("0912 345 678", "can_bo")).await.unwrap();
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["group"], "can_bo");
    let shown = app.client.get(format!("{}/api/v1/learners/{}", app.address, body["code"].as_str().unwrap()));
    let shown: Value = shown.header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown["group"], "can_bo");

    let refused = post(learner_json("0912 345 679", "khong_co")).await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["group"]);
    assert_eq!(learner::Entity::find().count(&db).await.unwrap(), 1);
}

on_both_databases!(rest_group, rest_registration_takes_a_group_code_and_refuses_an_unknown_one);

async fn the_forms_offer_the_groups_and_the_card_shows_the_one_chosen(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let get = |path: String| app.client.get(format!("{}{path}", app.address)).header("cookie", &cookie).send();
    let post = |path: String, form: Vec<(&'static str, &'static str)>| {
        app.client.post(format!("{}{path}", app.address)).header("cookie", &cookie).form(&form).send()
    };
    let html = get("/learners/new".into()).await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<select id="field-group" name="group">"#), "the choice is on the form");
    assert!(html.contains(r#"<option value="">Chưa phân loại</option>"#));
    assert!(html.contains(r#"<option value="hoc_sinh">Học sinh, sinh viên</option>"#));

    let typed = vec![
        ("full_name", "Nguyễn Thị Hoa"),
        ("birth_date", "05/03/1990"),
        ("gender", "nu"),
        ("phone", "0912 345 678"),
        ("commune", "4465"),
        ("organisation", ""),
        ("team", ""),
        ("group", "hoc_sinh"),
    ];
    let mut registering = typed.clone();
    registering.push(("consent_version", CONSENT_VERSION));
    let created = post("/learners/new".into(), registering).await.unwrap();
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let code = location.trim_start_matches("/learners/").trim_end_matches("?registered=1").to_string();
    let stored = learner::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(stored.learner_group, Some(LearnerGroup::HocSinh));
    let card = get(format!("/learners/{code}")).await.unwrap().text().await.unwrap();
    assert_eq!(figure(&card, "learner-group"), "Học sinh, sinh viên");
    let edit = get(format!("/learners/{code}/edit")).await.unwrap().text().await.unwrap();
    assert!(edit.contains(r#"<option value="hoc_sinh" selected"#), "the edit form starts from the group");

    // Edited to "Chưa phân loại": unclassified again.
    let mut unclassified = typed;
    unclassified[7] = ("group", "");
    let edited = post(format!("/learners/{code}/edit"), unclassified).await.unwrap();
    assert_eq!(edited.status(), 303);
    let row = learner::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(row.learner_group, None);
    let card = get(format!("/learners/{code}")).await.unwrap().text().await.unwrap();
    assert_eq!(figure(&card, "learner-group"), "Chưa phân loại");
}

on_both_databases!(form_group, the_forms_offer_the_groups_and_the_card_shows_the_one_chosen);
