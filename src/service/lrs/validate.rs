//! The xAPI 1.0.3 rules a statement must meet before it is kept (Data, sections 2 and 4). A
//! statement is checked once, as received, and refused with a message naming the first property
//! that breaks a rule: the LRS answers 400 with it. Unknown properties, `null` values and wrong
//! types are refused everywhere but inside `extensions`, as the specification asks.
use serde_json::{Map, Value};

/// Why a statement (or an agent, an activity id, …) is not valid: the property's path and the rule.
pub type Invalid = String;

type Checked = std::result::Result<(), Invalid>;

pub const VERB_VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// A whole statement, as posted, named `path` in messages (`statement`, `statements[3]`).
/// Properties the LRS sets (`stored`, `authority`, `version`) may be present and are checked too.
pub fn statement(value: &Value, path: &str) -> Checked {
    let object = as_object(value, path)?;
    known(
        object,
        path,
        &[
            "id",
            "actor",
            "verb",
            "object",
            "result",
            "context",
            "timestamp",
            "stored",
            "authority",
            "version",
            "attachments",
        ],
    )?;
    if let Some(id) = object.get("id") {
        uuid(id, &format!("{path}.id"))?;
    }
    statement_body(object, path, false)?;
    if let Some(stored) = object.get("stored") {
        timestamp(stored, &format!("{path}.stored"))?;
    }
    if let Some(authority) = object.get("authority") {
        actor(authority, &format!("{path}.authority"))?;
        // A group authority is OAuth's: an anonymous group of two agents, the client and the user.
        if authority.get("objectType").and_then(Value::as_str) == Some("Group") {
            let members = authority.get("member").and_then(Value::as_array).map_or(0, Vec::len);
            if members != 2 || agent_key(authority).is_some() {
                return Err(format!("{path}.authority: a group authority is an anonymous group of exactly two agents"));
            }
        }
    }
    if let Some(version) = object.get("version") {
        let version = string(version, &format!("{path}.version"))?;
        if !is_spoken_version(version) {
            return Err(format!("{path}.version: {version:?} is not 1.0.x or 2.0.0"));
        }
    }
    Ok(())
}

/// The xAPI versions this LRS takes, in a statement's `version` and in `X-Experience-API-Version`:
/// 1.0, 1.0.x and 2.0.0.
pub fn is_spoken_version(text: &str) -> bool {
    text == "1.0"
        || text == "2.0.0"
        || text.strip_prefix("1.0.").is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()))
}

/// What a statement and a sub-statement share: actor, verb, object, result, context, timestamp,
/// attachments.
fn statement_body(object: &Map<String, Value>, path: &str, sub: bool) -> Checked {
    let actor_value = required(object, path, "actor")?;
    actor(actor_value, &format!("{path}.actor"))?;
    let verb_value = required(object, path, "verb")?;
    verb(verb_value, &format!("{path}.verb"))?;
    let object_value = required(object, path, "object")?;
    let object_type = statement_object(object_value, &format!("{path}.object"), sub)?;
    if verb_value.get("id").and_then(Value::as_str) == Some(VERB_VOIDED) && object_type != "StatementRef" {
        return Err(format!("{path}.object: a voiding statement's object must be a StatementRef"));
    }
    if let Some(result_value) = object.get("result") {
        result(result_value, &format!("{path}.result"))?;
    }
    if let Some(context_value) = object.get("context") {
        context(context_value, &format!("{path}.context"), object_type)?;
    }
    if let Some(timestamp_value) = object.get("timestamp") {
        timestamp(timestamp_value, &format!("{path}.timestamp"))?;
    }
    if let Some(attachments_value) = object.get("attachments") {
        let items = array(attachments_value, &format!("{path}.attachments"))?;
        for (i, item) in items.iter().enumerate() {
            attachment(item, &format!("{path}.attachments[{i}]"))?;
        }
    }
    Ok(())
}

/// An actor: an agent, or a group (`objectType` "Group").
pub fn actor(value: &Value, path: &str) -> Checked {
    let object = as_object(value, path)?;
    match object.get("objectType") {
        None => agent_fields(object, path),
        Some(kind) => match string(kind, &format!("{path}.objectType"))? {
            "Agent" => agent_fields(object, path),
            "Group" => group(object, path),
            other => Err(format!("{path}.objectType: {other:?} is not Agent or Group")),
        },
    }
}

