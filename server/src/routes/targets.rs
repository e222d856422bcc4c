//! The targets page's forms: one target, or a file of them.
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_app::forms::TargetAttempt;
use hocvuso_app::state::AppState;

use super::forms::{actor, read_form, read_upload, render_page, status};

/// `POST /admin/targets`: sets one target; back to the page saying so, or the form with its problems.
pub async fn set_target(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let form = read_form::<hocvuso::model::TargetForm>(body, 8 * 1024).await.unwrap_or_default();
    let outcome = hocvuso::service::statistics::targets::set(&state.db, &actor(&parts), &form).await;
    let attempt = match outcome {
        Ok(()) => TargetAttempt { imported: Some(1), ..Default::default() },
        Err(err) => TargetAttempt { form, error: Some(err), ..Default::default() },
    };
    let code = attempt.error.as_ref().map_or(StatusCode::OK, status);
    render_page(&state, parts, code, attempt).await
}

/// What a file on the targets page sets.
#[derive(Clone, Copy)]
enum Upload {
    Targets,
    Population,
}

/// `POST /admin/targets/import`: targets from a file; the page again with the count or every bad row.
pub async fn import_targets(State(state): State<AppState>, request: Request) -> Response {
    import_file(state, request, Upload::Targets).await
}

/// `POST /admin/population/import`: population figures from a file; the targets page again with the
/// count or every bad row.
pub async fn import_population(State(state): State<AppState>, request: Request) -> Response {
    import_file(state, request, Upload::Population).await
}

async fn import_file(state: AppState, request: Request, what: Upload) -> Response {
    use hocvuso::service::statistics::{population, targets};
    let (parts, body) = request.into_parts();
    let upload = Request::from_parts(parts.clone(), body);
    let actor = actor(&parts);
    // Who asks is checked before a byte of the file is read.
    let outcome = match actor.require_admin() {
        Ok(_) => match read_upload(upload, &state).await {
            Ok((bytes, _)) => match what {
                Upload::Targets => targets::import(&state.db, &actor, &bytes).await,
                Upload::Population => population::import(&state.db, &actor, &bytes).await,
            },
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let attempt = match (outcome, what) {
        (Ok(n), Upload::Targets) => TargetAttempt { imported: Some(n), ..Default::default() },
        (Ok(n), Upload::Population) => TargetAttempt { population: Some(n), ..Default::default() },
        (Err(err), _) => TargetAttempt { error: Some(err), ..Default::default() },
    };
    let code = attempt.error.as_ref().map_or(StatusCode::OK, status);
    let mut parts = parts;
    parts.uri = "/admin/targets".parse().unwrap_or(parts.uri);
    render_page(&state, parts, code, attempt).await
}
