use std::collections::{BTreeMap, BTreeSet};

use super::*;
use darklog::classify::Rules;
use darklog::identity::{format_id, VisitorKey};
use darklog::parse::time::parse_clf;
use darklog::parse::{Format, LineCx};

fn cfg(seed: u64, lines: u64) -> GenConfig {
    GenConfig { seed, lines, ..GenConfig::default() }
}

fn generate(c: &GenConfig) -> (Vec<Vec<u8>>, Vec<TruthVisit>) {
    let mut g = Generator::new(c);
    let mut lines = Vec::new();
    let mut truth = Vec::new();
    while let Some(l) = g.next_line() {
        lines.push(l.to_vec());
        truth.extend(g.take_truth());
    }
    truth.extend(g.take_truth());
    (lines, truth)
}

fn stream(c: &GenConfig) -> (Vec<u8>, Vec<u8>, GenSummary) {
    let (mut out, mut truth) = (Vec::new(), Vec::new());
    let s = write_stream(c, &mut out, Some(&mut truth)).unwrap();
    (out, truth, s)
}

fn timestamp(line: &[u8]) -> Option<i64> {
    let open = memchr::memchr(b'[', line)?;
    let close = open + 1 + memchr::memchr(b']', &line[open + 1..])?;
    parse_clf(&line[open + 1..close])
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = stream(&cfg(7, 5000));
    let b = stream(&cfg(7, 5000));
    assert!(a.0 == b.0 && a.1 == b.1, "same config, same log and truth");
    let c = stream(&cfg(8, 5000));
    assert!(a.0 != c.0);
}

#[test]
fn malformed_lines_never_move_the_others() {
    let (with, _) = generate(&GenConfig { malformed_per_million: 50_000, ..cfg(3, 4000) });
    let (without, _) = generate(&GenConfig { malformed_per_million: 0, ..cfg(3, 4000) });
    let mut cx = LineCx::default();
    let good: Vec<_> =
        with.into_iter().filter(|l| Format::COMBINED.parse(l, &mut cx).hit().is_some()).collect();
    assert_eq!(good, without);
}

#[test]
fn lines_come_in_time_order_over_the_configured_days() {
    let c = cfg(11, 20_000);
    let (lines, _) = generate(&c);
    let times: Vec<i64> = lines.iter().filter_map(|l| timestamp(l)).collect();
    assert!(times.len() >= lines.len() * 99 / 100);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "sorted by time");
    assert_eq!(times[0], c.start, "the first visit starts at `start`");
    let last = *times.last().unwrap();
    let end = c.start + i64::from(c.days) * 86_400;
    // Nights are quiet (the diurnal pattern), so the last line can fall hours before the
    // end of the last day: half a day of slack.
    assert!((last - end).abs() < 12 * 3600, "the log spans the days: ends {}s from the end", last - end);
}

#[test]
fn the_line_budget_is_honoured() {
    for (seed, lines) in [(1, 5000), (2, 5000), (3, 300), (4, 50_000)] {
        let (_, _, s) = stream(&cfg(seed, lines));
        let tolerance = (lines / 10).max(150);
        assert!(s.lines.abs_diff(lines) <= tolerance, "{lines} asked, {} written", s.lines);
    }
    let (out, _, s) = stream(&cfg(1, 0));
    assert!(out.is_empty() && s.lines == 0);
}

#[test]
fn malformed_lines_come_at_the_configured_rate_and_never_parse() {
    let c = GenConfig { malformed_per_million: 20_000, ..cfg(5, 30_000) };
    let (lines, _) = generate(&c);
    let mut cx = LineCx::default();
    let bad = lines.iter().filter(|l| Format::COMBINED.parse(l, &mut cx).hit().is_none()).count() as u64;
    let (_, _, s) = stream(&c);
    assert_eq!(bad, s.malformed, "every malformed line, and only those, fails to parse");
    let expected = (s.lines - s.malformed) as f64 * 0.02;
    assert!((s.malformed as f64 - expected).abs() < 4.0 * expected.sqrt(), "{} vs {expected}", s.malformed);
    assert!(lines.iter().all(|l| !l.is_empty() && !l.contains(&b'\n')));
    let (_, _, none) = stream(&GenConfig { malformed_per_million: 0, ..cfg(5, 5000) });
    assert_eq!(none.malformed, 0);
}