/// An agent (as the `agent` parameter of the document resources names one): exactly one of mbox,
/// mbox_sha1sum, openid and account.
pub fn agent(value: &Value, path: &str) -> Checked {
    let object = as_object(value, path)?;
    if let Some(kind) = object.get("objectType") {
        let kind = string(kind, &format!("{path}.objectType"))?;
        if kind != "Agent" {
            return Err(format!("{path}.objectType: {kind:?} is not Agent"));
        }
    }
    agent_fields(object, path)
}

fn agent_fields(object: &Map<String, Value>, path: &str) -> Checked {
    known(object, path, &["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"])?;
    if let Some(name) = object.get("name") {
        string(name, &format!("{path}.name"))?;
    }
    match identifiers(object, path)? {
        1 => Ok(()),
        0 => Err(format!("{path}: an agent needs one of mbox, mbox_sha1sum, openid, account")),
        _ => Err(format!("{path}: an agent has exactly one of mbox, mbox_sha1sum, openid, account")),
    }
}

fn group(object: &Map<String, Value>, path: &str) -> Checked {
    known(object, path, &["objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"])?;
    if let Some(name) = object.get("name") {
        string(name, &format!("{path}.name"))?;
    }
    let ifis = identifiers(object, path)?;
    if ifis > 1 {
        return Err(format!("{path}: a group has at most one of mbox, mbox_sha1sum, openid, account"));
    }
    match object.get("member") {
        Some(members) => {
            let members = array(members, &format!("{path}.member"))?;
            if ifis == 0 && members.is_empty() {
                return Err(format!("{path}.member: an anonymous group must list its members"));
            }
            for (i, member) in members.iter().enumerate() {
                agent(member, &format!("{path}.member[{i}]"))?;
            }
            Ok(())
        }
        None if ifis == 0 => Err(format!("{path}: an anonymous group must list its members")),
        None => Ok(()),
    }
}

/// Checks the inverse functional identifiers present; returns how many there are.
fn identifiers(object: &Map<String, Value>, path: &str) -> std::result::Result<usize, Invalid> {
    let mut count = 0;
    if let Some(mbox) = object.get("mbox") {
        let mbox = string(mbox, &format!("{path}.mbox"))?;
        let address = mbox.strip_prefix("mailto:").ok_or_else(|| format!("{path}.mbox: must start with mailto:"))?;
        if !email(address) {
            return Err(format!("{path}.mbox: {address:?} is not an e-mail address"));
        }
        count += 1;
    }
    if let Some(sum) = object.get("mbox_sha1sum") {
        let sum = string(sum, &format!("{path}.mbox_sha1sum"))?;
        if sum.len() != 40 || !sum.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{path}.mbox_sha1sum: must be 40 hexadecimal digits"));
        }
        count += 1;
    }
    if let Some(openid) = object.get("openid") {
        iri(openid, &format!("{path}.openid"))?;
        count += 1;
    }
    if let Some(account) = object.get("account") {
        let path = format!("{path}.account");
        let fields = as_object(account, &path)?;
        known(fields, &path, &["homePage", "name"])?;
        iri(required(fields, &path, "homePage")?, &format!("{path}.homePage"))?;
        string(required(fields, &path, "name")?, &format!("{path}.name"))?;
        count += 1;
    }
    Ok(count)
}

/// The key an agent or an identified group is found by: its kind and its one identifier, e.g.
/// `Agent|mbox|mailto:a@example.com` or `Agent|account|https://lms.example|1234`. None for an
/// anonymous group (or a value that is not an actor).
pub fn agent_key(value: &Value) -> Option<String> {
    let kind = match value.get("objectType").and_then(Value::as_str) {
        Some("Group") => "Group",
        _ => "Agent",
    };
    let ifi = if let Some(mbox) = value.get("mbox").and_then(Value::as_str) {
        format!("mbox|{mbox}")
    } else if let Some(sum) = value.get("mbox_sha1sum").and_then(Value::as_str) {
        format!("mbox_sha1sum|{}", sum.to_ascii_lowercase())
    } else if let Some(openid) = value.get("openid").and_then(Value::as_str) {
        format!("openid|{openid}")
    } else {
        let account = value.get("account")?;
        let home_page = account.get("homePage")?.as_str()?;
        let name = account.get("name")?.as_str()?;
        format!("account|{home_page}|{name}")
    };
    Some(format!("{kind}|{ifi}"))
}

