//! Who may call what: every page, form post and /api/v1 route, as every kind of caller.
use hocvuso::auth::{Actor, Scope, TokenScope};
use hocvuso::on_both_databases;
use hocvuso::service::{accounts, accounts::tokens};
use sea_orm::DatabaseConnection;

use crate::{TestApp, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    OrganiserInScope,
    OrganiserOutOfScope,
    Admin,
    IngestToken,
    ReadStatsToken,
    /// The admin of Lào Cai, where the learner and the organiser in scope are.
    ProvinceAdminIn,
    /// The admin of Hà Nội, where the organiser out of scope is.
    ProvinceAdminOut,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::OrganiserInScope,
    Caller::OrganiserOutOfScope,
    Caller::Admin,
    Caller::IngestToken,
    Caller::ReadStatsToken,
    Caller::ProvinceAdminIn,
    Caller::ProvinceAdminOut,
];

/// Signs in over REST and returns the cookie pair "hocvuso_session=…".
pub async fn session_cookie(app: &TestApp, username: &str, password: &str) -> String {
    let response = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204, "sign-in of {username}");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

struct Credentials {
    organiser_in: String,
    organiser_out: String,
    admin: String,
    ingest: String,
    read_stats: String,
    province_in: String,
    province_out: String,
}

impl Credentials {
    fn apply(&self, caller: Caller, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match caller {
            Caller::Anonymous => request,
            Caller::OrganiserInScope => request.header("cookie", &self.organiser_in),
            Caller::OrganiserOutOfScope => request.header("cookie", &self.organiser_out),
            Caller::Admin => request.header("cookie", &self.admin),
            Caller::IngestToken => request.bearer_auth(&self.ingest),
            Caller::ReadStatsToken => request.bearer_auth(&self.read_stats),
            Caller::ProvinceAdminIn => request.header("cookie", &self.province_in),
            Caller::ProvinceAdminOut => request.header("cookie", &self.province_out),
        }
    }
}

/// Expected status for [anonymous, organiser in scope, organiser out of scope, admin, ingest token,
/// read-stats token, admin of the learner's province, admin of another province].
type Expected = [u16; 8];
const PUBLIC: Expected = [200; 8];
/// Admins of the country and of a province.
const ADMIN_ONLY: Expected = [401, 403, 403, 200, 403, 403, 200, 200];
/// What every province shares (courses, tokens, platforms, the audit log): the country admin's.
const COUNTRY_ADMIN_ONLY: Expected = [401, 403, 403, 200, 403, 403, 403, 403];
const ANY_CREDENTIALS: Expected = [401, 200, 200, 200, 200, 200, 200, 200];
/// Signed-in people; machine tokens are refused.
const PEOPLE: Expected = [401, 200, 200, 200, 403, 403, 200, 200];

fn learner_form(name: &str, phone: &str) -> hocvuso::model::LearnerForm {
    hocvuso::model::LearnerForm {
        full_name: name.into(),
        birth_date: "05/03/1990".into(),
        gender: "Nam".into(),
        phone: phone.into(),
        commune: "4465".into(),
        province: None,
        organisation: None,
        team: None,
        group: None,
        consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
    }
}

/// A new person for each caller: `{n}` is the caller's number.
fn learner_json() -> String {
    format!(
        r#"{{"full_name":"Hoàng Văn {{n}}","birth_date":"1990-03-05","gender":"male","phone":"0912 000 00{{n}}","commune":4465,"consent_version":"{}"}}"#,
        hocvuso::consent::CONSENT_VERSION
    )
}

/// Everything the walks below need: accounts of every kind signed in, tokens, a course, a learner in scope.
struct World {
    app: TestApp,
    credentials: Credentials,
    learner_in_scope: hocvuso::model::LearnerView,
    /// The secret of `learner_in_scope`'s progress link.
    link: String,
    in_scope: hocvuso::entity::account::Model,
    victim: hocvuso::entity::account::Model,
    spare: hocvuso::model::TokenSummary,
    spare_platform: hocvuso::service::lrs::platforms::Platform,
}

