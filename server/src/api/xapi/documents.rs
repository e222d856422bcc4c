//! The xAPI document resources: State, Activity Profile, Agent Profile, and the Activities and
//! Agents resources. The query string is read once into the service's types: an unknown, repeated
//! or missing parameter is a 400 naming it.
use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use hocvuso::Error;
use hocvuso::auth::{Actor, TokenScope};
use hocvuso::service::lrs::documents::{
    self, ActivityId, Agent, DocumentKey, Documents, MAX_DOCUMENT_BYTES, Preconditions, Tags, Upload,
};
use hocvuso_app::state::AppState;

use super::super::{ApiError, ApiResult, Caller};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities/state", document_routes(Resource::State))
        .route("/activities/profile", document_routes(Resource::ActivityProfile))
        .route("/agents/profile", document_routes(Resource::AgentProfile))
        .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES))
        .route("/activities", get(activity))
        .route("/agents", get(person))
}

/// The resources that keep documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resource {
    State,
    ActivityProfile,
    AgentProfile,
}

impl Resource {
    /// The parameter naming one document.
    fn id_name(self) -> &'static str {
        match self {
            Resource::State => "stateId",
            Resource::ActivityProfile | Resource::AgentProfile => "profileId",
        }
    }

    /// The parameters `method` takes here (Communication 2.3, 2.6, 2.7).
    fn parameters(self, method: &Method) -> &'static [&'static str] {
        let get = method == Method::GET || method == Method::HEAD;
        match self {
            Resource::State if get => &["activityId", "agent", "registration", "stateId", "since"],
            Resource::State => &["activityId", "agent", "registration", "stateId"],
            Resource::ActivityProfile if get => &["activityId", "profileId", "since"],
            Resource::ActivityProfile => &["activityId", "profileId"],
            Resource::AgentProfile if get => &["agent", "profileId", "since"],
            Resource::AgentProfile => &["agent", "profileId"],
        }
    }
}

/// GET, PUT, POST and DELETE on one document resource.
fn document_routes(resource: Resource) -> MethodRouter<AppState> {
    get(move |State(state): State<AppState>, Caller(actor): Caller, uri: Uri| read(state, actor, uri, resource))
        .put(
            move |State(state): State<AppState>,
                  Caller(actor): Caller,
                  headers: HeaderMap,
                  uri: Uri,
                  body: Result<Bytes, BytesRejection>| {
                write(state, actor, headers, uri, body, resource, Method::PUT)
            },
        )
        .post(
            move |State(state): State<AppState>,
                  Caller(actor): Caller,
                  headers: HeaderMap,
                  uri: Uri,
                  body: Result<Bytes, BytesRejection>| {
                write(state, actor, headers, uri, body, resource, Method::POST)
            },
        )
        .delete(move |State(state): State<AppState>, Caller(actor): Caller, headers: HeaderMap, uri: Uri| {
            remove(state, actor, headers, uri, resource)
        })
}

/// Which documents a request is about, as its query string says.
enum Target {
    One(DocumentKey),
    All(Documents),
}

struct DocumentRequest {
    target: Target,
    since: Option<chrono::DateTime<chrono::Utc>>,
}

impl DocumentRequest {
    fn parse(resource: Resource, method: &Method, uri: &Uri) -> Result<Self, Error> {
        let params = Params::parse(uri, resource.parameters(method))?;
        let set = match resource {
            Resource::State => Documents::state(
                &ActivityId::parse(params.required("activityId")?)?,
                &Agent::parse(params.required("agent")?)?,
                params.optional("registration").map(documents::parse_registration).transpose()?,
            ),
            Resource::ActivityProfile => {
                Documents::activity_profile(&ActivityId::parse(params.required("activityId")?)?)
            }
            Resource::AgentProfile => Documents::agent_profile(&Agent::parse(params.required("agent")?)?),
        };
        // Only a GET lists, and only a State DELETE removes them all.
        let many = method == Method::GET
            || method == Method::HEAD
            || (resource == Resource::State && method == Method::DELETE);
        let target = match params.optional(resource.id_name()) {
            Some(id) => Target::One(set.document(id)?),
            None if many => Target::All(set),
            None => return Err(missing(resource.id_name())),
        };
        let since = params.optional("since").map(documents::parse_since).transpose()?;
        Ok(DocumentRequest { target, since })
    }
}

/// A query string's parameters, each known to the resource and given once.
struct Params(HashMap<String, String>);

