//! Builds the router and runs the server until SIGTERM or Ctrl-C.
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use hocvuso_app::state::AppState;
use hocvuso_app::{App, shell};
use leptos::config::get_configuration;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::Config;
use crate::scheduler::SystemClock;
use crate::{api, auth, kept_pages, routes, security};
use std::sync::Arc;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let app = Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/lang/{code}", get(routes::lang::set_lang))
        .route("/login", post(routes::login::login))
        .route("/logout", post(routes::login::logout))
        .route("/learners/new", post(routes::learners::register_learner))
        .route("/learners/{code}/edit", post(routes::learners::edit_learner))
        .route("/learners/{code}/deactivate", post(routes::learners::deactivate_learner))
        .route("/learners/{code}/new-link", post(routes::learners::renew_progress_link))
        .route("/learners/{code}/enrol", post(routes::learners::enrol))
        .route("/learners/{code}/platform-accounts", post(routes::learners::link_platform_account))
        .route("/learners/{code}/complete", post(routes::learners::complete))
        .route("/learners/{code}/progress", post(routes::learners::set_progress))
        .route("/learners/{code}/undo", post(routes::learners::undo))
        .route("/learners/{code}/forget", post(routes::learners::forget_learner))
        .route("/tra-cuu", post(routes::lookup::lookup))
        .route("/sw.js", get(routes::offline::service_worker))
        .route("/manifest.webmanifest", get(routes::offline::manifest))
        .route("/guidance/new", post(routes::offline::record_guidance))
        .route("/admin/targets", post(routes::targets::set_target))
        .route("/reports/weekly/{week}/signoff", post(routes::signoffs::sign))
        .route("/reports/weekly/{week}/signoff/{commune}/approve", post(routes::signoffs::approve))
        .route("/reports/weekly/{week}/signoff/{commune}/return", post(routes::signoffs::return_signoff))
        .route("/admin/accounts", post(routes::admin::create_organiser))
        .route("/admin/accounts/{id}/scope", post(routes::admin::set_scope))
        .route("/admin/accounts/{id}/password", post(routes::admin::reset_password))
        .route("/admin/accounts/{id}/active", post(routes::admin::set_active))
        .route("/admin/tokens", post(routes::admin::create_token))
        .route("/admin/platforms", post(routes::admin::create_platform))
        .route("/admin/platforms/{id}/revoke", post(routes::admin::revoke_platform))
        .route("/admin/tokens/{id}/revoke", post(routes::admin::revoke_token))
        .route("/admin/courses", post(routes::admin::save_course))
        .merge(routes::units::routes(hocvuso::model::UnitKind::Organisation))
        .merge(routes::units::routes(hocvuso::model::UnitKind::Team))
        .route(
            "/admin/targets/import",
            post(routes::targets::import_targets)
                .layer(DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route(
            "/admin/population/import",
            post(routes::targets::import_population)
                .layer(DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route(
            "/learners/import",
            post(routes::learners::import_learner_file)
                .layer(DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route(
            "/learners/import-accounts",
            post(routes::learners::import_platform_accounts_file)
                .layer(DefaultBodyLimit::max(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024)),
        )
        .nest("/api/v1", api::router())
        .nest("/xapi", api::xapi::router())
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // The last layer added runs first.
        .layer(from_fn_with_state(state.clone(), kept_pages::serve))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn(security::refuse_cross_site))
        .layer(from_fn(security::log_request))
        .layer(from_fn_with_state(state.clone(), security::security_headers))
        .layer(CompressionLayer::new())
        // Every route: a body limit (uploads raise theirs above) and a bound on how long a request may take.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(hocvuso::service::imports::table::MAX_FILE_BYTES + 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(from_fn_with_state(state.clone(), auth::drop_untrusted_forwarding))
        .with_state(state);
    // xAPI's alternate request syntax (`POST …?method=PUT`, headers in the form body) becomes the
    // request it stands for before the app routes it: a layer on the routes runs after routing.
    Router::new().fallback_service(app).layer(from_fn(api::xapi::alternate_syntax))
}

/// The largest body a form or REST call may send (file uploads excepted).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The longest a request may take, uploads of large files included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// After SIGTERM, how long requests in flight may take before the process exits anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The state every request sees. The Leptos settings come from cargo-leptos at build time.
pub fn app_state(config: &Config, db: DatabaseConnection) -> Result<AppState, String> {
    let mut leptos_options =
        get_configuration(None).map_err(|e| format!("cannot read the Leptos configuration: {e}"))?.leptos_options;
    if leptos_options.output_name.is_empty() {
        // Built by plain cargo (tests): the name cargo-leptos would have given.
        leptos_options.output_name = "hocvuso".into();
    }
    leptos_options.site_addr = config.addr;
    let figures = std::sync::Arc::new(hocvuso::service::statistics::figures::Figures::new(&db));
    Ok(AppState {
        leptos_options,
        db,
        landing: config.landing,
        trusted_proxies: config.trusted_proxies.clone(),
        secure_cookies: config.secure_cookies,
        public_url: config.public_url.clone(),
        citizen_id_key: config.citizen_id_key.clone(),
        figures,
    })
}

pub async fn serve(config: Config, db: DatabaseConnection) -> Result<(), String> {
    let scheduler = crate::scheduler::ReportScheduler::new(&config, db.clone(), Arc::new(SystemClock));
    let state = app_state(&config, db)?;
    if config.public_url.starts_with("http://") {
        tracing::warn!(
            public_url = %config.public_url,
            "HOCVUSO_PUBLIC_URL is plain http: personal progress links and sign-ins travel unencrypted; serve over HTTPS"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    println!("hocvuso serves http://{}", config.addr);
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    // The weekly report task stops with the server (it finishes the tick it is in).
    tokio::spawn(scheduler.run(stopped.clone()));
    let server = axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stopping.send(true);
        });
    // Requests in flight get SHUTDOWN_GRACE to finish; then the process stops regardless.
    let deadline = async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
        tracing::warn!("requests still running after the shutdown grace period; stopping anyway");
    };
    tokio::select! {
        result = server => result.map_err(|e| format!("server stopped: {e}")),
        () = deadline => Ok(()),
    }
}

/// Resolves on SIGTERM or Ctrl-C; axum then stops accepting and lets requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
