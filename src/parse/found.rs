//! What the formats that decode share: fields found by place (in the line, or decoded into
//! the scratch buffer), turned into a [`Hit`] once the whole line is read, and the small
//! decoders their layouts need (percent, `+`, HAProxy's `#XX`, absolute request URLs).
//!
//! Fields are kept as offsets until the end: a decoded field appended to the scratch
//! buffer may move the ones before it, so no slice is taken while it still grows.

use super::clf::split_request;
use super::Hit;

/// Where a field's bytes are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Ref {
    #[default]
    None,
    Line(u32, u32),
    Scratch(u32, u32),
}

impl Ref {
    pub fn line(start: usize, end: usize) -> Ref {
        Ref::Line(start as u32, end as u32)
    }

    pub fn is_some(self) -> bool {
        self != Ref::None
    }

    pub fn get<'a>(self, line: &'a [u8], scratch: &'a [u8]) -> Option<&'a [u8]> {
        match self {
            Ref::None => None,
            Ref::Line(s, e) => line.get(s as usize..e as usize),
            Ref::Scratch(s, e) => scratch.get(s as usize..e as usize),
        }
    }
}

/// The fields of one line as a format found them.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Found {
    pub client: Ref,
    pub time: Option<i64>,
    /// A whole request line (`GET /a?b HTTP/1.1`), split at the end.
    pub request: Ref,
    pub method: Ref,
    /// Path and query together.
    pub target: Ref,
    pub path: Ref,
    /// Without its `?`.
    pub query: Ref,
    pub status: Option<u16>,
    pub referrer: Ref,
    pub user_agent: Ref,
    pub host: Ref,
    pub forwarded_for: Ref,
    /// The line names what was asked for, if only with an empty value (a JSON key).
    pub asked: bool,
}

/// A field as the line has it, or decoded into the scratch buffer when `needs(field)`.
pub(super) fn decoded(
    line: &[u8],
    start: usize,
    end: usize,
    scratch: &mut Vec<u8>,
    needs: impl Fn(&[u8]) -> bool,
    decode: impl Fn(&[u8], &mut Vec<u8>),
) -> Ref {
    let field = &line[start..end];
    if !needs(field) {
        return Ref::line(start, end);
    }
    let from = scratch.len();
    decode(field, scratch);
    Ref::Scratch(from as u32, scratch.len() as u32)
}

/// `%XX` decoded once (CloudFront's encoding of its fields); a `%` not followed by two
/// hex digits is kept.
pub(super) fn percent_decode(field: &[u8], out: &mut Vec<u8>) {
    escape_decode(b'%', field, out);
}

/// HAProxy's `#XX` for `"`, `#`, `{`, `|`, `}` and bytes it will not print.
pub(super) fn hash_decode(field: &[u8], out: &mut Vec<u8>) {
    escape_decode(b'#', field, out);
}

