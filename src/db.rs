//! The one way to reach the database: `connect` once at start-up, `write` for every change.
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// The embedded default: a file beside the app, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hocvuso.db?mode=rwc";

/// Opens a pool on SQLite (WAL, foreign keys, busy timeout) or PostgreSQL, depending on the URL.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_string());
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(5));
    if url.starts_with("sqlite:") {
        if let Some(parent) =
            sqlite_file(url).and_then(|path| std::path::Path::new(path).parent().map(|p| p.to_path_buf()))
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(&parent)
                .map_err(|err| DbErr::Custom(format!("cannot create {}: {err}", parent.display())))?;
        }
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        options
            // One in-memory database lives in one connection.
            .max_connections(if in_memory { 1 } else { 8 })
            .min_connections(if in_memory { 1 } else { 0 })
            .map_sqlx_sqlite_opts(|opts: SqliteConnectOptions| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // 64 MB of page cache a connection (SQLite's default is 2 MB): an import's random
                    // codes and keys touch every page of the learner indexes.
                    .pragma("cache_size", "-65536")
                    // Statement and savepoint journals in memory, not in temporary files: a bulk
                    // insert copies every page it first touches there.
                    .pragma("temp_store", "memory")
            });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// Copies a SQLite database to `out` while it is in use (`VACUUM INTO` reads one consistent snapshot;
/// writers carry on). PostgreSQL is backed up with `pg_dump` instead.
pub async fn backup(db: &DatabaseConnection, out: &std::path::Path) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return Err(DbErr::Custom("PostgreSQL: use pg_dump (see README.md, Backups)".into()));
    }
    if out.exists() {
        return Err(DbErr::Custom(format!("{} exists already; choose a new file", out.display())));
    }
    let path = out.to_str().ok_or_else(|| DbErr::Custom("the backup path is not UTF-8".into()))?;
    db.execute_unprepared(&format!("VACUUM INTO '{}'", path.replace('\'', "''"))).await?;
    Ok(())
}

/// Replaces the SQLite database of `url` with the backup `file`, after checking the backup opens as
/// a hocvuso database. The server must be stopped. The old file is kept beside it as `….before-restore`.
pub async fn restore(url: &str, file: &std::path::Path) -> Result<(), DbErr> {
    let custom = |m: String| DbErr::Custom(m);
    let target =
        sqlite_file(url).ok_or_else(|| custom("restore works on a SQLite file; PostgreSQL: use pg_restore".into()))?;
    let target = std::path::Path::new(target);
    let staged = target.with_extension("restoring");
    std::fs::copy(file, &staged).map_err(|e| custom(format!("cannot copy {}: {e}", file.display())))?;
    // Checked on the copy, so the backup file itself is never touched.
    let is_backup = async {
        use sea_orm::ConnectionTrait;
        let check = connect(&format!("sqlite://{}", staged.display())).await.ok()?;
        let sql =
            sea_orm::Statement::from_string(check.get_database_backend(), "SELECT COUNT(*) FROM seaql_migrations");
        let found = check.query_one_raw(sql).await.ok().flatten().is_some();
        let _ = check.close().await;
        Some(found)
    };
    if is_backup.await != Some(true) {
        let _ = std::fs::remove_file(&staged);
        return Err(custom(format!("{} is not a hocvuso backup", file.display())));
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", staged.display()));
    }
    if target.exists() {
        let kept = target.with_extension("before-restore");
        std::fs::rename(target, &kept).map_err(|e| custom(format!("cannot move the old database aside: {e}")))?;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
    }
    std::fs::rename(&staged, target).map_err(|e| custom(format!("cannot put the backup in place: {e}")))?;
    Ok(())
}

/// The file path inside a sqlite URL, if it names a file.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.contains(":memory:")).then_some(path)
}

