//! `--rules FILE`: a user's additions to the built-in tables, in TOML. Their rows are
//! tried in file order before the built-in ones, so they also override them.
//!
//! ```toml
//! [settings]
//! session_timeout = "45m"
//! share_window = "24h"
//! fast_pages = 3                 # a visit of this many page views or more…
//! fast_seconds_per_page = 2      # …this fast, with no asset, is a scraper
//! require_browser_evidence = true  # false: a visit that loads no asset still counts
//!
//! [referrers]            # host = "channel/source"
//! "intranet.example.com" = "direct/intranet"
//! "news.example.net" = "social/example-news"
//!
//! [user_agents]          # token = "class/source" (app: "app/source/channel")
//! "AcmeMonitor" = "bot/acme"            # contains (any case)
//! "^AcmeChat/" = "preview/acmechat"     # ^: starts with; =: the whole agent
//! "AcmeApp/" = "app/acme/dark-social"
//! "AcmeKiosk/" = "browser/acme"         # a reader, whatever the lists say
//!
//! [parameters]           # "param" or "param=value" = "channel/source" (source "=": utm_source)
//! "ref=wa" = "dark-social/whatsapp"
//! "campaign_id" = "paid/="
//!
//! [fronts]
//! paths = ["/deals", "/live/"]
//!
//! [assets]
//! extensions = ["pdf"]
//! prefixes = ["/cdn/"]
//! ```

use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use super::Channel;

/// A bad rules file: where, which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesFileError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

impl fmt::Display for RulesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // Not about a line: the file itself (it cannot be read).
            write!(f, "{}: {}", self.file, self.message)
        } else if self.key.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}:{}: {}: {}", self.file, self.line, self.key, self.message)
        }
    }
}

