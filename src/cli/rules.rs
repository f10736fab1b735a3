//! `darklog rules`: the built-in rules, in the order they are evaluated, and the data
//! tables they read.

use std::io::{self, Write};

use clap::Args;

use super::{Error, Status};
use crate::classify::{Reason, ALL_TABLES};

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print only this table (parameters.tsv, referrers.tsv, user_agents.tsv, fronts.tsv,
    /// assets.tsv), as it is embedded: tab-separated, comments included.
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
}

pub fn run(args: RulesArgs) -> Result<Status, Error> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let written = match &args.table {
        Some(name) => match ALL_TABLES
            .iter()
            .find(|t| t.name == name || t.name.trim_end_matches(".tsv") == name)
        {
            Some(t) => out.write_all(t.text.as_bytes()),
            None => {
                let names: Vec<&str> = ALL_TABLES.iter().map(|t| t.name).collect();
                return Err(super::usage_error(format!("no table '{name}' (tables: {})", names.join(", "))));
            }
        },
        None => write_all(&mut out),
    };
    match written.and_then(|_| out.flush()) {
        Ok(()) => Ok(Status::Ok),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Status::Ok),
        Err(e) => Err(Error::Write(e)),
    }
}

fn write_all(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Before any rule: bots and link-preview fetchers (user_agents.tsv) are not visits;")?;
    writeln!(out, "browsers that ask for robots.txt or read faster than anyone can are scrapers.")?;
    writeln!(out, "Evidence: where the site's browsers visibly load assets (the first lines of the logs")?;
    writeln!(out, "say so), a visit that loads no asset is unconfirmed: not counted as a reader")?;
    writeln!(out, "(`require_browser_evidence = false` in a rules file counts it). Readers whose assets")?;
    writeln!(out, "were all cached are estimated: r, the asset-less share of visits an external referrer")?;
    writeln!(out, "decided (200 of them at least), gives min(unconfirmed no-referrer deep landings,")?;
    writeln!(out, "dark social with evidence x r / (1 - r)).")?;
    writeln!(out, "What is a page: assets.tsv (assets, feeds, downloads); and paths under a prefix the")?;
    writeln!(out, "site's pages fetch as they load and never link to, learned from the logs.")?;
    writeln!(out)?;
    writeln!(out, "Then the first rule that applies to a visit's landing decides its channel:")?;
    for (i, reason) in Reason::ORDER.iter().enumerate() {
        writeln!(out, "{:>3}. {:<20} {}", i + 1, reason.id(), reason.description())?;
    }
    for t in ALL_TABLES {
        let rows = t.text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).count();
        writeln!(out, "\n== {} ({rows} rows; `darklog rules --table {}` prints it whole)", t.name, t.name)?;
        for line in t.text.lines().filter(|l| !l.is_empty() && !l.starts_with("# ---") && !l.starts_with('#'))
        {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
