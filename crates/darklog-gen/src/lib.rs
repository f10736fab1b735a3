//! A deterministic generator of realistic access logs (nginx/Apache `combined`) with
//! ground truth for every visit, for darklog's tests, benchmarks and demos.
//!
//! The log mixes people (arriving from private shares, search, social networks, email,
//! ads, other sites, bookmarks and typed addresses, each loading pages and their assets)
//! with link-preview fetchers, declared crawlers, scrapers posing as browsers and
//! vulnerability scanners, on a daily rhythm, plus a sprinkling of malformed lines. The
//! truth says, per visit, what really brought it, so a classifier can be scored.
//!
//! The same [`GenConfig`] always gives the same bytes, on any machine: the generator owns
//! its PRNG and its few floating-point functions, and nothing depends on hash order.
//!
//! Module map: `pools` holds the data (agents, ranges, referrers, paths, mixes),
//! `scenarios` what each kind of visitor does, `engine` the time-ordered queue and the
//! line writer, `site` the pages, `rng` the random source.

mod clock;
mod engine;
mod machines;
mod pools;
mod render;
pub mod rng;
mod scenarios;
mod site;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

pub use engine::Generator;

use darklog::time::{days_from_civil, format_rfc3339};

/// What to generate. Sizes are approximate by nature: visits are kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenConfig {
    pub seed: u64,
    /// No visit starts once this many lines are scheduled, so the total ends within a
    /// visit or two of it (plus the malformed lines).
    pub lines: u64,
    /// Unix seconds (UTC) of the first visit.
    pub start: i64,
    /// Days that visit starts spread over.
    pub days: u32,
    /// Offset written in timestamps: the log is in local time, the truth in UTC.
    pub tz_offset_minutes: i32,
    /// The site's own host, in internal and asset referrers (scheme https).
    pub site: String,
    pub malformed_per_million: u32,
    /// Passphrase for the truth's visitor ids (the analyzer's `--visitor-key`).
    pub visitor_key: String,
    /// Assets every page view loads (CSS, scripts, images); `None`: two to seven.
    pub assets_per_page: Option<u32>,
    /// Percent of people's visits whose browser holds every asset already: they load
    /// none, as returning readers with a warm cache do.
    pub cached_readers_percent: u32,
    /// The site's assets come from a CDN: browsers load none from this host.
    pub cdn_assets: bool,
    /// Scrapers that fetch one page per address through rotating proxies (a browser's
    /// agent, no referrer, no assets), as arrivals per thousand of people's.
    pub proxy_scrapers: u32,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 1,
            lines: 10_000,
            start: days_from_civil(2026, 11, 2) * 86_400,
            days: 7,
            tz_offset_minutes: 60,
            site: "www.example.com".to_string(),
            malformed_per_million: 1000,
            visitor_key: "darklog-test".to_string(),
            assets_per_page: None,
            cached_readers_percent: 0,
            cdn_assets: false,
            proxy_scrapers: 0,
        }
    }
}

/// What really happened in one visit, as an analyzer should cut it: one identity
/// (address, agent), page views less than 30 minutes apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthVisit {
    /// UTC Unix seconds of the landing page-view line.
    pub start: i64,
    /// `VisitorKey::from_passphrase(&cfg.visitor_key).public_id(ip, ua)`.
    pub visitor: String,
    /// The landing request target (path and query) as written; bytes that are not UTF-8
    /// become U+FFFD, as in the analyzer's reports.
    pub landing: String,
    /// `dark-social`, `direct`, `search`, `social`, `email`, `paid`, `referral` or `excluded`.
    pub channel: &'static str,
    /// The app, engine, network, site or kind of machine (`whatsapp`, `google`, `bookmark`,
    /// `bot`, `preview`, `scraper`…).
    pub source: String,
    /// The scenario (`share-whatsapp-inapp`, `bookmark-return`, `preview-slack`…).
    pub kind: &'static str,
    /// For dark social: whether anything in the log could name the app (a preview fetch
    /// before, a campaign tag, an in-app agent, a messenger referrer).
    pub knowable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// Lines written, malformed ones included.
    pub lines: u64,
    /// Truth rows (visits, human or not).
    pub visits: u64,
    pub malformed: u64,
    /// Files written, in the order written: logs oldest first, then `truth.csv`.
    pub files: Vec<PathBuf>,
}

/// Lines are handed to the writer in chunks of about this size.
const CHUNK: usize = 1 << 18;

