//! The start of each input, read before the run: whether it is a log at all, its format,
//! its first timestamp (rotated sets are read oldest first) and what its content is known
//! by (the same log is read once). What the run learns of the site from its first lines is
//! in [`facts`](super::facts).

use std::io::Read;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::input::{self, Compression, Fingerprint, Input, InputError, Source};
use crate::parse::{self, ClientIp, Format, FormatOptions, LineCx, Parsed, Preset};

/// Decoded bytes sampled from the start of each input: room for the detection lines of
/// any layout (a JSON line is twice a combined one), so that what the sample shows of the
/// site does not depend on the layout.
const PRELUDE_BYTES: usize = 1024 * 1024;
/// Lines of the prelude used to pick a format.
pub(super) const DETECT_LINES: usize = 1000;

/// What an input's first lines say of user agents (see [`Sniffed::judge_agents`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AgentsSeen {
    /// Some line carries one: the log records them.
    Carried,
    /// Many lines carry the referrer browsers send, and not one an agent: the log drops
    /// them (stripped for privacy, or a layout without the field).
    Stripped,
    /// Neither (a night of a scanner's lines only): the run's other inputs decide.
    Unknown,
}

impl AgentsSeen {
    /// Whether a line without an agent is a client that sent none, given whether the
    /// run's (or job's) inputs carry agents.
    pub(super) fn judged(self, run_carries: bool) -> bool {
        match self {
            AgentsSeen::Carried => true,
            AgentsSeen::Stripped => false,
            AgentsSeen::Unknown => run_carries,
        }
    }
}

/// Referred lines with no agent among them that make a log one that drops agents.
const STRIPPED_REFERRED: usize = 20;

pub(super) struct Sniffed {
    pub source: Source,
    pub format: Format,
    /// What to tell the user of the sample: a proxy in front, fields the layout lacks.
    pub notices: Vec<String>,
    /// Of those, what changes what the figures mean (fields the layout lacks): for the
    /// pages a report is read on, where stderr is not.
    pub caveats: Vec<String>,
    /// The named layout read none of the sample (see [`Misfit`]).
    pub misfit: Option<Misfit>,
    /// Lines the format was detected from (`None`: given, not detected; `Some(0)`: no
    /// line to detect it from, read as combined and named as no layout).
    pub detected_from: Option<usize>,
    pub compression: Option<Compression>,
    pub first_time: Option<i64>,
    /// What its content is known by, to read the same log once.
    pub fingerprint: Fingerprint,
    /// Its first decoded bytes (up to [`saved::HEAD`](super::saved::HEAD)): what a saved
    /// state knows it by across renames and compression.
    pub head: Vec<u8>,
    /// Kept only for a stream, which cannot be opened twice.
    pub reader: Option<Reopened>,
    pub agents: AgentsSeen,
    /// A line without an agent is a client that sent none (no browser does): decided for
    /// the run from every input's `agents` (see `run_here`).
    pub judge_agents: bool,
    /// Its first lines' malformed ones were said to be of another layout already.
    pub malformed_said: bool,
}

/// An input already partly read: the stream, what was read of it, and its byte counter.
pub(super) struct Reopened {
    pub reader: Box<dyn Read + Send>,
    pub prelude: Vec<u8>,
    pub raw_bytes: Arc<AtomicU64>,
    /// The stream ended (or broke) within `prelude`: there is no more to read.
    pub ended: bool,
}

/// That `which` lines (none of them) carry the header `--client-ip` names: `analyze`
/// says it of an input's sample, `explain` of its lines.
pub fn unheaded(which: &str, format: &Format, header: &str) -> String {
    format!(
        "{which} of the {format} layout carries the header --client-ip names ({header}): visitors are keyed \
         on the logged address"
    )
}

