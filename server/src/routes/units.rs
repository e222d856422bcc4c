//! Form posts of `/organisations` and `/teams` (đội hình): create, edit, enrol every learner in a
//! course, deactivate. Back to the list on success, or the list again with what was typed and why.
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{UnitForm, UnitKind};
use hocvuso::service::enrolments::progress::{Group, enrol_group};
use hocvuso::service::units;
use hocvuso_app::forms::UnitAttempt;
use hocvuso_app::state::AppState;
use uuid::Uuid;

use super::forms::{actor, read_form, saved_or_refused};

/// The list page of a kind of unit.
pub fn page(kind: UnitKind) -> &'static str {
    if kind == UnitKind::Organisation { "/organisations" } else { "/teams" }
}

/// `POST /organisations`, `/teams` (a new unit) and `/organisations/{id}`, `/teams/{id}` (a change).
pub async fn save(kind: UnitKind, state: AppState, id: Option<Uuid>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let form = read_form::<UnitForm>(body, 16 * 1024).await;
    let (db, province, actor) = (&state.db, state.landing, actor(&parts));
    let outcome = match (&form, kind, id) {
        (None, ..) => Err(Error::invalid("form", Text::InvalidInput)),
        (Some(f), UnitKind::Organisation, None) => {
            units::create_organisation(db, &actor, province, f).await.map(|_| ())
        }
        (Some(f), UnitKind::Organisation, Some(id)) => {
            units::update_organisation(db, &actor, province, id, f).await.map(|_| ())
        }
        (Some(f), _, None) => units::create_team(db, &actor, province, f).await.map(|_| ()),
        (Some(f), _, Some(id)) => units::update_team(db, &actor, province, id, f).await.map(|_| ()),
    };
    saved_or_refused(&state, parts, page(kind), outcome, |error| UnitAttempt {
        id,
        form: form.unwrap_or_default(),
        error: Some(error),
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct EnrolFields {
    #[serde(default)]
    course_code: String,
}

/// `POST /{organisations|teams}/{id}/enrol`: enrols every member the organiser manages in a course.
pub async fn enrol(kind: UnitKind, state: AppState, id: Uuid, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let course = read_form::<EnrolFields>(body, 4 * 1024).await.map(|f| f.course_code).unwrap_or_default();
    let group = if kind == UnitKind::Organisation { Group::Organisation(id) } else { Group::Team(id) };
    let outcome = match enrol_group(&state.db, &actor(&parts), group, &course).await {
        Ok((now, already)) => {
            return Redirect::to(&format!("{}?enrolled={now}&already={already}", page(kind))).into_response();
        }
        Err(err) => Err(err),
    };
    saved_or_back(kind, &state, parts, outcome).await
}

/// `POST /{organisations|teams}/{id}/deactivate`: the unit leaves the lists; its learners stay.
pub async fn deactivate(kind: UnitKind, state: AppState, id: Uuid, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let outcome = units::set_active(&state.db, &actor(&parts), kind, id, false).await;
    saved_or_back(kind, &state, parts, outcome).await
}

/// Back to the page saying "saved", or the page again with the refusal.
async fn saved_or_back(
    kind: UnitKind,
    state: &AppState,
    parts: axum::http::request::Parts,
    outcome: Result<(), Error>,
) -> Response {
    saved_or_refused(state, parts, page(kind), outcome, |error| UnitAttempt {
        error: Some(error),
        ..Default::default()
    })
    .await
}

/// The routes of one kind of unit.
pub fn routes(kind: UnitKind) -> axum::Router<AppState> {
    use axum::routing::post;
    let base = page(kind);
    axum::Router::new()
        .route(base, post(move |State(state): State<AppState>, request: Request| save(kind, state, None, request)))
        .route(
            &format!("{base}/{{id}}"),
            post(move |State(state): State<AppState>, Path(id): Path<Uuid>, request: Request| {
                save(kind, state, Some(id), request)
            }),
        )
        .route(
            &format!("{base}/{{id}}/enrol"),
            post(move |State(state): State<AppState>, Path(id): Path<Uuid>, request: Request| {
                enrol(kind, state, id, request)
            }),
        )
        .route(
            &format!("{base}/{{id}}/deactivate"),
            post(move |State(state): State<AppState>, Path(id): Path<Uuid>, request: Request| {
                deactivate(kind, state, id, request)
            }),
        )
}
