//! `SearchCodes`: a word and code-prefix index over the newest code list of
//! each system, part of the code-set index ([`super::index`]) and rebuilt
//! with it when the set of loaded releases changes.
//!
//! Why in memory: all words must match, as prefixes, case and punctuation
//! insensitive, ranked — over 98k ICD-10-CM descriptions that is a few
//! hundred microseconds with posting lists, where `LIKE '%word%'` scans the
//! table on both backends. Entries share their strings and validity periods
//! with the `GetCode` side of the index.
//!
//! Ranking: more query words matching a whole description word first, then
//! descriptions that start with the first query word, then shorter
//! descriptions, then code order.

use std::collections::HashMap;
use std::sync::Arc;

use medbill_kernel::CalendarDate;

use super::domain::{CodeStatus, CodeSystem};
use super::store::lookup::Period;

/// One searchable code.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its system.
    pub system: CodeSystem,
    /// The code.
    pub code: Arc<str>,
    /// Its description.
    pub description: Arc<str>,
    /// A header rather than billable.
    pub is_header: bool,
    /// The parent heading.
    pub parent: Arc<str>,
    /// Validity periods, oldest first; empty means "valid from
    /// `listed_from`".
    pub periods: Arc<[Period]>,
    /// Effective date of the code list it came from (text, as stored).
    pub listed_from: Arc<str>,
    words: Box<[u32]>,
}

impl Entry {
    /// An entry not indexed yet ([`SearchIndex::build`] finds its words).
    pub fn new(
        system: CodeSystem,
        code: Arc<str>,
        description: Arc<str>,
        is_header: bool,
        parent: Arc<str>,
        periods: Arc<[Period]>,
        listed_from: Arc<str>,
    ) -> Entry {
        Entry {
            system,
            code,
            description,
            is_header,
            parent,
            periods,
            listed_from,
            words: Box::default(),
        }
    }
}

/// A hit: the entry and its status on the searched date.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// The code.
    pub entry: &'a Entry,
    /// Status on the date.
    pub status: CodeStatus,
    /// The validity period covering the date, if any.
    pub period: Option<&'a Period>,
}

/// A hit with its score (lower is better) and its index entry number.
type Ranked<'a> = (Hit<'a>, (i64, i64, usize), u32);

/// What to search for.
#[derive(Debug, Clone)]
pub struct Query {
    /// Code prefix or description words.
    pub text: String,
    /// `None` searches every system.
    pub system: Option<CodeSystem>,
    /// Only codes in effect on this date.
    pub date: CalendarDate,
    /// At most this many.
    pub limit: usize,
    /// Include headers.
    pub include_headers: bool,
}

/// The index.
#[derive(Debug, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// Entry ids sorted by code, for prefix search.
    by_code: Vec<u32>,
    /// Sorted vocabulary and, per word, the entries that contain it.
    vocabulary: Vec<String>,
    postings: Vec<Vec<u32>>,
}

