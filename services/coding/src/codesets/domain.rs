//! The code-set vocabulary: code systems, what a code is on a date, the
//! tabular notes, and the rows an importer hands to the store. No I/O here.

use medbill_kernel::CalendarDate;

/// A code system medbill loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeSystem {
    /// ICD-10-CM diagnoses.
    Icd10Cm,
    /// ICD-10-PCS inpatient procedures.
    Icd10Pcs,
    /// CPT numbers (descriptors only from a customer's licensed file).
    Cpt,
    /// HCPCS Level II.
    Hcpcs,
    /// CPT/HCPCS modifiers.
    Modifier,
}

impl CodeSystem {
    /// Every system, in display order.
    pub const ALL: [CodeSystem; 5] = [
        CodeSystem::Icd10Cm,
        CodeSystem::Icd10Pcs,
        CodeSystem::Cpt,
        CodeSystem::Hcpcs,
        CodeSystem::Modifier,
    ];

    /// The stored name (`code_set_releases.system`).
    pub fn as_str(self) -> &'static str {
        match self {
            CodeSystem::Icd10Cm => "ICD10CM",
            CodeSystem::Icd10Pcs => "ICD10PCS",
            CodeSystem::Cpt => "CPT",
            CodeSystem::Hcpcs => "HCPCS",
            CodeSystem::Modifier => "MODIFIER",
        }
    }

    /// The system stored as `name`.
    pub fn parse(name: &str) -> Option<CodeSystem> {
        CodeSystem::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// What a code is on a date of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    /// Valid and billable on the date.
    Billable,
    /// A heading in the tabular list, never billable itself.
    Header,
    /// Known, but not in effect on the date.
    NotEffective,
}

/// The kinds of ICD-10-CM tabular instructional notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// `inclusionTerm`.
    InclusionTerm,
    /// `includes`.
    Includes,
    /// `excludes1`: never coded together with this code.
    Excludes1,
    /// `excludes2`: not included here, may be coded together.
    Excludes2,
    /// `codeFirst`: the etiology is sequenced first.
    CodeFirst,
    /// `useAdditionalCode`.
    UseAdditionalCode,
    /// `codeAlso`.
    CodeAlso,
    /// `notes`.
    Note,
    /// `sevenChrNote` and the `sevenChrDef` extensions (`A: initial encounter…`).
    SeventhCharacter,
}

impl NoteKind {
    /// Every kind.
    pub const ALL: [NoteKind; 9] = [
        NoteKind::InclusionTerm,
        NoteKind::Includes,
        NoteKind::Excludes1,
        NoteKind::Excludes2,
        NoteKind::CodeFirst,
        NoteKind::UseAdditionalCode,
        NoteKind::CodeAlso,
        NoteKind::Note,
        NoteKind::SeventhCharacter,
    ];

    /// The stored name, which is also the tabular XML element name.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::InclusionTerm => "inclusionTerm",
            NoteKind::Includes => "includes",
            NoteKind::Excludes1 => "excludes1",
            NoteKind::Excludes2 => "excludes2",
            NoteKind::CodeFirst => "codeFirst",
            NoteKind::UseAdditionalCode => "useAdditionalCode",
            NoteKind::CodeAlso => "codeAlso",
            NoteKind::Note => "notes",
            NoteKind::SeventhCharacter => "sevenChr",
        }
    }

    /// The kind stored (or written in the XML) as `name`.
    pub fn parse(name: &str) -> Option<NoteKind> {
        NoteKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One instructional note as answered: written under `from_code`, which is
/// the code itself or one of its ancestors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Which instruction.
    pub kind: NoteKind,
    /// Its text.
    pub text: String,
    /// The code it is written under.
    pub from_code: String,
}

/// What one code means on one date: the answer of `GetCode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAnswer {
    /// The system.
    pub system: CodeSystem,
    /// The code, upper case, no dot.
    pub code: String,
    /// Billable, header or not in effect on the date.
    pub status: CodeStatus,
    /// Its description (empty when no loaded release describes it, or for
    /// CPT/CDT without a licensed file).
    pub description: String,
    /// First day of the validity period nearest the date, when known.
    pub effective_from: Option<CalendarDate>,
    /// Last day of that period; `None` while current.
    pub effective_to: Option<CalendarDate>,
    /// Its notes followed by its ancestors' (nearest first).
    pub notes: Vec<Note>,
    /// MCE edits that apply on the date.
    pub mce_edits: Vec<String>,
    /// The parent heading, empty at the top.
    pub parent: String,
}

/// Why a code was refused before any lookup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 2 to 7 letters or digits (a dot is allowed)")]
pub struct BadCode;

/// A code as typed (`s52.521a`, ` O80 `) in its stored form (`S52521A`).
pub fn normalize_code(text: &str) -> Result<String, BadCode> {
    let code: String = text
        .trim()
        .chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = (2..=7).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok { Ok(code) } else { Err(BadCode) }
}

/// A code as an importer read it from a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// Upper case, no dot.
    pub code: String,
    /// A heading rather than a billable code.
    pub is_header: bool,
    /// The description (empty when withheld: CPT/CDT descriptors).
    pub description: String,
    /// The parent heading, empty at the top.
    pub parent: String,
    /// Notes written under this code, in tabular order.
    pub notes: Vec<(NoteKind, String)>,
}

