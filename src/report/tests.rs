//! Counting classified visits, merging counts, and the rows made of them.

use std::borrow::Cow;

use super::*;
use crate::classify::{Agent, OwnedLanding, Verdict, Visit};

fn visit(start: i64, target: &str, referrer: Option<&str>) -> Visit {
    Visit {
        agent: Agent::Browser,
        visitor_id: start as u64,
        start,
        end: start + 60,
        pageviews: 2,
        hits: 5,
        assets: 3,
        downloads: 0,
        robots: false,
        landing: OwnedLanding::new(target.as_bytes(), referrer.map(str::as_bytes), None, 0),
    }
}

fn counted(v: Visit, channel: Channel, source: &'static str, reason: Reason) -> ClassifiedVisit<'static> {
    ClassifiedVisit {
        visit: v,
        outcome: Outcome::Counted(Verdict { channel, source: Cow::Borrowed(source), reason }),
    }
}

fn excluded(v: Visit, why: Exclusion) -> ClassifiedVisit<'static> {
    ClassifiedVisit { visit: v, outcome: Outcome::Excluded(why) }
}

/// Classified as the rules would: the report only counts.
fn sample() -> Vec<ClassifiedVisit<'static>> {
    vec![
        counted(visit(0, "/a/b", None), Channel::DarkSocial, "unknown", Reason::DeepDirect),
        counted(visit(100, "/", None), Channel::Direct, "none", Reason::FrontDirect),
        counted(
            visit(86_400 * 3, "/a/b?x=1", Some("https://www.google.com/")),
            Channel::Search,
            "google",
            Reason::ReferrerKnown,
        ),
        excluded(visit(86_400 * 4, "/c/d", None), Exclusion::Bot),
        excluded(visit(86_400 * 5, "/c/d", None), Exclusion::LinkPreview),
        counted(visit(86_400 * 5 + 7, "/c/d", None), Channel::DarkSocial, "unknown", Reason::DeepDirect),
        // A share-attributed visit.
        counted(visit(86_400 * 5 + 9, "/e/f", None), Channel::DarkSocial, "slack", Reason::Preview),
        // A scraper: asked for robots.txt.
        excluded(visit(86_400 * 6, "/g/h", None), Exclusion::Scraper(ScraperRule::RobotsTxt)),
    ]
}

#[test]
fn merge_equals_one_run_over_both() {
    let all = sample();
    for split in 0..=all.len() {
        let mut whole = Aggregates::new();
        let (mut a, mut b) = (Aggregates::new(), Aggregates::new());
        for (i, v) in all.iter().enumerate() {
            whole.count(v);
            if i < split {
                a.count(v)
            } else {
                b.count(v)
            }
        }
        // merge(b, a) too: the order of partial results does not matter.
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b;
        ba.merge(&a);
        for m in [ab, ba] {
            assert_eq!(m, whole, "split at {split}");
        }
    }
}

#[test]
fn a_share_is_found_by_its_borrowed_key() {
    let mut a = Aggregates::new();
    a.preview_fetch(b"/a", "slack", 1);
    a.preview_fetch(b"/a", "slack", 0);
    a.preview_fetch(b"/a", "whatsapp", 1);
    assert_eq!(a.shares.len(), 2);
    assert_eq!(a.shares.get_index_of(&ShareKey(b"/a", "slack")), Some(0), "found without a copy");
    assert_eq!(a.shares[&(b"/a".to_vec(), "slack".to_string())].fetches, 2);
    assert_eq!(a.shares[&(b"/a".to_vec(), "slack".to_string())].shares, 1);
}