/// Cuts the log into visits the way the analyzer does (identity = address and agent; a
/// page view, or any hit of an excluded agent, opens or extends a visit; 30 idle minutes
/// close it) and returns (start, public id, landing target) per visit.
fn analyzer_visits(lines: &[Vec<u8>], key: &VisitorKey) -> BTreeSet<(i64, String, String)> {
    /// (address, agent) → (start, last activity, landing target).
    type Open = BTreeMap<(Vec<u8>, Vec<u8>), (i64, i64, String)>;
    let rules = Rules::builtin().unwrap();
    let mut cx = LineCx::default();
    let mut open = Open::new();
    let mut visits = BTreeSet::new();
    for l in lines {
        let Some(h) = Format::COMBINED.parse(l, &mut cx).hit() else { continue };
        let ua = h.user_agent.unwrap_or(b"");
        let pageview =
            darklog::classify::page_view(h.method, h.status, h.path(), rules.paths.kind(h.path())).is_ok();
        if !(pageview || rules.agents.classify(h.user_agent).is_excluded()) {
            continue;
        }
        let id = (h.client.to_vec(), ua.to_vec());
        match open.get_mut(&id) {
            Some(v) if h.time <= v.1 + 30 * 60 => v.1 = h.time,
            _ => {
                let landing = String::from_utf8_lossy(h.target).into_owned();
                if let Some((s, _, t)) = open.insert(id.clone(), (h.time, h.time, landing)) {
                    visits.insert((s, format_id(key.public_id(&id.0, &id.1)), t));
                }
            }
        }
    }
    for ((ip, ua), (s, _, t)) in open {
        visits.insert((s, format_id(key.public_id(&ip, &ua)), t));
    }
    visits
}

#[test]
fn truth_rows_are_exactly_the_visits_an_analyzer_finds() {
    let c = cfg(42, 30_000);
    let (lines, truth) = generate(&c);
    let key = VisitorKey::from_passphrase(&c.visitor_key);
    let found: BTreeMap<(i64, String), String> =
        analyzer_visits(&lines, &key).into_iter().map(|(s, v, landing)| ((s, v), landing)).collect();
    let truth_keys: BTreeSet<(i64, String)> = truth.iter().map(|t| (t.start, t.visitor.clone())).collect();
    assert_eq!(truth_keys.len(), truth.len(), "no two truth rows share a start and visitor");
    let missing: Vec<_> = truth_keys.iter().filter(|k| !found.contains_key(k)).take(5).collect();
    let extra: Vec<_> = found.keys().filter(|k| !truth_keys.contains(k)).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "truth without visit {missing:?}; visit without truth {extra:?}"
    );
    // Excluded agents may open their visit with robots.txt in the same second; people's
    // visits open with the landing page view itself.
    for t in truth.iter().filter(|t| t.channel != "excluded") {
        assert_eq!(found[&(t.start, t.visitor.clone())], t.landing, "{t:?}");
    }
    assert!(truth.iter().any(|t| t.channel == "excluded"));
}

#[test]
fn every_landing_line_is_in_the_log_at_its_time() {
    let c = cfg(9, 8000);
    let (lines, truth) = generate(&c);
    let key = VisitorKey::from_passphrase(&c.visitor_key);
    let mut cx = LineCx::default();
    let mut at: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    for l in &lines {
        let Some(h) = Format::COMBINED.parse(l, &mut cx).hit() else { continue };
        if h.method == b"GET" {
            let id = format_id(key.public_id(h.client, h.user_agent.unwrap_or(b"")));
            at.entry(h.time).or_default().push((id, String::from_utf8_lossy(h.target).into_owned()));
        }
    }
    assert!(truth.len() > 300);
    for t in &truth {
        let same_second = at.get(&t.start).map(Vec::as_slice).unwrap_or(&[]);
        assert!(
            same_second.iter().any(|(id, target)| *id == t.visitor && *target == t.landing),
            "no landing line for {t:?}"
        );
    }
}

