//! Paging of list RPCs (`medbill.common.v1.PageRequest`): the page size
//! limits every list shares (default 50, at most 500) and opaque page tokens.
//! A token carries the sort key of the last row sent (keyset paging: a row
//! inserted meanwhile neither repeats nor hides another), encoded so clients
//! treat it as opaque and a token from elsewhere is refused, not misread.

use medbill_contracts::medbill::common::v1 as wire;

use crate::error::ServiceError;

/// Rows a page holds when the request says 0.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 500;
/// Marks tokens this module wrote.
const TOKEN_PREFIX: &str = "mbp1:";

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Rows to return.
    pub size: u32,
    /// The sort key of the last row of the previous page; `None` on the first.
    pub after: Option<String>,
}

impl Page {
    /// The page `request` asks for; `field` names it in errors (`page`).
    pub fn from_request(
        field: &str,
        request: Option<&wire::PageRequest>,
    ) -> Result<Page, ServiceError> {
        let Some(request) = request else {
            return Ok(Page {
                size: DEFAULT_PAGE_SIZE,
                after: None,
            });
        };
        let size = match request.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n if n > MAX_PAGE_SIZE => {
                return Err(ServiceError::invalid(
                    format!("{field}.page_size"),
                    format!("must be at most {MAX_PAGE_SIZE}"),
                ));
            }
            n => n,
        };
        let after = if request.page_token.is_empty() {
            None
        } else {
            Some(decode_token(&request.page_token).ok_or_else(|| {
                ServiceError::invalid(
                    format!("{field}.page_token"),
                    "is not a token this RPC issued",
                )
            })?)
        };
        Ok(Page { size, after })
    }

    /// Rows to fetch: one more than the page, to learn whether another page
    /// follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.size) + 1
    }

    /// Cuts `rows` (fetched with [`Page::fetch_limit`], in key order) to the
    /// page and gives the response naming the next page, if any.
    pub fn finish<T>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> String,
    ) -> (Vec<T>, wire::PageResponse) {
        let more = rows.len() > self.size as usize;
        rows.truncate(self.size as usize);
        let next_page_token = match rows.last() {
            Some(last) if more => encode_token(&key(last)),
            _ => String::new(),
        };
        (rows, wire::PageResponse { next_page_token })
    }
}

/// The opaque token for `key`.
pub fn encode_token(key: &str) -> String {
    let mut out = String::with_capacity(TOKEN_PREFIX.len() + key.len() * 2);
    out.push_str(TOKEN_PREFIX);
    for b in key.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The key in a token this module wrote; `None` for any other text.
pub fn decode_token(token: &str) -> Option<String> {
    let hex = token.strip_prefix(TOKEN_PREFIX)?;
    if hex.is_empty() || hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_and_foreign_text_is_refused() {
        let token = encode_token("2|0190d9a0-0000-7000-8000-000000000001");
        assert_eq!(
            decode_token(&token).as_deref(),
            Some("2|0190d9a0-0000-7000-8000-000000000001")
        );
        assert_eq!(decode_token("50"), None);
        assert_eq!(decode_token("mbp1:zz"), None);
        let err = Page::from_request(
            "page",
            Some(&wire::PageRequest {
                page_size: 10,
                page_token: "50".into(),
            }),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "page.page_token: is not a token this RPC issued"
        );
    }

    #[test]
    fn page_sizes_default_to_fifty_and_stop_at_five_hundred() {
        assert_eq!(Page::from_request("page", None).unwrap().size, 50);
        let zero = wire::PageRequest::default();
        assert_eq!(Page::from_request("page", Some(&zero)).unwrap().size, 50);
        let big = wire::PageRequest {
            page_size: 501,
            page_token: String::new(),
        };
        let err = Page::from_request("page", Some(&big)).unwrap_err();
        assert_eq!(err.to_string(), "page.page_size: must be at most 500");
    }

    #[test]
    fn finish_cuts_the_extra_row_and_names_the_last_key() {
        let page = Page {
            size: 2,
            after: None,
        };
        let (rows, response) = page.finish(vec![1, 2, 3], |n| n.to_string());
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(
            decode_token(&response.next_page_token).as_deref(),
            Some("2")
        );
        let (rows, response) = page.finish(vec![1, 2], |n| n.to_string());
        assert_eq!(rows, vec![1, 2]);
        assert!(response.next_page_token.is_empty());
    }
}
