//! Schema history. One file per change; never edit a migration that has shipped.
pub use sea_orm_migration::prelude::*;

mod m20260101_000001_admin_units;
mod m20260101_000002_campaign;
mod m20260102_000001_accounts;
mod m20260103_000001_xapi;
mod m20260104_000001_lookup;
mod m20260105_000001_personal_data;
mod m20260106_000001_typed_columns;
mod m20260106_000002_learner_order;
mod m20260107_000001_hashed_links;
mod m20260107_000002_one_attempt_table;
mod m20260108_000001_platforms;
mod m20260108_000002_lrs_statements;
mod m20260109_000001_lrs_statement_index;
mod m20260109_000002_lrs_documents;
mod m20260109_000003_learner_links;
mod m20260110_000001_province_admins;
mod m20260110_000002_learner_groups;
mod m20260110_000003_population;
mod m20260111_000001_idempotency_and_guidance;
mod m20260112_000001_progress_changed_at;
mod m20260113_000001_signoffs;
mod m20260113_000002_report_runs;
mod m20260114_000001_target_groups;
mod m20260114_000002_counter_all_time;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_admin_units::Migration),
            Box::new(m20260101_000002_campaign::Migration),
            Box::new(m20260102_000001_accounts::Migration),
            Box::new(m20260103_000001_xapi::Migration),
            Box::new(m20260104_000001_lookup::Migration),
            Box::new(m20260105_000001_personal_data::Migration),
            Box::new(m20260106_000001_typed_columns::Migration),
            Box::new(m20260106_000002_learner_order::Migration),
            Box::new(m20260107_000001_hashed_links::Migration),
            Box::new(m20260107_000002_one_attempt_table::Migration),
            Box::new(m20260108_000001_platforms::Migration),
            Box::new(m20260108_000002_lrs_statements::Migration),
            Box::new(m20260109_000001_lrs_statement_index::Migration),
            Box::new(m20260109_000002_lrs_documents::Migration),
            Box::new(m20260109_000003_learner_links::Migration),
            Box::new(m20260110_000001_province_admins::Migration),
            Box::new(m20260110_000002_learner_groups::Migration),
            Box::new(m20260110_000003_population::Migration),
            Box::new(m20260111_000001_idempotency_and_guidance::Migration),
            Box::new(m20260112_000001_progress_changed_at::Migration),
            Box::new(m20260113_000001_signoffs::Migration),
            Box::new(m20260113_000002_report_runs::Migration),
            Box::new(m20260114_000001_target_groups::Migration),
            Box::new(m20260114_000002_counter_all_time::Migration),
        ]
    }
}
