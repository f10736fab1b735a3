//! Matomo's search engines, social networks and AI assistants as referrer-host rows.

use std::collections::HashMap;
use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use super::{header, read, Error, MATOMO};

/// Hosts of Matomo's lists that darklog leaves out, and why. By host alone (browsers send
/// a referrer's origin, not its path or query) these are no search engine or network.
pub const LEFT_OUT: &[(&str, &str)] = &[
    // Search engines, issue #10: maps, news and other services of a search company are
    // not its search.
    ("maps.google.com", "Google Maps: not a search"),
    ("maps.google.*", "Google Maps: not a search"),
    ("news.google.com", "Google News: a news reader, not a search"),
    ("news.google.*", "Google News: a news reader, not a search"),
    ("translate.google.com", "Google Translate's proxy: a page read through it, not a search"),
    ("news.baidu.com", "Baidu News: a news reader, not a search"),
    ("tieba.baidu.com", "Baidu Tieba: a forum, not a search"),
    ("zhidao.baidu.com", "Baidu Zhidao: questions and answers, not a search"),
    ("msnbc.msn.com", "a news site"),
    // General sites and portals whose own search box Matomo lists: a search only with
    // the query, which the referrer no longer carries.
    ("cnn.com", "a news site (its search box)"),
    ("kataweb.it", "a news portal"),
    ("fastweb.it", "an internet provider's portal"),
    ("arcor.de", "an internet provider's portal"),
    ("charter.net", "an internet provider's portal"),
    ("online.no", "an internet provider's portal"),
    ("skynet.be", "an internet provider's portal"),
    ("talktalk.co.uk", "an internet provider's portal"),
    ("meinestadt.de", "a city guide"),
    ("icq.com", "a messenger's site"),
    ("digg.com", "a news aggregator"),
    ("friendfeed.com", "a feed aggregator"),
    ("mister-wong.com", "a bookmarking site"),
    ("mister-wong.de", "a bookmarking site"),
    // Social networks.
    ("login.live.com", "Microsoft's sign-in page, not the Windows Live Spaces network"),
];

/// Matomo's names that darklog spells otherwise (its sources before the lists came).
const RENAME: &[(&str, &str)] = &[("VKontakte", "vk"), ("360search", "360"), ("Le Chat", "mistral")];

#[derive(Default)]
struct Rows {
    rows: Vec<(String, &'static str, &'static str, String)>,
    index: HashMap<String, usize>,
    repeated: usize,
    /// Search-engine hosts Matomo also lists as a social network or an AI assistant.
    search_too: usize,
    conflicts: Vec<String>,
}

impl Rows {
    fn add(&mut self, host: String, matching: &'static str, channel: &'static str, source: String) {
        if let Some(&i) = self.index.get(&host) {
            let (_, m, c, s) = &self.rows[i];
            if (*m, *c, s.as_str()) == (matching, channel, source.as_str()) {
                self.repeated += 1;
            } else if channel == "search" && *c != "search" {
                // facebook.com (its search box), chatgpt.com, perplexity.ai: the network or
                // the assistant is what sends the visit.
                self.search_too += 1;
            } else {
                self.conflicts.push(format!("{host}: {c}/{s} and {channel}/{source}"));
            }
            return;
        }
        self.index.insert(host.clone(), self.rows.len());
        self.rows.push((host, matching, channel, source));
    }
}

fn load(path: &Path) -> Result<Yaml, Error> {
    let docs =
        YamlLoader::load_from_str(&read(path)?).map_err(|e| Error(format!("{}: {e}", path.display())))?;
    docs.into_iter().next().ok_or_else(|| Error(format!("{}: empty", path.display())))
}

