//! A run's state on disk: what `--state`, `partial` and `profile` write and `merge` reads.
//!
//! A file is a magic line, the format's version (four bytes, little-endian) and the
//! content, MessagePack with field names compressed with zstd. The content says what run
//! it belongs to ([`Settings`]): a state read by a run with other rules, another visitor
//! key, zone or settings would count some visits one way and the rest another, so it is
//! refused, naming the difference. A newer darklog that changes none of them reads it.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fold::RunState;
use crate::classify::{ShareLog, SiteFacts};
use crate::identity::KeyHasher;

/// The version of the content's layout; a file of another version is refused.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8] = b"darklog state\n";

/// Everything that changes how a line is read or a visit counted: two states merge, or a
/// state goes on, only between runs that agree on all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// A digest of every table and list, built in and from `--rules`, with `--site` and
    /// `--front`.
    pub rules: String,
    /// A digest of the visitor key, or `random` when none was given.
    pub visitor_key: String,
    pub zone: String,
    pub log_format: String,
    /// `log_format` as the flags are written, for messages (empty in older states).
    #[serde(default)]
    pub reading: String,
    pub session_timeout: i64,
    pub lateness: i64,
    pub share_window: i64,
    /// The bounds on keyed tables (`default`, or what tests set).
    pub bounds: String,
}

impl Settings {
    /// What differs, in words a user can act on (empty: they agree).
    pub fn differences(&self, run: &Settings) -> Vec<String> {
        let mut d = Vec::new();
        let mut differ = |what: &str, saved: &str, now: &str| {
            if saved != now {
                d.push(format!("{what} (saved: {saved}; this run: {now})"));
            }
        };
        differ(
            "the rules and lists (--rules, --site, --front, or another darklog's tables)",
            &self.rules,
            &run.rules,
        );
        differ("the visitor key (--visitor-key)", &self.visitor_key, &run.visitor_key);
        differ("the time zone (--tz)", &self.zone, &run.zone);
        // Compared as described, shown as the flags are written where that tells them apart.
        if self.log_format != run.log_format {
            let (saved, now) = if !self.reading.is_empty() && self.reading != run.reading {
                (&self.reading, &run.reading)
            } else {
                (&self.log_format, &run.log_format)
            };
            differ("how lines are read (--log-format, --client-ip and the flags beside them)", saved, now);
        }
        differ("the session timeout", &self.session_timeout.to_string(), &run.session_timeout.to_string());
        differ("the lateness", &self.lateness.to_string(), &run.lateness.to_string());
        differ("the share window", &self.share_window.to_string(), &run.share_window.to_string());
        differ("the bounds", &self.bounds, &run.bounds);
        d
    }
}

/// Where an input was read to, known by its content: the first bytes it had when first
/// read, which stay the same while it grows, is renamed (`access.log` → `access.log.1`)
/// or compressed (`access.log.2.gz`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputMark {
    /// Its name when last read, for messages.
    pub name: String,
    /// How many of its first decoded bytes `head` covers (up to [`HEAD`]).
    pub head_len: u32,
    pub head: u64,
    /// Decoded bytes read, through the last whole line.
    pub offset: u64,
    pub lines: u64,
    /// The time of its last line read.
    pub last_time: Option<i64>,
    /// It was a plain file, which may still grow: read on from `offset` when it comes back
    /// compressed.
    pub growing: bool,
    /// It looked written to (plain, under the name it had, and ending with the newest
    /// logs): gone at the next run, what was written to it after this one is lost, and
    /// that is an error. `false` in states written before darklog kept it.
    #[serde(default)]
    pub live: bool,
    /// Its reading broke (a truncated or damaged compressed file): the next run reads it
    /// again from `offset`, compressed or not, and says so again if it still breaks.
    #[serde(default)]
    pub broken: bool,
}

/// Bytes of an input's start that name it.
pub const HEAD: usize = 4096;

impl InputMark {
    /// Whether an input starting with `start` (its first decoded bytes, up to [`HEAD`])
    /// is this one.
    pub fn matches(&self, start: &[u8]) -> bool {
        let n = self.head_len as usize;
        start.len() >= n && head_digest(&start[..n]) == self.head
    }
}

