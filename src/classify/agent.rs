//! User-agent verdicts: reader, in-app reader, link preview or bot.
//!
//! Three sources, in this order: darklog's own rows (`user_agents.tsv`, and a rules file's
//! before them), which tell link previews, in-app browsers and readers apart; the
//! maintained crawler list (`crawlers.tsv`, generated from crawler-user-agents); and marks
//! (`marks.tsv`): words only programs use, then the marks of a person's browser or
//! device; an agent with neither is a program, not a reader. All read the agent with an
//! Android browser's device model blanked ([`shape::without_model`]), and an agent shaped
//! like a fetcher's is never an app's browser ([`shape::is_fetcher`]).

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::bytes::Regex;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

mod cache;
mod literals;
mod shape;

pub use cache::AgentCache;

use super::tables::{self, TableError, TableSource, CRAWLERS, MARKS, USER_AGENTS};
use super::Channel;
use literals::Literals;

/// An app's, a bot's or a fetcher's name, as a number into [`AgentRules::name`]: agent
/// verdicts are copied into every visitor's state, and a number is as small as a
/// verdict gets. The same rules give the same numbers in every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Name(u16);

/// What a user agent says about who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Agent {
    /// An ordinary browser (or no user agent at all): a reader.
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
    Suffix,
    Exact,
}

impl Match {
    fn parse(src: TableSource, line: usize, text: &str) -> Result<Match, TableError> {
        Ok(match text {
            "contains" => Match::Contains,
            "prefix" => Match::Prefix,
            "suffix" => Match::Suffix,
            "exact" => Match::Exact,
            other => {
                return Err(TableError {
                    table: src.name,
                    line,
                    message: format!("unknown match '{other}' (contains, prefix, suffix, exact)"),
                })
            }
        })
    }

    /// Whether a token found at `start..end` of an agent of `len` bytes matches.
    fn fits(self, start: usize, end: usize, len: usize) -> bool {
        match self {
            Match::Contains => true,
            Match::Prefix => start == 0,
            Match::Suffix => end == len,
            Match::Exact => start == 0 && end == len,
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    token: Cow<'static, str>,
    matching: Match,
    agent: Agent,
    line: usize,
    /// A rules file's row, not `user_agents.tsv`'s.
    from_file: bool,
}

/// A row of the crawler list: its tokens are matched with their case.
#[derive(Debug)]
struct Listed {
    token: &'static str,
    matching: ListedMatch,
    name: Name,
}

#[derive(Debug)]
enum ListedMatch {
    Token(Match),
    /// Upstream's regular expression, tried where the token (a string every match
    /// contains) is; compiled when first needed (most runs never need one).
    Regex {
        pattern: &'static str,
        compiled: OnceLock<Option<Regex>>,
    },
}

impl Listed {
    /// Whether this row matches `ua`, its token found at `start..end` in some case.
    fn matches(&self, ua: &[u8], start: usize, end: usize) -> bool {
        if &ua[start..end] != self.token.as_bytes() || inside_a_number(ua, start) {
            return false;
        }
        match &self.matching {
            ListedMatch::Token(m) => m.fits(start, end, ua.len()),
            ListedMatch::Regex { pattern, compiled } => {
                compiled.get_or_init(|| Regex::new(pattern).ok()).as_ref().is_some_and(|r| r.is_match(ua))
            }
        }
    }
}

/// What a token of the one index stands for.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A row of ours (or of a rules file): index into `rules`.
    Own(usize),
    /// A row of the crawler list: index into `listed`.
    Listed(usize),
    /// A mark (`marks.tsv`): index into `marks`.
    Mark(usize),
}

/// A row of `marks.tsv`.
#[derive(Debug, Clone)]
pub struct Mark {
    pub line: usize,
    pub token: &'static str,
    /// `Some(name)`: a program's mark; `None`: a browser's.
    pub program: Option<Name>,
}

/// Which rule gave a verdict, for `darklog explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// No user agent was logged.
    Absent,
    /// A row of ours (`user_agents.tsv`) or of a rules file, at this line.
    Row { rules_file: bool, line: usize },
    /// A row of the crawler list (`crawlers.tsv`), matching this upstream pattern.
    Listed { pattern: Name },
    /// No row or list named it; a program's mark (`marks.tsv`, this line).
    ProgramMark { line: usize },
    /// No row or list named it; a browser's mark (`marks.tsv`, this line).
    BrowserMark { line: usize },
    /// No row, list or mark: not a browser.
    NoMark,
    /// The log records agents; the client sent none (`-`): no browser does that.
    NoneSent,
}