/// Inserts `models` into their table inside the caller's transaction. Bulk writes use it rather
/// than sea-orm's `insert_many`, which builds an expression tree for every value (most of an
/// import's writing time went there). SQLite gets rows of bound values, at most 32,766 values a
/// statement; PostgreSQL gets the rows as one JSON parameter that `json_populate_recordset` turns
/// into typed rows, so a statement is planned in a moment however many rows it carries.
pub async fn insert_models<M>(conn: &impl sea_orm::ConnectionTrait, models: &[M]) -> Result<(), DbErr>
where
    M: sea_orm::ModelTrait,
{
    use sea_orm::{EntityName, IdenStatic, Iterable};
    use std::fmt::Write;
    let backend = conn.get_database_backend();
    let columns: Vec<_> = <M::Entity as sea_orm::EntityTrait>::Column::iter().collect();
    let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.as_str())).collect();
    let (table, names) = (M::Entity::default().table_name().to_string(), names.join(","));
    if backend == sea_orm::DbBackend::Postgres {
        let sql = format!(
            "INSERT INTO \"{table}\" ({names}) SELECT {names} FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
        );
        for chunk in models.chunks(5_000) {
            let mut json = String::with_capacity(chunk.len() * 512);
            for (i, model) in chunk.iter().enumerate() {
                json.push_str(if i == 0 { "[{" } else { ",{" });
                for (j, column) in columns.iter().enumerate() {
                    let _ = write!(json, "{}\"{}\":", if j == 0 { "" } else { "," }, column.as_str());
                    push_json(&mut json, &model.get(*column))?;
                }
                json.push('}');
            }
            json.push(']');
            conn.execute_raw(sea_orm::Statement::from_sql_and_values(backend, &sql, [json.into()])).await?;
        }
        return Ok(());
    }
    let head = format!("INSERT INTO \"{table}\" ({names}) VALUES ");
    for chunk in models.chunks(32_766 / columns.len().max(1)) {
        let mut sql = String::with_capacity(head.len() + chunk.len() * columns.len() * 2 + chunk.len() * 3);
        sql.push_str(&head);
        let mut values = Vec::with_capacity(chunk.len() * columns.len());
        for (i, model) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ",(" });
            for (j, column) in columns.iter().enumerate() {
                sql.push_str(if j == 0 { "?" } else { ",?" });
                values.push(model.get(*column));
            }
            sql.push(')');
        }
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}

/// One row of a VALUES list of `width` bound values, the first of them the statement's value number
/// `first` (counting from 1): `($3, $4)` on PostgreSQL, `(?, ?)` on SQLite.
pub fn values_tuple(backend: sea_orm::DbBackend, first: usize, width: usize) -> String {
    let marks: Vec<String> = (first..first + width)
        .map(|i| if backend == sea_orm::DbBackend::Postgres { format!("${i}") } else { "?".to_string() })
        .collect();
    format!("({})", marks.join(", "))
}

/// Refreshes PostgreSQL's planner statistics of `table` after a bulk change (SQLite needs none).
/// Autovacuum would, within a minute, where it runs; until then the next import's lookups by key
/// are planned, and their prepared plans kept, as if the table were as small as before.
/// The change is committed already, so a failure here is logged, not returned.
pub async fn analyze(db: &DatabaseConnection, table: &str) {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres
        && let Err(err) = db.execute_unprepared(&format!("ANALYZE \"{table}\"")).await
    {
        tracing::warn!(%err, table, "could not refresh the planner statistics");
    }
}

/// A value as `json_populate_recordset` reads it into its column's type.
fn push_json(out: &mut String, value: &sea_orm::Value) -> Result<(), DbErr> {
    use sea_orm::Value;
    use std::fmt::Write;
    let _ = match value {
        v if *v == v.as_null() => write!(out, "null"),
        Value::Bool(Some(b)) => write!(out, "{b}"),
        Value::Int(Some(n)) => write!(out, "{n}"),
        Value::BigInt(Some(n)) => write!(out, "{n}"),
        Value::Double(Some(x)) if x.is_finite() => write!(out, "{x}"),
        Value::String(Some(text)) => {
            let quoted = serde_json::to_string(text).map_err(|e| DbErr::Custom(e.to_string()))?;
            write!(out, "{quoted}")
        }
        Value::Uuid(Some(id)) => write!(out, "\"{id}\""),
        Value::ChronoDate(Some(date)) => write!(out, "\"{date}\""),
        Value::ChronoDateTimeUtc(Some(at)) => {
            write!(out, "\"{}\"", at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }
        other => return Err(DbErr::Custom(format!("insert_models: no JSON form for {other:?}"))),
    };
    Ok(())
}

/// Begins a transaction for a change. On SQLite it takes the write lock at once (BEGIN IMMEDIATE),
/// so two writers queue on the busy timeout instead of failing half-way with SQLITE_BUSY.
pub async fn write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}

