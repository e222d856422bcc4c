//! The mechanics every form post shares (the forms themselves live by feature: `learners`, `lookup`,
//! `targets`, `admin`, `units`): on success a redirect (post/redirect/get); on a problem the same
//! page rendered again with what was typed and what is wrong (never in the URL).
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::service::imports::learners::ImportOptions;
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

/// A form posted by a page that has the offline outbox (`public/outbox.js`).
pub(crate) struct OutboxPost<T> {
    pub form: T,
    /// The `outbox_id` the outbox adds: the post's idempotency key, so a post the service worker
    /// kept after the network failed and sends again later is applied once.
    pub key: Option<hocvuso::service::idempotency::IdempotencyKey>,
    /// The `outbox_account` it adds: the account the entry was typed under.
    pub typed_by: Option<String>,
    /// Every (name, value) pair, for fields a form repeats (checkboxes).
    pub pairs: Vec<(String, String)>,
}

/// A form body as `read_form`, with what the outbox adds. A key that is not a UUID is ignored
/// (the form still goes).
pub(crate) async fn read_outbox_form<T: serde::de::DeserializeOwned>(
    body: Body,
    limit: usize,
) -> Option<OutboxPost<T>> {
    let bytes = to_bytes(body, limit).await.ok()?;
    let form = serde_urlencoded::from_bytes(&bytes).ok()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).ok()?;
    let value = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let key = value("outbox_id").and_then(|id| hocvuso::service::idempotency::IdempotencyKey::parse(&id).ok());
    let typed_by = value("outbox_account");
    Some(OutboxPost { form, key, typed_by, pairs })
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

/// The file and the options of an upload form (multipart), the file at most the route's body limit.
pub(crate) async fn read_upload(request: Request, state: &AppState) -> Result<(Vec<u8>, ImportOptions), Error> {
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
