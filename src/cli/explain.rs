//! `darklog explain`: every signal darklog reads in one log line, and the rule that
//! decides the line's visit when the line is the visit's landing.

use std::io::{self, BufRead, Write};

use clap::Args;

use super::explain_visits::{self, InVisit};
use super::format::{FormatArgs, Reading};
use super::{Error, Status};
use crate::classify::agent::Decided;
use crate::classify::{
    referrer_host, strip_www, vhost_is, Agent, Classifier, HostVerdict, Landing, Rules, SiteFacts,
    SHARE_WINDOW,
};
use crate::parse::{self, Format, LineCx, Parsed};
use crate::report::table::printable;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The log line (quote it; several, one per line, are read as one log); without it,
    /// or with -, each line of stdin is explained, the lines read as one log (its layout,
    /// site, browser evidence and embedded paths learned from them, as `analyze` learns
    /// them from a log's first lines).
    #[arg(value_name = "LINE")]
    line: Option<std::ffi::OsString>,

    /// The site's own host (repeatable): referrers from it are internal. (`analyze`
    /// infers it from the logs; one line cannot tell.)
    #[arg(long = "site", value_name = "HOST", value_parser = super::common::site_host)]
    sites: Vec<String>,

    /// Another front page (repeatable), as for `analyze`.
    #[arg(long = "front", value_name = "PATH")]
    fronts: Vec<String>,

    /// A TOML rules file to add to the built-in rules (as for `analyze`).
    #[arg(long, value_name = "FILE")]
    rules: Option<std::path::PathBuf>,

    #[command(flatten)]
    reading: FormatArgs,
}

