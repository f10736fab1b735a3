//! `darklog analyze`: logs in, dark-social report out.

use std::path::PathBuf;

use clap::Args;

use super::common::{ReadArgs, ReportArgs};
use super::output::write_atomically;
use super::window::WindowArgs;
use super::{Error, Status};
use crate::report::{Report, ReportKind};
use crate::run::saved::{Content, Lock, Provenance, Saved, StateError};
use crate::run::{self, AnalyzeConfig, Outcome, Start};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Log files, directories (their files) or - for stdin; gzip, bzip2, xz and zstd are
    /// recognised by content.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    #[command(flatten)]
    report: ReportArgs,

    #[command(flatten)]
    window: WindowArgs,

    #[command(flatten)]
    read: ReadArgs,

    /// Keep what runs know in FILE and read only what is new since the last run: logs
    /// that grew, new rotations (renamed or compressed logs are known by their first
    /// bytes). The report covers everything the state holds, or the window asked for
    /// (whole days). Created when missing; locked while a run uses it.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// With --state: days the state remembers (older days and logs are forgotten).
    #[arg(long, value_name = "DAYS", default_value_t = 400, requires = "state", value_parser = clap::value_parser!(u32).range(1..))]
    keep: u32,
}

pub fn run(args: AnalyzeArgs) -> Result<Status, Error> {
    let windows = args.window.resolve(&args.read.format.zone())?;
    let kind = args.report.report;
    // The state is read too: a report must not replace it either.
    let read: Vec<PathBuf> = args.paths.iter().chain(&args.state).cloned().collect();
    let mut cfg = args.read.config(&args.paths, &windows, kind == ReportKind::Visits)?;
    if let (Some(out), Some(state)) = (&args.report.output, &args.state) {
        super::output::refuse_state(out, state)?;
    }
    super::common::skip_reports_named(&args.paths, &mut cfg);
    let output = args.report.open_output_beside_logs(&read, &mut cfg)?;
    let mut terminal = args.read.terminal();
    let (outcome, mut unsaved) = match &args.state {
        None => (run::run(&cfg, &mut terminal)?, None),
        Some(path) => incremental(&args, &mut cfg, path, &mut terminal)?,
    };
    terminal.done();
    if args.state.is_some() {
        // The state's days are cut at midnights only: a window must be whole days.
        for t in windows.edges() {
            if !outcome.state.ledger.can_cut_at(t) {
                return Err(super::usage_error(format!(
                    "with --state, a window is whole days in the state's zone ({}): {} is not a midnight \
                     there (use --day, --week, --month or dates)",
                    outcome.state.ledger.zone().name(),
                    crate::time::format_rfc3339(t)
                )));
            }
        }
    }

    let read_nothing = outcome.read_nothing();
    let mut report =
        Report::of(&outcome.state.ledger, windows.current.since, windows.current.until, windows.previous);
    report.site_hosts = outcome.state.facts.site_hosts.clone();
    if args.state.is_some() {
        report.held_from = outcome.state.ledger.span().map(|(start, _)| start);
    }
    report.evidence = outcome.evidence;
    report.top = args.report.top;
    report.rules_file = args.read.rules.as_ref().map(|p| p.display().to_string());
    let said = outcome.provenance();
    tell(&mut report, &args.read, &cfg, &said, &outcome.state.facts);
    report.inputs = outcome.inputs;
    *report.visits.get_mut() = outcome.visits;
    if let (Some(why), Some(rows)) = (&mut unsaved, report.visits.get_mut()) {
        // Rows appended run after run hold each visit once: a run whose state was not saved
        // lists none, and the next run, which reads its lines again, lists them.
        *rows = run::VisitSpool::default().finish().map_err(Error::Write)?;
        why.push_str(" (no visit listed: the run that saves the state lists them)");
    }
    let mut errors = said.errors;
    errors.extend(unsaved);
    if let Some(short) =
        args.state.as_ref().and_then(|p| forgotten_part(p, args.keep, &outcome.state, &windows))
    {
        report.caveats.push(short.clone());
        errors.push(short);
    }
    // Not one input could be read (or read as a log): an empty report would say "no
    // visits" for a week that had them, and -o would put it over last week's.
    if args.state.is_none() && read_nothing {
        return Ok(super::output::nothing_written(&errors, "report"));
    }
    let status = args.report.render(&mut report, output, &windows, &errors, args.read.quiet);
    // The process exits next and the system takes its memory back at once: dropping the
    // run's tables would free their keys one by one, a millisecond or more at the end of a
    // large run with the other core idle. (Only tables: the report's visit rows are a
    // temporary file, removed when dropped.)
    std::mem::forget((std::mem::take(&mut report.aggregates), outcome.state));
    status
}

