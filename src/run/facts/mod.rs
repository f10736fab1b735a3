//! What the run learns of the site from its first lines, once, frozen for the run: the
//! site's hosts, whether its browsers load assets, and which of its paths are embedded
//! resources whatever their extension.
//!
//! The sample is the run's first lines — the first [`FACT_LINES`] within [`FACT_BYTES`] of
//! the inputs one after another in reading order — so that what is learned does not
//! depend on how the log was cut into files: sampling the start of every rotation again
//! made a log learn other facts when rotated than when whole.

mod sample;

use rustc_hash::{FxHashMap, FxHashSet};

pub use sample::FactSample;
use sample::{first_lines, sample_hit, Budget, SampleHit, FACT_BYTES, FACT_LINES};

use super::resume::Plan;
use super::sniff::Sniffed;
use crate::classify::{strip_www, AgentCache, AssetSample, PathKind, Rules, SiteFacts, MIN_ASSET_SAMPLE};
use crate::parse::{ClientIp, Format, LineCx};

/// Asset referrers that vote on the site's host.
const SITE_VOTES: usize = 1000;

/// The site facts the run's first lines show (`sniffed` in reading order); `sites` (from
/// `--site`) name the site instead of inferring it; `plans`, for a `--state` run, where
/// each input is read from. Returns the notices to tell the user, and the sample when the
/// inputs ended before it was whole (for a state to keep: see [`FactSample`]).
pub(super) fn learn(
    sniffed: &mut [Sniffed],
    plans: Option<&[Plan]>,
    sites: &[String],
    client_ip: Option<&ClientIp>,
    rules: &Rules,
    agents: &mut AgentCache,
) -> (SiteFacts, Vec<String>, Option<FactSample>) {
    let (hits, lines, left) = first_lines(sniffed, plans, Budget::WHOLE, client_ip, rules, agents);
    let (facts, notices) = decide(&hits, sites, rules);
    (facts, notices, left.left().then_some(FactSample { hits, lines, left }))
}

/// Said when a state's facts are learned from the first run that has lines for them.
const LEARNED_AT_LAST: &str =
    "site facts learned from these logs: the state's earlier runs read no line to learn them from";

/// The facts of a state whose earlier runs read fewer lines than the facts are learned
/// from, learned again from those lines' `sample` and this run's first new lines (`plans`
/// say where each input is read from): what one run over the whole log learns. Returns
/// the facts, what to tell when what they decide differs from the `saved` ones, and the
/// sample to keep while it is still short. Visits counted before keep the facts they
/// were counted with (a state holds no line to count again).
fn learn_on(
    sample: FactSample,
    saved: &SiteFacts,
    sniffed: &mut [Sniffed],
    plans: &[Plan],
    cfg: &super::AnalyzeConfig,
    rules: &Rules,
    agents: &mut AgentCache,
) -> (SiteFacts, Vec<String>, Option<FactSample>) {
    let FactSample { mut hits, lines: before, left } = sample;
    let (more, read, left) = first_lines(sniffed, Some(plans), left, cfg.client_ip.as_ref(), rules, agents);
    hits.extend(more);
    let (mut facts, mut notices) = decide(&hits, &cfg.sites, rules);
    let lines = before + read;
    // Whether the logs record agents is the run's to say (`run_here`), not the sample's.
    facts.agents_logged = saved.agents_logged;
    let kept = left.left().then_some(FactSample { hits, lines, left });
    // Said when what they decide changes, not when only the counts behind it grew.
    let decided = |f: &SiteFacts| (f.site_hosts.clone(), f.browsers_load_assets, f.embedded_prefixes.clone());
    if decided(&facts) == decided(saved) {
        return (facts, Vec::new(), kept);
    }
    notices.insert(
        0,
        if before == 0 {
            LEARNED_AT_LAST.into()
        } else {
            format!(
                "site facts learned again, from the logs' first {lines} lines: the state's earlier runs read \
                 {before}, too few to learn them from (what they counted stays as counted)"
            )
        },
    );
    (facts, notices, kept)
}