pub fn run(args: ExplainArgs) -> Result<Status, Error> {
    let mut rules = Rules::builtin().map_err(crate::run::RunError::from)?;
    // Visits end and shares count as `analyze` has them, from the rules file too.
    let (mut timeout, mut share_window) = (crate::session::SessionConfig::default().timeout, SHARE_WINDOW);
    if let Some(path) = &args.rules {
        let o = crate::classify::overrides::Overrides::load(path)?;
        timeout = o.session_timeout.unwrap_or(timeout);
        share_window = o.share_window.unwrap_or(share_window);
        rules = rules.apply(&o).map_err(crate::run::RunError::from)?;
    }
    for f in &args.fronts {
        rules.paths.add_front(f);
    }
    let reading = args.reading.reading()?;
    let mut broke = None;
    let lines: Vec<Vec<u8>> = match args.line.as_ref().filter(|l| *l != "-") {
        // Lines are bytes, whatever their encoding; a pasted block is its lines.
        Some(l) => {
            let text = l.as_encoded_bytes();
            // `"$(head -3 log)"` has no final newline, `"$line"$'\n'` one: not a line more.
            let text = text.strip_suffix(b"\n").unwrap_or(text);
            text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
        }
        None => {
            // Compressed lines (`zcat` forgotten, `head -c` of a .gz) are read as `analyze`
            // reads them: by their magic bytes.
            let opened = crate::input::open(&crate::input::Source::Stdin, Default::default()).map_err(
                |e| match e {
                    crate::input::InputError::Read { source, .. } => Error::ReadStdin(source),
                    other => Error::ReadStdin(io::Error::other(other.to_string())),
                },
            )?;
            // An input problem, as `analyze` has it (exit 2), not a usage error.
            if let Some(what) = opened.foreign {
                let hint = crate::input::unpack_hint(what);
                return Err(Error::ReadStdin(io::Error::other(format!(
                    "it is {what}, which darklog does not read{hint}"
                ))));
            }
            // What came before a break is explained; the break is said after it.
            let mut lines = Vec::new();
            for line in io::BufReader::new(opened.reader).split(b'\n') {
                match line {
                    Ok(line) => lines.push(line),
                    Err(e) => {
                        broke = Some(e);
                        break;
                    }
                }
            }
            lines
        }
    };
    // Lines read together are read as one log: its layout detected from all of them, and
    // a W3C `#Fields:` line read for the lines after it.
    let text_lines = || lines.iter().map(|l| l.strip_suffix(b"\r").unwrap_or(l)).filter(|l| !l.is_empty());
    let format = match &reading.format {
        Some(f) => Some(parse::behind_syslog(f, text_lines())),
        None => parse::detect(text_lines(), &reading.options).map(|d| {
            // Said as analyze says it, where several lines made the choice.
            if d.sampled > 1 {
                let (name, n) = (d.format.name(), d.sampled);
                eprintln!("darklog: log format: {name} (detected from {n} lines; --log-format to choose)");
            }
            d.format
        }),
    };
    // A header the lines never carry keys every visitor on the logged address, as
    // analyze says.
    if let (Some(f), Some(_)) = (&format, &reading.client_ip) {
        let mut cx = LineCx::default();
        let carried: Vec<bool> = text_lines()
            .filter_map(|l| f.parse(l, &mut cx).hit().map(|h| h.forwarded_for.is_some()))
            .collect();
        if !carried.is_empty() && !carried.contains(&true) {
            eprintln!("darklog: {}", crate::run::unheaded("no line", f, &reading.options.client_header));
        }
    }
    // And what the site's facts are is learned from them, as `analyze` learns it from a
    // log's first lines: the site's host, whether its browsers load assets, the paths its
    // pages embed. One line shows none of that.
    let (facts, learned) = match &format {
        Some(format) if text_lines().nth(1).is_some() => {
            let mut agents = crate::classify::AgentCache::new();
            let client_ip = reading.client_ip.as_ref();
            let (facts, notices, read) =
                crate::run::learn_lines(text_lines(), format, &args.sites, client_ip, &rules, &mut agents);
            for n in notices {
                eprintln!("darklog: {}", printable(&n));
            }
            (facts, Some(read))
        }
        _ => {
            let mut facts = SiteFacts::default();
            args.sites.iter().for_each(|s| facts.add_site(s));
            (facts, None)
        }
    };
    // As `analyze` judges a log: where its first lines carry agents, a line without one
    // is a client that sent none.
    let agents_logged = facts.agents_logged;
    let mut cx = LineCx::default();
    let classifier = Classifier::new(&rules, &facts);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut status = Status::Ok;
    // A malformed line among others is explained as one, as `analyze` counts it: only
    // lines none of which is in a layout are an error.
    let mut read_any = false;
    // Lines read together are placed in the visits they make, as analyze makes them.
    let places = match &format {
        Some(f) if lines.len() > 1 => {
            let windows = (timeout, share_window);
            explain_visits::place(&lines, f, &classifier, reading.client_ip.as_ref(), agents_logged, windows)
                .into_iter()
                .map(Some)
                .collect()
        }
        _ => vec![None; lines.len()],
    };
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(out);
        }
        let read = Read { learned, agents_logged, place: places[i] };
        let result = explain(&mut out, &classifier, &reading, format.as_ref(), &mut cx, line, read);
        match result {
            Ok(read) => read_any |= read,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(status),
            Err(e) => return Err(Error::Write(e)),
        }
    }
    let _ = out.flush();
    if lines.iter().all(Vec::is_empty) {
        eprintln!("darklog: no line to explain");
        status = Status::Partial;
    } else if !read_any {
        let what = if lines.len() == 1 { "the line is not" } else { "no line is" };
        match &reading.format {
            Some(f) => eprintln!("darklog: {what} in the {} layout --log-format names", f.name()),
            None => eprintln!("darklog: {what} in any layout darklog reads"),
        }
        status = Status::Partial;
    }
    if let Some(e) = broke {
        eprintln!("darklog: {}", printable(&Error::ReadStdin(e).to_string()));
        status = Status::Partial;
    }
    Ok(status)
}

/// `darklog explain` with the built-in rules and no site, one line at a time: what fuzzing
/// feeds arbitrary lines to.
pub fn explain_builtin(line: &[u8], out: &mut dyn Write) -> io::Result<bool> {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| Rules::builtin().expect("the built-in tables are valid"));
    let facts = SiteFacts::default();
    let reading = Reading { format: None, options: crate::parse::FormatOptions::default(), client_ip: None };
    let read = Read { learned: None, agents_logged: false, place: None };
    explain(out, &Classifier::new(rules, &facts), &reading, None, &mut LineCx::default(), line, read)
}

