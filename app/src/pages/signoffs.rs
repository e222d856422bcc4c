//! The weekly report's sign-offs (xác nhận số liệu tuần): each commune's state, the on-time rate,
//! and the forms — an organiser signs off the communes they answer for, an admin approves or returns
//! (with a comment). Plain form posts (`server/src/routes/signoffs.rs`), so they work without JavaScript.
use hocvuso::Error;
use hocvuso::auth::{Actor, Role};
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{Completion, SignoffFigures, SignoffState, SignoffView};
use hocvuso::service::statistics::signoff::{deadline, week_end};
use hocvuso::week::{IsoWeek, local_date_time};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::table::ScrollTable;
use crate::forms::{ActionError, SavedNotice, posted};

/// A sign-off, approval or return that did not go through: the commune, what was typed and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignoffAttempt {
    pub commune: String,
    pub note: String,
    pub comment: String,
    pub error: Option<Error>,
}

/// What the reader may do with one commune's sign-off (the server checks again on every post).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum May {
    Sign,
    Review,
    Nothing,
}

fn may(actor: &Actor, commune: i32, state: SignoffState, ended: bool) -> May {
    let Actor::Account(account) = actor else { return May::Nothing };
    match account.role {
        Role::Organiser
            if ended
                && account.scope.communes.contains(&commune)
                && matches!(state, SignoffState::Missing | SignoffState::Returned) =>
        {
            May::Sign
        }
        // The report of an admin lists only communes of their province (or of the country).
        Role::Admin if state.awaits_review() => May::Review,
        _ => May::Nothing,
    }
}

/// "+1 completions, +2 enrolments": what moved since the sign-off; "0" when nothing did.
fn changes(figures: SignoffFigures, lang: Lang) -> String {
    let signed = |n: i64| if n >= 0 { format!("+{}", lang.count(n)) } else { format!("−{}", lang.count(-n)) };
    let parts: Vec<String> = [
        (figures.completed, Text::Completions),
        (figures.enrolled, Text::Enrolments),
        (figures.learners, Text::Learners),
    ]
    .into_iter()
    .filter(|(n, _)| *n != 0)
    .map(|(n, text)| format!("{} {}", signed(n), lang.t(text).to_lowercase()))
    .collect();
    if parts.is_empty() { "0".into() } else { parts.join(", ") }
}

#[component]
pub fn Signoffs(
    week: IsoWeek,
    /// The report's province code, or `all`: where a post goes back to.
    area: String,
    signoffs: Vec<SignoffView>,
    on_time: i64,
    lang: Lang,
) -> impl IntoView {
    let actor = crate::state::actor();
    let ended = hocvuso::service::now() >= week_end(week);
    let attempt = posted::<SignoffAttempt>();
    let error = attempt.as_ref().and_then(|a| a.error.clone());
    let rate = Completion { enrolled: signoffs.len() as i64, completed: on_time };
    let rate_text =
        format!("{}/{} ({})", lang.count(on_time), lang.count(rate.enrolled), lang.percent(rate.rate_tenths()));
    let rows = signoffs
        .into_iter()
        .map(|s| {
            let code = s.commune;
            let again = attempt.as_ref().filter(|a| a.commune == code.to_string());
            let note = again.map(|a| a.note.clone()).unwrap_or_default();
            let comment = again.map(|a| a.comment.clone()).unwrap_or_default();
            let hidden = {
                let area = area.clone();
                move || view! { <input type="hidden" name="province" value=area.clone() /> }
            };
            let action = match may(&actor, code, s.state, ended) {
                May::Sign => view! {
                    <form method="post" action=format!("/reports/weekly/{week}/signoff") class="inline-form no-print">
                        <input type="hidden" name="commune" value=code.to_string() />
                        {hidden()}
                        <label>
                            {lang.t(Text::SignoffNote)}
                            <input name="note" value=note maxlength="1000" data-testid=format!("signoff-note-{code}") />
                        </label>
                        <button type="submit" data-testid=format!("signoff-submit-{code}")>{lang.t(Text::SignoffAction)}</button>
                    </form>
                }
                .into_any(),
                May::Review => view! {
                    <form method="post" action=format!("/reports/weekly/{week}/signoff/{code}/approve") class="inline-form no-print">
                        {hidden()}
                        <button type="submit" data-testid=format!("signoff-approve-{code}")>{lang.t(Text::SignoffApprove)}</button>
                    </form>
                    <form method="post" action=format!("/reports/weekly/{week}/signoff/{code}/return") class="inline-form no-print">
                        {hidden()}
                        <label>
                            {lang.t(Text::SignoffComment)}
                            <input name="comment" value=comment required maxlength="1000" data-testid=format!("signoff-return-comment-{code}") />
                        </label>
                        <button type="submit" class="secondary" data-testid=format!("signoff-return-{code}")>{lang.t(Text::SignoffReturn)}</button>
                    </form>
                }
                .into_any(),
                May::Nothing => ().into_any(),
            };
            view! {
                <tr data-testid=format!("signoff-row-{code}")>
                    <td>{s.name}</td>
                    <td data-testid=format!("signoff-state-{code}") data-state=s.state.as_str()>{lang.t(s.state.text())}</td>
                    <td>{s.signed_at.map(local_date_time)}</td>
                    <td>{s.signed_by}</td>
                    <td>{s.note}</td>
                    <td>{s.comment}</td>
                    <td class="num" data-testid=format!("signoff-changed-{code}")>
                        {s.changed_since_signoff.map(|c| changes(c, lang))}
                    </td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section id="signoffs" data-testid="signoffs">
            <h2>{lang.t(Text::Signoffs)}</h2>
            <p class="hint">{lang.t(Text::SignoffHelp)}</p>
            <p>
                {lang.t(Text::SignoffDeadline)} ": " {local_date_time(deadline(week))} " · "
                {lang.t(Text::SignoffOnTimeRate)} ": "
                <strong data-testid="signoff-on-time-rate">{rate_text}</strong>
            </p>
            <SavedNotice lang />
            <ActionError lang error />
            <ScrollTable label=lang.t(Text::Signoffs)>
                <table class="units" data-testid="signoff-table">
                    <thead>
                        <tr>
                            <th>{lang.t(Text::Commune)}</th>
                            <th>{lang.t(Text::SignoffStateHeader)}</th>
                            <th>{lang.t(Text::SignoffSignedAt)}</th>
                            <th>{lang.t(Text::SignoffSignedBy)}</th>
                            <th>{lang.t(Text::SignoffNote)}</th>
                            <th>{lang.t(Text::SignoffComment)}</th>
                            <th class="num">{lang.t(Text::SignoffChanged)}</th>
                            <th>{lang.t(Text::Action)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </section>
    }
}
