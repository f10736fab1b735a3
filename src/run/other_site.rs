//! Inputs that look like another site's log than the one the run reads them as: the
//! referrers of their first lines never name the site and mostly name one other host.

use rustc_hash::FxHashMap;

use super::sniff::Sniffed;
use crate::classify::{referrer_host, strip_www, Rules, SiteFacts};
use crate::input;
use crate::parse::{LineCx, Parsed};

/// An input that looks like another site's log: the referrers of its first lines (the
/// bytes every input keeps of its start) never name the site, and one host the tables do
/// not know (no search engine, network or app) is most of them.
pub(super) struct OtherSite {
    pub input: usize,
    pub host: String,
    pub times: u32,
}

/// The inputs of `sniffed` that look like another site's log than `facts` say (see
/// [`OtherSite`]). A run learns one site, from its first lines, or has a state's; the
/// others would be read with its facts, so the user is told.
pub(super) fn other_sites(sniffed: &[Sniffed], facts: &SiteFacts, rules: &Rules) -> Vec<OtherSite> {
    if facts.site_hosts.is_empty() {
        return Vec::new();
    }
    let classifier = crate::classify::Classifier::new(rules, facts);
    let mut found = Vec::new();
    for (i, s) in sniffed.iter().enumerate() {
        let (mut internal, mut others) = (0, FxHashMap::<String, u32>::default());
        let mut cx = LineCx::default();
        for line in input::prelude_lines(&s.head, false) {
            let Parsed::Hit(hit) = s.format.parse(line, &mut cx) else { continue };
            let Some(host) = hit.referrer.map(referrer_host) else { continue };
            match classifier.host_verdict(&host) {
                crate::classify::HostVerdict::Internal => internal += 1,
                crate::classify::HostVerdict::Other if !host.is_empty() => {
                    *others.entry(strip_www(&host).to_string()).or_default() += 1;
                }
                _ => {}
            }
        }
        let total: u32 = others.values().sum();
        let top = others.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        if let Some((host, times)) = top.filter(|(_, n)| internal == 0 && *n >= 3 && n * 2 >= total) {
            found.push(OtherSite { input: i, host, times });
        }
    }
    found
}

/// What to tell of inputs that look like another site's than the one a run learned from
/// its first lines (a run of one input learned it from that one), or, with `--site`
/// given, of inputs whose referrers never name it: a host misspelt, a URL's path, the
/// wrong site's name, with which the site's own clicks all read as referrals.
pub(super) fn other_sites_said(
    sniffed: &[Sniffed],
    facts: &SiteFacts,
    rules: &Rules,
    given: bool,
) -> Vec<String> {
    if given {
        let said = |o: OtherSite| {
            format!(
                "{}: the referrers of its first lines name {} ({} times), never {} (--site): its \
                 visits from its own pages count as referrals; is --site the site's host?",
                sniffed[o.input].source.name(),
                o.host,
                o.times,
                facts.site_hosts.join(", ")
            )
        };
        return other_sites(sniffed, facts, rules).into_iter().map(said).collect();
    }
    if sniffed.len() < 2 {
        return Vec::new();
    }
    let said = |o: OtherSite| {
        format!(
            "{}: the referrers of its first lines name {} ({} times), never {}: if it is another \
             site's log, analyze it apart (a run learns one site, from its first lines; --site \
             names every site's host)",
            sniffed[o.input].source.name(),
            o.host,
            o.times,
            facts.site_hosts.join(", ")
        )
    };
    other_sites(sniffed, facts, rules).into_iter().map(said).collect()
}
