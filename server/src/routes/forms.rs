//! Form posts that work without JavaScript: on success a redirect (post/redirect/get); on a problem
//! the same page rendered again with what was typed and what is wrong (never in the URL).
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::LearnerForm;
use hocvuso::service::import::{ImportOptions, import_learners};
use hocvuso::service::registration;
use hocvuso_app::forms::{CourseAttempt, ImportAttempt, LookupAttempt, RegisterAttempt, TargetAttempt};
use hocvuso_app::shell;
use hocvuso_app::state::AppState;
use leptos::prelude::provide_context;

/// Renders the Leptos page at the request's path, with `attempt` in context, answering `status`.
pub(crate) async fn render_page<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: Parts,
    status: StatusCode,
    attempt: T,
) -> Response {
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(context_state.clone());
            provide_context(attempt.clone());
        },
        move || shell(options.clone()),
    );
    parts.method = Method::GET;
    let mut response = handler(Request::from_parts(parts, Body::empty())).await;
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    response
}

pub(crate) use hocvuso_app::state::caller as actor;

pub(crate) use hocvuso_app::state::status_of as status;

/// A form body (urlencoded) of at most `limit` bytes, or None when it cannot be read as `T`.
pub(crate) async fn read_form<T: serde::de::DeserializeOwned>(body: Body, limit: usize) -> Option<T> {
    to_bytes(body, limit).await.ok().and_then(|b| serde_urlencoded::from_bytes(&b).ok())
}

/// Post/redirect/get for the list pages: back to `page` saying "saved", or `page` rendered again
/// with the refused attempt (what was typed and why), answering the error's status.
pub(crate) async fn saved_or_refused<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: Parts,
    page: &str,
    outcome: Result<(), Error>,
    refused: impl FnOnce(Error) -> T,
) -> Response {
    match outcome {
        Ok(()) => Redirect::to(&format!("{page}?saved=1")).into_response(),
        Err(err) => {
            let code = status(&err);
            parts.uri = page.parse().unwrap_or(parts.uri);
            render_page(state, parts, code, refused(err)).await
        }
    }
}

