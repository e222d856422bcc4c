use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

pub async fn sqlite() -> DatabaseConnection {
    let db = hocvuso::db::testing::fresh_sqlite().await.expect("a fresh SQLite database");
    Migrator::up(&db, None).await.expect("migrations apply");
    db
}

pub async fn postgres() -> Option<DatabaseConnection> {
    let db = hocvuso::db::testing::fresh_postgres().await?.expect("a fresh PostgreSQL database");
    Migrator::up(&db, None).await.expect("migrations apply");
    Some(db)
}
