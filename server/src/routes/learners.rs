//! The learner forms: register, edit, deactivate, courses on the card, a new link, erasure, and
//! the learner upload. Each is a plain post (works without JavaScript): a redirect on success, the
//! page again with what was typed and what is wrong on a problem.
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{CompletionReport, LearnerForm, Score, Source};
use hocvuso::service::imports::learners::import_learners;
use hocvuso::service::learners::registration;
use hocvuso::service::lrs::links::PlatformAccountForm;
use hocvuso_app::forms::{CourseAttempt, ImportAttempt, LinkAttempt, RegisterAttempt};
use hocvuso_app::state::AppState;

use super::forms::{OutboxPost, actor, read_form, read_outbox_form, read_upload, render_page, status};

/// `POST /learners/new`: to the learner's card, or the form again with its problems.
pub async fn register_learner(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let OutboxPost { form, key, typed_by, .. } = match read_outbox_form::<LearnerForm>(body, 64 * 1024).await {
        Some(read) => read,
        None => {
            let attempt = RegisterAttempt {
                form: LearnerForm::default(),
                error: Some(Error::invalid("form", Text::InvalidInput)),
            };
            return render_page(&state, parts, StatusCode::UNPROCESSABLE_ENTITY, attempt).await;
        }
    };
    let actor = actor(&parts);
    let outcome = match actor.check_outbox_account(typed_by.as_deref()) {
        Ok(()) => {
            registration::register_once(&state.db, &actor, state.landing, &form, key).await.and_then(|d| d.outcome)
        }
        Err(err) => Err(err),
    };
    match outcome {
        Ok(done) => {
            let code = &done.learner.code;
            let card = Redirect::to(&format!("/learners/{code}?registered=1")).into_response();
            // A replay (the same outbox key again) has no link to show: it was shown once.
            match done.link {
                Some(link) => {
                    crate::auth::with_cookie(card, crate::auth::new_link_cookie(&state, &parts.headers, code, &link))
                }
                None => card,
            }
        }
        Err(err) => {
            let code = status(&err);
            render_page(&state, parts, code, RegisterAttempt { form, error: Some(err) }).await
        }
    }
}

/// `POST /learners/{code}/edit`: back to the card, or the form again with its problems.
pub async fn edit_learner(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(form) = read_form::<LearnerForm>(body, 64 * 1024).await else {
        let attempt =
            RegisterAttempt { form: LearnerForm::default(), error: Some(Error::invalid("form", Text::InvalidInput)) };
        return render_page(&state, parts, StatusCode::UNPROCESSABLE_ENTITY, attempt).await;
    };
    match registration::update(&state.db, &actor(&parts), state.landing, &code, &form).await {
        Ok(learner) => Redirect::to(&format!("/learners/{}", learner.code)).into_response(),
        Err(err) => {
            let code = status(&err);
            render_page(&state, parts, code, RegisterAttempt { form, error: Some(err) }).await
        }
    }
}

/// `POST /learners/{code}/deactivate`: the learner leaves every list and count; back to the list.
pub async fn deactivate_learner(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    match registration::set_active(&state.db, &actor(&parts), &code, false).await {
        Ok(_) => Redirect::to("/learners").into_response(),
        Err(err) => {
            let lang = crate::i18n::request_lang(&parts.headers);
            (status(&err), lang.t(err.text())).into_response()
        }
    }
}

#[derive(serde::Deserialize)]
pub struct CourseFields {
    course_code: String,
    #[serde(default)]
    completed_at: Option<String>,
    #[serde(default)]
    score: Option<String>,
    #[serde(default)]
    certificate_no: Option<String>,
    #[serde(default)]
    progress: Option<String>,
}

/// A change to a learner's courses: the fields posted (None when they cannot be read) and who asks.
async fn course_fields(request: Request) -> (Parts, Option<CourseFields>) {
    let (parts, body): (Parts, Body) = request.into_parts();
    let fields = read_form::<CourseFields>(body, 16 * 1024).await;
    (parts, fields)
}

