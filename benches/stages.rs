//! The hot stages, one line or one visit at a time. Each benchmark checks its result
//! first, so a fast wrong answer cannot pass for a speed-up.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use darklog::classify::{
    Agent, AgentCache, Channel, Classifier, HostCache, Landing, OwnedLanding, Rules, SiteFacts,
};
use darklog::identity::KeyHasher;
use darklog::parse::{Format, FormatOptions, FormatSpec, Hit, LineCx, Preset};
use darklog::session::{Details, HitFlags, SessionConfig, Sessionizer};
use darklog_gen::{GenConfig, Generator};

// The end-to-end tests' rewriter: the same lines in another layout.
#[allow(dead_code)]
#[path = "../tests/e2e/relayout.rs"]
mod relayout;

/// Real-shaped lines from the project's generator (the same the comparison script uses).
fn lines(n: usize) -> Vec<Vec<u8>> {
    let mut g = Generator::new(&GenConfig { seed: 7, lines: n as u64, ..GenConfig::default() });
    let mut out = Vec::with_capacity(n);
    while let Some(l) = g.next_line() {
        out.push(l.to_vec());
    }
    out
}

/// `f` on the hit of `line`, if it parses as combined.
fn with_hit<T>(line: &[u8], cx: &mut LineCx, f: impl FnOnce(Hit<'_>) -> T) -> Option<T> {
    Format::COMBINED.parse(line, cx).hit().map(f)
}

fn parse(c: &mut Criterion) {
    let lines = lines(20_000);
    let mut cx = LineCx::default();
    let parsed = lines.iter().filter(|l| with_hit(l, &mut cx, |_| ()).is_some()).count();
    assert!(parsed * 100 >= lines.len() * 99, "the generator's lines parse: {parsed}/{}", lines.len());
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("combined_line", |b| {
        b.iter(|| {
            let mut cx = LineCx::default();
            let mut n = 0u64;
            for l in &lines {
                n += with_hit(black_box(l), &mut cx, |h| u64::from(h.status)).unwrap_or(0);
            }
            n
        })
    });
    // The way the pipeline reads: newline and fields found in one pass over a block.
    let block: Vec<u8> = lines.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
    let next = |data: &[u8]| {
        let mut n = 0u64;
        Format::COMBINED.parse_chunk(&Default::default(), 0, data, |_, _, parsed| {
            n += parsed.hit().map_or(0, |h| u64::from(h.status))
        });
        n
    };
    let statuses: u64 = lines.iter().filter_map(|l| with_hit(l, &mut cx, |h| u64::from(h.status))).sum();
    assert_eq!(next(&block), statuses, "parse_next reads the block as parse reads its lines");
    g.bench_function("combined_block", |b| b.iter(|| next(black_box(&block))));
    // The same lines read through a format string, and rewritten as nginx JSON.
    let opts = FormatOptions::default();
    let string =
        FormatSpec::Nginx(Preset::Combined.nginx_body().unwrap().into()).build(&opts).unwrap().unwrap();
    let json_block = relayout::relayout(&block, relayout::Layout::NginxJson);
    let json = Preset::Json.build(&opts);
    let read = |format: &Format, data: &[u8]| {
        let mut n = 0u64;
        format.parse_chunk(&Default::default(), 0, data, |_, _, parsed| {
            n += parsed.hit().map_or(0, |h| u64::from(h.status))
        });
        n
    };
    assert_eq!(read(&string, &block), statuses, "the format string reads the block as combined does");
    assert_eq!(read(&json, &json_block), statuses, "JSON reads the rewritten block to the same hits");
    g.bench_function("format_string_block", |b| b.iter(|| read(&string, black_box(&block))));
    g.bench_function("json_block", |b| b.iter(|| read(&json, black_box(&json_block))));
    g.finish();
}

fn classify(c: &mut Criterion) {
    let rules = Rules::builtin().unwrap();
    let mut facts = SiteFacts::default();
    facts.add_site("www.example.com");
    let classifier = Classifier::new(&rules, &facts);
    let landings: Vec<(&[u8], Option<&[u8]>)> = vec![
        (b"/news/2026/11/03/city-council-approves-budget-4821", None),
        (b"/", None),
        (b"/a/b?utm_source=newsletter&utm_medium=email", None),
        (b"/a/b", Some(b"https://www.google.fr/")),
        (b"/a/b", Some(b"https://blog.example.org/post/1")),
        (b"/a/b", Some(b"https://www.example.com/news")),
    ];
    let first = classifier.landing(&Landing {
        target: landings[0].0,
        referrer: None,
        vhost: None,
        agent: Agent::Browser,
        shared_by: None,
        returning: false,
    });
    assert_eq!(first.channel, Channel::DarkSocial);
    let uas = lines(5_000)
        .into_iter()
        .filter_map(|l| with_hit(&l, &mut LineCx::default(), |h| h.user_agent.map(<[u8]>::to_vec)).flatten())
        .collect::<Vec<_>>();
    let mut g = c.benchmark_group("classify");
    g.throughput(Throughput::Elements(landings.len() as u64));
    // As the pipeline asks: referrer hosts decided once, then from the host cache.
    let mut hosts = HostCache::default();
    g.bench_function("landing", |b| {
        b.iter(|| {
            landings
                .iter()
                .map(|(t, r)| {
                    classifier
                        .landing_cached(
                            &Landing {
                                target: t,
                                referrer: *r,
                                vhost: None,
                                agent: Agent::Browser,
                                shared_by: None,
                                returning: false,
                            },
                            &mut hosts,
                        )
                        .channel
                        .index()
                })
                .sum::<usize>()
        })
    });
    // Every line's path is tested, page or asset, on the parse threads.
    let paths = lines(20_000)
        .into_iter()
        .filter_map(|l| with_hit(&l, &mut LineCx::default(), |h| h.path().to_vec()))
        .collect::<Vec<_>>();
    let assets = paths.iter().filter(|p| rules.paths.is_asset(p)).count();
    assert!(assets * 4 > paths.len() && assets * 4 < paths.len() * 3, "{assets} assets of {}", paths.len());
    g.throughput(Throughput::Elements(paths.len() as u64));
    g.bench_function("is_asset", |b| {
        b.iter(|| paths.iter().filter(|p| rules.paths.is_asset(black_box(p))).count())
    });
    g.throughput(Throughput::Elements(uas.len() as u64));
    g.bench_function("user_agent_uncached", |b| {
        b.iter(|| uas.iter().filter(|ua| rules.agents.classify(Some(ua)).is_excluded()).count())
    });
    g.bench_function("user_agent_cached", |b| {
        let mut cache = AgentCache::new();
        b.iter(|| uas.iter().filter(|ua| cache.get(&rules.agents, Some(ua)).is_excluded()).count())
    });
    g.finish();
}

fn sessionize(c: &mut Criterion) {
    let lines = lines(20_000);
    let mut cx = LineCx::default();
    let keys = KeyHasher::default();
    let hits: Vec<(u64, i64, bool)> = lines
        .iter()
        .filter_map(|l| {
            with_hit(l, &mut cx, |h| {
                (keys.visitor(h.client, keys.agent(h.user_agent.unwrap_or(b""))), h.time, h.method == b"GET")
            })
        })
        .collect();
    let run = || {
        let mut s: Sessionizer<Agent, OwnedLanding> = Sessionizer::new(SessionConfig::default());
        let mut visits = 0u64;
        for &(key, time, pageview) in &hits {
            let details = || Details {
                agent: Agent::Browser,
                landing: OwnedLanding::new(b"", None, None, 0),
                visitor_id: 0,
            };
            let hit = HitFlags { pageview, asset: !pageview, download: false, robots: false };
            s.record(key, time, hit, 0, details, &mut |_| visits += 1);
        }
        s.finish(&mut |_| visits += 1);
        visits
    };
    let visits = run();
    assert!(visits > 100 && visits < hits.len() as u64, "{visits} visits from {} hits", hits.len());
    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(hits.len() as u64));
    g.bench_function("record_hit", |b| b.iter(run));
    g.finish();
}

criterion_group!(benches, parse, classify, sessionize);
criterion_main!(benches);
