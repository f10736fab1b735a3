//! The maintained lists, through the binary: the tables it embeds are what the
//! generator (`crates/darklog-lists`) makes of `data/upstream/`, and darklog does not
//! contradict the crawler list on its own examples.

use std::process::{Command, Stdio};

use crate::util::*;

#[test]
fn the_embedded_lists_are_what_the_generator_makes_of_the_upstream_files() {
    let root = darklog_lists::root();
    let tables =
        darklog_lists::generate(&darklog_lists::upstream_dir(&root)).expect("the upstream files generate");
    assert!(tables.len() >= 2);
    for t in tables {
        let r = darklog(&["rules", "--table", t.name]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout == t.text,
            "{}: the binary's table is not what the generator makes of data/upstream/; \
             run `cargo run -p darklog-lists` and commit the result",
            t.name
        );
    }
}

/// Patterns of the crawler list whose examples darklog reads otherwise, on purpose.
const OVERRIDDEN: &[(&str, &str)] = &[
    ("MetaIAB Facebook", "Meta's in-app browser: a person reading in the Facebook app"),
    (r"AP3A\.240617\.008", "an Android build number; its example is Instagram's in-app browser"),
];

#[test]
fn darklog_excludes_the_crawler_lists_own_examples() {
    let root = darklog_lists::root();
    let patterns = darklog_lists::crawler_instances(&darklog_lists::upstream_dir(&root)).unwrap();
    let examples: Vec<(&str, &str)> = patterns
        .iter()
        .filter(|(p, _)| !OVERRIDDEN.iter().any(|(o, _)| o == p))
        .flat_map(|(p, examples)| examples.iter().map(move |e| (p.as_str(), e.as_str())))
        .filter(|(_, e)| !e.contains(['\n', '\r', '\t']))
        .collect();
    assert!(examples.len() > 2000, "{}", examples.len());
    let input: String = examples
        .iter()
        .enumerate()
        .map(|(i, (_, ua))| {
            format!(
                "192.0.2.{} - - [02/Nov/2026:10:00:00 +0000] \"GET /a/story HTTP/1.1\" 200 1 \"-\" \"{}\"\n",
                i % 250,
                ua.replace('\\', "\\\\").replace('"', "\\\"")
            )
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_darklog"))
        .args(["explain", "--log-format", "combined"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
            let out = child.wait_with_output();
            let _ = feeder.join();
            out
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let agents: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("user agent:")).collect();
    assert_eq!(agents.len(), examples.len());
    let readers: Vec<String> = examples
        .iter()
        .zip(&agents)
        .filter(|(_, said)| !said.contains("not a reader"))
        .map(|((pattern, ua), said)| format!("{pattern}: {ua}\n    {said}"))
        .collect();
    assert!(
        readers.is_empty(),
        "{} of the list's examples read as readers:\n{}",
        readers.len(),
        readers.join("\n")
    );
}