pub fn head_digest(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = siphasher::sip::SipHasher13::new_with_keys(0x6865_6164, 0x6d61_726b);
    h.write(bytes);
    h.finish()
}

/// What the inputs of a job said that its report must say too, carried by its profile and
/// parts to `merge`, which reads no log: the caveats of their layouts, the inputs not read
/// whole, the layouts found, and what each log's content is known by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub caveats: Vec<String>,
    pub errors: Vec<String>,
    pub formats: Vec<String>,
    /// Each log read: its name and its content's digest (`Fingerprint::digest`).
    pub logs: Vec<(String, String)>,
}

impl Provenance {
    /// What both say, each thing once, in the order first said.
    pub fn add(&mut self, other: Provenance) {
        // A merge adds every part's, each holding the job's: one pass, not a search a word.
        fn union<T: Eq + std::hash::Hash + Clone>(into: &mut Vec<T>, from: Vec<T>) {
            let mut held: rustc_hash::FxHashSet<T> = into.iter().cloned().collect();
            for x in from {
                if held.insert(x.clone()) {
                    into.push(x);
                }
            }
        }
        union(&mut self.caveats, other.caveats);
        union(&mut self.errors, other.errors);
        union(&mut self.formats, other.formats);
        union(&mut self.logs, other.logs);
    }

    /// Logs under two names with one content (or, past 64 KiB, one the start of the
    /// other), which a job would read twice, and what they share: the first 64 KiB, or
    /// the whole of a shorter log. (Empty logs are never recorded: see `run_here`.)
    pub fn same_logs(&self) -> Vec<(&str, &str, &'static str)> {
        let mut first: rustc_hash::FxHashMap<&str, &str> = rustc_hash::FxHashMap::default();
        let mut same = Vec::new();
        for (name, digest) in &self.logs {
            match first.get(digest.as_str()) {
                Some(&earlier) if earlier != name => {
                    let whole = !digest.ends_with(&format!(":{}", crate::input::HEAD_BYTES));
                    let shared = if whole { "the same content" } else { "the same first 64 KiB" };
                    same.push((earlier, name.as_str(), shared));
                }
                Some(_) => {}
                None => {
                    first.insert(digest, name);
                }
            }
        }
        same
    }
}

/// What every partial of one job must agree on, from a pass over all its inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub facts: SiteFacts,
    /// When the lines the facts were learned from begin: of profiles of parts of a job,
    /// the earliest part's facts are the job's (a run learns them from its first lines).
    pub facts_from: Option<i64>,
    /// Every link-preview share of the job (capped), for the partials to attribute from.
    pub shares: ShareLog,
    /// The in-process visitor keys the partials share, so that their states merge.
    pub keys: KeyHasher,
    /// What its inputs said, for the report (`merge` reads no log).
    #[serde(default)]
    pub provenance: Provenance,
}

impl Profile {
    /// The profile of both parts of a job: every share of both, and the facts (and keys)
    /// of the part whose lines come first. In any order.
    pub fn merge(self, other: Profile) -> Profile {
        let earlier = |p: &Profile| (p.facts_from.is_none(), p.facts_from);
        let (mut first, second) =
            if earlier(&other) < earlier(&self) { (other, self) } else { (self, other) };
        first.shares.merge(second.shares);
        first.provenance.add(second.provenance);
        // The job's inputs carry agents if any file's do (each file profiled apart).
        first.facts.agents_logged |= second.facts.agents_logged;
        first
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Content {
    /// A run's state: `--state` (with where each input was read to) or `partial`.
    State {
        marks: Vec<InputMark>,
        run: Box<RunState>,
        /// What a `partial` read with window flags counted: `[since, until)`, `None` for
        /// open ends. Outside it, days hold nothing; `None`: every day it read.
        #[serde(default)]
        window: Option<(Option<i64>, Option<i64>)>,
        /// What the inputs of a `partial`'s job said (from its profile, and its own).
        #[serde(default)]
        provenance: Provenance,
    },
    Profile(Box<Profile>),
}

/// A file's whole content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// The darklog that wrote it, for messages.
    pub written_by: String,
    pub settings: Settings,
    pub content: Content,
}

/// Why a saved state cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: not a darklog state or profile")]
    NotAState { path: String },
    #[error("{path}: no state line to merge (a job whose every partition was empty has none)")]
    NoState { path: String },
    #[error("{path}: written in state format {found} (by darklog {written_by}); this darklog reads format {FORMAT_VERSION}: make it again with this darklog (a new state; the part or profile again)")]
    Version { path: String, found: u32, written_by: String },
    #[error("{path}: damaged, not read ({why}): restore it from a backup, or make it again (a state: start a new one; a part or profile: run partial or profile again)")]
    Damaged { path: String, why: String },
    #[error("{path}: made with other settings, refused: {}", .differences.join("; "))]
    Settings { path: String, differences: Vec<String> },
    #[error("{path}: is a {found}, not a {wanted}")]
    Kind { path: String, found: &'static str, wanted: &'static str },
    #[error(
        "{path}: the same part as {first} (a copy, or named twice): merging it would count its visits twice"
    )]
    Duplicate { path: String, first: String },
    #[error("{path}: another darklog run holds its lock ({lock}); try again when it is done")]
    Locked { path: String, lock: String },
}

