use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use hocvuso::model::{
    CompletionReport, CourseForm, CourseProgress, CourseView, EnrolmentStatus, LearnerProgress, Source,
};
use hocvuso::service::{enrolments::courses, enrolments::progress};
use hocvuso_app::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use axum::response::Response;

use super::idempotency::{KeyHeader, answer};
use super::{ApiError, ApiResult, Caller, JsonBody, error_body};
use crate::i18n::request_lang;

/// `GET /api/v1/courses`: the catalogue.
#[utoipa::path(get, path = "/courses", tag = "enrolments", responses((status = 200, body = Vec<CourseView>), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list_courses(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Vec<CourseView>>> {
    Ok(Json(courses::list(&state.db, &actor).await?))
}

/// `POST /api/v1/courses`: admins add a course.
#[utoipa::path(post, path = "/courses", tag = "enrolments", request_body = CourseForm,
    responses((status = 201, body = CourseView), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn create_course(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<CourseForm>,
) -> ApiResult<(StatusCode, Json<CourseView>)> {
    Ok((StatusCode::CREATED, Json(courses::create(&state.db, &actor, &form).await?)))
}

/// One learner by `learner_code`, or every learner of a `team` or an `organisation`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct EnrolmentRequest {
    learner_code: Option<String>,
    team: Option<uuid::Uuid>,
    organisation: Option<uuid::Uuid>,
    course_code: String,
}

/// `POST /api/v1/enrolments`: one learner (201 when new, 200 when enrolled already), or a whole
/// `team` or `organisation` (200 with `{"enrolled","already"}`).
#[utoipa::path(post, path = "/enrolments", tag = "enrolments", request_body = EnrolmentRequest,
    responses(
        (status = 201, body = CourseProgress, description = "One learner, newly enrolled"),
        (status = 200, body = GroupEnrolment, description = "One learner enrolled already (their `CourseProgress`), or a team or organisation"),
        (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)
    ))]
pub async fn enrol(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(request): JsonBody<EnrolmentRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let group = match (request.team, request.organisation) {
        (Some(team), _) => Some(progress::Group::Team(team)),
        (None, Some(organisation)) => Some(progress::Group::Organisation(organisation)),
        (None, None) => None,
    };
    if let Some(group) = group {
        let (enrolled, already) = progress::enrol_group(&state.db, &actor, group, &request.course_code).await?;
        return Ok((StatusCode::OK, Json(json!(GroupEnrolment { enrolled, already }))));
    }
    let code = request.learner_code.unwrap_or_default();
    let (progress, created) = progress::enrol(&state.db, &actor, &code, &request.course_code, Source::Api).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(json!(progress))))
}

/// `POST /api/v1/completions`: an array of completions, each recorded on its own; the answer has one
/// result per item, in order: `{"learner_code","course_code","ok":true,"status"}` or `{…,"ok":false}` with the
/// fields of an error answer (`error`, `message`, `errors`…). With an `Idempotency-Key` the array is
/// applied once: a repeat gets the same results with `Idempotent-Replayed: true` (the key is kept
/// only when at least one item was recorded); the same key with another body is 422.
#[utoipa::path(post, path = "/completions", tag = "enrolments", request_body = Vec<CompletionReport>,
    params(("Idempotency-Key" = Option<String>, Header, description = "A UUID the client made for this entry (the offline outbox's id)"),
        ("Outbox-Account" = Option<String>, Header, description = "The username the outbox entry was typed under; 422 when another account sends it")),
    responses((status = 200, body = Vec<CompletionResult>, description = "One result per item, in order"), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn record_completions(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    KeyHeader(key, typed_by): KeyHeader,
    JsonBody(reports): JsonBody<Vec<CompletionReport>>,
) -> ApiResult<Response> {
    let lang = request_lang(&headers);
    actor.check_outbox_account(typed_by.as_deref())?;
    let done = progress::record_completions(&state.db, &actor, &reports, Source::Api, key).await?;
    let outcome = done.outcome.map_err(ApiError).map(|outcomes| {
        let results: Vec<CompletionResult> = reports
            .iter()
            .zip(outcomes)
            .map(|(report, outcome)| CompletionResult {
                learner_code: report.learner_code.clone(),
                course_code: report.course_code.clone(),
                ok: outcome.is_ok(),
                status: outcome.as_ref().ok().map(|done| done.status),
                refused: outcome.err().map(|err| error_body(&err, lang)),
            })
            .collect();
        Json(results)
    });
    Ok(answer(done.replayed, outcome))
}

/// A team's or an organisation's learners enrolled now, and those enrolled already.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupEnrolment {
    enrolled: u64,
    already: u64,
}

/// One completion's outcome: `ok` with the enrolment's `status`, or refused with the error's fields.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CompletionResult {
    learner_code: String,
    course_code: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<EnrolmentStatus>,
    #[serde(flatten)]
    refused: Option<super::ErrorBody>,
}

/// `GET /api/v1/learners/{code}/progress`: the learner's courses, for those allowed to see the learner.
#[utoipa::path(get, path = "/learners/{code}/progress", tag = "enrolments", params(("code" = String, Path, description = "The learner's code, HV-…")),
    responses((status = 200, body = LearnerProgress), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn learner_progress(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<LearnerProgress>> {
    Ok(Json(progress::learner_progress(&state.db, &actor, &code).await?))
}
