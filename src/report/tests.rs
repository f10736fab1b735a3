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
        landing: OwnedLanding::new(
            target.as_bytes().to_vec(),
            referrer.map(|r| r.as_bytes().to_vec()),
            None,
            0,
        ),
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
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
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
        evidence_required: false,
        since: None,
        until: None,
        previous: None,
        top: 10,
    };
    let h = r.headline();
    assert_eq!((h.dark_social_visits, h.visits, h.dark_social_pct), (3, 5, 60.0));
    assert_eq!((h.identified_visits, h.inferred_visits), (1, 2));
    let ch = r.channel_rows();
    assert_eq!(
        ch[0],
        ChannelRow {
            channel: "dark-social".into(),
            label: "dark-social",
            visits: 3,
            visits_pct: Some(60.0),
            pageviews: 6
        }
    );
    assert_eq!(ch[8].channel, "excluded:bots");
    assert_eq!(ch[9].visits, 1);
    assert_eq!((ch[10].channel.as_str(), ch[10].visits), ("excluded:scrapers-robots-txt", 1));
    assert_eq!(r.share_rows()[0].visits, 1);
    let pages = r.page_rows();
    assert_eq!(pages.iter().map(|p| p.landing.as_str()).collect::<Vec<_>>(), ["/a/b", "/c/d", "/e/f"]);
    assert_eq!(pages[0].visits, 2);
    assert_eq!(r.day_rows().len(), 3);
}

#[test]
fn thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1234567), "1,234,567");
}
