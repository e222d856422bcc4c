//! Learners: the list, registration one at a time, the card with the progress link, bulk import
//! of learners and of their platform accounts.
pub mod card;
pub mod import;
pub mod import_accounts;
pub mod list;
pub mod new;
pub mod personal_data;
pub mod unmatched;
