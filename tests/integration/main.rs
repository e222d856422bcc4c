//! Integration tests of the services, each on a fresh SQLite database and, when
//! HOCVUSO_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database (`hocvuso::on_both_databases!`).
use migration::{Migrator, MigratorTrait};

async fn migrate(db: &sea_orm::DatabaseConnection) {
    Migrator::up(db, None).await.expect("migrations apply");
}

mod accounts;
mod at_risk;
mod communes_by_name;
mod country;
mod dashboard;
mod demo;
mod figures;
mod guidance;
mod import;
mod learner_groups;
mod migrations;
mod platform_imports;
mod privacy;
mod progress;
mod registration;
mod signoffs;
mod stats;
mod weekly_report;

/// A tiny deterministic generator, so a failure replays exactly.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}
