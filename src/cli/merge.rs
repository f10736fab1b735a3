//! `darklog merge`: the report of a job from the states of its parts (`darklog partial`),
//! as files or as `--line` lines on stdin: what `analyze` prints over the same inputs.

use std::path::PathBuf;

use clap::Args;

use super::common::{ReadArgs, ReportArgs};
use super::saved::read_saved;
use super::window::WindowArgs;
use super::{Error, Status};
use crate::classify::HostCache;
use crate::report::{Report, ReportKind};
use crate::run::saved::{Content, StateError};
use crate::run::{self, RunState};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// State files, or - for states as lines on stdin (`partial --line`).
    #[arg(required = true, value_name = "STATE")]
    states: Vec<PathBuf>,

    #[command(flatten)]
    report: ReportArgs,

    #[command(flatten)]
    window: WindowArgs,

    /// The reading flags the parts were made with (their rules, visitor key, zone…): a
    /// state made otherwise is refused.
    #[command(flatten)]
    read: ReadArgs,
}

pub fn run(args: MergeArgs) -> Result<Status, Error> {
    // The page is every aggregate report, whatever --report says (as for `analyze`).
    if args.report.report == ReportKind::Visits && args.report.format != super::common::Format::Html {
        return Err(super::usage_error(
            "states keep no visit rows: write them with `darklog partial --visits FORMAT`".into(),
        ));
    }
    let windows = args.window.resolve(&args.read.format.zone())?;
    let output = args.report.open_output(&args.states)?;
    let cfg = args.read.config(&[], &windows, false)?;
    let settings = args.read.settings(&cfg)?;
    let rules = run::rules(&cfg).map_err(run::RunError::from)?;
    let mut merged: Option<RunState> = None;
    let mut met = Vec::new();
    let mut shared = 0;
    let mut provenance = crate::run::saved::Provenance::default();
    let all = read_saved(&args.states)?;
    refuse_duplicates(&all)?;
    let parts: Vec<String> = all.iter().map(|(name, _)| name.clone()).collect();
    for (name, saved) in all {
        saved.check(&settings, &name)?;
        let Content::State { run: state, window, provenance: said, .. } = saved.content else {
            return Err(StateError::Kind { path: name, found: "profile", wanted: "state" }.into());
        };
        refuse_narrower(&name, window, &windows)?;
        provenance.add(said);
        match &mut merged {
            None => merged = Some(*state),
            Some(m) => {
                if m.facts != state.facts || m.keys != state.keys {
                    return Err(StateError::Settings {
                        path: name,
                        differences: vec!["made with another profile: the parts of a job share one".into()],
                    }
                    .into());
                }
                shared += m.sessions.meets(&state.sessions);
                met.extend(m.merge(*state));
            }
        }
    }
    // Empty input (a job whose partitions all were empty gives no state line) is no state.
    let Some(mut state) = merged else {
        return Err(StateError::NoState { path: "standard input".into() }.into());
    };
    let mut hosts = HostCache::default();
    // Parts split by visitor never hold the same visitor; parts split otherwise do, and
    // their visits are joined and counted here, but visits they closed apart were cut:
    // the figures are not one run's, and the exit code says so.
    // What the job's inputs said, as `analyze` over them says it: every part carries its
    // profile's word, once here.
    let mut errors = provenance.errors.clone();
    if !met.is_empty() {
        errors.push(format!(
            "{} visitors were open in more than one part (their open visits are joined here): the \
             parts were not split by visitor (or overlap), so the visits they closed apart are cut \
             and counted twice; split the lines with `darklog key`",
            met.len()
        ));
    } else if shared > 0 {
        // Split by time (rotated files given to different parts): the visits across a cut
        // were closed apart, and no visitor is open in two parts at their ends.
        errors.push(format!(
            "{shared} of the visitors sampled are in more than one part: the parts were not split \
             by visitor (by time, file or lines), so visits across their cuts are counted twice; \
             split the lines with `darklog key`"
        ));
    }
    state.count_closed(met, &rules, &mut hosts);
    state.finish(&rules, &mut hosts, None);
    for t in windows.edges() {
        if !state.ledger.can_cut_at(t) {
            return Err(super::usage_error(format!(
                "the parts were not cut at {}: give `partial` the same window flags",
                crate::time::format_rfc3339(t)
            )));
        }
    }
    let mut report =
        Report::of(&state.ledger, windows.current.since, windows.current.until, windows.previous);
    report.site_hosts = state.facts.site_hosts.clone();
    report.evidence = crate::classify::Classifier::new(&rules, &state.facts).evidence();
    report.top = args.report.top;
    report.rules_file = args.read.rules.as_ref().map(|p| p.display().to_string());
    super::analyze::tell(&mut report, &args.read, &cfg, &provenance, &state.facts);
    // A merge reads no logs, so the page has no inputs table: it names its parts instead.
    report.made_with.push(("Merged from", merged_from(&parts)));
    args.report.render(&mut report, output, &windows, &errors, args.read.quiet)
}

