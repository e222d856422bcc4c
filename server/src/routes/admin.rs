//! Form posts of the admin list pages (`/admin/accounts`, `/admin/tokens`, `/admin/courses`): on
//! success back to the page saying so, on a refusal the page again with what was typed and why.
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::CourseForm;
use hocvuso::service::{accounts, accounts::tokens, enrolments::courses};
use hocvuso_app::forms::{AccountAttempt, CatalogueAttempt, PlatformAttempt, TokenAttempt};
use hocvuso_app::state::AppState;
use uuid::Uuid;

use super::forms::{actor, read_form, render_page, saved_or_refused, status};

/// What the account forms send; each form sends only its own fields.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct AccountFields {
    username: String,
    display_name: String,
    password: String,
    communes: String,
    active: Option<bool>,
}

const ACCOUNTS: &str = "/admin/accounts";

/// `POST /admin/accounts`: a new organiser with their communes.
pub async fn create_organiser(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let fields = read_form::<AccountFields>(body, 16 * 1024).await;
    let outcome = match &fields {
        None => Err(Error::invalid("form", Text::InvalidInput)),
        Some(f) => match accounts::parse_scope(&f.communes) {
            Ok(scope) => {
                accounts::create_organiser(&state.db, &actor(&parts), &f.username, &f.display_name, &f.password, &scope)
                    .await
                    .map(|_| ())
            }
            Err(err) => Err(err),
        },
    };
    let f = fields.unwrap_or_default();
    saved_or_refused(&state, parts, ACCOUNTS, outcome, |error| AccountAttempt {
        id: None,
        username: f.username,
        display_name: f.display_name,
        communes: f.communes,
        error: Some(error),
    })
    .await
}

/// One change to an account from its form: `change` gets the fields sent; back to the page saying
/// so, or the page again with the refusal.
async fn change_account(
    state: AppState,
    id: Uuid,
    request: Request,
    change: impl AsyncFnOnce(&AppState, &hocvuso::auth::Actor, &AccountFields) -> Result<(), Error>,
) -> Response {
    let (parts, body) = request.into_parts();
    let actor = actor(&parts);
    let fields = read_form::<AccountFields>(body, 16 * 1024).await;
    let outcome = match &fields {
        Some(fields) => change(&state, &actor, fields).await,
        None => Err(Error::invalid("form", Text::InvalidInput)),
    };
    let communes = fields.map(|f| f.communes).unwrap_or_default();
    saved_or_refused(&state, parts, ACCOUNTS, outcome, |error| AccountAttempt {
        id: Some(id),
        communes,
        error: Some(error),
        ..Default::default()
    })
    .await
}

/// `POST /admin/accounts/{id}/scope`: the communes an organiser works in.
pub async fn set_scope(State(state): State<AppState>, Path(id): Path<Uuid>, request: Request) -> Response {
    change_account(state, id, request, async |state, actor, fields| {
        let scope = accounts::parse_scope(&fields.communes)?;
        accounts::set_scope(&state.db, actor, id, &scope).await
    })
    .await
}

/// `POST /admin/accounts/{id}/password`: a new password for the account.
pub async fn reset_password(State(state): State<AppState>, Path(id): Path<Uuid>, request: Request) -> Response {
    change_account(state, id, request, async |state, actor, fields| {
        accounts::reset_password(&state.db, actor, id, &fields.password).await
    })
    .await
}

