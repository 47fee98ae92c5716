//! `multipart/form-data` (RFC 7578 over RFC 2046), as much of it as the
//! CORE envelope needs: named fields, each a run of bytes. Lines end in
//! CRLF; a part's headers other than `Content-Disposition` are read past.

use std::fmt;

use super::EnvelopeError;

/// One field of a form: its name and its content.
#[derive(Clone, PartialEq, Eq)]
pub struct Part {
    /// The `name` of its `Content-Disposition: form-data`.
    pub name: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

impl Part {
    /// A field `name` holding `content`.
    pub fn new(name: &str, content: impl Into<Vec<u8>>) -> Part {
        Part {
            name: name.to_string(),
            content: content.into(),
        }
    }
}

impl fmt::Debug for Part {
    /// The content may be PHI (an X12 payload): only its length is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("name", &self.name)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// The `Content-Type` of a body encoded with `boundary`.
pub fn content_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

/// Whether `boundary` is one RFC 2046 allows (1 to 70 of its characters)
/// and needs no quoting in a header: letters, digits and `'()+_,-./:=?`.
fn valid_boundary(boundary: &str) -> bool {
    (1..=70).contains(&boundary.len())
        && boundary
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b))
}

/// Encodes `parts` between `boundary` lines. A boundary that is not valid,
/// or that occurs in a part's content, is refused: the body would not
/// decode to the same parts.
pub fn encode(boundary: &str, parts: &[Part]) -> Result<Vec<u8>, EnvelopeError> {
    if !valid_boundary(boundary) {
        return Err(EnvelopeError::Malformed(format!(
            "boundary {boundary:?} is not 1 to 70 letters, digits or '()+_,-./:=?"
        )));
    }
    let delimiter = format!("--{boundary}");
    let mut body = Vec::new();
    for part in parts {
        if part.name.is_empty() || part.name.contains(['"', '\r', '\n']) {
            return Err(EnvelopeError::Malformed(format!(
                "field name {:?} cannot be written",
                part.name
            )));
        }
        if find(&part.content, delimiter.as_bytes()).is_some() {
            return Err(EnvelopeError::Malformed(format!(
                "field {} holds the boundary",
                part.name
            )));
        }
        body.extend_from_slice(delimiter.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                part.name
            )
            .as_bytes(),
        );
        body.extend_from_slice(&part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(delimiter.as_bytes());
    body.extend_from_slice(b"--\r\n");
    Ok(body)
}

/// The boundary a `Content-Type` header names; an error when it is not
/// `multipart/form-data` with one.
pub fn boundary_of(content_type: &str) -> Result<String, EnvelopeError> {
    let mut params = content_type.split(';').map(str::trim);
    let media = params.next().unwrap_or_default();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return Err(EnvelopeError::NotMultipart(format!(
            "Content-Type {content_type:?}"
        )));
    }
    for param in params {
        if let Some((key, value)) = param.split_once('=')
            && key.trim().eq_ignore_ascii_case("boundary")
        {
            let value = value.trim().trim_matches('"');
            if value.is_empty() || value.len() > 70 {
                break;
            }
            return Ok(value.to_string());
        }
    }
    Err(EnvelopeError::NotMultipart(format!(
        "Content-Type {content_type:?} names no boundary"
    )))
}

/// Decodes a body encoded with `boundary` into its parts, in order. The
/// preamble before the first boundary and the epilogue after the last are
/// ignored; a body without its closing boundary is refused (it was cut).
pub fn decode(boundary: &str, body: &[u8]) -> Result<Vec<Part>, EnvelopeError> {
    let bad = |what: &str| EnvelopeError::Malformed(what.to_string());
    let first = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    // The first delimiter opens the body or follows the preamble's CRLF.
    let mut at = if body.starts_with(first.as_bytes()) {
        first.len()
    } else {
        find(body, next.as_bytes()).ok_or_else(|| bad("no boundary line"))? + next.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line end.
        let padding = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        let rest = rest[padding..]
            .strip_prefix(b"\r\n")
            .ok_or_else(|| bad("a boundary line does not end in CRLF"))?;
        let start = body.len() - rest.len();
        let end = find(rest, next.as_bytes())
            .ok_or_else(|| bad("no closing boundary (the body was cut short)"))?;
        parts.push(part(&rest[..end])?);
        at = start + end + next.len();
    }
}

