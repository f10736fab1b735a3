//! What the form of a user agent says, before any list is asked: where a browser's
//! device model is (a phone called "M bot 51" or "CUBOT P30" is a person), and whether
//! the agent introduces itself as a program does, with a URL or an address.

use std::borrow::Cow;
use std::ops::Range;

/// The device model of an Android browser's platform group, `Build/…` included:
/// `Mozilla/5.0 (Linux; Android 7.0; M bot 51 Build/NRD90M) AppleWebKit/…` → `M bot 51
/// Build/NRD90M`. Phone makers name models freely (CUBOT, "Spider 8", "POWER BOT"), and
/// the words a bot list looks for are no evidence there.
pub fn device_model(ua: &[u8]) -> Option<Range<usize>> {
    // Only in a browser's form: `Mozilla/` first, the platform group right after.
    if !ua.starts_with(b"Mozilla/") {
        return None;
    }
    let open = memchr::memchr(b'(', ua)?;
    let close = open + memchr::memchr(b')', &ua[open..])?;
    let group = &ua[open + 1..close];
    let android = memchr::memmem::find(group, b"Android")?;
    // The segments after `Android N`: an optional `U`, a locale, then the model.
    let mut at = open + 1 + android;
    let mut seen_android = false;
    for segment in group[android..].split(|&b| b == b';') {
        let start = at;
        at += segment.len() + 1;
        if !seen_android {
            seen_android = true;
            continue;
        }
        let trimmed = segment.trim_ascii();
        let lead = segment.len() - segment.trim_ascii_start().len();
        if trimmed.is_empty() || trimmed == b"U" || trimmed == b"wv" || is_locale(trimmed) {
            continue;
        }
        return Some(start + lead..start + lead + trimmed.len());
    }
    None
}

/// `en`, `en-us`, `zh_CN`, `pt-BR`: a locale in a platform group.
fn is_locale(s: &[u8]) -> bool {
    let (lang, region) = match s.iter().position(|&b| b == b'-' || b == b'_') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    lang.len() == 2
        && lang.iter().all(u8::is_ascii_alphabetic)
        && region.is_none_or(|r| r.len() == 2 && r.iter().all(u8::is_ascii_alphabetic))
}

/// The agent with its device model blanked (see [`device_model`]), for the lists to read.
pub fn without_model(ua: &[u8]) -> Cow<'_, [u8]> {
    match device_model(ua) {
        None => Cow::Borrowed(ua),
        Some(r) => {
            let mut masked = ua.to_vec();
            // A byte no token contains: the model can neither match nor join a match.
            masked[r].fill(0);
            Cow::Owned(masked)
        }
    }
}

/// Whether the agent introduces itself the way programs do: a URL, or a `(compatible;
/// Name/1.0; …)` group that is not Internet Explorer's. Browsers, in-app browsers
/// included, never do; a fetcher that does is never an app's browser.
pub fn is_fetcher(ua: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(ua, needle).is_some();
    if has(b"http://") || has(b"https://") || has(b"+http") {
        return true;
    }
    match memchr::memmem::find(ua, b"(compatible") {
        Some(i) => {
            let group = &ua[i..];
            let group = &group[..memchr::memchr(b')', group).unwrap_or(group.len())];
            memchr::memmem::find(group, b"MSIE").is_none()
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_of_an_android_browser() {
        let model = |ua: &str| device_model(ua.as_bytes()).map(|r| ua[r].to_string());
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 7.0; M bot 51 Build/NRD90M) AppleWebKit/537.36",
                Some("M bot 51 Build/NRD90M"),
            ),
            (
                "Mozilla/5.0 (Linux; U; Android 4.2.2; en-us; CUBOT GT99 Build/JDQ39) AppleWebKit/534.30",
                Some("CUBOT GT99 Build/JDQ39"),
            ),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36", Some("K")),
            ("Mozilla/5.0 (Linux; Android 9; Spider 8; wv) AppleWebKit/537.36", Some("Spider 8")),
            ("Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0", Some("Mobile")),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", None),
            ("Dalvik/2.1.0 (Linux; U; Android 9; CUBOT P30 Build/PPR1)", None),
            ("Mozilla/5.0 (Linux; Android 10)", None),
        ];
        for (ua, want) in cases {
            assert_eq!(model(ua).as_deref(), want, "{ua}");
        }
        let masked = without_model(b"Mozilla/5.0 (Linux; Android 7.0; M bot 51) Chrome/56");
        assert_eq!(&masked[..], b"Mozilla/5.0 (Linux; Android 7.0; \0\0\0\0\0\0\0\0) Chrome/56");
    }

    #[test]
    fn fetchers_name_themselves() {
        for ua in [
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "Mozilla/5.0 (compatible; Instagram 1.0)",
            "Foo/1.0 (http://example.com)",
        ] {
            assert!(is_fetcher(ua.as_bytes()), "{ua}");
        }
        for ua in [
            "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 Instagram 354.0",
        ] {
            assert!(!is_fetcher(ua.as_bytes()), "{ua}");
        }
    }
}
