//! `darklog profile`: what every part of a job shared among processes must agree on: the
//! site facts (from the first lines of the run, as `analyze` learns them) and every
//! link-preview share (capped). Profiles of parts of the job merge into one.

use std::path::PathBuf;

use clap::Args;

use super::common::ReadArgs;
use super::output::nothing_written;
use super::saved::{read_saved, written_by, SavedOutput};
use super::window::Windows;
use super::{Error, Status};
use crate::run::saved::{Content, Profile, Saved, StateError};
use crate::run::{self, Start};

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Log files or directories (as for `analyze`), and profiles to merge in.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    #[command(flatten)]
    out: SavedOutput,

    #[command(flatten)]
    read: ReadArgs,
}

pub fn run(args: ProfileArgs) -> Result<Status, Error> {
    args.out.check()?;
    args.out.refuse_inputs(&args.paths)?;
    let (saved, logs): (Vec<PathBuf>, Vec<PathBuf>) =
        args.paths.iter().cloned().partition(|p| p.is_file() && Saved::is_saved(p));
    let windows = Windows::everything();
    let mut cfg = args.read.config(&logs, &windows, false)?;
    let settings = args.read.settings(&cfg)?;
    let mut profiles = Vec::new();
    let mut errors = Vec::new();
    if !logs.is_empty() {
        cfg.profile = true;
        let mut terminal = args.read.terminal();
        let outcome = run::run_from(&cfg, Start::Fresh, &mut terminal)?;
        terminal.done();
        errors.extend(outcome.errors.iter().map(ToString::to_string));
        // A profile of no line would be taken by every part for the job's: no site, no
        // shares, every figure changed, and the good profile at `-o` gone.
        if outcome.read_nothing() {
            return Ok(nothing_written(&errors, "profile"));
        }
        let provenance = outcome.provenance();
        let state = outcome.state;
        profiles.push(Profile {
            facts: state.facts,
            facts_from: state.ledger.span().map(|(start, _)| start),
            shares: state.shares,
            keys: state.keys,
            provenance,
        });
    }
    for (name, s) in read_saved(&saved)? {
        s.check(&settings, &name)?;
        match s.content {
            Content::Profile(p) => profiles.push(*p),
            Content::State { .. } => {
                return Err(StateError::Kind { path: name, found: "state", wanted: "profile" }.into())
            }
        }
    }
    let profile = profiles.into_iter().reduce(Profile::merge).expect("a path was given");
    // Profiles of one log under two names (a copy beside it, a file and its .gz): every
    // line of it would be read twice by the job, its visits counted twice.
    let same = profile.provenance.same_logs();
    if !same.is_empty() {
        for (a, b, shared) in same {
            eprintln!("darklog: {b}: the same log as {a} ({shared}): the job would read it twice");
        }
        eprintln!("darklog: no profile written: leave one of each out of the job's inputs");
        return Ok(Status::Partial);
    }
    args.out.write(&Saved {
        written_by: written_by(),
        settings,
        content: Content::Profile(Box::new(profile)),
    })?;
    for e in &errors {
        eprintln!("darklog: {}", crate::report::table::printable(e));
    }
    Ok(if errors.is_empty() { Status::Ok } else { Status::Partial })
}
