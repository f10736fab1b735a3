//! Whether the fields a layout reads hold what their names say: a log whose referrer
//! and agent come in another order than its layout's (a custom Apache format, HAProxy's
//! captures listed in another order) parses, every line of it, and misreads every
//! visitor: the agent read as the referrer makes the site "mozilla" and each reader a bot.

use crate::parse::{Format, Parsed};

/// What a sample of lines says of how its layout reads them, for `analyze` (an input's
/// first lines) and `explain` (its lines) alike.
#[derive(Default)]
pub(super) struct LineChecks {
    shapes: FieldShapes,
    listed: ListedFirst,
    unread: UnreadKeys,
    lines: usize,
    hits: usize,
    referrers: usize,
    agents: usize,
    /// Hits whose client is a list of addresses (`203.0.113.10,10.1.0.7`), read as one.
    listed_clients: usize,
    /// HAProxy lines whose captured headers are not the ones --captured-headers names,
    /// and the last one's (held, named).
    misnamed: usize,
    captured: Option<(usize, usize)>,
}

/// What [`LineChecks`] found to say.
pub(super) struct Said {
    pub caveats: Vec<String>,
    /// The malformed lines were said to be of another layout.
    pub malformed: bool,
    /// A key was named for a field no key was read for.
    pub keys: bool,
}

impl LineChecks {
    pub(super) fn add(&mut self, format: &Format, line: &[u8], parsed: &Parsed<'_>) {
        self.lines += 1;
        if let Some(m) = format.capture_mismatch(line) {
            self.misnamed += 1;
            self.captured = Some(m);
        }
        match parsed {
            Parsed::Malformed => self.listed.add(line),
            Parsed::Hit(hit) => {
                self.hits += 1;
                self.listed_clients += usize::from(
                    memchr::memchr(b',', hit.client).is_some() && crate::parse::names_addresses(hit.client),
                );
                self.referrers += usize::from(hit.referrer.is_some());
                self.agents += usize::from(hit.user_agent.is_some());
                self.shapes.add(hit.referrer, hit.user_agent);
                self.unread.add(line, hit.referrer, hit.user_agent);
            }
            Parsed::Directive => {}
        }
    }

    /// Hits that carried a referrer.
    pub(super) fn referrers(&self) -> usize {
        self.referrers
    }

    /// Hits that carried a user agent.
    pub(super) fn agents(&self) -> usize {
        self.agents
    }

    pub(super) fn said(&self, name: &str, format: &Format) -> Said {
        let captures = self.captured.filter(|_| self.misnamed * 2 > self.hits).map(|(held, named)| {
            if held == 0 {
                // HAProxy's default: `option httplog` with no `capture request header` line.
                format!(
                    "{name}: its lines capture no request headers: the {format} layout then logs no \
                     referrer or user agent: {}",
                    super::sniff::unseen_channels(&["referrer", "user agent"])
                )
            } else {
                format!(
                    "{name}: its lines capture {held} request headers, --captured-headers names {named}: \
                     the names go to the captured fields in order, so the agent, referrer or host may be \
                     read from the wrong one (name one for each `capture request header` line)"
                )
            }
        });
        let clients = (self.listed_clients * 2 > self.hits).then(|| {
            format!(
                "{name}: the client field of {} of its first {} requests is a list of addresses, read as \
                 one: a forwarded-for header logged in the client's place? Give the layout with the \
                 header as its first field ($http_x_forwarded_for, %{{X-Forwarded-For}}i) to key each \
                 visitor on the client it names",
                self.listed_clients, self.hits
            )
        });
        let listed = self.listed.caveat(name, format, self.lines);
        let keys = self.unread.caveat(name, self.referrers, self.agents);
        let said = Said { caveats: Vec::new(), malformed: listed.is_some(), keys: keys.is_some() };
        let caveats = [captures, self.shapes.caveat(name, format), clients, listed, keys]
            .into_iter()
            .flatten()
            .collect();
        Said { caveats, ..said }
    }
}

/// What the referrer and agent fields of a sample of lines hold.
#[derive(Default)]
struct FieldShapes {
    referrers: usize,
    /// Referrers that read as a user agent.
    agent_like: usize,
    agents: usize,
    /// Agents that read as a URL.
    url_like: usize,
}

impl FieldShapes {
    pub(super) fn add(&mut self, referrer: Option<&[u8]>, agent: Option<&[u8]>) {
        if let Some(r) = referrer.filter(|r| !r.is_empty()) {
            self.referrers += 1;
            self.agent_like += usize::from(looks_like_agent(r));
        }
        if let Some(a) = agent.filter(|a| !a.is_empty()) {
            self.agents += 1;
            self.url_like += usize::from(looks_like_url(a));
        }
    }

