//! Reading an input again from where an earlier run stopped: a plain file from that byte
//! (a seek), a compressed one by decoding past it; and, for a file that may still be
//! written to, only up to its last whole line, so that a line half written when the run
//! reads it is read whole by the next run.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{open, InputError, Opened, Source, MAX_LINE};

/// Opens `source` at decoded byte `offset`. `raw_bytes` counts the raw bytes read (for a
/// plain file, from the offset).
pub fn open_at(source: &Source, raw_bytes: Arc<AtomicU64>, offset: u64) -> Result<Opened, InputError> {
    let opened = open(source, raw_bytes.clone())?;
    if offset == 0 {
        return Ok(opened);
    }
    let skip_error = |e: io::Error| InputError::Read { path: source.name(), offset: 0, source: e };
    if let (None, Source::File(path)) = (opened.compression, source) {
        let mut file = File::open(path).map_err(|e| InputError::Open { path: source.name(), source: e })?;
        file.seek(SeekFrom::Start(offset)).map_err(skip_error)?;
        let counted = Counted { inner: file, count: raw_bytes };
        return Ok(Opened { reader: Box::new(BufReader::with_capacity(256 * 1024, counted)), ..opened });
    }
    let mut reader = opened.reader;
    // Counted as it goes: a log that breaks before the offset (a rotation still being
    // compressed) is told by how far it got.
    let (mut skipped, mut buf) = (0u64, vec![0u8; 64 * 1024]);
    let mut cause = String::new();
    while skipped < offset {
        let want = usize::try_from(offset - skipped).unwrap_or(usize::MAX).min(buf.len());
        match reader.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => skipped += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                cause = format!(" ({e})");
                break;
            }
        }
    }
    if skipped < offset && cause.is_empty() {
        return Err(InputError::WholeButShorter { path: source.name(), skipped, read: offset });
    }
    if skipped < offset {
        return Err(InputError::ShorterThanRead { path: source.name(), skipped, read: offset, cause });
    }
    Ok(Opened { reader, ..opened })
}

struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// When `WholeLines` holds back what follows the last newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Never: every byte is handed on.
    Pass,
    /// Where the input breaks (a compressed file cut short, perhaps still being written):
    /// the next run reads that line whole from the last newline, once the file is.
    AtBreak,
    /// At the end too (a plain file may be in the middle of a line being written).
    AtEnd,
}

/// Hands on what `inner` reads, counting it in `consumed`, but not what `tail` holds back.
/// A "line" longer than [`MAX_LINE`] is handed on anyway: it will be cut as one
/// malformed line.
pub struct WholeLines<R> {
    inner: R,
    tail: Tail,
    consumed: Arc<AtomicU64>,
    buf: Vec<u8>,
    /// `buf[start..ready]` can be handed on; `buf[ready..]` waits for its newline.
    start: usize,
    ready: usize,
    eof: bool,
    error: Option<io::Error>,
}

const FILL: usize = 256 * 1024;

impl<R: Read> WholeLines<R> {
    pub fn new(inner: R, tail: Tail, consumed: Arc<AtomicU64>) -> WholeLines<R> {
        WholeLines { inner, tail, consumed, buf: Vec::new(), start: 0, ready: 0, eof: false, error: None }
    }

    fn fill(&mut self) {
        self.buf.drain(..self.start);
        self.ready -= self.start;
        self.start = 0;
        let have = self.buf.len();
        self.buf.resize(have + FILL, 0);
        match self.inner.read(&mut self.buf[have..]) {
            Ok(n) => {
                self.buf.truncate(have + n);
                self.eof = n == 0;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => self.buf.truncate(have),
            Err(e) => {
                self.buf.truncate(have);
                self.error = Some(e);
                self.eof = true;
            }
        }
        let tail_held = match self.tail {
            Tail::Pass => false,
            Tail::AtBreak => self.error.is_some(),
            Tail::AtEnd => true,
        };
        self.ready = if (self.eof && !tail_held) || self.buf.len() > MAX_LINE + FILL {
            self.buf.len()
        } else {
            memchr::memrchr(b'\n', &self.buf[self.ready..]).map_or(self.ready, |i| self.ready + i + 1)
        };
    }
}

impl<R: Read> Read for WholeLines<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.tail == Tail::Pass {
            // Nothing is held back: the bytes go straight through, counted, not copied
            // through a buffer of our own (that copy was a tenth of a plain run's time).
            loop {
                match self.inner.read(out) {
                    Ok(n) => {
                        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
                        return Ok(n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        loop {
            if self.start < self.ready {
                let n = out.len().min(self.ready - self.start);
                out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
                self.start += n;
                self.consumed.fetch_add(n as u64, Ordering::Relaxed);
                return Ok(n);
            }
            if self.eof {
                return match self.error.take() {
                    Some(e) => Err(e),
                    None => Ok(0),
                };
            }
            self.fill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(data: &[u8], hold_tail: bool) -> (Vec<u8>, u64) {
        let consumed = Arc::new(AtomicU64::new(0));
        let tail = if hold_tail { Tail::AtEnd } else { Tail::Pass };
        let mut r = WholeLines::new(io::Cursor::new(data.to_vec()), tail, consumed.clone());
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        (out, consumed.load(Ordering::Relaxed))
    }

    #[test]
    fn a_line_being_written_is_held_back() {
        assert_eq!(read_all(b"a\nb\nhalf", true), (b"a\nb\n".to_vec(), 4));
        assert_eq!(read_all(b"a\nb\nhalf", false), (b"a\nb\nhalf".to_vec(), 8));
        assert_eq!(read_all(b"no newline yet", true), (Vec::new(), 0));
        let big: Vec<u8> = (0..3 * FILL).map(|i| if i % 1000 == 999 { b'\n' } else { b'x' }).collect();
        let (out, n) = read_all(&big, true);
        assert_eq!(n as usize, out.len());
        assert_eq!(out.len(), big.len() - big.len() % 1000);
    }

    /// Reads its bytes, then fails.
    struct Breaks(io::Cursor<Vec<u8>>);

    impl Read for Breaks {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn a_line_cut_by_a_break_is_held_back_at_break() {
        for (tail, want) in [(Tail::AtBreak, &b"a\nb\n"[..]), (Tail::Pass, b"a\nb\nhal")] {
            let consumed = Arc::new(AtomicU64::new(0));
            let mut r =
                WholeLines::new(Breaks(io::Cursor::new(b"a\nb\nhal".to_vec())), tail, consumed.clone());
            let mut out = Vec::new();
            assert!(r.read_to_end(&mut out).is_err());
            assert_eq!((&out[..], consumed.load(Ordering::Relaxed)), (want, want.len() as u64));
        }
        // Whole, the last line without its newline is handed on: a compressed file is done.
        let consumed = Arc::new(AtomicU64::new(0));
        let mut r = WholeLines::new(io::Cursor::new(b"a\nlast".to_vec()), Tail::AtBreak, consumed);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a\nlast");
    }

    #[test]
    fn a_plain_file_is_read_from_an_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        std::fs::write(&path, b"first line\nsecond line\n").unwrap();
        let source = Source::File(path);
        let mut r = open_at(&source, Arc::new(AtomicU64::new(0)), 11).unwrap().reader;
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "second line\n");
        assert!(open_at(&source, Arc::new(AtomicU64::new(0)), 11).is_ok());
    }
}
