use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use hocvuso::model::{CompletionReport, CourseForm, CourseView, LearnerProgress, Source};
use hocvuso::service::{enrolments::courses, enrolments::progress};
use hocvuso_app::state::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiResult, Caller, JsonBody, error_body};
use crate::i18n::request_lang;

/// `GET /api/v1/courses`: the catalogue.
pub async fn list_courses(State(state): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Vec<CourseView>>> {
    Ok(Json(courses::list(&state.db, &actor).await?))
}

/// `POST /api/v1/courses`: admins add a course.
pub async fn create_course(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(form): JsonBody<CourseForm>,
) -> ApiResult<(StatusCode, Json<CourseView>)> {
    Ok((StatusCode::CREATED, Json(courses::create(&state.db, &actor, &form).await?)))
}

#[derive(Deserialize)]
pub struct EnrolmentRequest {
    learner_code: Option<String>,
    team: Option<uuid::Uuid>,
    organisation: Option<uuid::Uuid>,
    course_code: String,
}

/// `POST /api/v1/enrolments`: one learner (201 when new, 200 when enrolled already), or a whole
/// `team` or `organisation` (200 with `{"enrolled","already"}`).
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
        return Ok((StatusCode::OK, Json(json!({"enrolled": enrolled, "already": already}))));
    }
    let code = request.learner_code.unwrap_or_default();
    let (progress, created) = progress::enrol(&state.db, &actor, &code, &request.course_code, Source::Api).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(json!(progress))))
}

/// `POST /api/v1/completions`: an array of completions, each recorded on its own; the answer has one
/// result per item, in order: `{"learner_code","course_code","ok":true,"status"}` or `{…,"ok":false,"error","message"}`.
pub async fn record_completions(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    JsonBody(reports): JsonBody<Vec<CompletionReport>>,
) -> ApiResult<Json<Vec<Value>>> {
    actor.require_account_or_token(hocvuso::auth::TokenScope::Ingest)?;
    let lang = request_lang(&headers);
    let mut results = Vec::with_capacity(reports.len());
    for report in &reports {
        let mut result = json!({"learner_code": report.learner_code, "course_code": report.course_code});
        match progress::record_completion(&state.db, &actor, report, Source::Api).await {
            Ok(done) => {
                result["ok"] = true.into();
                result["status"] = json!(done.status);
            }
            Err(err) => {
                result["ok"] = false.into();
                let body = error_body(&err, lang);
                result["error"] = body["error"].clone();
                result["message"] = body["message"].clone();
                if let Some(errors) = body.get("errors") {
                    result["errors"] = errors.clone();
                }
            }
        }
        results.push(result);
    }
    Ok(Json(results))
}

/// `GET /api/v1/learners/{code}/progress`: the learner's courses, for those allowed to see the learner.
pub async fn learner_progress(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<LearnerProgress>> {
    Ok(Json(progress::learner_progress(&state.db, &actor, &code).await?))
}