/// One validity period of a code, with the MCE edits that apply during it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidityRow {
    /// The code.
    pub code: String,
    /// First valid day.
    pub valid_from: CalendarDate,
    /// Last valid day; `None` while current.
    pub valid_to: Option<CalendarDate>,
    /// MCE edit names (`newborn`, `maternity`, …), empty outside the MCE.
    pub edits: Vec<String>,
}

/// The age range an MCE age edit allows during a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeRange {
    /// The edit (`newborn`, `pediatric`, `maternity`, `adult`).
    pub edit: String,
    /// Lowest age in years, inclusive.
    pub low_age: i64,
    /// Highest age in years, inclusive.
    pub high_age: i64,
    /// First day the range applies.
    pub valid_from: CalendarDate,
    /// Last day; `None` while current.
    pub valid_to: Option<CalendarDate>,
}

/// The I/OCE attributes of a HCPCS code during one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HcpcsAttributes {
    /// The code.
    pub code: String,
    /// First day of the period.
    pub valid_from: CalendarDate,
    /// Last day; `None` while current.
    pub valid_to: Option<CalendarDate>,
    /// OPPS status indicator (`''` when none).
    pub status_indicator: String,
    /// APC (`''` when none).
    pub apc: String,
    /// Lowest age in years.
    pub low_age: i64,
    /// Highest age in years.
    pub high_age: i64,
}

/// The I/OCE attributes of a modifier during one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifierAttributes {
    /// The modifier.
    pub modifier: String,
    /// First day of the period.
    pub valid_from: CalendarDate,
    /// Last day; `None` while current.
    pub valid_to: Option<CalendarDate>,
    /// May bypass an NCCI PTP edit whose modifier indicator is 1.
    pub ncci_bypass: bool,
    /// A telehealth modifier.
    pub telehealth: bool,
}

/// One NCCI PTP row as an importer read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PtpRow {
    /// Column 1 code.
    pub column1: String,
    /// Column 2 code.
    pub column2: String,
    /// First day in effect.
    pub effective_from: CalendarDate,
    /// Deletion date (last day in effect), `None` for `*`.
    pub effective_to: Option<CalendarDate>,
    /// 0, 1 or 9.
    pub modifier_indicator: i64,
    /// Rationale text.
    pub rationale: String,
}

/// One MUE row as an importer read it: code, value, adjudication
/// indicator, rationale.
pub type MueRow = (String, i64, i64, String);

/// One NCCI procedure-to-procedure edit in effect on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NcciPair {
    /// `hospital_outpatient` or `practitioner`.
    pub setting: String,
    /// The comprehensive code (paid).
    pub column1: String,
    /// The component code (denied with column 1 unless the modifier
    /// indicator allows a bypass modifier).
    pub column2: String,
    /// First day in effect.
    pub effective_from: CalendarDate,
    /// Last day in effect; `None` while in effect.
    pub effective_to: Option<CalendarDate>,
    /// 0: no modifier allows both; 1: an NCCI-associated modifier allows
    /// both; 9: not applicable.
    pub modifier_indicator: i64,
    /// CMS's rationale text, when the source has one.
    pub rationale: String,
}

impl NcciPair {
    /// Whether the edit is in effect on `date`.
    pub fn in_effect_on(&self, date: CalendarDate) -> bool {
        self.effective_from <= date && self.effective_to.is_none_or(|to| date <= to)
    }
}

/// A medically unlikely edit value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MueValue {
    /// `practitioner`, `hospital_outpatient` or `dme`.
    pub setting: String,
    /// The CPT/HCPCS code.
    pub code: String,
    /// Most units reportable.
    pub mue_value: i64,
    /// 1 per line, 2 per date of service (policy), 3 per date of service
    /// (clinical).
    pub adjudication_indicator: i64,
    /// CMS's rationale.
    pub rationale: String,
}

/// The code system a procedure code belongs to by its shape: seven
/// characters are ICD-10-PCS, a leading letter HCPCS Level II, else CPT.
pub fn procedure_system(code: &str) -> CodeSystem {
    if code.len() == 7 {
        CodeSystem::Icd10Pcs
    } else if code.starts_with(|c: char| c.is_ascii_uppercase()) {
        CodeSystem::Hcpcs
    } else {
        CodeSystem::Cpt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_stored_upper_case_without_its_dot() {
        assert_eq!(normalize_code(" s52.521a ").as_deref(), Ok("S52521A"));
        assert_eq!(normalize_code("O80").as_deref(), Ok("O80"));
        assert_eq!(normalize_code("S52-521"), Err(BadCode));
        assert_eq!(normalize_code("S52521AB"), Err(BadCode));
        assert_eq!(normalize_code(""), Err(BadCode));
    }

    #[test]
    fn a_procedure_code_belongs_to_a_system_by_its_shape() {
        assert_eq!(procedure_system("0DTJ4ZZ"), CodeSystem::Icd10Pcs);
        assert_eq!(procedure_system("J1100"), CodeSystem::Hcpcs);
        assert_eq!(procedure_system("99213"), CodeSystem::Cpt);
        assert_eq!(procedure_system("0001A"), CodeSystem::Cpt);
    }

    #[test]
    fn stored_names_read_back_as_the_same_values() {
        for s in CodeSystem::ALL {
            assert_eq!(CodeSystem::parse(s.as_str()), Some(s));
        }
        for k in NoteKind::ALL {
            assert_eq!(NoteKind::parse(k.as_str()), Some(k));
        }
    }
}
