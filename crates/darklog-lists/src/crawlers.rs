//! crawler-user-agents: regular expressions reduced to literal tokens where that is exact.

use std::collections::HashSet;
use std::path::Path;

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind, Look};

use super::{header, read, Error, CRAWLER_USER_AGENTS};

/// What a pattern becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reduced {
    /// The pattern matches exactly when one of these strings appears, at the place
    /// `matching` says (`contains`, `prefix`, `suffix`, `exact`).
    Tokens { tokens: Vec<String>, matching: &'static str },
    /// Kept as a regular expression: no finite set of strings says the same. Every match
    /// contains `required`, so the regular expression need only run where it is.
    Regex { required: String },
}

/// Literal sets larger than this stay regular expressions.
const MAX_TOKENS: usize = 16;

/// Reduces one pattern (case-sensitive, as upstream's own tests match them).
pub fn reduce(pattern: &str) -> Result<Reduced, Error> {
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .map_err(|e| Error(format!("crawler-user-agents pattern {pattern:?}: {e}")))?;
    let regex = || required(pattern, &hir).map(|required| Reduced::Regex { required });
    let (start, end, rest) = peel_anchors(hir.clone());
    if has_look(&rest) {
        return regex();
    }
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(&rest);
    let Some(literals) = seq.literals() else { return regex() };
    if !seq.is_exact() || literals.is_empty() || literals.len() > MAX_TOKENS {
        return regex();
    }
    let mut tokens = Vec::new();
    for l in literals {
        match std::str::from_utf8(l.as_bytes()) {
            Ok(t) if !t.is_empty() && !t.contains(['\t', '\n']) => tokens.push(t.to_string()),
            _ => return regex(),
        }
    }
    let matching = match (start, end) {
        (false, false) => "contains",
        (true, false) => "prefix",
        (false, true) => "suffix",
        (true, true) => "exact",
    };
    Ok(Reduced::Tokens { tokens, matching })
}

/// A string every match of `hir` contains: the common prefix of the strings a match can
/// start with, or the shortest of them if it is inside all the others
/// (`(^| )sentry\/`: `sentry/`).
fn required(pattern: &str, hir: &Hir) -> Result<String, Error> {
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let seq = extractor.extract(hir);
    let none = || Error(format!("crawler-user-agents pattern {pattern:?}: no string every match contains"));
    let literals: Vec<&[u8]> = seq.literals().ok_or_else(none)?.iter().map(|l| l.as_bytes()).collect();
    let first = literals.first().ok_or_else(none)?;
    let common = (0..first.len()).take_while(|&i| literals.iter().all(|l| l.get(i) == first.get(i))).count();
    let found = if common > 0 {
        &first[..common]
    } else {
        let shortest = literals.iter().min_by_key(|l| l.len()).ok_or_else(none)?;
        if shortest.is_empty() || !literals.iter().all(|l| l.windows(shortest.len()).any(|w| w == *shortest))
        {
            return Err(none());
        }
        shortest
    };
    match std::str::from_utf8(found) {
        Ok(t) if !t.contains(['\t', '\n']) => Ok(t.to_string()),
        _ => Err(none()),
    }
}

/// A leading `^` and a trailing `$` taken off the top level of the pattern.
fn peel_anchors(hir: Hir) -> (bool, bool, Hir) {
    let HirKind::Concat(parts) = hir.kind() else {
        return (false, false, hir);
    };
    let mut parts = parts.clone();
    let start = matches!(parts.first().map(Hir::kind), Some(HirKind::Look(Look::Start)));
    if start {
        parts.remove(0);
    }
    let end = matches!(parts.last().map(Hir::kind), Some(HirKind::Look(Look::End)));
    if end {
        parts.pop();
    }
    (start, end, Hir::concat(parts))
}

fn has_look(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(_) => true,
        HirKind::Repetition(r) => has_look(&r.sub),
        HirKind::Capture(c) => has_look(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(has_look),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => false,
    }
}

fn entries(dir: &Path) -> Result<Vec<serde_json::Value>, Error> {
    let path = dir.join("crawler-user-agents.json");
    let json: serde_json::Value =
        serde_json::from_str(&read(&path)?).map_err(|e| Error(format!("{}: {e}", path.display())))?;
    match json {
        serde_json::Value::Array(v) => Ok(v),
        _ => Err(Error(format!("{}: not an array of patterns", path.display()))),
    }
}