    /// What to say when most referrers are user agents, or most agents URLs.
    pub(super) fn caveat(&self, name: &str, format: &Format) -> Option<String> {
        let most = |part: usize, of: usize| part >= 2 && part * 2 > of;
        let what = match (most(self.agent_like, self.referrers), most(self.url_like, self.agents)) {
            (true, true) => format!(
                "the referrer field holds user agents on {} of {} lines, and the agent field URLs on {} of {}",
                self.agent_like, self.referrers, self.url_like, self.agents
            ),
            (true, false) => {
                format!("the referrer field holds user agents on {} of {} lines", self.agent_like, self.referrers)
            }
            (false, true) => {
                format!("the agent field holds URLs on {} of {} lines", self.url_like, self.agents)
            }
            (false, false) => return None,
        };
        let fix = if captures(format) {
            "name the captured headers in their order with --captured-headers"
        } else {
            "give its layout with --log-format"
        };
        Some(format!(
            "{name}: read as {format}, {what}: its fields are in another order than the layout's, and \
             every visitor is misread ({fix})"
        ))
    }
}

/// Lines a layout did not read that start with a list of addresses: a forwarded-for
/// header logged in the client's place, which only its lines with one address fit.
#[derive(Default)]
struct ListedFirst {
    lines: usize,
    first: Option<Vec<u8>>,
}

impl ListedFirst {
    /// A line the layout could not read.
    pub(super) fn add(&mut self, line: &[u8]) {
        if starts_with_a_list(line) {
            self.lines += 1;
            self.first.get_or_insert_with(|| line.to_vec());
        }
    }

    pub(super) fn caveat(&self, name: &str, format: &Format, sampled: usize) -> Option<String> {
        let first = self.first.as_deref()?;
        let perhaps =
            crate::parse::suggest(first).map(|s| format!("; perhaps --log-format '{s}'")).unwrap_or_default();
        Some(format!(
            "{name}: {} of its first {sampled} lines start with a list of addresses, not one: a \
             forwarded-for header logged in the client's place? They are not in the {format} layout \
             and are counted malformed (give the layout with the header as its first field{perhaps})",
            self.lines
        ))
    }
}

/// JSON keys that look like the referrer or the agent where the layout read none: a
/// spelling the presets do not know, read as nothing, silently (search visits counted as
/// dark social, bots as readers).
#[derive(Default)]
struct UnreadKeys {
    referrer: Option<String>,
    agent: Option<String>,
    looked: usize,
}

/// JSON lines looked into for such keys.
const UNREAD_LOOKS: usize = 50;

impl UnreadKeys {
    /// A JSON line whose hit has (`Some`) or lacks (`None`) a referrer and an agent.
    pub(super) fn add(&mut self, line: &[u8], referrer: Option<&[u8]>, agent: Option<&[u8]>) {
        let wanted =
            (referrer.is_none() && self.referrer.is_none()) || (agent.is_none() && self.agent.is_none());
        if !wanted || self.looked >= UNREAD_LOOKS || crate::parse::strip_lead(line).first() != Some(&b'{') {
            return;
        }
        self.looked += 1;
        let Ok(top) = serde_json::from_slice::<serde_json::Value>(crate::parse::strip_lead(line)) else {
            return;
        };
        let mut strings = Vec::new();
        string_values(&top, String::new(), 0, &mut strings);
        for (key, value) in strings {
            let lower = key.to_ascii_lowercase();
            // By what the value is, too: `referral_code` holds no URL, `agent_id` no agent.
            if referrer.is_none() && lower.contains("refer") && looks_like_url(value.as_bytes()) {
                self.referrer.get_or_insert_with(|| key.clone());
            }
            if agent.is_none() && lower.contains("agent") && looks_like_agent(value.as_bytes()) {
                self.agent.get_or_insert(key);
            }
        }
    }

    /// What to say, when the sample's lines carried no referrer (`referrers` 0) or no
    /// agent while a key of that look held one.
    pub(super) fn caveat(&self, name: &str, referrers: usize, agents: usize) -> Option<String> {
        let keys: Vec<(&str, &str)> = [
            ("referrer", self.referrer.as_deref().filter(|_| referrers == 0)),
            ("user_agent", self.agent.as_deref().filter(|_| agents == 0)),
        ]
        .into_iter()
        .filter_map(|(role, key)| key.map(|k| (role, k)))
        .collect();
        if keys.is_empty() {
            return None;
        }
        let named: Vec<String> = keys.iter().map(|(role, key)| format!("\"{key}\" ({role})")).collect();
        let flags: Vec<String> =
            keys.iter().map(|(role, key)| format!("--json-field '{role}={key}'")).collect();
        let (what, verb) = if keys.len() == 1 { ("a key", "reads it") } else { ("keys", "read them") };
        Some(format!(
            "{name}: its lines hold {}, {what} darklog does not read: {} {verb}",
            named.join(" and "),
            flags.join(" ")
        ))
    }
}

