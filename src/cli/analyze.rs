//! `darklog analyze`: logs in, dark-social report out.

use std::path::PathBuf;

use clap::Args;

use super::common::{ReadArgs, ReportArgs};
use super::window::WindowArgs;
use super::{Error, Status};
use crate::report::{Report, ReportKind};
use crate::run;

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
}

pub fn run(args: AnalyzeArgs) -> Result<Status, Error> {
    let windows = args.window.resolve()?;
    let kind = args.report.report;
    let output = args.report.open_output(&args.paths)?;
    let cfg = args.read.config(&args.paths, &windows, &args.window.zone, kind == ReportKind::Visits)?;
    let mut terminal = args.read.terminal();
    let outcome = run::run(&cfg, &mut terminal)?;
    terminal.done();

    let mut report =
        Report::of(&outcome.state.ledger, windows.current.since, windows.current.until, windows.previous);
    report.site_hosts = outcome.state.facts.site_hosts.clone();
    report.inputs = outcome.inputs;
    report.evidence_required = outcome.evidence_required;
    report.top = args.report.top;
    *report.visits.get_mut() = outcome.visits;
    let errors: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
    args.report.render(&report, output, &windows, &errors, args.read.quiet)
}
