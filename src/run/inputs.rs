//! A run's inputs before they are read: each one's start sampled, the same log given
//! twice left out, and how each is opened when the reader reaches it.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use super::read::{Opened, ToRead};
use super::{resume, sniff, sort, AnalyzeConfig, Observer};
use crate::classify::{Rules, TableError};
use crate::input::{self, Compression, Input, InputError, Source};
use crate::parse::Format;
use crate::report::InputSummary;

/// The rules a run reads with: the built-in tables, a rules file's rows and `--front`s.
pub fn rules(cfg: &AnalyzeConfig) -> Result<Rules, TableError> {
    let mut rules = Rules::builtin()?;
    if let Some(o) = &cfg.overrides {
        rules = rules.apply(o)?;
    }
    for f in &cfg.fronts {
        rules.paths.add_front(f);
    }
    Ok(rules)
}

/// A run's rules, built on a thread of their own while its inputs are sniffed, which needs
/// none of them: building them is a millisecond and more of a run's start (most of it
/// the first touches of fresh memory) with the other core idle.
pub(super) struct RulesBeside<'s> {
    building: Option<std::thread::ScopedJoinHandle<'s, Result<Rules, TableError>>>,
    cfg: &'s AnalyzeConfig,
}

impl<'s> RulesBeside<'s> {
    pub fn build(scope: &'s std::thread::Scope<'s, '_>, cfg: &'s AnalyzeConfig) -> RulesBeside<'s> {
        let thread = std::thread::Builder::new().name("darklog-rules".into());
        // No thread to spare: they are built when asked for.
        RulesBeside { building: thread.spawn_scoped(scope, || rules(cfg)).ok(), cfg }
    }

    pub fn get(self) -> Result<Rules, TableError> {
        match self.building {
            Some(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => rules(self.cfg),
        }
    }
}

/// Notices held back, to be told later in the order they came.
#[derive(Default)]
pub(super) struct HeldNotices(Vec<String>);

impl Observer for HeldNotices {
    fn notice(&mut self, message: String) {
        self.0.push(message);
    }
}

impl HeldNotices {
    pub fn tell(self, observer: &mut dyn Observer) {
        self.0.into_iter().for_each(|n| observer.notice(n));
    }
}

/// How to read a sniffed input: the file again, what stdin still holds, or the input
/// sorted by time.
pub(super) fn to_read(
    s: &sniff::Sniffed,
    sorted: Option<&sort::Sorted>,
    stdin: Option<sniff::Reopened>,
    sortable: bool,
    plan: &resume::Plan,
    incremental: bool,
    map: bool,
) -> ToRead {
    let (source, name) = match sorted {
        Some(file) => {
            (Source::File(file.path().to_path_buf()), format!("{} (sorted by time)", s.source.name()))
        }
        None => (s.source.clone(), s.source.name()),
    };
    let rereadable = sorted.is_none() && sortable;
    let opener: Box<dyn FnOnce() -> Result<Opened, InputError> + Send> = match stdin {
        Some(r) if sorted.is_none() => Box::new(move || Ok(Opened::read(r.reader, r.prelude, r.raw_bytes))),
        _ if plan.done => {
            Box::new(move || Ok(Opened::read(Box::new(std::io::empty()), Vec::new(), Arc::default())))
        }
        _ => {
            let (offset, consumed) = (plan.offset, plan.consumed.clone());
            // A plain file may still be written to: its last line, if not yet whole, is left
            // for the next run. A compressed one is whole, but where it breaks (cut short
            // while written) its cut line is read whole by the next run.
            let tail = match (incremental, s.compression) {
                (false, _) => input::Tail::Pass,
                (true, None) => input::Tail::AtEnd,
                (true, Some(_)) => input::Tail::AtBreak,
            };
            let hold_tail = tail == input::Tail::AtEnd;
            let mappable = map && s.compression.is_none();
            Box::new(move || {
                let raw = Arc::new(AtomicU64::new(0));
                if let (true, Source::File(path)) = (mappable, &source) {
                    if let Some(mapped) = input::map_at(path, offset, hold_tail, &raw, &consumed) {
                        return Ok(Opened { feed: input::Feed::Mapped(mapped), raw });
                    }
                }
                let o = input::open_at(&source, raw.clone(), offset)?;
                let reader = Box::new(input::WholeLines::new(o.reader, tail, consumed));
                Ok(Opened::read(reader, Vec::new(), raw))
            })
        }
    };
    // A log read from where a run stopped starts at that run's last time.
    let first_time = match plan.mark {
        Some(_) => s.first_time.max(plan.last_time),
        None => s.first_time,
    };
    ToRead {
        name,
        first_line: plan.lines,
        format: s.format.clone(),
        judge_agents: s.judge_agents,
        first_time,
        rereadable,
        opener,
    }
}