impl std::error::Error for RulesFileError {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    referrers: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    user_agents: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    parameters: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    fronts: Fronts,
    #[serde(default)]
    assets: Assets,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    session_timeout: Option<Spanned<String>>,
    share_window: Option<Spanned<String>>,
    /// Behaviour thresholds: a visit of at least this many page views…
    fast_pages: Option<Spanned<i64>>,
    /// …at this many seconds a page or faster, with no asset, is a scraper.
    fast_seconds_per_page: Option<Spanned<i64>>,
    /// Whether a visit that loads no asset, where browsers here load them, needs that
    /// evidence to count as a reader.
    require_browser_evidence: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fronts {
    #[serde(default)]
    paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Assets {
    #[serde(default)]
    extensions: Vec<String>,
    #[serde(default)]
    prefixes: Vec<Spanned<String>>,
}

/// How a user-agent row matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UaMatch {
    Contains,
    Prefix,
    Exact,
}

/// The class of a user-agent row, as in `user_agents.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UaClass {
    Preview,
    Bot,
    App(Channel),
    /// A reader's browser that a list would take for a bot.
    Browser,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UaRow {
    pub token: String,
    pub matching: UaMatch,
    pub class: UaClass,
    pub source: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRow {
    pub param: String,
    pub value: Option<String>,
    pub channel: Channel,
    /// `None`: from utm_source.
    pub source: Option<String>,
    pub line: usize,
}

/// A parsed and checked rules file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Overrides {
    pub session_timeout: Option<i64>,
    pub share_window: Option<i64>,
    pub fast_pages: Option<u32>,
    pub fast_seconds_per_page: Option<i64>,
    pub require_browser_evidence: Option<bool>,
    pub referrers: Vec<(String, Channel, String)>,
    pub user_agents: Vec<UaRow>,
    pub parameters: Vec<ParamRow>,
    pub fronts: Vec<String>,
    pub asset_extensions: Vec<String>,
    pub asset_prefixes: Vec<String>,
    /// The file as read, once: what a state's settings digest (a rules file given as a
    /// pipe, `<(…)`, cannot be read a second time).
    pub text: String,
}

impl Overrides {
    pub fn load(path: &Path) -> Result<Overrides, RulesFileError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RulesFileError {
            file: name.clone(),
            line: 0,
            key: String::new(),
            message: e.to_string(),
        })?;
        Ok(Overrides { text: text.clone(), ..Overrides::parse(&name, &text)? })
    }

    pub fn parse(name: &str, text: &str) -> Result<Overrides, RulesFileError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let err = |offset: usize, key: String, message: String| RulesFileError {
            file: name.to_string(),
            line: line_of(offset),
            key,
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            err(offset, String::new(), e.message().trim().to_string())
        })?;
        let mut o = Overrides::default();

        let duration = |key: &str, v: &Spanned<String>| {
            crate::time::parse_setting_duration(v.get_ref()).map_err(|m| err(v.span().start, key.into(), m))
        };
        if let Some(v) = &file.settings.session_timeout {
            o.session_timeout = Some(duration("settings.session_timeout", v)?);
        }
        if let Some(v) = &file.settings.share_window {
            o.share_window = Some(duration("settings.share_window", v)?);
        }
        let bounded = |key: &str, v: &Spanned<i64>, lo: i64, hi: i64| {
            let n = *v.get_ref();
            (lo..=hi)
                .contains(&n)
                .then_some(n)
                .ok_or_else(|| err(v.span().start, key.into(), format!("{n} is not {lo} to {hi}")))
        };
        if let Some(v) = &file.settings.fast_pages {
            o.fast_pages = Some(bounded("settings.fast_pages", v, 2, 1000)? as u32);
        }
        if let Some(v) = &file.settings.fast_seconds_per_page {
            o.fast_seconds_per_page = Some(bounded("settings.fast_seconds_per_page", v, 0, 3600)?);
        }
        o.require_browser_evidence = file.settings.require_browser_evidence;

        let channel = |key: &str, v: &Spanned<String>, name: &str| {
            Channel::from_name(name).ok_or_else(|| {
                err(
                    v.span().start,
                    key.into(),
                    format!("unknown channel '{name}' (one of {})", Channel::names().join(", ")),
                )
            })
        };
        for (host, v) in &file.referrers {
            let key = format!("referrers.\"{host}\"");
            let Some((ch, source)) = v.get_ref().split_once('/') else {
                return Err(err(v.span().start, key, "expected \"channel/source\"".into()));
            };
            o.referrers.push((host.to_ascii_lowercase(), channel(&key, v, ch)?, source.to_string()));
        }
        for (token, v) in &file.user_agents {
            let key = format!("user_agents.\"{token}\"");
            let (matching, bare) = match token.as_bytes().first() {
                Some(b'^') => (UaMatch::Prefix, &token[1..]),
                Some(b'=') => (UaMatch::Exact, &token[1..]),
                _ => (UaMatch::Contains, &token[..]),
            };
            if bare.is_empty() {
                return Err(err(v.span().start, key, "an empty token matches everything".into()));
            }
            let parts: Vec<&str> = v.get_ref().split('/').collect();
            let class = match parts.as_slice() {
                ["preview", _] => UaClass::Preview,
                ["bot", _] => UaClass::Bot,
                ["browser", _] => UaClass::Browser,
                ["app", _, ch] => UaClass::App(channel(&key, v, ch)?),
                _ => {
                    return Err(err(
                        v.span().start,
                        key,
                        "expected \"preview/source\", \"bot/source\", \"browser/source\" or \"app/source/channel\""
                            .into(),
                    ))
                }
            };
            o.user_agents.push(UaRow {
                token: bare.to_string(),
                matching,
                class,
                source: parts[1].to_string(),
                line: line_of(v.span().start),
            });
        }
        for (param, v) in &file.parameters {
            let key = format!("parameters.\"{param}\"");
            let Some((ch, source)) = v.get_ref().split_once('/') else {
                return Err(err(
                    v.span().start,
                    key,
                    "expected \"channel/source\" (source = for utm_source)".into(),
                ));
            };
            let (name, value) = match param.split_once('=') {
                Some((n, val)) => (n, Some(val.to_ascii_lowercase())),
                None => (param.as_str(), None),
            };
            o.parameters.push(ParamRow {
                param: name.to_ascii_lowercase(),
                value,
                channel: channel(&key, v, ch)?,
                source: (source != "=").then(|| source.to_string()),
                line: line_of(v.span().start),
            });
        }
        o.fronts = file.fronts.paths;
        o.asset_extensions =
            file.assets.extensions.iter().map(|e| e.trim_start_matches('.').to_string()).collect();
        if let Some(p) = file.assets.prefixes.iter().find(|p| !p.get_ref().starts_with('/')) {
            return Err(err(
                p.span().start,
                "assets.prefixes".into(),
                format!("'{}' must start with '/'", p.get_ref()),
            ));
        }
        o.asset_prefixes = file.assets.prefixes.into_iter().map(|p| p.into_inner()).collect();
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let o = Overrides::parse(
            "r.toml",
            r#"
[settings]
session_timeout = "45m"
share_window = "24h"
fast_pages = 4
fast_seconds_per_page = 1

[referrers]
"news.example.net" = "social/example-news"

[user_agents]
"AcmeMonitor" = "bot/acme"
"^AcmeChat/" = "preview/acmechat"
"AcmeApp/" = "app/acme/dark-social"

[parameters]
"ref=wa" = "dark-social/whatsapp"
"campaign_id" = "paid/="

[fronts]
paths = ["/deals"]

[assets]
extensions = [".pdf"]
"#,
        )
        .unwrap();
        assert_eq!(o.session_timeout, Some(45 * 60));
        assert_eq!(o.share_window, Some(86_400));
        assert_eq!((o.fast_pages, o.fast_seconds_per_page), (Some(4), Some(1)));
        assert_eq!(o.referrers, vec![("news.example.net".into(), Channel::Social, "example-news".into())]);
        assert_eq!(o.user_agents.len(), 3);
        assert_eq!(o.user_agents[1].matching, UaMatch::Prefix);
        assert_eq!(o.user_agents[2].class, UaClass::App(Channel::DarkSocial));
        assert_eq!(o.parameters[0].value.as_deref(), Some("wa"));
        assert_eq!(o.parameters[1].source, None);
        assert_eq!(o.asset_extensions, vec!["pdf".to_string()]);
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        let cases = [
            (
                "[referrers]\n\"a.com\" = \"socal/x\"\n",
                "r.toml:2: referrers.\"a.com\": unknown channel 'socal'",
            ),
            (
                "[referrers]\n\"a.com\" = \"social\"\n",
                "r.toml:2: referrers.\"a.com\": expected \"channel/source\"",
            ),
            ("[user_agents]\n\n\"X\" = \"robot/x\"\n", "r.toml:3: user_agents.\"X\": expected"),
            (
                "[settings]\nshare_window = \"forever\"\n",
                "r.toml:2: settings.share_window: 'forever' is not a positive duration",
            ),
            ("[settings]\n\nfast_pages = 1\n", "r.toml:3: settings.fast_pages: 1 is not 2 to 1000"),
            (
                "[assets]\nextensions = []\nprefixes = [\n \"/ok/\",\n \"cdn/\"]\n",
                "r.toml:5: assets.prefixes: 'cdn/' must",
            ),
            ("[referers]\n\"a.com\" = \"social/x\"\n", "r.toml:1: unknown field `referers`"),
            ("[referrers\n", "r.toml:1: "),
        ];
        for (text, want) in cases {
            let e = Overrides::parse("r.toml", text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{e:?} should start with {want:?}");
        }
    }
}
