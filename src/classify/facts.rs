//! What a run learns of the site from its own logs, before it classifies anything: the
//! facts the rules are read with. They are learned from the first lines of each input,
//! frozen for the run, and kept with the run's state (not in the rules, which are the
//! same for every site).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFacts {
    /// The site's own hosts (lowercase, without `www.`): referrers from them are internal.
    pub site_hosts: Vec<String>,
    /// Whether this site's readers visibly load its assets (CSS, JS, images): only then
    /// is a multi-page visitor that loads none a scraper.
    pub browsers_load_assets: bool,
}

impl SiteFacts {
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
}
