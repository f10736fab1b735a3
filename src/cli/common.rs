//! What several subcommands share: the flags that say how logs are read and who a
//! visitor is, the flags of a report, the terminal's notices and progress bar, and the
//! writing of a report with its line accounting and exit status.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::format::FormatArgs;
use super::output::Output;
use super::terminal::{terminal_width, Terminal};
use super::window::Windows;
use super::{Error, Status};
use crate::classify::overrides::Overrides;
use crate::identity::VisitorKey;
use crate::input::Source;
use crate::report::csv::CsvReporter;
use crate::report::html::HtmlReporter;
use crate::report::json::JsonReporter;
use crate::report::markdown::MarkdownReporter;
use crate::report::table::{printable, TableReporter};
use crate::report::{Report, ReportKind, Reporter};
use crate::run::saved::Settings;
use crate::run::AnalyzeConfig;
use crate::session::SessionConfig;
use crate::time;

/// How the logs are read and what a visitor is: every flag that changes what a line says
/// or whose visit it is.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    #[command(flatten)]
    pub format: FormatArgs,

    /// A visit ends after this long without a page view (30m, 1h, 900) [default: 30m,
    /// or the rules file's].
    #[arg(long, value_parser = time::parse_setting_duration, value_name = "DURATION")]
    pub session_timeout: Option<i64>,

    /// A no-referrer visit to a page an app's link preview fetched this long before is
    /// that app's share (48h, 2d, 6h) [default: 48h, or the rules file's].
    #[arg(long, value_parser = time::parse_setting_duration, value_name = "DURATION")]
    pub share_window: Option<i64>,

    /// A TOML file of rules to add to the built-in ones (and override them): referrer
    /// hosts, user-agent tokens, parameters, fronts, assets, settings. See README.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// The site's own host (repeatable); referrers from it are internal navigation.
    /// Inferred from the referrers of asset requests when not given.
    #[arg(long = "site", value_name = "HOST", value_parser = site_host)]
    pub sites: Vec<String>,

    /// Another front page (repeatable): a landing there with no referrer is direct, not
    /// dark social.
    #[arg(long = "front", value_name = "PATH")]
    pub fronts: Vec<String>,

    /// Parser threads (default: one per core for compressed input, one fewer for plain;
    /// reading and sessionizing run on threads of their own; at most 256). The answer is
    /// the same for any number.
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<u16>,

    /// Passphrase that keys the visitor ids in reports; the same passphrase gives the same
    /// ids across runs and processes. Default: a random key per run.
    #[arg(long, env = "DARKLOG_VISITOR_KEY", hide_env_values = true, value_name = "PASSPHRASE")]
    pub visitor_key: Option<String>,

    /// What standard input (`-`) is called in messages and reports: the file piped in.
    #[arg(long, value_name = "NAME")]
    pub stdin_name: Option<String>,

    /// Show the first malformed and out-of-order lines with file and line number.
    #[arg(short, long)]
    pub verbose: bool,

    /// No progress bar and no notices (errors are still printed).
    #[arg(short, long)]
    pub quiet: bool,

    /// Bytes per block read (tests use small blocks to prove the answer does not change).
    #[arg(long, hide = true, default_value_t = 1 << 20)]
    pub block_size: usize,

    /// Read plain files with `read` instead of mapping them (tests show that both give
    /// the same answer).
    #[arg(long, hide = true)]
    pub no_map: bool,

    /// No bound on the keyed tables (tests show that bounds that cut nothing change
    /// nothing).
    #[arg(long, hide = true, conflicts_with_all = ["max_visitors", "max_pages"])]
    pub no_bounds: bool,

    /// Open visitors held at most (tests reach the bound with small logs).
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(8..))]
    pub max_visitors: Option<u32>,

    /// Landing pages counted at most (as --max-visitors).
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(8..))]
    pub max_pages: Option<u32>,
}

