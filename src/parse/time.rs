//! Log timestamps, parsed on the hot path: fixed layouts, and caches for the runs of
//! lines that share a second or a day.

use crate::time::{days_from_civil, days_in_month, digits};

fn month_from_abbrev(b: &[u8]) -> Option<u32> {
    // Logs write English abbreviations with this exact case; anything else is malformed.
    Some(match b {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

/// `HH:MM:SS` of a CLF timestamp body, in seconds, validated.
fn time_of_day(b: &[u8]) -> Option<u32> {
    if b[11] != b':' || b[14] != b':' || b[17] != b':' {
        return None;
    }
    let (h, mi, s) = (digits(&b[12..14])?, digits(&b[15..17])?, digits(&b[18..20])?);
    (h <= 23 && mi <= 59 && s <= 60).then_some(h * 3600 + mi * 60 + s)
}

/// Parses the bracketed CLF timestamp body `10/Oct/2000:13:55:36 -0700` to Unix seconds (UTC).
pub fn parse_clf(b: &[u8]) -> Option<i64> {
    if b.len() != 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[20] != b' ' {
        return None;
    }
    let day = digits(&b[0..2])?;
    let month = month_from_abbrev(&b[3..6])?;
    let year = digits(&b[7..11])?;
    if b[14] != b':' || b[17] != b':' {
        return None;
    }
    let (h, mi, s) = (digits(&b[12..14])?, digits(&b[15..17])?, digits(&b[18..20])?);
    let sign = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (oh, om) = (digits(&b[22..24])?, digits(&b[24..26])?);
    // Years outside 1000–9998 are damage, and would not print as RFC 3339 after the
    // offset moves them.
    if !(1000..=9998).contains(&year) || day == 0 || day > days_in_month(i64::from(year), month) {
        return None;
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    if oh > 23 || om > 59 {
        return None;
    }
    let local = days_from_civil(i64::from(year), month, day) * 86_400 + i64::from(h * 3600 + mi * 60 + s);
    Some(local - sign * i64::from(oh * 3600 + om * 60))
}

/// Seconds of a validated civil date and time (no zone applied).
pub fn civil(year: u32, month: u32, day: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1000..=9998).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    if day > days_in_month(i64::from(year), month) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(i64::from(year), month, day) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
}

/// `2026-11-10` (W3C's `date`, the start of ISO 8601), or `2026/11/10` (Caddy's `wall`
/// time format): its day number.
pub fn parse_date(b: &[u8]) -> Option<i64> {
    if b.len() != 10 || b[4] != b[7] || !matches!(b[4], b'-' | b'/') {
        return None;
    }
    civil(digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?, 0, 0, 0).map(|s| s / 86_400)
}

/// `10:00:00` (W3C's `time`), seconds into the day; a fraction after it is ignored.
pub fn parse_clock(b: &[u8]) -> Option<i64> {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' || (b.len() > 8 && b[8] != b'.') {
        return None;
    }
    let (h, mi, s) = (digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..8])?);
    (h <= 23 && mi <= 59 && s <= 60).then_some(i64::from(h * 3600 + mi * 60 + s))
}

/// ISO 8601 / RFC 3339 as logs write it: `2026-11-10T10:00:00+01:00` (nginx's
/// `$time_iso8601`), `2026-11-10T09:00:00.123456Z` (ALB, Traefik), `+0100`, or a space
/// for the `T`. A time without a zone is `None` here (the caller knows its zone).
pub fn parse_iso(b: &[u8]) -> Option<i64> {
    let (local, offset) = parse_iso_local(b)?;
    Some(local - i64::from(offset?))
}

/// [`parse_iso`] without applying the zone: (wall-clock seconds, its offset if written).
pub fn parse_iso_local(b: &[u8]) -> Option<(i64, Option<i32>)> {
    if b.len() < 19 || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    parse_iso_local_time(b, parse_date(&b[..10])?)
}

/// [`parse_iso_local`] with the date part already read as `day`.
pub fn parse_iso_local_time(b: &[u8], day: i64) -> Option<(i64, Option<i32>)> {
    let secs = parse_clock(b.get(11..19)?)?;
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        rest = &frac[n..];
    }
    let offset = match rest {
        b"" => None,
        b"Z" | b"z" => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let off = (h * 3600 + m * 60) as i32;
            Some(if *sign == b'+' { off } else { -off })
        }
        _ => return None,
    };
    Some((day * 86_400 + secs, offset))
}

