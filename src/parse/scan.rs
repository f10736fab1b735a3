//! Where a line's quotes are, found 64 bytes at a time.
//!
//! A combined line is six quotes and a newline around short unquoted fields. Finding
//! each with its own `memchr` call cost more in call overhead than in bytes (fields are
//! 3 to 150 bytes long); comparing 64 bytes against `"`, `\` and newline at once and
//! walking the bits costs a few instructions per quote instead.

/// The structure of one line, as far as the quotes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Scanned {
    /// Index of the line's newline in the data (its length, for a last line without one).
    pub end: usize,
    /// Indexes of the line's first quotes; `found` of them are set.
    pub quotes: [usize; QUOTES],
    pub found: usize,
    /// A backslash came in the windows scanned (up to the newline, or a little past the
    /// last quote recorded): a quote may be escaped, which only the careful parser judges.
    pub backslash: bool,
}

/// Quotes a combined line has: request, referrer and user agent.
pub(super) const QUOTES: usize = 6;

/// Scans `data` from `start` to the next newline.
#[inline]
pub(super) fn line(data: &[u8], start: usize) -> Scanned {
    #[cfg(target_arch = "x86_64")]
    prefetch_ahead(data, start);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512bw") {
        // SAFETY: the CPU has AVX-512BW, just checked.
        return unsafe { line_avx512(data, start) };
    }
    line_with(data, start, matches)
}

/// How far ahead of the line being scanned its block is asked into the cache. Half the
/// scan's time was the first load of a line's bytes; asking two lines ahead took 1–2%
/// off a run (paired rounds, plain, asset-heavy and gzip logs). Further is worse: 1024
/// bytes gained nothing and 2048 cost 16% (likely asking for pages not mapped in yet).
const PREFETCH_DISTANCE: usize = 512;

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn prefetch_ahead(data: &[u8], start: usize) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    let ahead = start + PREFETCH_DISTANCE;
    if ahead < data.len() {
        // SAFETY: a prefetch reads nothing and cannot fault; the address is in `data`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(data.as_ptr().add(ahead).cast::<i8>()) };
    }
}

/// [`line`] with 64 bytes per instruction: a third of the work of four SSE2 compares.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw")]
fn line_avx512(data: &[u8], start: usize) -> Scanned {
    line_with(data, start, |w, bytes| {
        use std::arch::x86_64::{__m512i, _mm512_cmpeq_epi8_mask, _mm512_loadu_si512, _mm512_set1_epi8};
        // SAFETY: reads the 64 bytes of `w`, with no alignment needed.
        let v = unsafe { _mm512_loadu_si512(w.as_ptr().cast::<__m512i>()) };
        bytes.map(|b| _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b as i8)))
    })
}

#[inline(always)]
fn line_with(data: &[u8], start: usize, matches: impl Fn(&[u8; 64], [u8; 3]) -> [u64; 3]) -> Scanned {
    let mut s = Scanned { end: data.len(), quotes: [0; QUOTES], found: 0, backslash: false };
    let mut at = start;
    while at < data.len() {
        let [quote, backslash, newline] = window(data, at, [b'"', b'\\', b'\n'], &matches);
        let newline = newline & newline.wrapping_neg();
        // Bits of the bytes before the newline (all of them when there is none).
        let before = newline.wrapping_sub(1);
        s.backslash |= backslash & before != 0;
        let mut quotes = quote & before;
        while quotes != 0 && s.found < QUOTES {
            s.quotes[s.found] = at + quotes.trailing_zeros() as usize;
            s.found += 1;
            quotes &= quotes - 1;
        }
        if newline != 0 {
            s.end = at + newline.trailing_zeros() as usize;
            return s;
        }
        at += 64;
        if s.found == QUOTES {
            // Past the user agent only the newline matters.
            s.end = memchr::memchr(b'\n', data.get(at..).unwrap_or_default()).map_or(data.len(), |i| at + i);
            return s;
        }
    }
    s
}

/// The first of `bytes` at or after `at` in `data`, 64 bytes at a time: for the many short
/// strings of a JSON line, where a `memchr3` call costs more to start than to run.
#[inline]
pub(super) fn first_of(data: &[u8], mut at: usize, bytes: [u8; 3]) -> Option<usize> {
    while at < data.len() {
        let [a, b, c] = window(data, at, bytes, matches);
        let mut any = a | b | c;
        if data.len() - at < 64 {
            // Past the end the window reads zeros: not found there.
            any &= (1u64 << (data.len() - at)) - 1;
        }
        if any != 0 {
            return Some(at + any.trailing_zeros() as usize);
        }
        at += 64;
    }
    None
}

