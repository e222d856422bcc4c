//! `/xapi/statements`: POST (one statement or many), PUT (one, under `statementId`), GET (one by
//! `statementId` or `voidedStatementId`, or a page by query) and HEAD. Parameters are parsed once
//! here into the service's types; an unknown parameter is refused with 400, as xAPI asks.
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_TYPE, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocvuso::Error;
use hocvuso::service::lrs::statements::{self as service, Cursor, Format, Part, Query};
use hocvuso::service::lrs::validate;
use hocvuso_app::state::AppState;
use serde_json::{Value, json};
use uuid::Uuid;

use super::multipart;
use crate::api::{ApiResult, Caller};

pub fn router() -> Router<AppState> {
    Router::new().route("/statements", get(read).post(post).put(put))
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadRequest(message.into())
}

fn params(query: Option<String>) -> Result<Vec<(String, String)>, Error> {
    serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).map_err(|_| bad("the query is not URL-encoded"))
}

/// The statements and attachments of a POST or PUT body: JSON, or multipart/mixed with attachments.
fn body(headers: &HeaderMap, bytes: &[u8]) -> Result<(Value, Vec<Part>), Error> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if let Some(boundary) = multipart::boundary(content_type) {
        return multipart::statements_and_parts(bytes, &boundary?);
    }
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence != "application/json" {
        return Err(bad("statements are sent as application/json, or multipart/mixed with attachments"));
    }
    let value = serde_json::from_slice(bytes).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    Ok((value, Vec::new()))
}

/// `POST /xapi/statements`: 200 with the statement ids, in order.
async fn post(
    State(state): State<AppState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    actor.require_token(hocvuso::auth::TokenScope::Ingest)?;
    if let Some((name, _)) = params(query)?.first() {
        return Err(bad(format!("POST /statements takes no parameter ({name})")).into());
    }
    let (statements, parts) = body(&headers, &bytes)?;
    let ids = service::post(&state.db, &actor, statements, parts).await?;
    Ok(axum::Json(ids.into_iter().map(|id| id.to_string()).collect::<Vec<_>>()).into_response())
}

/// `PUT /xapi/statements?statementId=`: 204.
async fn put(
    State(state): State<AppState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    actor.require_token(hocvuso::auth::TokenScope::Ingest)?;
    let mut id = None;
    for (name, value) in params(query)? {
        match name.as_str() {
            "statementId" => id = Some(uuid_param(&name, &value)?),
            other => return Err(bad(format!("PUT /statements takes statementId only, not {other}")).into()),
        }
    }
    let id = id.ok_or_else(|| bad("PUT /statements needs statementId"))?;
    let (statement, parts) = body(&headers, &bytes)?;
    service::put(&state.db, &actor, id, statement, parts).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn uuid_param(name: &str, value: &str) -> Result<Uuid, Error> {
    if !validate::is_uuid(value) {
        return Err(bad(format!("{name}: {value:?} is not a UUID")));
    }
    Uuid::parse_str(value).map_err(|_| bad(format!("{name}: not a UUID")))
}

fn flag(name: &str, value: &str) -> Result<bool, Error> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(format!("{name} is true or false"))),
    }
}

fn instant(name: &str, value: &str) -> Result<chrono::DateTime<chrono::Utc>, Error> {
    validate::parse_timestamp(value)
        .map(|at| at.with_timezone(&chrono::Utc))
        .ok_or_else(|| bad(format!("{name}: {value:?} is not an ISO 8601 timestamp")))
}

/// What a GET asks for.
enum Read {
    One { id: Uuid, voided: bool },
    Many(Query),
}

