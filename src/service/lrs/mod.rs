//! The Learning Record Store (xAPI): how MOOC platforms sign in (`platforms`). Statements that
//! record learning outcomes are applied through `enrolments::xapi`.
pub mod platforms;
