use super::*;

const PAGE: HitFlags = HitFlags { pageview: true, asset: false, download: false, robots: false };

/// A reader (`false`) or an excluded agent (`true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Excluded(bool);

impl Standing for Excluded {
    fn excluded(self) -> bool {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Target(Vec<u8>);

impl LandingData for Target {
    fn viewed(&mut self, _: u64) {}
    fn take_over(&mut self, _: Self) {}
}

type Visit = ClosedVisit<Excluded, Target>;

fn details(target: &str) -> impl FnMut() -> Details<Excluded, Target> + '_ {
    move || Details { agent: Excluded(false), landing: Target(target.as_bytes().to_vec()), visitor_id: 0 }
}

fn sessionizer(cfg: SessionConfig) -> Sessionizer<Excluded, Target> {
    Sessionizer::new(cfg)
}

/// Every visit of the hits (key, time, flags, target), by start.
fn visits(hits: &[(u64, i64, HitFlags, &str)]) -> Vec<Visit> {
    let mut s = sessionizer(SessionConfig::default());
    let mut out = Vec::new();
    for &(key, t, flags, target) in hits {
        s.record(key, t, flags, 0, details(target), &mut |v| out.push(v));
    }
    s.finish(&mut |v| out.push(v));
    out.sort_by_key(|v| v.start);
    out
}

fn run(hits: &[(u64, i64, bool, &str)]) -> Vec<(u64, i64, u32, String)> {
    let hits: Vec<_> = hits
        .iter()
        .map(|&(key, t, pv, target)| {
            (key, t, HitFlags { pageview: pv, asset: !pv, download: false, robots: false }, target)
        })
        .collect();
    let mut rows: Vec<_> = visits(&hits)
        .into_iter()
        .map(|v| (0, v.start, v.pageviews, String::from_utf8(v.landing.0).unwrap()))
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_visit_ends_after_thirty_idle_minutes() {
    let rows = run(&[
        (1, 0, true, "/a"),
        (1, 600, true, "/b"),
        (1, 600 + 1801, true, "/c"),
        (1, 600 + 1802, false, "/x.css"),
    ]);
    assert_eq!(rows, vec![(0, 0, 2, "/a".into()), (0, 2401, 1, "/c".into())]);
}

#[test]
fn a_late_line_becomes_the_landing() {
    let rows = run(&[(1, 100, true, "/second"), (1, 40, true, "/first")]);
    assert_eq!(rows, vec![(0, 40, 2, "/first".into())]);
}

#[test]
fn idle_visitors_are_swept_from_memory() {
    let mut s = sessionizer(SessionConfig::default());
    let mut closed = 0;
    for i in 0..1000 {
        s.record(i, i as i64 * 10, PAGE, 0, details("/a"), &mut |_| closed += 1);
    }
    // 10 s apart, so only the last ~35 minutes of visitors are kept.
    assert!(s.active() <= 2 * (35 * 60 / 10), "{}", s.active());
    assert!(closed >= 700);
}

#[test]
fn a_late_line_bridges_two_visits_into_one() {
    // 10:00:00, 10:31:40 (a new visit), then 10:28:20 logged 200 s late: one visit.
    let rows = run(&[(1, 36_000, true, "/a"), (1, 37_900, true, "/c"), (1, 37_700, true, "/b")]);
    assert_eq!(rows, vec![(0, 36_000, 3, "/a".into())]);
    // A late line too far from the previous visit to bridge: it only becomes the
    // landing of the visit it precedes.
    let rows = run(&[(1, 0, true, "/a"), (1, 3600, true, "/c"), (1, 3500, true, "/b")]);
    assert_eq!(rows, vec![(0, 0, 1, "/a".into()), (0, 3500, 2, "/b".into())]);
}

#[test]
fn assets_logged_just_before_their_page_count_for_its_visit() {
    let asset = HitFlags { pageview: false, asset: true, download: false, robots: false };
    let out = visits(&[
        (1, 100, asset, "/a.css"),
        (1, 101, PAGE, "/a"),
        // Long before the next page: not that page's.
        (1, 5000, asset, "/b.css"),
        (1, 9000, PAGE, "/b"),
    ]);
    assert_eq!(out.iter().map(|v| (v.hits, v.assets)).collect::<Vec<_>>(), [(2, 1), (1, 0)]);
}

#[test]
fn huge_timeouts_do_not_overflow() {
    let mut s = sessionizer(SessionConfig { timeout: i64::MAX, ..SessionConfig::default() });
    let mut n = 0;
    for t in [0, i64::MAX / 2, 10] {
        s.record(1, t, PAGE, 0, details("/a"), &mut |_| n += 1);
    }
    s.finish(&mut |_| n += 1);
    assert_eq!(n, 1);
}

#[test]
fn an_idle_visitor_is_forgotten_before_any_sweep_frees_it() {
    let robots = HitFlags { pageview: false, asset: false, download: false, robots: true };
    let out = visits(&[
        (1, 0, robots, "/robots.txt"),
        (1, 1, PAGE, "/a"),
        // Another visitor's hit brings a sweep at 30 minutes, too early to free
        // visitor 1.
        (2, 1800, PAGE, "/b"),
        // 38 minutes: idle past timeout and lateness, before the next sweep. A new
        // visitor as far as the answer goes: its robots.txt was another visit's.
        (1, 2280, PAGE, "/c"),
    ]);
    let rows: Vec<_> = out.iter().map(|v| (v.start, v.robots)).collect();
    assert_eq!(rows, [(1, true), (1800, false), (2280, false)]);
}

#[test]
fn assets_before_any_page_view_start_nothing() {
    let rows = run(&[(1, 0, false, "/a.css"), (1, 5, true, "/a")]);
    assert_eq!(rows, vec![(0, 5, 1, "/a".into())]);
}
