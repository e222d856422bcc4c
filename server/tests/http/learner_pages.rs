//! The registration and upload pages as a browser without JavaScript uses them: plain posts.
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::entity::learner;
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::access::session_cookie;
use crate::spawn_app;

const PASSWORD: &str = "ruong-bac-thang-2026";

async fn registration_form_keeps_what_was_typed_and_says_what_is_wrong(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let page = app.client.get(format!("{}/learners/new", app.address)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(CONSENT_VERSION) && html.contains("Mục đích:"), "the notice is shown");
    assert!(html.contains("Xã Khao Mang"), "the communes are offered");

    let post = |form: Vec<(&'static str, &'static str)>| {
        app.client.post(format!("{}/learners/new", app.address)).header("cookie", &cookie).form(&form).send()
    };
    let typed = vec![
        ("full_name", "Nguyễn Thị Hoa"),
        ("birth_date", "05/03/1990"),
        ("gender", "nu"),
        ("phone", "12345"),
        ("commune", "4465"),
        ("organisation", ""),
        ("team", ""),
    ];
    let refused = post(typed.clone()).await.unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"value="Nguyễn Thị Hoa""#), "the name typed is kept");
    assert!(html.contains(r#"value="12345""#));
    assert!(html.contains("Số điện thoại chưa đúng"), "the phone problem is next to the phone");
    assert!(html.contains("Cần xác nhận học viên đã đồng ý"), "consent is required");
    assert_eq!(learner::Entity::find().count(&db).await.unwrap(), 0);

    let mut good = typed.clone();
    good[3] = ("phone", "0912 345 678");
    good.push(("consent_version", CONSENT_VERSION));
    let created = post(good.clone()).await.unwrap();
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/learners/HV-") && location.ends_with("?registered=1"), "{location}");
    // The new link travels to this learner's card only, for ten minutes: the database keeps its digest.
    let set_cookie = created.headers()["set-cookie"].to_str().unwrap().to_string();
    let code = location.trim_start_matches("/learners/").trim_end_matches("?registered=1");
    assert!(set_cookie.starts_with("new_link="), "{set_cookie}");
    assert!(set_cookie.contains(&format!("; Path=/learners/{code}; Max-Age=600; HttpOnly; SameSite=Strict")));
    let new_link = set_cookie.split(';').next().unwrap();
    let card_with = |extra: String| {
        app.client.get(format!("{}{location}", app.address)).header("cookie", format!("{cookie}; {extra}")).send()
    };
    let card = card_with(new_link.to_string()).await.unwrap();
    assert_eq!(card.status(), 200);
    let html = card.text().await.unwrap();
    let secret = new_link.trim_start_matches("new_link=");
    assert!(
        html.contains("<svg") && html.contains(&format!("{}/p/{secret}", app.address)),
        "QR code and progress link"
    );
    // Later, or from another browser, the card says the link exists and how to print one again.
    let html = card_with("lang=vi".into()).await.unwrap().text().await.unwrap();
    assert!(!html.contains("/p/") && !html.contains("<svg"), "no link without the cookie");
    assert!(html.contains("Đường dẫn chỉ hiện khi vừa được cấp"));

    let again = post(good).await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(
        again.text().await.unwrap().contains(&format!(r#"href="/learners/{code}""#)),
        "points to the existing learner"
    );
    assert_eq!(learner::Entity::find().count(&db).await.unwrap(), 1);

    // Edit: moved to Mù Cang Chải; the edit page offers the values to change.
    let edit_page =
        app.client.get(format!("{}/learners/{code}/edit", app.address)).header("cookie", &cookie).send().await.unwrap();
    assert!(edit_page.text().await.unwrap().contains(r#"value="+84912345678""#));
    let mut moved = typed.clone();
    moved[3] = ("phone", "0912 345 678");
    moved[4] = ("commune", "4456");
    let edited = app
        .client
        .post(format!("{}/learners/{code}/edit", app.address))
        .header("cookie", &cookie)
        .form(&moved)
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 303);
    assert_eq!(edited.headers()["location"], format!("/learners/{code}"));
    let row = learner::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(row.commune_code, 4456);

    let deactivated = app
        .client
        .post(format!("{}/learners/{code}/deactivate", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(deactivated.status(), 303);
    assert!(!learner::Entity::find().one(&db).await.unwrap().unwrap().active);
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(registration_page, registration_form_keeps_what_was_typed_and_says_what_is_wrong);

async fn upload_page_lists_every_bad_row_and_writes_nothing(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let file = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,4465\n\
Lò Thị Dơ,31/02/1990,Nữ,0912 000 002,4465\n\
Giàng Seo Súa,01/01/2000,Nam,0912 000 003,Xã Không Có\n";
    let upload = |dry_run: bool| {
        let mut form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(file.as_bytes().to_vec()).file_name("hoc-vien.csv"))
            .text("consent_version", CONSENT_VERSION);
        if dry_run {
            form = form.text("dry_run", "true");
        }
        app.client.post(format!("{}/learners/import", app.address)).header("cookie", &cookie).multipart(form).send()
    };
    let response = upload(false).await.unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Ngày sinh viết dạng dd/mm/yyyy") && html.contains("Không có xã/phường này."));
    assert!(html.contains(r#"<td class="num">3</td>"#) && html.contains(r#"<td class="num">4</td>"#), "lines 3 and 4");
    assert_eq!(learner::Entity::find().count(&db).await.unwrap(), 0);
}

on_both_databases!(upload_page, upload_page_lists_every_bad_row_and_writes_nothing);