/// `3 parts: a.state, b.state, c.state`; a job of hundreds names its first ten, and
/// parts given as lines on stdin are counted, not named one by one.
fn merged_from(parts: &[String]) -> String {
    const NAMED: usize = 10;
    let lines = parts.iter().filter(|p| p.starts_with("standard input, line ")).count();
    let files: Vec<&String> = parts.iter().filter(|p| !p.starts_with("standard input, line ")).collect();
    let mut named: Vec<String> = files.iter().take(NAMED).map(|f| f.to_string()).collect();
    if files.len() > NAMED {
        named.push(format!("{} more files", files.len() - NAMED));
    }
    if lines > 0 {
        named.push(format!("{lines} line{} on standard input", if lines == 1 { "" } else { "s" }));
    }
    let n = parts.len();
    format!("{n} part{}: {}", if n == 1 { "" } else { "s" }, named.join(", "))
}

/// A part read for a window (`partial --day …`) counted nothing outside it: a report
/// reaching past it would come out short, silently. A usage error (exit 1) then.
fn refuse_narrower(
    name: &str,
    part: Option<(Option<i64>, Option<i64>)>,
    asked: &super::window::Windows,
) -> Result<(), Error> {
    let Some((since, until)) = part else { return Ok(()) };
    let span = asked.span();
    let starts_inside = since.is_none_or(|s| span.since.is_some_and(|a| a >= s));
    let ends_inside = until.is_none_or(|u| span.until.is_some_and(|a| a <= u));
    if starts_inside && ends_inside {
        return Ok(());
    }
    let show = |t: Option<i64>, open: &str| t.map_or(open.to_string(), crate::time::format_rfc3339);
    Err(super::usage_error(format!(
        "{name} was read for [{}, {}) only (partial's window flags): a report past it would miss \
         what the part did not count; give merge a window inside it, or partial none",
        show(since, "the start"),
        show(until, "the end")
    )))
}

/// Parts of one job never hold the same visitor twice (keyed by visitor) nor the same
/// lines (split by file or time), so two equal parts that hold any visitor are one part
/// given twice: a copy under another name, a partition retried and both kept. Equal parts
/// with no visitor (a partition of only malformed lines) can be two, and are let be.
fn refuse_duplicates(all: &[(String, crate::run::saved::Saved)]) -> Result<(), StateError> {
    let states: Vec<(&String, &RunState)> = all
        .iter()
        .filter_map(|(name, saved)| match &saved.content {
            Content::State { run, .. } if run.sessions.active() > 0 => Some((name, &**run)),
            _ => None,
        })
        .collect();
    for (j, (name, state)) in states.iter().enumerate() {
        // Unequal parts differ in their open visitors: compared first, most comparisons end
        // there (the whole state compares the site facts, which every part shares, first).
        let same = |earlier: &RunState| earlier.sessions == state.sessions && earlier == *state;
        if let Some((first, _)) = states[..j].iter().find(|(_, earlier)| same(earlier)) {
            return Err(StateError::Duplicate { path: (*name).clone(), first: (*first).clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::merged_from;

    #[test]
    fn a_merge_names_its_parts_and_counts_the_rest() {
        let files: Vec<String> = (0..12).map(|i| format!("p{i}.state")).collect();
        assert_eq!(merged_from(&files[..1]), "1 part: p0.state");
        let mut many = files.clone();
        many.push("standard input, line 1".into());
        assert_eq!(
            merged_from(&many),
            "13 parts: p0.state, p1.state, p2.state, p3.state, p4.state, p5.state, p6.state, p7.state, \
             p8.state, p9.state, 2 more files, 1 line on standard input"
        );
    }
}
