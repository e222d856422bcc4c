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

/// A target per group: set on the targets page or over REST, listed with its group, and shown on the
/// group's row of the plan's indicators with what it still needs.
async fn a_target_per_group_is_set_listed_and_shown_on_its_row(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let url = |path: &str| format!("{}{path}", app.address);
    // This year's figures: the dashboard takes the population of the current year.
    let year = chrono::Datelike::year(&hocvuso::week::vietnam_today());
    let population =
        format!("unit_kind,unit,group,year,population\nprovince,15,can_bo,{year},10\nprovince,15,all,{year},40\n");
    let response = app
        .client
        .post(url("/api/v1/imports/population"))
        .header("cookie", &cookie)
        .header("content-type", "text/csv")
        .body(population)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let form = [("unit_kind", "province"), ("unit", "15"), ("period", ""), ("metric", "coverage"), ("value", "50")];
    let mut cadres = form.to_vec();
    cadres.push(("group", "can_bo"));
    let saved = app.client.post(url("/admin/targets")).header("cookie", &cookie).form(&cadres).send().await.unwrap();
    assert_eq!(saved.status(), 200);
    let html = saved.text().await.unwrap();
    assert!(html.contains("<td>Cán bộ, công chức, viên chức</td><td>Độ bao phủ</td>"), "listed with its group");

    // A group nobody knows, over REST and by the form: refused, naming the field; nothing written.
    let rest = |body: Value| app.client.post(url("/api/v1/targets")).header("cookie", &cookie).json(&body).send();
    let refused =
        rest(json!({"unit_kind": "province", "unit": "15", "metric": "coverage", "value": "50", "group": "giao_vien"}))
            .await
            .unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "group");
    let mut unknown = form.to_vec();
    unknown.push(("group", "giao_vien"));
    let page = app.client.post(url("/admin/targets")).header("cookie", &cookie).form(&unknown).send().await.unwrap();
    assert_eq!(page.status(), 422);
    assert!(page.text().await.unwrap().contains("field-error"));
    let everyone =
        rest(json!({"unit_kind": "province", "unit": "15", "metric": "coverage", "value": "25"})).await.unwrap();
    assert_eq!(everyone.status(), 204);
    assert_eq!(hocvuso::entity::target::Entity::find().count(&db).await.unwrap(), 2);

    // Nobody trained yet: the cadres need 5 of 10, everyone 10 of 40.
    let html = app.client.get(url("/dashboard?province=15")).header("cookie", &cookie).send().await.unwrap();
    let html = html.text().await.unwrap();
    let row = |group: &str| {
        let start = html.find(&format!(r#"data-group="{group}""#)).unwrap_or_else(|| panic!("no {group} row"));
        html[start..start + html[start..].find("</tr>").unwrap()].to_string()
    };
    let (cadres, all, students) = (row("can_bo"), row("all"), row("hoc_sinh"));
    assert!(cadres.contains("chưa đạt") && cadres.contains(r#"<td class="num">5</td>"#), "{cadres}");
    assert!(all.contains("chưa đạt") && all.contains(r#"<td class="num">10</td>"#), "{all}");
    assert!(!students.contains(r#"data-testid="target""#), "no target for the students: {students}");
}

on_both_databases!(group_targets, a_target_per_group_is_set_listed_and_shown_on_its_row);