/// Writes a whole rotated set into `dir`, as logrotate with `delaycompress` leaves it:
/// `access.log` (newest), `access.log.1`, `access.log.2.gz`, `access.log.3.gz`… Lines are
/// split into `files` consecutive time ranges of about equal line counts. With one file
/// it is `access.log`, or `access.log.gz` when `gzip_single`. With `truth`, also writes
/// `truth.csv` there.
pub fn write_set(
    cfg: &GenConfig,
    dir: &Path,
    files: u32,
    gzip_single: bool,
    truth: bool,
) -> io::Result<GenSummary> {
    let files = files.max(1);
    let mut g = Generator::new(cfg);
    let truth_path = dir.join("truth.csv");
    let mut truth_out = match truth {
        true => Some(TruthWriter::new(BufWriter::new(File::create(&truth_path)?))?),
        false => None,
    };
    let mut written = Vec::new();
    for i in 0..files {
        let age = files - 1 - i;
        let (name, gz) = match age {
            0 if files == 1 && gzip_single => ("access.log.gz".to_string(), true),
            0 => ("access.log".to_string(), false),
            1 => ("access.log.1".to_string(), false),
            n => (format!("access.log.{n}.gz"), true),
        };
        let path = dir.join(name);
        let file = BufWriter::with_capacity(CHUNK, File::create(&path)?);
        let mut sink = if gz {
            Sink::Gz(Box::new(GzEncoder::new(file, Compression::default())))
        } else {
            Sink::Plain(file)
        };
        let limit = if age == 0 { u64::MAX } else { cfg.lines * u64::from(i + 1) / u64::from(files) };
        while g.lines() < limit {
            let Some(line) = g.next_line() else { break };
            sink.write_all(line)?;
            sink.write_all(b"\n")?;
            if let Some(t) = &mut truth_out {
                t.write(&mut g)?;
            }
        }
        sink.finish()?;
        written.push(path);
    }
    if let Some(mut t) = truth_out {
        t.write(&mut g)?;
        t.finish()?;
        written.push(truth_path);
    }
    Ok(GenSummary { lines: g.lines(), visits: g.visits(), malformed: g.malformed(), files: written })
}

/// The whole log in memory, newline-terminated lines: what `darklog-gen` writes for
/// these settings.
pub fn generate(cfg: &GenConfig) -> Vec<u8> {
    let mut out = Vec::new();
    write_stream(cfg, &mut out, None).expect("writing to memory cannot fail");
    out
}

/// Streams all lines (newline-terminated) to `out`, and the truth CSV to `truth_out` if given.
pub fn write_stream(
    cfg: &GenConfig,
    out: &mut dyn Write,
    truth_out: Option<&mut dyn Write>,
) -> io::Result<GenSummary> {
    let mut g = Generator::new(cfg);
    let mut truth = match truth_out {
        Some(w) => Some(TruthWriter::new(w)?),
        None => None,
    };
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    while let Some(line) = g.next_line() {
        buf.extend_from_slice(line);
        buf.push(b'\n');
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
            if let Some(t) = &mut truth {
                t.write(&mut g)?;
            }
        }
    }
    out.write_all(&buf)?;
    if let Some(mut t) = truth {
        t.write(&mut g)?;
        t.finish()?;
    }
    Ok(GenSummary { lines: g.lines(), visits: g.visits(), malformed: g.malformed(), files: Vec::new() })
}

enum Sink {
    Plain(BufWriter<File>),
    Gz(Box<GzEncoder<BufWriter<File>>>),
}

impl Sink {
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(b),
            Sink::Gz(w) => w.write_all(b),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gz(w) => w.finish()?.flush(),
        }
    }
}

/// `truth.csv`: start,visitor,landing,channel,source,kind,knowable.
struct TruthWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> TruthWriter<W> {
    fn new(w: W) -> io::Result<Self> {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(["start", "visitor", "landing", "channel", "source", "kind", "knowable"])?;
        Ok(TruthWriter { csv })
    }

    /// Writes the rows the generator has released so far.
    fn write(&mut self, g: &mut Generator) -> io::Result<()> {
        for t in g.take_truth() {
            let start = format_rfc3339(t.start);
            let knowable = if t.knowable { "true" } else { "false" };
            self.csv.write_record([
                start.as_str(),
                &t.visitor,
                &t.landing,
                t.channel,
                &t.source,
                t.kind,
                knowable,
            ])?;
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.csv.flush()
    }
}
