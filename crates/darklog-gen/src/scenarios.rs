//! Who arrives when, and what each kind of visitor does once there.
//!
//! Fresh arrivals follow a Poisson process shaped by the hour of day (people) or flat
//! (machines), with a rate re-estimated at each arrival so that the line budget is spent
//! evenly over the configured days. Arrivals that depend on an earlier one (the readers
//! of a share, a visitor coming back) wait in a second queue until their time.
//!
//! Every identity (address, agent) is used by one scenario only, except for returning
//! visitors, who come back at least [`MIN_AWAY`] after their last request. That keeps each
//! truth row equal to exactly one visit as the analyzer cuts them (30 idle minutes).

use std::cmp::Reverse;

use super::engine::{permute, Due, Generator, Ip, Label, Method, Referrer, Request, Target, NO_BYTES};
use super::pools::{
    Agent, DcRange, Land, Query, ASSETS, BROWSERS, DC_RANGES, FAVICON_BYTES, HOME_V4_OCTETS, IN_APP, ORIGINS,
    SHARE_APPS, STALE_PATHS,
};
use super::site::Site;

/// A returning visitor stays away at least this long after their last request: well past
/// the 30-minute visit timeout, so the return is a visit of its own.
pub const MIN_AWAY: i64 = 46 * 60;

/// Chance (percent) that a visitor who read an article comes back to it from a bookmark
/// or browser history, and that a visitor comes back to the home page by typing it.
const BOOKMARK_RETURN: u32 = 8;
const TYPED_RETURN: u32 = 5;

/// Lines one arrival is assumed to bring before any has been counted.
const PRIOR_LINES_PER_ARRIVAL: f64 = 12.0;
const PRIOR_WEIGHT: f64 = 20.0;

#[derive(Clone, Copy, Debug)]
pub(super) enum Arrival {
    Origin,
    Share,
    Crawler,
    Scraper,
    Scanner,
    /// One page per address through rotating proxies (`GenConfig::proxy_scrapers`).
    ProxyScraper,
}

/// Fresh arrivals, weighted per thousand human visits (share readers and returns come on
/// top of these), and whether they follow people's day.
pub(super) static ARRIVALS: &[(Arrival, f64, bool)] = &[
    (Arrival::Origin, 603.0, true),
    (Arrival::Share, 185.0, true),
    (Arrival::Crawler, 175.0, false),
    (Arrival::Scraper, 16.0, false),
    (Arrival::Scanner, 30.0, false),
];

/// A person: address and an index into browsers then in-app agents.
#[derive(Clone, Copy, Debug)]
pub struct Person {
    ip: Ip,
    ua: u8,
}

#[derive(Clone, Copy, Debug)]
enum Next {
    Bookmark { who: Person, page: u32 },
    Typed { who: Person },
    ShareReader { app: u8, page: u32, previewed: bool },
}

/// A visit that starts later because of an earlier one.
pub struct Deferred {
    next: Next,
}

pub type Later = Due<Deferred>;

pub(super) fn label(
    channel: &'static str,
    source: &'static str,
    kind: &'static str,
    knowable: bool,
) -> Label {
    Label { channel, source, kind, knowable }
}

fn human_ua(ua: u8) -> &'static str {
    let i = usize::from(ua);
    match BROWSERS.get(i) {
        Some((_, s)) => s,
        None => IN_APP[i - BROWSERS.len()].ua,
    }
}

/// What a human visit needs beyond its time.
struct Visit {
    who: Person,
    landing: u32,
    referrer: Referrer,
    query: Query,
    label: Label,
    /// A return: the browser may still hold the page (304).
    cached: bool,
}

impl Generator {
    /// Draws the next fresh arrival time by thinning: candidates at the peak density,
    /// kept in proportion to the density at their hour.
    pub(super) fn advance_clock(&mut self) {
        let Generator { rng, clock: c, scheduled, budget, .. } = self;
        c.arrivals += 1;
        let per_arrival =
            (*scheduled as f64 + PRIOR_LINES_PER_ARRIVAL * PRIOR_WEIGHT) / (c.arrivals as f64 + PRIOR_WEIGHT);
        let expected = budget.saturating_sub(*scheduled).max(1) as f64 / per_arrival;
        // Past the window's end (the estimate ran short), the rest comes within about an hour.
        let floor = 3600.0 * (c.people + c.machines);
        loop {
            let rate = expected / c.remaining(c.t).max(floor) * c.dmax;
            c.t += rng.exponential(1.0 / rate);
            if rng.unit() * c.dmax < c.density(c.t as i64) {
                break;
            }
        }
        c.next = (c.t as i64).max(c.next);
    }

