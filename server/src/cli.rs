//! The command line: `hocvuso [serve|migrate|seed-demo|stats verify|stats rebuild]`.
use std::process::ExitCode;

use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

use crate::config::Config;

const USAGE: &str = "\
usage: hocvuso <command>

commands:
  serve                 migrate the database and serve the app (the default)
  migrate               apply pending migrations
  seed-demo [--if-empty]  load the demo campaign (Lào Cai, 7,678 enrolments) into an empty database
  stats verify          recompute every counter from the raw rows; exit 1 listing any difference
  stats rebuild         rewrite every counter from the raw rows
  create-admin --username NAME [--name \"Full Name\"] [--province CODE]
                        create an administrator of the country, or with --province of that
                        province only; the password comes from HOCVUSO_ADMIN_PASSWORD or is asked
                        for at the terminal (never an argument)
  import learners FILE [--dry-run] [--consent-version VERSION]
                        import learners from CSV or XLSX; nothing is written if any row is bad
  import completions FILE [--dry-run] [--format openedx|moodle --platform URL --course CODE]
                        import completions exported from a MOOC platform (CSV or XLSX); with
                        --format, the platform's own report (Open edX grade report, Moodle course
                        completion report) for one course, kept as the platform's xAPI statements
  import population FILE
                        set population figures (columns unit_kind, unit, group, year, population;
                        group a code or all) for coverage; nothing is written if any row is bad
  import platform-accounts FILE [--dry-run]
                        link learners to their accounts on MOOC platforms (columns platform,
                        account, and learner_code or phone + birth_date)
  backup --out FILE     copy the SQLite database to FILE while the app keeps serving
  restore FILE          replace the SQLite database with a backup (stop the server first)
  bench [--size small|province|country] [--out FILE.json] [--only dashboard,imports,lrs,http,verify]
        [--keep DATABASE]
                        generate a synthetic campaign and measure it (the `make bench` build only;
                        see README, Performance)
  openapi               print the REST API's OpenAPI document (also at /api/v1/openapi.json)
  report weekly [--week 2026-W48] [--province CODE|all] --out FILE.xlsx|FILE.csv
                        write the weekly report (the last complete week unless given) of the province,
                        or of the country (HOCVUSO_PROVINCE's unless given)
  token create --name NAME --scope ingest|read-stats
                        create an API token for another system; printed once, on the last line
  platform create --name NAME --home-page URL[,URL…]
                        connect a MOOC platform to the LRS (/xapi); KEY:SECRET printed once, on the last line
  platform revoke KEY   end a platform connection

environment: DATABASE_URL, HOCVUSO_ADDR, HOCVUSO_LOG, HOCVUSO_PROVINCE, HOCVUSO_REPORTS_DIR,
HOCVUSO_SMTP_URL, HOCVUSO_REPORT_TO (see README.md)";

/// The value after `--name` in `rest`, and whether every word was understood.
fn options<'a>(rest: &[&'a str], known: &[&str]) -> Result<std::collections::HashMap<String, &'a str>, String> {
    let mut values = std::collections::HashMap::new();
    let mut words = rest.iter();
    while let Some(word) = words.next() {
        if !known.contains(word) {
            return Err(format!("unknown option {word}\n\n{USAGE}"));
        }
        let value = words.next().ok_or_else(|| format!("{word} needs a value"))?;
        values.insert(word.to_string(), *value);
    }
    Ok(values)
}

