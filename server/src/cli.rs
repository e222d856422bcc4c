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

environment: DATABASE_URL, HOCVUSO_ADDR, HOCVUSO_LOG, HOCVUSO_PROVINCE (see README.md)";

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
                println!("the database already holds learners; demo not loaded");
                return Ok(ExitCode::SUCCESS);
            }
            let summary = hocvuso::service::demo::seed_demo(&db).await.map_err(|e| format!("seed-demo: {e}"))?;
            println!(
                "demo campaign loaded: {} organisations, {} teams, {} learners, {} enrolments, {} completed",
                summary.organisations, summary.teams, summary.learners, summary.enrolments, summary.completed
            );
            Ok(ExitCode::SUCCESS)
        }
        ["stats", "verify"] => {
            let db = open(&config).await?;
            let differences = hocvuso::service::stats::verify(&db).await.map_err(|e| format!("stats verify: {e}"))?;
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
            hocvuso::service::stats::rebuild(&db).await.map_err(|e| format!("stats rebuild: {e}"))?;
            println!("counters rebuilt");
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
