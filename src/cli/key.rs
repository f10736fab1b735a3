//! `darklog key`: every line of the logs, keyed by visitor, for an engine (Spark, Hadoop
//! Streaming) to partition by darklog's own notion of a visitor and sort by time, then
//! hand to `darklog partial --keyed` (see `run::key`).

use std::io;
use std::path::PathBuf;

use clap::Args;

use super::common::ReadArgs;
use super::window::Windows;
use super::{Error, Status};
use crate::run::key;

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Log files or directories, whole (a W3C log's directives say how its later lines
    /// read), or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Every reading flag `partial` will be given (layout, --client-ip, --rules,
    /// --visitor-key…): the keys are darklog's visitors under them.
    #[command(flatten)]
    read: ReadArgs,
}

pub fn run(args: KeyArgs) -> Result<Status, Error> {
    if args.read.visitor_key.is_none() {
        return Err(super::usage_error(
            "keys must be the same in every process: give --visitor-key (or DARKLOG_VISITOR_KEY)".into(),
        ));
    }
    let cfg = args.read.config(&args.paths, &Windows::everything(), false)?;
    let mut terminal = args.read.terminal();
    let mut stdout = io::stdout();
    let errors = match key::key_all(&cfg, &mut stdout, &mut terminal) {
        // The reader closed the pipe: it has what it wanted.
        Err(crate::run::RunError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            return Ok(Status::Ok)
        }
        other => other?,
    };
    terminal.done();
    for e in &errors {
        eprintln!("darklog: {}", crate::report::table::printable(&e.to_string()));
    }
    Ok(if errors.is_empty() { Status::Ok } else { Status::Partial })
}