/// The user-agent rules compiled for matching.
pub struct AgentRules {
    names: Names,
    /// Our rows, a rules file's first: the first that matches wins.
    rules: Vec<Rule>,
    listed: Vec<Listed>,
    marks: Vec<Mark>,
    /// Every token of `rules`, `listed` and `marks`, in any case: one pass finds them all.
    tokens: Literals,
    targets: Vec<Target>,
    /// The name of an agent that no row names and no browser would send.
    unrecognised: Name,
    /// The name of no agent sent, where the log records them.
    none_sent: Name,
}

impl AgentRules {
    pub fn builtin() -> Result<AgentRules, TableError> {
        let mut names = Names::default();
        let unrecognised = names.intern(Cow::Borrowed("unrecognised"));
        let none_sent = names.intern(Cow::Borrowed("no-user-agent"));
        let mut rules = Vec::new();
        for row in tables::rows(USER_AGENTS, 5) {
            let (line, f) = row?;
            let bad = |message: String| TableError { table: USER_AGENTS.name, line, message };
            let matching = Match::parse(USER_AGENTS, line, f[1])?;
            let name = names.intern(Cow::Borrowed(f[3]));
            let agent = match f[2] {
                "preview" => Agent::Preview { app: name },
                "bot" => Agent::Bot { name },
                "app" => Agent::InApp { app: name, channel: tables::channel(USER_AGENTS, line, f[4])? },
                "browser" => Agent::Browser,
                other => return Err(bad(format!("unknown class '{other}' (preview, app, bot, browser)"))),
            };
            if !matches!(agent, Agent::InApp { .. }) && f[4] != "-" {
                return Err(bad("only `app` rows name a channel; use `-`".into()));
            }
            rules.push(Rule { token: Cow::Borrowed(f[0]), matching, agent, line, from_file: false });
        }
        let mut listed = Vec::new();
        for row in tables::rows(CRAWLERS, 3) {
            let (line, f) = row?;
            let name = names.intern(Cow::Borrowed(f[2]));
            let matching = match f[1] {
                "regex" => ListedMatch::Regex { pattern: f[2], compiled: OnceLock::new() },
                m => ListedMatch::Token(Match::parse(CRAWLERS, line, m)?),
            };
            listed.push(Listed { token: f[0], matching, name });
        }
        let mut marks = Vec::new();
        for row in tables::rows(MARKS, 3) {
            let (line, f) = row?;
            let program = match (f[1], f[2]) {
                ("program", name) => Some(names.intern(Cow::Borrowed(name))),
                ("browser", "-") => None,
                _ => {
                    return Err(TableError {
                        table: MARKS.name,
                        line,
                        message: "expected `program NAME` or `browser -`".into(),
                    })
                }
            };
            marks.push(Mark { line, token: f[0], program });
        }
        let parts = Parts { names, rules, listed, marks, unrecognised, none_sent };
        parts.compile()
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
                        UaClass::Browser => Agent::Browser,
                    },
                    line: r.line,
                    from_file: true,
                }
            })
            .collect();
        rules.extend(self.rules);
        let parts = Parts {
            names,
            rules,
            listed: self.listed,
            marks: self.marks,
            unrecognised: self.unrecognised,
            none_sent: self.none_sent,
        };
        parts.compile()
    }

    /// The text of a name these rules gave.
    pub fn name(&self, name: Name) -> &str {
        self.names.get(name)
    }

    /// The name these rules give `text`, if any row names it.
    pub fn find_name(&self, text: &str) -> Option<Name> {
        self.names.index.get(text).copied()
    }

    /// The verdict for one user agent (`None`: the field was absent, which says nothing;
    /// empty: the client sent none, where the log records them).
    pub fn classify(&self, ua: Option<&[u8]>) -> Agent {
        self.decide(ua).0
    }

    /// [`AgentRules::classify`], with the rule that decided.
    pub fn decide(&self, ua: Option<&[u8]>) -> (Agent, Decided) {
        let Some(raw) = ua else { return (Agent::Browser, Decided::Absent) };
        if raw.trim_ascii().is_empty() {
            return (Agent::Bot { name: self.none_sent }, Decided::NoneSent);
        }
        let ua = shape::without_model(raw);
        let ua = &*ua;
        let lower = ua.to_ascii_lowercase();
        // The first of our rows that matches, and the first that is not an app's browser
        // (for a fetcher's agent that mentions an app); the first row of the list; the
        // first program mark and the first browser mark.
        let (mut first, mut first_not_app, mut listed) = (usize::MAX, usize::MAX, usize::MAX);
        let (mut program, mut browser) = (usize::MAX, usize::MAX);
        self.tokens.find(&lower, |id, start, end| match self.targets[id] {
            Target::Own(i) if i < first_not_app && self.rules[i].matching.fits(start, end, ua.len()) => {
                first = first.min(i);
                if !matches!(self.rules[i].agent, Agent::InApp { .. }) {
                    first_not_app = i;
                }
            }
            Target::Listed(i) if i < listed && self.listed[i].matches(ua, start, end) => listed = i,
            Target::Mark(i) if self.marks[i].program.is_some() => program = program.min(i),
            Target::Mark(i) => browser = browser.min(i),
            _ => {}
        });
        let row = |rule: &Rule| (rule.agent, Decided::Row { rules_file: rule.from_file, line: rule.line });
        if let Some(rule) = self.rules.get(first) {
            if !matches!(rule.agent, Agent::InApp { .. }) || !shape::is_fetcher(raw) {
                return row(rule);
            }
            if let Some(rule) = self.rules.get(first_not_app) {
                return row(rule);
            }
        }
        if let Some(row) = self.listed.get(listed) {
            return (Agent::Bot { name: row.name }, Decided::Listed { pattern: row.name });
        }
        if let Some(Mark { line, program: Some(name), .. }) = self.marks.get(program) {
            return (Agent::Bot { name: *name }, Decided::ProgramMark { line: *line });
        }
        match self.marks.get(browser) {
            Some(m) => (Agent::Browser, Decided::BrowserMark { line: m.line }),
            None => (Agent::Bot { name: self.unrecognised }, Decided::NoMark),
        }
    }

    /// (line, token, verdict) of every row of ours, for duplicate checks and `darklog rules`.
    pub fn tokens(&self) -> impl Iterator<Item = (usize, &str, Agent)> + '_ {
        self.rules.iter().map(|r| (r.line, r.token.as_ref(), r.agent))
    }

    /// (token, match) of every row of the crawler list, for checks; a regular
    /// expression's match is its pattern.
    pub fn listed_tokens(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.listed.iter().map(|l| {
            let m = match &l.matching {
                ListedMatch::Token(Match::Contains) => "contains",
                ListedMatch::Token(Match::Prefix) => "prefix",
                ListedMatch::Token(Match::Suffix) => "suffix",
                ListedMatch::Token(Match::Exact) => "exact",
                ListedMatch::Regex { pattern, .. } => pattern,
            };
            (l.token, m)
        })
    }

    /// Whether every regular expression of the crawler list compiles (each is compiled
    /// when first needed).
    pub fn listed_regexes_compile(&self) -> Result<(), String> {
        for l in &self.listed {
            if let ListedMatch::Regex { pattern, .. } = &l.matching {
                Regex::new(pattern).map_err(|e| format!("{pattern}: {e}"))?;
            }
        }
        Ok(())
    }

    /// The rows of `marks.tsv`, for checks.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }
}

