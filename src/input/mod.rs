//! Inputs: paths and stdin, compression recognised by its magic bytes, read as
//! newline-aligned blocks into recycled buffers.
//!
//! An input that cannot be read twice — stdin, a named pipe, `/dev/stdin`, a process
//! substitution, a character device — is a *stream* ([`Source::is_stream`]): whoever
//! samples its start must keep it open and hand what it read on. A regular file is opened
//! again when it is read.

mod blocks;
mod gzip;
#[cfg(unix)]
mod mapped;
#[cfg(not(unix))]
#[path = "unmapped.rs"]
mod mapped;
mod open;
mod resume;
mod same;
mod xz;

use std::fs::Metadata;
use std::io::{self, Read};
use std::path::PathBuf;

pub use blocks::{Block, BlockData, BlockReader, Blocks, Feed, MAX_LINE};
pub use mapped::{map_at, MappedBlocks};
pub use open::{foreign, open, unpack_hint, Broken, Compression, Opened};
pub use resume::{open_at, Tail, WholeLines};
pub use same::{decoded_len, same_logs, Fingerprint, Length, SameLog, HEAD_BYTES};

/// What standard input is called in messages and reports (see [`name_stdin`]).
static STDIN_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names standard input for the rest of the process (`--stdin-name`): an engine that pipes
/// each file in has the messages name the file. Only the first name holds.
pub fn name_stdin(name: String) {
    let _ = STDIN_NAME.set(name);
}

/// Where lines come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// The name used in messages and reports.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => STDIN_NAME.get().map_or("<stdin>", String::as_str).to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// What the file system says of it (following symbolic links; stdin's is what it is
    /// connected to).
    pub fn metadata(&self) -> io::Result<Metadata> {
        match self {
            Source::File(p) => std::fs::metadata(p),
            #[cfg(unix)]
            Source::Stdin => {
                use std::os::fd::AsFd;
                let fd = io::stdin().as_fd().try_clone_to_owned()?;
                std::fs::File::from(fd).metadata()
            }
            #[cfg(not(unix))]
            Source::Stdin => Err(io::Error::other("stdin has no metadata here")),
        }
    }

    /// Bytes on disk, for the progress bar (a stream's are not known).
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Stdin => None,
            Source::File(_) => self.metadata().ok().filter(Metadata::is_file).map(|m| m.len()),
        }
    }

    /// Whether this input can be read only once: stdin, and any path that is not a
    /// regular file (a FIFO, `/dev/stdin`, `<(zcat x.gz)`, a character device).
    pub fn is_stream(&self) -> bool {
        match self {
            Source::Stdin => true,
            Source::File(_) => self.metadata().is_ok_and(|m| !m.is_file()),
        }
    }

    /// The file it is, whatever it is called; `None` where that cannot be known.
    pub fn id(&self) -> Option<FileId> {
        FileId::of(&self.metadata().ok()?)
    }
}

/// A file's identity (device and inode): two names of one file have the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId { dev: meta.dev(), ino: meta.ino() })
    }

    #[cfg(not(unix))]
    pub fn of(_: &Metadata) -> Option<FileId> {
        None
    }
}

/// A source as the command line led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub source: Source,
    /// Found by listing a directory rather than named: a file there that is not a log is
    /// skipped with a notice, not an error.
    pub listed: bool,
}

