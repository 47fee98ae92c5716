//! The official ICD-10-CM tabular XML (`ICD10CM.tabular > chapter > section >
//! diag`) read into code rows.
//!
//! Rules (docs/CODESETS.md): a `diag` with `diag` children is a header, a leaf is
//! billable. Under a `sevenChrDef` (its own or inherited from an ancestor) a
//! leaf is padded to six characters with `X`, every 7th character is appended
//! and the leaf becomes their header (the padded parent); the description is
//! `desc + ", " + extension text`. One exception comes from the S06
//! `sevenChrNote`: S06 codes whose 6th character is 7 or 8 (death before
//! regaining consciousness) take only the 7th character `A`.

use roxmltree::{Document, Node, ParsingOptions};

use super::domain::{CodeRow, NoteKind};
use super::error::CodeSetError;

/// The tabular list of one release.
#[derive(Debug)]
pub struct Tabular {
    /// `<version>` of the file (the fiscal year).
    pub version: String,
    /// Every code, headers included, in tabular order.
    pub codes: Vec<CodeRow>,
}

/// The 7th characters a category defines: (character, meaning).
type SeventhCharacters = Vec<(char, String)>;

/// Reads the tabular XML `xml`, naming `file` in errors.
pub fn parse_tabular(file: &str, xml: &str) -> Result<Tabular, CodeSetError> {
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(xml, options)
        .map_err(|e| CodeSetError::format(file, format!("not well-formed XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "ICD10CM.tabular" {
        return Err(CodeSetError::format(
            file,
            format!(
                "root element is <{}>, expected <ICD10CM.tabular>",
                root.tag_name().name()
            ),
        ));
    }
    let version = child_text(root, "version").unwrap_or_default();
    let mut codes = Vec::with_capacity(100_000);
    for chapter in elements(root, "chapter") {
        for section in elements(chapter, "section") {
            for diag in elements(section, "diag") {
                read_diag(file, diag, "", None, &mut codes)?;
            }
        }
    }
    if codes.is_empty() {
        return Err(CodeSetError::format(file, "no <diag> codes found"));
    }
    Ok(Tabular { version, codes })
}

fn read_diag(
    file: &str,
    diag: Node,
    parent: &str,
    inherited: Option<&SeventhCharacters>,
    out: &mut Vec<CodeRow>,
) -> Result<(), CodeSetError> {
    let name = child_text(diag, "name")
        .ok_or_else(|| CodeSetError::format(file, "a <diag> without <name>"))?;
    let code: String = name.chars().filter(|c| *c != '.').collect();
    let description = child_text(diag, "desc").unwrap_or_default();
    let own_seventh = seventh_characters(diag);
    let seventh = own_seventh.as_ref().or(inherited);
    let children: Vec<Node> = elements(diag, "diag").collect();
    let leaf = children.is_empty();
    out.push(CodeRow {
        code: code.clone(),
        is_header: !leaf || seventh.is_some(),
        description: description.clone(),
        parent: parent.to_string(),
        notes: notes(diag),
    });
    if leaf && let Some(seventh) = seventh {
        expand_seventh(&code, &description, seventh, out);
    }
    for child in children {
        read_diag(file, child, &code, seventh, out)?;
    }
    Ok(())
}

/// Appends the 7-character codes of leaf `code` (padded to six characters
/// with `X`); the leaf itself is their header.
fn expand_seventh(
    code: &str,
    description: &str,
    seventh: &SeventhCharacters,
    out: &mut Vec<CodeRow>,
) {
    let mut padded = code.to_string();
    while padded.len() < 6 {
        padded.push('X');
    }
    // S06.-X7 / S06.-X8: death before regaining consciousness is coded once,
    // at the initial encounter (the S06 sevenChrNote).
    let initial_only = padded.starts_with("S06") && matches!(padded.as_bytes()[5], b'7' | b'8');
    for (ch, meaning) in seventh {
        if initial_only && *ch != 'A' {
            continue;
        }
        out.push(CodeRow {
            code: format!("{padded}{ch}"),
            is_header: false,
            description: format!("{description}, {meaning}"),
            parent: code.to_string(),
            notes: Vec::new(),
        });
    }
}

fn seventh_characters(diag: Node) -> Option<SeventhCharacters> {
    let def = elements(diag, "sevenChrDef").next()?;
    let chars = elements(def, "extension")
        .filter_map(|ext| {
            let ch = ext.attribute("char")?.chars().next()?;
            Some((
                ch.to_ascii_uppercase(),
                ext.text().unwrap_or_default().trim().to_string(),
            ))
        })
        .collect();
    Some(chars)
}

/// The notes written under `diag`, in tabular order; the 7th-character
/// definitions become `SeventhCharacter` notes (`A: initial encounter…`).
fn notes(diag: Node) -> Vec<(NoteKind, String)> {
    let mut out = Vec::new();
    for child in diag.children().filter(Node::is_element) {
        let tag = child.tag_name().name();
        match tag {
            "sevenChrNote" => out.extend(
                elements(child, "note").map(|n| (NoteKind::SeventhCharacter, node_text(n))),
            ),
            "sevenChrDef" => out.extend(elements(child, "extension").map(|e| {
                let ch = e.attribute("char").unwrap_or_default();
                (
                    NoteKind::SeventhCharacter,
                    format!("{ch}: {}", node_text(e)),
                )
            })),
            _ => {
                if let Some(kind) = NoteKind::parse(tag) {
                    out.extend(elements(child, "note").map(|n| (kind, node_text(n))));
                }
            }
        }
    }
    out
}

fn elements<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child_text(node: Node, name: &'static str) -> Option<String> {
    elements(node, name).next().map(node_text)
}

/// The element's text with whitespace runs collapsed.
fn node_text(node: Node) -> String {
    let raw: String = node
        .descendants()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular><version>2026</version>
 <chapter><name>19</name><section id="S00-S09">
  <diag><name>S06</name><desc>Intracranial injury</desc>
   <sevenChrNote><note>The appropriate 7th character is to be added to each code from category S06</note></sevenChrNote>
   <sevenChrDef><extension char="A">initial encounter</extension><extension char="D">subsequent encounter</extension></sevenChrDef>
   <diag><name>S06.1</name><desc>Traumatic cerebral edema</desc>
    <excludes1><note>diffuse brain injury (S06.2-)</note></excludes1>
    <diag><name>S06.1X6</name><desc>Edema, LOC &gt;24 hours</desc></diag>
    <diag><name>S06.1X7</name><desc>Edema, death</desc></diag>
   </diag>
  </diag>
  <diag><name>A00</name><desc>Cholera</desc>
   <diag><name>A00.0</name><desc>Cholera due to Vibrio cholerae 01, biovar cholerae</desc></diag>
  </diag>
  <diag><name>T71</name><desc>Asphyxiation</desc>
   <sevenChrDef><extension char="A">initial encounter</extension></sevenChrDef>
   <diag><name>T71.2</name><desc>Asphyxiation due to systemic oxygen deficiency</desc></diag>
  </diag>
 </section></chapter></ICD10CM.tabular>"#;

    fn find<'a>(t: &'a Tabular, code: &str) -> Option<&'a CodeRow> {
        t.codes.iter().find(|c| c.code == code)
    }

    #[test]
    fn leaves_under_a_seventh_character_definition_become_headers_with_extended_codes() {
        let t = parse_tabular("sample", SAMPLE).unwrap();
        assert_eq!(t.version, "2026");
        assert!(find(&t, "S061X6").unwrap().is_header);
        let a = find(&t, "S061X6A").unwrap();
        assert!(!a.is_header);
        assert_eq!(a.description, "Edema, LOC >24 hours, initial encounter");
        assert_eq!(a.parent, "S061X6");
        assert_eq!(
            t.codes
                .iter()
                .filter(|c| c.code.starts_with("S061X6"))
                .count(),
            3
        );
        assert!(find(&t, "S061X6D").is_some());
    }

    #[test]
    fn s06_death_codes_take_only_the_initial_encounter() {
        let t = parse_tabular("sample", SAMPLE).unwrap();
        assert!(find(&t, "S061X7A").is_some());
        assert!(find(&t, "S061X7D").is_none());
    }

    #[test]
    fn short_leaves_are_padded_with_x_and_stay_the_header_of_their_extensions() {
        let t = parse_tabular("sample", SAMPLE).unwrap();
        assert!(find(&t, "T712").unwrap().is_header);
        assert!(find(&t, "T712XX").is_none());
        assert_eq!(find(&t, "T712XXA").unwrap().parent, "T712");
    }

    #[test]
    fn plain_leaves_are_billable_and_notes_keep_their_kind() {
        let t = parse_tabular("sample", SAMPLE).unwrap();
        assert!(!find(&t, "A000").unwrap().is_header);
        assert!(find(&t, "A00").unwrap().is_header);
        let s061 = find(&t, "S061").unwrap();
        assert_eq!(
            s061.notes,
            vec![(
                NoteKind::Excludes1,
                "diffuse brain injury (S06.2-)".to_string()
            )]
        );
        let s06 = find(&t, "S06").unwrap();
        assert!(
            s06.notes
                .contains(&(NoteKind::SeventhCharacter, "A: initial encounter".into()))
        );
    }

    #[test]
    fn a_file_of_another_kind_is_refused_with_the_reason() {
        let err = parse_tabular("x.xml", "<html/>").unwrap_err();
        assert!(
            err.to_string().contains("expected <ICD10CM.tabular>"),
            "{err}"
        );
    }
}