/// The first `byte` at or after `from` in `data`. Fields are mostly short: the first 64
/// bytes are compared 16 at a time, without the call and set-up of `memchr` (nor the
/// mispredicted branches of a loop over bytes), which takes over for a long field.
#[inline]
pub(super) fn find_byte(data: &[u8], from: usize, byte: u8) -> Option<usize> {
    find_bytes(data, from, [byte])
}

/// [`find_byte`] for the first of two bytes (a target's `?` or `#`), as cheap: one more
/// compare per 16 bytes.
#[inline]
pub(super) fn find_either(data: &[u8], from: usize, bytes: [u8; 2]) -> Option<usize> {
    find_bytes(data, from, bytes)
}

#[inline(always)]
fn find_bytes<const N: usize>(data: &[u8], from: usize, bytes: [u8; N]) -> Option<usize> {
    let mut at = from;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline; callers load data[i..i + 16] only
        // where it is in bounds, and the load needs no alignment.
        let bits_at = |i: usize| unsafe {
            let v = _mm_loadu_si128(data.as_ptr().add(i).cast::<__m128i>());
            let hits = bytes.map(|b| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)));
            _mm_movemask_epi8(hits.into_iter().reduce(|a, b| _mm_or_si128(a, b)).unwrap_or(hits[0]))
        };
        let stop = data.len().min(from + 64);
        while at + 16 <= stop {
            let bits = bits_at(at);
            if bits != 0 {
                return Some(at + bits.trailing_zeros() as usize);
            }
            at += 16;
        }
        if at < stop && stop == data.len() && data.len() >= 16 {
            // The end of a short field: its last 16 bytes, read again where they overlap
            // what was compared, settle it without a call.
            let last = data.len() - 16;
            let bits = bits_at(last) >> (at - last);
            return (bits != 0).then(|| at + bits.trailing_zeros() as usize);
        }
    }
    if data.len() - at.min(data.len()) < 16 {
        // A few bytes left: a loop over them is done before `memchr` has set up.
        return data.get(at..)?.iter().position(|b| bytes.contains(b)).map(|i| at + i);
    }
    let rest = data.get(at..)?;
    match bytes.as_slice() {
        [a] => memchr::memchr(*a, rest),
        [a, b, ..] => memchr::memchr2(*a, *b, rest),
        [] => None,
    }
    .map(|i| at + i)
}

/// [`find_byte`] for the first of three bytes (a JSON string's end: a quote, an escape,
/// or the newline of a line cut short).
#[inline]
pub(super) fn find_any(data: &[u8], from: usize, bytes: [u8; 3]) -> Option<usize> {
    let mut at = from;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        let stop = data.len().min(from + 64);
        while at + 16 <= stop {
            // SAFETY: SSE2 is part of the x86_64 baseline; the load reads data[at..at + 16],
            // in bounds (checked just above), and needs no alignment.
            let bits = unsafe {
                let v = _mm_loadu_si128(data.as_ptr().add(at).cast::<__m128i>());
                let [a, b, c] = bytes.map(|x| _mm_cmpeq_epi8(v, _mm_set1_epi8(x as i8)));
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), c))
            };
            if bits != 0 {
                return Some(at + bits.trailing_zeros() as usize);
            }
            at += 16;
        }
    }
    first_of(data, at, bytes)
}

/// Spaces and `[` among the first 64 bytes of `line` (bit i: byte i): enough to split
/// the short prefix before a timestamp without a loop over its bytes.
#[inline]
pub(super) fn prefix_bits(line: &[u8]) -> (u64, u64) {
    let [space, bracket, _] = window(line, 0, [b' ', b'[', 0], matches);
    (space, bracket)
}

/// For each of `bytes`, one bit per byte of the 64 at `at` that equals it; bytes past
/// the end of `data` read as 0 (which callers only ask for as a placeholder).
#[inline(always)]
fn window(
    data: &[u8],
    at: usize,
    bytes: [u8; 3],
    matches: impl Fn(&[u8; 64], [u8; 3]) -> [u64; 3],
) -> [u64; 3] {
    match data.get(at..at + 64) {
        Some(w) => matches(w.try_into().expect("64 bytes"), bytes),
        None => {
            let mut padded = [0u8; 64];
            let tail = &data[at..];
            padded[..tail.len()].copy_from_slice(tail);
            matches(&padded, bytes)
        }
    }
}