/// What a report cannot see without `fields` (a referrer, a user agent).
pub(super) fn unseen_channels(fields: &[&str]) -> &'static str {
    match (fields.contains(&"referrer"), fields.contains(&"user agent")) {
        (true, true) => {
            "search, social, email, referral and ai visits that only a referrer names are counted \
             as direct or dark social, and in-app browsers, link previews and bots cannot be told \
             by their user agent"
        }
        (true, false) => {
            "search, social, email, referral and ai visits that only a referrer names are counted \
             as direct or dark social"
        }
        _ => "in-app browsers, link previews and bots cannot be told by their user agent",
    }
}

/// Whether a path looks like what a page embeds (a style sheet, a script, an image, a
/// font): enough to tell whether a log records referrers, before the site's own assets
/// are learned.
fn embedded(path: &[u8]) -> bool {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let ext = name.rsplit(|&b| b == b'.').next().filter(|e| e.len() < name.len()).unwrap_or_default();
    [&b"css"[..], b"js", b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"woff", b"woff2", b"ico"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// Reads the start of an input: its format, first timestamp and fingerprint.
/// [`InputError::NotALog`] when its content is no log at all (binary data, an archive, or
/// text of which no line is in any layout): the run skips such a file found in a
/// directory.
pub(super) fn sniff(
    input: &Input,
    given: Option<&Format>,
    opts: &FormatOptions,
    client_ip: Option<&ClientIp>,
    lenient: bool,
) -> Result<Sniffed, InputError> {
    let source = &input.source;
    let counter = Arc::new(AtomicU64::new(0));
    let opened = input::open(source, counter.clone())?;
    let not_a_log = |why: String| InputError::NotALog { path: source.name(), why };
    if let Some(what) = opened.foreign {
        let hint = input::unpack_hint(what);
        return Err(not_a_log(format!("{what}, which darklog does not read{hint}")));
    }
    let mut reader = opened.reader;
    // An input that breaks this early is still sniffed from what came before the break;
    // reading it reports the error.
    let (prelude, error) = input::read_prelude(&mut reader, PRELUDE_BYTES);
    let broke = error.is_some();
    let complete = broke || prelude.len() < PRELUDE_BYTES;
    // Found once: detection and the checks below go over them a dozen times.
    let sample: Vec<&[u8]> = input::prelude_lines(&prelude, complete).take(DETECT_LINES).collect();
    // A first line longer than the sample leaves nothing to detect a layout or learn the
    // site from: it changes the answer, so it is said.
    let no_whole_line = !complete && sample.is_empty();
    let lines = sample.iter().copied();
    // The named layout as it reads these lines (behind a syslog prefix if they have one).
    let named = given.map(|f| parse::behind_syslog(f, lines.clone()));
    // The layout that reads most of them, unless one was named (a layout detected is one
    // any line is in).
    let detected = if named.is_none() { parse::detect(lines.clone(), opts) } else { None };
    // Only an intact start can say that an input is no log: corrupt data is corrupt.
    if !broke && !lenient {
        if looks_binary(&prelude) {
            return Err(not_a_log("binary data, not text".into()));
        }
        let fixed = given.is_some();
        let sampled = sample.len();
        if sampled > 0
            && (input.listed || !fixed)
            && detected.is_none()
            && !any_layout(lines.clone(), opts, named.as_ref())
        {
            if !input.listed {
                return Err(unknown_format(source, lines.clone()));
            }
            return Err(not_a_log(format!(
                "none of its first {sampled} lines is in a layout darklog reads ({})",
                Preset::ALL.map(Preset::name).join(", ")
            )));
        }
    }
    let (format, detected_from) = match named {
        Some(f) => (f, None),
        None => match detected {
            Some(d) => (d.format, Some(d.sampled)),
            // Nothing to judge by (an empty input, a first line longer than the sample,
            // data that broke before any line was whole): read it as the most common
            // format and let its lines, and its error, speak.
            // A part of a log keyed by visitor may hold only its malformed lines.
            // Detected from no line: the reports name no layout for it.
            None if broke || lenient || lines.clone().next().is_none() => (Format::COMBINED, Some(0)),
            None => return Err(unknown_format(source, lines.clone())),
        },
    };
    let mut cx = LineCx::default();
    let mut first_time = None;
    let mut proxies = super::proxies::ProxySample::default();
    // The clients --client-ip picks, sampled the same way: still a few addresses for
    // many forwarded ones, and the proxy is what visitors are keyed on.
    let mut picked = super::proxies::ProxySample::default();
    // Whether the lines carry the fields the layout has room for: a JSON log drops the
    // headers it was not told to keep (Traefik's default), and a field always empty is
    // no field.
    let mut assets = 0usize;
    // Lines the layout read (hits and directives), for a named layout's misfit.
    let mut fits = 0usize;
    let mut checks = super::shifted::LineChecks::default();
    for line in lines.clone() {
        let parsed = format.parse(line, &mut cx);
        checks.add(&format, line, &parsed);
        fits += usize::from(!matches!(parsed, Parsed::Malformed));
        let Parsed::Hit(hit) = parsed else { continue };
        assets += usize::from(embedded(hit.path()));
        proxies.add(hit.client, hit.forwarded_for);
        if let Some(picker) = client_ip {
            picked.add(picker.pick(hit.client, hit.forwarded_for), hit.forwarded_for);
        }
        first_time.get_or_insert(hit.time);
    }
    let misfit = match given {
        Some(_) if !broke && !lenient && fits == 0 => misfit_of(source, &format, lines.clone(), opts),
        _ => None,
    };
    // The sample borrows the prelude, which a stream's reader takes below.
    drop(lines);
    drop(sample);
    let mut notices = Vec::new();
    let mut caveats = Vec::new();
    if prelude.is_empty() && !broke && !lenient {
        // Not an error (a log rotated before anything was written to it), but a user who
        // named it should not have to guess why it counts nothing.
        notices.push(format!("{}: empty: no line to read", source.name()));
    }
    if client_ip.is_none() {
        notices.extend(proxies.notices(&source.name()));
    } else if proxies.hits > 0 && proxies.forwarded.is_empty() {
        notices.push(format!(
            "{}: {}",
            source.name(),
            unheaded("no sampled line", &format, &opts.client_header)
        ));
    } else if let Some(top) = picked.collapsed(&proxies) {
        // A trailing field read as the header that is something else (`$upstream_addr`, a
        // balancer's own address): every reader would be one visitor.
        notices.push(format!(
            "{}: with --client-ip, the {} sampled lines logged from {} addresses are all keyed on {}: \
             the {format} layout's field read as the header names one address on every line; if it \
             is not that header (an upstream's address), leave --client-ip out or give the layout",
            source.name(),
            picked.hits,
            proxies.clients.len(),
            String::from_utf8_lossy(top)
        ));
    } else if let Some((top, from_few, few)) = picked.proxied() {
        let top = String::from_utf8_lossy(top);
        let keyed_on = match few {
            1 => format!("one address, {top}"),
            _ => format!("{few} addresses, {top} the busiest"),
        };
        notices.push(format!(
            "{}: with --client-ip, {from_few} of {} sampled lines are still keyed on {keyed_on}, though \
             their forwarded-for headers name {} others: a proxy outside the private ranges is taken \
             for the client, and the visitors behind it are one; trust it with --trusted-proxy CIDR",
            source.name(),
            picked.hits,
            picked.forwarded.len()
        ));
    }
    if format.zoneless_in(&cx) && !opts.zone_named && first_time.is_some() {
        notices.push(format!(
            "{}: the {format} layout writes its times without a zone: they are read in UTC (--tz \
             ZONE to read them in the server's)",
            source.name()
        ));
    }
    let lacks = format.lacks_in(&cx);
    let (with_referrer, with_agent) = (checks.referrers(), checks.agents());
    let agents = if with_agent > 0 {
        AgentsSeen::Carried
    } else if with_referrer >= STRIPPED_REFERRED {
        AgentsSeen::Stripped
    } else {
        AgentsSeen::Unknown
    };
    let sampled_hits = proxies.hits;
    // Browsers send a referrer for what a page embeds: among enough such requests, none
    // with one means the log does not record it (a log that starts with bots' pages
    // says nothing of that). An agent, every request sends.
    // A JSON log writes its keys on every line: a few lines without an agent's key drop
    // the headers (Traefik's default), the referrer with them.
    let headless = matches!(format, Format::Json(_)) && sampled_hits >= 5 && with_agent == 0;
    let mut unseen = Vec::new();
    if (assets >= 20 || headless) && with_referrer == 0 && !lacks.contains(&"referrer") {
        unseen.push("referrer");
    }
    if (sampled_hits >= 50 || headless) && with_agent == 0 && !lacks.contains(&"user agent") {
        unseen.push("user agent");
    }
    let said = checks.said(&source.name(), &format);
    // A key that looks like the field answers the question the notice would ask.
    if !unseen.is_empty() && !said.keys {
        let channels = unseen_channels(&unseen);
        let embedded = if unseen.contains(&"referrer") && assets > 0 {
            format!(" ({assets} for what pages embed)")
        } else {
            String::new()
        };
        let caveat = format!(
            "{}: none of its first {sampled_hits} requests{embedded} carries a {} (does the log record \
             it?): {channels}",
            source.name(),
            unseen.join(" or ")
        );
        caveats.push(caveat.clone());
        notices.push(caveat);
    }
    if no_whole_line {
        let caveat = format!(
            "{}: its first {} MiB hold no whole line (one is longer): no layout detected ({format} \
             assumed; --log-format to choose) and no site fact learned from them (--site to name the site)",
            source.name(),
            PRELUDE_BYTES >> 20
        );
        caveats.push(caveat.clone());
        notices.push(caveat);
    }
    let malformed_said = said.malformed;
    for caveat in said.caveats {
        caveats.push(caveat.clone());
        notices.push(caveat);
    }
    if !lacks.is_empty() {
        let channels = unseen_channels(&lacks);
        let caveat =
            format!("{}: the {format} layout logs no {}: {channels}", source.name(), lacks.join(" or "));
        caveats.push(caveat.clone());
        notices.push(caveat);
    }
    let whole = !broke && prelude.len() < PRELUDE_BYTES;
    let fingerprint = Fingerprint::new(&prelude, whole, source, opened.compression);
    let head = prelude[..prelude.len().min(super::saved::HEAD)].to_vec();
    // A stream cannot be read twice: keep what was read and the stream itself (or, when
    // it broke, its error, for the read to report).
    let reader = source.is_stream().then(|| Reopened {
        reader: match error {
            Some(e) => Box::new(input::Broken(Some(e))),
            None => reader,
        },
        prelude,
        raw_bytes: counter,
        ended: complete,
    });
    Ok(Sniffed {
        source: source.clone(),
        format,
        notices,
        caveats,
        misfit,
        detected_from,
        compression: opened.compression,
        first_time,
        fingerprint,
        head,
        reader,
        agents,
        judge_agents: false,
        malformed_said,
    })
}

/// A layout named for an input none of whose first lines (`lines`) it read: if no later
/// line fits either, every line is malformed and the report empty with no error. What to
/// say then, with the layout detection would choose (the input is read all the same: its
/// later lines may fit). `None` for an input with no line at all.
fn misfit_of<'a>(
    source: &Source,
    format: &Format,
    lines: impl Iterator<Item = &'a [u8]> + Clone,
    opts: &FormatOptions,
) -> Option<Misfit> {
    if !lines.clone().any(|l| !l.is_empty()) {
        return None;
    }
    let hint = match parse::detect(lines.clone(), opts) {
        Some(d) => format!("detected, it reads as {} (--log-format auto)", d.format.name()),
        None => match unknown_format(source, lines.clone()) {
            InputError::UnknownFormat { hint, .. } => hint,
            other => other.to_string(),
        },
    };
    Some(Misfit { layout: format.name(), hint })
}

/// A named layout that read none of an input's first lines, and what to say if it reads
/// none of the others.
#[derive(Debug, Clone)]
pub(super) struct Misfit {
    pub layout: String,
    pub hint: String,
}

fn unknown_format<'a>(source: &Source, lines: impl Iterator<Item = &'a [u8]> + Clone) -> InputError {
    let tried = Preset::ALL.map(Preset::name).join(", ");
    // A line whose client is a list of addresses shows the layout better than one whose
    // list happens to hold one.
    let at = lines.clone().position(super::shifted::starts_with_a_list).unwrap_or(0);
    let first = lines.clone().nth(at);
    let from = if at == 0 { "its first line".to_string() } else { format!("its line {}", at + 1) };
    let example = first.and_then(parse::suggest);
    let json = first.is_some_and(|l| l.starts_with(b"{"));
    // `[` alone or before an object: not a line that starts with a bracketed time.
    let array = first
        .and_then(|l| l.trim_ascii().strip_prefix(b"["))
        .is_some_and(|rest| matches!(rest.trim_ascii_start().first(), None | Some(b'{')));
    let hint = match example {
        _ if array => "a JSON array (gcloud's --format=json writes one): darklog reads one object per line, \
                       as `jq -c '.[]' FILE` writes them; then --log-format json --json-field ROLE=KEY …"
            .to_string(),
        _ if json => "if it is JSON with other keys, name them: --log-format json --json-field \
                      client=KEY --json-field time=KEY … (roles: client, time, request, method, path, \
                      query, status, bytes, referrer, user_agent, host, forwarded_for)"
            .to_string(),
        Some(s) => format!(
            "if a format string writes it, give it to --log-format (or --nginx-conf FILE); \
             from {from}, perhaps: --log-format '{s}'"
        ),
        None => "if a format string writes it, give it to --log-format: an nginx log_format \
                 ('$remote_addr - $remote_user [$time_local] \"$request\" $status …'), an Apache \
                 LogFormat ('%h %l %u %t \"%r\" %>s %b …') or --nginx-conf FILE"
            .to_string(),
    };
    InputError::UnknownFormat { path: source.name(), tried, hint }
}

