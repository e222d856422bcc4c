//! The one error type of the domain. It crosses to the browser as itself (server functions)
//! and becomes an HTTP status in one place (the server's REST layer). Database text never leaves the server.
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::i18n::Text;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem with one field of a form, said in words the person can read (`Lang::t(problem)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: Text,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The thing exists already; carries what the user needs to find it (a learner code, say).
    /// An imported file with bad rows: every one of them. Nothing was written.
    #[error("{} bad rows", .0.len())]
    InvalidRows(Vec<crate::model::RowError>),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not signed in")]
    Unauthorized,
    /// Unknown user or wrong password: the same answer for both.
    #[error("bad credentials")]
    BadCredentials,
    /// Too many attempts; try again after this many seconds.
    #[error("rate limited for {0} s")]
    RateLimited(u32),
    #[error("forbidden")]
    Forbidden,
    /// The database cannot be reached right now; worth retrying.
    #[error("service unavailable")]
    Unavailable,
    /// A fault that was logged on the server; the user sees only a short message.
    #[error("internal error")]
    Internal,
    /// The request did not reach the server or its answer did not come back (browser side).
    #[error("transport: {0}")]
    Transport(String),
}

impl Error {
    pub fn invalid(field: &str, problem: Text) -> Error {
        Error::Invalid(vec![FieldError { field: field.to_string(), problem }])
    }

    /// The problem with `field`, if this error names one.
    pub fn field_problem(&self, field: &str) -> Option<Text> {
        match self {
            Error::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.problem),
            _ => None,
        }
    }

    /// The short, translatable message a person sees.
    pub fn text(&self) -> Text {
        match self {
            Error::NotFound => Text::NotFound,
            Error::Invalid(_) => Text::InvalidInput,
            Error::InvalidRows(_) => Text::ImportHasErrors,
            Error::Conflict(_) => Text::Conflict,
            Error::Unauthorized => Text::Unauthorized,
            Error::BadCredentials => Text::BadCredentials,
            Error::RateLimited(_) => Text::RateLimited,
            Error::Forbidden => Text::Forbidden,
            Error::Unavailable => Text::Unavailable,
            Error::Internal => Text::Internal,
            Error::Transport(_) => Text::Network,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound => 404,
            Error::Invalid(_) | Error::InvalidRows(_) => 422,
            Error::Conflict(_) => 409,
            Error::Unauthorized | Error::BadCredentials => 401,
            Error::RateLimited(_) => 429,
            Error::Forbidden => 403,
            Error::Unavailable => 503,
            Error::Internal | Error::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for Error {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Error::Transport(value.to_string())
    }
}

#[cfg(feature = "server")]
impl From<sea_orm::DbErr> for Error {
    /// Logged here with its text; the caller only learns whether retrying may help.
    fn from(err: sea_orm::DbErr) -> Self {
        use sea_orm::DbErr;
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::warn!(error = %err, "database unavailable");
                Error::Unavailable
            }
            DbErr::RecordNotFound(_) => Error::NotFound,
            _ => {
                tracing::error!(error = %err, "database error");
                Error::Internal
            }
        }
    }
}