    pub(super) fn start_arrival(&mut self, t: i64) {
        let kind = if self.clock.arrivals == 0 {
            // The log opens with a person at `start`.
            Arrival::Origin
        } else {
            let day = self.clock.day[self.clock.hour(t)];
            let w = |a: &(Arrival, f64, bool)| if a.2 { a.1 * day } else { a.1 };
            let mut r = self.rng.unit() * self.arrivals.iter().map(w).sum::<f64>();
            let mut pick = self.arrivals[0].0;
            for a in &self.arrivals {
                pick = a.0;
                r -= w(a);
                if r < 0.0 {
                    break;
                }
            }
            pick
        };
        match kind {
            Arrival::Origin => self.origin_visit(t),
            Arrival::Share => self.share(t),
            Arrival::Crawler => self.crawler(t),
            Arrival::Scraper => self.scraper(t),
            Arrival::Scanner => self.scanner(t),
            Arrival::ProxyScraper => self.proxy_scraper(t),
        }
    }

    pub(super) fn start_later(&mut self, l: Later) {
        match l.what.next {
            Next::Bookmark { who, page } => {
                let label = label("direct", "bookmark", "bookmark-return", false);
                let v = Visit {
                    who,
                    landing: page,
                    referrer: Referrer::None,
                    query: Query::None,
                    label,
                    cached: true,
                };
                self.human(l.time, v);
            }
            Next::Typed { who } => {
                let landing = Site::front(&mut self.rng);
                let label = label("direct", "typed", "homepage-typed", false);
                let v =
                    Visit { who, landing, referrer: Referrer::None, query: Query::None, label, cached: true };
                self.human(l.time, v);
            }
            Next::ShareReader { app, page, previewed } => self.share_reader(l.time, app, page, previewed),
        }
    }

    fn defer(&mut self, time: i64, next: Next) {
        // Nothing starts after the window: a return that late simply does not happen.
        if time < self.end {
            self.seq += 1;
            self.later.push(Reverse(Due { time, seq: self.seq, what: Deferred { next } }));
        }
    }

    // -----------------------------------------------------------------------------------
    // Identities

    pub(super) fn home_ip(&mut self) -> Ip {
        let n = self.people.wrapping_add(self.salt);
        self.people += 1;
        if self.rng.percent(15) {
            let net = permute(n, 32) as u128;
            let iface = u128::from(self.rng.next_u64() | 1);
            Ip::V6((0x2001_0db8u128 << 96) | (net << 64) | iface)
        } else {
            let p = permute(n, 29);
            Ip::V4((u32::from(HOME_V4_OCTETS[(p & 31) as usize]) << 24) | (p >> 5) as u32)
        }
    }

    /// A new person with this agent: a fresh address, or a shared one (a household or
    /// office behind NAT) where nobody uses that agent yet.
    pub(super) fn person(&mut self, ua: u8) -> Person {
        let bit = 1u64 << ua;
        if !self.nat.is_empty() && self.rng.percent(12) {
            let i = self.rng.below(self.nat.len() as u64) as usize;
            if self.nat[i].1 & bit == 0 {
                self.nat[i].1 |= bit;
                return Person { ip: self.nat[i].0, ua };
            }
        }
        let ip = self.home_ip();
        if self.rng.percent(20) {
            if self.nat.len() < 512 {
                self.nat.push((ip, bit));
            } else {
                let i = self.rng.below(512) as usize;
                self.nat[i] = (ip, bit);
            }
        }
        Person { ip, ua }
    }

    pub(super) fn agent(&mut self, agent: Agent) -> u8 {
        match agent {
            Agent::Browser => self.rng.weighted_pair(BROWSERS).0 as u8,
            Agent::InApp(app) => {
                (BROWSERS.len() + IN_APP.iter().position(|a| a.app == app).unwrap_or(0)) as u8
            }
        }
    }

    /// A data-centre address never handed out recently (each /16 cycles through all of
    /// its 65,536 addresses before repeating one).
    pub(super) fn dc_ip(&mut self, range: DcRange) -> Ip {
        let i = DC_RANGES.iter().position(|r| *r == range).unwrap_or(0);
        let c = self.dc_counters[i];
        self.dc_counters[i] += 1;
        // Offset per range, so that ranges do not hand out the same host numbers in step.
        let host = permute(c.wrapping_add(self.salt).wrapping_add(i as u64 * 0x3c6f), 16) as u32;
        Ip::V4((u32::from(range.0) << 24) | (u32::from(range.1) << 16) | host)
    }

    // -----------------------------------------------------------------------------------
    // People

