//! `darklog generate`: a realistic, deterministic access log with ground truth, for
//! trying darklog, for its tests and for its benchmarks.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::Args;

use super::{Error, Status};
use crate::gen::{self, GenConfig};

#[derive(Debug, Args)]
pub struct GenerateArgs {
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
}

pub fn run(args: GenerateArgs) -> Result<Status, Error> {
    let cfg = GenConfig {
        seed: args.seed,
        lines: args.lines,
        days: args.days.max(1),
        malformed_per_million: args.malformed_per_million,
        visitor_key: args.visitor_key.clone(),
        ..GenConfig::default()
    };
    let summary = match &args.out_dir {
        Some(dir) => {
            let err = |source| Error::Output { path: dir.display().to_string(), source };
            std::fs::create_dir_all(dir).map_err(err)?;
            gen::write_set(&cfg, dir, args.files.max(1), args.gzip, true).map_err(err)?
        }
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            let mut truth = match &args.truth {
                Some(p) => Some(BufWriter::new(
                    File::create(p)
                        .map_err(|source| Error::Output { path: p.display().to_string(), source })?,
                )),
                None => None,
            };
            let summary = gen::write_stream(&cfg, &mut out, truth.as_mut().map(|t| t as &mut dyn Write))
                .and_then(|s| out.flush().map(|_| s));
            if let Some(t) = truth.as_mut() {
                t.flush().map_err(Error::Write)?;
            }
            match summary {
                Ok(s) => s,
                Err(e) => return Err(Error::Write(e)),
            }
        }
    };
    eprintln!(
        "darklog: generated {} lines ({} visits, {} malformed lines){}",
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
    Ok(Status::Ok)
}
