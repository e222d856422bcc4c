//! Files people bring: spreadsheets of learners and of completions (targets are read in
//! `statistics::targets`). `table` reads and writes CSV and XLSX within limits and maps headers
//! one way for every import.
pub mod completions;
pub mod learners;
pub mod table;
