//! The start of each input, read before the run: its format, its first timestamp (rotated
//! sets are read oldest first), and what it shows of the site — the facts the rules are
//! read with, learned once and frozen for the run.

use std::io::Read;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::classify::{referrer_host, strip_www, AgentCache, Rules, SiteFacts};
use crate::input::{self, InputError, Source};
use crate::parse::{self, ClientIp, Format, FormatOptions, LineCx, Parsed, Preset};

/// Decoded bytes sampled from the start of each input: room for the detection lines of
/// any layout (a JSON line is twice a combined one), so that what the sample shows of the
/// site does not depend on the layout.
const PRELUDE_BYTES: usize = 1024 * 1024;
/// Lines of the prelude used to pick a format.
const DETECT_LINES: usize = 1000;
/// Multi-page readers the asset rule needs to see before it judges anyone by it.
const MIN_ASSET_SAMPLE: usize = 20;
/// Asset referrers that vote on the site's host.
const SITE_VOTES: usize = 1000;

pub(super) struct Sniffed {
    pub source: Source,
    pub format: Format,
    /// What to tell the user of the sample: a proxy in front, fields the layout lacks.
    pub notices: Vec<String>,
    /// Lines the format was detected from (`None`: given, not detected).
    pub detected_from: Option<usize>,
    pub gzip: bool,
    pub first_time: Option<i64>,
    /// Referrer hosts of the prelude's asset requests, in order.
    asset_hosts: Vec<String>,
    /// Readers in the prelude with two page views or more, and how many of them loaded
    /// assets.
    asset_sample: (usize, usize),
    /// Kept only for stdin, which cannot be opened twice.
    pub reader: Option<Reopened>,
}

/// An input already partly read: the stream, what was read of it, and its byte counter.
pub(super) struct Reopened {
    pub reader: Box<dyn Read + Send>,
    pub prelude: Vec<u8>,
    pub raw_bytes: Arc<AtomicU64>,
}

/// Reads the start of an input: its format, first timestamp, and the hosts its asset
/// requests were referred from (which name the site itself).
pub(super) fn sniff(
    source: &Source,
    given: Option<&Format>,
    opts: &FormatOptions,
    client_ip: Option<&ClientIp>,
    rules: &Rules,
    agents: &mut AgentCache,
) -> Result<Sniffed, InputError> {
    let counter = Arc::new(AtomicU64::new(0));
    let opened = input::open(source, counter.clone())?;
    let mut reader = opened.reader;
    // An input that breaks this early is still sniffed from what came before the break;
    // reading it for real reports the error.
    let (prelude, broke) = input::read_prelude(&mut reader, PRELUDE_BYTES);
    let complete = broke || prelude.len() < PRELUDE_BYTES;
    let lines = input::prelude_lines(&prelude, complete).take(DETECT_LINES);
    let (format, detected_from) = match given {
        Some(f) => (f.clone(), None),
        None => match parse::detect(lines.clone(), opts) {
            Some(d) => (d.format, Some(d.sampled)),
            // Nothing to judge by (an empty input, or a first line longer than the
            // sample): read it as the most common format and let its lines speak.
            None if lines.clone().next().is_none() => (Format::COMBINED, None),
            None => {
                let tried = Preset::ALL.map(Preset::name).join(", ");
                let example = lines.clone().next().and_then(parse::suggest);
                let json = lines.clone().next().is_some_and(|l| l.starts_with(b"{"));
                let hint = match example {
                    _ if json => "if it is JSON with other keys, name them: --log-format json --json-field \
                                  client=KEY --json-field time=KEY … (roles: client, time, request, method, path, \
                                  query, status, bytes, referrer, user_agent, host, forwarded_for)"
                        .to_string(),
                    Some(s) => format!(
                        "if a format string writes it, give it to --log-format (or --nginx-conf FILE); \
                         from its first line, perhaps: --log-format '{s}'"
                    ),
                    None => "if a format string writes it, give it to --log-format: an nginx log_format \
                             ('$remote_addr - $remote_user [$time_local] \"$request\" $status …'), an Apache \
                             LogFormat ('%h %l %u %t \"%r\" %>s %b …') or --nginx-conf FILE"
                        .to_string(),
                };
                return Err(InputError::UnknownFormat { path: source.name(), tried, hint });
            }
        },
    };
    let mut cx = LineCx::default();
    let mut first_time = None;
    let mut asset_hosts = Vec::new();
    // Per reader (client, user agent) in the sample: page views and asset requests.
    #[derive(Default)]
    struct Seen {
        pages: u32,
        assets: u32,
    }
    let mut readers: FxHashMap<(Vec<u8>, Vec<u8>), Seen> = FxHashMap::default();
    let mut proxies = ProxySample::default();
    for line in lines {
        let Parsed::Hit(mut hit) = format.parse(line, &mut cx) else { continue };
        proxies.add(hit.client, hit.forwarded_for);
        if let Some(picker) = client_ip {
            hit.client = picker.pick(hit.client, hit.forwarded_for);
        }
        first_time.get_or_insert(hit.time);
        let asset = rules.paths.is_asset(hit.path());
        if let (Some(r), true) = (hit.referrer, asset) {
            asset_hosts.push(referrer_host(r));
        }
        if !agents.get(&rules.agents, hit.user_agent).is_excluded() {
            let e = readers.entry((hit.client.to_vec(), hit.user_agent.unwrap_or(b"").to_vec())).or_default();
            e.pages += u32::from(!asset && matches!(hit.method, b"GET"));
            e.assets += u32::from(asset);
        }
    }
    let multi_page = readers.values().filter(|r| r.pages >= 2);
    let asset_sample = (multi_page.clone().count(), multi_page.filter(|r| r.assets > 0).count());
    // Stdin cannot be read twice: keep what was read and the stream itself.
    let reader = match source {
        Source::Stdin => Some(Reopened { reader, prelude, raw_bytes: counter }),
        Source::File(_) => None,
    };
    let mut notices = Vec::new();
    if client_ip.is_none() {
        notices.extend(proxies.notice(&source.name()));
    } else if proxies.hits > 0 && proxies.forwarded.is_empty() {
        notices.push(format!(
            "{}: no sampled line of the {format} layout carries the header --client-ip names: \
             visitors are keyed on the logged address",
            source.name()
        ));
    }
    let lacks = format.lacks_in(&cx);
    if !lacks.is_empty() {
        let channels = if lacks.contains(&"referrer") {
            "search, social, email, referral and ai visits that only a referrer names are counted as \
             direct or dark social"
        } else {
            "in-app browsers, link previews and bots cannot be told by their user agent"
        };
        notices.push(format!(
            "{}: the {format} layout logs no {}: {channels}",
            source.name(),
            lacks.join(" or ")
        ));
    }
    Ok(Sniffed {
        source: source.clone(),
        format,
        notices,
        detected_from,
        gzip: opened.gzip,
        first_time,
        asset_hosts,
        asset_sample,
        reader,
    })
}

