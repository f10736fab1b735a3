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
