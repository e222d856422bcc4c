//! What makes the site an installable app that works without signal (issue 21): the web manifest,
//! the service worker, and the guidance-session form's plain post (the outbox sends the same entry
//! to `POST /api/v1/guidance-sessions` when JavaScript runs).
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso_app::forms::{GuidanceAttempt, GuidanceFields};
use hocvuso_app::state::AppState;

use super::forms::{OutboxPost, actor, read_outbox_form, render_page, status};

/// `GET /sw.js`: the service worker, at the root so its scope is the whole site. `no-cache` so a
/// new version is picked up on the next visit; its own CSP, since a worker obeys its script's policy.
pub async fn service_worker() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (CONTENT_SECURITY_POLICY, "default-src 'self'"),
        ],
        include_str!("../../../public/sw.js"),
    )
        .into_response()
}

/// `GET /manifest.webmanifest`: name, icons and start page of the installed app.
pub async fn manifest() -> Response {
    (
        [(CONTENT_TYPE, "application/manifest+json"), (CACHE_CONTROL, "no-cache")],
        include_str!("../../../public/manifest.webmanifest"),
    )
        .into_response()
}

/// `POST /guidance/new`: to the teams page, or the form again with what was typed and what is wrong.
pub async fn record_guidance(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(OutboxPost { mut form, key, typed_by, pairs }) = read_outbox_form::<GuidanceFields>(body, 64 * 1024).await
    else {
        let attempt = GuidanceAttempt {
            form: GuidanceFields::default(),
            error: Some(Error::invalid("form", Text::InvalidInput)),
        };
        return render_page(&state, parts, StatusCode::UNPROCESSABLE_ENTITY, attempt).await;
    };
    // The learners ticked on the team's list, besides the codes typed or scanned.
    form.picked = pairs.into_iter().filter(|(name, _)| name == "attendee").map(|(_, code)| code).collect();
    let actor = actor(&parts);
    let outcome = match actor.check_outbox_account(typed_by.as_deref()) {
        Ok(()) => hocvuso::service::guidance::record_once(&state.db, &actor, &form.to_session_form(), key)
            .await
            .and_then(|done| done.outcome),
        Err(err) => Err(err),
    };
    match outcome {
        Ok(_) => Redirect::to("/teams").into_response(),
        Err(err) => {
            let code = status(&err);
            render_page(&state, parts, code, GuidanceAttempt { form, error: Some(err) }).await
        }
    }
}