impl Saved {
    pub fn encode(&self) -> Vec<u8> {
        let body = rmp_serde::to_vec_named(self).expect("a state always serializes");
        let mut out = Vec::with_capacity(body.len() / 3 + 32);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        // Level 3: the return filters are most of a state, and barely compress at any level.
        // With zstd's checksum of the content: a state damaged on disk (one bit flipped
        // in the return filter's megabytes) must be refused, not read and written on.
        let compressed = zstd::bulk::Compressor::new(3)
            .and_then(|mut c| {
                c.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))?;
                c.compress(&body)
            })
            .expect("compressing in memory cannot fail");
        out.extend_from_slice(&compressed);
        out
    }

    pub fn decode(bytes: &[u8], path: &str) -> Result<Saved, StateError> {
        let Some(rest) = bytes.strip_prefix(MAGIC) else {
            return Err(StateError::NotAState { path: path.into() });
        };
        let (version, body) = rest.split_at_checked(4).ok_or(StateError::NotAState { path: path.into() })?;
        let version = u32::from_le_bytes(version.try_into().expect("four bytes"));
        let damaged = |why: String| StateError::Damaged { path: path.into(), why };
        // In words of the file, not of the compression library's internals.
        let body = zstd::stream::decode_all(body).map_err(|e| {
            let said = e.to_string();
            damaged(if said.to_ascii_lowercase().contains("checksum") {
                "its content does not match its checksum".into()
            } else if e.kind() == std::io::ErrorKind::UnexpectedEof || said.contains("incomplete") {
                "it is cut short".into()
            } else {
                format!("its content does not decode: {said}")
            })
        })?;
        if version != FORMAT_VERSION {
            // Say who wrote it, if this version can tell.
            let written_by =
                rmp_serde::from_slice::<WrittenBy>(&body).map(|w| w.written_by).unwrap_or_default();
            return Err(StateError::Version { path: path.into(), found: version, written_by });
        }
        rmp_serde::from_slice(&body).map_err(|e| damaged(e.to_string()))
    }

    /// Whether the file at `path` is a saved state or profile (not a log).
    pub fn is_saved(path: &Path) -> bool {
        let mut head = [0u8; MAGIC.len()];
        File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
            && head == MAGIC
    }

    /// Reads a file.
    pub fn read(path: &Path) -> Result<Saved, StateError> {
        let name = path.display().to_string();
        // Said as what the path was given for: `--state dir/` says more than "Is a directory".
        let bytes = fs::read(path).map_err(|e| StateError::Io {
            path: name.clone(),
            source: io::Error::new(e.kind(), format!("cannot read it as a state or profile: {e}")),
        })?;
        Saved::decode(&bytes, &name)
    }

    /// One line of text (base64), for engines that move lines.
    pub fn to_line(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.encode())
    }

    pub fn from_line(line: &str, name: &str) -> Result<Saved, StateError> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line.trim())
            .map_err(|_| StateError::NotAState { path: name.into() })?;
        Saved::decode(&bytes, name)
    }

    /// Refused unless made with `settings`.
    pub fn check(&self, settings: &Settings, path: &str) -> Result<(), StateError> {
        let differences = self.settings.differences(settings);
        if differences.is_empty() {
            Ok(())
        } else {
            Err(StateError::Settings { path: path.into(), differences })
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.content {
            Content::State { .. } => "state",
            Content::Profile(_) => "profile",
        }
    }
}