/// Makes writers that name the same key take turns until the first commits, so a count and the row
/// that depends on it are one atomic step (rate limits). PostgreSQL takes a transaction-scoped
/// advisory lock per key, in a fixed order so two writers cannot deadlock; on SQLite the write
/// transaction (`write`) already holds the database's one write lock.
pub async fn lock_keys(txn: &DatabaseTransaction, keys: &[&str]) -> Result<(), DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let sql = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
        txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, [key.into()])).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_file_is_read_from_the_url() {
        assert_eq!(sqlite_file("sqlite://data/hocvuso.db?mode=rwc"), Some("data/hocvuso.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}

/// Fresh, empty databases for tests: each test gets its own, so tests never see each other's rows.
/// (The `testing` feature: the test crates and the benchmark; never the served binary.)
#[cfg(feature = "testing")]
pub mod testing {
    /// Runs `$check(db)` as two tests, `$name::sqlite` and `$name::postgres`, each on a fresh database
    /// migrated by the test crate's own `crate::migrate(&db)`. PostgreSQL runs when HOCVUSO_TEST_POSTGRES_URL is set.
    // `crate::migrate` is deliberately the calling test crate's own function.
    #[allow(clippy::crate_in_macro_def)]
    #[macro_export]
    macro_rules! on_both_databases {
        ($name:ident, $check:ident) => {
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::db::testing::fresh_sqlite().await.expect("a fresh SQLite database");
                    crate::migrate(&db).await;
                    super::$check(db).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(db) = $crate::db::testing::fresh_postgres().await else {
                        eprintln!("HOCVUSO_TEST_POSTGRES_URL is not set: PostgreSQL not tested");
                        return;
                    };
                    let db = db.expect("a fresh PostgreSQL database");
                    crate::migrate(&db).await;
                    super::$check(db).await;
                }
            }
        };
    }

    use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
    use uuid::Uuid;

    /// A new SQLite file in the temporary folder (a file, not memory, so several connections share it).
    pub async fn fresh_sqlite() -> Result<DatabaseConnection, DbErr> {
        let path = std::env::temp_dir().join(format!("hocvuso-test-{}.db", Uuid::new_v4().simple()));
        super::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// A new database on the server named by HOCVUSO_TEST_POSTGRES_URL; None when it is not set.
    pub async fn fresh_postgres() -> Option<Result<DatabaseConnection, DbErr>> {
        let base = std::env::var("HOCVUSO_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())?;
        Some(create_postgres(&base).await)
    }

    async fn create_postgres(base: &str) -> Result<DatabaseConnection, DbErr> {
        let name = format!("hocvuso_test_{}", Uuid::new_v4().simple());
        let admin = super::connect(base).await?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
        admin.close().await?;
        super::connect(&with_database(base, &name)).await
    }

    /// The same server URL with another database name.
    pub fn with_database(url: &str, name: &str) -> String {
        let (before_query, query) = match url.split_once('?') {
            Some((head, query)) => (head, format!("?{query}")),
            None => (url, String::new()),
        };
        let scheme_end = before_query.find("://").map_or(0, |i| i + 3);
        let base = match before_query[scheme_end..].find('/') {
            Some(slash) => &before_query[..scheme_end + slash],
            None => before_query,
        };
        format!("{base}/{name}{query}")
    }

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
