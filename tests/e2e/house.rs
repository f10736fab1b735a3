//! The house rules of issue 13, checked on the source so that they do not drift back: a
//! file that grows past 500 lines, or a stage that reaches upstream, fails here rather
//! than at the next review.

use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every `.rs` file under `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "found the sources under {}", dir.display());
    out
}

fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name == "tests.rs" || name.ends_with("_tests.rs")
}

/// The code of a file without its comments, string literals and test module: what the
/// rules are about (a doc comment may name what the code must not use).
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let before_tests = text.split("\n#[cfg(test)]").next().unwrap();
    let strings = Regex::new(r#""(?:[^"\\]|\\.)*""#).unwrap();
    let comments = Regex::new(r"(?m)//.*$").unwrap();
    comments.replace_all(&strings.replace_all(before_tests, "\"\""), "").into_owned()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(ROOT).unwrap().display().to_string()
}

#[test]
fn no_source_file_is_over_500_lines_but_tests() {
    let all = sources(&Path::new(ROOT).join("src"));
    assert!(all.len() > 50, "read every source file: {}", all.len());
    let long: Vec<String> = all
        .into_iter()
        .filter(|p| !is_test_file(p))
        .filter_map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            let lines = text.split("\n#[cfg(test)]").next().unwrap().lines().count();
            (lines > 500).then(|| format!("{}: {lines} lines before its tests", relative(&p)))
        })
        .collect();
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

#[test]
fn the_stages_do_not_reach_upstream() {
    let src = Path::new(ROOT).join("src");
    let classify = Regex::new(r"\bclassify::").unwrap();
    let rules = Regex::new(r"\bRules\b").unwrap();
    let mut broken = Vec::new();
    for path in sources(&src.join("session")) {
        if classify.is_match(&code(&path)) {
            broken.push(format!("{}: session uses classify", relative(&path)));
        }
    }
    for path in sources(&src.join("report")) {
        if rules.is_match(&code(&path)) {
            broken.push(format!("{}: report uses the rules", relative(&path)));
        }
    }
    for path in sources(&src) {
        if code(&path).contains("Box::leak") {
            broken.push(format!("{}: Box::leak", relative(&path)));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_generator_is_no_dependency_of_the_binary() {
    let manifest: toml::Table =
        fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap().parse().unwrap();
    let deps = manifest["dependencies"].as_table().unwrap();
    assert!(deps.len() > 10, "read the manifest's dependencies");
    assert!(!deps.contains_key("darklog-gen"), "darklog-gen is a dev-dependency only");
    let dev = manifest["dev-dependencies"].as_table().unwrap();
    assert!(dev.contains_key("darklog-gen"), "tests use the generator");
}

/// The checks themselves catch what they are for.
#[test]
fn the_house_checks_see_what_they_look_for() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    fs::write(
        &file,
        "use crate::classify::Rules; // classify::\nlet s = \"Box::leak\";\n#[cfg(test)]\nBox::leak",
    )
    .unwrap();
    let seen = code(&file);
    assert!(seen.contains("classify::Rules") && !seen.contains("Box::leak"), "{seen}");
}

/// The README's rule table is the rule order `darklog rules` prints (from the `Reason`
/// enum): same ids, same numbers. A `b` row continues the rule above it.
#[test]
fn the_readme_lists_the_rules_in_their_order() {
    let run = crate::util::darklog(&["rules"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed = Regex::new(r"(?m)^\s*(\d+)\. (\S+)").unwrap();
    let order: Vec<(String, String)> =
        listed.captures_iter(&run.stdout).map(|c| (c[1].to_string(), c[2].to_string())).collect();
    assert!(order.len() >= 13, "darklog rules lists the rules: {}", run.stdout);
    let readme = fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let row = Regex::new(r"(?m)^\| (\d+) \| `([a-z-]+)` \|").unwrap();
    let table: Vec<(String, String)> =
        row.captures_iter(&readme).map(|c| (c[1].to_string(), c[2].to_string())).collect();
    assert_eq!(table, order, "README.md's rule table against `darklog rules`");
}
