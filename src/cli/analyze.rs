//! `darklog analyze`: logs in, dark-social report out.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::format::FormatArgs;
use super::{Error, Status};
use crate::classify::overrides::Overrides;
use crate::identity::VisitorKey;
use crate::report::csv::CsvReporter;
use crate::report::json::JsonReporter;
use crate::report::table::TableReporter;
use crate::report::{Report, ReportKind, Reporter};
use crate::run::{self, AnalyzeConfig, Observer};
use crate::session::SessionConfig;
use crate::time::{self, Zone};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Log files, directories (their files) or - for stdin; gzip is recognised by content.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Which report: the summary, or one of its parts, or one row per visit.
    #[arg(long, value_enum, default_value_t = ReportKind::Summary)]
    report: ReportKind,

    #[command(flatten)]
    reading: FormatArgs,

    /// Only hits at or after this time: 2026-11-01 (midnight in --tz), 2026-11-01T06:00:00Z,
    /// or 7d, 24h ago.
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,

    /// Only hits before this time (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,

    /// A visit ends after this long without a page view (30m, 1h, 900) [default: 30m,
    /// or the rules file's].
    #[arg(long, value_parser = time::parse_setting_duration, value_name = "DURATION")]
    session_timeout: Option<i64>,

    /// A no-referrer visit to a page an app's link preview fetched this long before is
    /// that app's share (48h, 2d, 6h) [default: 48h, or the rules file's].
    #[arg(long, value_parser = time::parse_setting_duration, value_name = "DURATION")]
    share_window: Option<i64>,

    /// A TOML file of rules to add to the built-in ones (and override them): referrer
    /// hosts, user-agent tokens, parameters, fronts, assets, settings. See README.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,

    /// The site's own host (repeatable); referrers from it are internal navigation.
    /// Inferred from the referrers of asset requests when not given.
    #[arg(long = "site", value_name = "HOST")]
    sites: Vec<String>,

    /// Another front page (repeatable): a landing there with no referrer is direct, not
    /// dark social.
    #[arg(long = "front", value_name = "PATH")]
    fronts: Vec<String>,

    /// Rows in the top-pages report.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,

    /// Write the report to FILE (through a temporary file renamed into place).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Parser threads (default: one per core for gzip input, one fewer for plain; reading
    /// and sessionizing run on threads of their own). The answer is the same for any
    /// number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,

    /// Passphrase that keys the visitor ids in reports; the same passphrase gives the same
    /// ids across runs. Default: a random key per run.
    #[arg(long, env = "DARKLOG_VISITOR_KEY", hide_env_values = true, value_name = "PASSPHRASE")]
    visitor_key: Option<String>,

    /// Show the first malformed lines with file and line number.
    #[arg(short, long)]
    verbose: bool,

    /// No progress bar and no notices (errors are still printed).
    #[arg(short, long)]
    quiet: bool,

    /// Bytes per block read (tests use small blocks to prove the answer does not change).
    #[arg(long, hide = true, default_value_t = 1 << 20)]
    block_size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

/// `--since`/`--until`, read once the zone is known.
fn parse_time(flag: &str, s: Option<&str>, zone: &Zone) -> Result<Option<i64>, Error> {
    s.map(|s| time::parse_user_time(s, time::now(), zone))
        .transpose()
        .map_err(|e| super::usage_error(format!("invalid value for {flag}: {e}")))
}

/// Prints notices on stderr and drives the progress bar.
struct Terminal {
    quiet: bool,
    bar: Option<ProgressBar>,
}

impl Terminal {
    fn say(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("darklog: {message}")),
            None => eprintln!("darklog: {message}"),
        }
    }
}

impl Observer for Terminal {
    fn notice(&mut self, message: String) {
        if !self.quiet {
            self.say(&message);
        }
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            if let Some(t) = total {
                bar.set_length(t);
            }
            bar.set_position(done);
        }
    }
}

pub fn run(args: AnalyzeArgs) -> Result<Status, Error> {
    let zone = &args.reading.zone;
    let since = parse_time("--since", args.since.as_deref(), zone)?;
    let until = parse_time("--until", args.until.as_deref(), zone)?;
    let reading = args.reading.reading()?;
    if let (Some(since), Some(until)) = (since, until) {
        if since >= until {
            return Err(super::usage_error(format!(
                "--since ({}) must be before --until ({})",
                time::format_rfc3339(since),
                time::format_rfc3339(until)
            )));
        }
    }
    let kind = args.report;
    let overrides = args.rules.as_deref().map(Overrides::load).transpose()?;
    let cfg = AnalyzeConfig {
        inputs: args.paths.clone(),
        format: reading.format,
        format_options: reading.options,
        client_ip: reading.client_ip,
        since,
        until,
        zone: zone.clone(),
        session: SessionConfig {
            timeout: args
                .session_timeout
                .or(overrides.as_ref().and_then(|o| o.session_timeout))
                .unwrap_or(SessionConfig::default().timeout),
            ..SessionConfig::default()
        },
        share_window: args
            .share_window
            .or(overrides.as_ref().and_then(|o| o.share_window))
            .unwrap_or(48 * 3600),
        sites: args.sites.clone(),
        fronts: args.fronts.clone(),
        overrides,
        visitor_key: match &args.visitor_key {
            Some(p) => VisitorKey::from_passphrase(p),
            None => VisitorKey::random(),
        },
        keep_visits: kind == ReportKind::Visits,
        show_malformed: if args.verbose { 10 } else { 0 },
        block_size: args.block_size,
        threads: args.threads.map_or(0, usize::from),
    };

    let show_bar = !args.quiet && io::stderr().is_terminal();
    let bar = show_bar.then(|| {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut terminal = Terminal { quiet: args.quiet, bar };

    let outcome = run::run(&cfg, &mut terminal)?;
    if let Some(bar) = terminal.bar.take() {
        bar.finish_and_clear();
    }

    let report = Report {
        aggregates: outcome.state.aggregates,
        inputs: outcome.inputs,
        site_hosts: outcome.state.facts.site_hosts,
        since,
        until,
        top: args.top,
    };
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let reporter: Box<dyn Reporter> = match args.format {
        Format::Table => Box::new(TableReporter {
            styled: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            fit_terminal: to_terminal,
        }),
        Format::Csv => Box::new(CsvReporter),
        Format::Json => Box::new(JsonReporter),
    };
    match &args.output {
        Some(path) => write_atomically(path, |out| reporter.write(&report, kind, out))?,
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
            let written = reporter.write(&report, kind, &mut out).and_then(|_| out.flush());
            match written {
                Ok(()) => {}
                // The reader closed the pipe: it has what it wanted.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(Error::Write(e)),
            }
        }
    }

    // The table summary carries the accounting itself; everything else gets it on stderr.
    let summary_has_it = args.format == Format::Table && kind == ReportKind::Summary;
    if !summary_has_it && !args.quiet {
        eprintln!("darklog: {}", report.accounting());
    }
    for e in &outcome.errors {
        eprintln!("darklog: {e}");
    }
    Ok(if outcome.errors.is_empty() { Status::Ok } else { Status::Partial })
}

/// Writes through a temporary file in the same directory, renamed over `path` only when
/// complete: a cron job never leaves half a report behind.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    let err = |source| Error::Output { path: path.display().to_string(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp =
        tempfile::Builder::new().prefix(".darklog-").suffix(".tmp").tempfile_in(dir).map_err(err)?;
    {
        let mut out = BufWriter::new(tmp.as_file_mut());
        write(&mut out).and_then(|_| out.flush()).map_err(err)?;
    }
    // Temporary files are private (0600); a report is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
