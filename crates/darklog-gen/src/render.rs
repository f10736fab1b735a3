//! One request rendered into one log line (and, now and then, into a broken one).

use super::engine::{Event, Generator, Method, Referrer, Target, NO_BYTES};
use super::pools::{ASSETS, FAVICON};
use super::TruthVisit;
use darklog::time::format_clf;

impl Generator {
    pub(super) fn render(&mut self, ev: &Event) {
        let Generator { line, actors, site, clf, clf_ts, tz, truth, key, visits_out, .. } = self;
        let a = &actors[ev.what.actor as usize];
        let r = &ev.what.req;
        line.clear();
        line.extend_from_slice(a.ip.as_bytes());
        line.extend_from_slice(b" - - [");
        if *clf_ts != ev.time {
            *clf = format_clf(ev.time, *tz);
            *clf_ts = ev.time;
        }
        line.extend_from_slice(clf.as_bytes());
        line.extend_from_slice(b"] \"");
        let method: &[u8] = match r.method {
            Method::Get => b"GET",
            Method::Head => b"HEAD",
            Method::Post => b"POST",
            Method::Dash => b"",
        };
        let mut target = 0..0;
        if method.is_empty() {
            line.push(b'-');
        } else {
            line.extend_from_slice(method);
            line.push(b' ');
            let from = line.len();
            match r.target {
                Target::Page(p) => line.extend_from_slice(site.path(p)),
                Target::Landing(p) => {
                    line.extend_from_slice(site.path(p));
                    if !a.query.is_empty() {
                        line.push(b'?');
                        line.extend_from_slice(a.query.as_bytes());
                    }
                }
                Target::Asset(i) => line.extend_from_slice(ASSETS[usize::from(i)].0.as_bytes()),
                Target::Favicon => line.extend_from_slice(FAVICON.as_bytes()),
                Target::Image(p) => {
                    line.extend_from_slice(b"/media/");
                    push_num(line, u64::from(p) * 37 + 100_000);
                    line.extend_from_slice(b"-800w.webp");
                }
                Target::Static(s) => line.extend_from_slice(s),
            }
            target = from..line.len();
            line.extend_from_slice(b" HTTP/1.1");
        }
        line.extend_from_slice(b"\" ");
        push_num(line, u64::from(r.status));
        line.push(b' ');
        if r.bytes == NO_BYTES {
            line.push(b'-');
        } else {
            push_num(line, u64::from(r.bytes));
        }
        line.extend_from_slice(b" \"");
        match r.referrer {
            Referrer::None => line.push(b'-'),
            Referrer::Page(p) => {
                line.extend_from_slice(&site.origin);
                line.extend_from_slice(site.path(p));
            }
            Referrer::Landing(p) => {
                line.extend_from_slice(&site.origin);
                line.extend_from_slice(site.path(p));
                if !a.query.is_empty() {
                    line.push(b'?');
                    line.extend_from_slice(a.query.as_bytes());
                }
            }
            Referrer::External(s) => line.extend_from_slice(s.as_bytes()),
        }
        line.extend_from_slice(b"\" \"");
        line.extend_from_slice(a.ua.as_bytes());
        line.push(b'"');

        if r.landing {
            if let Some(label) = a.label {
                truth.push(TruthVisit {
                    start: ev.time,
                    visitor: darklog::identity::format_id(key.public_id(a.ip.as_bytes(), a.ua.as_bytes())),
                    landing: String::from_utf8_lossy(&line[target]).into_owned(),
                    channel: label.channel,
                    source: label.source.to_string(),
                    kind: label.kind,
                    knowable: label.knowable,
                });
                *visits_out += 1;
            }
        }
    }

    /// A broken line derived from the one just rendered (never empty, never parseable).
    pub(super) fn make_malformed(&mut self) {
        let rng = &mut self.bad_rng;
        let bad = &mut self.bad;
        let line = &self.line;
        bad.clear();
        match rng.below(10) {
            // Cut short (a full disk, a killed writer): ends before the agent's closing quote.
            0..=4 => {
                let cut = 12 + rng.below(line.len() as u64 - 13) as usize;
                bad.extend_from_slice(&line[..cut]);
            }
            // Binary garbage, such as a TLS handshake sent to the plain-HTTP port.
            5 | 6 => {
                bad.push(0x16);
                for _ in 0..rng.range(8, 120) {
                    let b = rng.next_u64() as u8;
                    bad.push(if b == b'\n' { 0 } else { b });
                }
            }
            7 => bad.push(b'-'),
            // A timestamp no clock writes.
            _ => {
                bad.extend_from_slice(line);
                if let Some(open) = memchr::memchr(b'[', bad) {
                    let ts = open + 1;
                    match rng.below(4) {
                        0 => bad[ts..ts + 2].copy_from_slice(b"00"),
                        1 => bad[ts + 3..ts + 6].copy_from_slice(b"Nox"),
                        2 => bad[ts + 12..ts + 14].copy_from_slice(b"25"),
                        _ => {
                            bad[ts..ts + 26].copy_from_slice(b"2026-11-02T13:55:36+01:00Z");
                        }
                    }
                }
            }
        }
    }
}

fn push_num(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}
