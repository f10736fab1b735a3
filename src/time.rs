//! Civil-time arithmetic on Unix seconds (UTC): days, RFC 3339 and CLF output, the times
//! and durations users write (`--since 7d`), and the [`Zone`] days are counted in. Log
//! timestamps are parsed with the parsers (`parse::time`), on this arithmetic; only a
//! named zone's rules come from a library (jiff, with its database compiled in).

use std::fmt::Write as _;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `2026-11-29T03:39:00Z`
pub fn format_rfc3339(ts: i64) -> String {
    let mut s = String::with_capacity(20);
    let (y, mo, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    let _ = write!(s, "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60);
    s
}

/// `ts` as a reader in `zone` reads it: `2026-11-29T03:39:00Z` in UTC, else the wall
/// clock with the zone's name, `2026-11-28 22:39:00 America/New_York`.
pub fn format_in_zone(ts: i64, zone: &Zone) -> String {
    if zone.is_utc() {
        return format_rfc3339(ts);
    }
    let wall = format_rfc3339(ts + zone.offset_at(ts));
    format!("{} {}", wall.trim_end_matches('Z').replace('T', " "), zone.name())
}

/// `2026-11-29` for the UTC day holding `ts`.
pub fn format_date(day: i64) -> String {
    let (y, mo, d) = civil_from_days(day);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// `10/Oct/2000:13:55:36 -0700` as written by nginx and Apache, in the given offset.
pub fn format_clf(ts: i64, offset_minutes: i32) -> String {
    let local = ts + i64::from(offset_minutes) * 60;
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{d:02}/{}/{y:04}:{:02}:{:02}:{:02} {sign}{:02}{:02}",
        MONTHS[mo as usize - 1],
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        off / 60,
        off % 60
    )
}

pub const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The number an ASCII run of digits writes; `None` for an empty run or any other byte.
pub fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

/// Parses a user-supplied point in time for `--since`/`--until`.
///
/// Accepts `2026-11-01` (midnight in `zone`), `2026-11-01T06:00[:00]` or with a space
/// (in `zone` unless a `Z` or `±HH:MM` suffix says otherwise), and durations before `now`
/// such as `7d`, `24h`, `90m`, `2w`.
pub fn parse_user_time(s: &str, now: i64, zone: &Zone) -> Result<i64, String> {
    let s = s.trim();
    if let Some(ago) = parse_duration(s) {
        return Ok(now - ago);
    }
    match parse_datetime(s) {
        Some((utc, true)) => Ok(utc),
        Some((local, false)) => Ok(zone.local_to_utc(local)),
        None => Err(format!(
            "'{s}' is not a date (2026-11-01), a date-time (2026-11-01T06:00:00Z) or a duration ago (7d, 24h, 30m)"
        )),
    }
}

/// Where days begin: UTC, a fixed offset or an IANA zone. Named zones come from the
/// database compiled into the binary, so a report does not change with the host's tzdata.
#[derive(Clone)]
pub struct Zone {
    name: String,
    /// `None` for UTC, which needs no lookup.
    tz: Option<jiff::tz::TimeZone>,
}

impl Zone {
    pub fn utc() -> Zone {
        Zone { name: "UTC".into(), tz: None }
    }

    /// `UTC`, an IANA name (`Europe/Berlin`) or an offset (`+01:00`, `-0500`, `+5`).
    pub fn parse(s: &str) -> Result<Zone, String> {
        let s = s.trim();
        if matches!(s, "UTC" | "utc" | "Z" | "z" | "GMT" | "Etc/UTC") {
            return Ok(Zone::utc());
        }
        if let Some(seconds) = parse_offset(s) {
            if seconds == 0 {
                return Ok(Zone::utc());
            }
            let offset = jiff::tz::Offset::from_seconds(seconds).map_err(|e| format!("'{s}': {e}"))?;
            let (sign, abs) = if seconds < 0 { ('-', -seconds) } else { ('+', seconds) };
            let name = format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60);
            return Ok(Zone { name, tz: Some(jiff::tz::TimeZone::fixed(offset)) });
        }
        let tz = jiff::tz::TimeZone::get(s).map_err(|_| {
            format!(
                "'{s}' is not a time zone (an IANA name such as Europe/Berlin, or an offset such as +01:00)"
            )
        })?;
        Ok(Zone { name: s.to_string(), tz: Some(tz) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_utc(&self) -> bool {
        self.tz.is_none()
    }

    /// Seconds east of UTC at the instant `ts`.
    pub fn offset_at(&self, ts: i64) -> i64 {
        let Some(tz) = &self.tz else { return 0 };
        jiff::Timestamp::from_second(ts).map_or(0, |t| i64::from(tz.to_offset(t).seconds()))
    }

    /// The day number (days since 1970-01-01) of the local date at `ts`.
    #[inline]
    pub fn day_of(&self, ts: i64) -> i64 {
        if self.tz.is_none() {
            return ts.div_euclid(86_400);
        }
        (ts + self.offset_at(ts)).div_euclid(86_400)
    }

    /// The instant a local wall-clock time (as seconds since 1970-01-01 local) names; a
    /// time in a gap or a fold takes the offset before the transition, as clocks read it.
    pub fn local_to_utc(&self, local: i64) -> i64 {
        if self.tz.is_none() {
            return local;
        }
        // The offsets a day either side: no zone changes twice within two days.
        let before = local - self.offset_at(local - 86_400);
        let after = local - self.offset_at(local + 86_400);
        let names = |t: i64| self.offset_at(t) == local - t;
        match (names(before), names(after)) {
            // In a fold both are that wall-clock time: the first, as the clock read it first.
            (true, true) => before.min(after),
            (true, false) => before,
            (false, true) => after,
            // In a gap neither is: the offset before the change.
            (false, false) => before,
        }
    }
}

/// `+01:00`, `-0500`, `+5`, `UTC+2`: seconds east of UTC.
fn parse_offset(s: &str) -> Option<i32> {
    let s = s.strip_prefix("UTC").or_else(|| s.strip_prefix("GMT")).unwrap_or(s);
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits_only: String = rest.chars().filter(|&c| c != ':').collect();
    if digits_only.is_empty() || digits_only.len() > 4 || !digits_only.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits_only.len() {
        1 | 2 => (digits_only.parse::<i32>().ok()?, 0),
        3 => (digits_only[..1].parse::<i32>().ok()?, digits_only[1..].parse::<i32>().ok()?),
        _ => (digits_only[..2].parse::<i32>().ok()?, digits_only[2..].parse::<i32>().ok()?),
    };
    // Zones on Earth run from -12:00 to +14:00; +25:00 is a typo, not a place.
    let seconds = h * 3600 + m * 60;
    (m < 60 && seconds <= 14 * 3600).then_some(sign * seconds)
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl std::fmt::Debug for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// A window or timeout setting: a positive duration of at most a week.
pub fn parse_setting_duration(s: &str) -> Result<i64, String> {
    const WEEK: i64 = 7 * 86_400;
    match parse_duration(s) {
        Some(d) if d > 0 && d <= WEEK => Ok(d),
        Some(d) if d > WEEK => Err(format!("'{s}' is longer than a week")),
        _ => Err(format!("'{s}' is not a positive duration (30m, 1h, 900)")),
    }
}

/// Seconds as `parse_duration` reads them back: the largest whole unit (`30m`, `2h`, `90s`).
pub fn format_duration(seconds: i64) -> String {
    match seconds {
        s if s != 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s != 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s != 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `30m`, `24h`, `7d`, `2w`, `45s` (or a bare number of seconds) to seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: i64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A date or date-time: its seconds, and whether a zone was written (UTC seconds) or not
/// (local wall-clock seconds).
fn parse_datetime(s: &str) -> Option<(i64, bool)> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    if !(1000..=9998).contains(&year) {
        return None;
    }
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(i64::from(year), month) {
        return None;
    }
    let mut ts = days_from_civil(i64::from(year), month, day) * 86_400;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some((ts, false));
    }
    if rest[0] != b'T' && rest[0] != b' ' {
        return None;
    }
    let rest = &rest[1..];
    // HH:MM[:SS] then an optional zone.
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let h = digits(&rest[0..2])?;
    let mi = digits(&rest[3..5])?;
    let mut i = 5;
    let mut sec = 0;
    if rest.len() >= 8 && rest[5] == b':' {
        sec = digits(&rest[6..8])?;
        i = 8;
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    ts += i64::from(h * 3600 + mi * 60 + sec);
    let zone = &rest[i..];
    match zone {
        b"" => Some((ts, false)),
        b"Z" | b"z" => Some((ts, true)),
        [sign @ (b'+' | b'-'), zh1, zh2, b':', zm1, zm2] => {
            let off = i64::from(digits(&[*zh1, *zh2])? * 3600 + digits(&[*zm1, *zm2])? * 60);
            Some((if *sign == b'+' { ts - off } else { ts + off }, true))
        }
        _ => None,
    }
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_centuries() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn clf_format_round_trips() {
        let ts = crate::parse::time::parse_clf(b"05/Nov/2026:23:59:59 +0530").unwrap();
        assert_eq!(format_clf(ts, 330), "05/Nov/2026:23:59:59 +0530");
        assert_eq!(format_clf(ts, -60), "05/Nov/2026:17:29:59 -0100");
    }

    #[test]
    fn user_times() {
        let now = 1_000_000_000;
        let utc = Zone::utc();
        assert_eq!(parse_user_time("7d", now, &utc), Ok(now - 7 * 86_400));
        assert_eq!(parse_user_time("24h", now, &utc), Ok(now - 86_400));
        assert_eq!(
            parse_user_time("2026-11-01", now, &utc).map(format_rfc3339),
            Ok("2026-11-01T00:00:00Z".into())
        );
        assert_eq!(
            parse_user_time("2026-11-01T06:30", now, &utc).map(format_rfc3339),
            Ok("2026-11-01T06:30:00Z".into())
        );
        assert_eq!(
            parse_user_time("2026-11-01 06:30:15+02:00", now, &utc).map(format_rfc3339),
            Ok("2026-11-01T04:30:15Z".into())
        );
        assert!(parse_user_time("yesterday", now, &utc).is_err());
        assert!(parse_user_time("2026-13-01", now, &utc).is_err());
    }

    #[test]
    fn dates_are_midnight_in_the_zone_and_zoned_times_stay_as_written() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let at = |s: &str, z: &Zone| parse_user_time(s, 0, z).map(format_rfc3339);
        // Winter (+01:00) and summer (+02:00) midnights.
        assert_eq!(at("2026-11-01", &berlin), Ok("2026-10-31T23:00:00Z".into()));
        assert_eq!(at("2026-07-01", &berlin), Ok("2026-06-30T22:00:00Z".into()));
        assert_eq!(at("2026-07-01T06:00:00Z", &berlin), Ok("2026-07-01T06:00:00Z".into()));
        let kolkata = Zone::parse("+05:30").unwrap();
        assert_eq!(kolkata.name(), "+05:30");
        assert_eq!(at("2026-11-01", &kolkata), Ok("2026-10-31T18:30:00Z".into()));
        assert_eq!(Zone::parse("-0500").unwrap().name(), "-05:00");
        assert!(Zone::parse("Mars/Olympus").is_err());
        for (s, text) in [(1800, "30m"), (7200, "2h"), (90, "90s"), (86_400, "1d"), (0, "0s")] {
            assert_eq!(format_duration(s), text);
            assert_eq!(parse_duration(text), Some(s));
        }
        assert_eq!(Zone::parse("+14:00").unwrap().name(), "+14:00");
        assert_eq!(Zone::parse("-12").unwrap().name(), "-12:00");
        for typo in ["+25:00", "+14:01", "-15", "+05:60"] {
            assert!(Zone::parse(typo).is_err(), "{typo}");
        }
    }

    #[test]
    fn days_follow_the_zone_across_daylight_saving() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2026-03-08 is the spring change: 01:30 EST and 03:30 EDT are one local day.
        let before = parse_user_time("2026-03-08T06:30:00Z", 0, &ny).unwrap();
        let after = parse_user_time("2026-03-08T07:30:00Z", 0, &ny).unwrap();
        assert_eq!(ny.day_of(before), ny.day_of(after));
        assert_eq!(format_date(ny.day_of(before)), "2026-03-08");
        // 03:59 UTC on the 9th is still the 8th in New York, already the 9th in UTC.
        let late = parse_user_time("2026-03-09T03:59:00Z", 0, &ny).unwrap();
        assert_eq!(format_date(ny.day_of(late)), "2026-03-08");
        assert_eq!(format_date(Zone::utc().day_of(late)), "2026-03-09");
        // A wall-clock time in the spring gap is read with the offset before it.
        assert_eq!(
            format_rfc3339(ny.local_to_utc(days_from_civil(2026, 3, 8) * 86_400 + 2 * 3600 + 1800)),
            "2026-03-08T07:30:00Z"
        );
        // One in the autumn fold (01:30 happens twice on 2026-11-01) is its first, EDT.
        let fold = days_from_civil(2026, 11, 1) * 86_400 + 3600 + 1800;
        assert_eq!(format_rfc3339(ny.local_to_utc(fold)), "2026-11-01T05:30:00Z");
        // Berlin's fold (02:20 on 2026-10-25): CEST, 00:20Z, not CET's 01:20Z.
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let fold = days_from_civil(2026, 10, 25) * 86_400 + 2 * 3600 + 1200;
        assert_eq!(format_rfc3339(berlin.local_to_utc(fold)), "2026-10-25T00:20:00Z");
        // Either side of the changes, the one reading.
        for (local, utc) in [
            ((2026, 10, 25, 3 * 3600), "2026-10-25T02:00:00Z"),
            ((2026, 10, 25, 3600 + 1800), "2026-10-24T23:30:00Z"),
        ] {
            let (y, m, d, secs) = local;
            assert_eq!(format_rfc3339(berlin.local_to_utc(days_from_civil(y, m, d) * 86_400 + secs)), utc);
        }
    }
}
