//! Plain files read in place, through a memory map, instead of copied into buffers: the
//! kernel's copy was a sixth of a plain run's CPU time, on a machine where every core is
//! busy parsing. Blocks are ranges of the map, on the same line boundaries as
//! [`BlockReader`](super::BlockReader)'s; the reading thread maps each block's pages
//! before the parsers read them (waiting on the disk there, as it did for `read`), and
//! drops them from the process once the block is consumed, so that memory stays that of a
//! few blocks whatever the file's size.
//!
//! A map has one hazard `read` has not: a file truncated while it is read (a log rotated
//! with `copytruncate`) turns every access past its new end into SIGBUS, which kills the
//! process. Mapping a block's pages in first reports a truncation as an error instead;
//! for a truncation after that, while parsers read the block, [`guard`] catches the
//! signal, maps zeros where the file was, and marks the map: the input then ends with an
//! error naming the file, as a broken gzip does.

use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::{Block, BlockData, MAX_LINE};

/// A read-only map of a file, from a page boundary to the end the file had when mapped.
pub struct Mapping {
    ptr: *mut libc::c_void,
    len: usize,
    /// The file mapped, and the offset in it of the map's first byte.
    file: File,
    base: u64,
    /// Its place among the ranges the SIGBUS guard knows.
    slot: usize,
    /// Pages before this were let go (see [`MappedRange`]'s drop).
    released: AtomicUsize,
}