/// The site facts the inputs' first lines show, in reading order; `sites` (from `--site`)
/// name the site instead of inferring it. Returns the notices to tell the user.
pub(super) fn learn_facts(sniffed: &[Sniffed], sites: &[String]) -> (SiteFacts, Vec<String>) {
    let mut facts = SiteFacts::default();
    let mut notices = Vec::new();
    for s in sites {
        facts.add_site(s);
    }
    if sites.is_empty() {
        // The first asset referrers of the logs in reading order, however they are split
        // into files.
        let mut votes: FxHashMap<&str, u64> = FxHashMap::default();
        for host in sniffed.iter().flat_map(|s| &s.asset_hosts).take(SITE_VOTES) {
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
    let (multi_page, loading) =
        sniffed.iter().fold((0, 0), |(m, l), s| (m + s.asset_sample.0, l + s.asset_sample.1));
    facts.browsers_load_assets = multi_page >= MIN_ASSET_SAMPLE && loading * 2 > multi_page;
    if facts.browsers_load_assets {
        notices.push(format!(
            "browsers here load assets ({loading} of {multi_page} multi-page readers sampled): \
             readers that fetch pages only are counted as scrapers"
        ));
    }
    (facts, notices)
}

/// The site is whatever host most asset requests were referred from: pages load their
/// own CSS, scripts and images. Hosts with at least a quarter of those referrers count.
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

/// Whether a sample looks like a proxy's log: most lines from a handful of addresses,
/// carrying a forwarded-for header that names many more.
#[derive(Default)]
struct ProxySample {
    clients: FxHashMap<Vec<u8>, usize>,
    forwarded: FxHashMap<Vec<u8>, usize>,
    hits: usize,
}

impl ProxySample {
    fn add(&mut self, client: &[u8], forwarded: Option<&[u8]>) {
        self.hits += 1;
        if self.clients.len() < 10_000 {
            *self.clients.entry(client.to_vec()).or_default() += 1;
        }
        if let Some(f) = forwarded {
            if self.forwarded.len() < 10_000 {
                *self.forwarded.entry(f.to_vec()).or_default() += 1;
            }
        }
    }

    fn notice(&self, name: &str) -> Option<String> {
        let carrying: usize = self.forwarded.values().sum();
        let mut counts: Vec<usize> = self.clients.values().copied().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let few = counts.len().min(5);
        let from_few: usize = counts[..few].iter().sum();
        let proxied = self.hits >= 4
            && carrying * 2 >= self.hits
            && from_few * 10 >= self.hits * 8
            && self.forwarded.len() > few;
        proxied.then(|| {
            format!(
                "{name}: {from_few} of {} sampled lines come from {few} addresses and carry a forwarded-for \
                 header naming {} others: behind a proxy or CDN, --client-ip x-forwarded-for keys visitors on \
                 the client it names (--trusted-proxy CIDR for proxies outside private ranges)",
                self.hits,
                self.forwarded.len()
            )
        })
    }
}