impl ReadArgs {
    /// The run's configuration for `paths`, reading what `windows` cover, in `zone`.
    pub fn config(
        &self,
        paths: &[PathBuf],
        windows: &Windows,
        keep_visits: bool,
    ) -> Result<AnalyzeConfig, Error> {
        if let Some(name) = &self.stdin_name {
            crate::input::name_stdin(name.clone());
        }
        let overrides = self.rules.as_deref().map(Overrides::load).transpose()?;
        let reading = self.format.reading()?;
        let zone = &self.format.zone();
        let span = windows.span();
        Ok(AnalyzeConfig {
            inputs: paths.to_vec(),
            format: reading.format,
            format_options: reading.options,
            client_ip: reading.client_ip,
            since: span.since,
            until: span.until,
            edges: windows.edges(),
            zone: zone.clone(),
            session: SessionConfig {
                timeout: self
                    .session_timeout
                    .or(overrides.as_ref().and_then(|o| o.session_timeout))
                    .unwrap_or(SessionConfig::default().timeout),
                max_visitors: self.max_visitors.map_or(SessionConfig::default().max_visitors, |n| n as usize),
                ..SessionConfig::default()
            },
            max_pages: self.max_pages.map(|n| n as usize),
            share_window: self
                .share_window
                .or(overrides.as_ref().and_then(|o| o.share_window))
                .unwrap_or(crate::classify::SHARE_WINDOW),
            sites: self.sites.clone(),
            fronts: self.fronts.clone(),
            overrides,
            visitor_key: match &self.visitor_key {
                Some(p) => VisitorKey::from_passphrase(p),
                None => VisitorKey::random(),
            },
            keep_visits,
            show_malformed: if self.verbose { 10 } else { 0 },
            block_size: self.block_size,
            threads: self.threads.map_or(0, usize::from),
            sort_memory: 256 << 20,
            bounded: !self.no_bounds,
            map_files: !self.no_map,
            incremental: false,
            keep_open: false,
            profile: false,
            keep: 400 * 86_400,
            keyed: false,
            skip: Vec::new(),
        })
    }

    /// What a saved state of runs with these flags must agree on (see [`Settings`]).
    pub fn settings(&self, cfg: &AnalyzeConfig) -> Result<Settings, Error> {
        use std::hash::Hasher;
        let mut h = siphasher::sip::SipHasher13::new_with_keys(0x7275_6c65, 0x7361_7665);
        for t in crate::classify::ALL_TABLES {
            h.write(t.name.as_bytes());
            h.write(t.text.as_bytes());
        }
        if let Some(o) = &cfg.overrides {
            h.write(o.text.as_bytes());
        }
        for s in cfg.sites.iter().chain([&"|".to_string()]).chain(&cfg.fronts) {
            h.write(s.as_bytes());
            h.write_u8(0);
        }
        let visitor_key = match &self.visitor_key {
            Some(_) => format!("{:016x}", cfg.visitor_key.public_id(b"darklog state", b"")),
            None => "random (no --visitor-key)".to_string(),
        };
        Ok(Settings {
            rules: format!("{:016x}", h.finish()),
            visitor_key,
            zone: cfg.zone.name().to_string(),
            log_format: self.format.describe(),
            reading: self.format.words(),
            session_timeout: cfg.session.timeout,
            lateness: cfg.session.lateness,
            share_window: cfg.share_window,
            bounds: if cfg.bounded {
                format!("visitors {}, pages {:?}", cfg.session.max_visitors, cfg.max_pages)
            } else {
                "none".into()
            },
        })
    }

    /// The terminal's observer for a run: notices unless quiet, a progress bar on a
    /// terminal.
    pub fn terminal(&self) -> Terminal {
        Terminal::new(self.quiet)
    }
}

/// What a report is and where it goes.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Which report: the summary, or one of its parts, or one row per visit.
    #[arg(long, value_enum, default_value_t = ReportKind::Summary)]
    pub report: ReportKind,

    /// Rows in the top-pages and shares reports (0: all of them).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Fit tables in N columns, at least 50 (default: the terminal's width on a terminal;
    /// written to a file or a pipe, tables keep their natural width).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(i64::from(MIN_WIDTH)..))]
    pub width: Option<u16>,

    /// Write the report to FILE (through a temporary file renamed into place; a FIFO or a
    /// device is written as it is). FILE may not be one of the inputs.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// One self-contained page with charts: every report at once.
    Html,
    /// The headline and the tables, for chat and tickets.
    Markdown,
}

impl ReportArgs {
    /// Opens `-o` before any work, so that a path that cannot be written (or that names
    /// one of `inputs`) fails at once.
    pub fn open_output(&self, inputs: &[PathBuf]) -> Result<Option<Output>, Error> {
        match &self.output {
            Some(path) => Ok(Some(Output::open(path, &crate::input::expand(inputs).0)?)),
            None => Ok(None),
        }
    }

