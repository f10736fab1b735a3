//! A deterministic random source: xoshiro256** seeded through SplitMix64.
//!
//! The generator promises the same bytes for the same seed on any machine and forever, so
//! it owns its PRNG instead of borrowing one whose stream may change between versions.
//! For the same reason it avoids the platform's `ln`/`exp` (libm results may differ in the
//! last bit between systems): [`ln`] and [`exp`] below use only IEEE-exact operations.

use super::pools::Weighted;

pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut st = seed;
        Rng { s: [splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st)] }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift: its bias is far below anything a log
    /// could show.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn percent(&mut self, p: u32) -> bool {
        self.below(100) < u64::from(p)
    }

    /// Spread evenly over orders of magnitude: a few seconds as likely as a few minutes.
    pub fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        exp(ln(lo) + self.unit() * (ln(hi) - ln(lo)))
    }

    /// Exponentially distributed with this mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * ln(1.0 - self.unit())
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// The same for tables of references, which callers want with their own lifetime.
    pub fn pick_copy<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }

    /// The index of a row, chosen in proportion to its weight.
    pub fn weighted<T: Weighted>(&mut self, items: &[T]) -> usize {
        let total: u64 = items.iter().map(|i| u64::from(i.weight())).sum();
        let mut r = self.below(total);
        for (i, item) in items.iter().enumerate() {
            let w = u64::from(item.weight());
            if r < w {
                return i;
            }
            r -= w;
        }
        items.len() - 1
    }

    /// The same for `(weight, value)` rows.
    pub fn weighted_pair<'a, T>(&mut self, items: &'a [(u32, T)]) -> (usize, &'a T) {
        let total: u64 = items.iter().map(|i| u64::from(i.0)).sum();
        let mut r = self.below(total);
        for (i, item) in items.iter().enumerate() {
            if r < u64::from(item.0) {
                return (i, &item.1);
            }
            r -= u64::from(item.0);
        }
        (items.len() - 1, &items[items.len() - 1].1)
    }
}

const LN2: f64 = std::f64::consts::LN_2;

/// Natural logarithm of a positive, finite `x`, from basic arithmetic only.
pub fn ln(x: f64) -> f64 {
    debug_assert!(x > 0.0 && x.is_finite());
    // x = m · 2^e with m in [1, 2); subnormals are never asked for.
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    // ln m = 2·atanh(s) with s = (m-1)/(m+1) ≤ 1/3: the odd series converges fast.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    while k < 60.0 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + e as f64 * LN2
}

/// `e^x` for moderate `x` (|x| < 700), from basic arithmetic only.
pub fn exp(x: f64) -> f64 {
    let k = (x / LN2).round();
    let r = x - k * LN2;
    // Taylor series of e^r for |r| ≤ ln2/2.
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut n = 1.0;
    while n < 24.0 {
        term *= r / n;
        sum += term;
        n += 1.0;
    }
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_fixed_forever() {
        let mut r = Rng::new(1);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut again = Rng::new(1);
        assert_eq!(first, (0..3).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_ne!(first[0], Rng::new(2).next_u64());
    }

    #[test]
    fn own_ln_and_exp_match_std() {
        for &x in &[1e-9, 0.001, 0.3, 0.5, 1.0, 1.5, 2.0, 10.0, 3600.0, 21_600.0, 1e12] {
            assert!((ln(x) - x.ln()).abs() < 1e-12 * x.ln().abs().max(1.0), "ln {x}");
        }
        for &x in &[-20.0, -1.0, 0.0, 0.5, 2.3, 8.0, 10.0, 300.0] {
            assert!((exp(x) - x.exp()).abs() <= 1e-13 * x.exp(), "exp {x}");
        }
    }

    #[test]
    fn below_and_range_stay_in_bounds() {
        let mut r = Rng::new(9);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let v = r.range(3, 5);
            assert!((3..=5).contains(&v));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            let l = r.log_uniform(10.0, 480.0);
            assert!((9.999..=480.001).contains(&l));
        }
    }
}