fn text(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

/// darklog's spelling of a Matomo name: lowercase words joined by `-`.
fn source(name: &str) -> String {
    let name = name.replace("%2B", "+");
    if let Some((_, ours)) = RENAME.iter().find(|(theirs, _)| *theirs == name) {
        return ours.to_string();
    }
    let mut s = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '.' || c == '+' {
            s.push(c);
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

/// What is left out of a Matomo URL, or the host as a row (`{}` written `*`).
enum Host {
    Row(String),
    Path,
    InnerWildcard,
}

fn host(url: &str) -> Host {
    if url.contains('/') {
        return Host::Path;
    }
    let url = url.trim().to_ascii_lowercase();
    let url = url.strip_prefix("www.").unwrap_or(&url);
    let mut labels: Vec<&str> = url.split('.').collect();
    let last = labels.len() - 1;
    for (i, l) in labels.iter_mut().enumerate() {
        if *l == "{}" {
            if i != 0 && i != last {
                return Host::InnerWildcard;
            }
            *l = "*";
        }
    }
    Host::Row(labels.join("."))
}

pub fn generate(dir: &Path) -> Result<String, Error> {
    let mut rows = Rows::default();
    let (mut engines, mut networks, mut assistants) = (0, 0, 0);
    let (mut paths, mut inner, mut left_out) = (0, 0, 0);
    let mut used = vec![false; LEFT_OUT.len()];
    let mut take = |rows: &mut Rows, url: &str, matching, channel, name: &str| match host(url) {
        Host::Path => paths += 1,
        Host::InnerWildcard => inner += 1,
        Host::Row(h) => match LEFT_OUT.iter().position(|(l, _)| *l == h) {
            Some(i) => {
                left_out += 1;
                used[i] = true;
            }
            None => rows.add(h, matching, channel, source(name)),
        },
    };

    for (file, channel, count) in
        [("Socials.yml", "social", &mut networks), ("AIAssistants.yml", "ai", &mut assistants)]
    {
        let list = load(&dir.join(file))?;
        for (name, urls) in list.as_hash().into_iter().flatten() {
            let name = text(name).unwrap_or_default();
            *count += 1;
            for url in urls.as_vec().into_iter().flatten().filter_map(text) {
                take(&mut rows, &url, "domain", channel, &name);
            }
        }
    }
    let search = load(&dir.join("SearchEngines.yml"))?;
    for (name, defs) in search.as_hash().into_iter().flatten() {
        let name = text(name).unwrap_or_default();
        engines += 1;
        for def in defs.as_vec().into_iter().flatten() {
            for url in def["urls"].as_vec().into_iter().flatten().filter_map(text) {
                take(&mut rows, &url, "host", "search", &name);
            }
        }
    }
    let unused: Vec<&str> = LEFT_OUT.iter().zip(&used).filter(|(_, u)| !**u).map(|((h, _), _)| *h).collect();
    if !unused.is_empty() {
        return Err(Error(format!("LEFT_OUT names hosts Matomo no longer lists: {}", unused.join(", "))));
    }
    if !rows.conflicts.is_empty() {
        return Err(Error(format!(
            "Matomo's lists give one host two verdicts (decide in LEFT_OUT or a darklog row):\n{}",
            rows.conflicts.join("\n")
        )));
    }

    let mut text = header(
        "matomo.tsv",
        "AI assistants, social networks and search engines, from Matomo's lists",
        &MATOMO,
        "SearchEngines.yml, Socials.yml, AIAssistants.yml",
        &[
            ("search engines", engines),
            ("social networks", networks),
            ("AI assistants", assistants),
            ("rows", rows.rows.len()),
            ("hosts listed twice (one row)", rows.repeated),
            ("search engines also listed as social or AI (those win)", rows.search_too),
            ("left out: scoped to a path", paths),
            ("left out: a wildcard inside the host", inner),
            ("left out: not a search engine or a network by host alone (LEFT_OUT)", left_out),
        ],
    );
    text.push_str(
        "#\n\
         # Tried after darklog's own referrers.tsv and email_paid.tsv, which win.\n\
         # match: host    the host itself, or with www. or m. before it (search engines, as\n\
         #                in Matomo: mail.yandex.ru is not yandex.ru's search)\n\
         #        domain  the host and its subdomains (social networks, AI assistants)\n\
         # `*` as the last label: any public suffix (google.*: google.fr, google.co.uk);\n\
         # as the first: any one label ({}.search.yahoo.com: uk.search.yahoo.com).\n\
         #\n\
         # host\tmatch\tchannel\tsource\n",
    );
    for (host, matching, channel, source) in &rows.rows {
        text.push_str(&format!("{host}\t{matching}\t{channel}\t{source}\n"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_hosts() {
        assert_eq!(source("Yahoo!"), "yahoo");
        assert_eq!(source("Google Images"), "google-images");
        assert_eq!(source("Google%2B"), "google+");
        assert!(matches!(host("www.google.{}"), Host::Row(h) if h == "google.*"));
        assert!(matches!(host("{}.search.yahoo.com"), Host::Row(h) if h == "*.search.yahoo.com"));
        assert!(matches!(host("images.{}.ask.com"), Host::InnerWildcard));
        assert!(matches!(host("google.{}/imgres"), Host::Path));
    }
}