fn email(address: &str) -> bool {
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !address.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn verb(value: &Value, path: &str) -> Checked {
    let object = as_object(value, path)?;
    known(object, path, &["id", "display"])?;
    iri(required(object, path, "id")?, &format!("{path}.id"))?;
    if let Some(display) = object.get("display") {
        language_map(display, &format!("{path}.display"))?;
    }
    Ok(())
}

/// The object of a statement; returns its kind (Activity, Agent, Group, SubStatement, StatementRef).
fn statement_object(value: &Value, path: &str, sub: bool) -> std::result::Result<&'static str, Invalid> {
    let object = as_object(value, path)?;
    let kind = match object.get("objectType") {
        None => "Activity",
        Some(kind) => match string(kind, &format!("{path}.objectType"))? {
            "Activity" => "Activity",
            "Agent" => "Agent",
            "Group" => "Group",
            "SubStatement" => "SubStatement",
            "StatementRef" => "StatementRef",
            other => return Err(format!("{path}.objectType: {other:?} is not a statement object type")),
        },
    };
    match kind {
        "Activity" => activity(object, path)?,
        "Agent" | "Group" => actor(value, path)?,
        "StatementRef" => {
            known(object, path, &["objectType", "id"])?;
            uuid(required(object, path, "id")?, &format!("{path}.id"))?;
        }
        _ => {
            if sub {
                return Err(format!("{path}: a sub-statement cannot hold another sub-statement"));
            }
            known(
                object,
                path,
                &["objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"],
            )?;
            statement_body(object, path, true)?;
        }
    }
    Ok(kind)
}

/// An activity: an IRI and, optionally, its definition.
pub fn activity(object: &Map<String, Value>, path: &str) -> Checked {
    known(object, path, &["objectType", "id", "definition"])?;
    iri(required(object, path, "id")?, &format!("{path}.id"))?;
    let Some(definition) = object.get("definition") else { return Ok(()) };
    let path = format!("{path}.definition");
    let definition = as_object(definition, &path)?;
    known(
        definition,
        &path,
        &[
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            "choices",
            "scale",
            "source",
            "target",
            "steps",
        ],
    )?;
    for key in ["name", "description"] {
        if let Some(map) = definition.get(key) {
            language_map(map, &format!("{path}.{key}"))?;
        }
    }
    for key in ["type", "moreInfo"] {
        if let Some(value) = definition.get(key) {
            iri(value, &format!("{path}.{key}"))?;
        }
    }
    if let Some(extensions_value) = definition.get("extensions") {
        extensions(extensions_value, &format!("{path}.extensions"))?;
    }
    let interaction = match definition.get("interactionType") {
        Some(kind) => Some(string(kind, &format!("{path}.interactionType"))?),
        None => None,
    };
    const INTERACTIONS: [&str; 10] = [
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    ];
    if let Some(kind) = interaction
        && !INTERACTIONS.contains(&kind)
    {
        return Err(format!("{path}.interactionType: {kind:?} is not an interaction type"));
    }
    if let Some(pattern) = definition.get("correctResponsesPattern") {
        for (i, item) in array(pattern, &format!("{path}.correctResponsesPattern"))?.iter().enumerate() {
            string(item, &format!("{path}.correctResponsesPattern[{i}]"))?;
        }
    }
    let uses_interaction = ["correctResponsesPattern", "choices", "scale", "source", "target", "steps"]
        .iter()
        .any(|key| definition.contains_key(*key));
    if uses_interaction && interaction.is_none() {
        return Err(format!(
            "{path}.interactionType: is required with correctResponsesPattern and interaction components"
        ));
    }
    for key in ["choices", "scale", "source", "target", "steps"] {
        let Some(components) = definition.get(key) else { continue };
        let allowed: &[&str] = match key {
            "choices" => &["choice", "sequencing"],
            "scale" => &["likert"],
            "source" | "target" => &["matching"],
            _ => &["performance"],
        };
        if !interaction.is_some_and(|kind| allowed.contains(&kind)) {
            return Err(format!("{path}.{key}: not allowed for this interactionType"));
        }
        let mut ids = Vec::new();
        for (i, component) in array(components, &format!("{path}.{key}"))?.iter().enumerate() {
            let path = format!("{path}.{key}[{i}]");
            let fields = as_object(component, &path)?;
            known(fields, &path, &["id", "description"])?;
            let id = string(required(fields, &path, "id")?, &format!("{path}.id"))?;
            if ids.contains(&id) {
                return Err(format!("{path}.id: {id:?} is used twice"));
            }
            ids.push(id);
            if let Some(description) = fields.get("description") {
                language_map(description, &format!("{path}.description"))?;
            }
        }
    }
    Ok(())
}

