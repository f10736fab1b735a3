//! An input sorted by time, through temporary files, for a log too far out of order to be
//! read as it comes (reversed, shuffled, halves swapped).
//!
//! Lines are read in runs that fit the memory given, each run sorted by (time, place in the
//! input) and written to a temporary file, and the runs merged into one more temporary
//! file, which the run reads instead of the input. A line without a time (malformed) keeps
//! the time of the line before it, so that it stays among its neighbours.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use tempfile::NamedTempFile;

use crate::input::{self, InputError, Source};
use crate::parse::{Format, LineCx};

/// An input sorted by time, in a temporary file removed when this is dropped.
pub struct Sorted(NamedTempFile);

impl Sorted {
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// One line of a run: its time, its place in the input, its bytes.
struct Entry {
    time: i64,
    seq: u64,
    line: Vec<u8>,
}

/// Sorts `source` (read as `format`) by time, holding about `memory` bytes of lines at once.
pub fn by_time(source: &Source, format: &Format, memory: usize) -> Result<Sorted, InputError> {
    let name = source.name();
    let failed = |e: io::Error| InputError::Sort { path: name.clone(), source: e };
    let raw = Arc::new(AtomicU64::new(0));
    let opened = input::open(source, raw.clone())?;
    let mut reader = BufReader::with_capacity(1 << 20, opened.reader);
    let mut cx = LineCx::default();
    let mut runs: Vec<NamedTempFile> = Vec::new();
    let mut run: Vec<Entry> = Vec::new();
    let (mut held, mut seq, mut last_time, mut offset) = (0usize, 0u64, i64::MIN, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => offset += n as u64,
            Err(e) => {
                let raw = raw.load(std::sync::atomic::Ordering::Relaxed);
                return Err(input::read_error(source, opened.compression, offset, raw, e));
            }
        }
        if line.last() != Some(&b'\n') {
            line.push(b'\n');
        }
        // The file's byte-order mark, which a run skips only at the start of an input.
        if seq == 0 && line.starts_with(b"\xEF\xBB\xBF") {
            line.drain(..3);
        }
        let body = &line[..line.len() - 1];
        if let Some(t) = format.parse(body, &mut cx).hit().map(|h| h.time) {
            last_time = t;
        }
        held += line.len() + 32;
        run.push(Entry { time: last_time, seq, line: line.clone() });
        seq += 1;
        if held >= memory {
            runs.push(write_run(&mut run).map_err(failed)?);
            held = 0;
        }
    }
    let mut out = NamedTempFile::new().map_err(failed)?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, out.as_file_mut());
        if runs.is_empty() {
            run.sort_unstable_by_key(|e| (e.time, e.seq));
            for e in &run {
                w.write_all(&e.line).map_err(failed)?;
            }
        } else {
            if !run.is_empty() {
                runs.push(write_run(&mut run).map_err(failed)?);
            }
            merge_runs(&runs, &mut w).map_err(failed)?;
        }
        w.flush().map_err(failed)?;
    }
    Ok(Sorted(out))
}

/// Sorts a run and writes it to a temporary file of records: time, place, length, bytes.
fn write_run(run: &mut Vec<Entry>) -> io::Result<NamedTempFile> {
    run.sort_unstable_by_key(|e| (e.time, e.seq));
    let mut file = NamedTempFile::new()?;
    let mut w = BufWriter::with_capacity(1 << 20, file.as_file_mut());
    for e in run.drain(..) {
        w.write_all(&e.time.to_le_bytes())?;
        w.write_all(&e.seq.to_le_bytes())?;
        w.write_all(&(e.line.len() as u64).to_le_bytes())?;
        w.write_all(&e.line)?;
    }
    w.flush()?;
    drop(w);
    Ok(file)
}

fn read_entry(r: &mut impl Read) -> io::Result<Option<Entry>> {
    let mut head = [0u8; 24];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let word = |i: usize| <[u8; 8]>::try_from(&head[i..i + 8]).expect("8 bytes");
    let (time, seq, len) =
        (i64::from_le_bytes(word(0)), u64::from_le_bytes(word(8)), u64::from_le_bytes(word(16)));
    let mut line = vec![0; len as usize];
    r.read_exact(&mut line)?;
    Ok(Some(Entry { time, seq, line }))
}

/// Merges sorted runs into `out`, in (time, place) order.
fn merge_runs(runs: &[NamedTempFile], out: &mut impl Write) -> io::Result<()> {
    let mut readers: Vec<BufReader<File>> = runs
        .iter()
        .map(|r| r.reopen().map(|f| BufReader::with_capacity(1 << 16, f)))
        .collect::<Result<_, _>>()?;
    let mut heap = BinaryHeap::new();
    for (i, r) in readers.iter_mut().enumerate() {
        if let Some(e) = read_entry(r)? {
            heap.push(Reverse((e.time, e.seq, i, e.line)));
        }
    }
    while let Some(Reverse((_, _, i, line))) = heap.pop() {
        out.write_all(&line)?;
        if let Some(e) = read_entry(&mut readers[i])? {
            heap.push(Reverse((e.time, e.seq, i, e.line)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: u32) -> String {
        format!(
            "192.0.2.{} - - [02/Nov/2026:10:{:02}:{:02} +0000] \"GET /a/{t} HTTP/1.1\" 200 1 \"-\" \"x\"\n",
            t % 250,
            t / 60 % 60,
            t % 60
        )
    }

    #[test]
    fn sorts_through_runs_and_keeps_malformed_lines_with_their_neighbours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reversed.log");
        let mut lines: Vec<String> = (0..3000).rev().map(line).collect();
        // After the line of 2995: sorted, it comes right after it.
        lines.insert(5, "garbage\n".to_string());
        std::fs::write(&path, lines.concat()).unwrap();
        for memory in [1 << 10, 1 << 30] {
            let sorted = by_time(&Source::File(path.clone()), &Format::COMBINED, memory).unwrap();
            let got = std::fs::read_to_string(sorted.path()).unwrap();
            let mut want: Vec<String> = (0..3000).map(line).collect();
            want.insert(2996, "garbage\n".to_string());
            assert!(got == want.concat(), "sorted with {memory} bytes of memory");
        }
    }
}
