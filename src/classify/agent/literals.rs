//! Every occurrence of a couple of thousand short literals in a user agent, in any ASCII
//! case. darklog compiles its rules at every start, and an Aho-Corasick automaton over the
//! crawler list takes milliseconds to build (more than the rest of a small run); this
//! index takes microseconds, and reads an agent about as fast: a bit per hashed 4-byte
//! window says whether any literal may start there.

/// Literals indexed by their first four bytes (and, the few shorter ones, by their first).
pub struct Literals {
    /// The literals, lowercased, one after another; `spans[id]` is literal `id`.
    bytes: Vec<u8>,
    spans: Vec<(u32, u32)>,
    /// (first four bytes, id) of every literal of four bytes or more, sorted.
    long: Vec<(u32, u32)>,
    /// One bit per hash of a 4-byte window that starts a long literal.
    bloom: Vec<u64>,
    /// (first byte, id) of the literals shorter than four bytes, sorted, and which first
    /// bytes have one.
    short: Vec<(u8, u32)>,
    short_first: [bool; 256],
}

const BLOOM_BITS: u32 = 16;

fn window(bytes: &[u8]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn bloom_bit(key: u32) -> u32 {
    key.wrapping_mul(0x9E37_79B1) >> (32 - BLOOM_BITS)
}

impl Literals {
    /// Indexes `literals` (none empty); a literal's id is its position.
    pub fn new<'a>(literals: impl IntoIterator<Item = &'a str>) -> Literals {
        let mut index = Literals {
            bytes: Vec::new(),
            spans: Vec::new(),
            long: Vec::new(),
            bloom: vec![0; 1 << (BLOOM_BITS - 6)],
            short: Vec::new(),
            short_first: [false; 256],
        };
        for (id, literal) in literals.into_iter().enumerate() {
            assert!(!literal.is_empty(), "an empty literal matches everywhere");
            let start = index.bytes.len();
            index.bytes.extend(literal.bytes().map(|b| b.to_ascii_lowercase()));
            let lower = &index.bytes[start..];
            let id = id as u32;
            if lower.len() >= 4 {
                let key = window(lower);
                index.long.push((key, id));
                let bit = bloom_bit(key);
                index.bloom[(bit >> 6) as usize] |= 1 << (bit & 63);
            } else {
                index.short.push((lower[0], id));
                index.short_first[usize::from(lower[0])] = true;
            }
            index.spans.push((start as u32, index.bytes.len() as u32));
        }
        index.long.sort_unstable();
        index.short.sort_unstable();
        index
    }

    fn literal(&self, id: u32) -> &[u8] {
        let (start, end) = self.spans[id as usize];
        &self.bytes[start as usize..end as usize]
    }

    /// Calls `found(id, start, end)` for every occurrence of every literal in `lower` (an
    /// agent already lowercased), overlapping ones included, by start then id.
    pub fn find(&self, lower: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        let mut check = |id: u32, at: usize| {
            let literal = self.literal(id);
            if lower[at..].starts_with(literal) {
                found(id as usize, at, at + literal.len());
            }
        };
        for at in 0..lower.len() {
            if at + 4 <= lower.len() {
                let key = window(&lower[at..]);
                let bit = bloom_bit(key);
                if self.bloom[(bit >> 6) as usize] & (1 << (bit & 63)) != 0 {
                    let from = self.long.partition_point(|&(k, _)| k < key);
                    for &(_, id) in self.long[from..].iter().take_while(|&&(k, _)| k == key) {
                        check(id, at);
                    }
                }
            }
            let first = lower[at];
            if self.short_first[usize::from(first)] {
                let from = self.short.partition_point(|&(b, _)| b < first);
                for &(_, id) in self.short[from..].iter().take_while(|&&(b, _)| b == first) {
                    check(id, at);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every occurrence, the slow way.
    fn naive(literals: &[&str], hay: &str) -> Vec<(usize, usize, usize)> {
        let hay = hay.to_ascii_lowercase();
        let mut out = Vec::new();
        for at in 0..hay.len() {
            for (id, l) in literals.iter().enumerate() {
                if hay.as_bytes()[at..].starts_with(l.to_ascii_lowercase().as_bytes()) {
                    out.push((at, id, at + l.len()));
                }
            }
        }
        out
    }

    #[test]
    fn finds_what_a_naive_search_finds() {
        let literals =
            ["bot", "Bot/", "Googlebot", "googlebot/2.1", "Y!J", "a", "ds9", "+http", "http://", "2.1;"];
        let index = Literals::new(literals);
        for hay in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Y!J-BRW/1.0 ds9 aaaa",
            "",
            "bot",
            "GOOGLEBOT/2.1;",
        ] {
            let mut got = Vec::new();
            index.find(hay.to_ascii_lowercase().as_bytes(), |id, start, end| got.push((start, id, end)));
            got.sort_unstable();
            assert_eq!(got, naive(&literals, hay), "{hay}");
        }
    }
}
