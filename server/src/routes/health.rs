use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::DatabaseConnection;

/// `/healthz`: 200 when the database answers, 503 when it does not.
pub async fn healthz(State(db): State<DatabaseConnection>) -> (StatusCode, &'static str) {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
