//! The same log under two names: a plain file and its `.gz` copy, a stray `access.log.1.bak`,
//! an older snapshot of a log that grew. Read twice, every visit would be counted twice and
//! the second copy's visits would all be returns.
//!
//! An input is known by the first [`HEAD_BYTES`] of its decoded content, which the run's
//! sample of its start already holds, so fingerprinting reads nothing more. Two inputs
//! whose first 64 KiB are equal are one log — hundreds of lines with their times and
//! clients, which two different logs never share — or one is the start of the other (a
//! snapshot of it, or one of the files it was concatenated from): either way the longer
//! holds every line of the shorter, and only it is read. Which is longer is known without
//! reading for a plain file (its size) or a short input (the sample holds all of it); a
//! compressed file is measured by decompressing it without parsing, and only when it has a
//! twin, which is rare. A stream cannot be measured (reading it is consuming it): it is
//! the one read. Inputs shorter than 64 KiB are the same only when they are identical.

use std::io::{self, Read};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use siphasher::sip128::{Hasher128, SipHasher13};

use super::{open, Compression, Source};

/// Decoded bytes of an input's start that identify it.
pub const HEAD_BYTES: usize = 64 * 1024;

/// An input's decoded length, as far as it is known without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Exact(u64),
    /// Compressed, or a stream: measured only if it matters.
    Unknown,
}

/// What identifies an input's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// SipHash-1-3 (128 bits) of the first [`HEAD_BYTES`] decoded bytes, or of all of them.
    head: u128,
    /// The bytes `head` covers: [`HEAD_BYTES`], or the whole input when it is shorter.
    head_len: usize,
    pub length: Length,
    /// Reading it costs a decoder: of two identical inputs the plain one is read.
    pub compressed: bool,
    /// It can be read only once: never measured, always the one kept.
    pub stream: bool,
}

impl Fingerprint {
    /// From the decoded start of an input (`complete`: all of it).
    pub fn new(
        prelude: &[u8],
        complete: bool,
        source: &Source,
        compression: Option<Compression>,
    ) -> Fingerprint {
        let head_len = prelude.len().min(HEAD_BYTES);
        let mut hasher = SipHasher13::new();
        std::hash::Hasher::write(&mut hasher, &prelude[..head_len]);
        let stream = source.is_stream();
        let length = if complete {
            Length::Exact(prelude.len() as u64)
        } else if compression.is_none() && !stream {
            source.size().map_or(Length::Unknown, Length::Exact)
        } else {
            Length::Unknown
        };
        Fingerprint {
            head: hasher.finish128().as_u128(),
            head_len,
            length,
            compressed: compression.is_some(),
            stream,
        }
    }

    /// What the content is known by, as text: equal for one log under two names, or for a
    /// log and its start (what [`Fingerprint::same`] compares).
    pub fn digest(&self) -> String {
        format!("{:032x}:{}", self.head, self.head_len)
    }

    /// Decoded bytes the digest covers: [`HEAD_BYTES`], or all of a shorter input (0 for
    /// an empty one, which is no log to find twice).
    pub fn covers(&self) -> usize {
        self.head_len
    }

    /// Whether this and `other` are one log, or one is the start of the other.
    fn same(&self, other: &Fingerprint) -> bool {
        self.head_len > 0 && self.head == other.head && self.head_len == other.head_len
    }
}

/// One input that is not read because another holds its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SameLog {
    /// Index of the input left unread.
    pub dropped: usize,
    /// Index of the input read instead.
    pub kept: usize,
    /// Their lengths are equal (`false`: the kept one is longer, or a stream).
    pub identical: bool,
}

/// The inputs (by index in `prints`) that are another input again, and which is read of
/// each group. `measure` finds the decoded length of an input whose length is unknown
/// (not called for streams).
pub fn same_logs(prints: &[Fingerprint], mut measure: impl FnMut(usize) -> u64) -> Vec<SameLog> {
    let mut grouped = vec![false; prints.len()];
    let mut found = Vec::new();
    for first in 0..prints.len() {
        if grouped[first] {
            continue;
        }
        let group: Vec<usize> = (first..prints.len()).filter(|&j| prints[first].same(&prints[j])).collect();
        if group.len() < 2 {
            continue;
        }
        for &j in &group {
            grouped[j] = true;
        }
        // A stream cannot be measured or read again: the first one is kept.
        let lengths: Vec<Option<u64>> = group
            .iter()
            .map(|&j| match prints[j].length {
                _ if prints[j].stream => None,
                Length::Exact(n) => Some(n),
                Length::Unknown => Some(measure(j)),
            })
            .collect();
        // Longest first; of equals, the plain one, then the first named.
        let rank = |k: usize| (lengths[k].is_none(), lengths[k], !prints[group[k]].compressed);
        let best = (0..group.len()).rev().max_by_key(|&k| rank(k)).unwrap_or(0);
        for (k, &j) in group.iter().enumerate() {
            if k != best {
                let identical = lengths[k].is_some() && lengths[k] == lengths[best];
                found.push(SameLog { dropped: j, kept: group[best], identical });
            }
        }
    }
    found.sort_by_key(|s| s.dropped);
    found
}

/// The decoded length of an input, by decompressing it without parsing; what could be
/// read before an error, when one breaks.
pub fn decoded_len(source: &Source) -> u64 {
    let Ok(opened) = open::open(source, Arc::new(AtomicU64::new(0))) else { return 0 };
    let mut counted = Counter(0);
    let mut reader = opened.reader;
    let _ = io::copy(&mut reader.by_ref(), &mut counted);
    counted.0
}

/// A sink that only counts.
struct Counter(u64);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(head: &[u8], length: Length, compressed: bool) -> Fingerprint {
        let mut hasher = SipHasher13::new();
        std::hash::Hasher::write(&mut hasher, head);
        Fingerprint {
            head: hasher.finish128().as_u128(),
            head_len: head.len(),
            length,
            compressed,
            stream: false,
        }
    }

    #[test]
    fn the_longest_of_a_group_is_kept_and_the_plain_of_equals() {
        let a = vec![b'a'; HEAD_BYTES];
        let b = vec![b'b'; HEAD_BYTES];
        let prints = [
            print(&a, Length::Unknown, true),        // 0: a.gz, measured 100
            print(&b, Length::Exact(70_000), false), // 1: another log
            print(&a, Length::Exact(100), false),    // 2: a, plain
            print(&a, Length::Exact(90), false),     // 3: a snapshot of a
        ];
        let found = same_logs(&prints, |i| if i == 0 { 100 } else { panic!("{i} needs no measuring") });
        assert_eq!(
            found,
            [
                SameLog { dropped: 0, kept: 2, identical: true },
                SameLog { dropped: 3, kept: 2, identical: false }
            ]
        );
    }

    #[test]
    fn short_inputs_are_the_same_only_when_identical_and_empty_ones_never() {
        let prints = [
            print(b"x\n", Length::Exact(2), false),
            print(b"x\ny\n", Length::Exact(4), false),
            print(b"", Length::Exact(0), false),
            print(b"", Length::Exact(0), false),
            print(b"x\n", Length::Exact(2), true),
        ];
        let found = same_logs(&prints, |_| unreachable!());
        assert_eq!(found, [SameLog { dropped: 4, kept: 0, identical: true }]);
    }
}
