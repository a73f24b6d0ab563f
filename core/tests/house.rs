//! How the source is laid out, checked so that it stays so: no source file over 600
//! lines, and a store that knows no domain.

use std::path::{Path, PathBuf};

/// The most lines a source file of the library, its C API or its Python module may have.
const MAX_LINES: usize = 600;

/// The domains the store serves, which it must not import: each keeps its derived data
/// in the store's generic slots instead.
const DOMAINS: [&str; 6] = [
    "ledger", "report", "visits", "calendar", "units", "registry",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    for crate_dir in ["core", "ffi", "python"] {
        rust_files(&root().join(crate_dir).join("src"), &mut files);
    }
    assert!(files.len() > 50, "the sources are found: {}", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f)
                .expect("a source")
                .lines()
                .count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

#[test]
fn the_store_imports_no_domain() {
    let mut files = Vec::new();
    rust_files(&root().join("core/src/store"), &mut files);
    assert!(!files.is_empty());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source");
        for (n, line) in text.lines().enumerate() {
            for domain in DOMAINS {
                if line.contains(&format!("crate::{domain}")) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "the store imports a domain: {found:#?}");
}
