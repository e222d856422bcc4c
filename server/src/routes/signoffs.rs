//! The weekly report's sign-off forms: an organiser confirms a commune's week, a province admin
//! approves or returns it. Back to the report saying so, or the report again with why not.
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso::Error;
use hocvuso::model::{SignoffForm, SignoffReview};
use hocvuso::service::now;
use hocvuso::service::statistics::signoff::{self, Review};
use hocvuso_app::pages::signoffs::SignoffAttempt;
use hocvuso_app::state::AppState;

use super::forms::{actor, read_form, render_page, status};

/// The fields of the sign-off and review forms; `province` is the report's, to go back to it.
#[derive(Default, serde::Deserialize)]
pub struct SignoffFields {
    #[serde(default)]
    commune: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    province: String,
}

/// `POST /reports/weekly/{week}/signoff` (`commune`, `note`).
pub async fn sign(State(state): State<AppState>, Path(week): Path<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let fields = read_form::<SignoffFields>(body, 8 * 1024).await.unwrap_or_default();
    let form = SignoffForm { commune: fields.commune.clone(), note: Some(fields.note.clone()) };
    let actor = actor(&parts);
    let outcome = match signoff::parse_week(&week) {
        Ok(parsed) => signoff::sign(&state.db, &actor, parsed, &form, now()).await.map(drop),
        Err(err) => Err(err),
    };
    back_to_report(&state, parts, &week, fields, outcome).await
}

/// `POST /reports/weekly/{week}/signoff/{commune}/approve` (`comment`).
pub async fn approve(State(state): State<AppState>, Path(path): Path<(String, String)>, request: Request) -> Response {
    review(state, path, Review::Approve, request).await
}

/// `POST /reports/weekly/{week}/signoff/{commune}/return` (`comment`, required).
pub async fn return_signoff(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    request: Request,
) -> Response {
    review(state, path, Review::Return, request).await
}

async fn review(state: AppState, (week, commune): (String, String), decision: Review, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut fields = read_form::<SignoffFields>(body, 8 * 1024).await.unwrap_or_default();
    fields.commune = commune.clone();
    let form = SignoffReview { comment: Some(fields.comment.clone()) };
    let actor = actor(&parts);
    let outcome = match (actor.require_admin(), signoff::parse_week(&week), commune.parse::<i32>()) {
        (Err(err), ..) | (_, Err(err), _) => Err(err),
        (_, _, Err(_)) => Err(Error::NotFound),
        (Ok(_), Ok(week), Ok(code)) => {
            signoff::review(&state.db, &actor, week, code, decision, &form, now()).await.map(drop)
        }
    };
    back_to_report(&state, parts, &week, fields, outcome).await
}

/// The report of the week (and province) the form was on: saying "saved", or again with the refusal.
async fn back_to_report(
    state: &AppState,
    mut parts: axum::http::request::Parts,
    week: &str,
    fields: SignoffFields,
    outcome: Result<(), Error>,
) -> Response {
    // Only a province code or "all" goes back into the address.
    let province = fields.province.trim();
    let is_area = province == "all" || (!province.is_empty() && province.bytes().all(|b| b.is_ascii_digit()));
    let province = if is_area { format!("&province={province}") } else { String::new() };
    let week = hocvuso::week::IsoWeek::parse(week).map(|w| w.to_string()).unwrap_or_default();
    let page = format!("/reports/weekly?week={week}{province}");
    match outcome {
        Ok(()) => Redirect::to(&format!("{page}&saved=1#signoffs")).into_response(),
        Err(error) => {
            let code = status(&error);
            parts.uri = page.parse().unwrap_or(parts.uri);
            let attempt = SignoffAttempt {
                commune: fields.commune,
                note: fields.note,
                comment: fields.comment,
                error: Some(error),
            };
            render_page(state, parts, code, attempt).await
        }
    }
}
