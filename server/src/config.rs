//! Configuration from the environment, checked once at start-up.
use std::net::SocketAddr;

use hocvuso::db::DEFAULT_DATABASE_URL;
use hocvuso::model::Area;

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` (default `data/hocvuso.db`) or `postgres://…`.
    pub database_url: String,
    /// Where to listen; HOCVUSO_ADDR, else LEPTOS_SITE_ADDR, else 127.0.0.1:3000.
    pub addr: SocketAddr,
    /// A tracing filter such as `info` or `hocvuso=debug,info`.
    pub log: String,
    /// Where pages land: `HOCVUSO_PROVINCE`'s province (official code), else the whole country.
    pub landing: Area,
    /// The reverse proxies whose X-Forwarded-For/-Proto are believed (HOCVUSO_TRUSTED_PROXIES).
    pub trusted_proxies: hocvuso::net::TrustedProxies,
    /// Always mark the session cookie Secure (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// The address people use to reach the site, for printed links and QR codes.
    pub public_url: String,
    /// The key citizen ID numbers are hashed with (HOCVUSO_CITIZEN_ID_KEY, at least 32 characters).
    /// Without it, imports refuse a citizen ID column rather than keep the numbers.
    pub citizen_id_key: Option<String>,
    /// Where the scheduled weekly reports are written (HOCVUSO_REPORTS_DIR, default `data/reports`).
    pub reports_dir: std::path::PathBuf,
    /// The SMTP server the weekly report is e-mailed through (HOCVUSO_SMTP_URL, e.g.
    /// `smtp://mail.example.vn:587?tls=required`); no e-mail without it or without recipients.
    pub smtp_url: Option<String>,
    /// Who receives the weekly report (HOCVUSO_REPORT_TO, comma-separated addresses).
    pub report_to: Vec<String>,
    /// The sender of the weekly report (HOCVUSO_REPORT_FROM, default `hocvuso@localhost`).
    pub report_from: String,
}

/// Where the scheduled reports go unless HOCVUSO_REPORTS_DIR says otherwise.
pub const DEFAULT_REPORTS_DIR: &str = "data/reports";

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err("DATABASE_URL must start with sqlite: or postgres://".to_string());
        }
        let addr_text =
            var("HOCVUSO_ADDR").or_else(|| var("LEPTOS_SITE_ADDR")).unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = addr_text
            .parse()
            .map_err(|_| format!("HOCVUSO_ADDR {addr_text:?} is not an address such as 127.0.0.1:3000"))?;
        let landing = match var("HOCVUSO_PROVINCE") {
            None => Area::Country,
            Some(text) => Area::Province(
                text.trim()
                    .parse()
                    .map_err(|_| format!("HOCVUSO_PROVINCE {text:?} is not a province code such as 15"))?,
            ),
        };
        let log =
            var("HOCVUSO_LOG").or_else(|| var("RUST_LOG")).unwrap_or_else(|| "info,sea_orm_migration=warn".into());
        let citizen_id_key = var("HOCVUSO_CITIZEN_ID_KEY");
        if citizen_id_key.as_ref().is_some_and(|k| k.trim().len() < 32) {
            return Err("HOCVUSO_CITIZEN_ID_KEY must be at least 32 characters".to_string());
        }
        let flag = |name: &str| var(name).is_some_and(|v| matches!(v.to_lowercase().as_str(), "1" | "true" | "yes"));
        let trusted_proxies = match var("HOCVUSO_TRUSTED_PROXIES") {
            Some(list) => hocvuso::net::TrustedProxies::parse(&list).map_err(|bad| {
                format!("HOCVUSO_TRUSTED_PROXIES: {bad:?} is not an address or network such as 10.0.0.0/8")
            })?,
            // The older switch: a proxy on this machine.
            None if flag("HOCVUSO_TRUST_PROXY") => hocvuso::net::TrustedProxies::loopback(),
            None => hocvuso::net::TrustedProxies::default(),
        };
        let report_to: Vec<String> = var("HOCVUSO_REPORT_TO")
            .map(|list| list.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let report_from = var("HOCVUSO_REPORT_FROM").unwrap_or_else(|| "hocvuso@localhost".into());
        for address in report_to.iter().chain(std::iter::once(&report_from)) {
            address.parse::<lettre::Address>().map_err(|_| {
                format!("{address:?} (HOCVUSO_REPORT_TO or HOCVUSO_REPORT_FROM) is not an e-mail address")
            })?;
        }
        Ok(Config {
            reports_dir: var("HOCVUSO_REPORTS_DIR").unwrap_or_else(|| DEFAULT_REPORTS_DIR.into()).into(),
            smtp_url: var("HOCVUSO_SMTP_URL"),
            report_to,
            report_from,
            database_url,
            addr,
            log,
            landing,
            trusted_proxies,
            secure_cookies: flag("HOCVUSO_SECURE_COOKIES"),
            public_url: var("HOCVUSO_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}")),
            citizen_id_key,
        })
    }

    /// The database URL without a password, for messages.
    pub fn database_for_humans(&self) -> String {
        match (self.database_url.find("://"), self.database_url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}://…@{}", &self.database_url[..scheme], &self.database_url[at + 1..])
            }
            _ => self.database_url.clone(),
        }
    }
}

pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}
