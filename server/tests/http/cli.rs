//! The `hocvuso` binary as an operator uses it (SQLite files in the temporary folder).
use std::process::{Command, Output};

fn hocvuso(database: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hocvuso"));
    command.args(args).env("DATABASE_URL", database).env("HOCVUSO_LOG", "warn").env_remove("HOCVUSO_ADMIN_PASSWORD");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn fresh_database() -> String {
    let path = std::env::temp_dir().join(format!("hocvuso-cli-{}.db", uuid::Uuid::new_v4().simple()));
    format!("sqlite://{}?mode=rwc", path.display())
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn create_admin_takes_the_password_from_the_environment_and_checks_it() {
    let db = fresh_database();
    let weak = hocvuso(&db, &["create-admin", "--username", "quantri"], &[("HOCVUSO_ADMIN_PASSWORD", "matkhau123")]);
    assert!(!weak.status.success());
    assert_eq!(
        stderr(&weak).trim(),
        "hocvuso: password: This password is too common and easy to guess. Choose another."
    );
    let made =
        hocvuso(&db, &["create-admin", "--username", "quantri"], &[("HOCVUSO_ADMIN_PASSWORD", "ruong-bac-thang-2026")]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert_eq!(stdout(&made).trim(), "administrator quantri created");
    let again =
        hocvuso(&db, &["create-admin", "--username", "quantri"], &[("HOCVUSO_ADMIN_PASSWORD", "ruong-bac-thang-2026")]);
    assert_eq!(stderr(&again).trim(), "hocvuso: username: This username is already taken.");
}

#[test]
fn token_create_prints_the_token_alone_on_the_last_line() {
    let db = fresh_database();
    let output = hocvuso(&db, &["token", "create", "--name", "Moodle tỉnh", "--scope", "ingest"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("hvs_") && last.len() == 68 && last[4..].chars().all(|c| c.is_ascii_hexdigit()), "{text}");
    let bad = hocvuso(&db, &["token", "create", "--name", "x y", "--scope", "admin"], &[]);
    assert_eq!(stderr(&bad).trim(), "hocvuso: token create needs --scope ingest or --scope read-stats");
}

#[test]
fn stats_verify_exits_non_zero_listing_differences() {
    let db = fresh_database();
    assert!(hocvuso(&db, &["seed-demo"], &[]).status.success());
    let clean = hocvuso(&db, &["stats", "verify"], &[]);
    assert!(clean.status.success());
    assert_eq!(stdout(&clean).trim(), "counters agree with the raw rows");

    let path = db.trim_start_matches("sqlite://").trim_end_matches("?mode=rwc");
    let tamper = Command::new("python3")
        .args([
            "-c",
            &format!(
                "import sqlite3; c=sqlite3.connect('{path}'); c.execute(\"UPDATE stat_counter SET completed = completed - 1 WHERE unit_kind='province' AND course_id='' AND week=0\"); c.commit()"
            ),
        ])
        .status()
        .unwrap();
    assert!(tamper.success());
    let dirty = hocvuso(&db, &["stats", "verify"], &[]);
    assert_eq!(dirty.status.code(), Some(1));
    let text = stdout(&dirty);
    assert!(text.contains("province 15 course=* week=0: stored enrolled=7678 completed=5834"), "{text}");
    assert!(text.trim_end().ends_with("1 counters differ; `hocvuso stats rebuild` rewrites them"));
    assert!(hocvuso(&db, &["stats", "rebuild"], &[]).status.success());
    assert!(hocvuso(&db, &["stats", "verify"], &[]).status.success());
}

#[test]
fn bad_configuration_stops_with_one_clear_line() {
    let output = hocvuso("mysql://nope", &["migrate"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).trim(), "hocvuso: DATABASE_URL must start with sqlite: or postgres://");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let output = hocvuso(&fresh_database(), &["serve"], &[("HOCVUSO_ADDR", &addr)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert_eq!(message.lines().filter(|l| l.starts_with("hocvuso:")).count(), 1, "{message}");
    assert!(message.contains(&format!("hocvuso: cannot listen on {addr}:")), "{message}");
    assert!(!message.contains("panicked"));
}

#[test]
fn the_weekly_report_is_written_as_a_workbook() {
    let db = fresh_database();
    assert!(hocvuso(&db, &["seed-demo"], &[]).status.success());
    let out = std::env::temp_dir().join(format!("bao-cao-{}.xlsx", uuid::Uuid::new_v4().simple()));
    let out = out.to_str().unwrap();
    let done = hocvuso(&db, &["report", "weekly", "--week", "2026-W20", "--out", out], &[]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(stdout(&done).trim(), format!("weekly report 2026-W20 written to {out}"));
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(out).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Tổng hợp", "Xã, phường", "Chưa đạt chỉ tiêu", "Biến động lớn", "Đội hình tích cực"]
    );
    let communes = book.worksheet_range("Xã, phường").unwrap();
    assert_eq!(communes.height(), 100, "a header and 99 communes");
    let wrong = hocvuso(&db, &["report", "weekly", "--week", "tuần 20", "--out", out], &[]);
    assert!(!wrong.status.success());
    assert_eq!(stderr(&wrong).trim(), "hocvuso: tuần 20 is not a week such as 2026-W48");
}
