//! What the lines given to `explain` together say of each one: which page view lands a
//! visit and which is a later page of one, what a link preview among them or an earlier
//! read by the same visitor makes of a landing, and whether its visit loads an asset.
//! The rules that decide are the classifier's; this only finds, among the lines, the
//! signals `analyze` finds in a log (a sketch of its sessions: one visitor is a client
//! and its user agent, a visit ends after the timeout without a page view).

use rustc_hash::FxHashMap;

use crate::classify::{page_view, Agent, Classifier, Name, PathKind};
use crate::parse::{ClientIp, Format, LineCx, Parsed};

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

/// Each line's place among `lines` (by index; line numbers are index + 1).
pub(super) fn place(
    lines: &[Vec<u8>],
    format: &Format,
    classifier: &Classifier<'_>,
    client_ip: Option<&ClientIp>,
    (timeout, share_window): (i64, i64),
) -> Vec<InVisit> {
    struct Open {
        landing: usize,
        last_page: i64,
        pages: Vec<Read>,
    }
    let rules = classifier.rules;
    let mut places = vec![InVisit::Other; lines.len()];
    let mut previews: Vec<(Vec<u8>, i64, Name, usize)> = Vec::new();
    let mut open: FxHashMap<Visitor, Open> = FxHashMap::default();
    // Pages each visitor read in visits closed before.
    let mut read_before: FxHashMap<Visitor, Vec<Read>> = FxHashMap::default();
    // Assets by visitor and time, to count into the visits once they are known.
    let mut assets: Vec<(Visitor, i64)> = Vec::new();
    // Each visit's landing line, visitor, start and last page view.
    let mut landings: Vec<(usize, Visitor, i64, i64)> = Vec::new();
    let mut cx = LineCx::default();
    for (i, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Parsed::Hit(mut hit) = format.parse(line, &mut cx) else { continue };
        // Behind a proxy the visitor is the client --client-ip picks, as for analyze.
        if let Some(picker) = client_ip {
            hit.client = picker.pick(hit.client, hit.forwarded_for);
        }
        let (agent, _) = rules.agents.decide(hit.user_agent);
        let path = hit.path();
        let kind = classifier.facts.kind(rules.paths.kind(path), path);
        let viewed = page_view(hit.method, hit.status, path, kind).is_ok();
        match agent {
            Agent::Preview { app } if viewed => previews.push((path.to_vec(), hit.time, app, i)),
            _ if agent.is_excluded() => {}
            _ => {
                let visitor = (hit.client.to_vec(), hit.user_agent.unwrap_or_default().to_vec());
                if !viewed {
                    if kind == PathKind::Asset {
                        assets.push((visitor, hit.time));
                    }
                    continue;
                }
                if let Some(o) = open.get_mut(&visitor).filter(|o| hit.time - o.last_page <= timeout) {
                    places[i] = InVisit::LaterPage { landing: o.landing };
                    o.last_page = o.last_page.max(hit.time);
                    if let Some(l) = landings.iter_mut().rev().find(|l| l.0 == o.landing) {
                        l.3 = o.last_page;
                    }
                    o.pages.push((path.to_vec(), i));
                    continue;
                }
                if let Some(closed) = open.remove(&visitor) {
                    read_before.entry(visitor.clone()).or_default().extend(closed.pages);
                }
                let shared_by = previews
                    .iter()
                    .rev()
                    .find(|(p, t, _, _)| p == path && *t <= hit.time && hit.time - t <= share_window)
                    .map(|&(_, _, app, line)| (app, line));
                let returning = read_before
                    .get(&visitor)
                    .and_then(|pages| pages.iter().find(|(p, _)| p == path).map(|&(_, line)| line));
                places[i] = InVisit::Landing { shared_by, returning, assets: 0 };
                landings.push((i, visitor.clone(), hit.time, hit.time));
                open.insert(
                    visitor,
                    Open { landing: i, last_page: hit.time, pages: vec![(path.to_vec(), i)] },
                );
            }
        }
    }
    // An asset belongs to the visitor's visit it falls in: from a minute before its landing
    // (a page's assets can be logged before the page) to a timeout after its last page.
    for (visitor, t) in &assets {
        let visit = landings
            .iter()
            .filter(|(_, v, start, end)| v == visitor && start - 60 <= *t && *t <= end + timeout)
            .max_by_key(|l| l.2);
        if let Some(&(landing, ..)) = visit {
            if let InVisit::Landing { assets, .. } = &mut places[landing] {
                *assets += 1;
            }
        }
    }
    places
}
