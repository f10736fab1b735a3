//! Where each input of an incremental run (`--state`) is read from: known by its first
//! bytes whatever it is called now, a log that grew is read from where the last run
//! stopped, a rotation already read whole is not opened, a new log is read whole.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::fold::InputCounts;
use super::saved::{head_digest, InputMark, HEAD};
use super::sniff::Sniffed;
use crate::input::{InputError, Source};

/// How much earlier than the newest log's last line a log's may end and still be taken
/// for a log being written (a quiet server's, or one that writes a little late).
const LIVE_WITHIN: i64 = 300;

/// Where to read one input from.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The mark it matched, if any.
    pub mark: Option<usize>,
    /// Its reading broke at the last run: read on now from where it broke.
    pub after_break: bool,
    /// Decoded bytes already read (skipped) and lines already counted.
    pub offset: u64,
    pub lines: u64,
    /// The time of its last line read.
    pub last_time: Option<i64>,
    /// Read whole before and unchanged since (a compressed rotation): not opened.
    pub done: bool,
    /// Decoded bytes handed on by this run, through its last whole line.
    pub consumed: Arc<AtomicU64>,
}

/// Matches each input with what the state knows of it; the notices say what is unusual.
pub fn plan(sniffed: &[Sniffed], marks: &[InputMark], notices: &mut Vec<String>) -> Vec<Plan> {
    sniffed
        .iter()
        .map(|s| {
            if s.source.is_stream() {
                return Plan::default();
            }
            // The longest head that matches: a log first read when it was short is known by
            // fewer bytes.
            let found =
                (0..marks.len()).filter(|&i| marks[i].matches(&s.head)).max_by_key(|&i| marks[i].head_len);
            let Some(i) = found else { return Plan::default() };
            let m = &marks[i];
            let size = match &s.source {
                Source::File(p) if s.compression.is_none() => std::fs::metadata(p).ok().map(|md| md.len()),
                _ => None,
            };
            // Shorter than what was read of it, with the same start: an earlier copy put back.
            // Every line in it was counted; read on when it grows past where it was.
            let shrank = size.is_some_and(|n| n < m.offset);
            if shrank {
                notices.push(format!(
                    "{}: shorter than the {} bytes read of it ({}) by the last run: nothing in it is \
                     new, not read until it grows past them",
                    s.source.name(),
                    m.offset,
                    m.name
                ));
            }
            let done =
                shrank || (!m.growing && !m.broken && s.compression.is_some()) || size == Some(m.offset);
            Plan {
                mark: Some(i),
                after_break: m.broken,
                offset: m.offset,
                lines: m.lines,
                last_time: m.last_time,
                done,
                consumed: Arc::default(),
            }
        })
        .collect()
}

/// The marks after the run: the inputs read (where they got to; `broken`: which broke),
/// then the earlier marks no input matched (kept: a log missing from one run is not read
/// twice when it comes back), without those whose last line is older than `forget_before`.
pub fn marks_after(
    sniffed: &[Sniffed],
    plans: &[Plan],
    counts: &[InputCounts],
    broken: &[bool],
    before: &[InputMark],
    forget_before: Option<i64>,
) -> Vec<InputMark> {
    let mut marks = Vec::new();
    // The logs still written to are the ones whose last line is about as late as any: a
    // rotation ends where the next log begins.
    let last = |p: &Plan, c: &InputCounts| c.last_time.or(p.last_time);
    let newest = plans.iter().zip(counts).filter_map(|(p, c)| last(p, c)).max();
    for (((s, p), c), &broken) in sniffed.iter().zip(plans).zip(counts).zip(broken) {
        if s.source.is_stream() {
            continue;
        }
        let old = p.mark.map(|i| &before[i]);
        let n = s.head.len().min(HEAD);
        marks.push(InputMark {
            name: s.source.name(),
            head_len: n as u32,
            head: head_digest(&s.head[..n]),
            offset: p.offset + p.consumed.load(Ordering::Relaxed),
            lines: p.lines + c.lines,
            last_time: c.last_time.or(old.and_then(|m| m.last_time)),
            growing: s.compression.is_none(),
            // Renamed since the last run (logrotate's own sign), or ending minutes before
            // the newest log, it is a rotation, no longer written: gone later, it lost
            // nothing.
            // A log older than the state (no line of it in order, only lines out of order:
            // a stray copy) is not being written either.
            live: s.compression.is_none()
                && !(c.last_time.is_none() && c.out_of_order > 0)
                && old.is_none_or(|m| m.name == s.source.name())
                && last(p, c).zip(newest).is_none_or(|(t, n)| t >= n - LIVE_WITHIN),
            broken,
        });
    }
    let matched: Vec<usize> = plans.iter().filter_map(|p| p.mark).collect();
    let kept = before.iter().enumerate().filter(|(i, m)| {
        !matched.contains(i) && forget_before.is_none_or(|t| m.last_time.is_none_or(|l| l >= t))
    });
    // Said once (see `vanished`): a log gone is not still written to.
    marks.extend(kept.map(|(_, m)| InputMark { growing: false, live: false, ..m.clone() }));
    marks
}

