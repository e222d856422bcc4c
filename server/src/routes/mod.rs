//! Plain axum routes beside the Leptos pages.
pub mod admin;
pub mod forms;
pub mod health;
pub mod lang;
pub mod login;
pub mod units;

/// `next` if it is a path on this site, else "/": redirects never lead to another origin.
pub fn local_path(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')).unwrap_or("/").to_string()
}