/// What the lines around the explained one say.
#[derive(Clone, Copy)]
struct Read {
    /// Lines the site's facts were learned from, if any.
    learned: Option<usize>,
    /// Some line carries a user agent: the log records them.
    agents_logged: bool,
    /// The line's place in the visits the lines make (`None`: one line alone).
    place: Option<InVisit>,
}

/// Writes the explanation of one line; `false` when the line is malformed.
fn explain(
    out: &mut dyn Write,
    classifier: &Classifier<'_>,
    reading: &Reading,
    format: Option<&Format>,
    cx: &mut LineCx,
    line: &[u8],
    read: Read,
) -> io::Result<bool> {
    let learned = read.learned;
    let rules = classifier.rules;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // What the line holds is shown printable: a log line can carry terminal controls.
    writeln!(out, "line:        {}", printable(&String::from_utf8_lossy(line)))?;
    let detected;
    let format = match format {
        Some(f) => Some(f),
        None => {
            detected = parse::detect(std::iter::once(line), &reading.options).map(|d| d.format);
            detected.as_ref()
        }
    };
    // Read before the line borrows `cx`: a W3C log's field list is the last one read.
    let lacks = format.map(|f| f.lacks_in(cx)).unwrap_or_default();
    let has_agent_field = format.is_some() && !lacks.contains(&"user agent");
    // A JSON time's zone is known once read, and the hit then holds `cx`: read it for that.
    cx.zoneless_time = false;
    let zoneless = format.is_some_and(|f| matches!(f.parse(line, cx), Parsed::Hit(_)) && f.zoneless_in(cx));
    let parsed = format.map(|f| (f, f.parse(line, cx)));
    let (format, mut hit) = match parsed {
        Some((format, Parsed::Hit(hit))) => (format, hit),
        Some((format, Parsed::Directive)) => {
            writeln!(out, "format:      {format}")?;
            writeln!(out, "verdict:     a directive: it says how the lines after it are read")?;
            return Ok(true);
        }
        _ => {
            writeln!(
                out,
                "verdict:     malformed: not a line of {}",
                format.map_or_else(
                    || format!("any preset ({})", parse::Preset::ALL.map(parse::Preset::name).join(", ")),
                    |f| f.name()
                )
            )?;
            return Ok(false);
        }
    };
    let logged = hit.client;
    if let Some(picker) = &reading.client_ip {
        hit.client = picker.pick(hit.client, hit.forwarded_for);
    }
    let text = |b: &[u8]| printable(&String::from_utf8_lossy(b)).into_owned();
    writeln!(out, "format:      {format}")?;
    writeln!(out, "time:        {}", explain_visits::time_read(hit.time, zoneless, &reading.options))?;
    writeln!(out, "visitor:     client {} with its user agent", text(hit.client))?;
    if let Some(forwarded) = hit.forwarded_for {
        let how = if reading.client_ip.is_some() {
            if hit.client == logged {
                // Why the header did not name the client: the sender or the last hop.
                format!(
                    "--client-ip keeps the logged address {}: it, or the header's last hop, is no \
                     trusted proxy (--trusted-proxy CIDR trusts one)",
                    text(logged)
                )
            } else {
                format!(
                    "--client-ip picks {}, the first from the right that is no trusted proxy; logged from {}",
                    text(hit.client),
                    text(logged)
                )
            }
        } else {
            "not read: --client-ip x-forwarded-for takes the client from it".to_string()
        };
        writeln!(out, "forwarded:   {} ({how})", text(forwarded))?;
    }
    let slash = if hit.target.starts_with(b"?") { "/" } else { "" }; // `http://host?q` leaves `?q`
    writeln!(out, "request:     {} {slash}{} -> {}", text(hit.method), text(hit.target), hit.status)?;
    let ua = explain_visits::judged_agent(hit.user_agent, read.agents_logged && has_agent_field);
    let (agent, decided) = rules.agents.decide(ua);
    let name = |n| rules.agents.name(n);
    let by = match decided {
        Decided::Absent => "none logged".to_string(),
        Decided::NoneSent => {
            "none sent, where the log's other lines carry one: no browser sends none".to_string()
        }
        Decided::Row { rules_file: true, line } => format!("rules file line {line}"),
        Decided::Row { rules_file: false, line } => format!("user_agents.tsv line {line}"),
        Decided::Listed { pattern } => format!("crawlers.tsv, crawler-user-agents pattern {}", name(pattern)),
        Decided::ProgramMark { line } => {
            format!("no row or list names it; a program's mark, marks.tsv line {line}")
        }
        Decided::BrowserMark { line } => {
            format!("no row or list names it; a browser's mark, marks.tsv line {line}")
        }
        Decided::NoMark => "no row, list or mark (marks.tsv) names it: no browser's agent".to_string(),
    };
    let agent_text = match agent {
        Agent::Browser => format!("a browser ({by})"),
        Agent::InApp { app, channel } => {
            format!("the in-app browser of {} ({by}; rule in-app: {channel})", name(app))
        }
        Agent::Preview { app } => {
            format!("a link preview by {} ({by}): a share event, not a reader", name(app))
        }
        Agent::Bot { .. } if decided == Decided::NoMark => format!("a program ({by}): not a reader"),
        Agent::Bot { name: n } => format!("a declared bot, {} ({by}): not a reader", name(n)),
    };
    writeln!(out, "user agent:  {agent_text}")?;

    let path = hit.path();
    let table_kind = rules.paths.kind(path);
    let kind = classifier.facts.kind(table_kind, path);
    let prefixes = &classifier.facts.embedded_prefixes;
    let verdict = crate::classify::page_view(hit.method, hit.status, path, kind);
    let page_view = verdict.is_ok();
    match verdict {
        Ok(()) => writeln!(out, "page view:   yes")?,
        Err(_) if kind != table_kind => {
            let under = prefixes.iter().find(|p| path.starts_with(p.as_bytes())).map_or("", String::as_str);
            writeln!(
                out,
                "page view:   no, an embedded resource of this site (its pages fetch paths under {} as \
                 they load: learned from the lines read): it starts no visit",
                printable(under)
            )?
        }
        Err(why_not) => writeln!(out, "page view:   no, {why_not}: it starts no visit")?,
    }

    let referrer = match hit.referrer {
        None if lacks.contains(&"referrer") => format!("none: the {format} layout logs no referrer"),
        None => "none".to_string(),
        Some(r) => {
            let host = referrer_host(r);
            let own_vhost = hit.vhost.is_some_and(|v| vhost_is(v, strip_www(&host)));
            let said = match classifier.host_verdict(&host) {
                HostVerdict::Internal => "the site itself (internal)".to_string(),
                _ if own_vhost => "the site itself (internal)".to_string(),
                HostVerdict::Known(rule) => match rules.hosts.lookup_row(&host) {
                    Some(row) if row.table == "rules file" => {
                        format!("rules file: {} / {}", rule.channel, rule.source)
                    }
                    Some(row) => format!(
                        "{} line {}, row {}: {} / {}",
                        row.table, row.line, row.host, rule.channel, rule.source
                    ),
                    None => format!("{} / {}", rule.channel, rule.source),
                },
                HostVerdict::Other if classifier.facts.site_hosts.is_empty() && hit.vhost.is_none() => {
                    "in no table or list: a referral, unless it is the site itself (name it with --site)"
                        .to_string()
                }
                HostVerdict::Other => "in no table or list: a referral".to_string(),
            };
            format!("{} (host {}: {said})", text(r), printable(&host))
        }
    };
    writeln!(out, "referrer:    {referrer}")?;
    let query = match hit.query().and_then(|q| rules.params.decide(q).map(|(r, s)| (r, s, q))) {
        None if hit.query().is_some() => "no parameter any rule reads".to_string(),
        None => "none".to_string(),
        Some((rule, source, _)) => format!(
            "{} line {}: {}{} -> {} / {}",
            if rule.from_file { "rules file" } else { "parameters.tsv" },
            rule.line,
            rule.param,
            rule.value.as_ref().map(|v| format!("={v}")).unwrap_or_default(),
            rule.channel,
            printable(&source.to_string())
        ),
    };
    writeln!(out, "query:       {query}")?;
    let front = rules.paths.is_front(path, hit.query());
    // Front or deep is a page view's question: an asset is neither.
    if page_view {
        writeln!(
            out,
            "page:        {}",
            if front { "a front (homepage or section)" } else { "deep (content)" }
        )?;
    }

    // Only a landing the classic rule decides (deep, no other signal) can be turned by a
    // preview or a return: the rules before them decide first.
    let mut deep_direct = false;
    let verdict = match (agent, read.place) {
        (Agent::Bot { .. } | Agent::Preview { .. }, _) => "excluded: not a visit".to_string(),
        _ if !page_view => "not a landing (no visit starts with this line)".to_string(),
        (_, Some(InVisit::LaterPage { landing })) => format!(
            "a later page of the visit that landed on line {}: that line's verdict is the visit's",
            landing + 1
        ),
        (_, place) => {
            let (shared_by, returning) = match place {
                Some(InVisit::Landing { shared_by, returning, .. }) => (shared_by, returning),
                _ => (None, None),
            };
            let v = classifier.landing(&Landing {
                target: hit.target,
                referrer: hit.referrer,
                vhost: hit.vhost,
                agent,
                shared_by: shared_by.map(|(app, _)| app),
                returning: returning.is_some(),
            });
            deep_direct = v.reason == crate::classify::Reason::DeepDirect;
            let signal = match (v.reason, shared_by, returning) {
                (crate::classify::Reason::Preview, Some((_, at)), _) => {
                    format!(": line {} fetched a link preview of this page", at + 1)
                }
                (crate::classify::Reason::Return, _, Some(at)) => {
                    format!(": the visitor read this page before, on line {}", at + 1)
                }
                _ => String::new(),
            };
            format!(
                "{} / {} (rule {}{signal}), as the landing of a visit",
                v.channel,
                printable(v.source.as_ref()),
                v.reason
            )
        }
    };
    writeln!(out, "verdict:     {verdict}")?;
    let later = matches!(read.place, Some(InVisit::LaterPage { .. }));
    if page_view && !agent.is_excluded() && !later {
        if read.place.is_some() {
            writeln!(out, "in a log:    the visitor's behaviour (robots.txt, pace) can still exclude it")?;
        } else if deep_direct {
            writeln!(
                out,
                "in a log:    a link preview of this page shortly before (rule preview), an earlier\n             \
                 read of it by the same visitor (rule return), or the visitor's behaviour\n             \
                 (robots.txt, pace) can decide otherwise"
            )?;
        } else {
            writeln!(out, "in a log:    the visitor's behaviour (robots.txt, pace) can still exclude it")?;
        }
        writeln!(
            out,
            "evidence:    where the site's browsers visibly load assets (read from the first lines\n             \
             of the logs), a visit that loads no asset has no browser evidence: it is\n             \
             unconfirmed, not counted as a reader, and readers whose assets were all cached\n             \
             are estimated from the visits other sites refer"
        )?;
        if let Some(many) = learned {
            let said = match classifier.evidence().why_not() {
                None => "asked for: a visit landing here counts only if it loads an asset".to_string(),
                Some(why) => format!("not asked for ({why})"),
            };
            writeln!(out, "             in these {many} lines: {said}")?;
            if let Some(InVisit::Landing { assets, .. }) = read.place {
                let loads = match assets {
                    0 => "no asset".to_string(),
                    1 => "1 asset".to_string(),
                    n => format!("{n} assets"),
                };
                let counted = match (classifier.evidence().required(), assets) {
                    (true, 0) => "no browser evidence: unconfirmed, not counted as a reader",
                    (true, _) => "browser evidence: counted as a reader",
                    (false, _) => "counted as a reader",
                };
                writeln!(out, "             this visit loads {loads} in these lines: {counted}")?;
            }
        }
    }
    if page_view || kind != table_kind {
        writeln!(
            out,
            "assets:      in a log, paths under a prefix that the site's pages fetch as they load and\n             \
             never link to (product images served as /image/27142) are learned as assets,\n             \
             whatever their extension"
        )?;
        if learned.is_some() {
            let said = if prefixes.is_empty() { "none".to_string() } else { prefixes.join(", ") };
            writeln!(out, "             learned from these lines: {}", printable(&said))?;
        }
    }
    Ok(true)
}