/// [`learn`] from lines in memory, read as one log of `format` (`darklog explain`'s
/// lines): the first non-empty ones, as many lines and bytes as a run learns from. Also
/// returns how many lines that was, and says what analyze's sniff would of the lines'
/// addresses (a proxy's, or none).
pub fn learn_lines<'l>(
    lines: impl IntoIterator<Item = &'l [u8]>,
    format: &Format,
    sites: &[String],
    client_ip: Option<&ClientIp>,
    rules: &Rules,
    agents: &mut AgentCache,
) -> (SiteFacts, Vec<String>, usize) {
    let mut cx = LineCx::default();
    let (mut read, mut bytes) = (0, 0);
    let mut sample = Vec::new();
    let lines: Vec<&[u8]> = lines.into_iter().filter(|l| !l.is_empty()).collect();
    // As a run of one input decides it (see `Sniffed::agents`): an agent in the lines its
    // layout is detected from, not anywhere in a long paste. Those lines are checked as
    // analyze checks an input's first lines (fields out of order, captures, keys).
    let mut checks = super::shifted::LineChecks::default();
    // And their addresses, as analyze samples them: a proxy's, or none at all.
    let mut proxies = super::proxies::ProxySample::default();
    for line in lines.iter().take(super::sniff::DETECT_LINES) {
        let parsed = format.parse(line, &mut cx);
        checks.add(format, line, &parsed);
        if let Some(hit) = parsed.hit() {
            proxies.add(hit.client, hit.forwarded_for);
        }
    }
    let judge = checks.agents() > 0;
    let mut cx = LineCx::default();
    for &line in &lines {
        // Whole lines within the first FACT_BYTES, newlines counted, as a run reads them.
        bytes += line.len() + 1;
        if read == FACT_LINES || bytes > FACT_BYTES {
            break;
        }
        read += 1;
        sample.extend(sample_hit(format, &mut cx, line, client_ip, rules, agents, judge));
    }
    let (mut facts, mut notices) = decide(&sample, sites, rules);
    facts.agents_logged = judge;
    notices.extend(checks.said("these lines", format).caveats);
    if client_ip.is_none() {
        notices.extend(proxies.notices("these lines"));
    }
    (facts, notices, read)
}

/// The facts a sample of first lines shows, and the notices that say so.
fn decide(sample: &[SampleHit], sites: &[String], rules: &Rules) -> (SiteFacts, Vec<String>) {
    let mut facts = SiteFacts::default();
    let mut notices = Vec::new();
    let sample: Vec<&SampleHit> = sample.iter().collect();
    for s in sites {
        facts.add_site(s);
    }
    if sites.is_empty() {
        // The first asset referrers of the logs in reading order, however they are split
        // into files: pages load their own CSS, scripts and images.
        let mut votes: FxHashMap<&str, u64> = FxHashMap::default();
        let asset_hosts =
            sample.iter().filter(|h| h.kind == PathKind::Asset).filter_map(|h| h.referrer.as_ref());
        for (host, _) in asset_hosts.take(SITE_VOTES) {
            *votes.entry(host).or_default() += 1;
        }
        for h in infer_site(&votes) {
            facts.add_site(&h);
        }
        if !facts.site_hosts.is_empty() {
            notices.push(format!(
                "site: {} (inferred from the referrers of asset requests; --site to set)",
                facts.site_hosts.join(", ")
            ));
        }
    }
    facts.embedded_prefixes = learn_embedded(&sample, &facts);
    if !facts.embedded_prefixes.is_empty() {
        notices.push(format!(
            "embedded resources: paths under {} (fetched by pages of the site as they load, never \
             navigated to): counted as assets",
            facts.embedded_prefixes.join(", ")
        ));
    }
    // Whether browsers here load assets, asked of the readers most surely people: those
    // whose first page view in the sample came with a referrer (a click). Per reader
    // (client, user agent): referred, and loaded an asset.
    let mut readers: FxHashMap<u64, (Option<bool>, bool)> = FxHashMap::default();
    for h in sample.iter().filter(|h| !h.excluded) {
        let e = readers.entry(h.visitor).or_default();
        match facts.kind(h.kind, &h.path) {
            PathKind::Asset if h.fetched => e.1 = true,
            PathKind::Page if h.fetched => {
                e.0.get_or_insert(h.referrer.is_some());
            }
            _ => {}
        }
    }
    let referred = readers.values().filter(|r| r.0 == Some(true));
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let (referred, loading) = (count(referred.clone().count()), count(referred.filter(|r| r.1).count()));
    facts.asset_sample = Some(AssetSample { referred, loading });
    facts.browsers_load_assets = referred >= MIN_ASSET_SAMPLE && loading * 2 > referred;
    if facts.browsers_load_assets {
        let counted = if rules.require_browser_evidence {
            "has no browser evidence and is not counted as a reader"
        } else {
            "counts as a reader all the same (require_browser_evidence = false in the rules file)"
        };
        notices.push(format!(
            "browsers here load assets ({loading} of {referred} referred readers sampled): a visit \
             that loads none {counted}"
        ));
    }
    (facts, notices)
}