// SAFETY: the map is read-only and never moves; it is unmapped only when dropped, by
// whoever holds the last reference.
unsafe impl Send for Mapping {}
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `len` bytes of `file` from `offset` (a multiple of the page size). `None` when
    /// the guard has no room for another map (the caller reads the file instead).
    fn new(file: File, base: u64, len: usize) -> io::Result<Option<Mapping>> {
        use std::os::fd::AsRawFd;
        guard::install()?;
        let offset = libc::off_t::try_from(base).map_err(io::Error::other)?;
        // SAFETY: a fresh read-only private map of an open file; nothing aliases it.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let Some(slot) = guard::register(ptr as usize, len) else {
            // SAFETY: the map just made, used by nothing yet.
            unsafe { libc::munmap(ptr, len) };
            return Ok(None);
        };
        // SAFETY: advice on the map just made; a kernel without it ignores it harmlessly.
        unsafe { libc::madvise(ptr, len, libc::MADV_SEQUENTIAL) };
        Ok(Some(Mapping { ptr, len, file, base, slot, released: AtomicUsize::new(0) }))
    }

    /// The file's size now (`None` when it cannot be told).
    fn file_len(&self) -> Option<u64> {
        self.file.metadata().map(|m| m.len()).ok()
    }

    /// Where in the map the file's bytes end now, given its size `now`: at that size, or
    /// before, at the first page the guard had to read as zeros (a file truncated and
    /// written again past it, or a page the disk could not read); the map's end when
    /// neither tells.
    fn valid_to(&self, now: Option<u64>) -> usize {
        let size = now.map_or(self.len, |now| {
            usize::try_from(now.saturating_sub(self.base)).unwrap_or(usize::MAX).min(self.len)
        });
        let zeroed = guard::zeroed_from(self.slot).map_or(self.len, |a| a.saturating_sub(self.ptr as usize));
        size.min(zeroed)
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `len` readable bytes from `ptr` for as long as `self` lives (a page past a
        // truncated file's end reads as zeros: see `guard`).
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }

    /// Whether the file shrank under the map while it was read.
    fn shrank(&self) -> bool {
        guard::shrank(self.slot)
    }

    /// Maps in the pages of `range` now, on the reading thread (which waits on the disk
    /// for them, if need be, rather than a parser). `false` when part of it is past the
    /// file's end (the file shrank since it was mapped: the guard read zeros there).
    fn populate(&self, range: std::ops::Range<usize>) -> bool {
        let page = guard::page_size();
        let from = range.start / page * page;
        if range.is_empty() || populate_read(self.ptr, from, range.end) {
            return !self.shrank();
        }
        // No such advice (Linux before 5.14, other systems), or a page past the file's end
        // (the advice fails where a read would fault): a read every 64 KiB, through the
        // guard, which the kernel answers by mapping the pages around each in memory.
        let mut at = from;
        while at < range.end {
            // SAFETY: within the map (`range` is); a volatile read, so that it is made.
            unsafe { std::ptr::read_volatile((self.ptr as *const u8).add(at)) };
            at += FAULT_AROUND;
        }
        !self.shrank()
    }

    /// Blocks are consumed in order: the pages before `end` are let go from the process,
    /// a few blocks' worth at a time (they stay in the page cache; read again, they would
    /// be mapped again). Pages still mapped count in the process's memory: 4 MiB keeps a
    /// run's peak within a few MiB of reading with `read` (16 MiB added 12 to every run,
    /// for no speed a paired run could see).
    fn release_to(&self, end: usize) {
        let from = self.released.load(Ordering::Relaxed);
        let page = guard::page_size();
        let to = end / page * page;
        if to < from + RELEASE_BATCH {
            return;
        }
        self.released.store(to, Ordering::Relaxed);
        // SAFETY: advice on pages of this map, which is read-only: nothing is lost.
        unsafe { libc::madvise(self.ptr.add(from), to - from, libc::MADV_DONTNEED) };
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        guard::unregister(self.slot);
        // SAFETY: the map made in `new`, no longer referenced (this is its last owner).
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

/// Bytes of consumed pages let go at once (see [`Mapping::release_to`]).
const RELEASE_BATCH: usize = 4 << 20;

/// What Linux maps around a page fault by default (`fault_around_bytes`).
const FAULT_AROUND: usize = 64 * 1024;

/// Maps in the map's pages `from..to` with one call, without faulting on them: `false`
/// when the system cannot (then nothing is known of those pages).
///
/// Why not a read every 64 KiB, which the kernel answers by mapping the 16 pages around
/// each: it does not always. On one of these machines (Linux 6.18, tmpfs) a log written half an
/// hour before faulted page by page (137,000 faults for 537 MB, 2.2 µs each: 0.30 s, most
/// on the parse threads) while a fresh copy of it faulted around (8,600); the advice mapped
/// the same pages in 0.034 s, where touching a file on ext4, which mapped around, took 0.046.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn populate_read(ptr: *mut libc::c_void, from: usize, to: usize) -> bool {
    // SAFETY: advice on pages of a read-only map (`from..to` lies within it): it maps in
    // what is there and fails, without a signal, where a read would fault.
    unsafe { libc::madvise(ptr.cast::<u8>().add(from).cast(), to - from, libc::MADV_POPULATE_READ) == 0 }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn populate_read(_: *mut libc::c_void, _: usize, _: usize) -> bool {
    false
}

/// A block's bytes in a map.
pub struct MappedRange {
    map: Arc<Mapping>,
    start: usize,
    end: usize,
}

impl MappedRange {
    pub fn bytes(&self) -> &[u8] {
        &self.map.bytes()[self.start..self.end]
    }

    /// Whether the file shrank under the map while the block was read: then it may hold
    /// zeros where the file's bytes were.
    pub fn shrank(&self) -> bool {
        self.map.shrank()
    }

    /// When the file's bytes now end before this block does (it was truncated since it
    /// was mapped): how many of the block's bytes are still the file's, and the error to
    /// end the input with. Past that, the block reads zeros, or soon would.
    pub fn shrunk(&self) -> Option<(usize, io::Error)> {
        let now = self.map.file_len();
        let valid = self.map.valid_to(now);
        if valid >= self.end {
            return None;
        }
        let by_size = now.is_some_and(|n| n < self.map.base + self.end as u64);
        Some((valid.saturating_sub(self.start), if by_size { shrank(now) } else { unreadable() }))
    }

    /// Keeps the first `len` bytes of the block.
    pub fn shorten(&mut self, len: usize) {
        self.end = self.end.min(self.start + len);
    }
}

impl Drop for MappedRange {
    fn drop(&mut self) {
        self.map.release_to(self.end);
    }
}

/// A plain file's blocks, as ranges of its map.
pub struct MappedBlocks {
    map: Arc<Mapping>,
    /// The next block starts here, in the map.
    pos: usize,
    /// What is handed on ends here: the map's end, or its last newline when the last line
    /// is still being written.
    end: usize,
    /// Where the first block starts in the map: block offsets count from there, as
    /// [`BlockReader`](super::BlockReader)'s count from where its reader starts.
    first: usize,
    block_size: usize,
    raw: Arc<AtomicU64>,
    consumed: Arc<AtomicU64>,
    done: bool,
}

impl MappedBlocks {
    /// `file` (a regular file of `len` bytes when opened) from `offset`, mapped; `None`
    /// when it cannot be mapped (it is then read). With `hold_tail`, a last line without
    /// its newline is left for the next run, as [`WholeLines`](super::WholeLines) does.
    /// `raw` and `consumed` count the bytes handed on.
    pub fn open(
        file: File,
        offset: u64,
        hold_tail: bool,
        raw: Arc<AtomicU64>,
        consumed: Arc<AtomicU64>,
    ) -> Option<MappedBlocks> {
        let len = file.metadata().ok().filter(|m| m.is_file())?.len();
        // Nothing to map (an empty map is an error).
        if len <= offset {
            return None;
        }
        let page = guard::page_size() as u64;
        let base = offset / page * page;
        let map = Mapping::new(file, base, usize::try_from(len - base).ok()?).ok()??;
        let pos = (offset - base) as usize;
        let mut end = map.len;
        if hold_tail {
            let tail = map.bytes()[pos..].iter().rev().position(|&b| b == b'\n').unwrap_or(end - pos);
            // A "line" longer than MAX_LINE is handed on anyway: it is cut as malformed.
            if tail <= MAX_LINE {
                end -= tail;
            }
        }
        Some(MappedBlocks {
            map: Arc::new(map),
            pos,
            end,
            first: pos,
            block_size: DEFAULT_BLOCK,
            raw,
            consumed,
            done: false,
        })
    }

    /// Blocks of about `block_size` bytes.
    pub fn with_block_size(mut self, block_size: usize) -> MappedBlocks {
        self.block_size = block_size.clamp(1024, super::blocks::MAX_BLOCK);
        self
    }

    /// Where the next block ends, and whether it is the cut start of a line longer than
    /// [`MAX_LINE`] (then the line's rest is skipped).
    fn next_end(&self) -> (usize, bool) {
        let data = &self.map.bytes()[..self.end];
        let (pos, size) = (self.pos, self.block_size);
        if self.end - pos <= size {
            return (self.end, false);
        }
        if let Some(i) = memchr::memrchr(b'\n', &data[pos..pos + size]) {
            return (pos + i + 1, false);
        }
        let far = (pos + size + MAX_LINE).min(self.end);
        match memchr::memchr(b'\n', &data[pos + size..far]) {
            Some(i) => (pos + size + i + 1, false),
            None if far == self.end => (self.end, false),
            None => (far, true),
        }
    }

    /// The next block; `None` at the end. Its data is in the map.
    pub fn next_block(&mut self) -> Option<Block> {
        if self.done {
            return None;
        }
        let start = self.pos;
        if start >= self.end {
            self.done = true;
            // A file cut within its last page reads zeros there, with no signal: its
            // size, now that all is read, tells.
            let mapped_to = self.map.base + self.map.len as u64;
            return self.map.file_len().is_some_and(|now| now < mapped_to).then(|| self.shrank_at(start));
        }
        // Mapped in before the newline is looked for: a look past a truncated file's end
        // would find the guard's zeros instead of this error.
        let first = self.end.min(start + self.block_size);
        if !self.map.populate(start..first) {
            return Some(self.shrank_at(start));
        }
        let (end, cut) = self.next_end();
        // Only a line running past the first guess is new; the check is made again either way.
        if !self.map.populate(first.min(end)..end) {
            return Some(self.shrank_at(start));
        }
        self.pos = if cut {
            match memchr::memchr(b'\n', &self.map.bytes()[end..self.end]) {
                Some(i) => end + i + 1,
                None => self.end,
            }
        } else {
            end
        };
        let handed = (self.pos - start) as u64;
        self.raw.fetch_add(handed, Ordering::Relaxed);
        self.consumed.fetch_add(handed, Ordering::Relaxed);
        Some(self.block(start, end, None, cut))
    }

    /// The input's end, the file having shrunk under the map: the whole lines from
    /// `start` that are still the file's, with the error.
    fn shrank_at(&mut self, start: usize) -> Block {
        self.done = true;
        let now = self.map.file_len();
        // No further than the block asked for: the rest of the file may lie beyond, and a
        // file whose size cannot be told keeps nothing.
        let upto = self.end.min(start + self.block_size).max(start);
        let valid = if now.is_some() { self.map.valid_to(now).clamp(start, upto) } else { start };
        let end = memchr::memrchr(b'\n', &self.map.bytes()[start..valid]).map_or(start, |i| start + i + 1);
        let handed = (end - start) as u64;
        self.raw.fetch_add(handed, Ordering::Relaxed);
        self.consumed.fetch_add(handed, Ordering::Relaxed);
        self.block(start, end, Some(shrank(now)), false)
    }

    fn block(&self, start: usize, end: usize, error: Option<io::Error>, cut: bool) -> Block {
        let data = BlockData::Mapped(MappedRange { map: self.map.clone(), start, end });
        Block { data, offset: (start - self.first) as u64, error, cut }
    }
}

/// A plain file at `path`, mapped from decoded byte `offset` (see [`MappedBlocks::open`]);
/// `None` when it is not mapped (too small, not a regular file, compressed after all,
/// cannot be opened: the caller reads it, and reports what breaks).
pub fn map_at(
    path: &std::path::Path,
    offset: u64,
    hold_tail: bool,
    raw: &Arc<AtomicU64>,
    consumed: &Arc<AtomicU64>,
) -> Option<MappedBlocks> {
    use std::os::unix::fs::FileExt;
    let file = File::open(path).ok()?;
    // The file was sniffed as plain; one replaced since by a compressed one is read, and
    // decoded, the usual way.
    let mut head = [0u8; 16];
    let n = file.read_at(&mut head, 0).ok()?;
    if super::Compression::of(&head[..n]).is_some() {
        return None;
    }
    MappedBlocks::open(file, offset, hold_tail, raw.clone(), consumed.clone())
}

/// Blocks of this size unless told (the engine always tells).
const DEFAULT_BLOCK: usize = 1 << 20;

/// The error of a file that shrank while it was read (to `now` bytes, when known).
fn shrank(now: Option<u64>) -> io::Error {
    let to = now.map(|n| format!(" to {n} bytes")).unwrap_or_default();
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the file shrank{to} while it was read (truncated, or rotated with copytruncate?)"),
    )
}

/// The error of a page of a file that could not be read through its map though the file
/// is long enough: truncated and written again past it while it was read, or a disk error.
fn unreadable() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "part of the file could no longer be read while it was read (truncated and written again, or a disk error?)",
    )
}

