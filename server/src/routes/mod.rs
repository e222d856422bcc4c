//! Plain axum routes beside the Leptos pages.
pub mod admin;
pub mod forms;
pub mod health;
pub mod lang;
pub mod learners;
pub mod login;
pub mod lookup;
pub mod offline;
pub mod signoffs;
pub mod targets;
pub mod units;

/// `next` if it is a path on this site, else "/": redirects never lead to another origin. Only a
/// path (and query) that parses as one is accepted, with no scheme or host, no backslash and no
/// control character or white space anywhere (browsers drop tabs and newlines, so `/\t/evil.example`
/// would be read as `//evil.example`).
pub fn local_path(next: Option<&str>) -> String {
    let is_local = |n: &&str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
            && n.parse::<axum::http::uri::PathAndQuery>().is_ok()
    };
    next.filter(is_local).unwrap_or("/").to_string()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirects_stay_on_this_site() {
        for good in ["/", "/dashboard?by=commune&period=2026-W48", "/learners/HV-1234"] {
            assert_eq!(local_path(Some(good)), good);
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            "/ /evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "evil.example",
            "/\u{a0}/evil.example",
            "/\u{7f}x",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
