//! Newline-aligned blocks: large reads into recycled buffers, split at the last newline,
//! the tail carried into the next block. No per-line allocation, no `read_until`.
//!
//! A line longer than [`MAX_LINE`] is not held whole: its first bytes are delivered as a
//! block of their own, marked [`Block::cut`], and the rest of it is read and dropped, so
//! that it is still one line (one malformed line) and every later line keeps its number.

use std::io::{self, Read};

/// A run of whole lines (the last block of an input may end without a newline).
pub struct Block {
    pub data: BlockData,
    /// Decoded byte offset of `data[0]` in its input.
    pub offset: u64,
    /// Set on the last block of an input that broke: its data is what was read before.
    pub error: Option<io::Error>,
    /// The block is the first bytes of a line longer than [`MAX_LINE`] and nothing else (it
    /// holds no newline); the rest of that line was dropped. Its one line is to be counted
    /// once, as malformed, whatever a format makes of the piece.
    pub cut: bool,
}

/// A block's bytes: read into a buffer, or in place in a file's map.
pub enum BlockData {
    Owned(Vec<u8>),
    Mapped(super::mapped::MappedRange),
}

impl BlockData {
    /// The buffer to read the next block into (a mapped block has none).
    pub fn into_buffer(self) -> Vec<u8> {
        match self {
            BlockData::Owned(buf) => buf,
            BlockData::Mapped(_) => Vec::new(),
        }
    }

    /// Whether the block is mapped and its map read past its file's end (the file was
    /// truncated since it was mapped): an atomic load, for a check on every line.
    pub fn shrank(&self) -> bool {
        match self {
            BlockData::Owned(_) => false,
            BlockData::Mapped(range) => range.shrank(),
        }
    }

    /// For a mapped block of a file truncated since it was mapped: how many of its bytes
    /// are still the file's, and the error to end the input with.
    pub fn shrunk(&self) -> Option<(usize, io::Error)> {
        match self {
            BlockData::Owned(_) => None,
            BlockData::Mapped(range) => range.shrunk(),
        }
    }

    /// Keeps the first `len` bytes.
    pub fn shorten(&mut self, len: usize) {
        match self {
            BlockData::Owned(buf) => buf.truncate(len),
            BlockData::Mapped(range) => range.shorten(len),
        }
    }
}

impl std::ops::Deref for BlockData {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            BlockData::Owned(buf) => buf,
            BlockData::Mapped(range) => range.bytes(),
        }
    }
}

/// The longest line kept whole. Real log lines are a few kilobytes at most.
pub const MAX_LINE: usize = 16 << 20;

/// The largest block asked for: a block plus a longest line stays far below 4 GiB, so
/// later stages can address lines in it with 32 bits.
pub const MAX_BLOCK: usize = 1 << 30;

/// What an input's blocks are read from.
pub enum Feed {
    /// A reader, and bytes already read from it (they come first).
    Read { reader: Box<dyn Read + Send>, prelude: Vec<u8> },
    /// A plain file, in place.
    Mapped(super::MappedBlocks),
}

impl Feed {
    // Without a map (not unix) a mapped feed has no values.
    #[cfg_attr(not(unix), allow(unreachable_code))]
    pub fn blocks(self, block_size: usize) -> Blocks {
        match self {
            Feed::Read { reader, prelude } => Blocks::Read(BlockReader::new(reader, prelude, block_size)),
            Feed::Mapped(mapped) => Blocks::Mapped(mapped.with_block_size(block_size)),
        }
    }
}

/// An input's blocks, in order.
pub enum Blocks {
    Read(BlockReader<Box<dyn Read + Send>>),
    Mapped(super::MappedBlocks),
}

impl Blocks {
    /// The next block, read into `buf` (a recycled buffer) when it is read at all.
    pub fn next_block(&mut self, buf: Vec<u8>) -> Option<Block> {
        match self {
            Blocks::Read(reader) => reader.next_block(buf),
            Blocks::Mapped(mapped) => mapped.next_block(),
        }
    }
}

pub struct BlockReader<R> {
    reader: R,
    carry: Vec<u8>,
    offset: u64,
    block_size: usize,
    done: bool,
    /// Inside a line that was cut: what is read up to its newline is dropped.
    skipping: bool,
}

impl<R: Read> BlockReader<R> {
    /// `prelude` is data already read from `reader` (it is delivered first).
    pub fn new(reader: R, prelude: Vec<u8>, block_size: usize) -> BlockReader<R> {
        BlockReader {
            reader,
            carry: prelude,
            offset: 0,
            block_size: block_size.clamp(1024, MAX_BLOCK),
            done: false,
            skipping: false,
        }
    }

