//! The weekly report that arrives by itself: written each Monday 07:00 (Vietnam) exactly once per
//! week, whatever the restarts, caught up after a missed Monday; e-mailed with its files attached
//! through a local SMTP server, a refused delivery retried; listed on `/reports` and downloaded by
//! recorded name only.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use hocvuso::model::{Area, DeliveryState};
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use hocvuso::service::statistics::{report, scheduled};
use hocvuso::week::IsoWeek;
use hocvuso_server::scheduler::{Clock, Mail, ReportScheduler, Tick};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::access::session_cookie;
use crate::{add_course, admin_actor, register_learner, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";
/// The week the tests report on; its report is due on the Monday after, 07:00 in Vietnam.
const WEEK: IsoWeek = IsoWeek(203002);

fn release(week: IsoWeek) -> DateTime<Utc> {
    week.end() + Duration::hours(7)
}

/// A clock the test sets.
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    fn at(now: DateTime<Utc>) -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(now)))
    }

    fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap() = now;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn reports_dir() -> PathBuf {
    std::env::temp_dir().join(format!("hocvuso-reports-{}", uuid::Uuid::new_v4().simple()))
}

fn scheduler(db: &DatabaseConnection, dir: &Path, mail: Option<Mail>, clock: &Arc<TestClock>) -> ReportScheduler {
    ReportScheduler::with_settings(db.clone(), dir.to_path_buf(), Area::Province(15), mail, clock.clone())
}

/// The file names in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn names(week: IsoWeek) -> Vec<String> {
    let mut names: Vec<String> =
        [None, Some(15)].into_iter().flat_map(|p| ["xlsx", "csv"].map(|f| scheduled::file_name(week, p, f))).collect();
    names.sort();
    names
}

/// A learner of Khao Mang (Lào Cai) enrolled in KNS-01 at 20%.
async fn campaign(db: &DatabaseConnection) {
    add_course(db, None).await;
    let code = register_learner(db).await;
    hocvuso::service::enrolments::progress::set_progress(db, &admin_actor(), &code, "KNS-01", 20).await.unwrap();
}

