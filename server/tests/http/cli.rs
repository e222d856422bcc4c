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
    assert_eq!(stdout(&made).trim(), "administrator quantri created (the whole country)");
    let again =
        hocvuso(&db, &["create-admin", "--username", "quantri"], &[("HOCVUSO_ADMIN_PASSWORD", "ruong-bac-thang-2026")]);
    assert_eq!(stderr(&again).trim(), "hocvuso: username: This username is already taken.");
    let password = [("HOCVUSO_ADMIN_PASSWORD", "ruong-bac-thang-2026")];
    let province = hocvuso(&db, &["create-admin", "--username", "quantri.laocai", "--province", "15"], &password);
    assert_eq!(stdout(&province).trim(), "administrator quantri.laocai created (province 15 only)");
    let unknown = hocvuso(&db, &["create-admin", "--username", "quantri.x", "--province", "99"], &password);
    assert_eq!(stderr(&unknown).trim(), "hocvuso: province: No such province.");
    let typo = hocvuso(&db, &["create-admin", "--username", "quantri.y", "--province", "Lào Cai"], &password);
    assert_eq!(stderr(&typo).trim(), "hocvuso: --province \"Lào Cai\" is not a province code such as 15");
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
fn platform_create_prints_key_and_secret_alone_on_the_last_line() {
    let db = fresh_database();
    let args = ["platform", "create", "--name", "MOOC Lào Cai", "--home-page", "https://mooc.laocai.edu.vn"];
    let output = hocvuso(&db, &args, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let (key, secret) = text.lines().last().unwrap().split_once(':').unwrap();
    assert!(key.starts_with("hvp_") && key.len() == 36, "{text}");
    assert!(secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit()), "{text}");
    let revoked = hocvuso(&db, &["platform", "revoke", key], &[]);
    assert_eq!(stdout(&revoked).trim(), format!("platform connection {key} revoked"));
    let bad = hocvuso(&db, &["platform", "create", "--name", "Moodle"], &[]);
    assert!(stderr(&bad).starts_with("hocvuso: platform create needs --name NAME --home-page URL"), "{}", stderr(&bad));
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
                "import sqlite3; c=sqlite3.connect('{path}'); c.execute(\"UPDATE stat_counter SET completed = completed - 1 WHERE unit_kind='province' AND course_id='' AND week=0 AND learner_group=''\"); c.commit()"
            ),
        ])
        .status()
        .unwrap();
    assert!(tamper.success());
    let dirty = hocvuso(&db, &["stats", "verify"], &[]);
    assert_eq!(dirty.status.code(), Some(1));
    let text = stdout(&dirty);
    assert!(text.contains("province 15 course=* week=0 group=*: stored enrolled=7678 completed=5834"), "{text}");
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
    let done = hocvuso(&db, &["report", "weekly", "--week", "2026-W20", "--province", "15", "--out", out], &[]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(stdout(&done).trim(), format!("weekly report 2026-W20 written to {out}"));
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(out).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Tổng hợp",
            "Xã, phường",
            "Chưa đạt chỉ tiêu",
            "Biến động lớn",
            "Đội hình tích cực",
            "Cần nhắc học",
            "Xác nhận tuần"
        ]
    );
    let communes = book.worksheet_range("Xã, phường").unwrap();
    assert_eq!(communes.height(), 100, "a header and 99 communes");
    // Without a province (and no HOCVUSO_PROVINCE): the country's report, its 34 provinces first.
    let country = hocvuso(&db, &["report", "weekly", "--week", "2026-W20", "--out", out], &[]);
    assert!(country.status.success(), "{}", stderr(&country));
    let mut book = open_workbook_auto(out).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Tổng hợp",
            "Tỉnh, thành phố",
            "Xã, phường",
            "Chưa đạt chỉ tiêu",
            "Biến động lớn",
            "Đội hình tích cực",
            "Cần nhắc học",
            "Xác nhận tuần"
        ]
    );
    assert_eq!(book.worksheet_range("Tỉnh, thành phố").unwrap().height(), 35, "a header and 34 provinces");
    assert_eq!(book.worksheet_range("Xã, phường").unwrap().height(), 3322, "a header and 3,321 communes");
    // Without a week: the last complete one.
    let last = hocvuso(&db, &["report", "weekly", "--province", "15", "--out", out], &[]);
    let week = hocvuso::week::IsoWeek::last_complete();
    assert_eq!(stdout(&last).trim(), format!("weekly report {week} written to {out}"));
    let wrong = hocvuso(&db, &["report", "weekly", "--week", "tuần 20", "--out", out], &[]);
    assert!(!wrong.status.success());
    assert_eq!(stderr(&wrong).trim(), "hocvuso: tuần 20 is not a week such as 2026-W48");
}