/// Unix time as a number: seconds with an optional fraction (nginx's `$msec`, Caddy's
/// `ts`); integers too large to be seconds are read as milli-, micro- or nanoseconds.
pub fn parse_epoch(b: &[u8]) -> Option<i64> {
    let dot = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
    let (int, frac) = (&b[..dot], b.get(dot + 1..).unwrap_or_default());
    if int.is_empty() || int.len() > 19 || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: i64 = int.iter().fold(0i64, |n, &c| n.saturating_mul(10).saturating_add(i64::from(c - b'0')));
    // 100 billion seconds is the year 5138: anything larger counts a finer unit.
    while n >= 100_000_000_000 {
        n /= 1000;
    }
    Some(n)
}

/// `10/Nov/2026:10:00:00` with an optional `.123` and no zone (HAProxy's `%tr`):
/// wall-clock seconds.
pub fn parse_clf_local(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || (b.len() > 20 && b[20] != b'.') {
        return None;
    }
    let month = month_from_abbrev(&b[3..6])?;
    let secs = time_of_day(b)?;
    civil(digits(&b[7..11])?, month, digits(&b[0..2])?, 0, 0, 0).map(|d| d + i64::from(secs))
}

/// A W3C `date`, remembered: a log's lines share their date for hours.
#[derive(Default)]
pub struct DateCache {
    raw: [u8; 10],
    day: i64,
}

impl DateCache {
    pub fn parse(&mut self, raw: &[u8]) -> Option<i64> {
        if raw == self.raw {
            return Some(self.day);
        }
        let day = parse_date(raw)?;
        self.raw.copy_from_slice(raw);
        self.day = day;
        Some(day)
    }
}

/// Month abbreviations for strftime's `%b`.
pub fn month_abbrev(b: &[u8]) -> Option<u32> {
    month_from_abbrev(b)
}

/// Wall-clock times of a zone turned into instants, remembering the offset of the last
/// local hour (offsets change on the hour, a few times a year at most).
#[derive(Default)]
pub struct LocalCache {
    hour: i64,
    offset: Option<i64>,
}

impl LocalCache {
    pub fn to_utc(&mut self, zone: &crate::time::Zone, local: i64) -> i64 {
        if zone.is_utc() {
            return local;
        }
        let hour = local.div_euclid(3600);
        match self.offset {
            Some(offset) if self.hour == hour => local - offset,
            _ => {
                let utc = zone.local_to_utc(local);
                self.hour = hour;
                self.offset = Some(local - utc);
                utc
            }
        }
    }
}

/// Remembers the last timestamp parsed: consecutive log lines mostly share their second,
/// so most lines cost one 26-byte comparison instead of a parse; and nearly all share
/// their day and offset, so the others cost three two-digit numbers.
#[derive(Default)]
pub struct ClfCache {
    last_raw: [u8; 26],
    last_ts: Option<i64>,
    /// `dd/Mon/yyyy` and ` ±hhmm` of the day below.
    day_key: [u8; 17],
    /// UTC seconds of local midnight of that day.
    day_start: Option<i64>,
}

impl ClfCache {
    /// Inlined: the common case is one comparison.
    #[inline]
    pub fn parse(&mut self, b: &[u8]) -> Option<i64> {
        if let (Some(ts), Ok(raw)) = (self.last_ts, <&[u8; 26]>::try_from(b)) {
            // Two overlapping 16-byte compares instead of a call to memcmp.
            let word =
                |r: &[u8; 26], at: usize| u128::from_ne_bytes(r[at..at + 16].try_into().unwrap_or([0; 16]));
            if word(raw, 0) == word(&self.last_raw, 0) && word(raw, 10) == word(&self.last_raw, 10) {
                return Some(ts);
            }
        }
        self.parse_new_second(b)
    }

