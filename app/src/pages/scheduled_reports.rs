//! `/reports`: the weekly reports written every Monday, to download, and what became of their
//! e-mails (sent; failed, with the error and the next attempt; given up). Admins only; a province
//! admin sees their province's.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{Area, DeliveryState, ScheduledReports};
use hocvuso::week::local_date_time;
use leptos::prelude::*;

use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::i18n::use_lang;

pub async fn get_scheduled_reports() -> Result<ScheduledReports, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::statistics::scheduled::list(&state.db, &crate::state::actor()).await
    })
    .await
}

fn area_text(area: Area, lang: Lang) -> String {
    match area {
        Area::Country => lang.t(Text::WholeCountry).to_string(),
        Area::Province(code) => format!("{} {code}", lang.t(Text::Province)),
    }
}

fn state_text(state: DeliveryState) -> Text {
    match state {
        DeliveryState::Pending => Text::DeliveryPending,
        DeliveryState::Sent => Text::DeliverySent,
        DeliveryState::Retrying => Text::DeliveryRetrying,
        DeliveryState::Failed => Text::DeliveryFailed,
    }
}

#[component]
pub fn ScheduledReportsPage() -> impl IntoView {
    let lang = use_lang();
    let reports = Resource::new(|| (), |()| get_scheduled_reports());
    view! {
        <h1>{lang.t(Text::ScheduledReports)}</h1>
        <p class="hint">{lang.t(Text::ScheduledReportsIntro)}</p>
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match reports.await {
                    Ok(r) => view! { <ReportsView r lang /> }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportsView(r: ScheduledReports, lang: Lang) -> impl IntoView {
    let (no_files, no_mails) = (r.files.is_empty(), r.deliveries.is_empty());
    let files = r
        .files
        .into_iter()
        .map(|f| {
            let href = format!("/api/v1/reports/files/{}", f.file_name);
            view! {
                <tr data-file=f.file_name.clone()>
                    <td>{f.week.to_string()}</td>
                    <td>{area_text(f.area, lang)}</td>
                    <td><a rel="external" download="" href=href>{f.file_name.clone()}</a></td>
                    <td class="num">{lang.count(f.bytes)}</td>
                    <td class="num">{local_date_time(f.written_at)}</td>
                </tr>
            }
        })
        .collect_view();
    let mails = r
        .deliveries
        .into_iter()
        .map(|d| {
            view! {
                <tr data-delivery-state=format!("{:?}", d.state).to_lowercase()>
                    <td>{d.week.to_string()}</td>
                    <td>{area_text(d.area, lang)}</td>
                    <td>{d.recipients}</td>
                    <td data-testid="delivery-state">{lang.t(state_text(d.state))}</td>
                    <td class="num">{d.attempts}</td>
                    <td class="detail">{d.last_error.unwrap_or_default()}</td>
                    <td class="num">{d.next_attempt_at.or(d.sent_at).map(local_date_time).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {no_files.then(|| view! { <p class="hint" data-testid="no-reports">{lang.t(Text::NoScheduledReports)}</p> })}
        <ScrollTable label=lang.t(Text::ScheduledReports)>
            <table class="units" data-testid="report-files">
                <thead>
                    <tr>
                        <th>{lang.t(Text::Week)}</th>
                        <th>{lang.t(Text::Province)}</th>
                        <th>{lang.t(Text::ReportFile)}</th>
                        <th class="num">{lang.t(Text::FileSize)}</th>
                        <th class="num">{lang.t(Text::WrittenAt)}</th>
                    </tr>
                </thead>
                <tbody>{files}</tbody>
            </table>
        </ScrollTable>
        <h2>{lang.t(Text::ReportEmails)}</h2>
        {no_mails.then(|| view! { <p class="hint">{lang.t(Text::NoReportEmails)}</p> })}
        <ScrollTable label=lang.t(Text::ReportEmails)>
            <table class="units" data-testid="report-deliveries">
                <thead>
                    <tr>
                        <th>{lang.t(Text::Week)}</th>
                        <th>{lang.t(Text::Province)}</th>
                        <th>{lang.t(Text::Recipients)}</th>
                        <th>{lang.t(Text::Status)}</th>
                        <th class="num">{lang.t(Text::Attempts)}</th>
                        <th>{lang.t(Text::LastError)}</th>
                        <th class="num">{lang.t(Text::NextAttempt)}</th>
                    </tr>
                </thead>
                <tbody>{mails}</tbody>
            </table>
        </ScrollTable>
    }
}
