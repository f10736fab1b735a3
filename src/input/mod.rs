//! Inputs: paths and stdin, gzip recognised by its magic bytes, read as newline-aligned
//! blocks into recycled buffers.

mod blocks;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::bufread::MultiGzDecoder;

pub use blocks::{Block, BlockReader};

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
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Bytes on disk, for the progress bar.
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Stdin => None,
            Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        }
    }
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
    #[error("{path}: read error at byte {offset}: {source}")]
    Read { path: String, offset: u64, source: io::Error },
    #[error("{path}: corrupt or truncated gzip near compressed byte {compressed_offset} (after {offset} bytes of log): {source}")]
    Gzip { path: String, compressed_offset: u64, offset: u64, source: io::Error },
    #[error("{path}: not a layout darklog recognises (tried {tried}); {hint}")]
    UnknownFormat { path: String, tried: String, hint: String },
}

/// Expands the command-line paths: files as given, directories to their regular files
/// (sorted by name, hidden files skipped). A file named twice (or through a directory and
/// by name) is read once, and so is `-`.
pub fn expand(paths: &[PathBuf]) -> (Vec<Source>, Vec<InputError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |sources: &mut Vec<Source>, s: Source| {
        let identity = match &s {
            Source::Stdin => None,
            Source::File(p) => Some(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
        };
        if seen.insert(identity) {
            sources.push(s);
        }
    };
    for p in paths {
        if p.as_os_str() == "-" {
            add(&mut sources, Source::Stdin);
            continue;
        }
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                        .map(|e| e.path())
                        .collect();
                    files.sort();
                    if files.is_empty() {
                        errors.push(InputError::EmptyDir { path: p.display().to_string() });
                    }
                    for f in files {
                        add(&mut sources, Source::File(f));
                    }
                }
                Err(source) => errors.push(InputError::Dir { path: p.display().to_string(), source }),
            }
        } else {
            add(&mut sources, Source::File(p.clone()));
        }
    }
    (sources, errors)
}

/// Counts bytes as they are read from the underlying file, so a gzip error can say where
/// it happened and the progress bar can move.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened input: decoded bytes (the caller's counter follows the raw bytes read).
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    pub gzip: bool,
}

/// Opens a source, recognising gzip by its magic bytes whatever the file is called.
/// Concatenated gzip members (rotated logs appended, bgzip) are read whole.
pub fn open(source: &Source, raw_bytes: Arc<AtomicU64>) -> Result<Opened, InputError> {
    let raw: Box<dyn Read + Send> = match source {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p) => {
            Box::new(File::open(p).map_err(|e| InputError::Open { path: source.name(), source: e })?)
        }
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, Counting { inner: raw, count: raw_bytes });
    let head =
        buffered.fill_buf().map_err(|e| InputError::Read { path: source.name(), offset: 0, source: e })?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read + Send> =
        if gzip { Box::new(MultiGzDecoder::new(buffered)) } else { Box::new(buffered) };
    Ok(Opened { reader, gzip })
}

/// Turns a read error into the input error a user can act on.
pub fn read_error(source: &Source, gzip: bool, offset: u64, raw: u64, e: io::Error) -> InputError {
    if gzip {
        InputError::Gzip { path: source.name(), compressed_offset: raw, offset, source: e }
    } else {
        InputError::Read { path: source.name(), offset, source: e }
    }
}

/// Reads up to `limit` decoded bytes (fewer at end of input): the sample that format
/// detection, ordering and site inference look at. On a read error, what came before it
/// and `true`.
pub fn read_prelude(reader: &mut dyn Read, limit: usize) -> (Vec<u8>, bool) {
    let mut buf = Vec::with_capacity(limit);
    // On error `read_to_end` keeps what it read before.
    let broke = reader.take(limit as u64).read_to_end(&mut buf).is_err();
    (buf, broke)
}

/// The complete lines of a prelude (a final partial line is left out unless the input
/// ended there).
pub fn prelude_lines(prelude: &[u8], complete: bool) -> impl Iterator<Item = &[u8]> + Clone {
    let end = if complete { prelude.len() } else { memchr::memrchr(b'\n', prelude).map_or(0, |i| i + 1) };
    prelude[..end].split(|&b| b == b'\n').filter(|l| !l.is_empty())
}