/// A window (or the one it is compared with) that reaches into the days the state has
/// forgotten (`--keep`) would be reported short, as if those days had no visits: said, and
/// exit 2. A current window wholly forgotten has no line: exit 3, said where empty windows
/// are, and nothing here. Days before the logs began were never counted, not forgotten.
fn forgotten_part(
    path: &std::path::Path,
    keep: u32,
    state: &run::RunState,
    windows: &super::window::Windows,
) -> Option<String> {
    let (from, to) = state.ledger.forgotten()?;
    if windows.current.until.is_some_and(|u| u <= to) {
        return None;
    }
    let zone = state.ledger.zone();
    let day = |t: i64| crate::time::format_date(zone.day_of(t));
    let reaches = |since: i64, until: Option<i64>| since < to && until.is_none_or(|u| u > from);
    let mut cut = Vec::new();
    let mut earliest = None;
    for (name, since, until) in [
        ("the window", windows.current.since, windows.current.until),
        ("the window it is compared with", windows.previous.map(|p| p.0), windows.previous.map(|p| p.1)),
    ] {
        if let Some(since) = since.filter(|&s| reaches(s, until)) {
            cut.push(format!("{name} (from {})", day(since)));
            earliest = earliest.min(Some(since)).or(Some(since));
        }
    }
    let earliest = earliest?;
    let end = state.ledger.span().map_or(to, |(_, end)| end);
    // A day is forgotten once it ends `--keep` days or more before the state's end; a day
    // of 23 hours (a clock change) counts as one.
    let need = (end - earliest + 86_399).div_euclid(86_400).max(1);
    let advice = if need > i64::from(keep) {
        format!("keep more days (--keep {need} or more holds it; ")
    } else {
        "(".to_string()
    };
    Some(format!(
        "{}: the days before {} were forgotten (--keep), so {} {} reported short, as if those days \
         had no visits: {advice}days forgotten come back only in a state made again from their logs)",
        path.display(),
        day(to),
        cut.join(" and "),
        if cut.len() > 1 { "are" } else { "is" },
    ))
}

/// What the inputs said, on the report: how the page was made (with what the run learned
/// of the site, which stderr says as it learns it) and what to read with care (the
/// layouts' caveats, the inputs not read whole). `merge` tells it from its parts.
pub(super) fn tell(
    report: &mut Report,
    read: &ReadArgs,
    cfg: &AnalyzeConfig,
    said: &Provenance,
    facts: &crate::classify::SiteFacts,
) {
    report.made_with = made_with(read, cfg, &said.formats);
    if cfg.sites.is_empty() && !facts.site_hosts.is_empty() {
        report
            .made_with
            .push(("Site found", "inferred from the referrers of asset requests (--site to set)".into()));
    }
    if !facts.embedded_prefixes.is_empty() {
        let paths = facts.embedded_prefixes.join(", ");
        let learned =
            format!("paths under {paths} (fetched by the site's pages as they load, never navigated to)");
        report.made_with.push(("Learned as assets", learned));
    }
    if let Some(sample) = facts.asset_sample {
        let loaded =
            format!("{} of {} referred readers sampled loaded assets", sample.loading, sample.referred);
        report.made_with.push(("Browser evidence sample", loaded));
    }
    report.caveats = crate::report::group_caveats(&said.caveats);
    report.caveats.extend(malformed_caveat(&report.aggregates.line_counts()));
    let not_read = said
        .errors
        .iter()
        .map(|e| format!("not read whole: the figures leave out what could not be read: {e}"));
    report.caveats.extend(not_read);
}

/// Lines no layout could read are left out of every figure; the line accounting counts
/// them, but one in a hundred or more is worth saying where the figures are read (of a
/// hundred lines or more: a test log's one odd line is not news).
fn malformed_caveat(lines: &crate::report::LineCounts) -> Option<String> {
    if lines.malformed == 0 || lines.read < 100 || lines.malformed * 100 < lines.read {
        return None;
    }
    Some(format!(
        "{} of the {} lines read ({:.1}%) {} malformed: the figures leave {} out (-v shows the first of them)",
        crate::report::thousands(lines.malformed),
        crate::report::thousands(lines.read),
        lines.malformed as f64 * 100.0 / lines.read as f64,
        if lines.malformed == 1 { "is" } else { "are" },
        if lines.malformed == 1 { "it" } else { "them" },
    ))
}

/// The page's facts of how it was made (`found`: the layouts detection found).
fn made_with(read: &ReadArgs, cfg: &AnalyzeConfig, found: &[String]) -> Vec<(&'static str, String)> {
    let mut reading = read.format.words();
    if read.format.detects() && !found.is_empty() {
        // What detection found, so that a page mailed around says it without the inputs.
        reading = format!("{reading} (found: {})", found.join(", "));
    }
    let mut facts = vec![
        ("Reading", reading),
        ("Visits end after", spelled_duration(cfg.session.timeout)),
        ("Shares counted within", spelled_duration(cfg.share_window)),
    ];
    if !cfg.fronts.is_empty() {
        facts.push(("Front pages", cfg.fronts.join(", ")));
    }
    facts
}