    fn origin_visit(&mut self, t: i64) {
        let o = &ORIGINS[self.rng.weighted(ORIGINS)];
        let landing = match o.land {
            Land::Deep => Site::article(&mut self.rng),
            Land::Front => Site::front(&mut self.rng),
            Land::Mixed(p) if self.rng.percent(p) => Site::article(&mut self.rng),
            Land::Mixed(_) => Site::front(&mut self.rng),
        };
        let ua = self.agent(o.agent);
        let who = self.person(ua);
        let referrer = o.referrer.map_or(Referrer::None, Referrer::External);
        let label = label(o.channel, o.source, o.kind, false);
        self.human(t, Visit { who, landing, referrer, query: o.query, label, cached: false });
    }

    /// A link sent privately: maybe previewed by the app's fetcher, then opened by one or
    /// more of the people it was sent to over the next hours.
    fn share(&mut self, t: i64) {
        let app = self.rng.weighted(SHARE_APPS);
        let page = Site::article(&mut self.rng);
        let previewed = match SHARE_APPS[app].preview {
            Some((ua, range, p)) if self.rng.percent(p) => {
                self.preview(t, page, ua, range, SHARE_APPS[app].kinds[4]);
                true
            }
            _ => false,
        };
        let mut readers = 1;
        while readers < 5 && self.rng.percent(38) {
            readers += 1;
        }
        for _ in 0..readers {
            let delay = (self.rng.log_uniform(1.0, 6.0 * 3600.0) as i64).max(1);
            self.defer(t + delay, Next::ShareReader { app: app as u8, page, previewed });
        }
    }

    fn share_reader(&mut self, t: i64, app: u8, page: u32, previewed: bool) {
        let a = &SHARE_APPS[usize::from(app)];
        let mut agent = Agent::Browser;
        let mut query = Query::None;
        let mut referrer = Referrer::None;
        let mut kind = a.kinds[0];
        if let Some((i, p)) = a.in_app {
            if self.rng.percent(p) {
                agent = Agent::InApp(i);
                kind = a.kinds[1];
            }
        }
        if let (Some((q, p)), true) = (a.utm, kind == a.kinds[0]) {
            if self.rng.percent(p) {
                query = Query::Fixed(q);
                kind = a.kinds[2];
            }
        }
        if let (Some((r, p)), true) = (a.referrer, kind == a.kinds[0]) {
            if self.rng.percent(p) {
                referrer = Referrer::External(r);
                kind = a.kinds[3];
            }
        }
        let knowable = previewed || kind != a.kinds[0];
        let ua = self.agent(agent);
        let who = self.person(ua);
        let label = label("dark-social", a.name, kind, knowable);
        self.human(t, Visit { who, landing: page, referrer, query, label, cached: false });
    }

    /// One visit by a person in a browser: pages, each with its assets, then perhaps a
    /// return later.
    fn human(&mut self, t: i64, v: Visit) {
        let actor = self.actor(v.who.ip, human_ua(v.who.ua), Some(v.label));
        self.fill_query(actor, v.query);
        // A browser with every asset cached, or a site whose assets a CDN serves, loads none
        // here. (Drawn only when asked for: the default log stays what it was.)
        let warm = self.cached_readers_percent > 0 && self.rng.percent(self.cached_readers_percent);
        let loads_assets = !self.cdn_assets && !warm;
        let mut pages = 1;
        while pages < 6 && self.rng.percent(45) {
            pages += 1;
        }
        let (mut time, mut end, mut page) = (t, t, v.landing);
        let mut referrer = v.referrer;
        let mut deep = None;
        for i in 0..pages {
            let first = i == 0;
            let status = if (first && v.cached && self.rng.percent(30)) || (!first && self.rng.percent(3)) {
                304
            } else {
                200
            };
            let bytes = if status == 304 { NO_BYTES } else { self.rng.range(18_000, 96_000) };
            let target = if first { Target::Landing(page) } else { Target::Page(page) };
            let req = Request { method: Method::Get, target, status, bytes, referrer, landing: first };
            self.push(time, actor, req);
            if deep.is_none() && !Site::is_front(page) {
                deep = Some(page);
            }
            let own =
                if first && self.has_query(actor) { Referrer::Landing(page) } else { Referrer::Page(page) };
            if loads_assets {
                end = end.max(self.assets(time, actor, page, own, first));
            }
            if self.rng.percent(6) {
                let at = time + i64::from(self.rng.range(1, 8));
                let bytes = self.rng.range(47, 900);
                let req = Request { method: Method::Post, ..Request::get(ADMIN_AJAX, bytes, own) };
                self.push(at, actor, req);
                end = end.max(at);
            }
            if self.rng.percent(2) {
                let at = time + i64::from(self.rng.range(2, 9));
                let stale = Target::Static(self.rng.pick_copy(STALE_PATHS));
                self.push(at, actor, Request { status: 404, ..Request::get(stale, 153, own) });
                end = end.max(at);
            }
            if i + 1 == pages {
                break;
            }
            time += self.rng.log_uniform(10.0, 480.0) as i64;
            referrer = own;
            if !Site::is_front(page) && self.rng.percent(4) {
                // A comment posts back to the article, which redirects to itself.
                let req = Request { method: Method::Post, status: 302, ..Request::get(COMMENT, 0, own) };
                self.push(time - 1, actor, req);
            } else {
                page = Site::next_page(&mut self.rng);
            }
        }
        self.maybe_return(v.who, end, deep);
    }