fn result(value: &Value, path: &str) -> Checked {
    let object = as_object(value, path)?;
    known(object, path, &["score", "success", "completion", "response", "duration", "extensions"])?;
    for key in ["success", "completion"] {
        if let Some(flag) = object.get(key)
            && !flag.is_boolean()
        {
            return Err(format!("{path}.{key}: must be true or false"));
        }
    }
    if let Some(response) = object.get("response") {
        string(response, &format!("{path}.response"))?;
    }
    if let Some(duration_value) = object.get("duration") {
        let text = string(duration_value, &format!("{path}.duration"))?;
        if !duration(text) {
            return Err(format!("{path}.duration: {text:?} is not an ISO 8601 duration"));
        }
    }
    if let Some(extensions_value) = object.get("extensions") {
        extensions(extensions_value, &format!("{path}.extensions"))?;
    }
    if let Some(score) = object.get("score") {
        let path = format!("{path}.score");
        let fields = as_object(score, &path)?;
        known(fields, &path, &["scaled", "raw", "min", "max"])?;
        let mut numbers = [None; 4];
        for (slot, key) in numbers.iter_mut().zip(["scaled", "raw", "min", "max"]) {
            if let Some(number) = fields.get(key) {
                *slot = Some(number.as_f64().ok_or_else(|| format!("{path}.{key}: must be a number"))?);
            }
        }
        let [scaled, raw, min, max] = numbers;
        if scaled.is_some_and(|s| !(-1.0..=1.0).contains(&s)) {
            return Err(format!("{path}.scaled: must be between -1 and 1"));
        }
        if let (Some(min), Some(max)) = (min, max)
            && min >= max
        {
            return Err(format!("{path}: min must be less than max"));
        }
        if let Some(raw) = raw
            && (min.is_some_and(|m| raw < m) || max.is_some_and(|m| raw > m))
        {
            return Err(format!("{path}.raw: must be between min and max"));
        }
    }
    Ok(())
}

fn context(value: &Value, path: &str, object_type: &str) -> Checked {
    let object = as_object(value, path)?;
    known(
        object,
        path,
        &[
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        ],
    )?;
    if let Some(registration) = object.get("registration") {
        uuid(registration, &format!("{path}.registration"))?;
    }
    if let Some(instructor) = object.get("instructor") {
        actor(instructor, &format!("{path}.instructor"))?;
    }
    if let Some(team) = object.get("team") {
        if team.get("objectType").and_then(Value::as_str) != Some("Group") {
            return Err(format!("{path}.team: must be a group"));
        }
        actor(team, &format!("{path}.team"))?;
    }
    if let Some(activities) = object.get("contextActivities") {
        let path = format!("{path}.contextActivities");
        let fields = as_object(activities, &path)?;
        known(fields, &path, &["parent", "grouping", "category", "other"])?;
        for (key, value) in fields {
            let path = format!("{path}.{key}");
            let items = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                let fields = as_object(item, &path)?;
                if let Some(kind) = fields.get("objectType")
                    && kind != "Activity"
                {
                    return Err(format!("{path}: context activities must be activities"));
                }
                activity(fields, &path)?;
            }
        }
    }
    for key in ["revision", "platform"] {
        if let Some(text) = object.get(key) {
            string(text, &format!("{path}.{key}"))?;
            if object_type != "Activity" {
                return Err(format!("{path}.{key}: only when the statement's object is an activity"));
            }
        }
    }
    if let Some(language) = object.get("language") {
        let tag = string(language, &format!("{path}.language"))?;
        if !language_tag(tag) {
            return Err(format!("{path}.language: {tag:?} is not an RFC 5646 language tag"));
        }
    }
    if let Some(reference) = object.get("statement") {
        let path = format!("{path}.statement");
        let fields = as_object(reference, &path)?;
        known(fields, &path, &["objectType", "id"])?;
        if fields.get("objectType").and_then(Value::as_str) != Some("StatementRef") {
            return Err(format!("{path}.objectType: must be StatementRef"));
        }
        uuid(required(fields, &path, "id")?, &format!("{path}.id"))?;
    }
    if let Some(extensions_value) = object.get("extensions") {
        extensions(extensions_value, &format!("{path}.extensions"))?;
    }
    Ok(())
}