/// Whether a token found at `start` begins in the middle of a number: the list's `008/`
/// (a crawler of that name) is not the end of Opera Mini's `4.4.39008/`.
fn inside_a_number(ua: &[u8], start: usize) -> bool {
    ua[start].is_ascii_digit() && start > 0 && matches!(ua[start - 1], b'0'..=b'9' | b'.')
}

/// The rules before their tokens are compiled.
struct Parts {
    names: Names,
    rules: Vec<Rule>,
    listed: Vec<Listed>,
    marks: Vec<Mark>,
    unrecognised: Name,
    none_sent: Name,
}

impl Parts {
    fn compile(self) -> Result<AgentRules, TableError> {
        let mut patterns: Vec<&str> = Vec::new();
        let mut targets = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            patterns.push(&r.token);
            targets.push(Target::Own(i));
        }
        for (i, l) in self.listed.iter().enumerate() {
            patterns.push(l.token);
            targets.push(Target::Listed(i));
        }
        for (i, mark) in self.marks.iter().enumerate() {
            patterns.push(mark.token);
            targets.push(Target::Mark(i));
        }
        if patterns.iter().any(|p| p.is_empty()) {
            return Err(TableError { table: USER_AGENTS.name, line: 0, message: "an empty token".into() });
        }
        let tokens = Literals::new(patterns);
        Ok(AgentRules {
            names: self.names,
            rules: self.rules,
            listed: self.listed,
            marks: self.marks,
            tokens,
            targets,
            unrecognised: self.unrecognised,
            none_sent: self.none_sent,
        })
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
        // Names come from tables and a rules file: a few thousand, never 65,536.
        let n = Name(u16::try_from(self.names.len()).expect("fewer than 65,536 agent names"));
        self.names.push(name.clone());
        self.index.insert(name, n);
        n
    }

    fn get(&self, name: Name) -> &str {
        self.names.get(usize::from(name.0)).map_or("?", |n| n.as_ref())
    }
}