    #[inline(never)]
    fn parse_new_second(&mut self, b: &[u8]) -> Option<i64> {
        if let (Some(start), true) = (self.day_start, b.len() == 26) {
            if b[..11] == self.day_key[..11] && b[20..] == self.day_key[11..] {
                let ts = start + i64::from(time_of_day(b)?);
                self.last_raw.copy_from_slice(b);
                self.last_ts = Some(ts);
                return Some(ts);
            }
        }
        let ts = parse_clf(b)?;
        self.last_raw.copy_from_slice(b);
        self.last_ts = Some(ts);
        self.day_key[..11].copy_from_slice(&b[..11]);
        self.day_key[11..].copy_from_slice(&b[20..]);
        self.day_start = time_of_day(b).map(|secs| ts - i64::from(secs));
        Some(ts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    #[test]
    fn clf_timestamps_convert_offsets_to_utc() {
        let cases: &[(&str, Option<&str>)] = &[
            ("10/Oct/2000:13:55:36 -0700", Some("2000-10-10T20:55:36Z")),
            ("22/Jan/2019:03:56:14 +0330", Some("2019-01-22T00:26:14Z")),
            ("01/Jan/2020:00:30:00 +0100", Some("2019-12-31T23:30:00Z")),
            ("29/Feb/2024:12:00:00 +0000", Some("2024-02-29T12:00:00Z")),
            ("29/Feb/2023:12:00:00 +0000", None),
            ("10/oct/2000:13:55:36 -0700", None),
            ("10/Oct/2000:25:55:36 -0700", None),
            ("10/Oct/2000 13:55:36 -0700", None),
            ("01/Jan/0000:00:00:00 +1400", None),
            ("31/Dec/9999:23:59:59 -1200", None),
            ("10/Oct/2000:13:55:36 0700 ", None),
        ];
        for (raw, want) in cases {
            let got = parse_clf(raw.as_bytes()).map(format_rfc3339);
            assert_eq!(got.as_deref(), *want, "{raw}");
        }
    }

    #[test]
    fn iso_epoch_and_local_forms() {
        let iso: &[(&str, Option<&str>)] = &[
            // nginx `$time_iso8601` (SEMANTICS: offset with a colon, no fraction).
            ("2015-09-06T05:58:05+09:00", Some("2015-09-05T20:58:05Z")),
            // ALB (ALBDOC example line 1): microseconds and Z.
            ("2018-07-02T22:23:00.186641Z", Some("2018-07-02T22:23:00Z")),
            // Traefik StartUTC: nanoseconds.
            ("2021-12-08T09:16:05.123456789Z", Some("2021-12-08T09:16:05Z")),
            ("2026-11-10 10:00:00 +0100", None),
            ("2026-11-10 10:00:00+0100", Some("2026-11-10T09:00:00Z")),
            ("2026-11-10T10:00:00", None),
            ("2026-02-30T10:00:00Z", None),
        ];
        for (raw, want) in iso {
            assert_eq!(parse_iso(raw.as_bytes()).map(format_rfc3339).as_deref(), *want, "{raw}");
        }
        // nginx `$msec`, Caddy `ts`, and the same instant in finer units.
        for raw in ["1794301200.123", "1794301200", "1794301200123", "1794301200123456789"] {
            assert_eq!(
                parse_epoch(raw.as_bytes()).map(format_rfc3339).as_deref(),
                Some("2026-11-10T09:00:00Z")
            );
        }
        assert_eq!(parse_epoch(b"-"), None);
        assert_eq!(
            parse_clf_local(b"06/Feb/2009:12:14:14.655").map(format_rfc3339).as_deref(),
            Some("2009-02-06T12:14:14Z")
        );
        let berlin = crate::time::Zone::parse("Europe/Berlin").unwrap();
        let mut local = LocalCache::default();
        let ts = parse_clf_local(b"10/Nov/2026:10:00:00").unwrap();
        assert_eq!(format_rfc3339(local.to_utc(&berlin, ts)), "2026-11-10T09:00:00Z");
        assert_eq!(format_rfc3339(local.to_utc(&berlin, ts + 60)), "2026-11-10T09:01:00Z");
    }

    #[test]
    fn cache_returns_same_answer_as_parse() {
        let mut c = ClfCache::default();
        for raw in [
            "10/Oct/2000:13:55:36 -0700",
            "10/Oct/2000:13:55:36 -0700",
            "10/Oct/2000:13:55:37 -0700",
            "10/Oct/2000:23:59:59 -0700",
            "10/Oct/2000:24:00:00 -0700",
            "10/Oct/2000:13:5x:37 -0700",
            "10/Oct/2000 13:55:37 -0700",
            "11/Oct/2000:00:00:00 -0700",
            "11/Oct/2000:00:00:00 +0100",
            "bad",
            "11/Oct/2000:00:00:01 +0100",
        ] {
            assert_eq!(c.parse(raw.as_bytes()), parse_clf(raw.as_bytes()), "{raw}");
        }
    }
}
