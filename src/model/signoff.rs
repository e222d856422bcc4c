//! Sign-off (xác nhận số liệu tuần): a commune's organiser confirms the week's figures, a province
//! admin approves or returns them. What the browser and REST see of it.
use serde::{Deserialize, Serialize};

use super::{Completion, CompletionRow};

/// Where a commune's sign-off of a week stands; in JSON and the database as `as_str` spells it.
/// `missing` is never stored: it is a commune without a sign-off row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "snake_case")]
pub enum SignoffState {
    #[cfg_attr(feature = "server", sea_orm(string_value = "missing"))]
    Missing,
    /// Signed by the deadline (Tuesday 12:00 in Vietnam after the week), not reviewed yet.
    #[cfg_attr(feature = "server", sea_orm(string_value = "signed"))]
    Signed,
    /// Signed after the deadline, not reviewed yet.
    #[cfg_attr(feature = "server", sea_orm(string_value = "late"))]
    Late,
    #[cfg_attr(feature = "server", sea_orm(string_value = "approved"))]
    Approved,
    /// Sent back with a comment: the commune signs again.
    #[cfg_attr(feature = "server", sea_orm(string_value = "returned"))]
    Returned,
}

impl SignoffState {
    pub const ALL: [SignoffState; 5] = [
        SignoffState::Missing,
        SignoffState::Signed,
        SignoffState::Late,
        SignoffState::Approved,
        SignoffState::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignoffState::Missing => "missing",
            SignoffState::Signed => "signed",
            SignoffState::Late => "late",
            SignoffState::Approved => "approved",
            SignoffState::Returned => "returned",
        }
    }

    pub fn text(self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            SignoffState::Missing => Text::SignoffMissing,
            SignoffState::Signed => Text::SignoffSigned,
            SignoffState::Late => Text::SignoffLate,
            SignoffState::Approved => Text::SignoffApproved,
            SignoffState::Returned => Text::SignoffReturned,
        }
    }

    /// Signed (on time or late) and waiting for a province admin.
    pub fn awaits_review(self) -> bool {
        matches!(self, SignoffState::Signed | SignoffState::Late)
    }

    /// The figures stand as signed: signed, late or approved (not returned, not missing).
    pub fn stands(self) -> bool {
        matches!(self, SignoffState::Signed | SignoffState::Late | SignoffState::Approved)
    }
}

/// A commune's figures for a week as the weekly report shows them: cumulative at the end of the
/// week and new in it. A sign-off keeps them as they were when signed; the difference to the
/// figures now is what changed since.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignoffFigures {
    pub enrolled: i64,
    pub completed: i64,
    pub new_enrolled: i64,
    pub new_completed: i64,
    pub learners: i64,
    pub trained: i64,
}

impl SignoffFigures {
    pub fn of(row: &CompletionRow) -> SignoffFigures {
        SignoffFigures {
            enrolled: row.completion.enrolled,
            completed: row.completion.completed,
            new_enrolled: row.new_enrolled,
            new_completed: row.new_completed,
            learners: row.learners,
            trained: row.trained,
        }
    }

    /// These figures less `earlier`, field by field.
    pub fn minus(self, earlier: SignoffFigures) -> SignoffFigures {
        SignoffFigures {
            enrolled: self.enrolled - earlier.enrolled,
            completed: self.completed - earlier.completed,
            new_enrolled: self.new_enrolled - earlier.new_enrolled,
            new_completed: self.new_completed - earlier.new_completed,
            learners: self.learners - earlier.learners,
            trained: self.trained - earlier.trained,
        }
    }

    pub fn completion(self) -> Completion {
        Completion { enrolled: self.enrolled, completed: self.completed }
    }

    pub fn is_zero(self) -> bool {
        self == SignoffFigures::default()
    }
}

/// One commune's sign-off of a week, as the report lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignoffView {
    /// The commune's code.
    pub commune: i32,
    pub name: String,
    pub state: SignoffState,
    /// Signed by the deadline; kept through approval and return. None while missing.
    pub on_time: Option<bool>,
    pub signed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The username of whoever signed.
    pub signed_by: Option<String>,
    pub note: Option<String>,
    /// When and by whom it was approved or returned.
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reviewed_by: Option<String>,
    /// The province admin's comment on approving or returning.
    pub comment: Option<String>,
    /// The figures as signed.
    pub snapshot: Option<SignoffFigures>,
    /// The commune's figures for the week now, less the snapshot: completions recorded late for the
    /// week count in it, never in the snapshot. Only while the sign-off stands (signed, late, approved).
    pub changed_since_signoff: Option<SignoffFigures>,
}

/// `POST /api/v1/reports/weekly/{week}/signoff`: the commune (code) whose week is confirmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignoffForm {
    #[serde(deserialize_with = "super::text_or_number")]
    pub commune: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Approving (comment optional) or returning (comment required) a sign-off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignoffReview {
    #[serde(default)]
    pub comment: Option<String>,
}
