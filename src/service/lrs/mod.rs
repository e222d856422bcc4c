//! The Learning Record Store (xAPI 1.0.3): how MOOC platforms sign in (`platforms`), the rules
//! a statement must meet (`validate`) and the documents clients keep (`documents`). Statements
//! that record learning outcomes are applied through `enrolments::xapi`.
pub mod documents;
pub mod links;
pub mod platforms;
pub mod statements;
pub mod validate;