    /// [`ReportArgs::open_output`] for a run over logs. A report written into the
    /// directory of the logs it reads is listed there by the next run: when the file `-o`
    /// names is found that way, reads as darklog's report and is no log, the run skips it
    /// and `-o` replaces it (any other file found there is refused, as any input). Named by a glob, it was judged with the other
    /// reports beside the logs ([`skip_reports_named`], called first) and is skipped.
    pub fn open_output_beside_logs(
        &self,
        inputs: &[PathBuf],
        cfg: &mut AnalyzeConfig,
    ) -> Result<Option<Output>, Error> {
        let Some(path) = &self.output else { return Ok(None) };
        let mut read = crate::input::expand(inputs).0;
        // The reports of earlier runs a glob names are no input, so none to refuse either.
        let skipped: Vec<_> = cfg.skip.iter().filter_map(|p| Source::File(p.clone()).id()).collect();
        read.retain(|i| !i.source.id().is_some_and(|id| skipped.contains(&id)));
        let id = Source::File(path.clone()).id();
        let own = read.iter().position(|i| id.is_some() && i.source.id() == id);
        // Listed by a directory, a file with a report's name that reads as one and holds no
        // log (judged as a directory's files are: whether it holds a log at all) is what an
        // earlier run wrote. Any other file of the user's there is refused, never written over.
        let no_log = |at: usize| !crate::run::is_log(&read[at], cfg);
        let replaced =
            |at: usize| read[at].listed && has_report_name(path) && looks_like_a_report(path) && no_log(at);
        if let Some(at) = own.filter(|&at| replaced(at)) {
            read.remove(at);
            cfg.skip.push(path.clone());
        }
        Ok(Some(Output::open(path, &read)?))
    }

    /// Writes `report`; then, on stderr, the line accounting (unless the table summary
    /// holds it, or `quiet`), what bounds cut, the errors, and an empty window. The status
    /// is what the exit code says.
    pub fn render(
        &self,
        report: &mut Report,
        output: Option<Output>,
        windows: &Windows,
        errors: &[String],
        quiet: bool,
    ) -> Result<Status, Error> {
        // The page and Markdown say what stderr says of an empty window, for whoever
        // they are mailed to.
        let notes = window_notes(report, windows);
        report.caveats.extend(notes.empty.iter().chain(&notes.previous_empty).cloned());
        let report = &*report;
        let kind = self.report;
        let to_terminal = self.output.is_none() && io::stdout().is_terminal();
        let reporter: Box<dyn Reporter> = match self.format {
            Format::Table => Box::new(TableReporter {
                styled: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
                width: self.width.map(usize::from).or_else(|| to_terminal.then(terminal_width).flatten()),
            }),
            Format::Csv => Box::new(CsvReporter),
            Format::Json => Box::new(JsonReporter),
            Format::Html => Box::new(HtmlReporter),
            Format::Markdown => Box::new(MarkdownReporter),
        };
        match output {
            Some(output) => output.write(|out| reporter.write(report, kind, out))?,
            None => {
                let stdout = io::stdout();
                let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
                let written = reporter.write(report, kind, &mut out).and_then(|_| out.flush());
                match written {
                    Ok(()) => {}
                    // The reader closed the pipe: it has what it wanted.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                    Err(e) => return Err(Error::Write(e)),
                }
            }
        }
        // The table summary carries the accounting itself; everything else gets it on stderr.
        let summary_has_it = self.format == Format::Table && kind == ReportKind::Summary;
        if !summary_has_it && !quiet {
            eprintln!("darklog: {}", report.accounting());
        }
        // A run whose bounds cut something says so whatever the format, even quiet.
        if let (Some(cut), false) = (report.cut(), summary_has_it) {
            eprintln!("darklog: {cut}");
        }
        for e in errors {
            eprintln!("darklog: {}", printable(e));
        }
        for note in notes.empty.iter().chain(&notes.previous_empty) {
            eprintln!("darklog: {note}");
        }
        Ok(if !errors.is_empty() {
            Status::Partial
        } else if notes.empty.is_some() {
            Status::EmptyWindow
        } else {
            Status::Ok
        })
    }
}

/// What a window with no line means, for stderr and the page alike.
pub(super) struct WindowNotes {
    /// The window asked for has no line (exit 3): the logs stopped, or rotated away
    /// before the run, or the state forgot those days.
    pub empty: Option<String>,
    /// The window compared with has no line: every change reads "new", which is growth
    /// to a reader who does not know the logs began (or were forgotten) since.
    pub previous_empty: Option<String>,
}

