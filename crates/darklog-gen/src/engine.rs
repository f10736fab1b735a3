//! The machinery under [`Generator`]: a time-ordered queue of requests, the clients that
//! make them, and the rendering of one request into one log line.
//!
//! Scenarios (in `scenarios.rs`) plan a whole visit the moment it starts and push its
//! requests here. A request is a few bytes (page numbers, table indices); its text is
//! written only when its turn comes, into one reused buffer. Visits start in time order
//! and every request of a visit is at or after its start, so a request can be written
//! as soon as no visit can start before it: memory follows the visits in progress.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::clock::Clock;
use super::rng::Rng;
use super::scenarios::{Arrival, Later, ARRIVALS};
use super::site::Site;
use super::{GenConfig, TruthVisit};
use darklog::identity::VisitorKey;

/// The size field of a response with no body (`-`).
pub const NO_BYTES: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    Get,
    Head,
    Post,
    /// A request line that was no request at all: logged as `"-"`.
    Dash,
}

#[derive(Clone, Copy, Debug)]
pub enum Target {
    Page(u32),
    /// A page with the client's landing query string.
    Landing(u32),
    Asset(u16),
    Favicon,
    /// The lead picture of an article.
    Image(u32),
    Static(&'static [u8]),
}

#[derive(Clone, Copy, Debug)]
pub enum Referrer {
    None,
    Page(u32),
    Landing(u32),
    External(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub struct Request {
    pub method: Method,
    pub target: Target,
    pub status: u16,
    pub bytes: u32,
    pub referrer: Referrer,
    /// The visit's landing page view: its truth row is released with this line.
    pub landing: bool,
}

impl Request {
    pub fn get(target: Target, bytes: u32, referrer: Referrer) -> Request {
        Request { method: Method::Get, target, status: 200, bytes, referrer, landing: false }
    }
}

/// Ground truth waiting for its landing line.
#[derive(Clone, Copy, Debug)]
pub struct Label {
    pub channel: &'static str,
    pub source: &'static str,
    pub kind: &'static str,
    pub knowable: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ip {
    V4(u32),
    V6(u128),
}

/// One client address and agent for the span of one visit (one analyzer visit).
pub struct Actor {
    pub(super) ip: String,
    pub(super) ua: &'static str,
    /// The landing URL's query string, without `?`.
    pub query: String,
    pub(super) pending: u32,
    pub(super) label: Option<Label>,
}

/// Something due at a time, for the time-ordered heaps; `seq` keeps things due at the
/// same second in the order they were scheduled.
pub struct Due<T> {
    pub time: i64,
    pub seq: u64,
    pub what: T,
}

impl<T> PartialEq for Due<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Due<T> {}
impl<T> PartialOrd for Due<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Due<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// A request an actor makes.
pub struct Emit {
    pub(super) actor: u32,
    pub(super) req: Request,
}

pub type Event = Due<Emit>;

/// Deterministic yet salted bijection on `bits`-bit integers: distinct counters give
/// distinct addresses, so identities never collide by accident.
pub fn permute(x: u64, bits: u32) -> u64 {
    let mask = (1u64 << bits) - 1;
    let mut x = x & mask;
    x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15) & mask;
    x ^= x >> (bits / 2);
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9) & mask;
    x ^= x >> (bits / 2 + 1);
    x
}

/// Access-log lines with ground truth, one at a time and in time order, from a
/// [`GenConfig`](super::GenConfig). Pull lines with [`next_line`](Self::next_line) and the
/// truth of the visits they opened with [`take_truth`](Self::take_truth).
pub struct Generator {
    pub(super) rng: Rng,
    /// See [`GenConfig::assets_per_page`].
    pub(super) assets_per_page: Option<u32>,
    pub(super) cached_readers_percent: u32,
    pub(super) cdn_assets: bool,
    /// Fresh arrivals by kind: weight per thousand people, and whether they follow
    /// people's day.
    pub(super) arrivals: Vec<(Arrival, f64, bool)>,
    /// Malformed lines draw from their own stream, so their rate never moves other lines.
    pub(super) bad_rng: Rng,
    pub(super) site: Site,
    pub(super) key: VisitorKey,
    pub(super) tz: i32,
    pub(super) end: i64,
    pub(super) salt: u64,
    pub(super) budget: u64,
    pub(super) malformed_ppm: u32,
    pub(super) events: BinaryHeap<Reverse<Event>>,
    pub(super) later: BinaryHeap<Reverse<Later>>,
    pub(super) actors: Vec<Actor>,
    pub(super) free: Vec<u32>,
    pub(super) seq: u64,
    pub(super) scheduled: u64,
    pub(super) clock: Clock,
    pub(super) stopped: bool,
    pub(super) people: u64,
    pub(super) dc_counters: Vec<u64>,
    pub(super) nat: Vec<(Ip, u64)>,
    pub(super) line: Vec<u8>,
    pub(super) bad: Vec<u8>,
    pub(super) bad_pending: bool,
    pub(super) clf_ts: i64,
    pub(super) clf: String,
    pub(super) truth: Vec<TruthVisit>,
    pub(super) lines_out: u64,
    pub(super) malformed_out: u64,
    pub(super) visits_out: u64,
}

impl Generator {
    pub fn new(cfg: &GenConfig) -> Generator {
        let mut rng = Rng::new(cfg.seed);
        let days = cfg.days.max(1);
        let site = Site::new(&cfg.site, cfg.start, &mut rng);
        let salt = rng.next_u64();
        let end = cfg.start + i64::from(days) * 86_400;
        let mut arrivals = ARRIVALS.to_vec();
        if cfg.proxy_scrapers > 0 {
            arrivals.push((Arrival::ProxyScraper, f64::from(cfg.proxy_scrapers), false));
        }
        let mut g = Generator {
            bad_rng: Rng::new(cfg.seed ^ 0x6d61_6c66_6f72_6d65),
            site,
            key: VisitorKey::from_passphrase(&cfg.visitor_key),
            tz: cfg.tz_offset_minutes,
            end,
            salt,
            budget: cfg.lines,
            malformed_ppm: cfg.malformed_per_million,
            events: BinaryHeap::new(),
            later: BinaryHeap::new(),
            actors: Vec::new(),
            free: Vec::new(),
            seq: 0,
            scheduled: 0,
            clock: Clock::new(cfg.start, end, cfg.tz_offset_minutes, &arrivals),
            assets_per_page: cfg.assets_per_page,
            cached_readers_percent: cfg.cached_readers_percent,
            cdn_assets: cfg.cdn_assets,
            arrivals,
            stopped: false,
            people: 0,
            dc_counters: vec![0; super::pools::DC_RANGES.len()],
            nat: Vec::new(),
            line: Vec::with_capacity(1024),
            bad: Vec::with_capacity(1024),
            bad_pending: false,
            clf_ts: i64::MIN,
            clf: String::new(),
            truth: Vec::new(),
            lines_out: 0,
            malformed_out: 0,
            visits_out: 0,
            rng,
        };
        if g.budget == 0 {
            g.stopped = true;
        }
        g
    }

