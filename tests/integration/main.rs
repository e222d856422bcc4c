//! Integration tests of the services, each on a fresh SQLite database and, when
//! HOCVUSO_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database (`hocvuso::on_both_databases!`).
use migration::{Migrator, MigratorTrait};

async fn migrate(db: &sea_orm::DatabaseConnection) {
    Migrator::up(db, None).await.expect("migrations apply");
}

mod accounts;
mod dashboard;
mod demo;
mod import;
mod migrations;
mod privacy;
mod progress;
mod registration;
mod stats;