/// `POST /admin/accounts/{id}/active`: turns the account off or on again.
pub async fn set_active(State(state): State<AppState>, Path(id): Path<Uuid>, request: Request) -> Response {
    change_account(state, id, request, async |state, actor, fields| match fields.active {
        Some(active) => accounts::set_active(&state.db, actor, id, active).await,
        None => Err(Error::invalid("active", Text::InvalidInput)),
    })
    .await
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenFields {
    name: String,
    scope: String,
}

const TOKENS: &str = "/admin/tokens";

/// `POST /admin/tokens`: the page again, showing the new secret this once (never in a URL).
pub async fn create_token(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let fields = read_form::<TokenFields>(body, 4 * 1024).await.unwrap_or_default();
    let outcome = match hocvuso::auth::TokenScope::parse(&fields.scope) {
        Some(scope) => tokens::create_by_admin(&state.db, &actor(&parts), &fields.name, scope).await,
        None => Err(Error::invalid("scope", Text::TokenScopeInvalid)),
    };
    let (code, attempt) = match outcome {
        Ok((_, secret)) => (StatusCode::OK, TokenAttempt { secret: Some(secret), ..Default::default() }),
        Err(err) => {
            (status(&err), TokenAttempt { name: fields.name, scope: fields.scope, secret: None, error: Some(err) })
        }
    };
    render_page(&state, parts, code, attempt).await
}

/// `POST /admin/tokens/{id}/revoke`.
pub async fn revoke_token(State(state): State<AppState>, Path(id): Path<Uuid>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let outcome = tokens::revoke(&state.db, &actor(&parts), id).await;
    saved_or_refused(&state, parts, TOKENS, outcome, |error| TokenAttempt { error: Some(error), ..Default::default() })
        .await
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct PlatformFields {
    name: String,
    home_pages: String,
}

const PLATFORMS: &str = "/admin/platforms";

/// `POST /admin/platforms`: the page again, showing `KEY:SECRET` this once (never in a URL).
pub async fn create_platform(State(state): State<AppState>, request: Request) -> Response {
    use hocvuso::service::lrs::platforms;
    let (parts, body) = request.into_parts();
    let fields = read_form::<PlatformFields>(body, 8 * 1024).await.unwrap_or_default();
    let pages: Vec<String> =
        fields.home_pages.split([',', '\n']).filter(|p| !p.trim().is_empty()).map(str::to_string).collect();
    let (code, attempt) = match platforms::create_by_admin(&state.db, &actor(&parts), &fields.name, &pages).await {
        Ok((platform, secret)) => (
            StatusCode::OK,
            PlatformAttempt { credentials: Some(format!("{}:{secret}", platform.key)), ..Default::default() },
        ),
        Err(err) => (
            status(&err),
            PlatformAttempt { name: fields.name, home_pages: fields.home_pages, credentials: None, error: Some(err) },
        ),
    };
    render_page(&state, parts, code, attempt).await
}

/// `POST /admin/platforms/{id}/revoke`.
pub async fn revoke_platform(State(state): State<AppState>, Path(id): Path<Uuid>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let outcome = hocvuso::service::lrs::platforms::revoke_by_admin(&state.db, &actor(&parts), id).await;
    saved_or_refused(&state, parts, PLATFORMS, outcome, |error| PlatformAttempt {
        error: Some(error),
        ..Default::default()
    })
    .await
}

#[derive(Default, serde::Deserialize)]
pub struct Existing {
    #[serde(default)]
    existing: Option<String>,
}

/// `POST /admin/courses`: a new course, or (with `existing`, the code it had) a change to one.
pub async fn save_course(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * 1024).await.unwrap_or_default();
    let form = serde_urlencoded::from_bytes::<CourseForm>(&bytes).ok();
    let existing =
        serde_urlencoded::from_bytes::<Existing>(&bytes).ok().and_then(|e| e.existing).filter(|c| !c.is_empty());
    let (db, actor) = (&state.db, actor(&parts));
    let outcome = match (&form, &existing) {
        (None, _) => Err(Error::invalid("form", Text::InvalidInput)),
        (Some(form), None) => courses::create(db, &actor, form).await.map(|_| ()),
        (Some(form), Some(code)) => courses::update(db, &actor, code, form).await.map(|_| ()),
    };
    saved_or_refused(&state, parts, "/admin/courses", outcome, |error| CatalogueAttempt {
        existing,
        form: form.unwrap_or_default(),
        error: Some(error),
    })
    .await
}
