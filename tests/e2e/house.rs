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

/// The text of a source file before its test module (`#[cfg(test)]` then `mod …`).
fn before_tests(text: &str) -> &str {
    let tests = Regex::new(r"\n#\[cfg\(test\)\]\s*\n\s*mod \w+").unwrap();
    tests.find(text).map_or(text, |m| &text[..m.start()])
}

/// The code of a file without its comments, string and char literals and test module:
/// what the rules are about (a doc comment may name what the code must not use). Read
/// left to right, as the compiler does, so that a quote in a comment or a `'"'` does not
/// open a string that hides code.
fn code(path: &Path) -> String {
    strip(before_tests(&fs::read_to_string(path).unwrap()))
}

fn strip(text: &str) -> String {
    let b = text.as_bytes();
    let raw_open = Regex::new(r#"^b?r(#*)""#).unwrap();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // The end of the string literal whose opening quote is at `q`, escapes skipped.
    let string_end = |mut q: usize| {
        q += 1;
        while q < b.len() && b[q] != b'"' {
            q += if b[q] == b'\\' { 2 } else { 1 };
        }
        q + 1
    };
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            while i < b.len() {
                if text[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if text[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(raw) = raw_open.captures(rest).filter(|_| {
            // `r"` opens a raw string only where no identifier goes on before it (`for"`).
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
        }) {
            let close = format!("\"{}", &raw[1]);
            let body = raw[0].len();
            i += body + rest[body..].find(&close).map_or(rest.len() - body, |e| e + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i = string_end(i).min(b.len());
            out.push_str("\"\"");
        } else if b[i] == b'\'' {
            // A char literal ('a', '\'', '\u{e9}', '"'), or a lifetime ('a), which is code.
            if b.get(i + 1) == Some(&b'\\') {
                // Escaped: it ends at the first quote after the escaped character.
                let after = (i + 3).min(b.len());
                i = text[after..].find('\'').map_or(b.len(), |e| after + e + 1);
            } else {
                let ch = rest[1..].chars().next().map_or(0, char::len_utf8);
                if b.get(i + 1 + ch) == Some(&b'\'') {
                    i += 2 + ch;
                } else {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = rest.chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
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
            let lines = before_tests(&text).lines().count();
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
    let item = Regex::new(r"(?m)^\s*(pub(\([a-z]+\))? )?fn \w+").unwrap();
    for path in sources(&src) {
        // What the stripping keeps is the code: every function the file defines is still
        // there (a string or comment read wrong would swallow some).
        let text = fs::read_to_string(&path).unwrap();
        let code = strip(before_tests(&text));
        let (defined, kept) = (item.find_iter(before_tests(&text)).count(), item.find_iter(&code).count());
        assert_eq!(kept, defined, "{}: the stripped code lost functions", relative(&path));
        if code.contains("Box::leak") {
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
    let text = concat!(
        "use crate::classify::Rules; // classify:: \"\n",
        "let q = '\"'; let e = '\\''; let l: &'static str = r#\"Box::leak \"# ;\n",
        "/* a \" /* nested */ Box::leak */ fn after<'a>() { Box::leak(x) }\n",
        "let s = \"Box::leak \\\" still\"; Box::leak(y);\n",
        "#[cfg(test)]\nfn not_a_test_module() { Box::leak(z) }\n",
        "#[cfg(test)]\nmod tests { Box::leak(w) }\n",
    );
    fs::write(&file, text).unwrap();
    let seen = code(&file);
    assert!(seen.contains("classify::Rules"), "{seen}");
    assert_eq!(seen.matches("Box::leak").count(), 3, "code after quotes and comments is read: {seen}");
    assert!(seen.contains("after<'a>") && !seen.contains("still") && !seen.contains("(w)"), "{seen}");
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