/// An input that could not be read (or not wholly). Everything else is still analysed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: {source}")]
    Open { path: String, source: io::Error },
    #[error("{path}: {source}")]
    Dir { path: String, source: io::Error },
    #[error("{path}: a directory with no log files in it")]
    EmptyDir { path: String },
    /// A directory whose files were all skipped as no log, beside inputs that are logs.
    #[error("{path}: no access log in this directory: every file in it was skipped as no log")]
    NoLogInDir { path: String },
    #[error("{path}: read error at byte {offset}: {source}")]
    Read { path: String, offset: u64, source: io::Error },
    /// A log known to a saved state that now ends (or breaks) before where the last run
    /// read it to: a rotation still being compressed, most often.
    #[error(
        "{path}: ends after {skipped} bytes of log, before the {read} bytes the last run read of \
         it{cause}: nothing in it was read; if it is still being written (a rotation being \
         compressed), the next run reads on from byte {read} once it is whole"
    )]
    ShorterThanRead { path: String, skipped: u64, read: u64, cause: String },
    /// A compressed log whole (its data ends cleanly) but shorter than what the last run
    /// read of it: an earlier copy put back, or a rotation whose compression was cut off.
    #[error(
        "{path}: shorter ({skipped} bytes of log) than the {read} bytes read of it by the last run: \
         nothing in it is new, not read"
    )]
    WholeButShorter { path: String, skipped: u64, read: u64 },
    #[error("{path}: corrupt or truncated {compression} near compressed byte {compressed_offset} (after {offset} bytes of log): {source}")]
    Corrupt { path: String, compression: Compression, compressed_offset: u64, offset: u64, source: io::Error },
    #[error("{path}: not a layout darklog recognises (tried {tried}); {hint}")]
    UnknownFormat { path: String, tried: String, hint: String },
    #[error("{path}: none of its {lines} lines is in the {layout} layout --log-format names; {hint}")]
    WrongFormat { path: String, layout: String, lines: String, hint: String },
    #[error(
        "{path}: {out_of_order} of {lines} lines are out of order beyond the lateness window, and a \
         stream cannot be read twice to sort it: save it to a file (darklog sorts files by time \
         itself) or sort it first"
    )]
    Disordered { path: String, out_of_order: u64, lines: u64 },
    #[error(
        "{path}: {out_of_order} of {lines} lines are older than the logs the state has read already \
         (by more than the lateness window): not counted; a log that old needs a state of its \
         own, and the logs of servers that write late are read together once all have caught up"
    )]
    BehindState { path: String, out_of_order: u64, lines: u64 },
    #[error(
        "{path}: read on from where it broke at an earlier run, but {out_of_order} of its {lines} \
         lines are older than the logs read since (by more than the lateness window) and were not \
         counted: a log still being written when read breaks there (compress rotated logs before \
         the run, or read them once complete)"
    )]
    LateAfterBreak { path: String, out_of_order: u64, lines: u64 },
    #[error(
        "{path} (read to line {lines} by the last run) is not among the inputs: if it was rotated \
         away before this run, the lines written to it after the last run were not read (give \
         the rotated logs too, as access.log*)"
    )]
    Vanished { path: String, lines: u64 },
    #[error(
        "{path} and the {after} logs after it: more than {max} logs cover the same hours and darklog \
         reads at most {max} at once, so lines of theirs came out of order and were not counted: \
         concatenate the logs of the same hours into fewer files (darklog sorts a file out of time \
         order itself), or analyze them in groups"
    )]
    Crowded { path: String, after: usize, max: usize },
    #[error(
        "{path}: the referrers of its first lines name {host} ({times} times), never {site}, the \
         site the state was made for, and the state has read none of these logs: if the state is \
         another site's, give these logs a state of their own (if the site is the same, --site \
         names its hosts)"
    )]
    OtherSite { path: String, host: String, times: u32, site: String },
    #[error("{path}: cannot sort it by time in temporary files: {source}")]
    Sort { path: String, source: io::Error },
    #[error("cannot keep the visits report's rows in a temporary file: {source}")]
    Spool { source: io::Error },
    /// Content no layout reads at all: binary data, an archive, an error log, a README.
    #[error("{path}: not an access log: {why}")]
    NotALog { path: String, why: String },
    /// Lines given with `--keyed` that `darklog key` did not write.
    #[error(
        "the keyed lines: {not_keyed} of {lines} are not lines `darklog key` writes (visitor, time, \
         sequence and the line in base64, tab-separated) and were counted malformed; a log is \
         read without --keyed"
    )]
    NotKeyed { not_keyed: u64, lines: u64 },
    /// Keyed lines whose visitor is not the one this run finds in them.
    #[error(
        "the keyed lines: {other} of the first {sampled} were keyed to other visitors than this run \
         finds in them: `key` was given another --client-ip, layout or --visitor-key than \
         `partial`, so the partitions split visitors; key with the flags partial reads with"
    )]
    KeyedOtherwise { other: usize, sampled: usize },
    /// Every file found was skipped as no log.
    #[error("no access log among the inputs: every file found was skipped as no log")]
    NothingToRead,
}

impl InputError {
    /// The input ended inside its compressed data, or before where an earlier run read it
    /// to: cut short, perhaps still being compressed, and whole later. Its name, if so.
    pub fn cut_short(&self) -> Option<&str> {
        match self {
            InputError::ShorterThanRead { path, .. } => Some(path),
            InputError::Corrupt { path, source, .. } if source.kind() == io::ErrorKind::UnexpectedEof => {
                Some(path)
            }
            _ => None,
        }
    }
}