/// The facts of a state that keeps no sample (one written before darklog kept it: see
/// [`FactSample`]) and has counted nothing yet, whose runs had no line to learn the site
/// from (an empty log just rotated in, a new install), learned from these logs' first
/// lines, with what to tell the user; `None` when the state's stand (decided, or learned
/// the same, or counted with already: facts never change under counted days): kept
/// undecided, they would read every later line as no site's.
fn learn_undecided(
    saved: &SiteFacts,
    counted: bool,
    sniffed: &mut [Sniffed],
    cfg: &super::AnalyzeConfig,
    rules: &Rules,
    agents: &mut AgentCache,
) -> Option<(SiteFacts, Vec<String>)> {
    if counted || !saved.undecided(!cfg.sites.is_empty()) {
        return None;
    }
    let (facts, mut notices, _) = learn(sniffed, None, &cfg.sites, cfg.client_ip.as_ref(), rules, agents);
    if facts == *saved {
        return None;
    }
    notices.insert(0, LEARNED_AT_LAST.into());
    Some((facts, notices))
}

/// The facts a saved state reads this run's lines with: learned again while its sample
/// is short ([`learn_on`]), or when its runs had no line to learn them from
/// ([`learn_undecided`]). Returns what to tell the user.
pub(super) fn resumed(
    state: &mut super::fold::RunState,
    sniffed: &mut [Sniffed],
    plans: &[Plan],
    cfg: &super::AnalyzeConfig,
    rules: &Rules,
    agents: &mut AgentCache,
) -> Vec<String> {
    let (facts, notices) = match state.fact_sample.take() {
        Some(sample) => {
            let (facts, notices, kept) = learn_on(sample, &state.facts, sniffed, plans, cfg, rules, agents);
            state.fact_sample = kept;
            (facts, notices)
        }
        None => {
            let counted = state.ledger.span().is_some();
            let learned = learn_undecided(&state.facts, counted, sniffed, cfg, rules, agents);
            let Some(learned) = learned else { return Vec::new() };
            learned
        }
    };
    state.facts = facts;
    notices
}

/// The site is whatever host most asset requests were referred from. Hosts with at least
/// a quarter of those referrers count.
fn infer_site(votes: &FxHashMap<&str, u64>) -> Vec<String> {
    let total: u64 = votes.values().sum();
    let mut hosts: Vec<(&str, u64)> = votes
        .iter()
        .map(|(h, n)| (*h, *n))
        .filter(|(h, n)| !h.is_empty() && *n >= 3 && n * 4 >= total)
        .collect();
    hosts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut sites: Vec<String> = Vec::new();
    for (h, _) in hosts {
        let h = strip_www(h);
        if !sites.iter().any(|s| s == h) {
            sites.push(h.to_string());
        }
    }
    sites
}

/// Hits under a prefix the sample must hold before its paths can be learned as embedded.
const MIN_EMBEDDED_HITS: u32 = 6;
/// Seconds between a page and what it embeds, either way (lines are logged when requests
/// finish, and an image can finish before its page).
const EMBED_SECONDS: i64 = 10;
/// Seconds within which a page's embedded resources come together.
const BURST_SECONDS: i64 = 3;

