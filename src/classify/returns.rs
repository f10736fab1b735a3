//! Returns: a reader who comes back, with no referrer, to a deep page they read in an
//! earlier visit used a bookmark or their history, not a friend's link.

use rustc_hash::FxHashMap;

/// How long a reader's pages are remembered.
pub const RETURN_WINDOW: i64 = 30 * 86_400;
/// Pages remembered per reader (the most recent).
const PAGES_PER_READER: usize = 32;
/// Readers remembered at most; past this the ones seen longest ago are forgotten.
const MAX_READERS: usize = 1 << 20;

/// Pages each reader viewed recently, by in-process visitor key and page hash.
pub struct ReturnLog {
    readers: FxHashMap<u64, Vec<(u64, i64)>>,
    next_sweep: i64,
}

impl Default for ReturnLog {
    fn default() -> Self {
        ReturnLog { readers: FxHashMap::default(), next_sweep: i64::MIN }
    }
}

impl ReturnLog {
    /// Whether `reader` viewed `page` before `time` (within the window).
    pub fn seen(&self, reader: u64, page: u64, time: i64) -> bool {
        self.readers.get(&reader).is_some_and(|pages| {
            pages.iter().any(|&(p, t)| p == page && t < time && time - t <= RETURN_WINDOW)
        })
    }

    pub fn record(&mut self, reader: u64, page: u64, time: i64) {
        if time >= self.next_sweep || self.readers.len() > MAX_READERS {
            self.sweep(time);
        }
        let pages = self.readers.entry(reader).or_default();
        match pages.iter_mut().find(|(p, _)| *p == page) {
            Some(seen) => seen.1 = seen.1.max(time),
            None => {
                if pages.len() == PAGES_PER_READER {
                    let oldest = pages.iter().enumerate().min_by_key(|(_, (_, t))| *t).map_or(0, |(i, _)| i);
                    pages.swap_remove(oldest);
                }
                pages.push((page, time));
            }
        }
    }

    /// Forgets pages older than the window; if there are still too many readers, the
    /// half seen longest ago.
    fn sweep(&mut self, now: i64) {
        let horizon = now.saturating_sub(RETURN_WINDOW);
        self.readers.retain(|_, pages| {
            pages.retain(|&(_, t)| t >= horizon);
            !pages.is_empty()
        });
        if self.readers.len() > MAX_READERS / 2 {
            let mut last: Vec<i64> =
                self.readers.values().map(|p| p.iter().map(|&(_, t)| t).max().unwrap_or(i64::MIN)).collect();
            let cut = last.len() / 2;
            let (_, &mut median, _) = last.select_nth_unstable(cut);
            self.readers.retain(|_, pages| pages.iter().any(|&(_, t)| t > median));
        }
        self.next_sweep = now.saturating_add(86_400);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_read_before_is_a_return() {
        let mut log = ReturnLog::default();
        log.record(1, 42, 1000);
        assert!(log.seen(1, 42, 5000));
        assert!(!log.seen(1, 42, 1000), "not before itself");
        assert!(!log.seen(1, 43, 5000));
        assert!(!log.seen(2, 42, 5000));
        assert!(!log.seen(1, 42, 1000 + RETURN_WINDOW + 1));
    }

    #[test]
    fn memory_per_reader_is_bounded() {
        let mut log = ReturnLog::default();
        for page in 0..100 {
            log.record(1, page, page as i64);
        }
        assert_eq!(log.readers[&1].len(), PAGES_PER_READER);
        assert!(log.seen(1, 99, 1000));
        assert!(!log.seen(1, 0, 1000));
    }
}