/// Whether `input` reads as a log with the run's layouts. A file found beside the logs
/// that does not (a report an earlier run wrote there) may be replaced by `-o`.
pub fn is_log(input: &Input, cfg: &AnalyzeConfig) -> bool {
    let sniffed =
        sniff::sniff(input, cfg.format.as_ref(), &cfg.format_options, cfg.client_ip.as_ref(), cfg.keyed);
    !matches!(sniffed, Err(InputError::NotALog { .. }))
}

/// Samples the start of every input (see [`sniff::sniff`]), in order, and says which
/// format each was detected in. Inputs found in a directory that are no log are skipped
/// with a notice; the others that cannot be read are in `errors`, and their summaries in
/// the second list.
pub(super) fn sniff_all(
    inputs: &[Input],
    cfg: &AnalyzeConfig,
    errors: &mut Vec<InputError>,
    observer: &mut dyn Observer,
) -> (Vec<sniff::Sniffed>, Vec<InputSummary>) {
    let mut sniffed = Vec::new();
    let mut unread = Vec::new();
    let mut formats_said: Vec<String> = Vec::new();
    // Said once for all the inputs they hold for: a rotated set of the same layout would
    // otherwise repeat each word once a file.
    let mut notices = Vec::new();
    // The directories whose files were skipped as no log, and those that held anything
    // else: a directory of nothing but such files is an error, as an empty one is.
    let (mut skipped_in, mut read_in) = (Vec::new(), Vec::new());
    let dir_of = |input: &Input| match &input.source {
        Source::File(p) if input.listed => p.parent().map(std::path::Path::to_path_buf),
        _ => None,
    };
    for input in inputs {
        let source = &input.source;
        match sniff::sniff(input, cfg.format.as_ref(), &cfg.format_options, cfg.client_ip.as_ref(), cfg.keyed)
        {
            Ok(mut s) => {
                let name = s.format.name();
                if let Some(n) = s.detected_from.filter(|&n| n > 0) {
                    if !formats_said.contains(&name) {
                        observer.notice(format!(
                            "log format: {name} (detected from {n} line{} of {}; --log-format to choose)",
                            if n == 1 { "" } else { "s" },
                            source.name()
                        ));
                        formats_said.push(name);
                    }
                }
                notices.append(&mut s.notices);
                sniffed.push(s);
            }
            Err(InputError::NotALog { path, why }) if input.listed => {
                observer.notice(format!("{path}: skipped, not an access log: {why}"));
                skipped_in.extend(dir_of(input));
                continue;
            }
            Err(e) => {
                unread.push(summary(source, None, None, Some(&e)));
                errors.push(e);
            }
        }
        read_in.extend(dir_of(input));
    }
    for n in crate::report::group_caveats(&notices) {
        observer.notice(n);
    }
    // Alone, such a directory leaves nothing to read, which says the same.
    if !sniffed.is_empty() {
        skipped_in.dedup();
        let no_log = skipped_in.into_iter().filter(|d| !read_in.contains(d));
        errors.extend(no_log.map(|d| InputError::NoLogInDir { path: d.display().to_string() }));
    }
    (sniffed, unread)
}

