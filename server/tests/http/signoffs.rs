//! Sign-off over REST and from the weekly report page: who may sign, approve and return (404 outside
//! one's scope, 403 for organisers approving), 409 twice, 422 for a week not ended and for unknown
//! fields; the report's `signoffs` and on-time rate; the page's table and buttons.
use hocvuso::auth::Scope;
use hocvuso::entity::commune;
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use hocvuso::service::statistics::signoff::deadline;
use hocvuso::week::IsoWeek;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::access::session_cookie;
use crate::{TestApp, add_course, admin_actor, figure, register_learner, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

struct World {
    app: TestApp,
    /// Organisers of Khao Mang (4465, Lào Cai) and of Hoàn Kiếm (70, Hà Nội).
    inside: String,
    outside: String,
    /// Admins of Lào Cai, of Hà Nội and of the country.
    lao_cai: String,
    ha_noi: String,
    country: String,
    /// The communes of Lào Cai.
    communes: u64,
}

async fn world(db: DatabaseConnection) -> World {
    add_course(&db, None).await;
    let code = register_learner(&db).await;
    let admin = admin_actor();
    hocvuso::service::enrolments::progress::enrol(&db, &admin, &code, "KNS-01", hocvuso::model::Source::Form)
        .await
        .unwrap();
    let scope = |code: i32| Scope { communes: [code].into_iter().collect(), organisations: Default::default() };
    accounts::create_organiser(&db, &admin, "trong", "Trong phạm vi", PASSWORD, &scope(4465)).await.unwrap();
    accounts::create_organiser(&db, &admin, "ngoai", "Ngoài phạm vi", PASSWORD, &scope(70)).await.unwrap();
    accounts::create_admin(&db, "quantri.laocai", "Quản trị Lào Cai", PASSWORD, Some(15)).await.unwrap();
    accounts::create_admin(&db, "quantri.hanoi", "Quản trị Hà Nội", PASSWORD, Some(1)).await.unwrap();
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let communes = commune::Entity::find().filter(commune::Column::ProvinceCode.eq(15)).count(&db).await.unwrap();
    let app = spawn_app(db).await;
    World {
        inside: session_cookie(&app, "trong", PASSWORD).await,
        outside: session_cookie(&app, "ngoai", PASSWORD).await,
        lao_cai: session_cookie(&app, "quantri.laocai", PASSWORD).await,
        ha_noi: session_cookie(&app, "quantri.hanoi", PASSWORD).await,
        country: session_cookie(&app, "quantri", PASSWORD).await,
        communes,
        app,
    }
}

/// A POST with a JSON body (or a form body, for a page's form) as the holder of `cookie`.
async fn post(app: &TestApp, cookie: &str, path: &str, body: &str) -> (u16, String) {
    let content_type = if path.starts_with("/api/") { "application/json" } else { "application/x-www-form-urlencoded" };
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    (status, location.unwrap_or(response.text().await.unwrap()))
}

async fn get(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let response = app.client.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// The last week that has ended, and the state a sign-off of it made now takes.
fn last_week() -> (IsoWeek, &'static str, i64) {
    let week = IsoWeek::current().previous();
    let on_time = hocvuso::service::now() <= deadline(week);
    (week, if on_time { "signed" } else { "late" }, i64::from(on_time))
}

async fn rest_signoff_answers_who_may_and_what_went_wrong(db: DatabaseConnection) {
    let w = world(db).await;
    let app = &w.app;
    let (week, signed_state, on_time) = last_week();
    let sign = format!("/api/v1/reports/weekly/{week}/signoff");

    // Not ended, unknown field, bad week: 422, each naming what is wrong.
    let (status, body) =
        post(app, &w.inside, &format!("/api/v1/reports/weekly/{}/signoff", IsoWeek::current()), r#"{"commune":4465}"#)
            .await;
    assert_eq!(status, 422, "{body}");
    let body = json_of(&body);
    assert_eq!(body["errors"][0]["field"], "week");
    assert_eq!(
        body["errors"][0]["message"],
        "Tuần này chưa kết thúc: chỉ xác nhận được số liệu của tuần đã kết thúc (từ thứ Hai tuần sau)."
    );
    let (status, body) = post(app, &w.inside, &sign, r#"{"commune":4465,"notes":"Đủ"}"#).await;
    assert_eq!((status, json_of(&body)["errors"][0]["field"].as_str()), (422, Some("notes")), "{body}");
    let (status, _) = post(app, &w.inside, "/api/v1/reports/weekly/2026-W99/signoff", r#"{"commune":4465}"#).await;
    assert_eq!(status, 422);
    // Outside one's scope, and without signing in.
    assert_eq!(post(app, &w.outside, &sign, r#"{"commune":4465}"#).await.0, 404);
    assert_eq!(post(app, &w.ha_noi, &sign, r#"{"commune":"4465"}"#).await.0, 404);
    assert_eq!(post(app, "", &sign, r#"{"commune":4465}"#).await.0, 401);

    let (status, body) = post(app, &w.inside, &sign, r#"{"commune":"4465","note":"Đủ số liệu"}"#).await;
    assert_eq!(status, 201, "{body}");
    let signed = json_of(&body);
    assert_eq!((signed["commune"].as_i64(), signed["state"].as_str()), (Some(4465), Some(signed_state)));
    assert_eq!((signed["signed_by"].as_str(), signed["note"].as_str()), (Some("trong"), Some("Đủ số liệu")));
    assert_eq!(post(app, &w.inside, &sign, r#"{"commune":4465}"#).await.0, 409, "signed once");
    assert_eq!(post(app, &w.lao_cai, &sign, r#"{"commune":4465}"#).await.0, 409);

    // Review: organisers 403, another province 404, unknown field 422, approve 200, then 409.
    let approve = format!("/api/v1/reports/weekly/{week}/signoff/4465/approve");
    let give_back = format!("/api/v1/reports/weekly/{week}/signoff/4465/return");
    assert_eq!(post(app, &w.inside, &approve, "{}").await.0, 403);
    assert_eq!(post(app, &w.outside, &approve, "{}").await.0, 403);
    assert_eq!(post(app, &w.ha_noi, &approve, "{}").await.0, 404);
    assert_eq!(
        post(app, &w.lao_cai, &format!("/api/v1/reports/weekly/{week}/signoff/4492/approve"), "{}").await.0,
        404
    );
    let (status, body) = post(app, &w.lao_cai, &approve, r#"{"comment":"Tốt","verdict":"ok"}"#).await;
    assert_eq!((status, json_of(&body)["errors"][0]["field"].as_str()), (422, Some("verdict")), "{body}");
    let (status, body) = post(app, &w.lao_cai, &give_back, "{}").await;
    assert_eq!((status, json_of(&body)["errors"][0]["field"].as_str()), (422, Some("comment")), "{body}");
    let (status, body) = post(app, &w.lao_cai, &approve, r#"{"comment":"Tốt"}"#).await;
    assert_eq!(status, 200, "{body}");
    let approved = json_of(&body);
    assert_eq!((approved["state"].as_str(), approved["comment"].as_str()), (Some("approved"), Some("Tốt")));
    assert_eq!(approved["reviewed_by"], "quantri.laocai");
    assert_eq!(approved["on_time"], json!(on_time == 1));
    assert_eq!(post(app, &w.country, &give_back, r#"{"comment":"Sai"}"#).await.0, 409);

    // The report carries every commune's state, the exact on-time rate and what changed.
    let (status, body) = get(app, &w.lao_cai, &format!("/api/v1/reports/weekly?week={week}")).await;
    assert_eq!(status, 200);
    let report = json_of(&body);
    let signoffs = report["signoffs"].as_array().unwrap();
    assert_eq!(signoffs.len() as u64, w.communes);
    let khao_mang = signoffs.iter().find(|s| s["commune"] == 4465).unwrap();
    assert_eq!((khao_mang["state"].as_str(), khao_mang["name"].as_str()), (Some("approved"), Some("Xã Khao Mang")));
    assert_eq!(khao_mang["snapshot"], signed["snapshot"]);
    let zero = json!({"enrolled":0,"completed":0,"new_enrolled":0,"new_completed":0,"learners":0,"trained":0});
    assert_eq!(khao_mang["changed_since_signoff"], zero);
    let missing = signoffs.iter().find(|s| s["commune"] == 4456).unwrap();
    assert_eq!((missing["state"].as_str(), missing["changed_since_signoff"].is_null()), (Some("missing"), true));
    assert_eq!(report["signoffs_on_time"], on_time);
    assert_eq!(report["signoff_on_time_rate"].as_f64(), Some(on_time as f64 / w.communes as f64));
    let communes: Vec<&Value> = report["communes"].as_array().unwrap().iter().collect();
    let row = communes.iter().find(|c| c["id"] == "4465").unwrap();
    assert_eq!(khao_mang["snapshot"]["enrolled"], row["completion"]["enrolled"], "the snapshot is the report's row");
    assert_eq!(khao_mang["snapshot"]["learners"], row["learners"]);

    // The workbook has the sign-offs too, one row a commune.
    let xlsx = app
        .client
        .get(format!("{}/api/v1/reports/weekly?week={week}&format=xlsx", app.address))
        .header("cookie", &w.lao_cai)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let sheet = book.worksheet_range("Xác nhận tuần").unwrap();
    assert_eq!(sheet.height() as u64, w.communes + 1, "a header and every commune");
    let cells = |r: usize| (0..8).map(|c| sheet.get((r, c)).cloned().unwrap_or(Data::Empty)).collect::<Vec<_>>();
    let khao_mang = (1..sheet.height()).map(cells).find(|r| r[0] == Data::String("4465".into())).unwrap();
    let text = |s: &str| Data::String(s.into());
    assert_eq!(
        (&khao_mang[1], &khao_mang[2], &khao_mang[4], &khao_mang[5], &khao_mang[6], &khao_mang[7]),
        (
            &text("Xã Khao Mang"),
            &text("Đã duyệt"),
            &text("trong"),
            &text("Đủ số liệu"),
            &text("Tốt"),
            &Data::Float(0.0)
        )
    );

    // A week returned by the country's admin is signed again.
    let earlier = week.previous();
    let sign_earlier = format!("/api/v1/reports/weekly/{earlier}/signoff");
    assert_eq!(post(app, &w.inside, &sign_earlier, r#"{"commune":4465}"#).await.0, 201);
    let return_earlier = format!("/api/v1/reports/weekly/{earlier}/signoff/4465/return");
    let (status, body) = post(app, &w.country, &return_earlier, r#"{"comment":"Thiếu số liệu"}"#).await;
    assert_eq!((status, json_of(&body)["state"].as_str()), (200, Some("returned")), "{body}");
    let (status, body) = post(app, &w.inside, &sign_earlier, r#"{"commune":4465,"note":"Đã bổ sung"}"#).await;
    assert_eq!((status, json_of(&body)["state"].as_str()), (201, Some("late")), "{body}");
}

on_both_databases!(rest_signoff, rest_signoff_answers_who_may_and_what_went_wrong);

async fn the_report_page_shows_states_and_each_roles_buttons(db: DatabaseConnection) {
    let w = world(db).await;
    let app = &w.app;
    let (week, signed_state, on_time) = last_week();
    let page = format!("/reports/weekly?week={week}&province=15");

    let (status, html) = get(app, &w.inside, &page).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"data-testid="signoff-submit-4465""#), "{html}");
    assert!(html.contains("Xác nhận số liệu tuần") && !html.contains(r#"data-testid="signoff-approve-4465""#));
    assert!(html.contains(r#"data-testid="signoff-state-4465" data-state="missing""#), "{html}");
    let region = r#"<div tabindex="0" role="region" aria-label="Xác nhận số liệu tuần của xã/phường" class="table-scroll"><table data-testid="signoff-table""#;
    assert!(html.contains(region), "a table a keyboard reaches: {html}");
    assert_eq!(figure(&html, "signoff-on-time-rate"), "0/1 (0,0%)", "the organiser's one commune");

    // The organiser signs off with the plain form: back to the report, saying so.
    let form = format!("/reports/weekly/{week}/signoff");
    let (status, location) = post(app, &w.inside, &form, "commune=4465&note=%C4%90%E1%BB%A7&province=15").await;
    assert_eq!((status, location.as_str()), (303, format!("{page}&saved=1#signoffs").as_str()));
    let (_, html) = get(app, &w.inside, &format!("{page}&saved=1")).await;
    assert!(html.contains(&format!(r#"data-testid="signoff-state-4465" data-state="{signed_state}""#)), "{html}");
    assert!(!html.contains(r#"data-testid="signoff-submit-4465""#), "signed: no button");
    assert!(html.contains(r#"data-testid="saved""#));
    // Again: the page answers 409 with the reason.
    let (status, html) = post(app, &w.inside, &form, "commune=4465&province=15").await;
    assert_eq!(status, 409);
    assert!(html.contains("Dữ liệu đã tồn tại."), "{html}");

    // The province's admin sees every commune, with approve and return on the one signed.
    let (_, html) = get(app, &w.lao_cai, &page).await;
    assert!(
        html.contains(r#"data-testid="signoff-approve-4465""#) && html.contains(r#"data-testid="signoff-return-4465""#)
    );
    assert!(html.contains(r#"data-testid="signoff-return-comment-4465""#));
    assert!(!html.contains(r#"data-testid="signoff-approve-4456""#) && !html.contains("signoff-submit-"));
    let rate = hocvuso::model::Completion { enrolled: w.communes as i64, completed: on_time }.rate_tenths();
    let expected = format!("{on_time}/{} ({})", w.communes, hocvuso::i18n::Lang::Vi.percent(rate));
    assert_eq!(figure(&html, "signoff-on-time-rate"), expected);
    let review = format!("/reports/weekly/{week}/signoff/4465");
    let (status, html) = post(app, &w.lao_cai, &format!("{review}/return"), "comment=&province=15").await;
    assert_eq!(status, 422);
    assert!(html.contains("Hãy ghi lý do trả lại."), "{html}");
    assert_eq!(post(app, &w.inside, &format!("{review}/approve"), "province=15").await.0, 403);
    assert_eq!(post(app, &w.ha_noi, &format!("{review}/approve"), "province=15").await.0, 404);
    let (status, location) = post(app, &w.lao_cai, &format!("{review}/approve"), "province=15").await;
    assert_eq!((status, location.as_str()), (303, format!("{page}&saved=1#signoffs").as_str()));
    let (_, html) = get(app, &w.lao_cai, &page).await;
    assert!(html.contains(r#"data-testid="signoff-state-4465" data-state="approved""#), "{html}");
    assert!(!html.contains(r#"data-testid="signoff-approve-4465""#));
    assert_eq!(figure(&html, "signoff-changed-4465"), "0");
}

on_both_databases!(signoff_page, the_report_page_shows_states_and_each_roles_buttons);
