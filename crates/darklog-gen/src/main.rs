//! `darklog-gen`: a realistic, deterministic access log with ground truth, for trying
//! darklog, for its tests and for its benchmarks.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::Parser;

use darklog_gen::{self as gen, GenConfig};

#[derive(Debug, Parser)]
#[command(
    name = "darklog-gen",
    version,
    about = "Write a realistic, deterministic access log with ground-truth labels (for darklog's tests, benchmarks and demos)"
)]
struct GenerateArgs {
    /// About this many lines (whole visits are kept, so the count is approximate).
    #[arg(long, default_value_t = 10_000)]
    lines: u64,

    /// Seed: the same seed and sizes give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Days the visits spread over.
    #[arg(long, default_value_t = 7)]
    days: u32,

    /// Write a rotated set into this directory (access.log, access.log.1,
    /// access.log.2.gz…) plus truth.csv, instead of one log on stdout.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// Files in the rotated set.
    #[arg(long, default_value_t = 1, requires = "out_dir")]
    files: u32,

    /// With --out-dir and one file: gzip it (access.log.gz).
    #[arg(long, requires = "out_dir")]
    gzip: bool,

    /// With stdout output: also write the ground truth CSV here.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    truth: Option<PathBuf>,

    /// Malformed lines per million.
    #[arg(long, default_value_t = 1000)]
    malformed_per_million: u32,

    /// Passphrase for the visitor ids in the truth file (match `analyze --visitor-key`).
    #[arg(long, default_value = "darklog-test")]
    visitor_key: String,

    /// Assets every page view loads (default: two to seven); with 5, about half the
    /// lines are asset hits, as on most sites.
    #[arg(long, value_name = "N")]
    assets_per_page: Option<u32>,

    /// Percent of people's visits whose browser has every asset cached (they load none).
    #[arg(long, default_value_t = 0, value_name = "PERCENT", value_parser = clap::value_parser!(u32).range(0..=100))]
    cached_readers: u32,

    /// The site's assets come from a CDN: browsers load none from the logged host.
    #[arg(long)]
    cdn_assets: bool,

    /// Scrapers fetching one page per address through rotating proxies, per thousand of
    /// people's arrivals.
    #[arg(long, default_value_t = 0, value_name = "PER_THOUSAND")]
    proxy_scrapers: u32,
}

/// What can stop the generator: a file that cannot be written.
#[derive(Debug)]
struct Failed {
    path: String,
    source: io::Error,
}

fn main() {
    let args = GenerateArgs::parse();
    match run(args) {
        Ok(()) => {}
        // A closed pipe (`darklog-gen | head`) is the reader saying it has enough.
        Err(e) if e.source.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("darklog-gen: {}: {}", e.path, e.source);
            std::process::exit(2);
        }
    }
}

fn run(args: GenerateArgs) -> Result<(), Failed> {
    let cfg = GenConfig {
        seed: args.seed,
        lines: args.lines,
        days: args.days.max(1),
        malformed_per_million: args.malformed_per_million,
        visitor_key: args.visitor_key.clone(),
        assets_per_page: args.assets_per_page,
        cached_readers_percent: args.cached_readers,
        cdn_assets: args.cdn_assets,
        proxy_scrapers: args.proxy_scrapers,
        ..GenConfig::default()
    };
    let summary = match &args.out_dir {
        Some(dir) => {
            let err = |source| Failed { path: dir.display().to_string(), source };
            std::fs::create_dir_all(dir).map_err(err)?;
            gen::write_set(&cfg, dir, args.files.max(1), args.gzip, true).map_err(err)?
        }
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            let mut truth = match &args.truth {
                Some(p) => Some(BufWriter::new(
                    File::create(p).map_err(|source| Failed { path: p.display().to_string(), source })?,
                )),
                None => None,
            };
            let summary = gen::write_stream(&cfg, &mut out, truth.as_mut().map(|t| t as &mut dyn Write))
                .and_then(|s| out.flush().map(|_| s));
            let stdout_failed = |source| Failed { path: "<stdout>".into(), source };
            if let (Some(t), Some(p)) = (truth.as_mut(), &args.truth) {
                t.flush().map_err(|source| Failed { path: p.display().to_string(), source })?;
            }
            summary.map_err(stdout_failed)?
        }
    };
    eprintln!(
        "darklog-gen: generated {} lines ({} visits, {} malformed lines){}",
        summary.lines,
        summary.visits,
        summary.malformed,
        if summary.files.is_empty() {
            String::new()
        } else {
            format!(
                " in {}",
                summary.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
            )
        }
    );
    Ok(())
}
