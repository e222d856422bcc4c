//! The accounts, tokens, courses, organisations and teams pages as a browser without JavaScript uses
//! them: plain posts, back to the page saying "saved", or the page again with what was typed and why.
use hocvuso::entity::{account, api_token, course, enrolment, organisation, team};
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::access::session_cookie;
use crate::{TestApp, add_course, register_learner, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

/// Posts a form as the signed-in `cookie`: (status, Location header, body).
async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let response =
        app.client.post(format!("{}{path}", app.address)).header("cookie", cookie).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> String {
    app.client
        .get(format!("{}{path}", app.address))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn admin_session(db: &DatabaseConnection) -> (TestApp, String) {
    accounts::create_admin(db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    (app, cookie)
}

async fn accounts_page_creates_organisers_and_keeps_what_was_typed(db: DatabaseConnection) {
    let (app, cookie) = admin_session(&db).await;
    let organiser =
        [("username", "can.bo.xa"), ("display_name", "Cán bộ xã"), ("password", "123"), ("communes", "4465, 4456")];
    let (status, _, html) = post(&app, &cookie, "/admin/accounts", &organiser).await;
    assert_eq!(status, 422);
    assert!(html.contains("Mật khẩu cần ít nhất 8 ký tự."), "the problem is said");
    assert!(html.contains(r#"value="can.bo.xa""#) && html.contains(r#"value="Cán bộ xã""#));
    assert!(html.contains(r#"value="4465, 4456""#), "the communes typed are kept");
    assert!(!html.contains(r#"value="123""#), "a password is never sent back");
    assert_eq!(account::Entity::find().count(&db).await.unwrap(), 1, "nothing was created");

    let mut good = organiser;
    good[2] = ("password", "ruong-bac-thang-2027");
    let (status, location, _) = post(&app, &cookie, "/admin/accounts", &good).await;
    assert_eq!((status, location.as_str()), (303, "/admin/accounts?saved=1"));
    let html = page(&app, &cookie, &location).await;
    assert!(html.contains("Đã lưu.") && html.contains("4456, 4465"), "saved, with its two communes");
    let created = account::Entity::find().filter(account::Column::Username.eq("can.bo.xa")).one(&db).await.unwrap();
    let id = created.unwrap().id;

    // A row's refused form opens again with what was typed.
    let (status, _, html) = post(&app, &cookie, &format!("/admin/accounts/{id}/scope"), &[("communes", "99999")]).await;
    assert_eq!(status, 422);
    assert!(html.contains(r#"value="99999""#) && html.contains("<details open"), "{html}");
    let (status, ..) = post(&app, &cookie, &format!("/admin/accounts/{id}/scope"), &[("communes", "4465")]).await;
    assert_eq!(status, 303);
    let (status, ..) = post(&app, &cookie, &format!("/admin/accounts/{id}/active"), &[("active", "false")]).await;
    assert_eq!(status, 303);
    let after = account::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
    assert!(!after.active);
    let (status, ..) = post(&app, &cookie, &format!("/admin/accounts/{id}/password"), &[("password", "ab")]).await;
    assert_eq!(status, 422);
    let (status, ..) = post(&app, &cookie, &format!("/admin/accounts/{id}/rename"), &[]).await;
    assert_eq!(status, 404);
}

on_both_databases!(accounts_page, accounts_page_creates_organisers_and_keeps_what_was_typed);

/// A province admin is shown the tabs they may open, and not the country admins' (each answers them 403).
async fn admin_tabs_follow_the_level_of_administration(db: DatabaseConnection) {
    let (app, country) = admin_session(&db).await;
    accounts::create_admin(&db, "quantri.laocai", "Lào Cai", PASSWORD, Some(15)).await.unwrap();
    let province = session_cookie(&app, "quantri.laocai", PASSWORD).await;
    let country_only = ["/admin/tokens", "/admin/platforms", "/admin/audit"];
    let html = page(&app, &country, "/admin/accounts").await;
    for tab in ["/admin/accounts", "/admin/courses", "/admin/targets"].iter().chain(&country_only) {
        assert!(html.contains(&format!(r#"href="{tab}""#)), "a country admin has {tab}");
    }
    let html = page(&app, &province, "/admin/accounts").await;
    for tab in ["/admin/accounts", "/admin/courses", "/admin/targets"] {
        assert!(html.contains(&format!(r#"href="{tab}""#)), "a province admin has {tab}");
    }
    for tab in country_only {
        assert!(!html.contains(&format!(r#"href="{tab}""#)), "a province admin is not shown {tab}");
        let status = app.client.get(format!("{}{tab}", app.address)).header("cookie", &province).send().await.unwrap();
        assert_eq!(status.status().as_u16(), 403, "{tab} is refused to them");
    }
}

on_both_databases!(admin_tabs, admin_tabs_follow_the_level_of_administration);

async fn tokens_page_shows_a_new_secret_once_and_revokes(db: DatabaseConnection) {
    let (app, cookie) = admin_session(&db).await;
    let (status, _, html) = post(&app, &cookie, "/admin/tokens", &[("name", "x"), ("scope", "read-stats")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Tên mã truy cập cần từ 2 đến 60 ký tự."));
    assert!(html.contains(r#"<option value="read-stats" selected"#), "the scope chosen is kept");
    assert_eq!(api_token::Entity::find().count(&db).await.unwrap(), 0);

    let (status, _, html) = post(&app, &cookie, "/admin/tokens", &[("name", "MOOC tỉnh"), ("scope", "ingest")]).await;
    assert_eq!(status, 200);
    let secret = crate::figure(&html, "new-token");
    assert!(secret.starts_with("hvs_") && secret.len() == 68, "{secret}");
    assert!(html.contains("MOOC tỉnh"), "listed");
    assert!(!page(&app, &cookie, "/admin/tokens").await.contains(&secret), "shown only once");

    let token = api_token::Entity::find().one(&db).await.unwrap().unwrap();
    let (status, location, _) = post(&app, &cookie, &format!("/admin/tokens/{}/revoke", token.id), &[]).await;
    assert_eq!((status, location.as_str()), (303, "/admin/tokens?saved=1"));
    assert!(api_token::Entity::find_by_id(token.id).one(&db).await.unwrap().unwrap().revoked_at.is_some());
    let refused = app.client.get(format!("{}/api/v1/me", app.address)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(refused.status(), 401);
}

on_both_databases!(tokens_page, tokens_page_shows_a_new_secret_once_and_revokes);

async fn platforms_page_connects_a_platform_once_and_revokes(db: DatabaseConnection) {
    use hocvuso::entity::platform_connection;
    let (app, cookie) = admin_session(&db).await;
    let form = [("name", "MOOC Lào Cai"), ("home_pages", "mooc.laocai.edu.vn")];
    let (status, _, html) = post(&app, &cookie, "/admin/platforms", &form).await;
    assert_eq!(status, 422);
    assert!(html.contains("cần là địa chỉ http(s) đầy đủ"), "{html}");
    assert!(html.contains(r#"value="mooc.laocai.edu.vn""#) && html.contains(r#"value="MOOC Lào Cai""#), "kept");
    assert_eq!(platform_connection::Entity::find().count(&db).await.unwrap(), 0);

    let form = [("name", "MOOC Lào Cai"), ("home_pages", "https://mooc.laocai.edu.vn, https://lms.laocai.edu.vn/")];
    let (status, _, html) = post(&app, &cookie, "/admin/platforms", &form).await;
    assert_eq!(status, 200);
    let (key, secret) = (crate::figure(&html, "platform-key"), crate::figure(&html, "platform-secret"));
    assert_eq!(crate::figure(&html, "lrs-endpoint"), format!("{}/xapi/", app.address));
    assert!(key.starts_with("hvp_") && secret.len() == 64, "{key} {secret}");
    assert!(html.contains("https://mooc.laocai.edu.vn, https://lms.laocai.edu.vn"), "listed with its home pages");
    assert!(!page(&app, &cookie, "/admin/platforms").await.contains(&secret), "shown only once");
    let about = |user: &str, password: &str| {
        app.client
            .post(format!("{}/xapi/statements", app.address))
            .basic_auth(user.to_string(), Some(password.to_string()))
            .header("x-experience-api-version", "1.0.3")
            .json(&serde_json::json!([]))
            .send()
    };
    assert_eq!(about(&key, &secret).await.unwrap().status(), 200, "the credentials work");

    let row = platform_connection::Entity::find().one(&db).await.unwrap().unwrap();
    let (status, location, _) = post(&app, &cookie, &format!("/admin/platforms/{}/revoke", row.id), &[]).await;
    assert_eq!((status, location.as_str()), (303, "/admin/platforms?saved=1"));
    assert_eq!(about(&key, &secret).await.unwrap().status(), 401, "revoked at once");
    let (status, ..) = post(&app, &cookie, &format!("/admin/platforms/{}/revoke", uuid::Uuid::nil()), &[]).await;
    assert_eq!(status, 404);
}

on_both_databases!(platforms_page, platforms_page_connects_a_platform_once_and_revokes);

async fn courses_page_adds_and_closes_courses_without_losing_fields(db: DatabaseConnection) {
    let (app, cookie) = admin_session(&db).await;
    let typed = [
        ("code", "CDS-01"),
        ("title", "Chuyển đổi số"),
        ("title_en", "Digital transformation"),
        ("platform", "mooc"),
        ("url", "https://mooc.example/cds"),
        ("activity_iri", ""),
        ("hours", "nhiều"),
    ];
    let (status, _, html) = post(&app, &cookie, "/admin/courses", &typed).await;
    assert_eq!(status, 422);
    assert!(html.contains("Số giờ là số nguyên từ 0 đến 1.000."));
    assert!(html.contains(r#"value="Digital transformation""#) && html.contains(r#"value="nhiều""#));
    assert_eq!(course::Entity::find().count(&db).await.unwrap(), 0);

    let mut good = typed;
    good[6] = ("hours", "6");
    let (status, location, _) = post(&app, &cookie, "/admin/courses", &good).await;
    assert_eq!((status, location.as_str()), (303, "/admin/courses?saved=1"));

    // The row's button closes the course and keeps everything else as it was.
    let html = page(&app, &cookie, "/admin/courses").await;
    assert!(html.contains(r#"name="title_en" value="Digital transformation""#), "{html}");
    let close = [
        ("existing", "CDS-01"),
        ("code", "CDS-01"),
        ("title", "Chuyển đổi số"),
        ("title_en", "Digital transformation"),
        ("platform", "mooc"),
        ("url", "https://mooc.example/cds"),
        ("hours", "6"),
        ("active", "false"),
    ];
    let (status, ..) = post(&app, &cookie, "/admin/courses", &close).await;
    assert_eq!(status, 303);
    let row = course::Entity::find().one(&db).await.unwrap().unwrap();
    assert!(!row.active);
    assert_eq!(row.title_en.as_deref(), Some("Digital transformation"));
    assert_eq!(row.url.as_deref(), Some("https://mooc.example/cds"));
    assert_eq!(row.hours, 6);
}

on_both_databases!(courses_page, courses_page_adds_and_closes_courses_without_losing_fields);

async fn unit_pages_create_edit_enrol_and_deactivate(db: DatabaseConnection) {
    let (app, cookie) = admin_session(&db).await;
    let typed =
        [("name", "Đội hình Thanh niên"), ("commune", "999999"), ("leader_name", "Lò Thị Mai"), ("member_count", "12")];
    let (status, _, html) = post(&app, &cookie, "/teams", &typed).await;
    assert_eq!(status, 422);
    assert!(html.contains("Không có xã/phường này."));
    assert!(html.contains(r#"value="Đội hình Thanh niên""#) && html.contains(r#"value="Lò Thị Mai""#));
    assert_eq!(team::Entity::find().count(&db).await.unwrap(), 0);

    let mut good = typed;
    good[1] = ("commune", "4465");
    let (status, location, _) = post(&app, &cookie, "/teams", &good).await;
    assert_eq!((status, location.as_str()), (303, "/teams?saved=1"));
    let id = team::Entity::find().one(&db).await.unwrap().unwrap().id;

    let (status, _, html) = post(&app, &cookie, &format!("/teams/{id}"), &[("name", "Đ"), ("commune", "4465")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Tên cần từ 2 đến 150 ký tự.") && html.contains("<details open"));
    let (status, ..) =
        post(&app, &cookie, &format!("/teams/{id}"), &[("name", "Đội hình Số"), ("commune", "4465")]).await;
    assert_eq!(status, 303);
    assert_eq!(team::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().name, "Đội hình Số");

    // Every learner of the team enrolled in one post, the counts said on the page.
    add_course(&db, None).await;
    let code = register_learner(&db).await;
    hocvuso::service::learners::registration::update(
        &db,
        &crate::admin_actor(),
        hocvuso::model::Area::Province(15),
        &code,
        &hocvuso::model::LearnerForm {
            full_name: "Lò Văn Pao".into(),
            birth_date: "05/03/1990".into(),
            gender: "Nam".into(),
            phone: "0362 000 111".into(),
            commune: "4465".into(),
            team: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (status, location, _) = post(&app, &cookie, &format!("/teams/{id}/enrol"), &[("course_code", "KNS-01")]).await;
    assert_eq!((status, location.as_str()), (303, "/teams?enrolled=1&already=0"));
    assert!(page(&app, &cookie, &location).await.contains("Vừa đăng ký: 1 · "));
    assert_eq!(enrolment::Entity::find().count(&db).await.unwrap(), 1);
    let (status, _, html) = post(&app, &cookie, &format!("/teams/{id}/enrol"), &[("course_code", "KHONG-CO")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Không có khoá học này."));
    assert_eq!(enrolment::Entity::find().count(&db).await.unwrap(), 1);

    let (status, ..) = post(&app, &cookie, &format!("/teams/{id}/deactivate"), &[]).await;
    assert_eq!(status, 303);
    assert!(!team::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().active);

    let organisation = [("name", "Trường THCS Khao Mang"), ("commune", "4465"), ("kind", "truong_hoc")];
    let (status, location, _) = post(&app, &cookie, "/organisations", &organisation).await;
    assert_eq!((status, location.as_str()), (303, "/organisations?saved=1"));
    let row = organisation::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(row.kind, "truong_hoc");
}

on_both_databases!(unit_pages, unit_pages_create_edit_enrol_and_deactivate);
