//! What a run learns of the site from its own logs, before it classifies anything: the
//! facts the rules are read with. They are learned from the first lines of each input,
//! frozen for the run, and kept with the run's state (not in the rules, which are the
//! same for every site).

use serde::{Deserialize, Serialize};

use super::{PathKind, PathRules};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFacts {
    /// The site's own hosts (lowercase, without `www.`): referrers from them are internal.
    pub site_hosts: Vec<String>,
    /// Whether this site's readers visibly load its assets (CSS, JS, images): only then
    /// does a visit that loads none lack browser evidence.
    pub browsers_load_assets: bool,
    /// Path prefixes (`/image/`) whose paths this site's pages embed whatever their
    /// extension (product images served as `/image/27142`): assets for the run.
    #[serde(default)]
    pub embedded_prefixes: Vec<String>,
    /// What `browsers_load_assets` was decided from; `None` in a state or profile written
    /// before darklog kept it.
    #[serde(default)]
    pub asset_sample: Option<AssetSample>,
    /// Some input of the run (or job) carries user agents in its first lines: an input
    /// whose own first lines show neither agents nor their stripping follows it, and so do
    /// a job's keyed parts, which cannot tell their lines' files apart (see
    /// `Sniffed::agents`). A line without an agent is then a client that sent none.
    #[serde(default)]
    pub agents_logged: bool,
}

/// Readers who came by a click (their first page view had a referrer) in the lines the
/// facts were learned from, and how many of them loaded an asset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetSample {
    pub referred: u32,
    pub loading: u32,
}

/// Referred readers a run needs to have seen before it tells whether browsers here load
/// assets: fewer, and it asks for no browser evidence.
pub const MIN_ASSET_SAMPLE: u32 = 12;

/// Whether a visit needs browser evidence (an asset) to count as a reader, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Required,
    /// A rules file counts visits without it (`require_browser_evidence = false`).
    OffByRules,
    /// Too few referred readers in the first lines to tell whether browsers load assets.
    TooFewToTell(AssetSample),
    /// Most referred readers loaded no asset from the logged host (assets on a CDN).
    NoAssetsHere(AssetSample),
    /// One of the two, in a state or profile that did not keep which.
    NotSeen,
}

impl Evidence {
    pub fn required(self) -> bool {
        self == Evidence::Required
    }

    /// Why no browser evidence is asked for, in words; `None` when it is.
    pub fn why_not(self) -> Option<String> {
        match self {
            Evidence::Required => None,
            Evidence::OffByRules => {
                Some("the rules file counts visits without it: require_browser_evidence = false".to_string())
            }
            Evidence::TooFewToTell(s) => Some(format!(
                "{} came by a click in the first lines, {MIN_ASSET_SAMPLE} needed to tell whether browsers \
                 here load assets",
                if s.referred == 1 { "1 reader".to_string() } else { format!("{} readers", s.referred) }
            )),
            Evidence::NoAssetsHere(s) => Some(format!(
                "browsers here load no assets from the logged host: {} of {} readers who came by a click did",
                s.loading, s.referred
            )),
            Evidence::NotSeen => Some(
                "the first lines did not show browsers loading assets (too few readers, or none \
                 loading them; the state was written by an older darklog, which did not keep which)"
                    .to_string(),
            ),
        }
    }
}

impl SiteFacts {
    /// Learned from too few lines to tell anything: no site found (none given either:
    /// `sites_given`), or too few referred readers to tell whether browsers load assets.
    /// A state's first run over an empty log learns this; a later run learns again.
    pub fn undecided(&self, sites_given: bool) -> bool {
        let few = self.asset_sample.is_some_and(|s| s.referred < MIN_ASSET_SAMPLE);
        few || (!sites_given && self.site_hosts.is_empty())
    }

    /// Adds a host of the site (`--site`, or inferred), normalised.
    pub fn add_site(&mut self, host: &str) {
        let h = super::strip_www(&host.trim().to_ascii_lowercase()).to_string();
        if !h.is_empty() && !self.site_hosts.contains(&h) {
            self.site_hosts.push(h);
        }
    }

    /// Whether `host` (lowercase, without `www.`) is the site's own.
    pub fn is_site(&self, host: &str) -> bool {
        self.site_hosts.iter().any(|s| s == host)
    }

    /// What `path` is, given what the tables say of it (`table`): embedded paths are
    /// assets whatever the tables say.
    pub fn kind(&self, table: PathKind, path: &[u8]) -> PathKind {
        if self.embedded_prefixes.iter().any(|p| path.starts_with(p.as_bytes())) {
            PathKind::Asset
        } else {
            table
        }
    }

    /// The tables' path rules with what this site embeds added: what the run tests
    /// every line's path with.
    pub fn path_rules(&self, table: &PathRules) -> PathRules {
        let mut paths = table.clone();
        for p in &self.embedded_prefixes {
            paths.add_asset_prefix(p);
        }
        paths
    }
}
