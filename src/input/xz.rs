//! xz, stream after stream, over lzma-rust2's sans-I/O decoder.
//!
//! The crate's blocking reader takes in a whole LZMA2 chunk (up to 64 KiB compressed)
//! before it decodes any of it, so a file cut inside a chunk loses all of that chunk: cut
//! 60,000 bytes in, a log gave no line at all where `xz -dc` printed 4,649. This reader
//! decodes what has come as it comes and hands over what it decoded before the break, and
//! names the compressed byte where the decoder stopped. A file cut short gives what
//! `xz -dc` gives but for what its last 20 or so bytes hold: the decoder reads that far
//! ahead, and drops what it decodes from them when a symbol runs past the end (a line at
//! most, of a log).

use std::io::{self, BufRead, Read};

use lzma_rust2::{Action, Status, XzStream};

use super::open::Broke;

/// Compressed bytes handed to the decoder at once. What it decodes goes through its
/// dictionary, and a call that meets damage loses what it put there and had not handed
/// over: fed 256 KiB at a time, a log damaged in the middle lost up to 50 KB of good lines
/// before the damage; fed 256 bytes, a few KB at most, at no cost that could be measured.
const SLICE: usize = 256;

/// Decoded bytes of an xz file of any number of streams (rotated logs appended).
pub struct XzReader<R> {
    inner: R,
    stream: XzStream,
    /// Compressed bytes taken from `inner` so far.
    consumed: u64,
    /// An error met after some bytes of the same call were decoded: those go first.
    pending: Option<io::Error>,
    ended: bool,
}

impl<R: BufRead> XzReader<R> {
    /// `mem_limit_kb`: the most a stream's dictionary may take (a header asks for it).
    pub fn new(inner: R, mem_limit_kb: u32) -> XzReader<R> {
        XzReader {
            inner,
            stream: XzStream::new_mem_limit(true, mem_limit_kb),
            consumed: 0,
            pending: None,
            ended: false,
        }
    }

    /// The decoder's error, with where it stopped. Its kind is kept: an unexpected end is
    /// a file cut short (or still being written), which a later run may find whole.
    fn broke(&self, e: io::Error) -> io::Error {
        let what = match e.kind() {
            io::ErrorKind::UnexpectedEof => "the file ends inside compressed data".to_string(),
            _ => e.to_string(),
        };
        io::Error::new(e.kind(), Broke { at: self.consumed, what })
    }
}

impl<R: BufRead> Read for XzReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.ended || out.is_empty() {
            return Ok(0);
        }
        loop {
            // Errors of the file itself go up as they are: they are not the data's.
            let input = self.inner.fill_buf()?;
            let input = &input[..input.len().min(SLICE)];
            // The input's end: the decoder says whether a stream may end there.
            let action = if input.is_empty() { Action::Finish } else { Action::Run };
            let (was_in, was_out) = (self.stream.total_in(), self.stream.total_out());
            let result = self.stream.process(input, out, action);
            // Counted by the decoder even when the call fails: what it decoded before the
            // damage is in `out`, and goes out first.
            let used = (self.stream.total_in() - was_in) as usize;
            let made = (self.stream.total_out() - was_out) as usize;
            self.inner.consume(used);
            self.consumed += used as u64;
            let e = match result {
                Ok(r) if r.status == Status::StreamEnd => {
                    self.ended = true;
                    return Ok(made);
                }
                Ok(_) if made > 0 => return Ok(made),
                Ok(_) if used > 0 => continue,
                // Asked again with the same input, it would answer the same.
                Ok(_) => io::Error::new(io::ErrorKind::InvalidData, "corrupt xz stream (no progress)"),
                Err(e) => e,
            };
            self.ended = true;
            let e = self.broke(e);
            if made == 0 {
                return Err(e);
            }
            self.pending = Some(e);
            return Ok(made);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::open::broke_at;
    use super::*;
    use lzma_rust2::{XzOptions, XzWriter};
    use std::io::Write;

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut e = XzWriter::new(Vec::new(), XzOptions::with_preset(6)).unwrap();
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Lines that compress about as well as a log's, to a few times smaller.
    fn text(lines: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..lines)
            .flat_map(|i| {
                format!("line {i} from 192.0.2.{} GET /{:x} {}\n", next() % 256, next(), next() % 600)
                    .into_bytes()
            })
            .collect()
    }

    /// Reads all through a `buffer`-byte buffer in `chunk`-byte calls: what came, and the
    /// error that ended it.
    fn read_all(data: &[u8], buffer: usize, chunk: usize) -> (Vec<u8>, Option<io::Error>) {
        super::super::read_all_of(XzReader::new(io::BufReader::with_capacity(buffer, data), 1 << 20), chunk)
    }

    #[test]
    fn streams_appended_read_as_one_whatever_the_reads() {
        let (a, b) = (text(20_000), text(10));
        let data = [xz(&a), xz(b""), xz(&b)].concat();
        for (buffer, chunk) in [(1, 1 << 20), (7, 3), (4096, 1), (256 * 1024, 1 << 20)] {
            let (out, e) = read_all(&data, buffer, chunk);
            assert!(e.is_none(), "{buffer}, {chunk}: {e:?}");
            assert!(out == [&a[..], &b[..]].concat(), "{buffer}, {chunk}");
        }
    }

    #[test]
    fn a_cut_file_gives_what_it_holds_and_where_it_ends() {
        let log = text(40_000);
        let data = xz(&log);
        // The first LZMA2 chunk takes 64 KiB of compressed data or more: cuts inside it.
        assert!(data.len() > 100_000, "{}", data.len());
        let mut before = 0;
        for cut in [1, 30, 5_000, 60_000, data.len() / 2, data.len() - 4] {
            let (got, e) = read_all(&data[..cut], 256 * 1024, 1 << 20);
            assert!(log.starts_with(&got), "{cut}");
            // Text compresses: what a cut file holds is longer than the cut.
            assert!(got.len() >= before && (cut < 100 || got.len() > cut), "{cut}: {}", got.len());
            before = got.len();
            let e = e.expect("an error");
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{cut}: {e}");
            assert_eq!(broke_at(&e), Some(cut as u64), "{cut}: {e}");
        }
    }

    #[test]
    fn damage_loses_at_most_what_one_slice_decodes_before_it() {
        let log = text(40_000);
        let data = xz(&log);
        for at in (data.len() / 8..data.len() - 100).step_by(data.len() / 5) {
            let mut damaged = data.clone();
            damaged[at..at + 8].copy_from_slice(b"\xff\xff\xff\xff\x00\x00\x13\x37");
            // A byte a call: what this decoder can recover at most.
            let (want, _) = read_all(&damaged, 1, 1);
            assert!(want.len() > log.len() * at / data.len() / 2, "{at}: {}", want.len());
            let (got, e) = read_all(&damaged, 256 * 1024, 1 << 20);
            assert!(want.starts_with(&got), "{at}");
            assert!(want.len() - got.len() <= 8 * 1024, "{at}: {} of {}", got.len(), want.len());
            let found = broke_at(&e.expect("an error")).unwrap() as usize;
            assert!(found >= at && found <= data.len(), "{at}: {found}");
        }
    }
}
