//! The sign-in and sign-out forms: plain HTML posts, so they work with or without JavaScript.
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use hocvuso::Error;
use hocvuso_app::state::AppState;
use serde::Deserialize;

use crate::auth::{ClientAddr, sign_in, sign_out, with_cookie};

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`: to `next` with a fresh session, or back to the form saying why (never echoing the password).
pub async fn login(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = super::local_path(form.next.as_deref());
    match sign_in(&state, &headers, &client, &form.username, &form.password).await {
        Ok((_, cookie)) => with_cookie(Redirect::to(&next).into_response(), cookie),
        Err(err) => {
            let reason = match err {
                Error::RateLimited(_) => "throttled",
                Error::BadCredentials | Error::Unauthorized => "credentials",
                _ => "unavailable",
            };
            let back = format!(
                "/login?error={reason}&username={}&next={}",
                hocvuso::text::url_encode(form.username.trim()),
                hocvuso::text::url_encode(&next)
            );
            Redirect::to(&back).into_response()
        }
    }
}

/// `POST /logout`: ends the session everywhere and goes home.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match sign_out(&state, &headers).await {
        Ok(cookie) => with_cookie(Redirect::to("/").into_response(), cookie),
        Err(_) => Redirect::to("/").into_response(),
    }
}