pub(super) fn window_notes(report: &Report, windows: &Windows) -> WindowNotes {
    let lines = &report.aggregates.lines;
    let empty = (windows.bounded() && lines.no_line()).then(|| {
        let bound = |name: &str, t: Option<i64>| t.map(|t| format!("{name} {}", time::format_rfc3339(t)));
        let window: Vec<String> =
            [bound("since", report.since), bound("until", report.until)].into_iter().flatten().collect();
        // A window before the state's first day asks for days it forgot (or never had).
        let forgotten = match (report.held_from, report.until) {
            (Some(from), Some(until)) if until <= from => format!(
                "; the state holds days from {} on (earlier ones were never read, or are forgotten: \
                 --keep DAYS)",
                time::format_rfc3339(from)
            ),
            _ => String::new(),
        };
        format!(
            "no line in the window ({}): {} lines read, {} outside it{forgotten}",
            window.join(", "),
            crate::report::thousands(lines.read),
            crate::report::thousands(lines.outside_window)
        )
    });
    let previous_empty = report.previous.as_ref().filter(|_| empty.is_none()).and_then(|p| {
        p.aggregates.lines.no_line().then(|| {
            let until = p.until.map(|u| format!(", until {}", time::format_rfc3339(u))).unwrap_or_default();
            format!(
                "no line in the window compared with (since {}{until}): its figures are 0 and every \
                 change reads \"new\"",
                time::format_rfc3339(p.since)
            )
        })
    });
    WindowNotes { empty, previous_empty }
}

/// Whether the start of `path` is one of darklog's reports: its words, or the header of
/// one of its CSV reports.
/// Whether `path` is named as darklog's reports are (by their format's extension).
fn has_report_name(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["csv", "json", "html", "htm", "md", "markdown", "txt"].contains(&e.to_ascii_lowercase().as_str())
    })
}

/// Reports earlier runs wrote beside the logs that a glob names with them (`access.log*`
/// catches `access.log.json` and `access.log.csv`), whichever report this run writes: no
/// input, skipped with a notice, as a directory's are. Only a file named as a report,
/// reading as one (a file of the user's in a layout darklog does not read is refused,
/// never written over) and holding no log, judged as a directory's files are.
pub(super) fn skip_reports_named(inputs: &[PathBuf], cfg: &mut AnalyzeConfig) {
    for input in crate::input::expand(inputs).0 {
        let Source::File(path) = &input.source else { continue };
        let as_listed = || crate::input::Input { source: input.source.clone(), listed: true };
        if !input.listed
            && has_report_name(path)
            && looks_like_a_report(path)
            && !crate::run::is_log(&as_listed(), cfg)
        {
            cfg.skip.push(path.clone());
        }
    }
}

fn looks_like_a_report(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(8192).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let csv_headers = ["metric,value", "channel,visits,", "landing,app,shares,", "start,visitor,landing,"];
    let mut lines = text.lines();
    let (first, second) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    // Not every report names darklog or dark social: a table of shares, a JSON report
    // with no row, the visits list are known by their shape.
    let table = first.starts_with("+-") && second.starts_with("| ");
    let visits_list = first.starts_with("start (") && first.contains("  visitor  ");
    let json_report = text.trim_start().starts_with('{') && text.contains("\"report\":");
    ["darklog", "dark_social", "dark-social", "Dark social", "dark social"].iter().any(|w| text.contains(w))
        || csv_headers.iter().any(|h| text.starts_with(h))
        || table
        || visits_list
        || json_report
}

/// The narrowest every report fits in (the visits list and the comparison need it).
pub(super) const MIN_WIDTH: u16 = 50;

/// The terminal's width in columns, when it tells one (a pty under `script` or a serial
/// console can say 0); a narrower terminal gets the narrowest tables, which wrap least.
/// `--site`: a host, as a referrer names it. A URL is taken for its host (`https://
/// www.example.com/news` is `www.example.com`); an empty value, or one that is no host,
/// is refused: it matched no referrer, and the site's own clicks became referrals.
pub(super) fn site_host(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s.split_once("://").map_or(s, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    // A port is not part of a referrer's host as darklog compares them.
    let host = match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return Err("a host is needed, such as example.com".into());
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '\\' | '"' | '<' | '>'))
    {
        return Err(format!("{host:?} is not a host, such as example.com"));
    }
    Ok(host)
}

/// `--threads`: a count of at least one (more than 256 are taken as 256, with a notice).
fn thread_count(arg: &str) -> Result<u16, String> {
    match arg.parse::<u16>() {
        Ok(0) => Err("at least 1 parser thread is needed (at most 256 are used)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("a whole number of threads is needed (at most 256 are used)".into()),
    }
}
