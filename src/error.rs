//! The one error type of the domain. It becomes an HTTP status in one place
//! (`hocvuso_app::state::status_of`). Database text never leaves the server.
use serde::{Deserialize, Serialize};

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
    /// The thing exists already: the existing learner's code when the caller may manage them, else
    /// none (another scope's learners are not the caller's to learn of).
    #[error("conflict{}", .0.as_deref().map(|code| format!(": {code}")).unwrap_or_default())]
    Conflict(Option<String>),
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
    /// Too much heavy work at once (spreadsheets being read, passwords being hashed); try again
    /// after this many seconds.
    #[error("busy, retry in {0} s")]
    Busy(u32),
    /// The request's body is larger than the route accepts.
    #[error("request too large")]
    TooLarge,
    /// The request breaks the protocol it speaks (xAPI): the message says how, for the sender's log.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A conditional write (`If-Match`, `If-None-Match`) whose condition does not hold.
    #[error("precondition failed")]
    PreconditionFailed,
    /// A fault that was logged on the server; the user sees only a short message.
    #[error("internal error")]
    Internal,
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

    /// The problem with `field` or with one of its items (`attendees.2`), for a form that has one
    /// input for the whole list.
    pub fn list_problem(&self, field: &str) -> Option<Text> {
        let item = |name: &str| name.strip_prefix(field).is_some_and(|rest| rest.starts_with('.'));
        match self {
            Error::Invalid(errors) => errors.iter().find(|e| e.field == field || item(&e.field)).map(|e| e.problem),
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
            Error::Busy(_) => Text::ServerBusy,
            Error::TooLarge => Text::BodyTooLarge,
            Error::BadRequest(_) => Text::BadRequest,
            Error::PreconditionFailed => Text::PreconditionFailed,
            Error::Internal => Text::Internal,
        }
    }
}

/// Errors that retrying later may cure: the connection to the database was lost or refused, or the
/// SQLite file is locked or read-only. They become 503 with a message, never a 500 or a panic.
#[cfg(feature = "server")]
fn database_unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err else {
        return false;
    };
    match e.as_ref() {
        Sqlx::Io(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Protocol(_)
        | Sqlx::Tls(_) => true,
        // SQLite: 5 busy, 6 locked, 8 read-only (extended codes keep the primary code in the low byte).
        Sqlx::Database(db) => db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| {
            matches!(c & 0xff, 5 | 6 | 8) && db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>().is_some()
        }),
        _ => false,
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
            _ if database_unreachable(&err) => {
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
