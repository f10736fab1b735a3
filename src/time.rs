//! Civil-time arithmetic on Unix seconds (UTC), without a general date library: days,
//! RFC 3339 and CLF output, and the times and durations users write (`--since 7d`).
//! Log timestamps are parsed with the parsers (`parse::time`), on this arithmetic.

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
/// Accepts `2026-11-01` (midnight UTC), `2026-11-01T06:00[:00]` or with a space
/// (UTC unless a `Z` or `±HH:MM` suffix says otherwise), and durations before `now`
/// such as `7d`, `24h`, `90m`, `2w`.
pub fn parse_user_time(s: &str, now: i64) -> Result<i64, String> {
    let s = s.trim();
    if let Some(ago) = parse_duration(s) {
        return Ok(now - ago);
    }
    parse_datetime(s).ok_or_else(|| {
        format!("'{s}' is not a date (2026-11-01), a date-time (2026-11-01T06:00:00Z) or a duration ago (7d, 24h, 30m)")
    })
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

fn parse_datetime(s: &str) -> Option<i64> {
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
        return Some(ts);
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
        b"" | b"Z" | b"z" => Some(ts),
        [sign @ (b'+' | b'-'), zh1, zh2, b':', zm1, zm2] => {
            let off = i64::from(digits(&[*zh1, *zh2])? * 3600 + digits(&[*zm1, *zm2])? * 60);
            Some(if *sign == b'+' { ts - off } else { ts + off })
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
        assert_eq!(parse_user_time("7d", now), Ok(now - 7 * 86_400));
        assert_eq!(parse_user_time("24h", now), Ok(now - 86_400));
        assert_eq!(parse_user_time("2026-11-01", now).map(format_rfc3339), Ok("2026-11-01T00:00:00Z".into()));
        assert_eq!(
            parse_user_time("2026-11-01T06:30", now).map(format_rfc3339),
            Ok("2026-11-01T06:30:00Z".into())
        );
        assert_eq!(
            parse_user_time("2026-11-01 06:30:15+02:00", now).map(format_rfc3339),
            Ok("2026-11-01T04:30:15Z".into())
        );
        assert!(parse_user_time("yesterday", now).is_err());
        assert!(parse_user_time("2026-13-01", now).is_err());
    }
}
