//! What the lines given to `explain` together say of each one: which page view lands a
//! visit and which is a later page of one, what a link preview among them or an earlier
//! read by the same visitor makes of a landing, and whether its visit loads an asset.
//! The rules that decide are the classifier's; this only finds, among the lines, the
//! signals `analyze` finds in a log (a sketch of its sessions: one visitor is a client
//! and its user agent, a visit ends after the timeout without a page view).

use rustc_hash::FxHashMap;

use crate::classify::{page_view, remembered, Agent, Classifier, Name, PathKind, MAX_VISIT_PAGES};
use crate::parse::{ClientIp, Format, FormatOptions, LineCx, Parsed};
use crate::time::format_rfc3339;

/// What the other lines say of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InVisit {
    /// A page view that lands a visit: `shared_by` a preview on line `.1`, `returning`
    /// to a page the visitor read on that line, and the assets the visit loads.
    Landing { shared_by: Option<(Name, usize)>, returning: Option<usize>, assets: u32 },
    /// A later page view of the visit landed on that line (its channel is the landing's).
    LaterPage { landing: usize },
    /// Not a page view of a reader: nothing to say.
    Other,
}

/// A visitor: its client and its user agent, as the lines give them.
type Visitor = (Vec<u8>, Vec<u8>);

/// A page a visitor read, and the line (index) it was read on.
type Read = (Vec<u8>, usize);

/// A visit the lines make: the line it landed on, its first and last page view's times,
/// and its pages.
struct Visit {
    landing: usize,
    start: i64,
    end: i64,
    pages: Vec<Read>,
}

/// Each line's place among `lines` (by index; line numbers are index + 1).
pub(super) fn place(
    lines: &[Vec<u8>],
    format: &Format,
    classifier: &Classifier<'_>,
    client_ip: Option<&ClientIp>,
    agents_logged: bool,
    (timeout, share_window): (i64, i64),
) -> Vec<InVisit> {
    let rules = classifier.rules;
    let mut places = vec![InVisit::Other; lines.len()];
    // Link previews by page: their time, app and line.
    let mut previews: FxHashMap<Vec<u8>, Vec<(i64, Name, usize)>> = FxHashMap::default();
    let mut visits: Vec<Visit> = Vec::new();
    // Each visitor's visits (indexes into `visits`), the open one last.
    let mut by_visitor: FxHashMap<Visitor, Vec<usize>> = FxHashMap::default();
    // Assets by visitor and time, to count into the visits once they are known.
    let mut assets: Vec<(Visitor, i64)> = Vec::new();
    let mut cx = LineCx::default();
    for (i, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // As the line's own verdict.
        let has_agent_field = !format.lacks_in(&cx).contains(&"user agent");
        let Parsed::Hit(mut hit) = format.parse(line, &mut cx) else { continue };
        hit.user_agent = judged_agent(hit.user_agent, agents_logged && has_agent_field);
        // Behind a proxy the visitor is the client --client-ip picks, as for analyze.
        if let Some(picker) = client_ip {
            hit.client = picker.pick(hit.client, hit.forwarded_for);
        }
        let (agent, _) = rules.agents.decide(hit.user_agent);
        let path = hit.path();
        let kind = classifier.facts.kind(rules.paths.kind(path), path);
        let viewed = page_view(hit.method, hit.status, path, kind).is_ok();
        match agent {
            Agent::Preview { app } if viewed => {
                previews.entry(path.to_vec()).or_default().push((hit.time, app, i))
            }
            _ if agent.is_excluded() => {}
            _ => {
                let visitor = (hit.client.to_vec(), hit.user_agent.unwrap_or_default().to_vec());
                if !viewed {
                    if kind == PathKind::Asset && crate::classify::fetched(hit.method, hit.status) {
                        assets.push((visitor, hit.time));
                    }
                    continue;
                }
                let mine = by_visitor.entry(visitor).or_default();
                if let Some(open) =
                    mine.last().map(|&v| &mut visits[v]).filter(|v| hit.time - v.end <= timeout)
                {
                    places[i] = InVisit::LaterPage { landing: open.landing };
                    open.end = open.end.max(hit.time);
                    // As analyze: a visit's pages past the bound are not remembered.
                    if open.pages.len() < MAX_VISIT_PAGES && !open.pages.iter().any(|(p, _)| p == path) {
                        open.pages.push((path.to_vec(), i));
                    }
                    continue;
                }
                let shared_by = previews
                    .get(path)
                    .and_then(|fetches| {
                        fetches.iter().rev().find(|(t, _, _)| *t <= hit.time && hit.time - t <= share_window)
                    })
                    .map(|&(_, app, line)| (app, line));
                // A page the visitor read in a visit before this one, while analyze
                // remembers it (from 15 to 30 days, by the visit's start).
                let returning = mine
                    .iter()
                    .map(|&v| &visits[v])
                    .filter(|v| remembered(v.start, hit.time))
                    .flat_map(|v| &v.pages)
                    .find(|(p, _)| p == path)
                    .map(|&(_, line)| line);
                places[i] = InVisit::Landing { shared_by, returning, assets: 0 };
                mine.push(visits.len());
                visits.push(Visit {
                    landing: i,
                    start: hit.time,
                    end: hit.time,
                    pages: vec![(path.to_vec(), i)],
                });
            }
        }
    }
    // An asset belongs to the visitor's visit it falls in: from a minute before its landing
    // (a page's assets can be logged before the page) to a timeout after its last page.
    for (visitor, t) in &assets {
        let Some(mine) = by_visitor.get(visitor) else { continue };
        let visit = mine
            .iter()
            .map(|&v| &visits[v])
            .filter(|v| v.start - 60 <= *t && *t <= v.end + timeout)
            .max_by_key(|v| v.start);
        if let Some(InVisit::Landing { assets, .. }) = visit.map(|v| &mut places[v.landing]) {
            *assets += 1;
        }
    }
    places
}

/// The agent a line is judged by: where the log records agents (`recorded`: its lines
/// carry them and its layout has the field), a line without one is a client that sent
/// none, judged as an empty agent (no browser's), as `analyze` judges it.
pub(super) fn judged_agent(logged: Option<&[u8]>, recorded: bool) -> Option<&[u8]> {
    match logged {
        None if recorded => Some(b""),
        ua => ua,
    }
}

/// A line's time in UTC and, where its layout wrote it without a zone, the zone it was
/// read in: as `analyze` says once for a log, so that a wrong hour is not a surprise.
pub(super) fn time_read(time: i64, zoneless: bool, options: &FormatOptions) -> String {
    let utc = format_rfc3339(time);
    match (zoneless, options.zone_named) {
        (false, _) => format!("{utc} (UTC)"),
        (true, false) => {
            format!("{utc} (UTC; written without a zone, read in UTC: --tz ZONE reads it in the server's)")
        }
        (true, true) => format!("{utc} (UTC; written without a zone, read in {})", options.zone.name()),
    }
}