    /// Fills `buf` (a recycled buffer; its contents are discarded) with the next block.
    pub fn next_block(&mut self, mut buf: Vec<u8>) -> Option<Block> {
        if self.skipping {
            if let Err(error) = self.skip_line(&mut buf) {
                buf.clear();
                return Some(Block {
                    data: BlockData::Owned(buf),
                    offset: self.offset,
                    error: Some(error),
                    cut: false,
                });
            }
        }
        if self.done {
            return None;
        }
        // The buffer keeps its length between uses: zeroing it again for every block
        // cost more than parsing some of the lines in it.
        let mut filled = self.carry.len();
        if buf.len() < filled {
            buf.resize(filled, 0);
        }
        buf[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        let mut error = None;
        let mut eof = false;
        // Read until the buffer holds a block's worth with at least one newline, scanning
        // each byte for a newline once. A line longer than MAX_LINE ends the block
        // anyway: it is cut (and counted malformed) rather than held in memory whole.
        let mut scanned = 0;
        let mut has_newline = false;
        loop {
            if !has_newline && filled > scanned {
                has_newline = memchr::memchr(b'\n', &buf[scanned..filled]).is_some();
                scanned = filled;
            }
            if filled >= self.block_size && (has_newline || filled >= self.block_size + MAX_LINE) {
                break;
            }
            let want = self.block_size.max(filled + 64 * 1024);
            if buf.len() < want {
                buf.resize(want, 0);
            }
            match self.reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        buf.truncate(filled);
        let mut cut = false;
        if eof || error.is_some() {
            self.done = true;
        } else if let Some(nl) = memchr::memrchr(b'\n', &buf) {
            self.carry.extend_from_slice(&buf[nl + 1..]);
            buf.truncate(nl + 1);
        } else {
            // No newline at all: the start of a line longer than MAX_LINE (a block always
            // begins at a line's start).
            cut = true;
            self.skipping = true;
        }
        if buf.is_empty() && error.is_none() {
            return None;
        }
        let offset = self.offset;
        self.offset += buf.len() as u64;
        Some(Block { data: BlockData::Owned(buf), offset, error, cut })
    }

    /// Reads past the rest of a cut line, through its newline; what follows it is carried
    /// into the next block. `buf` is only scratch.
    fn skip_line(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        if buf.len() < 64 * 1024 {
            buf.resize(64 * 1024, 0);
        }
        loop {
            match self.reader.read(buf) {
                Ok(0) => {
                    self.done = true;
                    return Ok(());
                }
                Ok(n) => match memchr::memchr(b'\n', &buf[..n]) {
                    Some(i) => {
                        self.offset += (i + 1) as u64;
                        self.carry.extend_from_slice(&buf[i + 1..n]);
                        self.skipping = false;
                        return Ok(());
                    }
                    None => self.offset += n as u64,
                },
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(data: &[u8], prelude: &[u8], size: usize) -> Vec<Vec<u8>> {
        blocks(data, prelude, size).into_iter().map(|b| b.data.into_buffer()).collect()
    }

    fn blocks(data: &[u8], prelude: &[u8], size: usize) -> Vec<Block> {
        let mut r = BlockReader::new(data, prelude.to_vec(), size);
        let mut out = Vec::new();
        while let Some(b) = r.next_block(Vec::new()) {
            assert!(b.error.is_none());
            out.push(b);
        }
        out
    }

    #[test]
    fn blocks_end_on_newlines_and_lose_nothing() {
        let text: Vec<u8> = (0..5000).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        for size in [1024, 4096, 100_000] {
            let blocks = collect(&text, b"", size);
            assert!(blocks[..blocks.len() - 1].iter().all(|b| b.ends_with(b"\n")));
            assert_eq!(blocks.concat(), text);
        }
    }

    #[test]
    fn prelude_comes_first_and_missing_final_newline_is_kept() {
        let blocks = collect(b"c\nd", b"a\nb\n", 1024);
        assert_eq!(blocks.concat(), b"a\nb\nc\nd");
    }

    #[test]
    fn a_line_longer_than_a_block_is_not_split() {
        let long = vec![b'x'; 5000];
        let mut text = long.clone();
        text.extend_from_slice(b"\nshort\n");
        let blocks = collect(&text, b"", 1024);
        assert!(blocks[0].len() >= 5001 && blocks[0].ends_with(b"\n"));
        assert_eq!(blocks.concat(), text);
    }

    /// One piece of the long line, flagged, then the lines after it at their true offsets,
    /// whether the line starts a block or follows other lines, and ends in a newline or
    /// the input.
    #[test]
    fn a_line_longer_than_the_limit_is_cut_once_and_its_rest_dropped() {
        for before in [&b""[..], b"first\nsecond\n"] {
            let mut text = before.to_vec();
            text.extend(vec![b'x'; 2 * MAX_LINE + 200_000]);
            let after = text.len() + 1;
            text.extend_from_slice(b"\nshort\nlast");
            let blocks = blocks(&text, b"", 1024);
            let cut: Vec<&Block> = blocks.iter().filter(|b| b.cut).collect();
            assert_eq!(cut.len(), 1);
            assert!(cut[0].data.len() <= MAX_LINE + 1024 + 64 * 1024 && !cut[0].data.contains(&b'\n'));
            assert!(cut[0].data.iter().all(|&b| b == b'x'));
            let last = blocks.last().unwrap();
            assert_eq!((last.offset, &last.data[..]), (after as u64, &b"short\nlast"[..]));
            let kept: Vec<u8> = blocks.iter().filter(|b| !b.cut).flat_map(|b| b.data.to_vec()).collect();
            assert_eq!([before, b"short\nlast"].concat(), kept);

            let mut unended = text[..after - 1].to_vec();
            unended.truncate(before.len() + MAX_LINE + 100_000);
            let blocks = self::blocks(&unended, b"", 1024);
            assert_eq!(blocks.iter().filter(|b| b.cut).count(), 1, "a long last line without a newline");
        }
    }

    struct Broken(usize);
    impl Read for Broken {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "boom"));
            }
            let n = self.0.min(buf.len());
            buf[..n].fill(b'a');
            buf[n - 1] = b'\n';
            self.0 -= n;
            Ok(n)
        }
    }

    #[test]
    fn an_error_ends_the_input_with_what_was_read() {
        let mut r = BlockReader::new(Broken(3000), Vec::new(), 1024);
        let mut total = 0;
        let mut errors = 0;
        while let Some(b) = r.next_block(Vec::new()) {
            total += b.data.len();
            errors += usize::from(b.error.is_some());
        }
        assert_eq!((total, errors), (3000, 1));
    }
}
