//! The command line: flags are parsed here, in one place, into plain config structs;
//! each subcommand lives in its own file. Only this layer turns errors into the one
//! `darklog: …` line a user sees, and into an exit code.
//!
//! Exit codes (the README's table): 0 success; 1 usage or configuration (a bad flag, a
//! `--rules` file that cannot be used, `-o` naming an input); 2 an input or output problem
//! (what could be read is still reported); 3 nothing in the `--since`/`--until` window; 4
//! a state or profile refused (reserved).

mod analyze;
mod common;
mod explain;
mod explain_visits;
mod format;
mod key;
mod merge;
mod output;
mod partial;
mod profile;
mod rules;
mod saved;
mod terminal;
mod window;

use std::ffi::OsString;
use std::io;

use clap::{Parser, Subcommand};

use crate::classify::TableError;
use crate::report::table::printable;

pub use explain::explain_builtin;

#[derive(Debug, Parser)]
#[command(
    name = "darklog",
    version,
    about = "How much of a site's traffic is dark social: links shared in private channels that arrive with no referrer",
    long_about = None,
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse access logs (plain or compressed, files, directories or - for stdin).
    Analyze(Box<analyze::AnalyzeArgs>),
    /// Print the built-in rules in the order they are evaluated, and their tables.
    Rules(rules::RulesArgs),
    /// Show what darklog sees in one log line and which rule decides it.
    Explain(Box<explain::ExplainArgs>),
    /// What every part of a job shared among processes must agree on: site facts and
    /// link-preview shares, from the job's logs (and profiles to merge in).
    Profile(Box<profile::ProfileArgs>),
    /// Read one part of a job (split by visitor) with the job's profile; write its state.
    Partial(Box<partial::PartialArgs>),
    /// Report from the states of a job's parts what `analyze` reports from the whole.
    Merge(Box<merge::MergeArgs>),
    /// Every line keyed by visitor, time and place, for an engine to partition and sort.
    Key(Box<key::KeyArgs>),
}

/// What can stop a command, as the user will read it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Run(#[from] crate::run::RunError),
    #[error("{path}: {source}")]
    Output { path: String, source: io::Error },
    #[error("writing the report: {0}")]
    Write(#[source] io::Error),
    #[error("reading standard input: {0}")]
    ReadStdin(#[source] io::Error),
    /// A `--rules` file that cannot be used: exit 1, like a bad flag.
    #[error("{0}")]
    RulesFile(#[from] crate::classify::overrides::RulesFileError),
    /// A saved state or profile that cannot be used: exit 4 (2 when it cannot be read).
    #[error(transparent)]
    State(#[from] crate::run::saved::StateError),
    /// Flags that parse but do not make sense together: exit 1, like clap's own errors,
    /// and one line, like every error darklog finds itself (clap's would add the top
    /// command's usage, not the subcommand's).
    #[error("{0}")]
    Usage(String),
}

/// Flags that parse but do not make sense together (exit 1).
pub(crate) fn usage_error(message: String) -> Error {
    Error::Usage(message)
}

impl std::error::Error for TableError {}

impl Error {
    fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) | Error::Output { source: e, .. } if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Some input could not be read; the rest was reported.
    Partial,
    /// A `--since`/`--until` window that no line fell in.
    EmptyWindow,
}

/// Runs darklog with these arguments and returns the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(*args),
        Command::Rules(args) => rules::run(args),
        Command::Explain(args) => explain::run(*args),
        Command::Profile(args) => profile::run(*args),
        Command::Partial(args) => partial::run(*args),
        Command::Merge(args) => merge::run(*args),
        Command::Key(args) => key::run(*args),
    };
    match result {
        Ok(Status::Ok) => 0,
        Ok(Status::Partial) => 2,
        Ok(Status::EmptyWindow) => 3,
        // A closed pipe (`darklog … | head`) is the reader saying it has enough.
        Err(e) if e.is_broken_pipe() => 0,
        Err(e @ Error::Usage(_)) => {
            eprintln!("darklog: {}", printable(&e.to_string()));
            1
        }
        Err(Error::State(e @ crate::run::saved::StateError::Io { .. })) => {
            eprintln!("darklog: {}", printable(&e.to_string()));
            2
        }
        Err(e @ Error::State(_)) => {
            eprintln!("darklog: {}", printable(&e.to_string()));
            4
        }
        Err(e @ Error::RulesFile(_)) => {
            eprintln!("darklog: {}", printable(&e.to_string()));
            1
        }
        Err(e) => {
            eprintln!("darklog: {}", printable(&e.to_string()));
            2
        }
    }
}

pub fn main() -> i32 {
    main_with_args(std::env::args_os())
}
