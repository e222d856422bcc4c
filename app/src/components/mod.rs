pub mod charts;
pub mod layout;
pub mod revoke;
pub mod stat_card;
pub mod status;
pub mod table;
