//! The weekly report that arrives by itself: a task of `hocvuso serve` that, each Monday at 07:00
//! in Vietnam, writes the report of the week just ended into the reports directory and e-mails it
//! when SMTP is configured, retrying failed e-mails with backoff. What it wrote and sent is in the
//! database (`hocvuso::service::statistics::scheduled`), so a restart, a second process or a
//! server down on Monday changes nothing: each week is written once, late if need be.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hocvuso::model::{Area, DeliveryState};
use hocvuso::service::statistics::scheduled::{self, Mailing};
use hocvuso::week::IsoWeek;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::DatabaseConnection;

use crate::config::Config;

/// How often the task looks at the clock and the e-mails due.
pub const TICK: Duration = Duration::from_secs(60);
/// The longest one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// What time it is: the system clock when serving, any instant a test chooses.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        hocvuso::service::now()
    }
}

/// Where and how the report is e-mailed.
#[derive(Clone, Debug)]
pub struct Mail {
    pub smtp_url: String,
    pub from: String,
    pub to: Vec<String>,
}

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tick {
    /// The latest week whose files this tick wrote, if it wrote any.
    pub written: Option<IsoWeek>,
    /// The earlier weeks it wrote, missed while the server was down, oldest first.
    pub caught_up: Vec<IsoWeek>,
    pub sent: usize,
    pub failed: usize,
}

pub struct ReportScheduler {
    db: DatabaseConnection,
    dir: PathBuf,
    /// The deployment's area: its report is always written, and it is the one e-mailed.
    landing: Area,
    mail: Option<Mail>,
    clock: Arc<dyn Clock>,
}

impl ReportScheduler {
    /// The scheduler `serve` runs: the configured directory, area and SMTP server.
    pub fn new(config: &Config, db: DatabaseConnection, clock: Arc<dyn Clock>) -> ReportScheduler {
        let mail = match (&config.smtp_url, config.report_to.is_empty()) {
            (Some(url), false) => {
                Some(Mail { smtp_url: url.clone(), from: config.report_from.clone(), to: config.report_to.clone() })
            }
            _ => None,
        };
        ReportScheduler::with_settings(db, config.reports_dir.clone(), config.landing, mail, clock)
    }

    pub fn with_settings(
        db: DatabaseConnection,
        dir: PathBuf,
        landing: Area,
        mail: Option<Mail>,
        clock: Arc<dyn Clock>,
    ) -> ReportScheduler {
        ReportScheduler { db, dir, landing, mail, clock }
    }

    /// Writes the weeks due (the week just ended, and any missed while the server was down), if
    /// nobody has, then tries the e-mails due.
    pub async fn tick(&self) -> hocvuso::Result<Tick> {
        let now = self.clock.now();
        let mut tick = Tick::default();
        for week in scheduled::weeks_due(&self.db, now).await? {
            if scheduled::is_written(&self.db, week).await? || !scheduled::claim(&self.db, week, now).await? {
                continue;
            }
            let mailing = self.mail.as_ref().map(|m| Mailing { recipients: m.to.clone(), area: self.landing });
            let files = scheduled::write_week(&self.db, &self.dir, week, self.landing, mailing.as_ref(), now).await?;
            if files.is_empty() {
                // Another process finished writing it first (see `write_week`).
                continue;
            }
            tracing::info!(%week, files = files.len(), dir = %self.dir.display(), "weekly report written");
            tick.caught_up.extend(tick.written.replace(week));
            // Once a week, by whoever wrote the report: outbox keys past their time.
            let forgotten = hocvuso::service::idempotency::forget_expired(&self.db, now).await?;
            tracing::info!(forgotten, "expired idempotency keys forgotten");
        }
        for delivery in scheduled::due_deliveries(&self.db, now).await? {
            if !scheduled::take_delivery(&self.db, &delivery, now).await? {
                continue;
            }
            let outcome = match &self.mail {
                Some(mail) => match scheduled::delivery_files(&self.db, &delivery).await {
                    Ok(files) => send(mail, &files, &delivery).await,
                    Err(err) => Err(format!("cannot read the report files: {err}")),
                },
                None => Err("HOCVUSO_SMTP_URL or HOCVUSO_REPORT_TO is no longer set".to_string()),
            };
            match outcome {
                Ok(()) => {
                    scheduled::delivery_sent(&self.db, delivery.id, now).await?;
                    tracing::info!(week = %IsoWeek(delivery.week), "weekly report e-mailed");
                    tick.sent += 1;
                }
                Err(error) => {
                    let state = scheduled::delivery_failed(&self.db, &delivery, &error, now).await?;
                    let gave_up = state == DeliveryState::Failed;
                    tracing::warn!(week = %IsoWeek(delivery.week), %error, gave_up, "weekly report e-mail failed");
                    tick.failed += 1;
                }
            }
        }
        Ok(tick)
    }

    /// Ticks every `TICK` until `stop` turns true (the graceful shutdown).
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(err) = self.tick().await {
                tracing::error!(%err, "the weekly report scheduler failed; trying again at the next tick");
            }
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                _ = stop.wait_for(|stopping| *stopping) => break,
            }
        }
        tracing::info!("weekly report scheduler stopped");
    }
}

/// Sends one e-mail of a week's report with its files attached; the SMTP error as text when refused.
async fn send(
    mail: &Mail,
    files: &[(hocvuso::entity::report_file::Model, Vec<u8>)],
    delivery: &hocvuso::entity::report_delivery::Model,
) -> Result<(), String> {
    let week = IsoWeek(delivery.week);
    let area = match delivery.province_code {
        None => "cả nước".to_string(),
        Some(code) => format!("tỉnh/thành phố {code}"),
    };
    let from: Mailbox = mail.from.parse().map_err(|e| format!("sender {}: {e}", mail.from))?;
    let mut builder = Message::builder().from(from).subject(format!("Báo cáo tuần {week} – {area}"));
    for to in &mail.to {
        builder = builder.to(to.parse().map_err(|e| format!("recipient {to}: {e}"))?);
    }
    let body = format!(
        "Báo cáo tuần {week} ({} – {}), {area}: tệp Excel (XLSX) và CSV đính kèm.\n\
         Weekly report {week}, attached as XLSX and CSV.\n",
        week.monday().format("%d/%m/%Y"),
        week.sunday().format("%d/%m/%Y"),
    );
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(body));
    for (file, bytes) in files {
        let content_type = if file.format == "xlsx" {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        } else {
            "text/csv; charset=utf-8"
        };
        let content_type = ContentType::parse(content_type).map_err(|e| e.to_string())?;
        parts = parts.singlepart(Attachment::new(file.file_name.clone()).body(bytes.clone(), content_type));
    }
    let message = builder.multipart(parts).map_err(|e| e.to_string())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&mail.smtp_url)
        .map_err(|e| format!("HOCVUSO_SMTP_URL: {e}"))?
        .timeout(Some(SMTP_TIMEOUT))
        .build();
    transport.send(message).await.map(drop).map_err(|e| e.to_string())
}
