pub mod admin;
pub mod learners;
pub mod login;
pub mod lookup;
pub mod my_progress;
pub mod not_found;
pub mod overview;
pub mod units;
