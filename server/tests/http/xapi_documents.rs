//! The xAPI document resources: State, Activity Profile, Agent Profile, Agents and Activities.
use hocvuso::auth::TokenScope;
use hocvuso::on_both_databases;
use hocvuso::service::accounts::tokens;
use reqwest::{Method, RequestBuilder, Response};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::{TestApp, spawn_app};

const ACTIVITY: &str = "https://mooc.example.edu.vn/courses/kns-01";
const REGISTRATION: &str = "0f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f";
/// The SHA-1 of `{"car":"MKX"}`.
const MKX_SHA1: &str = "7e862ffafee617d736564691a7d531c5151f6f64";
/// The SHA-1 of `{"car":"MKX","driver":"Dale"}`.
const MERGED_SHA1: &str = "d5be5d944fb15515fcc9fd652c2180bcaa9c322c";

fn agent() -> String {
    json!({"objectType": "Agent", "account": {"homePage": "https://mooc.example.edu.vn", "name": "HV-0001"}})
        .to_string()
}

/// An ingest client speaking xAPI 1.0.3 to the app.
struct Lrs {
    app: TestApp,
    token: String,
}

impl Lrs {
    async fn new(db: DatabaseConnection) -> Lrs {
        let (_, token) = tokens::create(&db, "test", "mooc", TokenScope::Ingest).await.unwrap();
        Lrs { app: spawn_app(db).await, token }
    }

    fn request(&self, method: Method, resource: &str, query: &[(&str, &str)]) -> RequestBuilder {
        self.app
            .client
            .request(method, format!("{}/xapi/{resource}", self.app.address))
            .query(query)
            .bearer_auth(&self.token)
            .header("x-experience-api-version", "1.0.3")
    }

    async fn send(&self, request: RequestBuilder) -> Response {
        request.send().await.expect("the server answers")
    }

    /// A write with a body of `content_type`.
    async fn write(
        &self,
        method: Method,
        resource: &str,
        query: &[(&str, &str)],
        content_type: &str,
        body: &str,
    ) -> Response {
        self.send(self.request(method, resource, query).header("content-type", content_type).body(body.to_string()))
            .await
    }

    async fn get(&self, resource: &str, query: &[(&str, &str)]) -> Response {
        self.send(self.request(Method::GET, resource, query)).await
    }