fn admin_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("HOCVUSO_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| format!("cannot read the password: {e}"))?;
    let again = rpassword::prompt_password("Password again: ").map_err(|e| format!("cannot read the password: {e}"))?;
    if first != again {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}

/// The operator at the console acts with an administrator's rights, recorded as "cli".
fn operator() -> hocvuso::auth::Actor {
    hocvuso::auth::Actor::Account(hocvuso::auth::AccountActor {
        id: uuid::Uuid::nil(),
        username: "cli".into(),
        display_name: "Console".into(),
        role: hocvuso::auth::Role::Admin,
        province: None,
        scope: Default::default(),
    })
}

fn demo_logins() -> String {
    use hocvuso::service::demo::{DEMO_ADMIN, DEMO_ORGANISER, DEMO_PASSWORD, DEMO_PROVINCE_ADMIN};
    format!(
        "demo logins: administrator {DEMO_ADMIN} / {DEMO_PASSWORD}; province administrator {DEMO_PROVINCE_ADMIN} / {DEMO_PASSWORD}; organiser {DEMO_ORGANISER} / {DEMO_PASSWORD} (demo data only)"
    )
}

/// A domain error as one line for the operator.
fn say(err: hocvuso::Error) -> String {
    let lang = hocvuso::i18n::Lang::En;
    match &err {
        hocvuso::Error::Invalid(fields) => {
            fields.iter().map(|f| format!("{}: {}", f.field, lang.t(f.problem))).collect::<Vec<_>>().join("; ")
        }
        _ => lang.t(err.text()).to_string(),
    }
}

/// A refused import for the operator: every bad row on its own line, then what happened.
fn import_error(err: hocvuso::Error) -> String {
    let hocvuso::Error::InvalidRows(rows) = err else { return say(err) };
    let lang = hocvuso::i18n::Lang::En;
    for row in &rows {
        println!("line {}, column {:?}, value {:?}: {}", row.line, row.column, row.value, lang.t(row.problem));
    }
    format!("{} bad rows; nothing was written", rows.len())
}

pub async fn run(config: Config, args: &[String]) -> Result<ExitCode, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["serve"] => {
            let db = open(&config).await?;
            crate::startup::serve(config, db).await?;
            Ok(ExitCode::SUCCESS)
        }
        ["migrate"] => {
            open(&config).await?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        ["seed-demo", rest @ ..] => {
            let if_empty = match rest {
                [] => false,
                ["--if-empty"] => true,
                _ => return Err(format!("unknown option {}\n\n{USAGE}", rest.join(" "))),
            };
            let db = open(&config).await?;
            if if_empty && !hocvuso::service::demo::is_empty(&db).await.map_err(|e| e.to_string())? {
                println!("the database already holds accounts or learners; demo not loaded");
                if hocvuso::service::demo::is_demo(&db).await.map_err(|e| e.to_string())? {
                    println!("{}", demo_logins());
                }
                return Ok(ExitCode::SUCCESS);
            }
            let summary = hocvuso::service::demo::seed_demo(&db).await.map_err(|e| match e {
                hocvuso::Error::Conflict(_) => {
                    "seed-demo: the database already holds accounts or learners; the demo is loaded only into an empty one"
                        .to_string()
                }
                other => format!("seed-demo: {other}"),
            })?;
            println!(
                "demo campaign loaded: {} organisations, {} teams, {} learners, {} enrolments, {} completed",
                summary.organisations, summary.teams, summary.learners, summary.enrolments, summary.completed
            );
            println!("{}", demo_logins());
            Ok(ExitCode::SUCCESS)
        }
        ["stats", "verify"] => {
            let db = open(&config).await?;
            let differences =
                hocvuso::service::statistics::verify(&db).await.map_err(|e| format!("stats verify: {e}"))?;
            if differences.is_empty() {
                println!("counters agree with the raw rows");
                return Ok(ExitCode::SUCCESS);
            }
            for difference in &differences {
                println!("{difference}");
            }
            println!("{} counters differ; `hocvuso stats rebuild` rewrites them", differences.len());
            Ok(ExitCode::FAILURE)
        }
        ["stats", "rebuild"] => {
            let db = open(&config).await?;
            hocvuso::service::statistics::rebuild(&db).await.map_err(|e| format!("stats rebuild: {e}"))?;
            println!("counters rebuilt");
            Ok(ExitCode::SUCCESS)
        }
        ["create-admin", rest @ ..] => {
            let values = options(rest, &["--username", "--name", "--province"])?;
            let username =
                values.get("--username").ok_or_else(|| format!("create-admin needs --username\n\n{USAGE}"))?;
            let name = values.get("--name").copied().unwrap_or("Quản trị viên");
            let province = values
                .get("--province")
                .map(|p| {
                    p.trim().parse::<i32>().map_err(|_| format!("--province {p:?} is not a province code such as 15"))
                })
                .transpose()?;
            let db = open(&config).await?;
            let password = admin_password()?;
            let account = hocvuso::service::accounts::create_admin(&db, username, name, &password, province)
                .await
                .map_err(say)?;
            match account.province {
                None => println!("administrator {} created (the whole country)", account.username),
                Some(code) => println!("administrator {} created (province {code} only)", account.username),
            }
            Ok(ExitCode::SUCCESS)
        }
        ["token", "create", rest @ ..] => {
            let values = options(rest, &["--name", "--scope"])?;
            let name = values.get("--name").ok_or_else(|| format!("token create needs --name\n\n{USAGE}"))?;
            let scope = values
                .get("--scope")
                .and_then(|s| hocvuso::auth::TokenScope::parse(s))
                .ok_or_else(|| "token create needs --scope ingest or --scope read-stats".to_string())?;
            let db = open(&config).await?;
            let (token, secret) =
                hocvuso::service::accounts::tokens::create(&db, "cli", name, scope).await.map_err(say)?;
            println!("token {:?} created with scope {}; it is shown once, below:", token.name, token.scope.as_str());
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
        ["platform", "create", rest @ ..] => {
            let values = options(rest, &["--name", "--home-page"])?;
            let usage = || format!("platform create needs --name NAME --home-page URL\n\n{USAGE}");
            let name = values.get("--name").ok_or_else(usage)?;
            // Several home pages, comma-separated: a platform reached by more than one address.
            let pages: Vec<String> =
                values.get("--home-page").ok_or_else(usage)?.split(',').map(str::to_string).collect();
            let db = open(&config).await?;
            let (platform, secret) =
                hocvuso::service::lrs::platforms::create(&db, "cli", name, &pages).await.map_err(say)?;
            println!(
                "platform {:?} ({}) can now send xAPI to /xapi with HTTP Basic; key and secret, shown once:",
                platform.name,
                platform.home_pages.join(", ")
            );
            println!("{}:{secret}", platform.key);
            Ok(ExitCode::SUCCESS)
        }
        ["platform", "revoke", key] => {
            let db = open(&config).await?;
            hocvuso::service::lrs::platforms::revoke(&db, "cli", key).await.map_err(say)?;
            println!("platform connection {key} revoked");
            Ok(ExitCode::SUCCESS)
        }
        ["backup", rest @ ..] => {
            let values = options(rest, &["--out"])?;
            let out = values.get("--out").ok_or_else(|| format!("backup needs --out FILE\n\n{USAGE}"))?;
            let db = open(&config).await?;
            hocvuso::db::backup(&db, std::path::Path::new(out)).await.map_err(|e| format!("backup failed: {e}"))?;
            println!("backup written to {out}");
            Ok(ExitCode::SUCCESS)
        }
        ["restore", file] => {
            hocvuso::db::restore(&config.database_url, std::path::Path::new(file))
                .await
                .map_err(|e| format!("restore failed: {e}"))?;
            println!("database {} restored from {file}", config.database_for_humans());
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "bench")]
        ["bench", rest @ ..] => {
            let values = options(rest, &["--size", "--out", "--only", "--keep"])?;
            let size = values.get("--size").copied().unwrap_or("small");
            let out = values.get("--out").copied().unwrap_or("target/bench.json");
            crate::bench::run(size, out, values.get("--only").copied(), values.get("--keep").copied()).await?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(not(feature = "bench"))]
        ["bench", ..] => Err("this build has no benchmark: run `make bench`, which builds it".into()),
        ["openapi"] => {
            println!("{}", crate::api::openapi_document().to_pretty_json().map_err(|e| e.to_string())?);
            Ok(ExitCode::SUCCESS)
        }
        ["report", "weekly", rest @ ..] => {
            let values = options(rest, &["--week", "--out", "--province"])?;
            let out = values.get("--out").ok_or_else(|| format!("report weekly needs --out\n\n{USAGE}"))?;
            let week = match values.get("--week") {
                Some(w) => {
                    hocvuso::week::IsoWeek::parse(w).ok_or_else(|| format!("{w} is not a week such as 2026-W48"))?
                }
                None => hocvuso::week::IsoWeek::last_complete(),
            };
            let db = open(&config).await?;
            let report = hocvuso::service::statistics::report::weekly(
                &db,
                &operator(),
                config.landing,
                values.get("--province").copied(),
                None,
                week,
            )
            .await
            .map_err(|e| format!("cannot build the report: {e}"))?;
            let lang = hocvuso::i18n::Lang::Vi;
            let bytes = if out.ends_with(".csv") {
                hocvuso::service::statistics::report::csv(&report, lang)
            } else if out.ends_with(".xlsx") {
                hocvuso::service::statistics::report::xlsx(&report, lang)
                    .map_err(|e| format!("cannot write the workbook: {e}"))?
            } else {
                return Err(format!("--out must end in .xlsx or .csv\n\n{USAGE}"));
            };
            std::fs::write(out, bytes).map_err(|e| format!("cannot write {out}: {e}"))?;
            println!("weekly report {week} written to {out}");
            Ok(ExitCode::SUCCESS)
        }
        ["import", "population", file] => {
            let bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
            let db = open(&config).await?;
            let changed = hocvuso::service::statistics::population::import(&db, &operator(), &bytes)
                .await
                .map_err(import_error)?;
            println!("{changed} population figures set");
            Ok(ExitCode::SUCCESS)
        }
        ["import", what @ ("learners" | "completions" | "platform-accounts"), file, rest @ ..] => {
            let dry_run = rest.contains(&"--dry-run");
            let others: Vec<&str> = rest.iter().copied().filter(|w| *w != "--dry-run").collect();
            let known: &[&str] = match *what {
                "learners" => &["--consent-version"],
                "completions" => &["--format", "--platform", "--course"],
                _ => &[],
            };
            let values = options(&others, known)?;
            let bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
            let db = open(&config).await?;
            if *what == "platform-accounts" {
                let report = hocvuso::service::imports::platform_accounts::import_platform_accounts(
                    &db,
                    &operator(),
                    &bytes,
                    dry_run,
                )
                .await
                .map_err(import_error)?;
                let mode = if report.dry_run { " (dry run: nothing written)" } else { "" };
                println!("linked {}, unchanged {}{mode}", report.created, report.unchanged);
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(format) = values.get("--format") {
                use hocvuso::service::imports::platform_reports::{ReportFormat, ReportOptions, import_report};
                let usage = || format!("import completions --format needs --platform URL and --course CODE\n\n{USAGE}");
                let options = ReportOptions {
                    format: ReportFormat::parse(format).map_err(say)?,
                    platform: values.get("--platform").ok_or_else(usage)?.to_string(),
                    course: values.get("--course").ok_or_else(usage)?.to_string(),
                    dry_run,
                };
                let report = import_report(&db, &operator(), &bytes, &options).await.map_err(import_error)?;
                let mode = if report.dry_run { " (dry run: nothing written)" } else { "" };
                println!(
                    "rows {}: completions {}, progress {}, waiting for a link {}, skipped {}, unchanged {}{mode}",
                    report.rows, report.completions, report.progress, report.waiting, report.skipped, report.unchanged
                );
                return Ok(ExitCode::SUCCESS);
            }
            let options = hocvuso::service::imports::learners::ImportOptions {
                dry_run,
                consent_version: values.get("--consent-version").map(|v| v.to_string()),
                citizen_id_key: config.citizen_id_key.clone(),
            };
            let report = if *what == "learners" {
                hocvuso::service::imports::learners::import_learners(&db, &operator(), config.landing, &bytes, &options)
                    .await
            } else {
                hocvuso::service::imports::completions::import_completions(&db, &operator(), &bytes, &options).await
            }
            .map_err(import_error)?;
            if !report.unknown_columns.is_empty() {
                println!("unknown columns, not imported: {}", report.unknown_columns.join(", "));
            }
            let mode = if report.dry_run { " (dry run: nothing written)" } else { "" };
            println!("created {}, updated {}, unchanged {}{mode}", report.created, report.updated, report.unchanged);
            Ok(ExitCode::SUCCESS)
        }
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(format!("unknown command {:?}\n\n{USAGE}", words.join(" "))),
    }
}

/// Connects and applies pending migrations; one clear line when the database cannot be used.
pub async fn open(config: &Config) -> Result<DatabaseConnection, String> {
    let db = hocvuso::db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", config.database_for_humans()))?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| format!("cannot migrate database {}: {e}", config.database_for_humans()))?;
    Ok(db)
}
