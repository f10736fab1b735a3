//! The arrival process: fresh arrivals follow a Poisson process shaped by the hour of
//! day (people) or flat (machines), with a rate re-estimated at each arrival so that the
//! line budget is spent evenly over the configured days.

use super::pools::DIURNAL;
use super::scenarios::Arrival;

/// The arrival process.
pub struct Clock {
    /// Second of the next fresh arrival.
    pub next: i64,
    pub(super) t: f64,
    pub(super) arrivals: u64,
    pub(super) start: i64,
    pub(super) tz: i32,
    /// People's hourly profile, averaging 1.
    pub(super) day: [f64; 24],
    pub(super) people: f64,
    pub(super) machines: f64,
    pub(super) dmax: f64,
    /// Arrival density per window hour, and what is left of it from each hour on.
    pub(super) slot: Vec<f64>,
    pub(super) suffix: Vec<f64>,
}

impl Clock {
    pub fn new(start: i64, end: i64, tz: i32, arrivals: &[(Arrival, f64, bool)]) -> Clock {
        let mean = DIURNAL.iter().sum::<f64>() / 24.0;
        let mut day = [0.0; 24];
        for (d, w) in day.iter_mut().zip(DIURNAL.iter()) {
            *d = w / mean;
        }
        let people: f64 = arrivals.iter().filter(|a| a.2).map(|a| a.1).sum();
        let machines: f64 = arrivals.iter().filter(|a| !a.2).map(|a| a.1).sum();
        let peak = day.iter().fold(0.0f64, |m, &d| m.max(d));
        let mut c = Clock {
            next: start,
            t: start as f64,
            arrivals: 0,
            start,
            tz,
            day,
            people,
            machines,
            dmax: people * peak + machines,
            slot: Vec::new(),
            suffix: Vec::new(),
        };
        let slots = ((end - start) / 3600).max(1) as usize;
        c.slot = (0..slots).map(|s| c.density(start + s as i64 * 3600 + 1800)).collect();
        c.suffix = vec![0.0; slots + 1];
        for s in (0..slots).rev() {
            c.suffix[s] = c.suffix[s + 1] + c.slot[s] * 3600.0;
        }
        c
    }

    pub(super) fn hour(&self, t: i64) -> usize {
        (t + i64::from(self.tz) * 60).div_euclid(3600).rem_euclid(24) as usize
    }

    pub(super) fn density(&self, t: i64) -> f64 {
        self.people * self.day[self.hour(t)] + self.machines
    }

    /// Arrival weight left between `t` and the end of the window.
    pub(super) fn remaining(&self, t: f64) -> f64 {
        let off = t - self.start as f64;
        if off < 0.0 {
            return self.suffix[0];
        }
        let s = (off / 3600.0) as usize;
        if s >= self.slot.len() {
            return 0.0;
        }
        (3600.0 * (s + 1) as f64 - off) * self.slot[s] + self.suffix[s + 1]
    }
}