/// A run that goes on from the state in `path` (or starts it) and saves where it got to;
/// with it, why the state could not be saved (the report is still written: exit 2).
fn incremental(
    args: &AnalyzeArgs,
    cfg: &mut AnalyzeConfig,
    path: &std::path::Path,
    terminal: &mut super::terminal::Terminal,
) -> Result<(Outcome, Option<String>), Error> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(super::usage_error(
            "--state reads files it can find again next time: not standard input".into(),
        ));
    }
    // A cron job's log says why a run stopped, killed before or while the state is saved.
    super::output::watch_signals();
    // A state named through a link is the link's target: written there, locked there.
    let target = super::output::link_target(path).unwrap_or_else(|_| path.to_path_buf());
    let path = target.as_path();
    cfg.skip.extend([path.to_path_buf(), Lock::path_of(path)]);
    // Everything new is read and kept; the window only chooses what is reported.
    (cfg.since, cfg.until, cfg.edges) = (None, None, Vec::new());
    (cfg.incremental, cfg.keep_open, cfg.keep) = (true, true, i64::from(args.keep) * 86_400);
    let settings = args.read.settings(cfg)?;
    let name = path.display().to_string();
    let not_saved = |e: &std::io::Error| format!("{name}: state not saved: {}", super::output::plain(e));
    // Where no lock can be made, no state can be written either: the run still reports,
    // and says the state was not saved. Another run holding the lock stops this one.
    let (_lock, mut unsaved) = match Lock::take(path) {
        Ok(lock) => {
            super::output::remove_stale(path);
            (Some(lock), None)
        }
        Err(StateError::Io { source, .. }) => (None, Some(not_saved(&source))),
        Err(e) => return Err(e.into()),
    };
    // An empty file is no state yet: made beforehand with its owner and mode (`install -m
    // 600 /dev/null site.state`), as system files are.
    let empty = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0);
    let start = match Saved::read(path) {
        _ if empty => Start::Fresh,
        Ok(saved) => {
            saved.check(&settings, &name)?;
            match saved.content {
                Content::State { marks, run, .. } => Start::Resume { state: run, marks },
                Content::Profile(_) => {
                    return Err(StateError::Kind { path: name, found: "profile", wanted: "state" }.into())
                }
            }
        }
        Err(StateError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => Start::Fresh,
        Err(e) => return Err(e.into()),
    };
    let mut outcome = run::run_from(cfg, start, terminal)?;
    let mut open = outcome.open.take().expect("an incremental run keeps its open state");
    // What the state forgets, this run's report leaves out too: a rerun with nothing new
    // reports the same.
    if let Some((_, end)) = open.ledger.span() {
        open.ledger.expire(end - cfg.keep);
        outcome.state.ledger.expire(end - cfg.keep);
    }
    let saved = Saved {
        written_by: env!("CARGO_PKG_VERSION").to_string(),
        settings,
        content: Content::State {
            marks: std::mem::take(&mut outcome.marks),
            run: Box::new(open),
            window: None,
            // The week's inputs say it, each week: a state is not reported from alone.
            provenance: Default::default(),
        },
    };
    // Saved now, the state would count the lines of a rotation still being compressed out
    // of order next time, or not at all (see `resume::held_by`); or take another site's
    // logs for its own and say nothing next time. Kept as it was, the next run reads this
    // one's lines again.
    let held = outcome.held.as_ref().map(|cut| {
        format!(
            "{cut} ends cut short (perhaps still being compressed): the next run reads again from \
             where this one began; a file that stays cut short holds the state back until it is \
             moved away"
        )
    });
    let other_site = || {
        outcome.errors.iter().find_map(|e| match e {
            crate::input::InputError::OtherSite { path, .. } => Some(format!(
                "{path} looks like another site's log: every run says so until the logs or the \
                 state are set right"
            )),
            _ => None,
        })
    };
    if let (None, Some(why)) = (&unsaved, held.or_else(other_site)) {
        unsaved = Some(format!("{name}: state not advanced, as {why}"));
    }
    if unsaved.is_none() {
        if let Err(e) = write_atomically(path, &saved.encode(), true) {
            unsaved = Some(not_saved(&e));
        }
    }
    Ok((outcome, unsaved))
}

/// A duration in words for a reader of the page, in the unit the flags' defaults use:
/// `30 minutes`, `48 hours` (not `2d`), `7 days`.
fn spelled_duration(seconds: i64) -> String {
    let (n, unit) = match seconds {
        s if s >= 3 * 86_400 && s % 86_400 == 0 => (s / 86_400, "day"),
        s if s != 0 && s % 3600 == 0 => (s / 3600, "hour"),
        s if s != 0 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}
