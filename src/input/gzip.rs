//! gzip (RFC 1952), member by member, over flate2's raw inflater.
//!
//! flate2's own gzip reader loses what one call decoded when that call meets damage: a
//! megabyte block asked for at once gave no line at all from a file damaged 45 KB in, where
//! `zcat` printed 2,500. It also cannot say where the damage is, only how much of the file
//! had been read ahead. This reader hands over every byte decoded before the damage and
//! names the compressed byte where the inflater stopped.

use std::io::{self, BufRead, Read};

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::open::Broke;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Header,
    Body,
    Trailer,
    End,
}

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED: u8 = 0xe0;

/// Decoded bytes of a gzip stream of any number of members (rotated logs appended, bgzip).
pub struct GzipReader<R> {
    inner: R,
    inflate: Decompress,
    crc: Crc,
    part: Part,
    /// Compressed bytes taken from `inner` so far.
    consumed: u64,
    /// An error met after some bytes of the same call were decoded: those go first.
    pending: Option<io::Error>,
}

impl<R: BufRead> GzipReader<R> {
    pub fn new(inner: R) -> GzipReader<R> {
        GzipReader {
            inner,
            inflate: Decompress::new(false),
            crc: Crc::new(),
            part: Part::Header,
            consumed: 0,
            pending: None,
        }
    }

    fn broke(&self, what: impl Into<String>) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, Broke { at: self.consumed, what: what.into() })
    }

    /// The file ended before its compressed data did: cut short, or still being written.
    fn ended(&self, what: impl Into<String>) -> io::Error {
        io::Error::new(io::ErrorKind::UnexpectedEof, Broke { at: self.consumed, what: what.into() })
    }

    fn byte(&mut self, of: &str) -> io::Result<u8> {
        let Some(&b) = self.inner.fill_buf()?.first() else {
            return Err(self.ended(format!("the file ends inside a gzip {of}")));
        };
        self.inner.consume(1);
        self.consumed += 1;
        Ok(b)
    }

    fn skip(&mut self, n: usize, of: &str) -> io::Result<()> {
        for _ in 0..n {
            self.byte(of)?;
        }
        Ok(())
    }

    fn word(&mut self, of: &str) -> io::Result<u32> {
        let mut le = [0u8; 4];
        for b in &mut le {
            *b = self.byte(of)?;
        }
        Ok(u32::from_le_bytes(le))
    }

    fn header(&mut self) -> io::Result<()> {
        let start = self.consumed;
        let (id1, id2) = (self.byte("header")?, self.byte("header")?);
        if (id1, id2) != (0x1f, 0x8b) {
            self.consumed = start;
            return Err(self.broke("not a gzip member"));
        }
        if self.byte("header")? != 8 {
            return Err(self.broke("a gzip member compressed with a method other than deflate"));
        }
        let flags = self.byte("header")?;
        if flags & RESERVED != 0 {
            return Err(self.broke("a gzip header with reserved flags set"));
        }
        // Modification time, extra flags, operating system.
        self.skip(6, "header")?;
        if flags & FEXTRA != 0 {
            let len = u16::from_le_bytes([self.byte("header")?, self.byte("header")?]);
            self.skip(usize::from(len), "header")?;
        }
        for flag in [FNAME, FCOMMENT] {
            if flags & flag != 0 {
                while self.byte("header")? != 0 {}
            }
        }
        if flags & FHCRC != 0 {
            self.skip(2, "header")?;
        }
        Ok(())
    }

    /// Inflates into `out`: bytes decoded, and whether the member's deflate stream ended
    /// (or where it broke: the bytes decoded before the damage count all the same).
    fn body(&mut self, out: &mut [u8]) -> (usize, io::Result<bool>) {
        let input = match self.inner.fill_buf() {
            Ok([]) => return (0, Err(self.ended("the file ends inside compressed data"))),
            Ok(input) => input,
            Err(e) => return (0, Err(e)),
        };
        let (was_in, was_out) = (self.inflate.total_in(), self.inflate.total_out());
        let status = self.inflate.decompress(input, out, FlushDecompress::None);
        let used = (self.inflate.total_in() - was_in) as usize;
        let made = (self.inflate.total_out() - was_out) as usize;
        self.inner.consume(used);
        self.consumed += used as u64;
        self.crc.update(&out[..made]);
        let ended = match status {
            Ok(Status::StreamEnd) => Ok(true),
            Ok(_) if used == 0 && made == 0 => Err(self.broke("corrupt deflate stream (no progress)")),
            Ok(_) => Ok(false),
            Err(e) => {
                let why = e.to_string();
                Err(self.broke(if why.is_empty() {
                    "corrupt deflate stream".to_string()
                } else {
                    format!("corrupt deflate stream: {why}")
                }))
            }
        };
        (made, ended)
    }

    /// The member's check values, then the next member or the end.
    fn trailer(&mut self) -> io::Result<Part> {
        let (crc, size) = (self.word("trailer")?, self.word("trailer")?);
        if crc != self.crc.sum() {
            return Err(self.broke("gzip data damaged: its CRC does not match"));
        }
        if size != self.crc.amount() {
            return Err(self.broke("gzip data damaged: its length does not match"));
        }
        self.inflate.reset(false);
        self.crc.reset();
        Ok(if self.inner.fill_buf()?.is_empty() { Part::End } else { Part::Header })
    }

    fn step(&mut self, out: &mut [u8], made: &mut usize) -> io::Result<Part> {
        match self.part {
            Part::Header => self.header().map(|()| Part::Body),
            Part::Body => {
                let (n, ended) = self.body(&mut out[*made..]);
                *made += n;
                Ok(if ended? { Part::Trailer } else { Part::Body })
            }
            Part::Trailer => self.trailer(),
            Part::End => Ok(Part::End),
        }
    }
}

