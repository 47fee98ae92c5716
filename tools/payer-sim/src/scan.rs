//! The envelope structure of an incoming file: its interchanges, groups
//! and transaction sets with the ordinals of their segments, so that a
//! validation finding can be placed in the set it belongs to, a set can be
//! read on its own (in an interchange of its own), and answers can echo
//! the headers.

use medbill_x12::envelope::{EnvelopeTracker, GroupHeader, InterchangeHeader, Role, Usage};
use medbill_x12::{Delimiters, Segments};

/// One interchange (ISA ... IEA).
#[derive(Debug, Clone)]
pub(crate) struct Interchange {
    pub(crate) header: InterchangeHeader,
    pub(crate) isa: String,
    pub(crate) delimiters: Delimiters,
    pub(crate) first: usize,
    pub(crate) last: usize,
    pub(crate) groups: Vec<Group>,
}

/// One functional group (GS ... GE).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) header: GroupHeader,
    pub(crate) gs: String,
    pub(crate) first: usize,
    pub(crate) last: usize,
    /// GE01 as sent.
    pub(crate) declared: Option<u32>,
    pub(crate) sets: Vec<TransactionSet>,
}

/// One transaction set (ST ... SE).
#[derive(Debug, Clone)]
pub(crate) struct TransactionSet {
    /// ST01.
    pub(crate) id: String,
    /// ST02.
    pub(crate) control_number: String,
    /// ST03 when sent.
    pub(crate) implementation: Option<String>,
    /// ST03, else the group's GS08.
    pub(crate) version: String,
    pub(crate) first: usize,
    pub(crate) last: usize,
    /// Every readable segment's ordinal and text, ST to SE.
    pub(crate) segments: Vec<(usize, String)>,
    /// Each CLM's ordinal and CLM01.
    pub(crate) claims: Vec<(usize, String)>,
}

impl Interchange {
    /// Whether the answer should be marked test data.
    pub(crate) fn is_test(&self) -> bool {
        self.header.usage != Usage::Production
    }

    /// This interchange with only `set` of `group` in it, as bytes a typed
    /// reader takes (GE and IEA counting one set and one group).
    pub(crate) fn single_set(&self, group: &Group, set: &TransactionSet) -> Vec<u8> {
        let e = char::from(self.delimiters.element);
        let t = char::from(self.delimiters.segment);
        let mut text = String::new();
        let body = set.segments.iter().map(|(_, s)| s);
        for segment in [&self.isa, &group.gs].into_iter().chain(body) {
            text.push_str(segment);
            text.push(t);
        }
        text.push_str(&format!("GE{e}1{e}{}{t}", group.header.control_number));
        text.push_str(&format!("IEA{e}1{e}{}{t}", self.header.control_number));
        text.into_bytes()
    }
}

impl Group {
    /// The set whose segments include ordinal `index`.
    pub(crate) fn set_at(&self, index: usize) -> Option<usize> {
        self.sets
            .iter()
            .position(|s| (s.first..=s.last).contains(&index))
    }
}

impl TransactionSet {
    /// CLM01 of the claim a segment at `index` belongs to.
    pub(crate) fn claim_at(&self, index: usize) -> Option<&str> {
        self.claims
            .iter()
            .rev()
            .find(|(at, _)| *at <= index)
            .map(|(_, pcn)| pcn.as_str())
    }

    /// The text of the segment at file ordinal `index`.
    pub(crate) fn segment(&self, index: usize) -> Option<&str> {
        self.segments
            .iter()
            .find(|(at, _)| *at == index)
            .map(|(_, s)| s.as_str())
    }
}

/// The interchanges of a file whose ISA and GS headers could be read;
/// segments that cannot be read are skipped (validation reports them).
pub(crate) fn scan(bytes: &[u8]) -> Vec<Interchange> {
    let mut tracker = EnvelopeTracker::new();
    let mut problems = Vec::new();
    let mut out: Vec<Interchange> = Vec::new();
    for seg in Segments::new(bytes).flatten() {
        let role = tracker.observe(&seg, &mut problems);
        problems.clear();
        let index = seg.index();
        let interchange = out.last_mut();
        match role {
            Role::InterchangeStart => {
                if let Some(header) = tracker.interchange() {
                    out.push(Interchange {
                        header: header.clone(),
                        isa: seg.text().to_owned(),
                        delimiters: seg.delimiters(),
                        first: index,
                        last: index,
                        groups: Vec::new(),
                    });
                }
            }
            Role::GroupStart => {
                if let (Some(i), Some(header)) = (interchange, tracker.group()) {
                    i.groups.push(Group {
                        header: header.clone(),
                        gs: seg.text().to_owned(),
                        first: index,
                        last: index,
                        declared: None,
                        sets: Vec::new(),
                    });
                    i.last = index;
                }
            }
            Role::TransactionStart => {
                let Some(i) = interchange else { continue };
                i.last = index;
                let Some(g) = i.groups.last_mut() else {
                    continue;
                };
                g.last = index;
                let implementation = seg.opt(3).map(str::to_owned);
                g.sets.push(TransactionSet {
                    id: seg.element(1).to_owned(),
                    control_number: seg.element(2).to_owned(),
                    version: implementation
                        .clone()
                        .unwrap_or_else(|| g.header.version.clone()),
                    implementation,
                    first: index,
                    last: index,
                    segments: vec![(index, seg.text().to_owned())],
                    claims: Vec::new(),
                });
            }
            Role::Body | Role::TransactionEnd => {
                let Some(i) = interchange else { continue };
                i.last = index;
                let Some(g) = i.groups.last_mut() else {
                    continue;
                };
                g.last = index;
                let Some(s) = g.sets.last_mut() else { continue };
                if seg.id() == "CLM" {
                    s.claims.push((index, seg.element(1).to_owned()));
                }
                s.segments.push((index, seg.text().to_owned()));
                s.last = index;
            }
            Role::GroupEnd => {
                let Some(i) = interchange else { continue };
                i.last = index;
                if let Some(g) = i.groups.last_mut() {
                    g.last = index;
                    g.declared = seg.element(1).parse().ok();
                }
            }
            Role::InterchangeEnd | Role::Stray => {
                if let Some(i) = interchange {
                    i.last = index;
                }
            }
        }
    }
    out
}