/// Leaves out the inputs that are another input again (see [`input::same_logs`]), saying
/// which and why.
pub(super) fn drop_same_logs(sniffed: &mut Vec<sniff::Sniffed>, observer: &mut dyn Observer) {
    let prints: Vec<input::Fingerprint> = sniffed.iter().map(|s| s.fingerprint.clone()).collect();
    let same = input::same_logs(&prints, |i| input::decoded_len(&sniffed[i].source));
    for s in same.iter() {
        let (dropped, kept) = (sniffed[s.dropped].source.name(), sniffed[s.kept].source.name());
        let k = input::HEAD_BYTES / 1024;
        let why = if s.identical {
            format!("the same log as {kept} (the same first {k} KiB and the same length)")
        } else if sniffed[s.kept].fingerprint.stream {
            format!("the same first {k} KiB as {kept}, a stream, read as it comes")
        } else {
            format!("the start of {kept} (the same first {k} KiB; {kept} is longer)")
        };
        observer.notice(format!("{dropped}: {why}: read once, as {kept}"));
    }
    let mut index = 0;
    sniffed.retain(|_| {
        index += 1;
        !same.iter().any(|s| s.dropped == index - 1)
    });
}

pub(super) fn summary(
    source: &Source,
    format: Option<&Format>,
    compression: Option<Compression>,
    error: Option<&InputError>,
) -> InputSummary {
    InputSummary {
        name: source.name(),
        format: format.map(|f| f.name().to_string()),
        gzip: compression == Some(Compression::Gzip),
        compression: compression.map(Compression::name),
        lines: 0,
        malformed: 0,
        error: error.map(|e| e.to_string()),
    }
}

/// Malformed lines are counted, never an error (but a log none of whose lines is in the
/// layout named is in none: exit 2); a fifth of a log or more is worth a word:
/// a log that changed layout part-way, or was read in the wrong one.
pub(super) fn mostly_malformed(sniffed: &[sniff::Sniffed], read: &super::read::ReadAll) -> Vec<String> {
    let mut notices = Vec::new();
    for (s, r) in sniffed.iter().zip(&read.inputs) {
        let c = r.counts;
        if misfit(s, &c).is_some() || s.malformed_said {
            continue;
        }
        // A fifth: half a log in another layout is not "mostly", but is worth the word
        // (in a short file too, but one broken line in five is no pattern).
        // Blank lines are malformed, but no sign of another layout, nor lines of one.
        let (other, lines) = (c.malformed - c.blank, c.lines - c.blank);
        if (lines >= 20 || other >= 2) && other * 5 >= lines {
            notices.push(format!(
                "{}: {} of its {} lines are not in the {} layout and were counted malformed (-v \
                 shows the first): if the log changed layout part-way, split it where the first \
                 malformed line is and give each part its layout with --log-format",
                s.source.name(),
                crate::report::thousands(other),
                crate::report::thousands(lines),
                s.format.name()
            ));
        }
    }
    notices
}

/// The error of an input none of whose lines is in the layout `--log-format` names.
pub(super) fn misfit(s: &sniff::Sniffed, c: &super::fold::InputCounts) -> Option<InputError> {
    let m = s.misfit.as_ref().filter(|_| c.lines > 0 && c.malformed == c.lines)?;
    Some(InputError::WrongFormat {
        path: s.source.name(),
        layout: m.layout.clone(),
        lines: crate::report::thousands(c.lines),
        hint: m.hint.clone(),
    })
}

/// Drops the run's own files (`skip`: its state, lock, report) from `inputs`, found in a
/// directory or named by a glob (`access.log*` catches `access.log.state`): never logs,
/// and a cron line that names them must not fail. Named, they get a notice.
pub(super) fn skip_own(inputs: &mut Vec<Input>, skip: &[std::path::PathBuf], observer: &mut dyn Observer) {
    let skip: Vec<_> = skip.iter().filter_map(|p| Source::File(p.clone()).id()).collect();
    inputs.retain(|i| {
        let own = i.source.id().is_some_and(|id| skip.contains(&id));
        if own && !i.listed {
            observer.notice(format!(
                "{}: a file of darklog's (this run's state, lock or report, or an earlier report): not read as a log",
                i.source.name()
            ));
        }
        !own
    });
}