impl Params {
    fn parse(uri: &Uri, known: &[&str]) -> Result<Self, Error> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map_err(|_| Error::BadRequest("the query string cannot be read".into()))?;
        let mut params = HashMap::new();
        for (name, value) in pairs {
            if !known.contains(&name.as_str()) {
                return Err(Error::BadRequest(format!("{name}: not a parameter of this resource")));
            }
            if params.insert(name.clone(), value).is_some() {
                return Err(Error::BadRequest(format!("{name}: given more than once")));
            }
        }
        Ok(Params(params))
    }

    fn required(&self, name: &str) -> Result<&str, Error> {
        self.optional(name).ok_or_else(|| missing(name))
    }

    fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

fn missing(name: &str) -> Error {
    Error::BadRequest(format!("{name}: required"))
}

/// Credentials before parameters: an unknown caller learns nothing of what it asked for.
fn admit(actor: &Actor) -> Result<(), Error> {
    actor.require_token(TokenScope::Ingest).map(|_| ())
}

/// `If-Match` and `If-None-Match` (RFC 7232): `*` or a list of entity tags, weak or strong.
fn preconditions(headers: &HeaderMap) -> Preconditions {
    let tags = |name| {
        let values: Vec<&str> = headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.is_empty() {
            return None;
        }
        let listed: Vec<&str> =
            values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|t| !t.is_empty()).collect();
        if listed.contains(&"*") {
            return Some(Tags::Any);
        }
        let unquoted = listed.iter().map(|t| t.trim_start_matches("W/").trim_matches('"').to_string()).collect();
        Some(Tags::Listed(unquoted))
    };
    Preconditions { if_match: tags(IF_MATCH), if_none_match: tags(IF_NONE_MATCH) }
}

fn etag_header(etag: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{etag}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// GET (and HEAD): one document with its Content-Type, ETag and Last-Modified; without a document
/// id, the ids as a JSON array.
async fn read(state: AppState, actor: Actor, uri: Uri, resource: Resource) -> ApiResult<Response> {
    admit(&actor)?;
    let request = DocumentRequest::parse(resource, &Method::GET, &uri)?;
    Ok(match request.target {
        Target::One(key) => {
            let document = documents::get(&state.db, &actor, &key).await?;
            let content_type = HeaderValue::from_str(&document.content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
            let modified = document.updated.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            let mut response = (StatusCode::OK, document.content).into_response();
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, content_type);
            headers.insert(ETAG, etag_header(&document.etag));
            if let Ok(modified) = HeaderValue::from_str(&modified) {
                headers.insert(LAST_MODIFIED, modified);
            }
            response
        }
        Target::All(set) => Json(documents::ids(&state.db, &actor, &set, request.since).await?).into_response(),
    })
}

/// PUT or POST of one document: 204 with its new ETag.
async fn write(
    state: AppState,
    actor: Actor,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
    resource: Resource,
    method: Method,
) -> ApiResult<Response> {
    admit(&actor)?;
    let Target::One(key) = DocumentRequest::parse(resource, &method, &uri)?.target else {
        return Err(ApiError(missing(resource.id_name())));
    };
    let content = match body {
        Ok(bytes) => bytes.to_vec(),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(ApiError(Error::TooLarge)),
        Err(_) => return Err(ApiError(Error::BadRequest("the body cannot be read".into()))),
    };
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let upload = Upload { content_type, content };
    let preconditions = preconditions(&headers);
    let etag = if method == Method::PUT {
        documents::put(&state.db, &actor, &key, &preconditions, upload).await?
    } else {
        documents::post(&state.db, &actor, &key, &preconditions, upload).await?
    };
    Ok((StatusCode::NO_CONTENT, [(ETAG, etag_header(&etag))]).into_response())
}

/// DELETE of one document, or (State) of all the agent's states in the activity: 204.
async fn remove(
    state: AppState,
    actor: Actor,
    headers: HeaderMap,
    uri: Uri,
    resource: Resource,
) -> ApiResult<Response> {
    admit(&actor)?;
    match DocumentRequest::parse(resource, &Method::DELETE, &uri)?.target {
        Target::One(key) => documents::delete(&state.db, &actor, &key, &preconditions(&headers)).await?,
        Target::All(set) => documents::delete_all(&state.db, &actor, &set).await?,
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /xapi/activities?activityId=…`: the Activity, with what statements say of its definition.
async fn activity(State(state): State<AppState>, Caller(actor): Caller, uri: Uri) -> ApiResult<Response> {
    admit(&actor)?;
    let params = Params::parse(&uri, &["activityId"])?;
    let id = ActivityId::parse(params.required("activityId")?)?;
    Ok(Json(documents::activity(&state.db, &actor, &id).await?).into_response())
}

/// `GET /xapi/agents?agent=…`: the Person the agent is.
async fn person(Caller(actor): Caller, uri: Uri) -> ApiResult<Response> {
    admit(&actor)?;
    let params = Params::parse(&uri, &["agent"])?;
    let agent = Agent::parse(params.required("agent")?)?;
    Ok(Json(documents::person(&actor, &agent)?).into_response())
}
