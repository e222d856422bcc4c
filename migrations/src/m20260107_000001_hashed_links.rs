//! Progress-link tokens are kept as their SHA-256 digest, as session ids and API tokens are: a copy
//! of the database no longer opens every learner's page. A link is shown when it is made or
//! renewed; printed cards keep working. A lookup by phone and birth date opens the page through a
//! grant of its own, short-lived and kept the same way.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

#[derive(DeriveIden)]
enum Learner {
    Table,
    Id,
    AccessToken,
}

#[derive(DeriveIden)]
enum ProgressGrant {
    Table,
    Digest,
    LearnerId,
    ExpiresAt,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260107_000001_hashed_links"
    }
}

/// The same digest as `hocvuso::service::secret::digest` (a migration never changes, so it keeps its own).
fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Learners hashed per statement: 3 values a row, well under either database's bound parameters.
const ROWS_PER_STATEMENT: u64 = 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgressGrant::Table)
                    .col(ColumnDef::new(ProgressGrant::Digest).string().not_null().primary_key())
                    .col(ColumnDef::new(ProgressGrant::LearnerId).uuid().not_null())
                    .col(ColumnDef::new(ProgressGrant::ExpiresAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProgressGrant::Table, ProgressGrant::LearnerId)
                            .to(Learner::Table, Learner::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_progress_grant_learner", ProgressGrant::LearnerId),
            ("idx_progress_grant_expires", ProgressGrant::ExpiresAt),
        ] {
            manager.create_index(Index::create().name(name).table(ProgressGrant::Table).col(column).to_owned()).await?;
        }

        // Every token becomes its digest, a page of learners at a time in id order (ids never change).
        let db = manager.get_connection();
        let mut after: Option<uuid::Uuid> = None;
        loop {
            let mut page = Query::select();
            page.columns([Learner::Id, Learner::AccessToken])
                .from(Learner::Table)
                .and_where(Expr::col(Learner::AccessToken).is_not_null())
                .order_by(Learner::Id, Order::Asc)
                .limit(ROWS_PER_STATEMENT);
            if let Some(last) = after {
                page.and_where(Expr::col(Learner::Id).gt(last));
            }
            let rows = db.query_all(&page).await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut case = CaseStatement::new();
            let mut ids = Vec::with_capacity(rows.len());
            for row in &rows {
                let id: uuid::Uuid = row.try_get("", "id")?;
                let token: String = row.try_get("", "access_token")?;
                case = case.case(Expr::col(Learner::Id).eq(id), digest(&token));
                ids.push(id);
            }
            after = ids.last().copied();
            let update = Query::update()
                .table(Learner::Table)
                .value(Learner::AccessToken, case.finally(Expr::col(Learner::AccessToken)))
                .and_where(Expr::col(Learner::Id).is_in(ids))
                .to_owned();
            db.execute(&update).await?;
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A digest cannot be turned back into its token: the links stay as they are.
        manager.drop_table(Table::drop().table(ProgressGrant::Table).to_owned()).await
    }
}