fn attachment(value: &Value, path: &str) -> Checked {
    let object = as_object(value, path)?;
    known(object, path, &["usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"])?;
    iri(required(object, path, "usageType")?, &format!("{path}.usageType"))?;
    language_map(required(object, path, "display")?, &format!("{path}.display"))?;
    if let Some(description) = object.get("description") {
        language_map(description, &format!("{path}.description"))?;
    }
    let content_type = string(required(object, path, "contentType")?, &format!("{path}.contentType"))?;
    if !media_type(content_type) {
        return Err(format!("{path}.contentType: {content_type:?} is not an Internet media type"));
    }
    let length = required(object, path, "length")?;
    if !(length.is_u64()) {
        return Err(format!("{path}.length: must be a whole number of octets"));
    }
    let sha2 = string(required(object, path, "sha2")?, &format!("{path}.sha2"))?;
    if sha2.is_empty() || !sha2.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{path}.sha2: must be a SHA-2 digest in hexadecimal"));
    }
    if let Some(url) = object.get("fileUrl") {
        iri(url, &format!("{path}.fileUrl"))?;
    }
    Ok(())
}

fn media_type(text: &str) -> bool {
    let essence = text.split(';').next().unwrap_or_default().trim();
    let token =
        |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    matches!(essence.split_once('/'), Some((kind, sub)) if token(kind) && token(sub))
}

fn extensions(value: &Value, path: &str) -> Checked {
    let object = as_object_allowing_null_values(value, path)?;
    for key in object.keys() {
        if !is_iri(key) {
            return Err(format!("{path}: the key {key:?} is not an IRI"));
        }
    }
    Ok(())
}

fn language_map(value: &Value, path: &str) -> Checked {
    let object = as_object(value, path)?;
    for (tag, text) in object {
        if !language_tag(tag) {
            return Err(format!("{path}: {tag:?} is not an RFC 5646 language tag"));
        }
        string(text, &format!("{path}.{tag}"))?;
    }
    Ok(())
}

/// RFC 5646, as far as its shape: a primary language of letters, then subtags of 1 to 8 letters or
/// digits; `x-…` private use and `i-…` grandfathered tags too.
pub fn language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok = (2..=8).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic())
        || primary.eq_ignore_ascii_case("x")
        || primary.eq_ignore_ascii_case("i");
    let rest: Vec<&str> = parts.collect();
    if (primary.eq_ignore_ascii_case("x") || primary.eq_ignore_ascii_case("i")) && rest.is_empty() {
        return false;
    }
    primary_ok && rest.iter().all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// An ISO 8601 date and time with its offset (`Z`, `+07:00`, `+0700`, `+07`); `-00`, `-0000` and
/// `-00:00` are refused (ISO 8601 forbids a negative zero offset).
pub fn timestamp(value: &Value, path: &str) -> Checked {
    let text = string(value, path)?;
    parse_timestamp(text).map(|_| ()).ok_or_else(|| format!("{path}: {text:?} is not an ISO 8601 timestamp"))
}

pub fn parse_timestamp(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    if text.ends_with("-00") || text.ends_with("-0000") || text.ends_with("-00:00") {
        return None;
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(at);
    }
    // Offsets without a colon or without minutes, as ISO 8601 allows.
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(at) = chrono::DateTime::parse_from_str(text, format) {
            return Some(at);
        }
    }
    // No offset at all: taken as UTC, as LRSs do.
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc().fixed_offset())
}

/// ISO 8601 durations: `PnYnMnDTnHnMnS` (any part may be left out, seconds may have a fraction) or `PnW`.
fn duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else { return false };
    if let Some(weeks) = rest.strip_suffix('W') {
        return number(weeks);
    }
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => {
            if time.is_empty() {
                return false;
            }
            (date, Some(time))
        }
        None => (rest, None),
    };
    if date.is_empty() && time.is_none() {
        return false;
    }
    designators(date, &['Y', 'M', 'D']) && time.is_none_or(|time| designators(time, &['H', 'M', 'S']))
}

/// `3Y1M29D` against the designators in order; each at most once; a fraction only on the last.
fn designators(mut text: &str, order: &[char]) -> bool {
    let mut next = 0;
    while !text.is_empty() {
        let Some(end) = text.find(|c: char| c.is_ascii_alphabetic()) else { return false };
        let (value, designator) = (&text[..end], text[end..].chars().next().unwrap_or_default());
        let Some(position) = order[next..].iter().position(|d| *d == designator) else { return false };
        next += position + 1;
        text = &text[end + 1..];
        let fraction_ok = !value.contains(['.', ',']) || text.is_empty();
        if !number(value) || !fraction_ok {
            return false;
        }
    }
    true
}

