//! Figures computed once per state of the database. Dashboards, leaderboards, the weekly report and
//! the overview are kept for as long as nothing has been committed — by this process or any other
//! (a CLI import, a second server on PostgreSQL) — so a thousand readers of one unchanged leaderboard
//! cost one computation, and the first reader after any change computes afresh: never stale.
//!
//! The database's state is named by SQLite's `PRAGMA data_version`, read on a connection of its own
//! (it changes whenever another connection commits), or by PostgreSQL's `pg_current_snapshot()`
//! (equal snapshots see the same committed transactions). The state is read before computing, so
//! a change committed meanwhile leaves the entry under a name no later reader will ask for.
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sea_orm::sqlx::ConnectOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::Result;
use crate::auth::{Actor, TokenActor};
use crate::model::{Area, CompletionTable, DashboardFilter, Leaderboard, Overview, WeeklyReport};
use crate::service::{statistics::dashboard, statistics::overview, statistics::report};
use crate::week::IsoWeek;

/// Entries kept at most of one kind (a page's path, a kind of figures); past that the least
/// recently used of that kind makes room, so a flood of new addresses for one page (`/?x=1`,
/// `/?x=2`, …) never pushes out anyone else's figures.
pub const MAX_PER_KIND: usize = 64;

/// One kept value, and when it was last asked for.
struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    used: u64,
}

/// The state the entries were computed in, the entries by key, and a clock for "last used". Only
/// the latest state's are kept: the state only moves forward, so older entries could never be read again.
#[derive(Default)]
struct Entries {
    state: String,
    values: HashMap<String, Entry>,
    clock: u64,
}

/// What a key is a kind of: everything before its first '|' ("leaderboard", "page /dashboard").
fn kind_of(key: &str) -> &str {
    key.split('|').next().unwrap_or(key)
}

pub struct Figures {
    /// How to open SQLite's watching connection; None on PostgreSQL or in memory (never cached there).
    sqlite: Option<SqliteConnectOptions>,
    postgres: bool,
    /// One reader of the state at a time, so that readers who waited share its answer.
    watcher: tokio::sync::Mutex<Watcher>,
    /// How many times the state was read from the database, and how many values were kept.
    reads: AtomicU64,
    kept: AtomicU64,
    entries: Mutex<Entries>,
    /// A lock per key being computed, so that readers who come while it is computed wait for it
    /// instead of computing it too (after a restart or a commit, every reader at once).
    computing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct Watcher {
    /// The connection that reads SQLite's `data_version`, and how many times it was opened (a new
    /// connection counts from its own start, so its values are told apart by this number).
    connection: Option<SqliteConnection>,
    opened: u64,
    /// The latest state read, and when that read began.
    last: Option<(Instant, String)>,
}

impl Figures {
    /// A cache for the database `db` reaches.
    pub fn new(db: &DatabaseConnection) -> Figures {
        let sqlite = (db.get_database_backend() == DbBackend::Sqlite)
            .then(|| (*db.get_sqlite_connection_pool().connect_options()).clone())
            .filter(|options| !options.get_filename().to_string_lossy().starts_with("file:sqlx-in-memory"));
        Figures {
            sqlite,
            postgres: db.get_database_backend() == DbBackend::Postgres,
            watcher: tokio::sync::Mutex::new(Watcher::default()),
            reads: AtomicU64::new(0),
            kept: AtomicU64::new(0),
            entries: Mutex::new(Entries::default()),
            computing: Mutex::new(HashMap::new()),
        }
    }

    /// The database's present state, or None when it cannot be told (then nothing is cached).
    /// A read that began after this call began sees every commit made before it, so a caller who
    /// waited for the lock takes such a read's answer instead of reading again: under load one read
    /// serves all who asked while the previous one ran.
    pub async fn state(&self, db: &DatabaseConnection) -> Option<String> {
        if !self.postgres && self.sqlite.is_none() {
            return None;
        }
        let asked = Instant::now();
        let mut watcher = self.watcher.lock().await;
        if let Some((began, state)) = &watcher.last
            && *began >= asked
        {
            return Some(state.clone());
        }
        let began = Instant::now();
        self.reads.fetch_add(1, Ordering::Relaxed);
        let state = self.read_state(db, &mut watcher).await;
        watcher.last = state.clone().map(|s| (began, s));
        state
    }

    /// How many times the database's state has been read (readers who waited share a read).
    pub fn state_reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// How many values have been computed and kept (a reader served from what is kept adds none).
    pub fn kept_count(&self) -> u64 {
        self.kept.load(Ordering::Relaxed)
    }

    async fn read_state(&self, db: &DatabaseConnection, watcher: &mut Watcher) -> Option<String> {
        if self.postgres {
            let sql = Statement::from_string(DbBackend::Postgres, "SELECT pg_current_snapshot()::text AS s");
            return db.query_one_raw(sql).await.ok().flatten().and_then(|row| row.try_get::<String>("", "s").ok());
        }
        let options = self.sqlite.as_ref()?;
        if watcher.connection.is_none() {
            watcher.connection = options.connect().await.ok();
            watcher.opened += 1;
        }
        let connection = watcher.connection.as_mut()?;
        match sea_orm::sqlx::query_scalar::<_, i64>("PRAGMA data_version").fetch_one(connection).await {
            Ok(version) => Some(format!("{}:{version}", watcher.opened)),
            Err(_) => {
                watcher.connection = None;
                None
            }
        }
    }