/// `hocvuso serve` in the background on a free port; returns the child and its address.
fn serve(database: &str) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_hocvuso"))
        .args(["serve"])
        .env("DATABASE_URL", database)
        // The weekly report it writes at start (the last week's, caught up) stays out of the checkout.
        .env("HOCVUSO_REPORTS_DIR", std::env::temp_dir().join(format!("hocvuso-reports-{port}")))
        .env("HOCVUSO_ADDR", &addr)
        .env("HOCVUSO_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (child, addr)
}

fn signal(child: &std::process::Child, name: &str) {
    assert!(Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap().success());
}

/// Every table's rows, sorted, as text: two databases hold the same data when these are equal.
fn dump(database: &str) -> String {
    let path = database.trim_start_matches("sqlite://").split('?').next().unwrap();
    let script = format!(
        "import sqlite3\nc=sqlite3.connect('{path}')\nfor (t,) in c.execute(\"SELECT name FROM sqlite_master WHERE type='table' ORDER BY name\"):\n    rows=sorted(repr(r) for r in c.execute(f'SELECT * FROM \"{{t}}\"'))\n    print(t, len(rows), hash(tuple(rows)))"
    );
    let output = Command::new("python3").args(["-c", &script]).env("PYTHONHASHSEED", "0").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_zero() {
    use std::io::{Read, Write};
    let db = fresh_database();
    let (mut child, addr) = serve(&db);
    // A sign-in whose body is still on its way when SIGTERM arrives.
    let body = r#"{"username":"nobody","password":"sai-roi-nhe-1"}"#;
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(stream, "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", body.len(), &body[..10]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    signal(&child, "TERM");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(std::net::TcpStream::connect(&addr).is_err(), "no new connections after SIGTERM");
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "the request in flight was answered: {answer}");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_backup_taken_while_serving_restores_to_identical_data() {
    let db = fresh_database();
    assert!(hocvuso(&db, &["seed-demo"], &[]).status.success());
    let (mut child, addr) = serve(&db);
    let out = std::env::temp_dir().join(format!("hocvuso-backup-{}.db", uuid::Uuid::new_v4().simple()));
    let out = out.to_str().unwrap();
    let backup = hocvuso(&db, &["backup", "--out", out], &[]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert_eq!(stdout(&backup).trim(), format!("backup written to {out}"));
    assert!(std::net::TcpStream::connect(&addr).is_ok(), "the app kept serving");
    signal(&child, "TERM");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let again = hocvuso(&db, &["backup", "--out", out], &[]);
    assert_eq!(
        stderr(&again).trim(),
        format!("hocvuso: backup failed: Custom Error: {out} exists already; choose a new file")
    );

    let restored = fresh_database();
    let done = hocvuso(&restored, &["restore", out], &[]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(dump(&restored), dump(&db));
    assert!(hocvuso(&restored, &["stats", "verify"], &[]).status.success());
    let not_a_backup = std::env::temp_dir().join("hocvuso-not-a-backup.txt");
    std::fs::write(&not_a_backup, "hello").unwrap();
    let refused = hocvuso(&fresh_database(), &["restore", not_a_backup.to_str().unwrap()], &[]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("restore failed"), "{}", stderr(&refused));
}

/// `hocvuso import learners FILE` started in the background, to be killed part-way.
fn spawn_import(database: &str, file: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_hocvuso"))
        .args(["import", "learners", file.to_str().unwrap(), "--consent-version", "2026-11"])
        .env("DATABASE_URL", database)
        .env("HOCVUSO_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// 60,000 new learners in Xã Khao Mang: an import long enough to be killed while it writes.
fn big_learner_file() -> std::path::PathBuf {
    let file = std::env::temp_dir().join(format!("hocvuso-big-{}.csv", uuid::Uuid::new_v4().simple()));
    let mut csv = String::from("full_name,birth_date,gender,phone,commune\n");
    for i in 0..60_000u32 {
        let letters: String = i.to_string().chars().map(|d| (b'a' + d.to_digit(10).unwrap() as u8) as char).collect();
        csv.push_str(&format!("Học Viên {letters},05/03/1990,nu,09{:08},4465\n", 10_000_000 + i));
    }
    std::fs::write(&file, csv).unwrap();
    file
}

#[test]
fn an_import_killed_part_way_leaves_the_database_as_it_was() {
    let db = fresh_database();
    assert!(hocvuso(&db, &["seed-demo"], &[]).status.success());
    let before = dump(&db);
    let file = big_learner_file();
    let path = db.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
    let wal = format!("{path}-wal");
    let wal_before = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let mut child = spawn_import(&db, &file);
    // Kill it once its transaction has written a few megabytes, i.e. part-way through the rows.
    let started = std::time::Instant::now();
    loop {
        let grown = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > wal_before + 4 * 1024 * 1024;
        if grown {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed");
        assert!(started.elapsed() < std::time::Duration::from_secs(120));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    signal(&child, "KILL");
    child.wait().unwrap();
    // The next start is clean and the data is exactly as before: no partial rows, counters intact.
    assert!(hocvuso(&db, &["migrate"], &[]).status.success());
    assert_eq!(dump(&db), before);
    assert!(hocvuso(&db, &["stats", "verify"], &[]).status.success());
}

/// The same on PostgreSQL: the import is killed while its INSERTs run; the server rolls the
/// transaction back when the connection drops.
#[test]
fn an_import_killed_part_way_leaves_postgres_as_it_was() {
    let Some(base) = std::env::var("HOCVUSO_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else { return };
    let name = format!("hocvuso_test_{}", uuid::Uuid::new_v4().simple());
    let psql = |db: &str, sql: &str| -> String {
        let url = hocvuso::db::testing::with_database(&base, db);
        let output = Command::new("psql").args([url.as_str(), "-tAc", sql]).output().expect("psql runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    };
    psql("postgres", &format!("CREATE DATABASE {name}"));
    let db = hocvuso::db::testing::with_database(&base, &name);
    assert!(hocvuso(&db, &["seed-demo"], &[]).status.success());
    let count = || {
        psql(
            &name,
            "SELECT (SELECT COUNT(*) FROM learner) || '/' || (SELECT SUM(enrolled + completed + learners) FROM stat_counter)",
        )
    };
    let before = count();

    let file = big_learner_file();
    let mut child = spawn_import(&db, &file);
    let writing = format!(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{name}' AND query LIKE 'INSERT INTO \"learner\"%'"
    );
    let started = std::time::Instant::now();
    while psql("postgres", &writing) == "0" {
        assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed");
        assert!(started.elapsed() < std::time::Duration::from_secs(120));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    signal(&child, "KILL");
    child.wait().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(hocvuso(&db, &["migrate"], &[]).status.success());
    assert_eq!(count(), before, "no partial rows, counters intact");
    assert!(hocvuso(&db, &["stats", "verify"], &[]).status.success());
}

#[test]
fn platform_accounts_and_a_moodle_report_import_from_the_command_line() {
    let db = fresh_database();
    let home = "https://moodle.example.edu.vn";
    let made = hocvuso(&db, &["platform", "create", "--name", "Moodle tỉnh", "--home-page", home], &[]);
    assert!(made.status.success(), "{}", stderr(&made));
    let code = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let conn = hocvuso::db::connect(&db).await.unwrap();
        let course = hocvuso::model::CourseForm {
            code: "MOODLE-7".into(),
            title: "Kỹ năng số".into(),
            platform: "moodle".into(),
            hours: "8".into(),
            url: Some(format!("{home}/course/view.php?id=7")),
            ..Default::default()
        };
        hocvuso::service::enrolments::courses::create(&conn, &crate::admin_actor(), &course).await.unwrap();
        crate::register_learner(&conn).await
    });
    let file = |name: &str, text: &str| {
        let path = std::env::temp_dir().join(format!("hocvuso-{name}-{}.csv", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let accounts = file("accounts", &format!("account,learner_code\nPao.Lo@example.com,{code}\n"));
    let linked = hocvuso(&db, &["import", "platform-accounts", &accounts], &[]);
    assert!(linked.status.success(), "{}", stderr(&linked));
    assert_eq!(stdout(&linked).trim(), "linked 1, unchanged 0");

    let report = file(
        "moodle",
        "ID,Name,Email address,Course complete\n2,Lò Văn Pao,pao.lo@example.com,\"20/11/26, 14:10\"\n3,Giàng A Dính,dinh@example.com,\"21/11/26, 09:00\"\n",
    );
    let args =
        ["import", "completions", &report, "--format", "moodle", "--platform", "Moodle tỉnh", "--course", "MOODLE-7"];
    let dry = hocvuso(&db, &[&args[..], &["--dry-run"]].concat(), &[]);
    assert_eq!(
        stdout(&dry).trim(),
        "rows 2: completions 1, progress 0, waiting for a link 1, skipped 0, unchanged 0 (dry run: nothing written)"
    );
    let done = hocvuso(&db, &args, &[]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(stdout(&done).trim(), "rows 2: completions 1, progress 0, waiting for a link 1, skipped 0, unchanged 0");
    let again = hocvuso(&db, &args, &[]);
    assert_eq!(
        stdout(&again).trim(),
        "rows 2: completions 0, progress 0, waiting for a link 0, skipped 0, unchanged 2"
    );
    assert!(hocvuso(&db, &["stats", "verify"], &[]).status.success());

    let half = hocvuso(&db, &["import", "completions", &report, "--format", "moodle", "--course", "MOODLE-7"], &[]);
    assert!(
        stderr(&half).contains("import completions --format needs --platform URL and --course CODE"),
        "{}",
        stderr(&half)
    );
    let wrong = hocvuso(
        &db,
        &["import", "completions", &report, "--format", "canvas", "--platform", home, "--course", "X"],
        &[],
    );
    assert_eq!(stderr(&wrong).trim(), "hocvuso: format: The report format is openedx or moodle.");
}
