//! `darklog partial`: one part of a job shared among processes or machines. It reads its
//! inputs (split by visitor, so that each visitor's hits are all in one part) with the
//! job's profile, and writes its state instead of a report: `darklog merge` reports from
//! the states of all parts what `analyze` reports from the whole.

use std::path::PathBuf;

use clap::Args;

use super::common::{Format, ReadArgs, ReportArgs};
use super::saved::{read_saved, written_by, SavedOutput};
use super::window::WindowArgs;
use super::{Error, Status};
use crate::report::{Report, ReportKind};
use crate::run::saved::{Content, Saved, StateError};
use crate::run::{self, Start};

#[derive(Debug, Args)]
pub struct PartialArgs {
    /// Log files or directories (as for `analyze`); with --keyed, files of `darklog key`
    /// lines, or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The job's profile (`darklog profile`): its site facts and shares.
    #[arg(long, value_name = "FILE")]
    profile: PathBuf,

    /// The inputs are lines of `darklog key` (visitor key, time, sequence, the line in
    /// base64), as an engine hands over a partition sorted by time and sequence.
    #[arg(long)]
    keyed: bool,

    /// Instead of the state, write the visits of this part (as `analyze --report visits
    /// --format FORMAT`; to -o or stdout): states keep no visit rows.
    #[arg(long, value_enum, value_name = "FORMAT")]
    visits: Option<Format>,

    #[command(flatten)]
    out: SavedOutput,

    #[command(flatten)]
    window: WindowArgs,

    #[command(flatten)]
    read: ReadArgs,
}

pub fn run(args: PartialArgs) -> Result<Status, Error> {
    let windows = args.window.resolve(&args.read.format.zone())?;
    let mut read = args.paths.clone();
    read.push(args.profile.clone());
    if args.visits.is_none() {
        args.out.check()?;
        args.out.refuse_inputs(&read)?;
    }
    let mut cfg = args.read.config(&args.paths, &windows, args.visits.is_some())?;
    cfg.keep_open = true;
    cfg.keyed = args.keyed;
    let visits = args.visits.map(|format| ReportArgs {
        format,
        report: ReportKind::Visits,
        top: 0,
        output: args.out.output.clone(),
        width: None,
    });
    let output = match &visits {
        Some(report_args) => report_args.open_output_beside_logs(&read, &mut cfg)?,
        None => None,
    };
    let settings = args.read.settings(&cfg)?;
    let name = args.profile.display().to_string();
    let saved = read_saved(std::slice::from_ref(&args.profile))?.pop().expect("one file").1;
    saved.check(&settings, &name)?;
    let Content::Profile(profile) = saved.content else {
        return Err(StateError::Kind { path: name, found: "state", wanted: "profile" }.into());
    };
    let mut provenance = profile.provenance.clone();
    let mut terminal = args.read.terminal();
    let mut outcome = run::run_from(&cfg, Start::Profiled(profile), &mut terminal)?;
    // Keyed lines come through a temporary file: what its profile says of the job's logs
    // is what counts.
    if !args.keyed {
        provenance.add(outcome.provenance());
    }
    // The logs' digests served the profiles' join; merge reads none, and a part of a
    // job of thousands of files would carry them all.
    provenance.logs.clear();
    terminal.done();
    let errors: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
    // An empty part would merge in silently, its lines missing from the job's figures.
    if outcome.read_nothing() {
        let what = if visits.is_some() { "report" } else { "state" };
        return Ok(super::output::nothing_written(&errors, what));
    }
    if let Some(report_args) = visits {
        let mut report =
            Report::of(&outcome.state.ledger, windows.current.since, windows.current.until, None);
        *report.visits.get_mut() = outcome.visits.take();
        report.site_hosts = outcome.state.facts.site_hosts.clone();
        report.evidence = outcome.evidence;
        return report_args.render(&mut report, output, &windows, &errors, true);
    }
    let open = outcome.open.take().expect("a partial keeps its open state");
    args.out.write(&Saved {
        written_by: written_by(),
        settings,
        content: Content::State {
            marks: Vec::new(),
            run: Box::new(open),
            window: windows.bounded().then(|| {
                let span = windows.span();
                (span.since, span.until)
            }),
            provenance,
        },
    })?;
    for e in &errors {
        eprintln!("darklog: {}", crate::report::table::printable(e));
    }
    Ok(if errors.is_empty() { Status::Ok } else { Status::Partial })
}
