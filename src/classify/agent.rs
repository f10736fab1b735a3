//! User-agent verdicts: reader, in-app reader, link preview or bot.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::tables::{self, TableError, USER_AGENTS};
use super::Channel;
use crate::identity::KeyHasher;

/// An app's, a bot's or a fetcher's name, as a number into [`AgentRules::name`]: agent
/// verdicts are copied into every visitor's state, and a number is as small as a
/// verdict gets. The same rules give the same numbers in every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Name(u16);

/// What a user agent says about who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Agent {
    /// An ordinary browser, or nothing we recognise: a reader.
    Browser,
    /// A browser inside an app: a reader, and the app is where the link was.
    InApp { app: Name, channel: Channel },
    /// A link-preview fetch: somebody shared the URL in this app.
    Preview { app: Name },
    /// An automated client.
    Bot { name: Name },
}

impl Agent {
    pub fn is_excluded(self) -> bool {
        matches!(self, Agent::Preview { .. } | Agent::Bot { .. })
    }
}

impl crate::session::Standing for Agent {
    fn excluded(self) -> bool {
        self.is_excluded()
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
    token: Cow<'static, str>,
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
    /// The name of a bot that only the public list names.
    listed_name: Name,
    names: Names,
    rules: Vec<Rule>,
    contains: AhoCorasick,
    /// Pattern id in `contains` → rule index.
    contains_rule: Vec<usize>,
}

impl AgentRules {
    pub fn builtin() -> Result<AgentRules, TableError> {
        let mut names = Names::default();
        let listed_name = names.intern(Cow::Borrowed("listed"));
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
            let name = names.intern(Cow::Borrowed(f[3]));
            let agent = match f[2] {
                "preview" => Agent::Preview { app: name },
                "bot" => Agent::Bot { name },
                "app" => Agent::InApp { app: name, channel: tables::channel(USER_AGENTS, line, f[4])? },
                other => return Err(bad(format!("unknown class '{other}' (preview, app, bot)"))),
            };
            if !matches!(agent, Agent::InApp { .. }) && f[4] != "-" {
                return Err(bad("only `app` rows name a channel; use `-`".into()));
            }
            rules.push(Rule { token: Cow::Borrowed(f[0]), matching, agent, line });
        }
        Self::compile(rules, names, listed_name, isbot::Bots::default())
    }

    fn compile(
        rules: Vec<Rule>,
        names: Names,
        listed_name: Name,
        listed: isbot::Bots,
    ) -> Result<AgentRules, TableError> {
        let contains_rule: Vec<usize> =
            (0..rules.len()).filter(|&i| rules[i].matching == Match::Contains).collect();
        let contains = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(contains_rule.iter().map(|&i| rules[i].token.as_ref()))
            .map_err(|e| TableError { table: USER_AGENTS.name, line: 0, message: e.to_string() })?;
        Ok(AgentRules { listed, listed_name, names, rules, contains, contains_rule })
    }

    /// These rows first (a rules file's), then the table's.
    pub fn with_first(self, rows: &[super::overrides::UaRow]) -> Result<AgentRules, TableError> {
        use super::overrides::{UaClass, UaMatch};
        let mut names = self.names;
        let mut rules: Vec<Rule> = rows
            .iter()
            .map(|r| {
                let source = names.intern(Cow::Owned(r.source.clone()));
                Rule {
                    token: Cow::Owned(r.token.clone()),
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
        Self::compile(rules, names, self.listed_name, self.listed)
    }

    /// The text of a name these rules gave.
    pub fn name(&self, name: Name) -> &str {
        self.names.get(name)
    }

    /// The name these rules give `text`, if any row names it.
    pub fn find_name(&self, text: &str) -> Option<Name> {
        self.names.index.get(text).copied()
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
            None if self.listed.is_bot(&String::from_utf8_lossy(ua)) => Agent::Bot { name: self.listed_name },
            None => Agent::Browser,
        }
    }

    /// (line, token) of every rule, for duplicate checks and `darklog rules`.
    pub fn tokens(&self) -> impl Iterator<Item = (usize, &str, Agent)> + '_ {
        self.rules.iter().map(|r| (r.line, r.token.as_ref(), r.agent))
    }
}

/// Names given out as [`Name`]s, each once.
#[derive(Default)]
struct Names {
    names: Vec<Cow<'static, str>>,
    index: FxHashMap<Cow<'static, str>, Name>,
}

impl Names {
    fn intern(&mut self, name: Cow<'static, str>) -> Name {
        if let Some(&n) = self.index.get(&name) {
            return n;
        }
        // Names come from tables and a rules file: tens, never 65,536.
        let n = Name(u16::try_from(self.names.len()).expect("fewer than 65,536 agent names"));
        self.names.push(name.clone());
        self.index.insert(name, n);
        n
    }

    fn get(&self, name: Name) -> &str {
        self.names.get(usize::from(name.0)).map_or("?", |n| n.as_ref())
    }
}

/// Verdicts per distinct user agent. Sites see thousands of distinct agents and millions
/// of hits, so each agent is matched once; the cache is cleared if it grows past `CAP`
/// (a flood of random agents must not grow memory without bound).
pub struct AgentCache {
    map: FxHashMap<u64, Agent>,
    keys: KeyHasher,
}

impl AgentCache {
    const CAP: usize = 200_000;

    pub fn new() -> AgentCache {
        AgentCache::with_keys(KeyHasher::default())
    }

    /// A cache whose keys are `keys.agent(ua)`, as [`AgentCache::get_keyed`] expects.
    pub fn with_keys(keys: KeyHasher) -> AgentCache {
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
