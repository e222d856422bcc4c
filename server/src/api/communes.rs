use axum::Json;
use axum::extract::{Query, State};
use hocvuso::Error;
use hocvuso::auth::Actor;
use hocvuso_app::state::AppState;
use serde::Deserialize;
use serde::Serialize;

use super::{ApiResult, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommuneQuery {
    /// Official province code; this deployment's province (the whole country if it has none) when left out.
    province: Option<i32>,
}

/// A commune (xã), ward (phường) or special zone (đặc khu), with its official code.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Commune {
    code: i32,
    name: String,
    kind: String,
}

/// `GET /api/v1/communes?province=15`: the official list, `[{"code","name","kind"}]`.
#[utoipa::path(get, path = "/communes", tag = "units", params(CommuneQuery),
    responses((status = 200, body = Vec<Commune>), (status = "4XX", description = "Refused: `error` says why", body = crate::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<CommuneQuery>,
) -> ApiResult<Json<Vec<Commune>>> {
    if actor == Actor::Anonymous {
        return Err(Error::Unauthorized.into());
    }
    let area = query.province.map_or(state.landing, hocvuso::model::Area::Province);
    let communes = hocvuso::service::units::reference::communes(&state.db, area).await?;
    Ok(Json(communes.into_iter().map(|c| Commune { code: c.code, name: c.name, kind: c.kind }).collect()))
}