async fn world(db: DatabaseConnection) -> World {
    let scope = |codes: &[i32]| Scope { communes: codes.iter().copied().collect(), organisations: Default::default() };
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    accounts::create_admin(&db, "quantri.laocai", "Quản trị Lào Cai", PASSWORD, Some(15)).await.unwrap();
    accounts::create_admin(&db, "quantri.hanoi", "Quản trị Hà Nội", PASSWORD, Some(1)).await.unwrap();
    let admin_actor = Actor::Account(accounts::authenticate(&db, "quantri", PASSWORD, "t").await.unwrap());
    let in_scope = accounts::create_organiser(&db, &admin_actor, "trong", "Trong phạm vi", PASSWORD, &scope(&[4465]))
        .await
        .unwrap();
    accounts::create_organiser(&db, &admin_actor, "ngoai", "Ngoài phạm vi", PASSWORD, &scope(&[70])).await.unwrap();
    // The target of password resets and deactivations, so the callers' own sessions survive the walk.
    let victim =
        accounts::create_organiser(&db, &admin_actor, "nan.nhan", "Nạn nhân", PASSWORD, &scope(&[70])).await.unwrap();
    let (_, ingest) = tokens::create(&db, "test", "ingest", TokenScope::Ingest).await.unwrap();
    let (_, read_stats) = tokens::create(&db, "test", "read", TokenScope::ReadStats).await.unwrap();
    let (spare, _) = tokens::create(&db, "test", "spare", TokenScope::Ingest).await.unwrap();
    let home = ["https://lms.example.vn".to_string()];
    let (spare_platform, _) = hocvuso::service::lrs::platforms::create(&db, "test", "spare", &home).await.unwrap();
    let course = hocvuso::model::CourseForm {
        code: "KNS-01".into(),
        title: "Kỹ năng số cơ bản".into(),
        platform: "onething.vn".into(),
        hours: "8".into(),
        ..Default::default()
    };
    hocvuso::service::enrolments::courses::create(&db, &admin_actor, &course).await.unwrap();
    let registered = hocvuso::service::learners::registration::register(
        &db,
        &admin_actor,
        hocvuso::model::Area::Province(15),
        &learner_form("Lò Văn Pao", "0362 000 111"),
    )
    .await
    .unwrap();
    let (learner_in_scope, link) = (registered.learner, registered.link);
    let app = spawn_app(db).await;
    let credentials = Credentials {
        organiser_in: session_cookie(&app, "trong", PASSWORD).await,
        organiser_out: session_cookie(&app, "ngoai", PASSWORD).await,
        admin: session_cookie(&app, "quantri", PASSWORD).await,
        ingest,
        read_stats,
        province_in: session_cookie(&app, "quantri.laocai", PASSWORD).await,
        province_out: session_cookie(&app, "quantri.hanoi", PASSWORD).await,
    };
    World { app, credentials, learner_in_scope, link, in_scope, victim, spare, spare_platform }
}

/// A team in Xã Khao Mang, for the guidance-session routes.
async fn guidance_team(app: &TestApp) -> uuid::Uuid {
    let form =
        hocvuso::model::UnitForm {
            name: "Đội hình Khao Mang".into(), commune: "4465".into(), ..Default::default()
        };
    let area = hocvuso::model::Area::Province(15);
    hocvuso::service::units::create_team(&app.db, &crate::admin_actor(), area, &form).await.unwrap().id
}

/// Registers someone else in scope, for the routes that erase a person.
async fn another_learner(app: &TestApp, name: &str, phone: &str) -> String {
    let admin = crate::admin_actor();
    hocvuso::service::learners::registration::register(
        &app.db,
        &admin,
        hocvuso::model::Area::Province(15),
        &learner_form(name, phone),
    )
    .await
    .unwrap()
    .learner
    .code
}