/// Path prefixes (a first segment: `/image/`) whose paths are embedded resources of the
/// site's pages, whatever their extension: a reader's browser fetches them with a page of
/// the site as referrer, right after that page and together with its other resources; no
/// path under them is ever a referrer itself (a page would be, of its own assets or the
/// next click), and hardly ever fetched with no referrer or from another site (pages are:
/// their readers land on them). A reader clicking quickly from article to article makes
/// every article but the last a referrer, and its clicks come alone, not in bursts.
fn learn_embedded(sample: &[&SampleHit], facts: &SiteFacts) -> Vec<String> {
    if facts.site_hosts.is_empty() {
        return Vec::new();
    }
    fn internal<'h>(facts: &SiteFacts, h: &'h SampleHit) -> Option<&'h (String, Vec<u8>)> {
        h.referrer.as_ref().filter(|(host, _)| facts.is_site(strip_www(host)))
    }
    let referrers: FxHashSet<&[u8]> =
        sample.iter().filter_map(|h| internal(facts, h)).map(|(_, path)| path.as_slice()).collect();
    // When each reader fetched each page (candidate referrers of what it embeds).
    let mut fetched_at: FxHashMap<(u64, &[u8]), Vec<i64>> = FxHashMap::default();
    // Each reader's hits by referrer page and first segment, for bursts: a page embeds
    // several resources under one prefix at once (a listing's product images), while a
    // click comes alone.
    type PageAndPrefix<'a> = (u64, &'a [u8], &'a [u8]);
    let mut by_referrer: FxHashMap<PageAndPrefix, Vec<i64>> = FxHashMap::default();
    for h in sample.iter().filter(|h| !h.excluded) {
        if h.fetched {
            fetched_at.entry((h.visitor, h.path.as_slice())).or_default().push(h.time);
        }
        if let (Some((_, page)), Some(prefix)) = (internal(facts, h), first_segment(&h.path)) {
            by_referrer.entry((h.visitor, page.as_slice(), prefix)).or_default().push(h.time);
        }
    }
    #[derive(Default)]
    struct Seen<'a> {
        hits: u32,
        internal: u32,
        after_page: u32,
        in_burst: u32,
        referrer: bool,
        paths: FxHashSet<&'a [u8]>,
        visitors: FxHashSet<u64>,
    }
    let mut prefixes: FxHashMap<&[u8], Seen> = FxHashMap::default();
    for h in sample.iter().filter(|h| !h.excluded && h.fetched && h.kind == PathKind::Page) {
        let Some(prefix) = first_segment(&h.path) else { continue };
        let seen = prefixes.entry(prefix).or_default();
        seen.hits += 1;
        seen.paths.insert(&h.path);
        seen.visitors.insert(h.visitor);
        seen.referrer |= referrers.contains(h.path.as_slice());
        let Some((_, page)) = internal(facts, h) else { continue };
        seen.internal += 1;
        let near = |times: Option<&Vec<i64>>, within: i64, at_least: usize| {
            times.is_some_and(|ts| ts.iter().filter(|&&t| (t - h.time).abs() <= within).count() >= at_least)
        };
        seen.after_page += u32::from(near(fetched_at.get(&(h.visitor, page.as_slice())), EMBED_SECONDS, 1));
        // Itself and at least one more path under the same prefix, for the same page.
        seen.in_burst +=
            u32::from(near(by_referrer.get(&(h.visitor, page.as_slice(), prefix)), BURST_SECONDS, 2));
    }
    let mut learned: Vec<String> = prefixes
        .into_iter()
        .filter(|(_, s)| {
            s.hits >= MIN_EMBEDDED_HITS
                && s.paths.len() >= 3
                && s.visitors.len() >= 2
                && !s.referrer
                && s.internal * 10 >= s.hits * 8
                && s.after_page * 2 >= s.hits
                && s.in_burst * 2 >= s.hits
        })
        .map(|(prefix, _)| String::from_utf8_lossy(prefix).into_owned())
        .collect();
    learned.sort();
    learned
}

/// `/image/` of `/image/27142/x`; `None` for a path of one segment (`/about`), which is
/// no prefix of anything.
fn first_segment(path: &[u8]) -> Option<&[u8]> {
    let rest = path.strip_prefix(b"/")?;
    let end = memchr::memchr(b'/', rest)?;
    (end > 0).then(|| &path[..end + 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(visitor: u64, time: i64, path: &str, referrer: Option<&str>) -> SampleHit {
        SampleHit {
            visitor,
            excluded: false,
            time,
            path: path.as_bytes().to_vec(),
            kind: PathKind::Page,
            fetched: true,
            referrer: referrer.map(|r| ("www.shop.example".to_string(), r.as_bytes().to_vec())),
        }
    }

    fn learned(sample: &[SampleHit]) -> Vec<String> {
        let mut facts = SiteFacts::default();
        facts.add_site("shop.example");
        learn_embedded(&sample.iter().collect::<Vec<_>>(), &facts)
    }

    /// Readers going back to the front page and clicking the next article a second or two
    /// after the front loaded (with its own CSS, in the same second as the click): every
    /// click is referred by a page of the site, right after it, and no article is a
    /// referrer. They come one at a time, not in a burst under one prefix: articles stay
    /// pages.
    #[test]
    fn quick_clicks_from_the_front_page_are_not_embedded() {
        let mut sample = Vec::new();
        for v in 0..6 {
            for k in 0..4 {
                let t = v * 1000 + k * 60;
                sample.push(hit(v as u64, t, "/", Some("/news/x")));
                let css =
                    SampleHit { kind: PathKind::Asset, ..hit(v as u64, t + 1, "/css/site.css", Some("/")) };
                sample.push(css);
                sample.push(hit(v as u64, t + 1, &format!("/news/2026/story-{v}-{k}"), Some("/")));
            }
        }
        assert_eq!(learned(&sample), Vec::<String>::new());
    }

    /// Listing pages that embed several extensionless images at once.
    #[test]
    fn images_a_listing_embeds_are() {
        let mut sample = Vec::new();
        for v in 0..3u64 {
            let t = v as i64 * 100;
            sample.push(hit(v, t, &format!("/list/{v}"), None));
            for k in 0..3 {
                sample.push(hit(v, t + 1, &format!("/image/{v}{k}/200x200"), Some(&format!("/list/{v}"))));
            }
        }
        assert_eq!(learned(&sample), ["/image/"]);
    }
}