async fn the_scheduler_writes_each_week_once_and_catches_up_a_missed_monday(db: DatabaseConnection) {
    campaign(&db).await;
    let dir = reports_dir();
    let clock = TestClock::at(release(WEEK) - Duration::seconds(1));
    let first = scheduler(&db, &dir, None, &clock);
    // Started on Monday 06:59:59: the week before is the one due, written at once (caught up).
    assert_eq!(first.tick().await.unwrap().written, Some(WEEK.previous()));
    assert_eq!(first.tick().await.unwrap(), Tick::default(), "written once");
    assert_eq!(files_in(&dir), names(WEEK.previous()));

    // Monday 07:00:01: the week just ended, once.
    clock.set(release(WEEK) + Duration::seconds(1));
    assert_eq!(first.tick().await.unwrap().written, Some(WEEK));
    assert_eq!(first.tick().await.unwrap().written, None);
    let mut both = [names(WEEK.previous()), names(WEEK)].concat();
    both.sort();
    assert_eq!(files_in(&dir), both);
    let written_at = std::fs::metadata(dir.join(scheduled::file_name(WEEK, None, "xlsx"))).unwrap().modified().unwrap();

    // A restart (a second scheduler on the same database) later that day: nothing written again.
    clock.set(release(WEEK) + Duration::hours(3));
    let restarted = scheduler(&db, &dir, None, &clock);
    assert_eq!(restarted.tick().await.unwrap().written, None);
    assert_eq!(first.tick().await.unwrap().written, None);
    assert_eq!(files_in(&dir), both);
    let again = std::fs::metadata(dir.join(scheduled::file_name(WEEK, None, "xlsx"))).unwrap().modified().unwrap();
    assert_eq!(again, written_at, "the file was not rewritten");
    assert_eq!(hocvuso::entity::report_run::Entity::find().count(&db).await.unwrap(), 2);
    assert_eq!(hocvuso::entity::report_file::Entity::find().count(&db).await.unwrap(), 8);

    // Down all the next Monday, started on Wednesday: that week is written then.
    clock.set(release(WEEK.next()) + Duration::days(2));
    let after_downtime = scheduler(&db, &dir, None, &clock);
    assert_eq!(after_downtime.tick().await.unwrap().written, Some(WEEK.next()));
    assert_eq!(restarted.tick().await.unwrap().written, None);
    assert_eq!(files_in(&dir).len(), 12);

    // Down for three Mondays: when it starts, the weeks missed are written too, oldest first.
    let much_later = WEEK.next().next().next().next();
    clock.set(release(much_later) + Duration::hours(1));
    let back = scheduler(&db, &dir, None, &clock);
    let tick = back.tick().await.unwrap();
    assert_eq!(tick.written, Some(much_later));
    assert_eq!(tick.caught_up, vec![WEEK.next().next(), WEEK.next().next().next()]);
    assert_eq!(back.tick().await.unwrap(), Tick::default(), "each once");
    assert_eq!(files_in(&dir).len(), 24);

    // The files are the report of their week: the CSV byte for byte, the workbook's figures.
    let lang = hocvuso::i18n::Lang::Vi;
    let province = report::weekly(&db, &admin_actor(), Area::Country, Some("15"), None, WEEK).await.unwrap();
    let csv = std::fs::read(dir.join(scheduled::file_name(WEEK, Some(15), "csv"))).unwrap();
    assert_eq!(csv, report::csv(&province, lang));
    assert!(String::from_utf8(csv).unwrap().lines().any(|l| l.starts_with("4465,")), "Khao Mang's row");
    use calamine::{Data, Reader, Xlsx};
    let bytes = std::fs::read(dir.join(scheduled::file_name(WEEK, None, "xlsx"))).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    assert_eq!(summary.get((1, 1)), Some(&Data::String(WEEK.to_string())));
    assert_eq!(summary.get((4, 1)), Some(&Data::Float(1.0)), "one enrolment in the country");
    let provinces = book.worksheet_range("Tỉnh, thành phố").unwrap();
    let lao_cai = provinces.rows().find(|r| r[0] == Data::String("15".into())).expect("Lào Cai's row");
    assert_eq!(lao_cai[4], Data::Float(1.0), "its enrolment");
}

on_both_databases!(scheduled_report_once_a_week, the_scheduler_writes_each_week_once_and_catches_up_a_missed_monday);

/// A minimal SMTP server: records each message (envelope and data); answers 550 to MAIL FROM while `refuse`.
struct SmtpServer {
    addr: SocketAddr,
    messages: Arc<Mutex<Vec<String>>>,
    refuse: Arc<AtomicBool>,
}

async fn smtp_server() -> SmtpServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let refuse = Arc::new(AtomicBool::new(false));
    let (kept, refusing) = (messages.clone(), refuse.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (kept, refusing) = (kept.clone(), refusing.clone());
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let answer: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                        b"250-test.local\r\n250 8BITMIME\r\n"
                    } else if command.starts_with("MAIL FROM") {
                        if refusing.load(Ordering::SeqCst) {
                            b"550 5.7.1 relaying refused\r\n"
                        } else {
                            message = format!("{line}\r\n");
                            b"250 OK\r\n"
                        }
                    } else if command.starts_with("RCPT TO") {
                        message.push_str(&format!("{line}\r\n"));
                        b"250 OK\r\n"
                    } else if command == "DATA" {
                        write.write_all(b"354 end with .\r\n").await.unwrap();
                        while let Ok(Some(data)) = lines.next_line().await {
                            if data == "." {
                                break;
                            }
                            message.push_str(&data);
                            message.push_str("\r\n");
                        }
                        kept.lock().unwrap().push(std::mem::take(&mut message));
                        b"250 OK queued\r\n"
                    } else if command == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else if command == "RSET" || command == "NOOP" {
                        b"250 OK\r\n"
                    } else {
                        b"502 not implemented\r\n"
                    };
                    if write.write_all(answer).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    SmtpServer { addr, messages, refuse }
}

