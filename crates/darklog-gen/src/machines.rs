//! What the machines do: link-preview fetchers, declared crawlers, scrapers posing as
//! browsers and vulnerability scanners.

use super::engine::{Generator, Label, Method, Referrer, Request, Target, NO_BYTES};
use super::pools::{
    DcRange, BROWSERS, CRAWLERS, SCANNERS, SCANNERS_B, SCANNER_REQUESTS, SCANNER_UAS, SCRAPER_RANGES,
    STALE_PATHS,
};
use super::scenarios::label;
use super::site::Site;

const BOT: Label = Label { channel: "excluded", source: "bot", kind: "bot-declared", knowable: false };
const SCRAPER: Label = Label { channel: "excluded", source: "scraper", kind: "scraper", knowable: false };
const PROXY_SCRAPER: Label =
    Label { channel: "excluded", source: "scraper", kind: "scraper-rotating-proxy", knowable: false };

impl Generator {
    /// A chat app fetching a shared link for its preview card: the page only, sometimes
    /// twice or three times in a burst.
    pub(super) fn preview(
        &mut self,
        t: i64,
        page: u32,
        ua: &'static str,
        range: DcRange,
        kind: &'static str,
    ) {
        let ip = self.dc_ip(range);
        let actor = self.actor(ip, ua, Some(label("excluded", "preview", kind, false)));
        let fetches = match self.rng.below(10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let mut time = t;
        for j in 0..fetches {
            let bytes = self.rng.range(18_000, 96_000);
            let req = Request { landing: j == 0, ..Request::get(Target::Page(page), bytes, Referrer::None) };
            self.push(time, actor, req);
            time += i64::from(self.rng.range(0, 3));
        }
    }

    pub(super) fn crawler(&mut self, t: i64) {
        let c = &CRAWLERS[self.rng.weighted(CRAWLERS)];
        let ip = self.dc_ip(c.range);
        let actor = self.actor(ip, c.ua, Some(BOT));
        if self.rng.percent(c.robots) {
            // Same second as the first page, so the visit starts there either way.
            self.push(t, actor, Request::get(Target::Static(b"/robots.txt"), 310, Referrer::None));
        }
        let mut time = t;
        for i in 0..self.rng.range(c.pages.0, c.pages.1) {
            let page = if c.home_only {
                0
            } else if self.rng.percent(25) {
                Site::front(&mut self.rng)
            } else {
                Site::article(&mut self.rng)
            };
            let bytes = self.rng.range(18_000, 96_000);
            let mut req = Request::get(Target::Page(page), bytes, Referrer::None);
            if i == 0 {
                req.landing = true;
            } else {
                match self.rng.below(100) {
                    0..=3 => {
                        req = Request {
                            status: 404,
                            ..Request::get(
                                Target::Static(self.rng.pick_copy(STALE_PATHS)),
                                153,
                                Referrer::None,
                            )
                        }
                    }
                    4..=7 => {
                        req.status = 301;
                        req.bytes = 162;
                    }
                    8..=9 => {
                        req.status = 304;
                        req.bytes = NO_BYTES;
                    }
                    _ => {}
                }
                if self.rng.percent(c.head) {
                    req.method = Method::Head;
                    if req.bytes != NO_BYTES {
                        req.bytes = 0;
                    }
                }
            }
            self.push(time, actor, req);
            time += i64::from(self.rng.range(c.gap.0, c.gap.1));
        }
    }

    /// A browser agent that reads like a machine: pages only, seconds apart, often from a
    /// new address every few requests. Each address is a visit of its own.
    pub(super) fn scraper(&mut self, t: i64) {
        let ua = self.rng.weighted_pair(BROWSERS).1;
        let mut left = self.rng.range(8, 60);
        let rotating = self.rng.percent(50);
        let mut time = t;
        while left > 0 {
            let run = if rotating { self.rng.range(2, 6).min(left) } else { left };
            let range = self.rng.pick_copy(SCRAPER_RANGES);
            let ip = self.dc_ip(range);
            let actor = self.actor(ip, ua, Some(SCRAPER));
            for j in 0..run {
                let page = if self.rng.percent(15) {
                    Site::front(&mut self.rng)
                } else {
                    Site::article(&mut self.rng)
                };
                let bytes = self.rng.range(18_000, 96_000);
                let req =
                    Request { landing: j == 0, ..Request::get(Target::Page(page), bytes, Referrer::None) };
                self.push(time, actor, req);
                time += i64::from(self.rng.range(1, 5));
            }
            left -= run;
        }
    }

    /// A scraper behind rotating proxies: a browser's agent, one page per address (people's
    /// addresses: residential proxies), no referrer, no assets. Each address is a visit of
    /// its own and looks like a dark-social reader but for the missing assets.
    pub(super) fn proxy_scraper(&mut self, t: i64) {
        let ua = self.rng.weighted_pair(BROWSERS).1;
        let mut time = t;
        for _ in 0..self.rng.range(5, 40) {
            let ip = self.home_ip();
            let actor = self.actor(ip, ua, Some(PROXY_SCRAPER));
            let bytes = self.rng.range(18_000, 96_000);
            let page = Site::article(&mut self.rng);
            let req = Request { landing: true, ..Request::get(Target::Page(page), bytes, Referrer::None) };
            self.push(time, actor, req);
            time += i64::from(self.rng.range(2, 30));
        }
    }

    /// Probes for known holes. None is a page view, so none makes a visit or a truth row.
    pub(super) fn scanner(&mut self, t: i64) {
        let ua = self.rng.weighted_pair(SCANNER_UAS).1;
        let range = if self.rng.percent(50) { SCANNERS } else { SCANNERS_B };
        let ip = self.dc_ip(range);
        let actor = self.actor(ip, ua, None);
        let mut time = t;
        for _ in 0..self.rng.range(1, 5) {
            let &(method, target, status) = self.rng.pick(SCANNER_REQUESTS);
            let method = match method {
                "GET" => Method::Get,
                "POST" => Method::Post,
                _ => Method::Dash,
            };
            let bytes = if status == 400 { 157 } else { 153 };
            let req =
                Request { method, status, ..Request::get(Target::Static(target), bytes, Referrer::None) };
            self.push(time, actor, req);
            time += i64::from(self.rng.range(0, 2));
        }
    }
}