/// The course fields with what the outbox adds, for the form whose repeat would not be a no-op.
async fn keyed_course_fields(request: Request) -> (Parts, Option<OutboxPost<CourseFields>>) {
    let (parts, body): (Parts, Body) = request.into_parts();
    let read = read_outbox_form::<CourseFields>(body, 16 * 1024).await;
    (parts, read)
}

/// Back to the card, or the card again with the problem.
async fn back_to_card(state: &AppState, mut parts: Parts, code: &str, outcome: Result<(), Error>) -> Response {
    match outcome {
        Ok(()) => Redirect::to(&format!("/learners/{code}")).into_response(),
        Err(err) => {
            let status = status(&err);
            parts.uri = format!("/learners/{code}").parse().unwrap_or(parts.uri);
            render_page(state, parts, status, CourseAttempt { error: err }).await
        }
    }
}

fn unreadable() -> Error {
    Error::invalid("course_code", Text::UnknownCourse)
}

/// `POST /learners/{code}/platform-accounts`: links an account on a MOOC platform (or an e-mail
/// address) to the learner; back to the card, which says how many waiting results now count.
pub async fn link_platform_account(
    State(state): State<AppState>,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let form = read_form::<PlatformAccountForm>(body, 16 * 1024).await;
    let outcome = match &form {
        Some(form) => hocvuso::service::lrs::links::link(&state.db, &actor(&parts), &code, form).await,
        None => Err(Error::invalid("form", Text::InvalidInput)),
    };
    match outcome {
        Ok(linked) => Redirect::to(&format!("/learners/{code}?linked={}", linked.applied)).into_response(),
        Err(error) => {
            let status = status(&error);
            parts.uri = format!("/learners/{code}").parse().unwrap_or(parts.uri);
            render_page(&state, parts, status, LinkAttempt { form: form.unwrap_or_default(), error }).await
        }
    }
}

/// `POST /learners/{code}/enrol`: enrols the learner in a course.
pub async fn enrol(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let (parts, fields) = course_fields(request).await;
    let outcome = match fields {
        Some(f) => hocvuso::service::enrolments::progress::enrol(
            &state.db,
            &actor(&parts),
            &code,
            &f.course_code,
            Source::Form,
        )
        .await
        .map(|_| ()),
        None => Err(unreadable()),
    };
    back_to_card(&state, parts, &code, outcome).await
}

/// `POST /learners/{code}/complete`: records a completion (date, score "8,5" or 8.5, certificate).
pub async fn complete(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let (parts, read) = keyed_course_fields(request).await;
    let outcome = async {
        let OutboxPost { form: f, key, typed_by, .. } = read.ok_or_else(unreadable)?;
        actor(&parts).check_outbox_account(typed_by.as_deref())?;
        let score = Score::parse(f.score.as_deref().unwrap_or_default())
            .map_err(|problem| Error::invalid("score", problem))?
            .map(Score::value);
        let report = CompletionReport {
            learner_code: code.clone(),
            course_code: f.course_code,
            completed_at: f.completed_at.unwrap_or_default(),
            score,
            // As the outbox sends it (`public/outbox-store.js`): no certificate when the field is empty,
            // so the post and a later send of the same entry hash alike under its key.
            certificate_no: f.certificate_no.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
        };
        // Keyed by the outbox's id, so a post the service worker sends again is recorded once.
        let keyed = hocvuso::service::enrolments::progress::record_completions(
            &state.db,
            &actor(&parts),
            std::slice::from_ref(&report),
            Source::Form,
            key,
        )
        .await?;
        keyed.outcome?.into_iter().next().expect("one outcome per report").map(|_| ())
    }
    .await;
    back_to_card(&state, parts, &code, outcome).await
}

