//! The rows of `--report visits`, in start order, without holding every visit.
//!
//! Visits close in whatever order their visitors go idle; the report lists them by start.
//! A row waits in a heap until no visit still open, and none to come, can start before it
//! (the sessionizer says when, at each sweep); then it is written, in order, to a
//! temporary file that the report reads back. Memory holds the visits of the last hour or
//! so, not of the log. A heap past its bound writes its earliest rows anyway: their order
//! may then break, and the report says how many rows came out of order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, BufReader, BufWriter, Read, Seek};

use tempfile::NamedTempFile;

use crate::report::VisitRow;

/// Rows waiting for their turn at most.
pub const MAX_WAITING: usize = 100_000;

#[derive(Default)]
pub struct VisitSpool {
    waiting: BinaryHeap<Reverse<VisitRow>>,
    /// Where rows go in order; `None` until the first is written.
    file: Option<BufWriter<NamedTempFile>>,
    written: u64,
    /// The last row written, to count rows written out of order.
    last: Option<(i64, String)>,
    /// Rows written before a row that starts earlier (the heap was past its bound).
    pub out_of_order: u64,
    error: Option<io::Error>,
}

impl VisitSpool {
    pub fn push(&mut self, row: VisitRow) {
        self.waiting.push(Reverse(row));
        if self.waiting.len() > MAX_WAITING {
            self.write_next();
        }
    }

    /// Writes every row that starts before `settled`.
    pub fn release(&mut self, settled: i64) {
        while self.waiting.peek().is_some_and(|Reverse(r)| r.start < settled) {
            self.write_next();
        }
    }

    fn write_next(&mut self) {
        let Some(Reverse(row)) = self.waiting.pop() else { return };
        let key = (row.start, row.visitor.clone());
        if self.last.as_ref().is_some_and(|last| key < *last) {
            self.out_of_order += 1;
        }
        self.last = Some(key);
        if self.error.is_some() {
            return;
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => match NamedTempFile::new() {
                Ok(f) => self.file.insert(BufWriter::with_capacity(1 << 20, f)),
                Err(e) => return self.error = Some(e),
            },
        };
        match rmp_serde::encode::write(file, &row) {
            Ok(()) => self.written += 1,
            Err(e) => self.error = Some(io::Error::other(e)),
        }
    }

    /// Every row, in order: what was written, then what waits.
    pub fn finish(mut self) -> io::Result<VisitRows> {
        while !self.waiting.is_empty() {
            self.write_next();
        }
        if let Some(e) = self.error {
            return Err(e);
        }
        let file = match self.file {
            Some(w) => {
                let mut f = w.into_inner().map_err(|e| e.into_error())?;
                f.as_file_mut().rewind()?;
                Some(f)
            }
            None => None,
        };
        Ok(VisitRows { file, left: self.written, out_of_order: self.out_of_order })
    }
}

/// The rows of a finished spool, read back in order.
pub struct VisitRows {
    file: Option<NamedTempFile>,
    left: u64,
    pub out_of_order: u64,
}

impl VisitRows {
    /// The rows, one at a time.
    pub fn iter(&mut self) -> impl Iterator<Item = io::Result<VisitRow>> + '_ {
        let left = std::mem::take(&mut self.left);
        let mut reader: Option<BufReader<&mut std::fs::File>> =
            self.file.as_mut().map(|f| BufReader::with_capacity(1 << 20, f.as_file_mut()));
        (0..left).map(move |_| {
            let r = reader.as_mut().ok_or_else(|| io::Error::other("no rows were written"))?;
            rmp_serde::decode::from_read(r as &mut dyn Read).map_err(io::Error::other)
        })
    }
}

impl std::fmt::Debug for VisitRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VisitRows({} left)", self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Channel, Reason};

    fn row(start: i64, visitor: &str) -> VisitRow {
        VisitRow {
            start,
            visitor: visitor.into(),
            landing: "/a".into(),
            end: start,
            channel: Channel::Direct,
            source: "none".into(),
            reason: Reason::FrontDirect,
            pageviews: 1,
            hits: 1,
            referrer_host: String::new(),
        }
    }

    #[test]
    fn rows_come_back_in_start_order() {
        let mut spool = VisitSpool::default();
        for (t, v) in [(5, "b"), (1, "a"), (5, "a"), (3, "z")] {
            spool.push(row(t, v));
        }
        spool.release(4);
        spool.push(row(4, "c"));
        let mut rows = spool.finish().unwrap();
        let got: Vec<(i64, String)> = rows.iter().map(|r| r.map(|r| (r.start, r.visitor)).unwrap()).collect();
        assert_eq!(
            got,
            [(1, "a".into()), (3, "z".into()), (4, "c".into()), (5, "a".into()), (5, "b".into())]
        );
        assert_eq!(rows.out_of_order, 0);
    }
}
