//! `/tra-cuu`: a learner opens their own page with phone and birth date, without an account.
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso_app::forms::LookupAttempt;
use hocvuso_app::state::AppState;

use super::forms::{read_form, render_page, status};

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
    match hocvuso::service::learners::lookup::own_page(&state.db, &fields.phone, &fields.birth_date, &client).await {
        Ok(secret) => Redirect::to(&format!("/p/{secret}")).into_response(),
        Err(err) => {
            let code = status(&err);
            let attempt = LookupAttempt { phone: fields.phone, birth_date: fields.birth_date, error: Some(err) };
            render_page(&state, parts, code, attempt).await
        }
    }
}