/// SSE2 is part of every x86_64 CPU: no feature detection needed.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn matches(w: &[u8; 64], bytes: [u8; 3]) -> [u64; 3] {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let mut bits = [0u64; 3];
    // SAFETY: SSE2 is part of the x86_64 baseline, so these instructions exist on every
    // CPU this code runs on; each load reads bytes 16 * i .. 16 * i + 16 of a 64-byte
    // array and needs no alignment.
    unsafe {
        let wanted = bytes.map(|b| _mm_set1_epi8(b as i8));
        for i in 0..4 {
            let v = _mm_loadu_si128(w.as_ptr().add(16 * i).cast::<__m128i>());
            for (bits, wanted) in bits.iter_mut().zip(wanted) {
                *bits |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, wanted)) as u16) << (16 * i);
            }
        }
    }
    bits
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn matches(w: &[u8; 64], bytes: [u8; 3]) -> [u64; 3] {
    let mut bits = [0u64; 3];
    for (i, &x) in w.iter().enumerate() {
        for (bits, b) in bits.iter_mut().zip(bytes) {
            *bits |= u64::from(x == b) << i;
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the scan must find, the slow way.
    fn naive(data: &[u8], start: usize) -> Scanned {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let mut s = Scanned { end, quotes: [0; QUOTES], found: 0, backslash: false };
        for (i, _) in data.iter().enumerate().take(end).skip(start).filter(|(_, &b)| b == b'"').take(QUOTES) {
            s.quotes[s.found] = i;
            s.found += 1;
        }
        let last = if s.found == QUOTES { s.quotes[QUOTES - 1] } else { end };
        s.backslash = data[start..last].contains(&b'\\');
        s
    }

    #[test]
    fn find_byte_finds_what_position_finds() {
        let mut rng = darklog_gen::rng::Rng::new(13);
        // Every length to past the first 64 bytes: each way a field's end is read.
        for len in (0..=80).chain([127, 128, 129, 200]) {
            for _ in 0..100 {
                let data: Vec<u8> = (0..len).map(|_| b"ab \""[rng.below(4) as usize]).collect();
                for from in 0..=data.len() + 1 {
                    let want = data
                        .get(from..)
                        .unwrap_or_default()
                        .iter()
                        .position(|&b| b == b'"')
                        .map(|i| from + i);
                    assert_eq!(find_byte(&data, from, b'"'), want, "{data:?} from {from}");
                }
            }
        }
    }

    #[test]
    fn first_of_finds_what_position_finds() {
        let mut rng = darklog_gen::rng::Rng::new(12);
        let alphabet = b"ab \"\\\n";
        for len in [0, 1, 7, 63, 64, 65, 130, 300] {
            for _ in 0..200 {
                let data: Vec<u8> =
                    (0..len).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect();
                for at in 0..=data.len() {
                    let want = data[at..].iter().position(|b| b"\"\\\n".contains(b)).map(|i| at + i);
                    assert_eq!(first_of(&data, at, [b'"', b'\\', b'\n']), want, "{data:?} from {at}");
                    assert_eq!(find_any(&data, at, [b'"', b'\\', b'\n']), want, "{data:?} from {at}");
                }
            }
        }
    }

    #[test]
    fn finds_what_a_byte_by_byte_scan_finds() {
        let mut rng = darklog_gen::rng::Rng::new(11);
        let alphabet = b"ab \"\\\n";
        for len in [0, 1, 5, 63, 64, 65, 127, 128, 129, 300] {
            for _ in 0..300 {
                let data: Vec<u8> =
                    (0..len).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect();
                let mut start = 0;
                while start <= data.len() {
                    let want = naive(&data, start);
                    // Whichever way this CPU scans, and the portable way.
                    for got in [line(&data, start), line_with(&data, start, matches)] {
                        assert_eq!(got.end, want.end, "{data:?} from {start}");
                        assert_eq!(got.found, want.found, "{data:?} from {start}");
                        assert_eq!(
                            got.quotes[..got.found],
                            want.quotes[..want.found],
                            "{data:?} from {start}"
                        );
                        // The scan may see a backslash past the last quote it needs (it looks
                        // at whole windows): that only costs the careful parser's time.
                        assert!(got.backslash >= want.backslash, "{data:?} from {start}");
                    }
                    start = want.end + 1;
                }
            }
        }
    }
}