async fn every_route_allows_exactly_who_it_should(db: DatabaseConnection) {
    let World { app, credentials, learner_in_scope, in_scope, victim, spare, spare_platform, .. } = world(db).await;
    let forgotten_by_rest = another_learner(&app, "Vàng A Dính", "0362 000 222").await;
    let forgotten_by_form = another_learner(&app, "Lý Thị Sen", "0362 000 333").await;
    let team = guidance_team(&app).await;
    let routes: Vec<(&str, String, String, Expected)> = vec![
        // REST
        ("GET", "/api/v1/me".into(), String::new(), ANY_CREDENTIALS),
        ("GET", "/api/v1/communes?province=15".into(), String::new(), ANY_CREDENTIALS),
        ("GET", "/api/v1/stats/overview".into(), String::new(), [401, 200, 200, 200, 403, 200, 200, 200]),
        ("GET", "/api/v1/stats/completion?by=team".into(), String::new(), [401, 200, 200, 200, 403, 200, 200, 200]),
        ("GET", "/api/v1/stats/guidance?by=team".into(), String::new(), [401, 200, 200, 200, 403, 200, 200, 200]),
        (
            "GET",
            "/api/v1/leaderboard?by=commune&week=2026-W47".into(),
            String::new(),
            [401, 200, 200, 200, 403, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/reports/weekly?week=2026-W47&format=xlsx".into(),
            String::new(),
            [401, 200, 200, 200, 403, 200, 200, 200],
        ),
        // Sign-off (issue 22): organisers of the commune sign, admins of its province approve or return;
        // each row's callers act in turn, so a week signed by one is a conflict for the next.
        (
            "POST",
            "/api/v1/reports/weekly/2026-W46/signoff".into(),
            r#"{"commune":4465}"#.into(),
            [401, 201, 404, 409, 403, 403, 409, 404],
        ),
        (
            "POST",
            "/api/v1/reports/weekly/2026-W46/signoff/4465/approve".into(),
            "{}".into(),
            [401, 403, 403, 200, 403, 403, 409, 404],
        ),
        (
            "POST",
            "/api/v1/reports/weekly/2026-W44/signoff".into(),
            r#"{"commune":"4465","note":"Đủ"}"#.into(),
            [401, 201, 404, 409, 403, 403, 409, 404],
        ),
        (
            "POST",
            "/api/v1/reports/weekly/2026-W44/signoff/4465/return".into(),
            r#"{"comment":"Thiếu số liệu"}"#.into(),
            [401, 403, 403, 200, 403, 403, 409, 404],
        ),
        (
            "POST",
            "/reports/weekly/2026-W45/signoff".into(),
            "commune=4465&province=15".into(),
            [401, 303, 404, 409, 403, 403, 409, 404],
        ),
        (
            "POST",
            "/reports/weekly/2026-W45/signoff/4465/approve".into(),
            "province=15".into(),
            [401, 403, 403, 303, 403, 403, 409, 404],
        ),
        (
            "POST",
            "/reports/weekly/2026-W45/signoff/4465/return".into(),
            "comment=Sai&province=15".into(),
            [401, 403, 403, 409, 403, 403, 409, 404],
        ),
        (
            "POST",
            "/api/v1/targets".into(),
            r#"{"unit_kind":"commune","unit":"4465","metric":"enrolments","value":"100"}"#.into(),
            [401, 403, 403, 204, 403, 403, 204, 422],
        ),
        (
            "POST",
            "/api/v1/imports/population".into(),
            "unit_kind,unit,group,year,population\nprovince,15,all,2026,600\n".into(),
            [401, 403, 403, 200, 403, 403, 200, 422],
        ),
        ("POST", "/admin/population/import".into(), "file=x".into(), [401, 403, 403, 422, 403, 403, 422, 422]),
        ("GET", "/api/v1/reports/files".into(), String::new(), ADMIN_ONLY),
        (
            "GET",
            "/api/v1/reports/files/bao-cao-tuan-2026-W47-ca-nuoc.xlsx".into(),
            String::new(),
            [401, 403, 403, 404, 403, 403, 404, 404],
        ),
        ("GET", "/api/v1/no-such-route".into(), String::new(), [404; 8]),
        ("GET", "/api/v1/consent-notice".into(), String::new(), PUBLIC),
        ("GET", "/api/v1/openapi.json".into(), String::new(), PUBLIC),
        ("GET", "/api/v1/learners?q=lo".into(), String::new(), PEOPLE),
        ("GET", "/api/v1/at-risk".into(), String::new(), PEOPLE),
        (
            "GET",
            "/api/v1/at-risk?commune=4465&idle_days=0".into(),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "GET",
            format!("/api/v1/learners/{}", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        ("GET", "/api/v1/learners/HV-NOSUCH".into(), String::new(), [401, 404, 404, 404, 403, 403, 404, 404]),
        ("POST", "/api/v1/learners".into(), learner_json(), [401, 201, 403, 201, 403, 403, 201, 403]),
        (
            "POST",
            format!("/api/v1/imports/learners?dry_run=true&consent_version={}", hocvuso::consent::CONSENT_VERSION),
            "full_name,birth_date,gender,phone,commune\nHà Văn {n},01/01/1990,Nam,0913 000 00{n},4465\n".into(),
            [401, 200, 422, 200, 403, 403, 200, 422],
        ),
        ("GET", "/api/v1/learners/export?format=csv".into(), String::new(), PEOPLE),
        (
            "POST",
            "/api/v1/imports/completions?dry_run=true".into(),
            format!(
                "learner_code,course_code,status,completed_at\n{},KNS-01,completed,20/11/2026\n",
                learner_in_scope.code
            ),
            [401, 200, 422, 200, 200, 403, 200, 422],
        ),
        (
            "POST",
            "/api/v1/imports/platform-accounts?dry_run=true".into(),
            format!("platform,account,learner_code\nhttps://lms.example.vn,acc{{n}},{}\n", learner_in_scope.code),
            [401, 200, 422, 200, 200, 403, 200, 422],
        ),
        ("GET", "/learners/import-accounts".into(), String::new(), [401, 200, 200, 200, 200, 403, 200, 200]),
        // Who asks is checked before the upload is read (a form body is no upload: 422).
        ("POST", "/learners/import-accounts".into(), "file=x".into(), [401, 422, 422, 422, 422, 403, 422, 422]),
        ("GET", "/api/v1/courses".into(), String::new(), ANY_CREDENTIALS),
        (
            "POST",
            "/api/v1/courses".into(),
            r#"{"code":"AI-{n}","title":"Trí tuệ nhân tạo","platform":"onething.vn","hours":6}"#.into(),
            [401, 403, 403, 201, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/enrolments".into(),
            format!(r#"{{"learner_code":"{}","course_code":"KNS-01"}}"#, learner_in_scope.code),
            [401, 201, 404, 200, 200, 403, 200, 404],
        ),
        (
            "POST",
            "/api/v1/completions".into(),
            format!(
                r#"[{{"learner_code":"{}","course_code":"KNS-01","completed_at":"2026-11-20"}}]"#,
                learner_in_scope.code
            ),
            [401, 200, 200, 200, 200, 403, 200, 200],
        ),
        (
            "GET",
            format!("/api/v1/learners/{}/progress", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 200, 403, 200, 404],
        ),
        (
            "POST",
            format!("/api/v1/learners/{}/progress-link", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "GET",
            format!("/api/v1/learners/{}/personal-data", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        // Erased by the first caller allowed to; after that the person is gone for everyone.
        (
            "DELETE",
            format!("/api/v1/learners/{forgotten_by_rest}/personal-data"),
            String::new(),
            [401, 204, 404, 404, 403, 403, 404, 404],
        ),
        (
            "POST",
            format!("/api/v1/learners/{}/platform-accounts", learner_in_scope.code),
            r#"{"home_page":"https://lms.example.vn","name":"u{n}"}"#.into(),
            [401, 201, 404, 201, 201, 403, 201, 404],
        ),
        (
            "GET",
            format!("/api/v1/learners/{}/platform-accounts", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        ("GET", "/api/v1/xapi/unmatched".into(), String::new(), PEOPLE),
        ("GET", "/learners/unmatched".into(), String::new(), PEOPLE),
        (
            "POST",
            format!("/learners/{}/platform-accounts", learner_in_scope.code),
            "home_page=https%3A%2F%2Flms.example.vn&name=f{n}".into(),
            [401, 303, 404, 303, 303, 403, 303, 404],
        ),
        ("POST", "/api/v1/lookup".into(), r#"{"phone":"0362 000 111","birth_date":"05/03/1990"}"#.into(), PUBLIC),
        ("POST", "/xapi/statements".into(), "{}".into(), [401, 403, 403, 403, 400, 403, 403, 403]),
        ("GET", "/xapi/about".into(), String::new(), PUBLIC),
        ("GET", "/xapi/no-such-resource".into(), String::new(), [404; 8]),
        ("GET", "/api/v1/organisations".into(), String::new(), PEOPLE),
        (
            "POST",
            "/api/v1/organisations".into(),
            r#"{"name":"Trường số {n}","commune":4465,"kind":"truong_hoc"}"#.into(),
            [401, 201, 403, 201, 403, 403, 201, 403],
        ),
        ("GET", "/api/v1/teams".into(), String::new(), PEOPLE),
        (
            "POST",
            "/api/v1/teams".into(),
            r#"{"name":"Đội hình {n}","commune":"4465"}"#.into(),
            [401, 201, 403, 201, 403, 403, 201, 403],
        ),
        (
            "GET",
            format!("/api/v1/guidance-sessions?team={team}"),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "POST",
            "/api/v1/guidance-sessions".into(),
            format!(
                r#"{{"team":"{team}","date":"{}","village":"Thôn {{n}}","topic":"VNeID","attendees":["{}"],"guided_unregistered":2}}"#,
                hocvuso::week::vietnam_today(),
                learner_in_scope.code
            ),
            [401, 201, 404, 201, 403, 403, 201, 404],
        ),
        // Offline (issue 21): the installable app's files and pages, and the guidance form's post.
        ("GET", "/sw.js".into(), String::new(), PUBLIC),
        ("GET", "/manifest.webmanifest".into(), String::new(), PUBLIC),
        ("GET", "/outbox".into(), String::new(), PUBLIC),
        ("GET", "/offline".into(), String::new(), PUBLIC),
        ("GET", "/guidance/new".into(), String::new(), PEOPLE),
        (
            "POST",
            "/guidance/new".into(),
            format!(
                "team={team}&date={}&village=Th%C3%B4n+{{n}}&topic=VNeID&attendees={}&guided_unregistered=2",
                hocvuso::week::vietnam_today(),
                learner_in_scope.code
            ),
            [401, 303, 404, 303, 403, 403, 303, 404],
        ),
        // Pages read their data during the render: no endpoint stands behind them (there were
        // server functions at /api/{name} once).
        ("POST", "/api/get_overview".into(), String::new(), [404; 8]),
        ("POST", "/api/whoami".into(), String::new(), [404; 8]),
        ("POST", "/api/list_accounts".into(), String::new(), [404; 8]),
        ("POST", "/api/get_learner_card".into(), format!("code={}", learner_in_scope.code), [404; 8]),
        ("GET", "/".into(), String::new(), PUBLIC),
        (
            "POST",
            "/admin/accounts".into(),
            "username=moi.tao{n}&display_name=M%E1%BB%9Bi&password=ruong-bac-thang-2027&communes=4465".into(),
            [401, 403, 403, 303, 403, 403, 303, 422],
        ),
        (
            "POST",
            format!("/admin/accounts/{}/scope", in_scope.id),
            "communes=4465%2C4456".into(),
            [401, 403, 403, 303, 403, 403, 303, 404],
        ),
        (
            "POST",
            format!("/admin/accounts/{}/password", victim.id),
            "password=ruong-bac-thang-2028".into(),
            [401, 403, 403, 303, 403, 403, 404, 303],
        ),
        (
            "POST",
            format!("/admin/accounts/{}/active", victim.id),
            "active=false".into(),
            [401, 403, 403, 303, 403, 403, 404, 303],
        ),
        ("POST", "/admin/tokens".into(), "name=Moodle&scope=read-stats".into(), COUNTRY_ADMIN_ONLY),
        ("POST", format!("/admin/tokens/{}/revoke", spare.id), String::new(), [401, 403, 403, 303, 403, 403, 403, 403]),
        ("GET", "/admin/platforms".into(), String::new(), COUNTRY_ADMIN_ONLY),
        (
            "POST",
            "/admin/platforms".into(),
            "name=Moodle&home_pages=https%3A%2F%2Flms.example.vn".into(),
            COUNTRY_ADMIN_ONLY,
        ),
        (
            "POST",
            format!("/admin/platforms/{}/revoke", spare_platform.id),
            String::new(),
            [401, 403, 403, 303, 403, 403, 403, 403],
        ),
        // Pages answer with the status of the data they read.
        ("GET", "/admin/accounts".into(), String::new(), ADMIN_ONLY),
        ("GET", "/admin/tokens".into(), String::new(), COUNTRY_ADMIN_ONLY),
        ("GET", "/admin/audit".into(), String::new(), COUNTRY_ADMIN_ONLY),
        ("GET", "/learners?q=lo".into(), String::new(), PEOPLE),
        ("GET", "/at-risk".into(), String::new(), PEOPLE),
        ("GET", "/at-risk?commune=4465&idle_days=0".into(), String::new(), [401, 200, 404, 200, 403, 403, 200, 404]),
        (
            "GET",
            format!("/learners/{}/personal-data", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "POST",
            "/admin/courses".into(),
            "code=CDS-{n}&title=Chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91&platform=mooc&hours=4".into(),
            [401, 403, 403, 303, 403, 403, 403, 403],
        ),
        (
            "POST",
            format!("/teams/{}/enrol", uuid::Uuid::nil()),
            "course_code=KNS-01".into(),
            [401, 404, 404, 404, 403, 403, 404, 404],
        ),
        ("GET", "/admin/courses".into(), String::new(), [401, 403, 403, 200, 403, 403, 200, 200]),
        (
            "POST",
            "/teams".into(),
            "name=%C4%90%E1%BB%99i+{n}&commune=4465&member_count=7".into(),
            [401, 303, 403, 303, 403, 403, 303, 403],
        ),
        (
            "POST",
            format!("/teams/{}/deactivate", uuid::Uuid::nil()),
            String::new(),
            [401, 404, 404, 404, 403, 403, 404, 404],
        ),
        (
            "POST",
            format!("/organisations/{}/deactivate", uuid::Uuid::nil()),
            String::new(),
            [401, 404, 404, 404, 403, 403, 404, 404],
        ),
        ("GET", "/teams".into(), String::new(), PEOPLE),
        ("GET", "/organisations".into(), String::new(), PEOPLE),
        ("GET", "/learners".into(), String::new(), PEOPLE),
        ("GET", "/learners/new".into(), String::new(), PEOPLE),
        (
            "GET",
            format!("/learners/{}/edit", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "GET",
            format!("/learners/{}", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        ("GET", "/".into(), String::new(), PUBLIC),
        ("GET", "/login".into(), String::new(), PUBLIC),
        ("GET", "/tra-cuu".into(), String::new(), PUBLIC),
        ("GET", "/dashboard?by=organisation".into(), String::new(), [401, 200, 200, 200, 403, 200, 200, 200]),
        ("GET", "/dashboard?commune=4465".into(), String::new(), [401, 200, 404, 200, 403, 200, 200, 404]),
        ("GET", "/leaderboard?by=team".into(), String::new(), [401, 200, 200, 200, 403, 200, 200, 200]),
        ("GET", "/reports/weekly?week=2026-W47".into(), String::new(), [401, 200, 200, 200, 403, 200, 200, 200]),
        ("GET", "/reports".into(), String::new(), ADMIN_ONLY),
        ("GET", "/admin/targets".into(), String::new(), ADMIN_ONLY),
        (
            "POST",
            "/admin/targets".into(),
            "unit_kind=commune&unit=4465&period=2026&metric=completion_rate&value=95".into(),
            [401, 403, 403, 200, 403, 403, 200, 422],
        ),
        (
            "GET",
            format!("/learners/{}/personal-data", learner_in_scope.code),
            String::new(),
            [401, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "POST",
            format!("/learners/{forgotten_by_form}/forget"),
            "confirm=yes".into(),
            [401, 303, 404, 404, 403, 403, 404, 404],
        ),
        // Anyone may look up, ten times a minute per address: eight lookups over REST above, two here.
        (
            "POST",
            "/tra-cuu".into(),
            "phone=0362+000+111&birth_date=05%2F03%2F1990".into(),
            [303, 303, 429, 429, 429, 429, 429, 429],
        ),
        (
            "POST",
            format!("/learners/{}/new-link", learner_in_scope.code),
            String::new(),
            [401, 303, 404, 303, 403, 403, 303, 404],
        ),
    ];

    let mut wrong = Vec::new();
    for (method, path, body, expected) in &routes {
        for (n, (caller, expected)) in CALLERS.iter().zip(expected).enumerate() {
            let url = format!("{}{path}", app.address);
            // A new person or unit for each caller: "0{n}" becomes a digit, "{n}" a letter (names are letters).
            let letter = ((b'A' + n as u8) as char).to_string();
            let body = body.replace("0{n}", &format!("0{n}")).replace("{n}", &letter);
            let json = path.starts_with("/api/v1/") || path.starts_with("/xapi/");
            let content_type = if json { "application/json" } else { "application/x-www-form-urlencoded" };
            let request = match *method {
                "GET" => app.client.get(url),
                "DELETE" => app.client.delete(url),
                _ => app.client.post(url).header("content-type", content_type).body(body),
            };
            let response = credentials.apply(*caller, request).send().await.unwrap();
            let status = response.status().as_u16();
            if status != *expected {
                let body = response.text().await.unwrap_or_default();
                wrong.push(format!("{method} {path} as {caller:?}: {status}, expected {expected}: {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

on_both_databases!(access_matrix, every_route_allows_exactly_who_it_should);

/// Phone and birth date: in full for admins and organisers in scope, in pages, the API and exports;
/// nobody else sees them at all, and the learner's own page shows the phone masked.
async fn personal_data_is_shown_only_to_those_in_scope(db: DatabaseConnection) {
    let World { app, credentials, learner_in_scope, link, .. } = world(db).await;
    let code = &learner_in_scope.code;
    let phone = "362000111";
    let born = ["05/03/1990", "1990-03-05"];
    // Where each place shows the person: (path, shows the phone, shows the birth date).
    let places = [
        (format!("/learners/{code}"), true, false),
        (format!("/learners/{code}/personal-data"), true, true),
        (format!("/api/v1/learners/{code}"), true, true),
        (format!("/api/v1/learners/{code}/personal-data"), true, true),
        ("/api/v1/learners/export?format=csv".to_string(), true, true),
        ("/api/v1/learners?q=pao".to_string(), true, true),
    ];
    let mut wrong = Vec::new();
    for caller in CALLERS {
        let in_scope = matches!(caller, Caller::Admin | Caller::OrganiserInScope | Caller::ProvinceAdminIn);
        for (path, shows_phone, shows_birth) in &places {
            let request = app.client.get(format!("{}{path}", app.address));
            let body = credentials.apply(caller, request).send().await.unwrap().text().await.unwrap();
            let has_phone = body.contains(phone);
            let has_birth = born.iter().any(|b| body.contains(b));
            if has_phone != (in_scope && *shows_phone) || has_birth != (in_scope && *shows_birth) {
                wrong.push(format!("{path} as {caller:?}: phone {has_phone}, birth date {has_birth}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let own = app.get(&format!("/p/{link}")).await.text().await.unwrap();
    assert!(own.contains("03xx xxx 111") && !own.contains(phone) && !born.iter().any(|b| own.contains(b)));
}

on_both_databases!(masking, personal_data_is_shown_only_to_those_in_scope);