fn number(text: &str) -> bool {
    let mut parts = text.splitn(2, ['.', ',']);
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn uuid(value: &Value, path: &str) -> Checked {
    let text = string(value, path)?;
    if is_uuid(text) { Ok(()) } else { Err(format!("{path}: {text:?} is not a UUID")) }
}

/// A UUID in its standard form: 8-4-4-4-12 hexadecimal digits.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn iri(value: &Value, path: &str) -> Checked {
    let text = string(value, path)?;
    if is_iri(text) { Ok(()) } else { Err(format!("{path}: {text:?} is not an absolute IRI")) }
}

/// An absolute IRI: a scheme (a letter, then letters, digits, `+`, `-`, `.`), a colon, and no spaces.
pub fn is_iri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else { return false };
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        && !rest.is_empty()
        && !text.contains(char::is_whitespace)
}

fn as_object<'a>(value: &'a Value, path: &str) -> std::result::Result<&'a Map<String, Value>, Invalid> {
    let object = value.as_object().ok_or_else(|| format!("{path}: must be an object"))?;
    if let Some((key, _)) = object.iter().find(|(_, v)| v.is_null()) {
        return Err(format!("{path}.{key}: null is not a value"));
    }
    Ok(object)
}

fn as_object_allowing_null_values<'a>(
    value: &'a Value,
    path: &str,
) -> std::result::Result<&'a Map<String, Value>, Invalid> {
    value.as_object().ok_or_else(|| format!("{path}: must be an object"))
}

fn known(object: &Map<String, Value>, path: &str, allowed: &[&str]) -> Checked {
    match object.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(format!("{path}.{key}: not an xAPI property here")),
        None => Ok(()),
    }
}

fn required<'a>(object: &'a Map<String, Value>, path: &str, key: &str) -> std::result::Result<&'a Value, Invalid> {
    object.get(key).ok_or_else(|| format!("{path}.{key}: is required"))
}

fn string<'a>(value: &'a Value, path: &str) -> std::result::Result<&'a str, Invalid> {
    value.as_str().ok_or_else(|| format!("{path}: must be a string"))
}

fn array<'a>(value: &'a Value, path: &str) -> std::result::Result<&'a Vec<Value>, Invalid> {
    value.as_array().ok_or_else(|| format!("{path}: must be an array"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"id": "http://example.com/course", "objectType": "Activity"}
        })
    }

    #[test]
    fn a_plain_statement_is_valid() {
        assert_eq!(statement(&base(), "statement"), Ok(()));
    }

    #[test]
    fn broken_statements_name_the_property() {
        let cases = [
            ("/actor/mbox", json!("a@example.com"), "statement.actor.mbox: must start with mailto:"),
            (
                "/actor/mbox",
                json!("mailto:should.fail.com"),
                "statement.actor.mbox: \"should.fail.com\" is not an e-mail address",
            ),
            (
                "/verb/id",
                json!("ab=c://should.fail.com"),
                "statement.verb.id: \"ab=c://should.fail.com\" is not an absolute IRI",
            ),
            (
                "/verb/display",
                json!({"a12345678": "x"}),
                "statement.verb.display: \"a12345678\" is not an RFC 5646 language tag",
            ),
            (
                "/object/objectType",
                json!("activity"),
                "statement.object.objectType: \"activity\" is not a statement object type",
            ),
        ];
        for (pointer, value, message) in cases {
            let mut broken = base();
            *broken.pointer_mut(pointer).unwrap() = value;
            assert_eq!(statement(&broken, "statement"), Err(message.to_string()), "{pointer}");
        }
        let mut extra = base();
        extra["foo"] = json!(1);
        assert_eq!(statement(&extra, "statement"), Err("statement.foo: not an xAPI property here".into()));
    }

    #[test]
    fn durations_and_timestamps() {
        for ok in ["PT4H35M59.14S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT0S"] {
            assert!(duration(ok), "{ok}");
        }
        for bad in ["PA1H0M0S", "P4W1D", "P", "PT", "P1H", "PT1.5H2M"] {
            assert!(!duration(bad), "{bad}");
        }
        for bad in [
            "should fail",
            "01/011/2015",
            "2008-09-15T15:53:00.601-00",
            "2008-09-15T15:53:00.601-0000",
            "2008-09-15T15:53:00.601-00:00",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
        for ok in ["2008-09-15T15:53:00.601Z", "2008-09-15T15:53:00+07:00", "2008-09-15T15:53:00.601+0700"] {
            assert!(parse_timestamp(ok).is_some(), "{ok}");
        }
    }
}
