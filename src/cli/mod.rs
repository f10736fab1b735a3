//! The command line: flags are parsed here, in one place, into plain config structs;
//! each subcommand lives in its own file. Only this layer turns errors into the one
//! `darklog: …` line a user sees, and into an exit code.
//!
//! Exit codes: 0 success; 1 usage error (or a `--rules` file that cannot be used); 2 something went wrong (an input could not be
//! read wholly, the output could not be written): what could be analysed is reported.

mod analyze;
mod explain;
mod format;
mod rules;

use std::ffi::OsString;
use std::io;

use clap::{Parser, Subcommand};

use crate::classify::TableError;

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
    /// Analyse access logs (plain or gzipped, files, directories or - for stdin).
    Analyze(analyze::AnalyzeArgs),
    /// Print the built-in rules in the order they are evaluated, and their tables.
    Rules(rules::RulesArgs),
    /// Show what darklog sees in one log line and which rule decides it.
    Explain(explain::ExplainArgs),
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
    /// Flags that parse but do not make sense together: exit 1, like clap's own errors.
    #[error("{0}")]
    Usage(clap::Error),
}

/// A usage error in clap's words and format.
pub(crate) fn usage_error(message: String) -> Error {
    use clap::CommandFactory;
    Error::Usage(Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message))
}

impl std::error::Error for TableError {}

impl Error {
    fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Some input could not be read; the rest was reported.
    Partial,
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
        Command::Analyze(args) => analyze::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Explain(args) => explain::run(args),
    };
    match result {
        Ok(Status::Ok) => 0,
        Ok(Status::Partial) => 2,
        // A closed pipe (`darklog … | head`) is the reader saying it has enough.
        Err(e) if e.is_broken_pipe() => 0,
        Err(Error::Usage(e)) => {
            let _ = e.print();
            1
        }
        Err(e @ Error::RulesFile(_)) => {
            eprintln!("darklog: {e}");
            1
        }
        Err(e) => {
            eprintln!("darklog: {e}");
            2
        }
    }
}

pub fn main() -> i32 {
    main_with_args(std::env::args_os())
}