#[test]
fn rows_and_shares() {
    let mut a = Aggregates::new();
    for v in sample() {
        a.count(&v);
    }
    let r = Report {
        visits: Default::default(),
        aggregates: a,
        inputs: vec![],
        site_hosts: vec![],
        evidence: crate::classify::Evidence::OffByRules,
        since: None,
        until: None,
        previous: None,
        top: 10,
        rules_file: None,
        series: PageSeries::default(),
        held_from: None,
        caveats: Vec::new(),
        made_with: Vec::new(),
    };
    let h = r.headline();
    assert_eq!((h.dark_social_visits, h.visits, h.dark_social_pct), (3, 5, 60.0));
    assert_eq!((h.identified_visits, h.inferred_visits), (1, 2));
    let ch = r.channel_rows();
    assert_eq!(
        ch[0],
        ChannelRow {
            channel: "dark-social".into(),
            kind: RowKind::Channel,
            label: "dark-social",
            short: "dark-social",
            visits: 3,
            visits_pct: Some(60.0),
            pageviews: 6,
            prev: None,
        }
    );
    let channel_sum: u64 = ch.iter().filter(|c| c.kind == RowKind::Channel).map(|c| c.visits).sum();
    assert_eq!(channel_sum, h.visits, "the channel rows add up to the visits");
    let reasons = r.reason_rows();
    assert_eq!(reasons.iter().map(|r| r.visits).sum::<u64>(), h.visits, "every counted visit has its rule");
    assert_eq!(reasons.iter().find(|r| r.reason == "deep-direct").unwrap().visits, 2);
    assert_eq!(ch[8].channel, "excluded:bots");
    assert_eq!(ch[9].visits, 1);
    assert_eq!((ch[10].channel.as_str(), ch[10].visits), ("excluded:scrapers-robots-txt", 1));
    assert_eq!(r.share_rows()[0].visits, 1);
    let pages = r.page_rows();
    assert_eq!(pages.iter().map(|p| p.landing.as_str()).collect::<Vec<_>>(), ["/a/b", "/c/d", "/e/f"]);
    assert_eq!(pages[0].visits, 2);
    assert_eq!(r.day_rows().len(), 3);
    let r = Report { top: 1, ..r };
    assert_eq!(r.page_rows().len(), 1);
    let r = Report { top: 0, ..r };
    assert_eq!(r.page_rows().len(), 3, "--top 0 is every row");
}

#[test]
fn a_comparison_pairs_rows_and_days_with_the_period_before() {
    let mut now = Aggregates::new();
    let mut before = Aggregates::new();
    let day = 86_400;
    // The window is days 7..10, the period before days 4..7.
    for (t, target) in [(7 * day, "/a/b"), (7 * day + 50, "/a/b"), (9 * day, "/c/d")] {
        now.count(&counted(visit(t, target, None), Channel::DarkSocial, "unknown", Reason::DeepDirect));
    }
    before.count(&counted(visit(4 * day, "/a/b", None), Channel::DarkSocial, "unknown", Reason::DeepDirect));
    before.count(&counted(visit(5 * day, "/", None), Channel::Direct, "none", Reason::FrontDirect));
    let r = Report {
        visits: Default::default(),
        aggregates: now,
        inputs: vec![],
        site_hosts: vec![],
        evidence: crate::classify::Evidence::OffByRules,
        since: Some(7 * day),
        until: Some(10 * day),
        previous: Some(Previous { since: 4 * day, until: Some(7 * day), aggregates: before }),
        top: 10,
        rules_file: None,
        series: PageSeries::default(),
        held_from: None,
        caveats: Vec::new(),
        made_with: Vec::new(),
    };
    let ch = r.channel_rows();
    let p = ch[0].prev.unwrap();
    assert_eq!((ch[0].visits, p.visits_prev, p.visits_change_pct), (3, 1, Some(200.0)));
    assert_eq!(ch[1].prev.unwrap().visits_change_pct, Some(-100.0));
    let days = r.day_rows();
    assert_eq!(days.len(), 3, "every day of the window, the quiet one too");
    assert_eq!(days[1].visits, 0);
    let first = days[0].prev.clone().unwrap().unwrap();
    assert_eq!((first.date.as_str(), first.visits), ("1970-01-05", 1));
    assert_eq!(days[2].prev.clone().unwrap().unwrap().date, "1970-01-07");
    let pages = r.page_rows();
    assert_eq!(pages[0].prev.unwrap().dark_social_visits_prev, 1);
    assert_eq!(pages[1].prev.unwrap().dark_social_visits_change_pct, None, "nothing before: no percentage");
    let grown = r.growing_pages(5);
    assert_eq!(
        grown.iter().map(|g| (g.landing.as_str(), g.change)).collect::<Vec<_>>(),
        [("/a/b", 1), ("/c/d", 1)]
    );
    assert_eq!(r.headline_prev().unwrap().visits, 2);
}

#[test]
fn changes_in_percent() {
    assert_eq!(change_pct(150, 100), Some(50.0));
    assert_eq!(change_pct(1, 3).map(super::row_types::two), Some(-66.67));
    assert_eq!(change_pct(5, 0), None);
}

/// Each format rounds a share once, from the counts: 20 of 201 is 9.9502%, which JSON
/// and CSV print as 9.95 and the table as 10.0% (a rounding of 9.95 printed 9.9%).
#[test]
fn a_share_is_rounded_once_where_it_is_printed() {
    let v = pct(20, 201);
    assert_eq!(super::row_types::two(v), 9.95);
    assert_eq!(format!("{v:.1}"), "10.0");
    assert_eq!(format!("{:.1}", pct(62, 201)), "30.8");
    assert_eq!(super::row_types::two(pct(62, 201)), 30.85);
}

#[test]
fn thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1234567), "1,234,567");
}