    async fn json(&self, resource: &str, query: &[(&str, &str)]) -> Value {
        let response = self.get(resource, query).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn status(&self, request: RequestBuilder) -> u16 {
        self.send(request).await.status().as_u16()
    }
}

async fn states_are_kept_merged_listed_and_deleted(db: DatabaseConnection) {
    let lrs = Lrs::new(db).await;
    let agent = agent();
    let state = |id: &'static str| [("activityId", ACTIVITY), ("agent", agent.as_str()), ("stateId", id)];
    let states = [("activityId", ACTIVITY), ("agent", agent.as_str())];

    // PUT, then GET the same bytes with their Content-Type and ETag (the quoted SHA-1).
    let put =
        lrs.write(Method::PUT, "activities/state", &state("progress"), "application/json", r#"{"car":"MKX"}"#).await;
    assert_eq!(put.status(), 204);
    assert_eq!(put.headers()["etag"], format!("\"{MKX_SHA1}\""));
    let got = lrs.get("activities/state", &state("progress")).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "application/json");
    assert_eq!(got.headers()["etag"], format!("\"{MKX_SHA1}\""));
    assert_eq!(got.headers()["x-experience-api-version"], "1.0.3");
    assert_eq!(got.text().await.unwrap(), r#"{"car":"MKX"}"#);
    assert_eq!(lrs.get("activities/state", &state("nosuch")).await.status(), 404);

    // A state may be replaced without a precondition (only profiles need one).
    let again =
        lrs.write(Method::PUT, "activities/state", &state("progress"), "application/json", r#"{"car":"MKX"}"#).await;
    assert_eq!(again.status(), 204);

    // POST merges top-level keys into the kept object; a later value wins.
    let merged = lrs
        .write(Method::POST, "activities/state", &state("progress"), "application/json", r#"{"driver":"Dale"}"#)
        .await;
    assert_eq!(merged.status(), 204);
    assert_eq!(lrs.json("activities/state", &state("progress")).await, json!({"car": "MKX", "driver": "Dale"}));
    assert_eq!(lrs.get("activities/state", &state("progress")).await.headers()["etag"], format!("\"{MERGED_SHA1}\""));

    // Nothing but a JSON object merges into a JSON object, and a refused POST changes nothing.
    let text = lrs.write(Method::POST, "activities/state", &state("progress"), "text/plain", "plain text").await;
    assert_eq!(text.status(), 400);
    let array = lrs.write(Method::POST, "activities/state", &state("progress"), "application/json", "[1]").await;
    assert_eq!(array.status(), 400);
    let broken = lrs.write(Method::POST, "activities/state", &state("progress"), "application/json", "{\"a\":").await;
    assert_eq!(broken.status(), 400);
    assert_eq!(lrs.json("activities/state", &state("progress")).await, json!({"car": "MKX", "driver": "Dale"}));

    // A kept document that is not JSON takes no merge either, and is read back as it was sent.
    let note = lrs.write(Method::PUT, "activities/state", &state("note"), "text/plain", "plain text").await;
    assert_eq!(note.status(), 204);
    let onto_text = lrs.write(Method::POST, "activities/state", &state("note"), "application/json", r#"{"a":1}"#).await;
    assert_eq!(onto_text.status(), 400);
    let got = lrs.get("activities/state", &state("note")).await;
    assert_eq!(got.headers()["content-type"], "text/plain");
    assert_eq!(got.text().await.unwrap(), "plain text");

    // POST of a new document keeps it as sent.
    let fresh = lrs.write(Method::POST, "activities/state", &state("fresh"), "application/json", r#"{"n":1}"#).await;
    assert_eq!(fresh.status(), 204);

    // A registration is part of the key: the same stateId under one is another document.
    let mut registered = state("progress").to_vec();
    registered.push(("registration", REGISTRATION));
    let other = lrs.write(Method::PUT, "activities/state", &registered, "application/json", r#"{"n":2}"#).await;
    assert_eq!(other.status(), 204);
    assert_eq!(lrs.json("activities/state", &registered).await, json!({"n": 2}));
    assert_eq!(lrs.json("activities/state", &state("progress")).await, json!({"car": "MKX", "driver": "Dale"}));

    // Without a stateId: the ids, of every registration unless one is named, changed after `since`.
    assert_eq!(lrs.json("activities/state", &states).await, json!(["fresh", "note", "progress"]));
    let mut of_registration = states.to_vec();
    of_registration.push(("registration", REGISTRATION));
    assert_eq!(lrs.json("activities/state", &of_registration).await, json!(["progress"]));
    let mut since_past = states.to_vec();
    since_past.push(("since", "2020-01-01T00:00:00Z"));
    assert_eq!(lrs.json("activities/state", &since_past).await, json!(["fresh", "note", "progress"]));
    let mut since_future = states.to_vec();
    since_future.push(("since", "2999-01-01T00:00:00+07:00"));
    assert_eq!(lrs.json("activities/state", &since_future).await, json!([]));

    // DELETE one, then all of them (of every registration).
    assert_eq!(lrs.status(lrs.request(Method::DELETE, "activities/state", &state("note"))).await, 204);
    assert_eq!(lrs.get("activities/state", &state("note")).await.status(), 404);
    assert_eq!(lrs.status(lrs.request(Method::DELETE, "activities/state", &state("note"))).await, 204);
    assert_eq!(lrs.json("activities/state", &states).await, json!(["fresh", "progress"]));
    assert_eq!(lrs.status(lrs.request(Method::DELETE, "activities/state", &states)).await, 204);
    assert_eq!(lrs.json("activities/state", &states).await, json!([]));
    assert_eq!(lrs.get("activities/state", &registered).await.status(), 404);
}

on_both_databases!(xapi_states, states_are_kept_merged_listed_and_deleted);

async fn profile_writes_honour_etags_and_refuse_blind_overwrites(db: DatabaseConnection) {
    let lrs = Lrs::new(db).await;
    let profile = [("activityId", ACTIVITY), ("profileId", "syllabus")];
    let put = |precondition: Option<(&'static str, String)>, body: &'static str| {
        let mut request =
            lrs.request(Method::PUT, "activities/profile", &profile).header("content-type", "application/json");
        if let Some((name, value)) = precondition {
            request = request.header(name, value);
        }
        lrs.status(request.body(body))
    };
    let quoted = |sha1: &str| format!("\"{sha1}\"");

    // A profile PUT needs a precondition: without one, 400 for a new document, 409 for a kept one.
    assert_eq!(put(None, r#"{"car":"MKX"}"#).await, 400);
    assert_eq!(lrs.get("activities/profile", &profile).await.status(), 404);
    assert_eq!(put(Some(("if-match", quoted(MKX_SHA1))), r#"{"car":"MKX"}"#).await, 412, "If-Match needs a document");
    assert_eq!(put(Some(("if-none-match", "*".into())), r#"{"car":"MKX"}"#).await, 204);
    assert_eq!(put(Some(("if-none-match", "*".into())), r#"{"car":"MKZ"}"#).await, 412);
    let conflict = lrs
        .send(
            lrs.request(Method::PUT, "activities/profile", &profile)
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await;
    assert_eq!(conflict.status(), 409);
    assert_eq!(conflict.json::<Value>().await.unwrap()["error"], "conflict");
    let wrong = quoted("1111111111111111111111111111111111111111");
    assert_eq!(put(Some(("if-match", wrong.clone())), r#"{"car":"MKZ"}"#).await, 412);
    assert_eq!(lrs.json("activities/profile", &profile).await, json!({"car": "MKX"}), "refusals change nothing");

    // The right ETag (quoted, or in a list) lets the write through.
    assert_eq!(put(Some(("if-match", format!("{wrong}, {}", quoted(MKX_SHA1)))), r#"{"speed":3}"#).await, 204);
    assert_eq!(lrs.json("activities/profile", &profile).await, json!({"speed": 3}));

    // POST needs no precondition, but honours one.
    let post = |precondition: &'static str, body: &'static str| {
        lrs.status(
            lrs.request(Method::POST, "activities/profile", &profile)
                .header("content-type", "application/json")
                .header("if-match", precondition)
                .body(body),
        )
    };
    assert_eq!(post("\"9f80fb47afefca6aa08b971ec57800d24b9a62c4\"", r#"{"speed":4}"#).await, 412);
    assert_eq!(post("\"9f80fb47afefca6aa08b971ec57800d24b9a62c5\"", r#"{"speed":4}"#).await, 204);
    assert_eq!(lrs.json("activities/profile", &profile).await, json!({"speed": 4}));

    // DELETE under If-Match: the wrong tag keeps the document, the right one removes it.
    let delete = |tag: &'static str| {
        lrs.status(lrs.request(Method::DELETE, "activities/profile", &profile).header("if-match", tag))
    };
    assert_eq!(delete("\"9f80fb47afefca6aa08b971ec57800d24b9a62c5\"").await, 412);
    assert_eq!(delete("\"461b9fffd21c49216cf3a9af62210fb9e7540038\"").await, 204);
    assert_eq!(lrs.get("activities/profile", &profile).await.status(), 404);

    // Without a profileId, GET lists the ids; agent profiles are kept apart by agent.
    let agent = agent();
    let agent_profile = [("agent", agent.as_str()), ("profileId", "contact")];
    let kept = lrs
        .send(
            lrs.request(Method::PUT, "agents/profile", &agent_profile)
                .header("content-type", "application/json")
                .header("if-none-match", "*")
                .body(r#"{"car":"MKX"}"#),
        )
        .await;
    assert_eq!(kept.status(), 204);
    assert_eq!(lrs.json("agents/profile", &[("agent", agent.as_str())]).await, json!(["contact"]));
    let stranger = json!({"mbox": "mailto:khac@example.com"}).to_string();
    assert_eq!(lrs.json("agents/profile", &[("agent", stranger.as_str())]).await, json!([]));
    assert_eq!(lrs.json("activities/profile", &[("activityId", ACTIVITY)]).await, json!([]));
    let got = lrs.get("agents/profile", &agent_profile).await;
    assert_eq!(got.headers()["etag"], format!("\"{MKX_SHA1}\""));
    assert_eq!(lrs.status(lrs.request(Method::DELETE, "agents/profile", &[("agent", agent.as_str())])).await, 400);
}

on_both_databases!(xapi_profiles, profile_writes_honour_etags_and_refuse_blind_overwrites);

async fn agents_and_activities_resources_describe_what_they_are_given(db: DatabaseConnection) {
    let lrs = Lrs::new(db).await;
    let agent = json!({"objectType": "Agent", "name": "Lò Văn Pao", "mbox": "mailto:pao@example.com"}).to_string();
    assert_eq!(
        lrs.json("agents", &[("agent", agent.as_str())]).await,
        json!({"objectType": "Person", "name": ["Lò Văn Pao"], "mbox": ["mailto:pao@example.com"]})
    );
    let by_account = json!({"account": {"homePage": "https://mooc.example.edu.vn", "name": "HV-0001"}}).to_string();
    assert_eq!(
        lrs.json("agents", &[("agent", by_account.as_str())]).await,
        json!({"objectType": "Person", "account": [{"homePage": "https://mooc.example.edu.vn", "name": "HV-0001"}]})
    );

    // An activity no statement names: its id alone.
    assert_eq!(
        lrs.json("activities", &[("activityId", ACTIVITY)]).await,
        json!({"objectType": "Activity", "id": ACTIVITY})
    );
    // Two statements describe it in two languages: both are given back.
    let statement = |id: &str, name: Value| {
        json!({
            "id": id,
            "actor": {"objectType": "Agent", "mbox": "mailto:pao@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
            "object": {"objectType": "Activity", "id": ACTIVITY, "definition": {"name": name, "type": "http://adlnet.gov/expapi/activities/course"}}
        })
    };
    let posted = lrs
        .send(lrs.request(Method::POST, "statements", &[]).json(&json!([
            statement("1f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", json!({"vi-VN": "Kỹ năng số"})),
            statement("2f5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", json!({"en-US": "Digital skills"})),
        ])))
        .await;
    assert_eq!(posted.status(), 200);
    assert_eq!(
        lrs.json("activities", &[("activityId", ACTIVITY)]).await,
        json!({
            "objectType": "Activity",
            "id": ACTIVITY,
            "definition": {
                "name": {"vi-VN": "Kỹ năng số", "en-US": "Digital skills"},
                "type": "http://adlnet.gov/expapi/activities/course"
            }
        })
    );
}

on_both_databases!(xapi_agents_activities, agents_and_activities_resources_describe_what_they_are_given);

async fn document_requests_are_checked_before_anything_is_read(db: DatabaseConnection) {
    let (_, reader) = tokens::create(&db, "test", "reader", TokenScope::ReadStats).await.unwrap();
    let lrs = &Lrs::new(db).await;
    let agent = agent();
    let group = json!({"objectType": "Group", "mbox": "mailto:nhom@example.com"}).to_string();
    let (agent, group) = (agent.as_str(), group.as_str());

    // Each refused GET of a state, and the words its 400 says it with.
    let refusals: [(&[(&str, &str)], &str); 9] = [
        (
            &[("activityId", ACTIVITY), ("agent", agent), ("stateId", "s"), ("foo", "bar")],
            "foo: not a parameter of this resource",
        ),
        (
            &[("activityId", ACTIVITY), ("agent", agent), ("stateId", "s"), ("stateId", "t")],
            "stateId: given more than once",
        ),
        (&[("activityId", ACTIVITY), ("stateId", "s")], "agent: required"),
        (&[("agent", agent)], "activityId: required"),
        (&[("activityId", ACTIVITY), ("agent", "not JSON"), ("stateId", "s")], "agent: not a JSON object"),
        (&[("activityId", ACTIVITY), ("agent", group), ("stateId", "s")], "agent.objectType: \"Group\" is not Agent"),
        (&[("activityId", "kns-01"), ("agent", agent)], "activityId: \"kns-01\" is not an absolute IRI"),
        (
            &[("activityId", ACTIVITY), ("agent", agent), ("registration", "true")],
            "registration: \"true\" is not a UUID",
        ),
        (
            &[("activityId", ACTIVITY), ("agent", agent), ("since", "yesterday")],
            "since: \"yesterday\" is not an ISO 8601 timestamp",
        ),
    ];
    for (query, words) in refusals {
        let said = message(lrs.get("activities/state", query).await).await;
        assert!(said.contains(words), "{said} does not say {words}");
    }

    // `since` is for lists; a write takes no such parameter, and needs its document id.
    let with_since = [("activityId", ACTIVITY), ("agent", agent), ("stateId", "s"), ("since", "2020-01-01T00:00:00Z")];
    let since_on_put = lrs.write(Method::PUT, "activities/state", &with_since, "application/json", "{}").await;
    assert!(message(since_on_put).await.contains("since: not a parameter of this resource"));
    let without_id = [("activityId", ACTIVITY), ("agent", agent)];
    let post_without_id = lrs.write(Method::POST, "activities/state", &without_id, "application/json", "{}").await;
    assert!(message(post_without_id).await.contains("stateId: required"));
    assert_eq!(lrs.get("activities", &[]).await.status(), 400);
    assert_eq!(lrs.get("agents", &[("agent", r#"{"name":"no identifier"}"#)]).await.status(), 400);

    // The version header is required; then credentials.
    let url = format!("{}/xapi/activities/state", lrs.app.address);
    let query = [("activityId", ACTIVITY), ("agent", agent), ("stateId", "s")];
    let unversioned = lrs.app.client.get(&url).query(&query).bearer_auth(&lrs.token).send().await.unwrap();
    assert!(message(unversioned).await.contains("X-Experience-API-Version 1.0.x is required"));
    let anonymous =
        lrs.app.client.get(&url).query(&query).header("x-experience-api-version", "1.0.3").send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let stats_reader =
        lrs.app.client.get(&url).query(&query).bearer_auth(&reader).header("x-experience-api-version", "1.0.3");
    assert_eq!(stats_reader.send().await.unwrap().status(), 403);
}

/// The message of a 400.
async fn message(response: Response) -> String {
    assert_eq!(response.status(), 400);
    response.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_string()
}

on_both_databases!(xapi_document_requests, document_requests_are_checked_before_anything_is_read);