/// Whether any of `lines` is a line of any layout darklog reads.
fn any_layout<'a>(
    lines: impl Iterator<Item = &'a [u8]> + Clone,
    opts: &FormatOptions,
    given: Option<&Format>,
) -> bool {
    let mut cx = LineCx::default();
    let any_line =
        |f: &Format, cx: &mut LineCx| lines.clone().any(|l| matches!(f.parse(l, cx), Parsed::Hit(_)));
    // The layout --log-format names first: a directory of logs in a format string's
    // layout holds logs, whatever the presets make of them.
    given.is_some_and(|f| any_line(f, &mut cx))
        || Preset::ALL.into_iter().any(|p| any_line(&p.build(opts), &mut cx))
        || parse::detect(lines.clone(), opts).is_some()
}

/// Text logs hold printable bytes, tabs and line ends (and, after a crash or a
/// copytruncate, runs of NUL bytes where the file has a hole: not binary, and their lines
/// must still be read); binary data has control bytes all through it.
fn looks_binary(prelude: &[u8]) -> bool {
    let start = &prelude[..prelude.len().min(16 * 1024)];
    let controls =
        start.iter().filter(|&&b| (b < 0x20 && !b"\t\n\r\x0c\x1b\0".contains(&b)) || b == 0x7f).count();
    let not_nul = start.iter().filter(|&&b| b != 0).count();
    controls * 16 > not_nul
}