/// Lower-case alphanumeric words of `text`.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl SearchIndex {
    /// Indexes `entries`.
    pub fn build(mut entries: Vec<Entry>) -> SearchIndex {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut all_words: Vec<Vec<String>> = Vec::with_capacity(entries.len());
        for e in &entries {
            let w = words(&e.description);
            for word in &w {
                let next = ids.len() as u32;
                ids.entry(word.clone()).or_insert(next);
            }
            all_words.push(w);
        }
        let mut vocabulary: Vec<(String, u32)> = ids.into_iter().collect();
        vocabulary.sort();
        let vocabulary: Vec<String> = vocabulary.into_iter().map(|(w, _)| w).collect();
        let mut postings = vec![Vec::new(); vocabulary.len()];
        for (i, (e, w)) in entries.iter_mut().zip(all_words).enumerate() {
            let mut ws: Vec<u32> = w
                .iter()
                .filter_map(|word| vocabulary.binary_search(word).ok())
                .map(|x| x as u32)
                .collect();
            ws.dedup();
            for &x in &ws {
                if postings[x as usize].last() != Some(&(i as u32)) {
                    postings[x as usize].push(i as u32);
                }
            }
            e.words = ws.into_boxed_slice();
        }
        let mut by_code: Vec<u32> = (0..entries.len() as u32).collect();
        by_code.sort_by(|a, b| entries[*a as usize].code.cmp(&entries[*b as usize].code));
        SearchIndex {
            entries,
            by_code,
            vocabulary,
            postings,
        }
    }

    /// How many codes are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Vocabulary range of words starting with `prefix` (exact only for
    /// one- and two-letter words, which would match half the vocabulary).
    fn word_range(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self.vocabulary.partition_point(|w| w.as_str() < prefix);
        if prefix.chars().count() < 3 {
            let end = if self.vocabulary.get(start).is_some_and(|w| w == prefix) {
                start + 1
            } else {
                start
            };
            return start..end;
        }
        let end = start + self.vocabulary[start..].partition_point(|w| w.starts_with(prefix));
        start..end
    }

    /// The best `query.limit` codes for `query`.
    pub fn search(&self, query: &Query) -> Vec<Hit<'_>> {
        let text = query.text.trim();
        let compact: String = text
            .chars()
            .filter(|c| *c != '.')
            .collect::<String>()
            .to_ascii_uppercase();
        let looks_like_code = !compact.is_empty()
            && compact.len() <= 7
            && compact.chars().all(|c| c.is_ascii_alphanumeric())
            && compact.chars().any(|c| c.is_ascii_digit());
        let day = query.date.to_string();
        let mut hits: Vec<(u32, (i64, i64, usize))> = Vec::new();
        if looks_like_code {
            let start = self
                .by_code
                .partition_point(|i| &*self.entries[*i as usize].code < compact.as_str());
            for &i in &self.by_code[start..] {
                let e = &self.entries[i as usize];
                if !e.code.starts_with(compact.as_str()) {
                    break;
                }
                hits.push((i, (0, 0, e.code.len())));
                if hits.len() > 50_000 {
                    break;
                }
            }
        }
        if hits.is_empty() {
            hits = self.word_hits(text);
        }
        let mut out: Vec<Ranked<'_>> = Vec::new();
        for (i, score) in hits {
            let e = &self.entries[i as usize];
            if query.system.is_some_and(|s| s != e.system) {
                continue;
            }
            let Some(hit) = self.status_on(e, &day) else {
                continue;
            };
            if hit.status == CodeStatus::Header && !query.include_headers {
                continue;
            }
            out.push((hit, score, i));
        }
        // Best score, then code, then the index's own order: a total order,
        // so picking the best `limit` first and sorting only those gives
        // the answer a sort of every hit would (a prefix like "E11" or a
        // common word matches hundreds of codes for the 20 asked for).
        let order = |a: &Ranked<'_>, b: &Ranked<'_>| {
            a.1.cmp(&b.1)
                .then_with(|| a.0.entry.code.cmp(&b.0.entry.code))
                .then_with(|| a.2.cmp(&b.2))
        };
        if query.limit == 0 {
            return Vec::new();
        }
        if out.len() > query.limit {
            out.select_nth_unstable_by(query.limit - 1, order);
            out.truncate(query.limit);
        }
        out.sort_unstable_by(order);
        out.into_iter().map(|(h, _, _)| h).collect()
    }

    fn word_hits(&self, text: &str) -> Vec<(u32, (i64, i64, usize))> {
        let query_words = words(text);
        if query_words.is_empty() {
            return Vec::new();
        }
        let ranges: Vec<std::ops::Range<usize>> =
            query_words.iter().map(|w| self.word_range(w)).collect();
        // Start from the rarest word; check the others against each entry's words.
        let Some((rarest, _)) = ranges
            .iter()
            .enumerate()
            .min_by_key(|(_, r)| (*r).clone().map(|x| self.postings[x].len()).sum::<usize>())
        else {
            return Vec::new();
        };
        let mut candidates: Vec<u32> = ranges[rarest]
            .clone()
            .flat_map(|x| self.postings[x].iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut out = Vec::new();
        'entries: for i in candidates {
            let e = &self.entries[i as usize];
            let mut exact = 0i64;
            for (qi, r) in ranges.iter().enumerate() {
                let mut matched = false;
                for &w in &e.words {
                    let w = w as usize;
                    if r.contains(&w) {
                        matched = true;
                        if self.vocabulary[w] == query_words[qi] {
                            exact += 1;
                            break;
                        }
                    }
                }
                if !matched {
                    continue 'entries;
                }
            }
            let leads = e
                .words
                .first()
                .is_some_and(|w| ranges[0].contains(&(*w as usize)));
            out.push((i, (-exact, i64::from(!leads), e.description.len())));
        }
        out
    }

    /// The status of `e` on `day`, or `None` when it is not in effect.
    fn status_on<'a>(&self, e: &'a Entry, day: &str) -> Option<Hit<'a>> {
        if e.is_header {
            return Some(Hit {
                entry: e,
                status: CodeStatus::Header,
                period: None,
            });
        }
        if e.periods.is_empty() {
            return (&*e.listed_from <= day).then_some(Hit {
                entry: e,
                status: CodeStatus::Billable,
                period: None,
            });
        }
        let period = e.periods.iter().find(|p| p.covers(day))?;
        Some(Hit {
            entry: e,
            status: CodeStatus::Billable,
            period: Some(period),
        })
    }
}
