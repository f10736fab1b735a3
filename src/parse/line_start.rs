//! Where a line begins: past its lead, what comes before it and is no part of it (a
//! byte-order mark, NUL bytes).

/// UTF-8's byte-order mark, which Windows tools (PowerShell's `Out-File`, Notepad) write
/// at the start of a file: before a line, it is no part of it.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `line` without its lead.
pub fn strip_lead(line: &[u8]) -> &[u8] {
    &line[past_lead(line, 0)..]
}

/// Where the line at `start` begins, past a byte-order mark or NUL bytes: for a line read
/// alone (the sample detection reads, `explain`'s); a run's chunks look for a mark in a
/// file's first line only, and for NULs before every line (see `chunk_loop`).
#[inline(always)]
pub(super) fn past_lead(data: &[u8], start: usize) -> usize {
    if data.get(start) == Some(&BOM[0]) && data[start..].starts_with(BOM) {
        start + BOM.len()
    } else if data.get(start) == Some(&0) {
        after_nuls(data, start)
    } else {
        start
    }
}

/// Where the line at `start` begins, past the NUL bytes before it: what a file truncated
/// under a writer that does not append (`copytruncate`, a shell's `>`) holds where its
/// old content was, or a crash leaves of blocks never written. They are no part of the
/// line that follows them, whose client they would otherwise become.
#[cold]
#[inline(never)]
pub(super) fn after_nuls(data: &[u8], start: usize) -> usize {
    data[start..].iter().position(|&b| b != 0).map_or(data.len(), |i| start + i)
}