/// `POST /learners/new`: to the learner's card, or the form again with its problems.
pub async fn register_learner(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let form: LearnerForm = match read_form(body, 64 * 1024).await {
        Some(form) => form,
        None => {
            let attempt = RegisterAttempt {
                form: LearnerForm::default(),
                error: Some(Error::invalid("form", Text::InvalidInput)),
            };
            return render_page(&state, parts, StatusCode::UNPROCESSABLE_ENTITY, attempt).await;
        }
    };
    match registration::register(&state.db, &actor(&parts), state.province, &form).await {
        Ok(done) => {
            let code = &done.learner.code;
            let cookie = crate::auth::new_link_cookie(&state, &parts.headers, code, &done.link);
            crate::auth::with_cookie(Redirect::to(&format!("/learners/{code}?registered=1")).into_response(), cookie)
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
    match registration::update(&state.db, &actor(&parts), state.province, &code, &form).await {
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

/// `POST /learners/{code}/enrol`, `/complete` and `/undo`: back to the card, or the card with the problem.
pub async fn change_course(
    State(state): State<AppState>,
    Path((code, what)): Path<(String, String)>,
    request: Request,
) -> Response {
    use hocvuso::service::progress;
    let (parts, body) = request.into_parts();
    let actor = actor(&parts);
    let fields = read_form::<CourseFields>(body, 16 * 1024).await;
    let outcome = match (fields, what.as_str()) {
        (None, _) => Err(Error::invalid("course_code", Text::UnknownCourse)),
        (Some(f), "enrol") => {
            progress::enrol(&state.db, &actor, &code, &f.course_code, hocvuso::model::Source::Form).await.map(|_| ())
        }
        (Some(f), "complete") => {
            let score = hocvuso::model::Score::parse(f.score.as_deref().unwrap_or_default())
                .map(|s| s.map(hocvuso::model::Score::value))
                .map_err(|problem| Error::invalid("score", problem));
            match score {
                Ok(score) => {
                    let report = hocvuso::model::CompletionReport {
                        learner_code: code.clone(),
                        course_code: f.course_code,
                        completed_at: f.completed_at.unwrap_or_default(),
                        score,
                        certificate_no: f.certificate_no,
                    };
                    progress::record_completion(&state.db, &actor, &report, hocvuso::model::Source::Form)
                        .await
                        .map(|_| ())
                }
                Err(err) => Err(err),
            }
        }
        (Some(f), "progress") => {
            match f.progress.as_deref().map(str::trim).unwrap_or_default().trim_end_matches('%').parse::<i32>() {
                Ok(p) => progress::set_progress(&state.db, &actor, &code, &f.course_code, p).await.map(|_| ()),
                Err(_) => Err(Error::invalid("progress", Text::ProgressInvalid)),
            }
        }
        (Some(f), "undo") => progress::undo_completion(&state.db, &actor, &code, &f.course_code).await.map(|_| ()),
        _ => Err(Error::NotFound),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/learners/{code}")).into_response(),
        Err(err) => {
            let status = status(&err);
            let mut parts = parts;
            parts.uri = format!("/learners/{code}").parse().unwrap_or(parts.uri);
            render_page(&state, parts, status, CourseAttempt { error: err }).await
        }
    }
}

/// `POST /learners/import`: the upload page again, with the counts or every bad row.
pub async fn import_learner_file(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let upload = Request::from_parts(parts.clone(), body);
    // Who asks is checked before a byte of the file is read.
    let outcome = match actor(&parts).account() {
        Ok(_) => match read_upload(upload, &state).await {
            Ok((bytes, options)) => import_learners(&state.db, &actor(&parts), state.province, &bytes, &options).await,
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let code = outcome.as_ref().err().map_or(StatusCode::OK, status);
    render_page(&state, parts, code, ImportAttempt { outcome }).await
}

async fn read_upload(request: Request, state: &AppState) -> Result<(Vec<u8>, ImportOptions), Error> {
    let too_large = |_| Error::invalid("file", Text::FileTooLarge);
    let mut multipart =
        Multipart::from_request(request, state).await.map_err(|_| Error::invalid("file", Text::FileNotReadable))?;
    let mut bytes = None;
    let mut options = ImportOptions { citizen_id_key: state.citizen_id_key.clone(), ..ImportOptions::default() };
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("file") => bytes = Some(field.bytes().await.map_err(too_large)?.to_vec()),
            Some("consent_version") => options.consent_version = field.text().await.ok(),
            Some("dry_run") => options.dry_run = field.text().await.is_ok_and(|v| v == "true"),
            _ => {}
        }
    }
    match bytes {
        Some(bytes) if !bytes.is_empty() => Ok((bytes, options)),
        _ => Err(Error::invalid("file", Text::FileEmpty)),
    }
}

#[derive(serde::Deserialize)]
pub struct LookupFields {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    birth_date: String,
}

/// `POST /tra-cuu`: to the learner's own page, or the form again with what was typed and the one
/// answer for a phone and birth date that match nobody (429 past the per-address limit).
pub async fn lookup(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let fields = read_form::<LookupFields>(body, 4 * 1024).await;
    let Some(fields) = fields else {
        let attempt = LookupAttempt { error: Some(Error::invalid("phone", Text::InvalidInput)), ..Default::default() };
        return render_page(&state, parts, StatusCode::UNPROCESSABLE_ENTITY, attempt).await;
    };
    let client = parts.extensions.get::<crate::auth::ClientAddr>().map(|c| c.0.clone()).unwrap_or_default();
    match hocvuso::service::lookup::own_page(&state.db, &fields.phone, &fields.birth_date, &client).await {
        Ok(secret) => Redirect::to(&format!("/p/{secret}")).into_response(),
        Err(err) => {
            let code = status(&err);
            let attempt = LookupAttempt { phone: fields.phone, birth_date: fields.birth_date, error: Some(err) };
            render_page(&state, parts, code, attempt).await
        }
    }
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
        hocvuso::service::privacy::erase(&state.db, &actor(&parts), &code).await
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

/// `POST /admin/targets`: sets one target; back to the page saying so, or the form with its problems.
pub async fn set_target(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let form = read_form::<hocvuso::model::TargetForm>(body, 8 * 1024).await.unwrap_or_default();
    let outcome = hocvuso::service::targets::set(&state.db, &actor(&parts), &form).await;
    let attempt = match outcome {
        Ok(()) => TargetAttempt { imported: Some(1), ..Default::default() },
        Err(err) => TargetAttempt { form, error: Some(err), imported: None },
    };
    let code = attempt.error.as_ref().map_or(StatusCode::OK, status);
    render_page(&state, parts, code, attempt).await
}

/// `POST /admin/targets/import`: targets from a file; the page again with the count or every bad row.
pub async fn import_targets(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let upload = Request::from_parts(parts.clone(), body);
    // Who asks is checked before a byte of the file is read.
    let outcome = match actor(&parts).require_admin() {
        Ok(_) => match read_upload(upload, &state).await {
            Ok((bytes, _)) => hocvuso::service::targets::import(&state.db, &actor(&parts), &bytes).await,
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let attempt = match outcome {
        Ok(n) => TargetAttempt { imported: Some(n), ..Default::default() },
        Err(err) => TargetAttempt { error: Some(err), ..Default::default() },
    };
    let code = attempt.error.as_ref().map_or(StatusCode::OK, status);
    let mut parts = parts;
    parts.uri = "/admin/targets".parse().unwrap_or(parts.uri);
    render_page(&state, parts, code, attempt).await
}