/// The logs that may have grown since the last run and are gone: lines written to them
/// after it were not read.
pub fn vanished(plans: &[Plan], before: &[InputMark]) -> Vec<InputError> {
    let matched: Vec<usize> = plans.iter().filter_map(|p| p.mark).collect();
    before
        .iter()
        .enumerate()
        .filter(|(i, m)| m.live && !matched.contains(i))
        .map(|(_, m)| InputError::Vanished { path: m.name.clone(), lines: m.lines })
        .collect()
}

/// Inputs of a run on a state that look like another site's logs than the state was made
/// from (a crontab naming the wrong state), when the state knows none of them: read on,
/// the state's site would stand for these logs' (exit 2, said under `-q` too). With
/// `--site`, or where a log the state read goes on, the site is the user's word.
pub fn other_site(
    sniffed: &[Sniffed],
    plans: &[Plan],
    facts: &crate::classify::SiteFacts,
    rules: &crate::classify::Rules,
    inferred: bool,
) -> Vec<InputError> {
    if !inferred || plans.iter().any(|p| p.mark.is_some()) {
        return Vec::new();
    }
    super::other_site::other_sites(sniffed, facts, rules)
        .into_iter()
        .map(|o| InputError::OtherSite {
            path: sniffed[o.input].source.name(),
            host: o.host,
            times: o.times,
            site: facts.site_hosts.join(", "),
        })
        .collect()
}

/// A compressed log whole but shorter than what the last run read of it holds nothing new:
/// said, as a plain log that shrank is, and no error.
pub fn said_if_nothing_new(e: InputError, observer: &mut dyn super::Observer) -> Option<InputError> {
    if let InputError::WholeButShorter { .. } = e {
        observer.notice(e.to_string());
        return None;
    }
    Some(e)
}

/// How recently a cut compressed log must have been written to be taken for one still
/// being compressed.
const STILL_WRITTEN_WITHIN: std::time::Duration = std::time::Duration::from_secs(600);

/// The compressed input cut short that the state must not be saved past, if any: one
/// written to minutes ago (perhaps still being compressed) whose unread lines are older
/// than lines this run read of another log (by more than the lateness window). Saved past
/// them, the state would count them out of order next time, or not at all; held, the next
/// run reads them in order. A log cut long ago, or that nothing was read past, is read on
/// from where it broke instead: holding for it could hold the state back for good.
pub fn held_by(
    cfg: &super::AnalyzeConfig,
    sniffed: &[Sniffed],
    plans: &[Plan],
    counts: &[InputCounts],
    errors: &[InputError],
) -> Option<String> {
    // Only a saved state is held back: a run without one has nothing to hold.
    if !cfg.incremental {
        return None;
    }
    let lateness = cfg.session.lateness;
    let cut: Vec<&str> = errors.iter().filter_map(InputError::cut_short).collect();
    (0..sniffed.len()).find_map(|i| {
        let name = sniffed[i].source.name();
        if !cut.contains(&name.as_str()) {
            return None;
        }
        let fresh = match &sniffed[i].source {
            Source::File(p) => std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().map_or(true, |age| age < STILL_WRITTEN_WITHIN)),
            Source::Stdin => false,
        };
        let last = counts[i].last_time.or(plans[i].last_time);
        let others = (0..counts.len()).filter(|&j| j != i).filter_map(|j| counts[j].last_time).max();
        let read_past = match (last, others) {
            (Some(l), Some(o)) => o > l.saturating_add(lateness),
            (None, Some(_)) => true,
            _ => false,
        };
        (fresh && read_past).then_some(name)
    })
}
