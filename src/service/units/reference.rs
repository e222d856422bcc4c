//! Reference data: provinces and communes after the 2025 reform.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Result;
use crate::entity::commune;

pub async fn communes(db: &impl ConnectionTrait, province: i32) -> Result<Vec<commune::Model>> {
    Ok(commune::Entity::find()
        .filter(commune::Column::ProvinceCode.eq(province))
        .order_by_asc(commune::Column::Name)
        .all(db)
        .await?)
}