    /// The figures under `key` for the database as it is now: kept ones if nothing has changed
    /// since they were computed, else `compute`'s (errors are not kept).
    pub async fn get<T, F>(&self, db: &DatabaseConnection, key: String, compute: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T>>,
    {
        let Some(state) = self.state(db).await else { return compute.await };
        if let Some(found) = self.kept::<T>(&state, &key) {
            return Ok(found);
        }
        let _turn = self.one_at_a_time(&key).await;
        if let Some(found) = self.kept::<T>(&state, &key) {
            return Ok(found);
        }
        let value = compute.await?;
        self.keep(state, key, value.clone());
        Ok(value)
    }

    /// Waits until no one else computes `key`; the guard holds the turn. Whoever waited looks for a
    /// kept value again before computing.
    pub async fn one_at_a_time(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = match self.computing.lock() {
            Ok(mut computing) => {
                // Locks nobody holds or waits for are dropped now and then.
                if computing.len() > MAX_PER_KIND * 8 {
                    computing.retain(|_, lock| Arc::strong_count(lock) > 1);
                }
                computing.entry(key.to_string()).or_default().clone()
            }
            Err(_) => Arc::default(),
        };
        lock.lock_owned().await
    }

    /// The value kept under `key` in database state `state`, if any.
    pub fn kept<T: Clone + 'static>(&self, state: &str, key: &str) -> Option<T> {
        let mut entries = self.entries.lock().ok()?;
        if entries.state != state {
            return None;
        }
        entries.clock += 1;
        let now = entries.clock;
        let entry = entries.values.get_mut(key)?;
        entry.used = now;
        entry.value.downcast_ref::<T>().cloned()
    }

    /// Keeps `value` under `key` for state `state` (read before `value` was computed).
    pub fn keep<T: Send + Sync + 'static>(&self, state: String, key: String, value: T) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.state != state {
            entries.values.clear();
            entries.state = state;
        }
        let kind = kind_of(&key);
        let same_kind = entries.values.keys().filter(|k| kind_of(k) == kind).count();
        if same_kind >= MAX_PER_KIND && !entries.values.contains_key(&key) {
            let oldest = entries
                .values
                .iter()
                .filter(|(k, _)| kind_of(k) == kind)
                .min_by_key(|(_, entry)| entry.used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.values.remove(&oldest);
            }
        }
        entries.clock += 1;
        let used = entries.clock;
        entries.values.insert(key, Entry { value: Arc::new(value), used });
        self.kept.fetch_add(1, Ordering::Relaxed);
    }
}

/// The read services, through the cache. The key holds everything their answer depends on: the
/// province, what the actor may see, the filter, and today's date (periods end "today").
impl Figures {
    fn key(what: &str, landing: Area, actor: &Actor, rest: impl std::fmt::Debug) -> String {
        format!("{what}|{landing:?}|{}|{rest:?}|{}", actor.visibility(), crate::week::vietnam_today())
    }

    /// The token a Bearer secret names (a revocation is a commit, so it takes effect at once).
    /// Only tokens that exist are kept: anyone can send unknown secrets, and they must not fill the cache.
    pub async fn token(&self, db: &DatabaseConnection, secret: &str) -> Result<Option<TokenActor>> {
        let key = format!("token|{}", crate::service::secret::digest(secret));
        let Some(state) = self.state(db).await else {
            return crate::service::accounts::tokens::resolve(db, secret).await;
        };
        if let Some(found) = self.kept::<TokenActor>(&state, &key) {
            return Ok(Some(found));
        }
        let token = crate::service::accounts::tokens::resolve(db, secret).await?;
        if let Some(token) = &token {
            self.keep(state, key, token.clone());
        }
        Ok(token)
    }

    /// The overview of `province` (a code, `all`), else of the landing area.
    pub async fn overview(
        &self,
        db: &DatabaseConnection,
        actor: &Actor,
        landing: Area,
        province: Option<&str>,
        group: Option<&str>,
    ) -> Result<Overview> {
        let key = Self::key("overview", landing, actor, (province, group));
        self.get(db, key, overview::overview(db, actor, landing, province, group)).await
    }

    pub async fn completion(
        &self,
        db: &DatabaseConnection,
        actor: &Actor,
        landing: Area,
        filter: &DashboardFilter,
    ) -> Result<CompletionTable> {
        let key = Self::key("completion", landing, actor, filter);
        self.get(db, key, dashboard::completion(db, actor, landing, filter)).await
    }

    pub async fn leaderboard(
        &self,
        db: &DatabaseConnection,
        actor: &Actor,
        landing: Area,
        filter: &DashboardFilter,
        week: IsoWeek,
        min_enrolled: i64,
    ) -> Result<Leaderboard> {
        let key = Self::key("leaderboard", landing, actor, (filter, week, min_enrolled));
        self.get(db, key, dashboard::leaderboard(db, actor, landing, filter, week, min_enrolled)).await
    }

    pub async fn weekly_report(
        &self,
        db: &DatabaseConnection,
        actor: &Actor,
        landing: Area,
        province: Option<&str>,
        group: Option<&str>,
        week: IsoWeek,
    ) -> Result<WeeklyReport> {
        let key = Self::key("weekly", landing, actor, (province, group, week));
        self.get(db, key, report::weekly(db, actor, landing, province, group, week)).await
    }
}