    /// Next log line (without trailing newline) in timestamp order, or None when done.
    pub fn next_line(&mut self) -> Option<&[u8]> {
        if self.bad_pending {
            self.bad_pending = false;
            std::mem::swap(&mut self.line, &mut self.bad);
            self.lines_out += 1;
            self.malformed_out += 1;
            return Some(&self.line);
        }
        loop {
            let next_start = self.next_start();
            let due = match (self.events.peek(), next_start) {
                (Some(Reverse(e)), Some(s)) => e.time <= s,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return None,
            };
            if !due {
                self.start_next();
                continue;
            }
            let Reverse(ev) = self.events.pop()?;
            self.render(&ev);
            self.release(ev.what.actor);
            self.lines_out += 1;
            if self.malformed_ppm > 0 && self.bad_rng.below(1_000_000) < u64::from(self.malformed_ppm) {
                self.make_malformed();
                self.bad_pending = true;
            }
            return Some(&self.line);
        }
    }

    /// Ground truth for visits whose landing line has already been returned, drained.
    pub fn take_truth(&mut self) -> Vec<TruthVisit> {
        std::mem::take(&mut self.truth)
    }

    /// Lines returned so far, malformed ones included.
    pub fn lines(&self) -> u64 {
        self.lines_out
    }

    pub fn malformed(&self) -> u64 {
        self.malformed_out
    }

    /// Truth rows released so far.
    pub fn visits(&self) -> u64 {
        self.visits_out
    }

    /// When the next visit could start, or `None` once no more will.
    fn next_start(&mut self) -> Option<i64> {
        if self.stopped {
            return None;
        }
        if self.scheduled >= self.budget {
            self.stopped = true;
            self.later.clear();
            return None;
        }
        let fresh = self.clock.next;
        Some(match self.later.peek() {
            Some(Reverse(l)) => l.time.min(fresh),
            None => fresh,
        })
    }

    fn start_next(&mut self) {
        let fresh = self.clock.next;
        match self.later.peek() {
            Some(Reverse(l)) if l.time <= fresh => {
                let Some(Reverse(l)) = self.later.pop() else { return };
                self.start_later(l);
            }
            _ => {
                self.start_arrival(fresh);
                self.advance_clock();
            }
        }
    }

    /// A client for one visit. Slots (and their string capacity) are recycled.
    pub(super) fn actor(&mut self, ip: Ip, ua: &'static str, label: Option<Label>) -> u32 {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.actors.push(Actor {
                    ip: String::new(),
                    ua,
                    query: String::new(),
                    pending: 0,
                    label: None,
                });
                (self.actors.len() - 1) as u32
            }
        };
        let a = &mut self.actors[id as usize];
        a.ip.clear();
        let _ = match ip {
            Ip::V4(v) => write!(a.ip, "{}", Ipv4Addr::from(v)),
            Ip::V6(v) => write!(a.ip, "{}", Ipv6Addr::from(v)),
        };
        a.ua = ua;
        a.query.clear();
        a.pending = 0;
        a.label = label;
        id
    }

    pub(super) fn query_mut(&mut self, actor: u32) -> &mut String {
        &mut self.actors[actor as usize].query
    }

    pub(super) fn has_query(&self, actor: u32) -> bool {
        !self.actors[actor as usize].query.is_empty()
    }

    /// Schedules one request. Every request of a visit is pushed when the visit starts.
    pub(super) fn push(&mut self, time: i64, actor: u32, req: Request) {
        self.seq += 1;
        self.scheduled += 1;
        self.actors[actor as usize].pending += 1;
        self.events.push(Reverse(Due { time, seq: self.seq, what: Emit { actor, req } }));
    }

    fn release(&mut self, actor: u32) {
        let a = &mut self.actors[actor as usize];
        a.pending -= 1;
        if a.pending == 0 {
            a.label = None;
            self.free.push(actor);
        }
    }
}