mod guard;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(text: &[u8]) -> (tempfile::NamedTempFile, File) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text).unwrap();
        f.flush().unwrap();
        let file = File::open(f.path()).unwrap();
        (f, file)
    }

    fn lines(n: usize) -> Vec<u8> {
        (0..n).flat_map(|i| format!("line number {i} {}\n", "x".repeat(i % 300)).into_bytes()).collect()
    }

    /// `text` mapped in 64 KiB blocks, its first block taken, then its file cut to the
    /// size `cut` gives from that block.
    fn cut_after_first_block(
        text: &[u8],
        cut: impl FnOnce(&Block) -> u64,
    ) -> (tempfile::NamedTempFile, MappedBlocks, Block) {
        let (f, file) = file_with(text);
        let mut blocks = MappedBlocks::open(file, 0, false, Arc::default(), Arc::default())
            .unwrap()
            .with_block_size(64 * 1024);
        let first = blocks.next_block().unwrap();
        std::fs::OpenOptions::new().write(true).open(f.path()).unwrap().set_len(cut(&first)).unwrap();
        (f, blocks, first)
    }

    fn all_blocks(mut blocks: MappedBlocks) -> Vec<Block> {
        std::iter::from_fn(|| blocks.next_block()).collect()
    }

    #[test]
    fn blocks_are_the_file_in_whole_lines_from_any_offset() {
        let text = lines(5000);
        let (_f, file) = file_with(&text);
        for (offset, size) in [(0, 1024), (0, 100_000), (4096, 4096), (5000, 1 << 20)] {
            let offset = offset + memchr::memchr(b'\n', &text[offset..]).unwrap() + 1;
            let base = offset as u64;
            let counted = Arc::new(AtomicU64::new(0));
            let blocks = MappedBlocks::open(
                file.try_clone().unwrap(),
                offset as u64,
                false,
                Arc::default(),
                counted.clone(),
            )
            .unwrap()
            .with_block_size(size);
            let blocks = all_blocks(blocks);
            let mut at = 0;
            for b in &blocks {
                assert_eq!(b.offset, at, "offsets count from {base}");
                assert!(b.error.is_none() && !b.cut);
                at += b.data.len() as u64;
            }
            assert!(blocks[..blocks.len() - 1].iter().all(|b| b.data.ends_with(b"\n")));
            let joined: Vec<u8> = blocks.iter().flat_map(|b| b.data.to_vec()).collect();
            assert_eq!(joined, &text[offset..], "offset {offset}, blocks of {size}");
            assert_eq!(counted.load(Ordering::Relaxed), (text.len() - offset) as u64);
        }
    }

    #[test]
    fn a_line_longer_than_the_longest_kept_is_cut_once() {
        let mut text = b"first\n".to_vec();
        text.resize(6 + MAX_LINE + 5000, b'x');
        let after = text.len() + 1;
        text.extend_from_slice(b"\nshort\nlast");
        let (_f, file) = file_with(&text);
        let blocks =
            MappedBlocks::open(file, 0, false, Arc::default(), Arc::default()).unwrap().with_block_size(4096);
        let blocks = all_blocks(blocks);
        assert_eq!(&blocks[0].data[..], b"first\n");
        assert!(blocks[1].cut && blocks[1].data.iter().all(|&b| b == b'x'));
        assert_eq!(blocks.len(), 3);
        assert_eq!((blocks[2].offset, &blocks[2].data[..]), (after as u64, &b"short\nlast"[..]));
    }

    #[test]
    fn a_tail_being_written_is_held() {
        let mut text = lines(3000);
        text.extend_from_slice(b"half a li");
        let (_f, file) = file_with(&text);
        let blocks = MappedBlocks::open(file, 0, true, Arc::default(), Arc::default()).unwrap();
        let joined: Vec<u8> = all_blocks(blocks).iter().flat_map(|b| b.data.to_vec()).collect();
        assert_eq!(joined, &text[..text.len() - 9]);
    }

    #[test]
    fn a_file_truncated_under_its_map_ends_with_an_error_not_a_signal() {
        // Truncated while the first block is still to be parsed: its pages read as zeros
        // (no SIGBUS), the map says so, and the next block is an error naming the file.
        let (_f, mut blocks, first) = cut_after_first_block(&lines(20_000), |_| 0);
        assert!(first.error.is_none());
        assert!(first.data.iter().all(|&b| b == 0));
        match &first.data {
            BlockData::Mapped(range) => assert!(range.shrank()),
            BlockData::Owned(_) => panic!("a mapped block"),
        }
        // Handed on now, none of it would be kept: all of it is past the file's end.
        let (valid, error) = first.data.shrunk().expect("shrunk");
        assert_eq!(valid, 0);
        assert!(error.to_string().starts_with("the file shrank to 0 bytes"), "{error}");
        let next = blocks.next_block().unwrap();
        let error = next.error.expect("an error");
        assert!(next.data.is_empty());
        assert!(error.to_string().starts_with("the file shrank to 0 bytes while it was read"), "{error}");
        assert!(blocks.next_block().is_none());
    }

    #[test]
    fn a_file_cut_before_a_block_is_mapped_in_keeps_its_whole_lines_before_the_cut() {
        let text = lines(20_000);
        let (_f, blocks, first) = cut_after_first_block(&text, |first| first.data.len() as u64 + 100_007);
        let cut = first.data.len() + 100_007;
        let rest = all_blocks(blocks);
        let (last, before) = rest.split_last().unwrap();
        assert!(before.iter().all(|b| b.error.is_none()));
        let error = last.error.as_ref().expect("an error");
        assert!(error.to_string().starts_with(&format!("the file shrank to {cut} bytes")), "{error}");
        let joined: Vec<u8> = std::iter::once(&first).chain(&rest).flat_map(|b| b.data.to_vec()).collect();
        let whole = memchr::memrchr(b'\n', &text[..cut]).unwrap() + 1;
        assert!(joined == text[..whole], "{} bytes, want {whole}", joined.len());
    }

    #[test]
    fn a_page_read_as_zeros_ends_the_input_even_when_the_file_grows_back() {
        // Truncated, read past its end (the guard maps zeros there), then written again to
        // its old size: its size no longer tells, the zeroed page does.
        let text = lines(20_000);
        let (f, mut blocks, first) = cut_after_first_block(&text, |_| 0);
        assert_eq!(first.data[0], 0);
        std::fs::write(f.path(), &text).unwrap();
        let (valid, error) = first.data.shrunk().expect("cut at the zeroed page");
        assert_eq!(valid, 0);
        assert!(error.to_string().starts_with("part of the file could no longer be read"), "{error}");
        let next = blocks.next_block().unwrap();
        assert!(next.data.is_empty() && next.error.is_some());
        assert!(blocks.next_block().is_none());
    }

    #[test]
    fn a_file_cut_within_its_last_page_ends_with_an_error() {
        let text = lines(100);
        let (f, file) = file_with(&text);
        let mut blocks = MappedBlocks::open(file, 0, false, Arc::default(), Arc::default()).unwrap();
        let whole = blocks.next_block().unwrap();
        assert!(whole.error.is_none());
        // No signal for bytes cut from the last page (they read as zeros): the size does.
        let now = text.len() as u64 - 10;
        std::fs::OpenOptions::new().write(true).open(f.path()).unwrap().set_len(now).unwrap();
        let end = blocks.next_block().expect("an error at the end");
        assert!(end.data.is_empty() && end.offset == text.len() as u64);
        let error = end.error.expect("an error");
        assert!(error.to_string().starts_with(&format!("the file shrank to {now} bytes")), "{error}");
        assert!(blocks.next_block().is_none());
    }

    /// Every page of a block is in the map when the block is handed on, so parse threads
    /// take no faults on it, whether or not the file system maps pages around a fault
    /// (Linux 6.18's tmpfs does not: there a read every 64 KiB mapped one page in 16).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_blocks_pages_are_mapped_in_before_it_is_handed_on() {
        let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "." };
        let mut f = tempfile::NamedTempFile::new_in(dir).unwrap();
        f.write_all(&lines(40_000)).unwrap();
        let file = File::open(f.path()).unwrap();
        let mut blocks = MappedBlocks::open(file, 0, false, Arc::default(), Arc::default()).unwrap();
        let block = blocks.next_block().unwrap();
        let faults = || {
            // SAFETY: getrusage fills the struct it is given.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
            usage.ru_minflt
        };
        let page = guard::page_size();
        let before = faults();
        let sum: u64 = block.data.iter().step_by(page).map(|&b| u64::from(b)).sum();
        let taken = faults() - before;
        let pages = block.data.len() / page;
        assert!(sum > 0 && pages >= 64, "{pages} pages");
        assert!(taken <= 2, "{taken} faults reading {pages} pages mapped in");
    }

    #[test]
    fn empty_files_and_devices_are_read() {
        let open = |file| MappedBlocks::open(file, 0, false, Arc::default(), Arc::default());
        assert!(open(file_with(b"").1).is_none());
        assert!(open(File::open("/dev/null").unwrap()).is_none());
        let (_f, file) = file_with(b"one line\n");
        let blocks = all_blocks(open(file).unwrap());
        assert_eq!(&blocks[0].data[..], b"one line\n");
    }
}
