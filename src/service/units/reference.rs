//! Reference data: provinces and communes after the 2025 reform.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Result;
use crate::entity::commune;
use crate::model::Area;

/// The communes of an area (the whole country's 3,321, or a province's), by name.
pub async fn communes(db: &impl ConnectionTrait, area: Area) -> Result<Vec<commune::Model>> {
    let mut query = commune::Entity::find().order_by_asc(commune::Column::Name);
    if let Some(code) = area.province() {
        query = query.filter(commune::Column::ProvinceCode.eq(code));
    }
    Ok(query.all(db).await?)
}