#[test]
fn a_rotated_set_is_the_stream_cut_in_time_order() {
    let c = cfg(21, 9000);
    let (plain, truth, s) = stream(&c);
    let dir = tempfile::tempdir().unwrap();
    let set = write_set(&c, dir.path(), 4, false, true).unwrap();
    let names: Vec<String> =
        set.files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["access.log.3.gz", "access.log.2.gz", "access.log.1", "access.log", "truth.csv"]);
    let mut joined = Vec::new();
    for p in &set.files[..4] {
        let bytes = std::fs::read(p).unwrap();
        if p.extension().is_some_and(|e| e == "gz") {
            let mut d = flate2::read::GzDecoder::new(&bytes[..]);
            std::io::Read::read_to_end(&mut d, &mut joined).unwrap();
        } else {
            joined.extend_from_slice(&bytes);
        }
        assert!(!bytes.is_empty());
    }
    assert!(joined == plain);
    assert_eq!(std::fs::read(&set.files[4]).unwrap(), truth);
    assert_eq!((set.lines, set.visits, set.malformed), (s.lines, s.visits, s.malformed));

    let one = write_set(&c, &dir.path().join("."), 1, true, false).unwrap();
    assert_eq!(one.files, vec![dir.path().join("./access.log.gz")]);
}

#[test]
fn truth_csv_has_the_documented_columns() {
    let (_, truth, s) = stream(&cfg(2, 3000));
    let mut r = csv::Reader::from_reader(&truth[..]);
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["start", "visitor", "landing", "channel", "source", "kind", "knowable"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as u64, s.visits);
    assert!(rows
        .iter()
        .all(|r| r[0].len() == 20 && r[0].ends_with('Z') && r[1].len() == 17 && r[1].starts_with('v')));
}

/// The scenario mix, against the proportions the generator is meant to have.
#[test]
fn the_mix_is_as_designed() {
    let (_, truth) = generate(&cfg(1, 200_000));
    let total = truth.len() as f64;
    let humans: Vec<_> = truth.iter().filter(|t| t.channel != "excluded").collect();
    let share = |pred: &dyn Fn(&TruthVisit) -> bool| {
        humans.iter().filter(|t| pred(t)).count() as f64 / humans.len() as f64
    };
    let mut channels: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &truth {
        *channels.entry(t.channel).or_default() += 1;
        *kinds.entry(t.kind).or_default() += 1;
    }
    for (k, n) in &channels {
        eprintln!("channel {k:12} {n:7} {:5.1}%", *n as f64 * 100.0 / total);
    }
    for (k, n) in &kinds {
        eprintln!("kind {k:28} {n:7} {:5.1}%", *n as f64 * 100.0 / total);
    }
    let human = humans.len() as f64 / total;
    assert!((0.70..0.80).contains(&human), "humans {human}");
    let checks: [(&str, f64, f64); 7] = [
        ("dark-social", 0.26, 0.34),
        ("search", 0.17, 0.23),
        ("social", 0.08, 0.12),
        ("email", 0.04, 0.08),
        ("paid", 0.03, 0.05),
        ("referral", 0.10, 0.14),
        ("direct", 0.15, 0.22),
    ];
    for (ch, lo, hi) in checks {
        let s = share(&|t| t.channel == ch);
        assert!((lo..hi).contains(&s), "{ch}: {s}");
    }
    let bookmarks = share(&|t| t.kind == "bookmark-return");
    assert!((0.04..0.08).contains(&bookmarks), "bookmarks {bookmarks}");
    let knowable =
        share(&|t| t.channel == "dark-social" && t.knowable) / share(&|t| t.channel == "dark-social");
    eprintln!("knowable dark social: {knowable:.3}");
    assert!((0.3..0.7).contains(&knowable));
}
