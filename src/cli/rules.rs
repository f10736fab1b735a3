//! `darklog rules`: the built-in rules, in the order they are evaluated, the lists and
//! tables they read (where each comes from, under which licence, at which commit), and
//! darklog's own tables row by row.

use std::io::{self, Write};

use clap::Args;

use super::{Error, Status};
use crate::classify::{Reason, TableSource, ALL_TABLES};

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print only this table (parameters.tsv, referrers.tsv, email_paid.tsv, matomo.tsv,
    /// fediverse.tsv, user_agents.tsv, crawlers.tsv, marks.tsv, fronts.tsv, assets.tsv), as it is
    /// embedded: tab-separated, comments included.
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

/// What a table's header says of it (`# list:`, `# source:`…), and its rows.
struct About<'a> {
    rows: usize,
    list: &'a str,
    source: &'a str,
    licence: &'a str,
    commit: &'a str,
    generated: bool,
    /// The header's counts (`# patterns: 1498`), for generated lists.
    counts: Vec<&'a str>,
}

impl<'a> About<'a> {
    fn of(t: &'a TableSource) -> About<'a> {
        let header: Vec<&str> = t.text.lines().take_while(|l| l.starts_with('#')).collect();
        let field = |key: &str| {
            header.iter().find_map(|l| l.strip_prefix("# ")?.strip_prefix(key)?.strip_prefix(": "))
        };
        let generated = header.iter().any(|l| l.contains("GENERATED"));
        let counts = if generated {
            let known = ["list", "source", "commit", "licence"];
            header
                .iter()
                .filter_map(|l| l.strip_prefix("# "))
                .filter(|l| {
                    l.rsplit_once(": ").is_some_and(|(k, v)| {
                        !known.contains(&k) && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        About {
            rows: t.text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).count(),
            list: field("list").unwrap_or("darklog"),
            source: field("source").unwrap_or("hand-written for darklog"),
            licence: field("licence").unwrap_or("MIT OR Apache-2.0 (darklog's own)"),
            commit: field("commit").unwrap_or("-"),
            generated,
            counts,
        }
    }
}

fn write_all(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Before any rule, bots and link-preview fetchers are not visits: darklog's own")?;
    writeln!(out, "user-agent rows decide first (user_agents.tsv), then the crawler list (crawlers.tsv),")?;
    writeln!(out, "then marks (marks.tsv): a program's words, else a person's browser or device; an agent")?;
    writeln!(out, "with neither is a program, and so is none sent (`-`) in a log whose lines carry agents.")?;
    writeln!(out, "Browsers that ask for robots.txt or read faster than anyone can are scrapers.")?;
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
    writeln!(out, "\nReferrer hosts are looked up in referrers.tsv, then email_paid.tsv, then matomo.tsv,")?;
    writeln!(out, "then fediverse.tsv: darklog's own rows override the lists, and the fediverse's naming")?;
    writeln!(out, "conventions catch the servers the lists do not name.")?;

    writeln!(out, "\nTables and lists (`darklog rules --table NAME` prints one whole):")?;
    for t in ALL_TABLES {
        let a = About::of(&t);
        writeln!(out, "  {:<16} {:>5} rows  {}", t.name, a.rows, a.list)?;
        writeln!(out, "  {:<16}        source:  {}", "", a.source)?;
        writeln!(out, "  {:<16}        licence: {}", "", a.licence)?;
        if a.commit != "-" {
            writeln!(out, "  {:<16}        commit:  {}", "", a.commit)?;
        }
        for c in &a.counts {
            writeln!(out, "  {:<16}        {c}", "")?;
        }
    }
    for t in ALL_TABLES {
        let a = About::of(&t);
        if a.generated {
            continue;
        }
        writeln!(
            out,
            "\n== {} ({} rows; `darklog rules --table {}` prints it whole)",
            t.name, a.rows, t.name
        )?;
        for line in t.text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
