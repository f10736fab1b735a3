//! What a run starts from, what it gives back, and what it tells the user as it goes.

use super::{saved, RunState, VisitRows};
use crate::classify::TableError;
use crate::input::InputError;
use crate::report::InputSummary;

/// What a run starts from.
pub enum Start {
    /// Nothing: the site facts are learned from the first lines.
    Fresh,
    /// A saved state, and where it read each input to.
    Resume { state: Box<RunState>, marks: Vec<saved::InputMark> },
    /// A profile of the whole job this run reads a part of.
    Profiled(Box<saved::Profile>),
}

/// What a run produced.
pub struct Outcome {
    /// The state at the end, every visit closed and counted.
    pub state: RunState,
    /// The state before the open visits were closed, when asked for (`keep_open`).
    pub open: Option<RunState>,
    /// Where each input was read to (for `--state`).
    pub marks: Vec<saved::InputMark>,
    /// The rows of the visits report, in start order, when it was asked for.
    pub visits: Option<VisitRows>,
    /// Whether visits needed browser evidence to count as readers, and why not.
    pub evidence: crate::classify::Evidence,
    pub inputs: Vec<InputSummary>,
    pub errors: Vec<InputError>,
    /// What changes what the figures mean, for the report's page (see `Sniffed::caveats`).
    pub caveats: Vec<String>,
    /// Each log read, by name, with its content's digest (see `Fingerprint::digest`).
    pub logs: Vec<(String, String)>,
    /// The layouts detection found in the inputs' first lines, each once.
    pub found: Vec<String>,
    /// A compressed input cut short that the state must not be saved past (see
    /// `resume::held_by`), by name.
    pub held: Option<String>,
}

impl Outcome {
    /// What the inputs said, for a saved profile or part (see `saved::Provenance`).
    pub fn provenance(&self) -> saved::Provenance {
        saved::Provenance {
            caveats: self.caveats.clone(),
            errors: self.errors.iter().map(ToString::to_string).collect(),
            formats: self.found.clone(),
            logs: self.logs.clone(),
        }
    }

    /// Not one input could be read (or read as a log): what the run would write says "no
    /// visits" of a period that had them, and would replace last week's file with it.
    pub fn read_nothing(&self) -> bool {
        !self.errors.is_empty() && self.inputs.iter().all(|i| i.lines == i.malformed && i.error.is_some())
    }
}

/// Messages for the user as the run goes (format chosen, site inferred, malformed lines).
pub trait Observer: Send {
    fn notice(&mut self, message: String);
    /// Raw bytes consumed so far, out of `total` (when known).
    fn progress(&mut self, _done: u64, _total: Option<u64>) {}
}

pub type RunResult = Result<Outcome, RunError>;

/// What stops a run before it reads anything (input problems never do: they are
/// reported in [`Outcome::errors`]).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("built-in rule table is invalid: {0}")]
    Rules(#[from] TableError),
    #[error("cannot start parser threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error("cannot start the run's thread: {0}")]
    Thread(std::io::Error),
    #[error("writing: {0}")]
    Write(std::io::Error),
    #[error("reading keyed lines: {0}")]
    Keyed(std::io::Error),
    #[error(
        "{0}: a keyed job's logs share one layout (partial --keyed reads them as one log): key \
         each layout's logs as a job of its own"
    )]
    MixedLayouts(String),
}
