//! Runs on the project's generator: the bundled sample, the same answer at any speed,
//! and the accuracy of the rules against the generator's ground truth.

use std::collections::HashMap;

use crate::util::*;

/// `fixtures/sample.log.gz` is exactly what the generator makes for these arguments:
/// a change to the generator shows up here, and the sample is regenerated on purpose.
#[test]
fn the_bundled_sample_is_the_generators_output() {
    let bundled = gunzip(&std::fs::read(fixture("sample.log.gz")).unwrap());
    assert!(
        bundled == generate(3000, 1),
        "fixtures/sample.log.gz is stale: cargo run -p darklog-gen -- --lines 3000 --seed 1 | gzip -9n > fixtures/sample.log.gz"
    );
}

#[test]
fn the_readme_command_analyses_the_sample() {
    let r = darklog(&["analyze", "fixtures/sample.log.gz"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    expect_file("sample.summary.txt", &r.stdout);
}

fn generated(dir: &std::path::Path, lines: u64, seed: u64) -> std::path::PathBuf {
    write(dir, "gen.log", &generate(lines, seed))
}

#[test]
fn same_answer_at_any_thread_count_block_size_or_compression() {
    let dir = tempfile::tempdir().unwrap();
    let plain = generated(dir.path(), 40_000, 5);
    let gz = write(dir.path(), "gen.log.gz", &gzip(&std::fs::read(&plain).unwrap()));
    for (report, format) in [("visits", "csv"), ("summary", "json"), ("summary", "table")] {
        let run = |path: &str, extra: &[&str]| {
            let mut args =
                vec!["analyze", path, "--report", report, "--format", format, "--visitor-key=k", "-q"];
            args.extend_from_slice(extra);
            let r = darklog(&args);
            assert_eq!(r.code, 0, "{}", r.stderr);
            if format != "json" {
                return r.stdout;
            }
            // Everything but the input's own name and compression must match.
            let mut doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            doc.as_object_mut().unwrap().remove("inputs");
            doc.to_string()
        };
        let reference = run(s(&plain), &["--threads", "1"]);
        assert!(reference.len() > 1000);
        for (path, extra) in [
            (s(&plain), &["--threads", "2"][..]),
            (s(&plain), &["--threads", "3", "--block-size", "5000"]),
            // Read, not mapped.
            (s(&plain), &["--no-map", "--threads", "2"]),
            (s(&plain), &["--no-map", "--threads", "3", "--block-size", "5000"]),
            (s(&gz), &["--threads", "1"]),
            (s(&gz), &["--threads", "2", "--block-size", "70000"]),
        ] {
            assert!(run(path, extra) == reference, "{report}/{format} differs for {path} {extra:?}");
        }
    }
}

struct Truth {
    channel: String,
    source: String,
    knowable: bool,
}

/// Compares `analyze --report visits` with the generator's truth, joined on (start,
/// visitor). Returns the figures the closing note quotes.
pub fn score(truth_csv: &str, visits_csv: &str) -> HashMap<&'static str, f64> {
    let mut truth: HashMap<(String, String), Truth> = HashMap::new();
    let mut rdr = csv::Reader::from_reader(truth_csv.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (ts, tv, tc, tsrc, tk) =
        (col("start"), col("visitor"), col("channel"), col("source"), col("knowable"));
    for rec in rdr.records() {
        let rec = rec.unwrap();
        truth.insert(
            (rec[ts].to_string(), rec[tv].to_string()),
            Truth {
                channel: rec[tc].to_string(),
                source: rec[tsrc].to_string(),
                knowable: &rec[tk] == "true",
            },
        );
    }
    let mut predicted: HashMap<(String, String), (String, String)> = HashMap::new();
    let mut rdr = csv::Reader::from_reader(visits_csv.as_bytes());
    for rec in rdr.records() {
        let rec = rec.unwrap();
        predicted.insert((rec[0].to_string(), rec[1].to_string()), (rec[3].to_string(), rec[4].to_string()));
    }
    let humans: Vec<(&(String, String), &Truth)> =
        truth.iter().filter(|(_, t)| t.channel != "excluded").collect();
    let right = humans.iter().filter(|(k, t)| predicted.get(*k).is_some_and(|p| p.0 == t.channel)).count();
    let ds_truth = humans.iter().filter(|(_, t)| t.channel == "dark-social").count();
    let ds_found = humans
        .iter()
        .filter(|(k, t)| {
            t.channel == "dark-social" && predicted.get(*k).is_some_and(|p| p.0 == "dark-social")
        })
        .count();
    let ds_pred = predicted.values().filter(|p| p.0 == "dark-social").count();
    let ds_pred_right = predicted
        .iter()
        .filter(|(k, p)| p.0 == "dark-social" && truth.get(*k).is_some_and(|t| t.channel == "dark-social"))
        .count();
    let knowable: Vec<_> = humans.iter().filter(|(_, t)| t.channel == "dark-social" && t.knowable).collect();
    let source_right =
        knowable.iter().filter(|(k, t)| predicted.get(*k).is_some_and(|p| p.1 == t.source)).count();
    let nonhuman_as_visits =
        predicted.keys().filter(|k| truth.get(*k).is_some_and(|t| t.channel == "excluded")).count();
    let unmatched = predicted.keys().filter(|k| !truth.contains_key(*k)).count();
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    HashMap::from([
        ("human_visits", humans.len() as f64),
        ("reported_visits", predicted.len() as f64),
        ("channel_accuracy", ratio(right, humans.len())),
        ("dark_social_precision", ratio(ds_pred_right, ds_pred)),
        ("dark_social_recall", ratio(ds_found, ds_truth)),
        ("source_right_when_knowable", ratio(source_right, knowable.len())),
        ("nonhuman_share_of_reported_visits", ratio(nonhuman_as_visits, predicted.len())),
        ("reported_visits_without_truth", unmatched as f64),
    ])
}

/// The rules against ground truth, held to the classification issue's targets: channel
/// accuracy 97%, dark-social precision and recall 95%, source right for 90% of the
/// dark-social visits whose app is knowable, non-human visits at most 1% of those reported.
/// (The generator models the signals the rules read, so these figures flatter; the real
/// logs in ../shared keep the rules honest on traffic nobody made up.)
#[test]
fn accuracy_on_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    generate_set(&set, 60_000, 42, 3);
    let truth = std::fs::read_to_string(set.join("truth.csv")).unwrap();
    std::fs::remove_file(set.join("truth.csv")).unwrap();
    let r = darklog(&[
        "analyze",
        s(&set),
        "--report",
        "visits",
        "--format",
        "csv",
        "--visitor-key",
        "darklog-test",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = score(&truth, &r.stdout);
    let mut names: Vec<_> = m.keys().collect();
    names.sort();
    for k in names {
        eprintln!("accuracy: {k} = {:.4}", m[k]);
    }
    assert_eq!(m["reported_visits_without_truth"], 0.0, "every reported visit is a generated one");
    assert!(m["human_visits"] > 2000.0);
    assert!(m["channel_accuracy"] >= 0.97, "{m:?}");
    assert!(m["dark_social_recall"] >= 0.95, "{m:?}");
    assert!(m["dark_social_precision"] >= 0.95, "{m:?}");
    assert!(m["source_right_when_knowable"] >= 0.90, "{m:?}");
    assert!(m["nonhuman_share_of_reported_visits"] <= 0.01, "{m:?}");
}
