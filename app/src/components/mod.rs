pub mod charts;
pub mod layout;
pub mod stat_card;
pub mod status;
