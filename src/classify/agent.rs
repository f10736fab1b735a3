//! User-agent verdicts: reader, in-app reader, link preview or bot.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashMap;

use super::tables::{self, TableError, USER_AGENTS};
use super::Channel;

/// What a user agent says about who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    /// An ordinary browser, or nothing we recognise: a reader.
    Browser,
    /// A browser inside an app: a reader, and the app is where the link was.
    InApp { app: &'static str, channel: Channel },
    /// A link-preview fetch: somebody shared the URL in this app.
    Preview { app: &'static str },
    /// An automated client.
    Bot { name: &'static str },
}

impl Agent {
    pub fn is_excluded(self) -> bool {
        matches!(self, Agent::Preview { .. } | Agent::Bot { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Contains,
    Prefix,
    Exact,
}

#[derive(Debug, Clone)]
struct Rule {
    token: &'static str,
    matching: Match,
    agent: Agent,
    line: usize,
}

/// The user-agent table compiled for matching. Rules keep table order: the first that
/// matches wins.
pub struct AgentRules {
    /// The maintained public list of crawler patterns (the `isbot` crate's, MIT), asked
    /// only when no row of our table names the agent: our rows tell previews and in-app
    /// browsers apart, which a bot list cannot.
    listed: isbot::Bots,
    rules: Vec<Rule>,
    contains: AhoCorasick,
    /// Pattern id in `contains` → rule index.
    contains_rule: Vec<usize>,
}

impl AgentRules {
    pub fn builtin() -> Result<AgentRules, TableError> {
        let mut rules = Vec::new();
        for row in tables::rows(USER_AGENTS, 5) {
            let (line, f) = row?;
            let bad = |message: String| TableError { table: USER_AGENTS.name, line, message };
            let matching = match f[1] {
                "contains" => Match::Contains,
                "prefix" => Match::Prefix,
                "exact" => Match::Exact,
                other => return Err(bad(format!("unknown match '{other}' (contains, prefix, exact)"))),
            };
            let agent = match f[2] {
                "preview" => Agent::Preview { app: f[3] },
                "bot" => Agent::Bot { name: f[3] },
                "app" => Agent::InApp { app: f[3], channel: tables::channel(USER_AGENTS, line, f[4])? },
                other => return Err(bad(format!("unknown class '{other}' (preview, app, bot)"))),
            };
            if !matches!(agent, Agent::InApp { .. }) && f[4] != "-" {
                return Err(bad("only `app` rows name a channel; use `-`".into()));
            }
            rules.push(Rule { token: f[0], matching, agent, line });
        }
        Self::compile(rules, isbot::Bots::default())
    }

    fn compile(rules: Vec<Rule>, listed: isbot::Bots) -> Result<AgentRules, TableError> {
        let contains_rule: Vec<usize> =
            (0..rules.len()).filter(|&i| rules[i].matching == Match::Contains).collect();
        let contains = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(contains_rule.iter().map(|&i| rules[i].token))
            .map_err(|e| TableError { table: USER_AGENTS.name, line: 0, message: e.to_string() })?;
        Ok(AgentRules { listed, rules, contains, contains_rule })
    }

    /// These rows first (a rules file's), then the table's.
    pub fn with_first(self, rows: &[super::overrides::UaRow]) -> Result<AgentRules, TableError> {
        use super::overrides::{UaClass, UaMatch};
        let mut rules: Vec<Rule> = rows
            .iter()
            .map(|r| {
                // Rules live for the whole run: a rules file's strings are leaked once.
                let source: &'static str = Box::leak(r.source.clone().into_boxed_str());
                Rule {
                    token: Box::leak(r.token.clone().into_boxed_str()),
                    matching: match r.matching {
                        UaMatch::Contains => Match::Contains,
                        UaMatch::Prefix => Match::Prefix,
                        UaMatch::Exact => Match::Exact,
                    },
                    agent: match r.class {
                        UaClass::Preview => Agent::Preview { app: source },
                        UaClass::Bot => Agent::Bot { name: source },
                        UaClass::App(channel) => Agent::InApp { app: source, channel },
                    },
                    line: r.line,
                }
            })
            .collect();
        rules.extend(self.rules);
        Self::compile(rules, self.listed)
    }

    /// The verdict for one user agent (`None`: the field was absent).
    pub fn classify(&self, ua: Option<&[u8]>) -> Agent {
        let Some(ua) = ua else { return Agent::Browser };
        let mut best = usize::MAX;
        for m in self.contains.find_overlapping_iter(ua) {
            best = best.min(self.contains_rule[m.pattern().as_usize()]);
        }
        for (i, rule) in self.rules.iter().enumerate().take(best) {
            let token = rule.token.as_bytes();
            let hit = match rule.matching {
                Match::Contains => false,
                Match::Prefix => ua.len() >= token.len() && ua[..token.len()].eq_ignore_ascii_case(token),
                Match::Exact => ua.eq_ignore_ascii_case(token),
            };
            if hit {
                best = i;
                break;
            }
        }
        match self.rules.get(best) {
            Some(r) => r.agent,
            None if self.listed.is_bot(&String::from_utf8_lossy(ua)) => Agent::Bot { name: "listed" },
            None => Agent::Browser,
        }
    }

    /// (line, token) of every rule, for duplicate checks and `darklog rules`.
    pub fn tokens(&self) -> impl Iterator<Item = (usize, &'static str, Agent)> + '_ {
        self.rules.iter().map(|r| (r.line, r.token, r.agent))
    }
}

/// Verdicts per distinct user agent. Sites see thousands of distinct agents and millions
/// of hits, so each agent is matched once; the cache is cleared if it grows past `CAP`
/// (a flood of random agents must not grow memory without bound).
pub struct AgentCache {
    map: FxHashMap<u64, Agent>,
    keys: crate::session::KeyHasher,
}

impl AgentCache {
    const CAP: usize = 200_000;

    pub fn new() -> AgentCache {
        AgentCache::with_keys(crate::session::KeyHasher::default())
    }

    /// A cache whose keys are `keys.agent(ua)`, as [`AgentCache::get_keyed`] expects.
    pub fn with_keys(keys: crate::session::KeyHasher) -> AgentCache {
        AgentCache { map: FxHashMap::default(), keys }
    }

    pub fn get(&mut self, rules: &AgentRules, ua: Option<&[u8]>) -> Agent {
        let Some(ua) = ua else { return Agent::Browser };
        self.get_keyed(rules, self.keys.agent(ua), || Some(ua))
    }

    /// The verdict for the user agent whose key (from this cache's hasher) is `key`;
    /// `ua` is asked for only when the verdict is not cached. A stage that already
    /// hashed the user agent saves hashing it again, and the line is not read at all
    /// when the verdict is known.
    pub fn get_keyed<'a>(
        &mut self,
        rules: &AgentRules,
        key: u64,
        ua: impl FnOnce() -> Option<&'a [u8]>,
    ) -> Agent {
        if let Some(&a) = self.map.get(&key) {
            return a;
        }
        if self.map.len() >= Self::CAP {
            self.map.clear();
        }
        let a = match ua() {
            Some(ua) => rules.classify(Some(ua)),
            None => Agent::Browser,
        };
        self.map.insert(key, a);
        a
    }
}

impl Default for AgentCache {
    fn default() -> Self {
        Self::new()
    }
}