/// One part: its headers, a blank line, its content.
fn part(bytes: &[u8]) -> Result<Part, EnvelopeError> {
    let bad = |what: &str| EnvelopeError::Malformed(what.to_string());
    let (headers, content) = if let Some(rest) = bytes.strip_prefix(b"\r\n") {
        (&b""[..], rest)
    } else {
        let split = find(bytes, b"\r\n\r\n").ok_or_else(|| bad("a part has no blank line"))?;
        (&bytes[..split], &bytes[split + 4..])
    };
    let headers =
        std::str::from_utf8(headers).map_err(|_| bad("a part's headers are not UTF-8"))?;
    let name = headers
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("content-disposition"))
        .and_then(|(_, value)| field_name(value))
        .ok_or_else(|| bad("a part has no Content-Disposition: form-data name"))?;
    Ok(Part {
        name,
        content: content.to_vec(),
    })
}

/// `name` of a `form-data; name="..."` disposition.
fn field_name(disposition: &str) -> Option<String> {
    let mut params = disposition.split(';').map(str::trim);
    if !params.next()?.eq_ignore_ascii_case("form-data") {
        return None;
    }
    params
        .filter_map(|p| p.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("name"))
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
        .filter(|name| !name.is_empty())
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parts() -> Vec<Part> {
        vec![
            Part::new("ProcessingMode", "RealTime"),
            Part::new("Empty", ""),
            Part::new("Payload", "ISA*00*~\r\nGS*HS~\r\n"),
        ]
    }

    #[test]
    fn encoded_parts_decode_to_the_same_parts() {
        let body = encode("b-1", &parts()).unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(
            text.starts_with(
                "--b-1\r\nContent-Disposition: form-data; name=\"ProcessingMode\"\r\n\r\n\
                 RealTime\r\n--b-1\r\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("\r\n--b-1--\r\n"), "{text}");
        assert_eq!(decode("b-1", &body).unwrap(), parts());
    }

    #[test]
    fn a_preamble_padding_other_headers_and_an_epilogue_are_read_past() {
        let body = b"ignored preamble\r\n--xyz  \r\n\
            Content-Disposition: form-data; name=PayloadID\r\n\
            Content-Type: text/plain\r\n\r\n\
            f81d4fae\r\n\
            --xyz\r\n\
            content-disposition: FORM-DATA; name=\"Payload\"; filename=\"270.x12\"\r\n\r\n\
            ISA~\r\n\
            --xyz--\r\nepilogue";
        let parts = decode("xyz", body).unwrap();
        assert_eq!(
            parts,
            [
                Part::new("PayloadID", "f81d4fae"),
                Part::new("Payload", "ISA~")
            ]
        );
    }

    #[test]
    fn a_body_cut_short_or_without_names_is_refused() {
        let body = encode("b", &parts()).unwrap();
        let cut = &body[..body.len() - 8];
        assert!(matches!(
            decode("b", cut),
            Err(EnvelopeError::Malformed(m)) if m.contains("closing boundary")
        ));
        assert!(decode("other", &body).is_err());
        let nameless = b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n";
        assert!(decode("b", nameless).is_err());
        let no_blank_line = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\nx\r\n--b--\r\n";
        assert!(decode("b", no_blank_line).is_err());
    }

    #[test]
    fn a_boundary_inside_a_part_or_out_of_the_rfc_alphabet_is_refused() {
        assert!(encode("ISA", &parts()).is_ok());
        assert!(encode("GS", &[Part::new("Payload", "x--GS*HS")]).is_err());
        assert!(encode("a b", &parts()).is_err());
        assert!(encode(&"x".repeat(71), &parts()).is_err());
        assert!(encode("b", &[Part::new("bad\"name", "x")]).is_err());
    }

    #[test]
    fn the_boundary_is_read_from_the_content_type_quoted_or_not() {
        assert_eq!(
            boundary_of("multipart/form-data; boundary=abc").unwrap(),
            "abc"
        );
        assert_eq!(
            boundary_of("Multipart/Form-Data;charset=utf-8; Boundary=\"a:b\"").unwrap(),
            "a:b"
        );
        assert!(matches!(
            boundary_of("application/json"),
            Err(EnvelopeError::NotMultipart(_))
        ));
        assert!(boundary_of("multipart/form-data").is_err());
    }

    #[test]
    fn a_parts_debug_shows_its_length_not_its_content() {
        let shown = format!("{:?}", Part::new("Payload", "NM1*IL*1*Doe*Jane"));
        assert_eq!(shown, "Part { name: \"Payload\", bytes: 17 }");
    }
}
