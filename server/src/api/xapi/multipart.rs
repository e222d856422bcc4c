//! multipart/mixed, as xAPI sends statements with their attachments (RFC 2046): the first part is
//! the statements (application/json), each other part an attachment with `X-Experience-API-Hash`
//! and `Content-Transfer-Encoding: binary`.
use hocvuso::Error;
use hocvuso::service::lrs::statements::Part;
use serde_json::Value;

/// The boundary of a `multipart/mixed; boundary=…` content type; None for another type.
pub fn boundary(content_type: &str) -> Option<Result<String, Error>> {
    let mut params = content_type.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    let boundary = params
        .filter_map(|p| p.trim().split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty());
    Some(boundary.ok_or_else(|| bad("multipart/mixed needs a boundary")))
}

fn bad(message: &str) -> Error {
    Error::BadRequest(message.into())
}

/// One part: its headers (names in lower case) and its content.
struct Section<'a> {
    headers: Vec<(String, String)>,
    content: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn sections<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Section<'a>>, Error> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or_else(|| bad("the body has no multipart boundary"))?;
    let mut sections = Vec::new();
    loop {
        at += delimiter.len();
        if body[at..].starts_with(b"--") {
            return Ok(sections);
        }
        let start = at + if body[at..].starts_with(b"\r\n") { 2 } else { 0 };
        let next = find(body, delimiter, start).ok_or_else(|| bad("a multipart section does not end"))?;
        // The CRLF before a delimiter belongs to the delimiter.
        let end = if next >= 2 && &body[next - 2..next] == b"\r\n" { next - 2 } else { next };
        let raw = &body[start..end.max(start)];
        let split = find(raw, b"\r\n\r\n", 0);
        let (head, content) = match split {
            Some(i) => (&raw[..i], &raw[i + 4..]),
            None if raw.starts_with(b"\r\n") => (&raw[..0], &raw[2..]),
            None => return Err(bad("a multipart section has no headers")),
        };
        let head = std::str::from_utf8(head).map_err(|_| bad("multipart headers are not text"))?;
        let headers = head
            .split("\r\n")
            .filter(|line| !line.is_empty())
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        sections.push(Section { headers, content });
        at = next;
    }
}

/// The statements (first part) and the attachments (the others) of a multipart/mixed body.
pub fn statements_and_parts(body: &[u8], boundary: &str) -> Result<(Value, Vec<Part>), Error> {
    let mut sections = sections(body, boundary)?.into_iter();
    let first = sections.next().ok_or_else(|| bad("the multipart body is empty"))?;
    let header = |section: &Section, name: &str| {
        section.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    };
    if !header(&first, "content-type").to_ascii_lowercase().starts_with("application/json") {
        return Err(bad("the first part of a multipart body is the statements, application/json"));
    }
    let statements: Value = serde_json::from_slice(first.content).map_err(|_| bad("the first part is not JSON"))?;
    let mut parts = Vec::new();
    for section in sections {
        let hash = header(&section, "x-experience-api-hash");
        if hash.is_empty() {
            return Err(bad("an attachment part needs X-Experience-API-Hash"));
        }
        if !header(&section, "content-transfer-encoding").eq_ignore_ascii_case("binary") {
            return Err(bad("an attachment part needs Content-Transfer-Encoding: binary"));
        }
        parts.push(Part { content_type: header(&section, "content-type"), hash, content: section.content.to_vec() });
    }
    Ok((statements, parts))
}

/// A multipart/mixed answer: the statements first, then each attachment.
pub fn answer(statements: &Value, attachments: &[hocvuso::entity::lrs_attachment::Model], boundary: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Type: application/json\r\n\r\n").as_bytes());
    body.extend_from_slice(statements.to_string().as_bytes());
    for attachment in attachments {
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {}\r\n\r\n",
                attachment.content_type, attachment.sha2
            )
            .as_bytes(),
        );
        body.extend_from_slice(&attachment.content);
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_statements_and_attachments() {
        let body = b"--b\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: abc\r\n\r\nhello\r\n--b--\r\n";
        let (statements, parts) = statements_and_parts(body, "b").unwrap();
        assert_eq!(statements, serde_json::json!({"a": 1}));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].content, b"hello");
        assert_eq!(parts[0].hash, "abc");
        assert_eq!(boundary("multipart/mixed; boundary=\"xyz\"").unwrap().unwrap(), "xyz");
        assert!(boundary("application/json").is_none());
    }
}
