//! What the server hands every server function: the database and the campaign's settings.
use axum::extract::FromRef;
use leptos::prelude::*;
use sea_orm::DatabaseConnection;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// The province the overview shows (official code; 15 = Lào Cai).
    pub province: i32,
}

/// The state of the running server, as seen from inside a server function.
pub fn app_state() -> Result<AppState, hocvuso::Error> {
    use_context::<AppState>().ok_or_else(|| {
        leptos::logging::error!("AppState missing from the server function context");
        hocvuso::Error::Internal
    })
}