/// `POST /learners/{code}/progress`: sets how far through a course the learner is ("40" or "40%").
pub async fn set_progress(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let (parts, fields) = course_fields(request).await;
    let outcome = async {
        let f = fields.ok_or_else(unreadable)?;
        let percent = f.progress.as_deref().map(str::trim).unwrap_or_default().trim_end_matches('%').parse::<i32>();
        let percent = percent.map_err(|_| Error::invalid("progress", Text::ProgressInvalid))?;
        hocvuso::service::enrolments::progress::set_progress(&state.db, &actor(&parts), &code, &f.course_code, percent)
            .await
            .map(|_| ())
    }
    .await;
    back_to_card(&state, parts, &code, outcome).await
}

/// `POST /learners/{code}/undo`: takes a completion back.
pub async fn undo(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let (parts, fields) = course_fields(request).await;
    let outcome = match fields {
        Some(f) => {
            hocvuso::service::enrolments::progress::undo_completion(&state.db, &actor(&parts), &code, &f.course_code)
                .await
                .map(|_| ())
        }
        None => Err(unreadable()),
    };
    back_to_card(&state, parts, &code, outcome).await
}

/// `POST /learners/import`: the upload page again, with the counts or every bad row.
pub async fn import_learner_file(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let upload = Request::from_parts(parts.clone(), body);
    // Who asks is checked before a byte of the file is read.
    let outcome = match actor(&parts).account() {
        Ok(_) => match read_upload(upload, &state).await {
            Ok((bytes, options)) => import_learners(&state.db, &actor(&parts), state.landing, &bytes, &options).await,
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let code = outcome.as_ref().err().map_or(StatusCode::OK, status);
    render_page(&state, parts, code, ImportAttempt { outcome }).await
}

/// `POST /learners/import-accounts`: the platform-account upload page again, with the counts or
/// every bad row.
pub async fn import_platform_accounts_file(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let upload = Request::from_parts(parts.clone(), body);
    let actor = actor(&parts);
    // Who asks is checked before a byte of the file is read.
    let outcome = match actor.require_account_or_token(hocvuso::auth::TokenScope::Ingest) {
        Ok(()) => match read_upload(upload, &state).await {
            Ok((bytes, options)) => {
                hocvuso::service::imports::platform_accounts::import_platform_accounts(
                    &state.db,
                    &actor,
                    &bytes,
                    options.dry_run,
                )
                .await
            }
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let code = outcome.as_ref().err().map_or(StatusCode::OK, status);
    render_page(&state, parts, code, ImportAttempt { outcome }).await
}

/// `POST /learners/{code}/new-link`: a new personal link for the learner; back to their card.
pub async fn renew_progress_link(
    State(state): State<AppState>,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    match registration::renew_progress_link(&state.db, &actor(&parts), &code, &state.public_url).await {
        Ok((card, secret)) => {
            let cookie = crate::auth::new_link_cookie(&state, &parts.headers, &card.learner.code, &secret);
            crate::auth::with_cookie(Redirect::to(&format!("/learners/{code}?renewed=1")).into_response(), cookie)
        }
        Err(err) => {
            let lang = crate::i18n::request_lang(&parts.headers);
            (status(&err), lang.t(err.text())).into_response()
        }
    }
}

#[derive(serde::Deserialize)]
pub struct ForgetFields {
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /learners/{code}/forget`: erases the person's data once the organiser ticks the
/// confirmation; to the list saying so, or back to the data page saying what is missing.
pub async fn forget_learner(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let confirmed = read_form::<ForgetFields>(body, 1024).await.is_some_and(|f| f.confirm.as_deref() == Some("yes"));
    let outcome = if confirmed {
        hocvuso::service::learners::privacy::erase(&state.db, &actor(&parts), &code).await
    } else {
        Err(Error::invalid("confirm", Text::EraseNotConfirmed))
    };
    match outcome {
        Ok(()) => Redirect::to("/learners?erased=1").into_response(),
        Err(err) => {
            let status = status(&err);
            let mut parts = parts;
            parts.uri = format!("/learners/{code}/personal-data").parse().unwrap_or(parts.uri);
            render_page(&state, parts, status, CourseAttempt { error: err }).await
        }
    }
}