fn read_params(pairs: &[(String, String)]) -> Result<(Read, Format, bool), Error> {
    let (mut one, mut format, mut attachments) = (None, Format::Exact, false);
    let mut query = Query::default();
    let mut filters = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "statementId" | "voidedStatementId" => {
                if one.is_some() {
                    return Err(bad("statementId and voidedStatementId are one at a time"));
                }
                one = Some(Read::One { id: uuid_param(name, value)?, voided: name == "voidedStatementId" });
            }
            "format" => format = Format::parse(value).ok_or_else(|| bad("format is ids, exact or canonical"))?,
            "attachments" => attachments = flag(name, value)?,
            "agent" => {
                let agent: Value = serde_json::from_str(value).map_err(|_| bad("agent: not JSON"))?;
                validate::actor(&agent, "agent").map_err(bad)?;
                query.agent =
                    Some(validate::agent_key(&agent).ok_or_else(|| bad("agent: an identified agent or group"))?);
                filters.push(name);
            }
            "verb" | "activity" => {
                if !validate::is_iri(value) {
                    return Err(bad(format!("{name}: {value:?} is not an IRI")));
                }
                if name == "verb" {
                    query.verb = Some(value.clone());
                } else {
                    query.activity = Some(value.clone());
                }
                filters.push(name);
            }
            "registration" => {
                query.registration = Some(uuid_param(name, value)?.to_string());
                filters.push(name);
            }
            "related_activities" => {
                query.related_activities = flag(name, value)?;
                filters.push(name);
            }
            "related_agents" => {
                query.related_agents = flag(name, value)?;
                filters.push(name);
            }
            "since" => {
                query.since = Some(instant(name, value)?);
                filters.push(name);
            }
            "until" => {
                query.until = Some(instant(name, value)?);
                filters.push(name);
            }
            "limit" => {
                query.limit = value.parse().map_err(|_| bad("limit is a whole number"))?;
                filters.push(name);
            }
            "ascending" => {
                query.ascending = flag(name, value)?;
                filters.push(name);
            }
            // Where the previous page ended (the `more` link).
            "from" => {
                query.after = Some(Cursor::decode(value).ok_or_else(|| bad("from: not a position this LRS gave"))?);
                filters.push(name);
            }
            other => return Err(bad(format!("GET /statements does not take {other}"))),
        }
    }
    match one {
        Some(_) if !filters.is_empty() => {
            Err(bad("statementId and voidedStatementId take no other parameter than format and attachments"))
        }
        Some(one) => Ok((one, format, attachments)),
        None => Ok((Read::Many(query), format, attachments)),
    }
}

/// The reader's languages, best first (Accept-Language), for `format=canonical`.
fn languages(headers: &HeaderMap) -> Vec<String> {
    let header = headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut weighted: Vec<(f32, String)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim().to_string();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")?.parse().ok()).unwrap_or(1.0);
            (!tag.is_empty() && tag != "*").then_some((q, tag))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

/// `GET /xapi/statements`.
async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    actor.require_token(hocvuso::auth::TokenScope::Ingest)?;
    let pairs = params(raw)?;
    let (read, format, with_attachments) = read_params(&pairs)?;
    let langs = languages(&headers);
    let (value, statements, last_modified) = match read {
        Read::One { id, voided } => {
            let kept = service::one(&state.db, &actor, id, voided).await?;
            let value = format.apply(&kept.statement, &langs);
            (value, vec![kept.statement], Some(kept.stored))
        }
        Read::Many(query) => {
            let page = service::query(&state.db, &actor, &query).await?;
            let more = match page.next {
                Some(next) => {
                    let mut pairs: Vec<(String, String)> = pairs.into_iter().filter(|(n, _)| n != "from").collect();
                    pairs.push(("from".into(), next.encode()));
                    format!("/xapi/statements?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
                }
                None => String::new(),
            };
            let kept: Vec<Value> = page.statements.into_iter().map(|k| k.statement).collect();
            let shown: Vec<Value> = kept.iter().map(|s| format.apply(s, &langs)).collect();
            (json!({"statements": shown, "more": more}), kept, None)
        }
    };
    let mut response = if with_attachments {
        let attachments = service::attachments(&state.db, &statements).await?;
        let boundary = format!("hocvuso-{}", Uuid::new_v4().simple());
        let body = multipart::answer(&value, &attachments, &boundary);
        let mut response = body.into_response();
        let content_type = format!("multipart/mixed; boundary={boundary}");
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_str(&content_type).map_err(|_| Error::Internal)?);
        response
    } else {
        axum::Json(value).into_response()
    };
    let headers = response.headers_mut();
    if let Some(stored) = last_modified
        && let Ok(value) = HeaderValue::from_str(&stored.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        headers.insert(LAST_MODIFIED, value);
    }
    Ok(response)
}