/// The file names of a message's attachments, read from their Content-Disposition headers (folded,
/// and with the name split in RFC 2231 continuations `filename*0=…` as lettre writes long ones).
fn attachments(message: &str) -> Vec<String> {
    let unfolded = message.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded
        .lines()
        .filter_map(|line| line.strip_prefix("Content-Disposition: attachment;"))
        .map(|params| {
            let mut parts: Vec<(u32, String)> = params
                .split(';')
                .filter_map(|p| {
                    let (key, value) = p.trim().split_once('=')?;
                    let index = match key {
                        "filename" => 0,
                        _ => key.strip_prefix("filename*")?.parse().ok()?,
                    };
                    Some((index, value.trim_matches('"').to_string()))
                })
                .collect();
            parts.sort();
            parts.into_iter().map(|(_, part)| part).collect()
        })
        .collect()
}

fn mail(smtp: SocketAddr) -> Mail {
    Mail {
        smtp_url: format!("smtp://{smtp}"),
        from: "hocvuso@laocai.gov.vn".into(),
        to: vec!["bcd@laocai.gov.vn".into(), "vanphong@laocai.gov.vn".into()],
    }
}

async fn the_report_is_emailed_with_its_files_attached(db: DatabaseConnection) {
    campaign(&db).await;
    let smtp = smtp_server().await;
    let dir = reports_dir();
    let clock = TestClock::at(release(WEEK) + Duration::seconds(1));
    let scheduler = scheduler(&db, &dir, Some(mail(smtp.addr)), &clock);
    assert_eq!(scheduler.tick().await.unwrap(), Tick { written: Some(WEEK), sent: 1, failed: 0, ..Tick::default() });
    assert_eq!(scheduler.tick().await.unwrap(), Tick::default(), "sent once");
    let messages = smtp.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.starts_with("MAIL FROM:<hocvuso@laocai.gov.vn>"), "{message}");
    assert!(message.contains("RCPT TO:<bcd@laocai.gov.vn>") && message.contains("RCPT TO:<vanphong@laocai.gov.vn>"));
    assert!(message.contains("Subject: =?utf-8?") || message.contains("Subject: B"), "a subject: {message}");
    for (name, content_type) in [
        (
            scheduled::file_name(WEEK, Some(15), "xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (scheduled::file_name(WEEK, Some(15), "csv"), "text/csv"),
    ] {
        assert!(attachments(message).contains(&name), "{name} attached: {message}");
        assert!(message.contains(&format!("Content-Type: {content_type}")), "{content_type}");
    }
    assert!(!message.contains("ca-nuoc"), "the deployment's province's report only");
    let listed = scheduled::list(&db, &admin_actor()).await.unwrap();
    assert_eq!(listed.deliveries.len(), 1);
    let delivery = &listed.deliveries[0];
    assert_eq!((delivery.state, delivery.attempts, delivery.area), (DeliveryState::Sent, 1, Area::Province(15)));
    assert_eq!(delivery.sent_at, Some(release(WEEK) + Duration::seconds(1)));
}

on_both_databases!(scheduled_report_emailed, the_report_is_emailed_with_its_files_attached);

async fn a_refused_delivery_is_recorded_and_retried_until_it_is_sent(db: DatabaseConnection) {
    campaign(&db).await;
    let dir = reports_dir();
    let start = release(WEEK) + Duration::seconds(1);
    let clock = TestClock::at(start);
    // Nothing listens on this port.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let unreachable = scheduler(&db, &dir, Some(mail(closed)), &clock);
    assert_eq!(unreachable.tick().await.unwrap(), Tick { written: Some(WEEK), sent: 0, failed: 1, ..Tick::default() });
    let delivery = scheduled::list(&db, &admin_actor()).await.unwrap().deliveries.remove(0);
    assert_eq!((delivery.state, delivery.attempts), (DeliveryState::Retrying, 1));
    assert!(delivery.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    assert_eq!(delivery.next_attempt_at, Some(start + Duration::minutes(1)));

    // Shown on /reports: failed, the error, the next attempt.
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let page = |cookie: String| {
        let request = app.client.get(format!("{}/reports", app.address)).header("cookie", cookie);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let html = page(cookie.clone()).await;
    assert!(html.contains(r#"data-delivery-state="retrying""#) && html.contains("Gửi lỗi, sẽ thử lại"), "{html}");
    assert!(html.contains(&hocvuso::week::local_date_time(start + Duration::minutes(1))), "the next attempt");

    // The server restarts with a mail server that refuses: nothing before the retry is due, then a 5xx.
    let smtp = smtp_server().await;
    smtp.refuse.store(true, Ordering::SeqCst);
    let restarted = scheduler(&db, &dir, Some(mail(smtp.addr)), &clock);
    clock.set(start + Duration::seconds(30));
    assert_eq!(restarted.tick().await.unwrap(), Tick::default(), "not due yet");
    let second = start + Duration::seconds(61);
    clock.set(second);
    assert_eq!(restarted.tick().await.unwrap(), Tick { written: None, sent: 0, failed: 1, ..Tick::default() });
    let delivery = scheduled::list(&db, &admin_actor()).await.unwrap().deliveries.remove(0);
    assert_eq!((delivery.state, delivery.attempts), (DeliveryState::Retrying, 2));
    assert!(delivery.last_error.as_deref().is_some_and(|e| e.contains("relaying refused")), "{delivery:?}");
    assert_eq!(delivery.next_attempt_at, Some(second + Duration::minutes(5)));
    assert!(smtp.messages.lock().unwrap().is_empty());

    // The mail server accepts again: sent at the next attempt, and only once.
    smtp.refuse.store(false, Ordering::SeqCst);
    clock.set(second + Duration::minutes(5));
    assert_eq!(restarted.tick().await.unwrap(), Tick { written: None, sent: 1, failed: 0, ..Tick::default() });
    assert_eq!(restarted.tick().await.unwrap(), Tick::default());
    assert_eq!(smtp.messages.lock().unwrap().len(), 1);
    let delivery = scheduled::list(&db, &admin_actor()).await.unwrap().deliveries.remove(0);
    assert_eq!((delivery.state, delivery.attempts, delivery.next_attempt_at), (DeliveryState::Sent, 3, None));
    let html = page(cookie).await;
    assert!(html.contains(r#"data-delivery-state="sent""#) && html.contains("Đã gửi"), "{html}");
}

on_both_databases!(scheduled_report_retried, a_refused_delivery_is_recorded_and_retried_until_it_is_sent);

async fn an_email_that_keeps_failing_is_given_up_after_the_last_attempt_and_stays_listed(db: DatabaseConnection) {
    campaign(&db).await;
    let dir = reports_dir();
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let mut now = release(WEEK) + Duration::seconds(1);
    let clock = TestClock::at(now);
    let scheduler = scheduler(&db, &dir, Some(mail(closed)), &clock);
    let delays = scheduled::RETRY_DELAYS_MINUTES;
    for (attempt, delay) in delays.iter().enumerate() {
        assert_eq!(scheduler.tick().await.unwrap().failed, 1, "attempt {}", attempt + 1);
        let delivery = scheduled::list(&db, &admin_actor()).await.unwrap().deliveries.remove(0);
        assert_eq!(delivery.next_attempt_at, Some(now + Duration::minutes(*delay)));
        now += Duration::minutes(*delay);
        clock.set(now);
    }
    assert_eq!(scheduler.tick().await.unwrap().failed, 1, "the last attempt");
    let delivery = scheduled::list(&db, &admin_actor()).await.unwrap().deliveries.remove(0);
    assert_eq!((delivery.state, delivery.attempts, delivery.next_attempt_at), (DeliveryState::Failed, 8, None));
    clock.set(now + Duration::days(1));
    assert_eq!(scheduler.tick().await.unwrap(), Tick::default(), "no attempt after giving up");
}

on_both_databases!(
    scheduled_report_given_up,
    an_email_that_keeps_failing_is_given_up_after_the_last_attempt_and_stays_listed
);

async fn reports_are_listed_for_admins_and_downloaded_by_recorded_name_only(db: DatabaseConnection) {
    campaign(&db).await;
    let dir = reports_dir();
    let clock = TestClock::at(release(WEEK) + Duration::seconds(1));
    scheduler(&db, &dir, None, &clock).tick().await.unwrap();
    // A file in the directory the scheduler did not record.
    std::fs::write(dir.join("stray.csv"), "secret").unwrap();
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    accounts::create_admin(&db, "quantri.laocai", "Quản trị Lào Cai", PASSWORD, Some(15)).await.unwrap();
    let scope = hocvuso::auth::Scope { communes: [4465].into_iter().collect(), organisations: Default::default() };
    accounts::create_organiser(&db, &admin_actor(), "trong", "Trong", PASSWORD, &scope).await.unwrap();
    let app = spawn_app(db.clone()).await;
    let country = session_cookie(&app, "quantri", PASSWORD).await;
    let lao_cai = session_cookie(&app, "quantri.laocai", PASSWORD).await;
    let organiser = session_cookie(&app, "trong", PASSWORD).await;
    let get = |path: String, cookie: Option<&str>| {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };

    let html = get("/reports".into(), Some(&country)).await.unwrap().text().await.unwrap();
    for name in names(WEEK) {
        assert!(html.contains(&format!(r#"href="/api/v1/reports/files/{name}""#)), "{name} listed: {html}");
    }
    let html = get("/reports".into(), Some(&lao_cai)).await.unwrap().text().await.unwrap();
    assert!(html.contains(&scheduled::file_name(WEEK, Some(15), "xlsx")));
    assert!(!html.contains("ca-nuoc"), "a province admin sees their province's files only");
    assert_eq!(get("/reports".into(), Some(&organiser)).await.unwrap().status(), 403);

    let xlsx = scheduled::file_name(WEEK, Some(15), "xlsx");
    let response = get(format!("/api/v1/reports/files/{xlsx}"), Some(&lao_cai)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-disposition"], format!("attachment; filename=\"{xlsx}\""));
    assert_eq!(response.bytes().await.unwrap().to_vec(), std::fs::read(dir.join(&xlsx)).unwrap());
    let country_csv = scheduled::file_name(WEEK, None, "csv");
    let response = get(format!("/api/v1/reports/files/{country_csv}"), Some(&country)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    for (path, cookie, status) in [
        (format!("/api/v1/reports/files/{country_csv}"), Some(&lao_cai), 404),
        (format!("/api/v1/reports/files/{xlsx}"), Some(&organiser), 403),
        (format!("/api/v1/reports/files/{xlsx}"), None, 401),
        ("/api/v1/reports/files/stray.csv".into(), Some(&country), 404),
        ("/api/v1/reports/files/..%2F..%2F..%2Fetc%2Fpasswd".into(), Some(&country), 404),
        (
            format!("/api/v1/reports/files/..%2F{}%2F{xlsx}", dir.file_name().unwrap().to_string_lossy()),
            Some(&country),
            404,
        ),
    ] {
        let response = get(path.clone(), cookie.map(String::as_str)).await.unwrap();
        assert_eq!(response.status(), status, "{path}");
    }
    let listed = get("/api/v1/reports/files".into(), Some(&lao_cai)).await.unwrap();
    let listed: serde_json::Value = listed.json().await.unwrap();
    let files: Vec<&str> =
        listed["files"].as_array().unwrap().iter().map(|f| f["file_name"].as_str().unwrap()).collect();
    assert_eq!(files, vec![xlsx.as_str(), scheduled::file_name(WEEK, Some(15), "csv").as_str()]);
}

on_both_databases!(scheduled_report_downloads, reports_are_listed_for_admins_and_downloaded_by_recorded_name_only);

async fn the_weekly_report_opens_on_the_last_complete_week(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let last = IsoWeek::last_complete();
    assert_eq!(last, IsoWeek::current().previous());
    let response = app.client.get(format!("{}/api/v1/reports/weekly", app.address)).header("cookie", &cookie);
    let report: serde_json::Value = response.send().await.unwrap().json().await.unwrap();
    assert_eq!(report["week"], serde_json::json!(last.0));
    let page = app.client.get(format!("{}/reports/weekly", app.address)).header("cookie", &cookie);
    let html = page.send().await.unwrap().text().await.unwrap();
    let start = html.find("<h1>").expect("a heading");
    let heading = html[start..start + html[start..].find("</h1>").unwrap()].replace("<!>", "");
    assert_eq!(heading, format!("<h1>Báo cáo tuần · {last}"));
}

on_both_databases!(weekly_report_last_complete_week, the_weekly_report_opens_on_the_last_complete_week);
