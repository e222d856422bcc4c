//! Integration tests of the services. Each test runs on a fresh SQLite database and, when
//! HOCVUSO_TEST_POSTGRES_URL is set, again on a fresh PostgreSQL database.

/// Runs `$check(db)` as two tests, `$name::sqlite` and `$name::postgres`.
macro_rules! on_both_databases {
    ($name:ident, $check:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$check(crate::support::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match crate::support::postgres().await {
                    Some(db) => super::$check(db).await,
                    None => eprintln!("HOCVUSO_TEST_POSTGRES_URL is not set: PostgreSQL not tested"),
                }
            }
        }
    };
}

mod demo;
mod migrations;
mod stats;
mod support;
