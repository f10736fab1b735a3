//! Opening an input: its raw bytes counted as they are read, its compression recognised
//! by its magic bytes whatever it is called.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{InputError, Source};

/// The compressions darklog reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression `head` (the first bytes of an input) starts with.
    pub fn of(head: &[u8]) -> Option<Compression> {
        // bzip2's "BZh" and a block size, then the magic of its first block (or of its
        // end, for an empty stream): "BZh9" alone could start a line of text.
        let bzip2 = head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
                || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]);
        // A zstd file may open with a skippable frame (pzstd writes one first).
        let zstd = head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
            || (head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]);
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if bzip2 {
            Some(Compression::Bzip2)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Compression::Xz)
        } else if zstd {
            Some(Compression::Zstd)
        } else {
            None
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Archives and compressions darklog does not read, by their magic bytes: named, so that
/// the user learns what the file is rather than that its "lines" are in no log format.
pub fn foreign(head: &[u8]) -> Option<&'static str> {
    const KNOWN: &[(&[u8], &str)] = &[
        (&[0x04, 0x22, 0x4d, 0x18], "lz4-compressed data"),
        (b"PK\x03\x04", "a zip archive"),
        (&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c], "a 7-zip archive"),
        (b"Rar!\x1a\x07", "a rar archive"),
        (&[0x1f, 0x9d], "compress (.Z) data"),
        (b"LZIP", "lzip-compressed data"),
        (&[0x5d, 0, 0], "lzma-compressed data"),
        (&[0x89, b'P', b'N', b'G'], "a PNG image"),
        (&[0xff, 0xd8, 0xff], "a JPEG image"),
        (b"%PDF-", "a PDF document"),
        (&[0x7f, b'E', b'L', b'F'], "an executable"),
        // What Windows PowerShell's `>` writes: the byte-order mark first.
        (&[0xff, 0xfe], "UTF-16 text"),
        (&[0xfe, 0xff], "UTF-16 text"),
    ];
    KNOWN.iter().find(|(magic, _)| head.starts_with(magic)).map(|(_, what)| *what)
}

/// What to do with a [`foreign`] input: an archive or compressed data may hold a log, an
/// image or an executable holds none.
pub fn unpack_hint(what: &str) -> &'static str {
    if what.ends_with("archive") || what.ends_with("data") {
        " (unpack it first)"
    } else if what.starts_with("UTF-16") {
        " (convert it to UTF-8 first: iconv -f UTF-16 -t UTF-8)"
    } else {
        ""
    }
}

/// An error of the file itself (not of the data in it), as the counting reader saw it: a
/// disk error in a gzip file is a read error, not corrupt gzip.
#[derive(Debug)]
struct RawError(io::Error);

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for RawError {}

/// Whether `e` came from reading the file rather than from decoding what it holds.
pub(super) fn is_raw(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<RawError>())
}

/// Where a compressed stream broke, counted in the stream's own bytes, and how.
#[derive(Debug)]
pub struct Broke {
    pub at: u64,
    pub what: String,
}

impl fmt::Display for Broke {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for Broke {}

/// Where a decoder's error says its stream broke, if it says.
pub fn broke_at(e: &io::Error) -> Option<u64> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Broke>()).map(|b| b.at)
}

/// Counts bytes as they are read from the underlying file, so a decoder's error can say
/// where it happened and the progress bar can move.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.count.fetch_add(n as u64, Ordering::Relaxed);
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => Err(io::Error::new(e.kind(), RawError(e))),
        }
    }
}

/// An opened input: decoded bytes (the caller's counter follows the raw bytes read).
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    pub compression: Option<Compression>,
    /// What the input is when its magic bytes name a format darklog does not read.
    pub foreign: Option<&'static str>,
}

/// The magic bytes looked at: bzip2's are the longest.
const HEAD: usize = 10;

/// xz decoders allocate the dictionary a stream's header asks for: a gigabyte is more
/// than `xz -9` needs, and a hostile header gets an error rather than the machine's memory.
const XZ_MEM_LIMIT_KB: u32 = 1 << 20;

/// Opens a source, recognising its compression by its magic bytes whatever the file is
/// called. Concatenated members, streams or frames (rotated logs appended, bgzip, pzstd)
/// are read whole.
pub fn open(source: &Source, raw_bytes: Arc<AtomicU64>) -> Result<Opened, InputError> {
    let raw: Box<dyn Read + Send> = match source {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p) => {
            Box::new(File::open(p).map_err(|e| InputError::Open { path: source.name(), source: e })?)
        }
    };
    let mut counting = Counting { inner: raw, count: raw_bytes };
    // A pipe may hand over fewer bytes than the longest magic in its first read.
    let mut head = Vec::with_capacity(HEAD);
    (&mut counting).take(HEAD as u64).read_to_end(&mut head).map_err(|e| InputError::Read {
        path: source.name(),
        offset: 0,
        source: e,
    })?;
    let compression = Compression::of(&head);
    let foreign = if compression.is_none() { foreign(&head) } else { None };
    let buffered = BufReader::with_capacity(256 * 1024, io::Cursor::new(head).chain(counting));
    let reader: Box<dyn Read + Send> = match compression {
        None => Box::new(buffered),
        Some(Compression::Gzip) => Box::new(super::gzip::GzipReader::new(buffered)),
        Some(Compression::Bzip2) => Box::new(Capped(bzip2::bufread::MultiBzDecoder::new(buffered))),
        Some(Compression::Xz) => Box::new(super::xz::XzReader::new(buffered, XZ_MEM_LIMIT_KB)),
        Some(Compression::Zstd) => Box::new(Capped(
            zstd::stream::read::Decoder::with_buffer(buffered).map_err(|e| InputError::Read {
                path: source.name(),
                offset: 0,
                source: e,
            })?,
        )),
    };
    Ok(Opened { reader, compression, foreign })
}

/// Hands a decoder small reads. These decoders fill all the room they are given before
/// they return, and an error in the middle of a call loses what that call decoded: asked
/// for a megabyte at a time, a bzip2 file damaged in its seventh block gave no line at all
/// instead of its first six blocks. (gzip and xz have readers of their own that lose
/// nothing.)
struct Capped<R>(R);

/// The most a decoder is asked for at once.
const CAPPED_READ: usize = 64 * 1024;

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(CAPPED_READ);
        self.0.read(&mut buf[..n])
    }
}

/// A stream that already broke: the error again, for whoever reads on (a stream cannot
/// be opened twice to find it again).
pub struct Broken(pub Option<io::Error>);

impl Read for Broken {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}
