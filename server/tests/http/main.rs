//! Black-box tests of the real router on a random port, each with a fresh database (SQLite, and PostgreSQL when set).
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

mod access;
mod admin_pages;
mod at_risk;
mod cli;
mod completions;
mod dashboards;
mod exports;
mod imports;
mod kept_pages;
mod learner_groups;
mod learner_pages;
mod logs;
mod my_progress;
mod offline;
mod outbox;
mod pages;
mod reliability;
mod scheduled_reports;
mod sessions;
mod signoffs;
mod xapi;
mod xapi_documents;
mod xapi_links;

pub async fn migrate(db: &DatabaseConnection) {
    Migrator::up(db, None).await.expect("migrations apply");
}

pub struct TestApp {
    pub address: String,
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    /// The server's kept figures and pages.
    pub figures: std::sync::Arc<hocvuso::service::statistics::figures::Figures>,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.address)).send().await.expect("the server answers")
    }
}

/// The key test servers hash citizen ID numbers with.
pub const CITIZEN_ID_KEY: &str = "test-key-for-citizen-id-numbers-0001";

/// Starts the app on 127.0.0.1 with a random port, like `hocvuso serve` does.
pub async fn spawn_app(db: DatabaseConnection) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

/// The same, with the configuration changed first (a trusted proxy, say).
pub async fn spawn_app_with(
    db: DatabaseConnection,
    configure: impl FnOnce(&mut hocvuso_server::config::Config),
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let addr = listener.local_addr().unwrap();
    let mut config = hocvuso_server::config::Config {
        database_url: String::new(),
        addr,
        log: "warn".into(),
        landing: hocvuso::model::Area::Province(15),
        trusted_proxies: Default::default(),
        secure_cookies: false,
        public_url: format!("http://{addr}"),
        citizen_id_key: Some(CITIZEN_ID_KEY.into()),
        reports_dir: std::env::temp_dir().join(format!("hocvuso-reports-{}", uuid::Uuid::new_v4().simple())),
        smtp_url: None,
        report_to: Vec::new(),
        report_from: "hocvuso@localhost".into(),
    };
    configure(&mut config);
    let state = hocvuso_server::startup::app_state(&config, db.clone()).expect("app state");
    let figures = state.figures.clone();
    let service = hocvuso_server::startup::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { address: format!("http://{addr}"), db, client, figures }
}

/// The text of the element carrying `data-testid="{testid}"`.
pub fn figure(html: &str, testid: &str) -> String {
    let marker = format!(r#"data-testid="{testid}""#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &html[start..];
    let open_end = rest.find('>').expect("a closed tag") + 1;
    rest[open_end..rest[open_end..].find('<').map(|i| open_end + i).unwrap()].to_string()
}

/// An administrator acting directly on the services (no account row needed).
pub fn admin_actor() -> hocvuso::auth::Actor {
    hocvuso::auth::Actor::Account(hocvuso::auth::AccountActor {
        id: uuid::Uuid::now_v7(),
        username: "quantri".into(),
        display_name: "Quản trị".into(),
        role: hocvuso::auth::Role::Admin,
        province: None,
        scope: Default::default(),
    })
}

/// Adds the course KNS-01, known on its platform by `activity_iri`.
pub async fn add_course(db: &DatabaseConnection, activity_iri: Option<&str>) {
    let course = hocvuso::model::CourseForm {
        code: "KNS-01".into(),
        title: "Kỹ năng số cơ bản".into(),
        platform: "mooc".into(),
        hours: "8".into(),
        activity_iri: activity_iri.map(str::to_string),
        ..Default::default()
    };
    hocvuso::service::enrolments::courses::create(db, &admin_actor(), &course).await.expect("the course is added");
}

/// Registers Lò Văn Pao in Xã Khao Mang and returns his learner code.
pub async fn register_learner(db: &DatabaseConnection) -> String {
    register_learner_with_link(db).await.0
}

/// Registers Lò Văn Pao in Xã Khao Mang and returns his learner code and the secret of his progress link.
pub async fn register_learner_with_link(db: &DatabaseConnection) -> (String, String) {
    let form = hocvuso::model::LearnerForm {
        full_name: "Lò Văn Pao".into(),
        birth_date: "05/03/1990".into(),
        gender: "Nam".into(),
        phone: "0362 000 111".into(),
        commune: "4465".into(),
        consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
        ..Default::default()
    };
    let registered = hocvuso::service::learners::registration::register(
        db,
        &admin_actor(),
        hocvuso::model::Area::Province(15),
        &form,
    )
    .await
    .expect("registered");
    (registered.learner.code, registered.link)
}

/// The password of the accounts `organiser_and_team` makes.
pub const ORGANISER_PASSWORD: &str = "ruong-bac-thang-2026";

/// A country admin (`quantri`), an organiser of Xã Khao Mang (`trong`) and a team in Khao Mang.
pub async fn organiser_and_team(db: &DatabaseConnection) -> uuid::Uuid {
    use hocvuso::service::accounts;
    accounts::create_admin(db, "quantri", "Quản trị", ORGANISER_PASSWORD, None).await.unwrap();
    let admin =
        hocvuso::auth::Actor::Account(accounts::authenticate(db, "quantri", ORGANISER_PASSWORD, "t").await.unwrap());
    let scope = hocvuso::auth::Scope { communes: [4465].into_iter().collect(), organisations: Default::default() };
    accounts::create_organiser(db, &admin, "trong", "Trong phạm vi", ORGANISER_PASSWORD, &scope).await.unwrap();
    let team =
        hocvuso::model::UnitForm {
            name: "Đội hình Khao Mang".into(), commune: "4465".into(), ..Default::default()
        };
    hocvuso::service::units::create_team(db, &admin, hocvuso::model::Area::Province(15), &team).await.unwrap().id
}
