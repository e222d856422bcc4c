//! Forms that work without JavaScript: they post to the server, which answers with the same page
//! showing what was typed and what is wrong. The attempt reaches the page's render through context.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{ImportReport, LearnerForm};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A registration that did not go through: what was typed and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegisterAttempt {
    pub form: LearnerForm,
    pub error: Option<Error>,
}

/// A change to a learner's courses that did not go through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CourseAttempt {
    pub error: Error,
}

/// A platform account that could not be linked, with what was typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkAttempt {
    pub form: hocvuso::service::lrs::links::PlatformAccountForm,
    pub error: Error,
}

/// The answer to an upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportAttempt {
    pub outcome: Result<ImportReport, Error>,
}

/// The attempt the server put in context for this render.
pub fn posted<T: Clone + Send + Sync + 'static>() -> Option<T> {
    use_context::<T>()
}

/// A labelled text input with its problem, if any, right below it.
/// An `<option>` of a plain `<select>`, selected when its value is the one posted.
pub fn select_option(value: String, label: String, selected: &str) -> impl IntoView + use<> {
    let is_selected = value == selected;
    view! { <option value=value selected=is_selected>{label}</option> }
}

#[component]
pub fn TextField(
    lang: Lang,
    name: &'static str,
    label: Text,
    #[prop(optional)] value: String,
    #[prop(default = None)] problem: Option<Text>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] hint: Option<Text>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=problem.is_some()>
            <label for=id.clone()>{lang.t(label)}</label>
            <input
                id=id
                name=name
                type=input_type.unwrap_or("text")
                value=value
                inputmode=inputmode
                autocomplete=autocomplete.unwrap_or("off")
                aria-invalid=problem.is_some().then_some("true")
                aria-describedby=problem.is_some().then(|| error_id.clone())
            />
            {hint.map(|hint| view! { <small class="hint">{lang.t(hint)}</small> })}
            {problem.map(|p| view! { <small class="field-error" id=error_id>{lang.t(p)}</small> })}
        </div>
    }
}

/// A lookup of one's own page that did not find it: what was typed and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LookupAttempt {
    pub phone: String,
    pub birth_date: String,
    pub error: Option<Error>,
}

/// A target, or a file of targets, that did not go through (or how many a file changed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetAttempt {
    pub form: hocvuso::model::TargetForm,
    pub error: Option<Error>,
    pub imported: Option<u64>,
    /// Population figures set from a file.
    pub population: Option<u64>,
}

/// A change on `/admin/accounts` that did not go through: the account it was for (None: a new
/// organiser) and what was typed, never the password.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountAttempt {
    pub id: Option<uuid::Uuid>,
    pub username: String,
    pub display_name: String,
    pub communes: String,
    pub error: Option<Error>,
}

/// A token made on `/admin/tokens` (its secret, shown this once and never in a URL), or what was
/// typed and why it was refused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenAttempt {
    pub name: String,
    pub scope: String,
    pub secret: Option<String>,
    pub error: Option<Error>,
}

/// A platform connection on `/admin/platforms`: what was typed, the `KEY:SECRET` made (shown once),
/// or why it was refused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlatformAttempt {
    pub name: String,
    pub home_pages: String,
    pub credentials: Option<String>,
    pub error: Option<Error>,
}

/// A course on `/admin/courses` that was not saved: the code it edits (None: a new course), what was
/// typed and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogueAttempt {
    pub existing: Option<String>,
    pub form: hocvuso::model::CourseForm,
    pub error: Option<Error>,
}

/// A change on `/organisations` or `/teams` that did not go through: the unit it was for (None: a
/// new one), what was typed and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitAttempt {
    pub id: Option<uuid::Uuid>,
    pub form: hocvuso::model::UnitForm,
    pub error: Option<Error>,
}

/// The message of a refused change, with its field problems, in the reader's language.
#[component]
pub fn ActionError(lang: Lang, error: Option<Error>) -> impl IntoView {
    error.map(|err| {
        let fields = match &err {
            Error::Invalid(fields) => fields.iter().map(|f| lang.t(f.problem)).collect::<Vec<_>>().join(" "),
            _ => String::new(),
        };
        view! {
            <p class="error" role="alert">
                {lang.t(err.text())}
                " "
                {fields}
            </p>
        }
    })
}

/// "Saved." after a change went through (the server redirects back with `?saved=1`).
#[component]
pub fn SavedNotice(lang: Lang) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let saved = query.with_untracked(|q| q.get("saved").is_some());
    saved.then(|| view! { <p class="notice" role="status" data-testid="saved">{lang.t(Text::Saved)}</p> })
}

/// The guidance-session form as typed (`attendees` one text of codes): what a refused post shows again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GuidanceFields {
    pub team: String,
    pub date: String,
    #[serde(default)]
    pub commune: String,
    pub village: String,
    #[serde(default)]
    pub course: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub guided_unregistered: String,
    /// The codes ticked on the team's list (`attendee`, repeated; read apart, as serde_urlencoded
    /// cannot read a repeated field).
    #[serde(skip)]
    pub picked: Vec<String>,
}

impl GuidanceFields {
    /// The REST body's shape; `public/outbox.js` (`guidanceBody`) converts the same way.
    pub fn to_session_form(&self) -> hocvuso::model::GuidanceSessionForm {
        let present = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        hocvuso::model::GuidanceSessionForm {
            team: self.team.trim().to_string(),
            date: self.date.trim().to_string(),
            commune: present(&self.commune),
            village: self.village.clone(),
            course: present(&self.course),
            topic: present(&self.topic),
            attendees: self
                .attendees
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|code| !code.is_empty())
                .map(str::to_string)
                .chain(self.picked.iter().map(|code| code.trim().to_string()).filter(|code| !code.is_empty()))
                .collect(),
            // Not a whole number: -1, which the service refuses with the field's own message.
            guided_unregistered: match self.guided_unregistered.trim() {
                "" => 0,
                text => text.parse().unwrap_or(-1),
            },
        }
    }
}

/// A guidance session that was not recorded: what was typed and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GuidanceAttempt {
    pub form: GuidanceFields,
    pub error: Option<Error>,
}