    /// What a browser fetches to render a page, within three seconds of it. Returns the
    /// time of the last request.
    fn assets(&mut self, t: i64, actor: u32, page: u32, own: Referrer, first: bool) -> i64 {
        let n = match self.assets_per_page {
            Some(n) => n as usize,
            None => self.rng.range(2, 8) as usize,
        };
        let mut last = t;
        let mut next = 2 + self.rng.below(ASSETS.len() as u64 - 2) as usize;
        for k in 0..n {
            let at = t + self.rng.below(4) as i64;
            last = last.max(at);
            let (target, size) = if k == 2 && !Site::is_front(page) {
                (Target::Image(page), self.rng.range(40_000, 260_000))
            } else {
                // The render-blocking pair first, then a run of the others.
                let a = if k < 2 { k } else { next };
                if k >= 2 {
                    next = if next + 1 == ASSETS.len() { 2 } else { next + 1 };
                }
                (Target::Asset(a as u16), ASSETS[a].1)
            };
            let cached = !first && self.rng.percent(60);
            let req = if cached {
                Request { status: 304, ..Request::get(target, NO_BYTES, own) }
            } else {
                Request::get(target, size, own)
            };
            self.push(at, actor, req);
        }
        if first && self.rng.percent(40) {
            let at = t + self.rng.below(4) as i64;
            last = last.max(at);
            self.push(at, actor, Request::get(Target::Favicon, FAVICON_BYTES, own));
        }
        last
    }

    fn fill_query(&mut self, actor: u32, q: Query) {
        const TOKEN: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        match q {
            Query::None => {}
            Query::Fixed(s) => self.query_mut(actor).push_str(s),
            Query::Token(prefix, len) => {
                let mut buf = [0u8; 64];
                let len = usize::from(len).min(buf.len());
                for b in &mut buf[..len] {
                    *b = TOKEN[self.rng.below(TOKEN.len() as u64) as usize];
                }
                let out = self.query_mut(actor);
                out.push_str(prefix);
                out.extend(buf[..len].iter().map(|&b| char::from(b)));
            }
        }
    }

    fn maybe_return(&mut self, who: Person, end: i64, deep: Option<u32>) {
        // In-app browsers keep no bookmarks and cannot be typed into.
        if usize::from(who.ua) >= BROWSERS.len() {
            return;
        }
        let away = MIN_AWAY + self.rng.log_uniform(60.0, 3.0 * 86_400.0) as i64;
        if let Some(page) = deep {
            if self.rng.percent(BOOKMARK_RETURN) {
                return self.defer(end + away, Next::Bookmark { who, page });
            }
        }
        if self.rng.percent(TYPED_RETURN) {
            self.defer(end + away, Next::Typed { who });
        }
    }
}

const ADMIN_AJAX: Target = Target::Static(b"/wp-admin/admin-ajax.php");
const COMMENT: Target = Target::Static(b"/comment");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pools::{CRAWLERS, SCANNERS, SCANNERS_B, SCRAPER_RANGES};

    #[test]
    fn every_range_used_has_a_counter() {
        let mut used: Vec<DcRange> = CRAWLERS.iter().map(|c| c.range).collect();
        used.extend(SHARE_APPS.iter().filter_map(|a| a.preview.map(|p| p.1)));
        used.extend(SCRAPER_RANGES);
        used.extend([SCANNERS, SCANNERS_B]);
        for r in used {
            assert!(DC_RANGES.contains(&r), "{r:?}");
        }
        for r in DC_RANGES {
            assert!(!HOME_V4_OCTETS.contains(&r.0), "{r:?} overlaps people's addresses");
        }
        assert!(BROWSERS.len() + IN_APP.len() <= 64);
        let apps = SHARE_APPS.iter().filter_map(|a| a.in_app.map(|i| i.0));
        let origins = ORIGINS.iter().filter_map(|o| match o.agent {
            Agent::InApp(app) => Some(app),
            Agent::Browser => None,
        });
        for app in apps.chain(origins) {
            assert!(IN_APP.iter().any(|a| a.app == app), "{app} has no in-app agent");
        }
    }

    #[test]
    fn permutation_is_a_bijection() {
        let mut seen = vec![false; 1 << 16];
        for x in 0..1u64 << 16 {
            let p = permute(x, 16) as usize;
            assert!(!seen[p]);
            seen[p] = true;
        }
    }
}
