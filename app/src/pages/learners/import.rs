//! `/learners/import`: upload a CSV or Excel file; every bad row is listed and nothing is written
//! until the whole file is right. A plain multipart form, so it works without JavaScript.
use hocvuso::Error;
use hocvuso::consent::{CONSENT_VERSION, notice};
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::ImportReport;
use leptos::prelude::*;

use crate::components::status::failed;
use crate::components::table::ScrollTable;
use crate::forms::{ImportAttempt, posted};
use crate::i18n::use_lang;

#[component]
pub fn ImportLearnersPage() -> impl IntoView {
    let lang = use_lang();
    let attempt = posted::<ImportAttempt>();
    view! {
        <h1>{lang.t(Text::ImportFromFile)}</h1>
        {attempt.map(|a| view! { <ImportOutcome lang outcome=a.outcome /> })}
        <form method="post" action="/learners/import" enctype="multipart/form-data" class="form" id="import-form">
            <label for="import-file">{lang.t(Text::FileLabel)}</label>
            <input id="import-file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
            <small class="hint">{lang.t(Text::ImportHelp)}</small>
            <fieldset class="consent">
                <legend>{lang.t(Text::ConsentTitle)}</legend>
                <p class="notice-text">{notice(lang)}</p>
                <label class="checkbox">
                    <input type="checkbox" name="consent_version" value=CONSENT_VERSION />
                    {lang.t(Text::ConsentCollected)}
                </label>
            </fieldset>
            <label class="checkbox">
                <input type="checkbox" name="dry_run" value="true" />
                {lang.t(Text::DryRun)}
            </label>
            <button type="submit">{lang.t(Text::Upload)}</button>
            <p class="hint uploading" aria-live="polite">{lang.t(Text::LargeFilesTakeTime)}</p>
        </form>
    }
}

/// What an upload did, or every bad row of a refused file (every import page shows it so).
#[component]
pub fn ImportOutcome(lang: Lang, outcome: Result<ImportReport, Error>) -> impl IntoView {
    match outcome {
        Ok(report) => view! {
            <div class="notice" role="status" data-testid="import-report">
                <p>
                    {if report.dry_run { lang.t(Text::DryRunResult) } else { lang.t(Text::ImportDone) }}
                </p>
                <p>
                    {format!(
                        "{}: {} · {}: {} · {}: {}",
                        lang.t(Text::CreatedCount), report.created, lang.t(Text::Updated), report.updated, lang.t(Text::Unchanged), report.unchanged,
                    )}
                </p>
                {(!report.unknown_columns.is_empty()).then(|| view! {
                    <p>{lang.t(Text::UnknownColumns)} ": " {report.unknown_columns.join(", ")}</p>
                })}
            </div>
        }
        .into_any(),
        Err(Error::InvalidRows(rows)) => {
            let count = rows.len();
            let items = rows
                .into_iter()
                .map(|r| view! {
                    <tr>
                        <td class="num">{r.line}</td>
                        <td>{r.column}</td>
                        <td>{r.value}</td>
                        <td>{lang.t(r.problem)}</td>
                    </tr>
                })
                .collect_view();
            view! {
                <div class="error" role="alert">
                    <p>{lang.t(Text::ImportHasErrors)}</p>
                    <p data-testid="bad-row-count">{format!("{} {}", count, lang.t(Text::BadRows))}</p>
                </div>
                <ScrollTable label=lang.t(Text::BadRows)>
                    <table class="units" data-testid="bad-rows">
                        <thead>
                            <tr>
                                <th class="num">{lang.t(Text::Line)}</th>
                                <th>{lang.t(Text::Column)}</th>
                                <th>{lang.t(Text::Value)}</th>
                                <th>{lang.t(Text::Problem)}</th>
                            </tr>
                        </thead>
                        <tbody>{items}</tbody>
                    </table>
                </ScrollTable>
            }
            .into_any()
        }
        Err(Error::Invalid(fields)) => view! {
            <div class="error" role="alert">
                {fields.into_iter().map(|f| view! { <p>{f.field} ": " {lang.t(f.problem)}</p> }).collect_view()}
            </div>
        }
        .into_any(),
        Err(other) => failed(lang, &other),
    }
}
