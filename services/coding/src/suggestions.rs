//! `SuggestCodes`: ranked ICD-10-CM candidates from documentation text.
//!
//! The text is cut into clauses (at sentence punctuation, commas, semicolons
//! and line breaks). In each clause, runs of one to four content words are
//! looked up in the code-set search index (every word must match a
//! description word); a candidate's score is how much of its description
//! the run covers, per mille, with longer runs preferred. A clause where a
//! negation cue ("no", "denies", "negative for", "without", "ruled out", …)
//! comes before the words marks the candidate negated and divides its score
//! by five, so "denies chest pain" ranks below findings that are present.
//! The matched span is returned as evidence. Suggestions are never applied:
//! a coder saves what they accept.

use std::collections::HashMap;

use medbill_kernel::CalendarDate;
use medbill_platform::ServiceError;

use crate::codesets::CodeSystem;
use crate::codesets::index_cache::IndexCache;
use crate::codesets::search::{Query, SearchIndex, words};

/// Suggestions over the code sets, through the service's shared index.
#[derive(Clone)]
pub struct Suggester {
    index: IndexCache,
}

impl Suggester {
    /// Suggestions using `index`.
    pub fn new(index: IndexCache) -> Self {
        Suggester { index }
    }

    /// Suggests up to `limit` codes for `text` on `date`.
    pub async fn suggest(
        &self,
        text: &str,
        date: CalendarDate,
        limit: usize,
    ) -> Result<Vec<Suggestion>, ServiceError> {
        let index = self.index.get().await?;
        Ok(suggest(index.search_index(), text, date, limit))
    }
}

/// Cues that negate the findings after them in the same clause.
const NEGATIONS: [&str; 12] = [
    "no", "not", "denies", "denied", "deny", "without", "negative", "free", "absent", "absence",
    "ruled", "never",
];

/// Words that carry no clinical meaning for matching.
const STOPWORDS: [&str; 40] = [
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "from", "had", "has", "have",
    "he", "her", "his", "in", "is", "it", "of", "on", "or", "patient", "pt", "reports", "she",
    "that", "the", "their", "there", "this", "to", "was", "were", "which", "who", "with", "since",
    "presents",
];

/// Words of descriptions that do not need to be in the text.
const FILLER: [&str; 8] = [
    "unspecified",
    "of",
    "and",
    "other",
    "the",
    "in",
    "or",
    "site",
];

/// A suggested code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// ICD-10-CM code.
    pub code: String,
    /// Its description.
    pub description: String,
    /// Score, 0-1000.
    pub score_permille: u32,
    /// Byte spans of the text that matched, as (start, end).
    pub evidence: Vec<(usize, usize)>,
    /// Whether the finding is negated in the text.
    pub negated: bool,
}

/// A word of the text with its byte span.
struct Token {
    word: String,
    start: usize,
    end: usize,
}

/// Clauses of the text, each a list of tokens.
fn clauses(text: &str) -> Vec<Vec<Token>> {
    let mut out = vec![Vec::new()];
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '.')))
    {
        if c.is_alphanumeric() || c == '\'' {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            let word = text[s..i].to_lowercase();
            if word == "but" || word == "however" {
                out.push(Vec::new());
            } else if let Some(current) = out.last_mut() {
                current.push(Token {
                    word,
                    start: s,
                    end: i,
                });
            }
        }
        if matches!(c, '.' | ';' | ',' | ':' | '!' | '?' | '\n') {
            out.push(Vec::new());
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

/// Suggests up to `limit` codes for `text` on `date`.
pub fn suggest(
    index: &SearchIndex,
    text: &str,
    date: CalendarDate,
    limit: usize,
) -> Vec<Suggestion> {
    let mut best: HashMap<String, Suggestion> = HashMap::new();
    for clause in clauses(text) {
        let mut negated_from = None;
        for (i, t) in clause.iter().enumerate() {
            if negated_from.is_none() && NEGATIONS.contains(&t.word.as_str()) {
                negated_from = Some(i);
            }
        }
        let content: Vec<(usize, &Token)> = clause
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.word.len() > 2
                    && !STOPWORDS.contains(&t.word.as_str())
                    && !NEGATIONS.contains(&t.word.as_str())
                    && !t.word.bytes().all(|b| b.is_ascii_digit())
            })
            .collect();
        for len in 1..=4.min(content.len()) {
            for window in content.windows(len) {
                let query = window
                    .iter()
                    .map(|(_, t)| t.word.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let hits = index.search(&Query {
                    text: query,
                    system: Some(CodeSystem::Icd10Cm),
                    date,
                    limit: 5,
                    include_headers: false,
                });
                let negated = negated_from.is_some_and(|n| n < window[0].0);
                for hit in hits {
                    let needed: Vec<String> = words(&hit.entry.description)
                        .into_iter()
                        .filter(|w| !FILLER.contains(&w.as_str()))
                        .collect();
                    if needed.is_empty() {
                        continue;
                    }
                    let covered = needed
                        .iter()
                        .filter(|w| window.iter().any(|(_, t)| w.starts_with(t.word.as_str())))
                        .count();
                    // A run must explain at least half of the description.
                    if covered * 2 < needed.len() {
                        continue;
                    }
                    let mut score = (1000 * covered / needed.len()) as u32;
                    score = score.saturating_sub(((4 - len) * 25) as u32);
                    if negated {
                        score /= 5;
                    }
                    let span = (window[0].1.start, window[len - 1].1.end);
                    let entry =
                        best.entry(hit.entry.code.to_string())
                            .or_insert_with(|| Suggestion {
                                code: hit.entry.code.to_string(),
                                description: hit.entry.description.to_string(),
                                score_permille: 0,
                                evidence: Vec::new(),
                                negated,
                            });
                    // Evidence leads with the span behind the best score; a
                    // span inside another adds nothing.
                    let inside = |outer: &(usize, usize), inner: &(usize, usize)| {
                        outer.0 <= inner.0 && inner.1 <= outer.1
                    };
                    if !entry.evidence.iter().any(|e| inside(e, &span)) {
                        entry.evidence.retain(|e| !inside(&span, e));
                        if score > entry.score_permille {
                            entry.evidence.insert(0, span);
                        } else {
                            entry.evidence.push(span);
                        }
                    }
                    // A finding present anywhere is not negated.
                    if score > entry.score_permille || (entry.negated && !negated) {
                        entry.score_permille = entry.score_permille.max(score);
                        entry.negated = entry.negated && negated;
                    }
                }
            }
        }
    }
    let mut out: Vec<Suggestion> = best.into_values().collect();
    out.sort_by(|a, b| {
        b.score_permille
            .cmp(&a.score_permille)
            .then(a.description.len().cmp(&b.description.len()))
            .then(a.code.cmp(&b.code))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_split_at_punctuation_and_but() {
        let c = clauses("Chest pain, no fever. Cough but no wheeze");
        let words: Vec<Vec<&str>> = c
            .iter()
            .map(|c| c.iter().map(|t| t.word.as_str()).collect())
            .collect();
        assert_eq!(
            words,
            vec![
                vec!["chest", "pain"],
                vec!["no", "fever"],
                vec!["cough"],
                vec!["no", "wheeze"]
            ]
        );
        assert_eq!(
            &"Chest pain, no fever"[c[0][0].start..c[0][1].end],
            "Chest pain"
        );
    }
}