#[derive(Deserialize)]
struct WrittenBy {
    written_by: String,
}

/// The lock of a state file (`FILE.lock`), held while a run reads and writes it.
pub struct Lock {
    _file: File,
}

impl Lock {
    /// The lock file of a state: `FILE.lock`.
    pub fn path_of(state: &Path) -> PathBuf {
        let mut lock = state.as_os_str().to_owned();
        lock.push(".lock");
        PathBuf::from(lock)
    }

    /// Takes the lock, or says who holds it.
    pub fn take(state: &Path) -> Result<Lock, StateError> {
        let lock = Lock::path_of(state);
        let name = state.display().to_string();
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(|source| StateError::Io { path: lock.display().to_string(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => {
                Err(StateError::Locked { path: name, lock: lock.display().to_string() })
            }
            Err(fs::TryLockError::Error(source)) => {
                Err(StateError::Io { path: lock.display().to_string(), source })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            rules: "r1".into(),
            visitor_key: "random".into(),
            zone: "UTC".into(),
            log_format: "auto".into(),
            reading: "--log-format auto".into(),
            session_timeout: 1800,
            lateness: 300,
            share_window: 172_800,
            bounds: "default".into(),
        }
    }

    #[test]
    fn a_profile_survives_the_file_and_the_line() {
        let saved = Saved {
            written_by: "test".into(),
            settings: settings(),
            content: Content::Profile(Box::new(Profile {
                facts: SiteFacts::default(),
                facts_from: Some(5),
                shares: ShareLog::keep_all(3600, 300),
                keys: KeyHasher::from(9),
                provenance: Provenance {
                    caveats: vec!["a.log: the common layout logs no referrer".into()],
                    errors: vec!["b.log.gz: corrupt or truncated gzip".into()],
                    formats: vec!["common".into()],
                    logs: vec![("a.log".into(), "00ff:4096".into())],
                },
            })),
        };
        assert_eq!(Saved::decode(&saved.encode(), "f").unwrap(), saved);
        assert_eq!(Saved::from_line(&saved.to_line(), "f").unwrap(), saved);
        assert!(!saved.to_line().contains('\n'));
        let mut bytes = saved.encode();
        bytes[MAGIC.len()] = 9;
        assert!(matches!(Saved::decode(&bytes, "f"), Err(StateError::Version { found: 9, .. })));
        assert!(matches!(Saved::decode(b"hello", "f"), Err(StateError::NotAState { .. })));
        let n = bytes.len();
        bytes[MAGIC.len()] = 1;
        assert!(matches!(Saved::decode(&bytes[..n - 5], "f"), Err(StateError::Damaged { .. })));
    }

    #[test]
    fn other_settings_are_named() {
        let mut other = settings();
        other.zone = "Europe/Berlin".into();
        let d = settings().differences(&other);
        assert_eq!(d, vec!["the time zone (--tz) (saved: UTC; this run: Europe/Berlin)".to_string()]);
    }

    #[test]
    fn marks_know_a_log_by_its_start() {
        let log = b"line one\nline two\nline three\n";
        let mark = InputMark {
            name: "access.log".into(),
            head_len: 9,
            head: head_digest(&log[..9]),
            offset: 9,
            lines: 1,
            last_time: None,
            growing: true,
            live: true,
            broken: false,
        };
        assert!(mark.matches(log));
        assert!(mark.matches(&log[..9]));
        assert!(!mark.matches(&log[..8]));
        assert!(!mark.matches(b"line 1\n..."));
    }

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("s.state");
        let first = Lock::take(&state).unwrap();
        assert!(matches!(Lock::take(&state), Err(StateError::Locked { .. })));
        drop(first);
        Lock::take(&state).unwrap();
    }
}