/// `field` with every `<escape>XX` (two hex digits) written as its byte; an escape byte
/// not followed by two hex digits is kept.
fn escape_decode(escape: u8, field: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < field.len() {
        if field[i] == escape {
            if let (Some(h), Some(l)) = (field.get(i + 1).and_then(hex), field.get(i + 2).and_then(hex)) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(field[i]);
        i += 1;
    }
}

/// IIS writes a space inside a value as `+`.
pub(super) fn plus_decode(field: &[u8], out: &mut Vec<u8>) {
    out.extend(field.iter().map(|&b| if b == b'+' { b' ' } else { b }));
}

fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A header kept in the quotes the log wrote around it (grok's `QS` captures them): no
/// referrer or agent is itself quoted.
fn unquoted(field: &[u8]) -> &[u8] {
    match field {
        [b'"', inner @ .., b'"'] => inner,
        _ => field,
    }
}

/// `-` and empty both mean "none" in every layout.
pub(super) fn present(field: &[u8]) -> bool {
    !field.is_empty() && field != b"-"
}

/// A status code: three digits (Caddy writes 0 for a request it never answered); `-` (a
/// request that never got one) reads as 0.
pub(super) fn status(field: &[u8]) -> Option<u16> {
    match field {
        b"-" | b"" => Some(0),
        _ if field.len() <= 3 && field.iter().all(u8::is_ascii_digit) => {
            Some(field.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
        }
        _ => None,
    }
}

/// `https://host:443/path?q` → (`host`, `/path?q`): balancers log the full URL. The scheme
/// in any case (RFC 3986); an authority followed by its query with no `/` between
/// (`http://host?q`, valid and sent) leaves the target `?q`, which is the front page's.
pub(super) fn split_absolute(target: &[u8]) -> Option<(&[u8], &[u8])> {
    let scheme = [&b"https://"[..], b"http://"]
        .into_iter()
        .find(|s| target.get(..s.len()).is_some_and(|t| t.eq_ignore_ascii_case(s)))?;
    let rest = &target[scheme.len()..];
    let end = rest.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let path: &[u8] = match rest.get(end) {
        None | Some(b'#') => b"/",
        Some(_) => &rest[end..],
    };
    Some((authority_host(&rest[..end]), path))
}

/// The host an authority names, without the user (`user:pw@`, which browsers never send
/// but a client may) or the port: a full URL's, a referrer's, and a `Host:` as servers
/// log it (`host:8443` off the default port; the site is the host whatever port it was
/// asked on). A bracketed IPv6 literal keeps its brackets; an unbracketed run of colons
/// (no valid authority) is kept whole.
pub fn authority_host(authority: &[u8]) -> &[u8] {
    let authority = memchr::memrchr(b'@', authority).map_or(authority, |at| &authority[at + 1..]);
    match memchr::memrchr(b':', authority) {
        Some(c) if authority.starts_with(b"[") => match authority[..c].ends_with(b"]") {
            true => &authority[..c],
            false => authority,
        },
        Some(c) if memchr::memchr(b':', &authority[..c]).is_none() => &authority[..c],
        _ => authority,
    }
}

impl Found {
    /// The hit these fields make, once every field of the line is found; `None` when one
    /// a hit needs (client, time, status, something requested) is missing. `has_method`:
    /// whether the layout logs the method at all (one that does not is read as GET).
    pub fn hit<'a>(self, line: &'a [u8], scratch: &'a mut Vec<u8>, has_method: bool) -> Option<Hit<'a>> {
        let mut target = self.target;
        if !target.is_some() && self.path.is_some() {
            target = match self.query.get(line, scratch).filter(|q| present(q)) {
                None => self.path,
                Some(_) => {
                    let start = scratch.len();
                    let path = self.path.get(line, scratch).unwrap_or_default().to_vec();
                    let query = self.query.get(line, scratch).unwrap_or_default().to_vec();
                    scratch.extend_from_slice(&path);
                    scratch.push(b'?');
                    scratch.extend_from_slice(&query);
                    Ref::Scratch(start as u32, scratch.len() as u32)
                }
            };
        }
        // A line that says what was asked for nowhere the layout knows (a JSON key or a
        // W3C field not read as the path) is no hit: read with an empty path, it would be
        // counted as a request that is never a page, and the report would be silently empty.
        if !self.request.is_some() && !target.is_some() && !self.asked {
            return None;
        }
        let scratch: &'a [u8] = scratch;
        let get = |r: Ref| r.get(line, scratch);
        let opt = |r: Ref| get(r).filter(|f| present(f));
        let client = opt(self.client)?;
        let time = self.time?;
        let status = self.status?;
        // A request field holding a path alone (Logstash's grok names the path `request`,
        // the method `verb`) is the target.
        let in_request = get(self.request);
        let request = in_request.filter(|r| !r.starts_with(b"/") || r.contains(&b' '));
        let (mut method, mut target) = match request {
            Some(request) => split_request(request),
            None => (get(self.method).unwrap_or_default(), in_request.or(get(target)).unwrap_or_default()),
        };
        if request.is_none() && !has_method && !target.is_empty() {
            method = b"GET";
        }
        if !self.request.is_some() && target.is_empty() && method.is_empty() {
            return None;
        }
        let mut vhost = opt(self.host).map(authority_host).filter(|h| !h.is_empty());
        if target.first().is_some_and(|&b| b != b'/') {
            if let Some((host, path)) = split_absolute(target) {
                vhost = vhost.or(Some(host).filter(|h| !h.is_empty()));
                target = path;
            }
        }
        if target == b"-" || method == b"-" {
            (method, target) = (b"", b"");
        }
        Some(Hit {
            vhost,
            client,
            time,
            method,
            target,
            status,
            referrer: opt(self.referrer).map(unquoted).filter(|f| present(f)),
            user_agent: opt(self.user_agent).map(unquoted).filter(|f| present(f)),
            forwarded_for: opt(self.forwarded_for),
        })
    }
}