impl<R: BufRead> Read for GzipReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        let mut made = 0;
        while made < out.len() && self.part != Part::End {
            match self.step(out, &mut made) {
                Ok(part) => self.part = part,
                // An interrupted read of the file is asked again by the caller.
                Err(e) if e.kind() == io::ErrorKind::Interrupted && made == 0 => return Err(e),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => break,
                Err(e) => {
                    self.part = Part::End;
                    if made == 0 {
                        return Err(e);
                    }
                    self.pending = Some(e);
                    break;
                }
            }
        }
        Ok(made)
    }
}

#[cfg(test)]
mod tests {
    use super::super::open::broke_at;
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn text(lines: usize) -> Vec<u8> {
        (0..lines)
            .flat_map(|i| format!("line {i} of some log text {}\n", i * 7919 % 1000).into_bytes())
            .collect()
    }

    /// Reads all, in `chunk`-byte calls: what came, and the error that ended it.
    fn read_all(data: &[u8], chunk: usize) -> (Vec<u8>, Option<io::Error>) {
        super::super::read_all_of(GzipReader::new(io::BufReader::with_capacity(256 * 1024, data)), chunk)
    }

    #[test]
    fn members_appended_read_as_one_stream() {
        let (a, b) = (text(3000), text(10));
        let mut data = gzip(&a);
        data.extend(gzip(b""));
        data.extend(gzip(&b));
        // A header with every optional field.
        let mut c = gzip(b"last\n");
        c[3] = FEXTRA | FNAME | FCOMMENT | FHCRC;
        let rest = c.split_off(10);
        c.extend([3, 0, b'x', b'y', b'z']);
        c.extend(b"name\0comment\0\x12\x34");
        c.extend(rest);
        data.extend(c);
        for chunk in [1, 7, 4096, 1 << 20] {
            let (out, e) = read_all(&data, chunk);
            assert!(e.is_none(), "{chunk}: {e:?}");
            assert_eq!(out, [&a[..], &b[..], b"last\n"].concat(), "{chunk}");
        }
    }

    #[test]
    fn damage_gives_everything_before_it_and_where_it_is() {
        let log = text(40_000);
        let data = gzip(&log);
        let mut decode_errors = 0;
        for at in (data.len() / 2..data.len() - 100).step_by(997).take(40) {
            let mut damaged = data.clone();
            damaged[at..at + 8].copy_from_slice(b"\xff\xff\xff\xff\x00\x00\x13\x37");
            // One byte a call loses at most that byte: what a careful decoder recovers.
            let (want, _) = read_all(&damaged, 1);
            assert!(want.len() > log.len() / 3, "{at}: {}", want.len());
            // A megabyte a call, from a buffer that holds the whole damaged member: one
            // inflate call meets the damage after decoding most of the file.
            let (got, e) = read_all(&damaged, 1 << 20);
            assert_eq!(got.len(), want.len(), "{at}");
            assert!(got == want, "{at}");
            let e = e.expect("an error");
            decode_errors += usize::from(e.to_string().starts_with("corrupt deflate stream"));
            // Damage can decode to garbage for a while, even to the member's end, where the
            // CRC catches it: the error is named at or after the damage, never before.
            let found = broke_at(&e).unwrap() as usize;
            assert!(found >= at && found <= data.len(), "{at}: {found} of {}", data.len());
        }
        assert!(decode_errors > 10, "{decode_errors}");
    }

    #[test]
    fn a_cut_file_ends_where_it_was_cut() {
        let log = text(20_000);
        let data = gzip(&log);
        for cut in [1, 5, 12, data.len() / 2, data.len() - 4] {
            let (got, e) = read_all(&data[..cut], 1 << 20);
            assert!(log.starts_with(&got), "{cut}");
            let e = e.expect("an error");
            assert_eq!(broke_at(&e), Some(cut as u64), "{cut}: {e}");
        }
        let (_, e) = read_all(&[data.clone(), b"junk".to_vec()].concat(), 1 << 20);
        let e = e.expect("junk after the last member is an error");
        assert_eq!(broke_at(&e), Some(data.len() as u64), "{e}");
    }

    #[test]
    fn a_damaged_check_value_is_an_error() {
        let mut data = gzip(&text(100));
        let n = data.len();
        data[n - 8] ^= 1;
        let (got, e) = read_all(&data, 1 << 20);
        assert_eq!(got, text(100));
        assert!(e.unwrap().to_string().contains("CRC"));
    }
}