/// The string values of a JSON value, by their dotted keys, to `DEPTH` levels of objects
/// (Elastic's `http.request.referrer`).
fn string_values<'v>(
    value: &'v serde_json::Value,
    key: String,
    depth: usize,
    out: &mut Vec<(String, &'v str)>,
) {
    const DEPTH: usize = 3;
    match value {
        serde_json::Value::String(s) => out.push((key, s)),
        serde_json::Value::Object(map) if depth < DEPTH => {
            for (k, v) in map {
                let path = if key.is_empty() { k.clone() } else { format!("{key}.{k}") };
                string_values(v, path, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// Whether `line` starts with a list of addresses (`203.0.113.10, 10.1.0.7 - - […`, with
/// or without spaces or ports).
pub(super) fn starts_with_a_list(line: &[u8]) -> bool {
    let line = crate::parse::strip_lead(line);
    let mut end = memchr::memchr(b' ', line).unwrap_or(line.len());
    while end > 0 && end < line.len() && line[end - 1] == b',' {
        end = memchr::memchr(b' ', &line[end + 1..]).map_or(line.len(), |i| end + 1 + i);
    }
    let list = &line[..end];
    memchr::memchr(b',', list).is_some() && crate::parse::names_addresses(list)
}

/// HAProxy's layout, whose referrer and agent are captures named by --captured-headers.
fn captures(format: &Format) -> bool {
    match format {
        Format::Haproxy(_) => true,
        Format::Syslog(inner) => captures(inner),
        _ => false,
    }
}

/// A user agent where a URL should be: no scheme, and a product with its version first
/// (`Mozilla/5.0 (…`, `curl/8.4.0`) or a `compatible;` mark.
fn looks_like_agent(value: &[u8]) -> bool {
    // A URL starts with its scheme (an agent may name one later: `+http://…/bot.html`).
    let scheme = value.iter().position(|b| !b.is_ascii_alphanumeric() && !matches!(b, b'+' | b'-' | b'.'));
    if scheme.is_some_and(|i| value[i..].starts_with(b"://")) {
        return false;
    }
    if memchr::memmem::find(value, b"compatible;").is_some() {
        return true;
    }
    let Some(slash) = memchr::memchr(b'/', value) else { return false };
    let (product, rest) = (&value[..slash], &value[slash + 1..]);
    !product.is_empty()
        && product.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && product.iter().any(u8::is_ascii_alphabetic)
        && rest.first().is_some_and(u8::is_ascii_digit)
        && memchr::memchr(b' ', value).is_some()
}

fn looks_like_url(value: &[u8]) -> bool {
    let lower = |p: &[u8]| value.len() >= p.len() && value[..p.len()].eq_ignore_ascii_case(p);
    (lower(b"http://") || lower(b"https://")) && memchr::memchr(b' ', value).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_and_urls_are_told_apart() {
        let agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "curl/8.4.0 (x86_64-pc-linux-gnu)",
            "WhatsApp/2.23.20.0 A",
        ];
        let not_agents = [
            "https://www.google.com/",
            "android-app://com.google.android.gm/",
            "www.example.com",
            "/2026/11/a-story",
            "-",
            "a/b c",
        ];
        assert!(agents.iter().all(|a| looks_like_agent(a.as_bytes())), "agents");
        assert!(not_agents.iter().all(|a| !looks_like_agent(a.as_bytes())), "not agents");
        assert!(looks_like_url(b"https://www.google.com/") && looks_like_url(b"HTTP://x.org/a"));
        assert!(!looks_like_url(b"Mozilla/5.0 (X11; Linux x86_64)") && !looks_like_url(b"https://x y"));
    }

    #[test]
    fn lists_first_are_told_from_other_starts() {
        for listed in
            ["203.0.113.10, 10.1.0.7 - - [", "203.0.113.10,10.1.0.7 - -", "[2001:db8::7]:51001, 10.0.0.1 -"]
        {
            assert!(starts_with_a_list(listed.as_bytes()), "{listed}");
        }
        for other in ["203.0.113.10 - - [", " leading space", "", ",", "  {", "a, b - -", "10.0.0.1,"] {
            assert!(!starts_with_a_list(other.as_bytes()), "{other:?}");
        }
    }

    #[test]
    fn most_lines_decide_and_one_line_does_not() {
        let mut shapes = FieldShapes::default();
        let ua = Some(&b"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"[..]);
        shapes.add(ua, Some(b"https://www.example.com/"));
        let f = Format::COMBINED;
        assert!(shapes.caveat("a.log", &f).is_none(), "one line is no pattern");
        shapes.add(ua, Some(b"https://www.example.com/a"));
        shapes.add(Some(b"https://www.google.com/"), ua);
        let said = shapes.caveat("a.log", &f).unwrap();
        assert!(said.contains("user agents on 2 of 3 lines, and the agent field URLs on 2 of 3"), "{said}");
    }
}
