//! The start of each input, read before the run: whether it is a log at all, its format,
//! its first timestamp (rotated sets are read oldest first) and what its content is known
//! by (the same log is read once). What the run learns of the site from its first lines is
//! in [`facts`](super::facts).

use std::io::Read;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::input::{self, Compression, Fingerprint, Input, InputError, Source};
use crate::parse::{self, Format, FormatSpec, LineCx, Parsed};

/// Decoded bytes sampled from the start of each input.
const PRELUDE_BYTES: usize = 256 * 1024;
/// Lines of the prelude used to pick a format.
const DETECT_LINES: usize = 1000;

pub(super) struct Sniffed {
    pub source: Source,
    pub format: Format,
    /// Lines the format was detected from (`None`: given, not detected).
    pub detected_from: Option<usize>,
    pub compression: Option<Compression>,
    pub first_time: Option<i64>,
    /// What its content is known by, to read the same log once.
    pub fingerprint: Fingerprint,
    /// Its first decoded bytes (up to [`saved::HEAD`](super::saved::HEAD)): what a saved
    /// state knows it by across renames and compression.
    pub head: Vec<u8>,
    /// Kept only for a stream, which cannot be opened twice.
    pub reader: Option<Reopened>,
}

/// An input already partly read: the stream, what was read of it, and its byte counter.
pub(super) struct Reopened {
    pub reader: Box<dyn Read + Send>,
    pub prelude: Vec<u8>,
    pub raw_bytes: Arc<AtomicU64>,
    /// The stream ended (or broke) within `prelude`: there is no more to read.
    pub ended: bool,
}

/// Reads the start of an input: its format, first timestamp and fingerprint.
/// [`InputError::NotALog`] when its content is no log at all (binary data, an archive, or
/// text of which no line is in any layout): the run skips such a file found in a
/// directory.
pub(super) fn sniff(input: &Input, spec: FormatSpec) -> Result<Sniffed, InputError> {
    let source = &input.source;
    let counter = Arc::new(AtomicU64::new(0));
    let opened = input::open(source, counter.clone())?;
    let not_a_log = |why: String| InputError::NotALog { path: source.name(), why };
    if let Some(what) = opened.foreign {
        return Err(not_a_log(format!("{what}, which darklog does not read (unpack it first)")));
    }
    let mut reader = opened.reader;
    // An input that breaks this early is still sniffed from what came before the break;
    // reading it reports the error.
    let (prelude, error) = input::read_prelude(&mut reader, PRELUDE_BYTES);
    let broke = error.is_some();
    let complete = broke || prelude.len() < PRELUDE_BYTES;
    let lines = input::prelude_lines(&prelude, complete).take(DETECT_LINES);
    // Only an intact start can say that an input is no log: corrupt data is corrupt.
    if !broke {
        if looks_binary(&prelude) {
            return Err(not_a_log("binary data, not text".into()));
        }
        let fixed = matches!(spec, FormatSpec::Fixed(_));
        let sampled = lines.clone().count();
        if sampled > 0 && (input.listed || !fixed) && !any_layout(lines.clone()) {
            if !input.listed {
                return Err(unknown_format(source));
            }
            return Err(not_a_log(format!(
                "none of its first {sampled} lines is in a layout darklog reads ({})",
                preset_names()
            )));
        }
    }
    let (format, detected_from) = match spec {
        FormatSpec::Fixed(f) => (f, None),
        FormatSpec::Auto => match parse::detect(lines.clone()) {
            Some(d) => (d.format, Some(d.sampled)),
            // Nothing to judge by (an empty input, a first line longer than the sample,
            // data that broke before any line was whole): read it as the most common
            // format and let its lines, and its error, speak.
            None if broke || lines.clone().next().is_none() => (Format::COMBINED, None),
            None => return Err(unknown_format(source)),
        },
    };
    let mut cx = LineCx::default();
    let first_time = { lines }.find_map(|line| format.parse(line, &mut cx).hit().map(|h| h.time));
    let whole = !broke && prelude.len() < PRELUDE_BYTES;
    let fingerprint = Fingerprint::new(&prelude, whole, source, opened.compression);
    let head = prelude[..prelude.len().min(super::saved::HEAD)].to_vec();
    // A stream cannot be read twice: keep what was read and the stream itself (or, when
    // it broke, its error, for the read to report).
    let reader = source.is_stream().then(|| Reopened {
        reader: match error {
            Some(e) => Box::new(input::Broken(Some(e))),
            None => reader,
        },
        prelude,
        raw_bytes: counter,
        ended: complete,
    });
    Ok(Sniffed {
        source: source.clone(),
        format,
        detected_from,
        compression: opened.compression,
        first_time,
        fingerprint,
        head,
        reader,
    })
}

fn preset_names() -> String {
    Format::PRESETS.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
}

fn unknown_format(source: &Source) -> InputError {
    InputError::UnknownFormat { path: source.name(), tried: preset_names() }
}

/// Whether any of `lines` is a line of any layout darklog reads.
fn any_layout<'a>(lines: impl Iterator<Item = &'a [u8]> + Clone) -> bool {
    let mut cx = LineCx::default();
    Format::PRESETS.iter().any(|f| lines.clone().any(|l| matches!(f.parse(l, &mut cx), Parsed::Hit(_))))
}

/// Text logs hold printable bytes, tabs and line ends (and, after a crash or a
/// copytruncate, runs of NUL bytes where the file has a hole: not binary, and their lines
/// must still be read); binary data has control bytes all through it.
fn looks_binary(prelude: &[u8]) -> bool {
    let start = &prelude[..prelude.len().min(16 * 1024)];
    let controls =
        start.iter().filter(|&&b| (b < 0x20 && !b"\t\n\r\x0c\x1b\0".contains(&b)) || b == 0x7f).count();
    let not_nul = start.iter().filter(|&&b| b != 0).count();
    controls * 16 > not_nul
}