fn pattern(entry: &serde_json::Value) -> Result<&str, Error> {
    entry["pattern"].as_str().ok_or_else(|| Error(format!("an entry without a pattern: {entry}")))
}

pub fn instances(dir: &Path) -> Result<Vec<(String, Vec<String>)>, Error> {
    entries(dir)?
        .iter()
        .map(|e| {
            let examples =
                e["instances"].as_array().into_iter().flatten().filter_map(|i| i.as_str().map(String::from));
            Ok((pattern(e)?.to_string(), examples.collect()))
        })
        .collect()
}

pub fn generate(dir: &Path) -> Result<String, Error> {
    let entries = entries(dir)?;
    let mut rows = String::new();
    let mut seen = HashSet::new();
    let (mut literal, mut regex, mut repeated) = (0, 0, 0);
    for e in &entries {
        let pattern = pattern(e)?;
        if pattern.contains(['\t', '\n']) {
            return Err(Error(format!("pattern {pattern:?} has a tab or a newline")));
        }
        let lines: Vec<(String, &str)> = match reduce(pattern)? {
            Reduced::Tokens { tokens, matching } => {
                literal += 1;
                tokens.into_iter().map(|t| (t, matching)).collect()
            }
            Reduced::Regex { required } => {
                regex += 1;
                vec![(required, "regex")]
            }
        };
        for (token, matching) in lines {
            // Two patterns can come down to one token (`[wW]get` and `Wget`): one row.
            if !seen.insert((token.clone(), matching)) {
                repeated += 1;
                continue;
            }
            rows.push_str(&format!("{token}\t{matching}\t{pattern}\n"));
        }
    }
    let mut text = header(
        "crawlers.tsv",
        "bot user agents, from the crawler-user-agents list",
        &CRAWLER_USER_AGENTS,
        "crawler-user-agents.json",
        &[
            ("patterns", entries.len()),
            ("patterns as literal tokens", literal),
            ("patterns kept as regular expressions", regex),
            ("tokens two patterns share (one row)", repeated),
        ],
    );
    text.push_str(
        "#\n\
         # Tried after darklog's own user_agents.tsv, which wins; matched case-sensitively, as\n\
         # upstream writes them. A pattern that stands for a fixed set of strings is written as\n\
         # those strings (`[wW]get`: wget, Wget); `^` makes a prefix, `$` a suffix. The others\n\
         # stay regular expressions (match `regex`: the pattern, tried where the token is, a\n\
         # string every match contains). The last column is the upstream pattern.\n\
         #\n\
         # token\tmatch\tpattern\n",
    );
    text.push_str(&rows);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(p: &str) -> (Vec<String>, &'static str) {
        match reduce(p).unwrap() {
            Reduced::Tokens { tokens, matching } => (tokens, matching),
            Reduced::Regex { .. } => panic!("{p} stayed a regex"),
        }
    }

    #[test]
    fn patterns_that_are_literals_become_tokens() {
        assert_eq!(tokens(r"Googlebot\/"), (vec!["Googlebot/".to_string()], "contains"));
        assert_eq!(tokens(r"[wW]get").0.len(), 2);
        assert_eq!(tokens(r"^curl"), (vec!["curl".to_string()], "prefix"));
        assert_eq!(tokens(r"SSL Labs$"), (vec!["SSL Labs".to_string()], "suffix"));
        assert_eq!(tokens(r"^LCC "), (vec!["LCC ".to_string()], "prefix"));
        assert_eq!(tokens(r"Ahrefs(Bot|SiteAudit)").0, ["AhrefsBot", "AhrefsSiteAudit"]);
        assert_eq!(tokens(r"Automaton|Newsify Feed Fetcher").0.len(), 2);
    }

    #[test]
    fn patterns_that_are_not_stay_regexes() {
        for (p, required) in [
            (r"AdsBot-Google([^-]|$)", "AdsBot-Google"),
            (r"(^| )sentry\/", "sentry/"),
            (r"BlogTraffic\/\d\.\d+ Feed-Fetcher", "BlogTraffic/"),
            (r"Spider[\s\S]*spider\.com", "Spider"),
        ] {
            assert_eq!(reduce(p).unwrap(), Reduced::Regex { required: required.into() }, "{p}");
        }
    }
}