/// Expands the command-line paths: files as given, directories to their regular files
/// and links to regular files (sorted by name, hidden files skipped). A file named twice,
/// by any names (through a directory and by name, `-` and `/dev/stdin`), is read once.
pub fn expand(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |inputs: &mut Vec<Input>, source: Source, listed: bool| {
        let identity = match source.id() {
            Some(id) => Ok(id),
            None => Err(match &source {
                Source::Stdin => None,
                Source::File(p) => Some(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
            }),
        };
        if seen.insert(identity) {
            inputs.push(Input { source, listed });
        }
    };
    for p in paths {
        if p.as_os_str() == "-" {
            add(&mut inputs, Source::Stdin, false);
            continue;
        }
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        // A link to a log (`current.log -> ../2026/access.log`) is that log;
                        // a dangling link, a FIFO or a socket is skipped.
                        .filter(|e| match e.file_type() {
                            Ok(t) if t.is_symlink() => std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()),
                            Ok(t) => t.is_file(),
                            Err(_) => false,
                        })
                        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                        .map(|e| e.path())
                        .collect();
                    files.sort();
                    if files.is_empty() {
                        errors.push(InputError::EmptyDir { path: p.display().to_string() });
                    }
                    for f in files {
                        add(&mut inputs, Source::File(f), true);
                    }
                }
                Err(source) => errors.push(InputError::Dir { path: p.display().to_string(), source }),
            }
        } else {
            add(&mut inputs, Source::File(p.clone()), false);
        }
    }
    (inputs, errors)
}

/// Turns a read error into the input error a user can act on: the file's own error, or
/// the compressed data's, with where it broke.
pub fn read_error(
    source: &Source,
    compression: Option<Compression>,
    offset: u64,
    raw: u64,
    e: io::Error,
) -> InputError {
    match compression {
        Some(compression) if !open::is_raw(&e) => InputError::Corrupt {
            path: source.name(),
            compression,
            // The decoder's own count where it has one; else how far the file was read.
            compressed_offset: open::broke_at(&e).unwrap_or(raw),
            offset,
            source: e,
        },
        _ => InputError::Read { path: source.name(), offset, source: e },
    }
}

/// Reads up to `limit` decoded bytes (fewer at end of input): the sample that format
/// detection, ordering and site inference look at. On a read error, what came before it
/// and the error.
pub fn read_prelude(reader: &mut dyn Read, limit: usize) -> (Vec<u8>, Option<io::Error>) {
    let mut buf = Vec::with_capacity(limit);
    // On error `read_to_end` keeps what it read before.
    let error = reader.take(limit as u64).read_to_end(&mut buf).err();
    (buf, error)
}

/// The complete lines of a prelude (a final partial line is left out unless the input
/// ended there).
pub fn prelude_lines(prelude: &[u8], complete: bool) -> impl Iterator<Item = &[u8]> + Clone {
    let end = if complete { prelude.len() } else { memchr::memrchr(b'\n', prelude).map_or(0, |i| i + 1) };
    // Found with memchr, not a byte at a time: sniffing goes over its sample a dozen times.
    let mut rest = &prelude[..end];
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let (line, after) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = after;
        if !line.is_empty() {
            return Some(line);
        }
    })
}

/// Everything `reader` gives in `chunk`-byte calls, and the error that ended it: how the
/// decoders' tests read, through whatever calls a run would make.
#[cfg(test)]
pub(crate) fn read_all_of(mut reader: impl io::Read, chunk: usize) -> (Vec<u8>, Option<io::Error>) {
    let (mut out, mut buf) = (Vec::new(), vec![0; chunk]);
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Some(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prelude_lines;

    #[test]
    fn prelude_lines_are_the_whole_nonempty_lines() {
        let lines = |text: &'static [u8], complete| prelude_lines(text, complete).collect::<Vec<_>>();
        assert_eq!(lines(b"a\n\nbc\r\nd", false), [&b"a"[..], b"bc\r"], "a partial last line waits");
        assert_eq!(lines(b"a\n\nbc\r\nd", true), [&b"a"[..], b"bc\r", b"d"], "unless the input ended");
        assert_eq!(lines(b"\n\n", true), Vec::<&[u8]>::new());
        assert_eq!(lines(b"no newline", false), Vec::<&[u8]>::new());
        let twice = prelude_lines(b"x\ny\n", false);
        assert_eq!(twice.clone().count() + twice.count(), 4, "a clone starts over");
    }
}
