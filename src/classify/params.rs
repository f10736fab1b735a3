//! Campaign and click parameters on the landing URL.

use std::borrow::Cow;

use super::tables::{self, TableError, PARAMETERS};
use super::{Channel, Reason};

#[derive(Debug, Clone)]
pub struct ParamRule {
    /// From a `--rules` file rather than `parameters.tsv`.
    pub from_file: bool,
    pub line: usize,
    pub param: Cow<'static, str>,
    /// `None`: any value.
    pub value: Option<Cow<'static, str>>,
    pub channel: Channel,
    /// `None` (`=` in the table): take the source from the query.
    pub source: Option<Cow<'static, str>>,
    /// The rule id a visit this row decides carries.
    pub reason: Reason,
}

pub struct ParamRules {
    rows: Vec<ParamRule>,
    /// The parameters the rows name, each once: a query's keys are looked up among these
    /// (a few), not among the rows (many, most of them on `utm_source`), for every visit.
    names: Vec<Box<[u8]>>,
}

/// One decoded `key=value` pair, lowercased.
struct Pair {
    key: String,
    value: String,
}

impl ParamRules {
    pub fn builtin() -> Result<ParamRules, TableError> {
        let mut rows = Vec::new();
        for row in tables::rows(PARAMETERS, 5) {
            let (line, f) = row?;
            let reason = match Reason::from_id(f[4]) {
                Some(r @ (Reason::ClickId | Reason::ShareButton | Reason::UtmSource | Reason::UtmMedium)) => {
                    r
                }
                _ => {
                    return Err(TableError {
                        table: PARAMETERS.name,
                        line,
                        message: format!(
                            "unknown reason '{}' (click-id, share-button, utm-source, utm-medium)",
                            f[4]
                        ),
                    })
                }
            };
            rows.push(ParamRule {
                from_file: false,
                line,
                param: Cow::Borrowed(f[0]),
                value: (f[1] != "*").then_some(Cow::Borrowed(f[1])),
                channel: tables::channel(PARAMETERS, line, f[2])?,
                source: (f[3] != "=").then_some(Cow::Borrowed(f[3])),
                reason,
            });
        }
        Ok(ParamRules::new(rows))
    }

    fn new(rows: Vec<ParamRule>) -> ParamRules {
        let mut names: Vec<Box<[u8]>> = Vec::new();
        for rule in &rows {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(rule.param.as_bytes())) {
                names.push(rule.param.as_bytes().into());
            }
        }
        ParamRules { rows, names }
    }

    /// The rows, in the order they are tried.
    pub fn rows(&self) -> &[ParamRule] {
        &self.rows
    }

    /// Rows tried before these (a rules file's).
    pub fn prepend(&mut self, first: impl IntoIterator<Item = ParamRule>) {
        let mut rows: Vec<ParamRule> = first.into_iter().collect();
        rows.append(&mut self.rows);
        *self = ParamRules::new(rows);
    }

    /// The first row that the query satisfies, with the source it names.
    pub fn decide(&self, query: &[u8]) -> Option<(&ParamRule, String)> {
        let pairs = parse_query(&self.names, query);
        if pairs.is_empty() {
            return None;
        }
        let get = |k: &str| pairs.iter().find(|p| p.key == k).map(|p| p.value.as_str());
        let fits = |rule: &ParamRule| {
            let v = get(&rule.param)?;
            rule.value.as_ref().is_none_or(|want| want == v).then_some(v)
        };
        let (rule, v) = self.rows.iter().find_map(|rule| fits(rule).map(|v| (rule, v)))?;
        let source = match &rule.source {
            Some(s) => s.to_string(),
            None => match get("utm_source") {
                Some(s) if !s.is_empty() => s.to_string(),
                _ => v.to_string(),
            },
        };
        // A social network's click id (fbclid, igshid) is on every link clicked there, ads
        // and posts alike: the advertiser's paid utm_medium on the same link says it was
        // an ad. That row decides, with the network as the source.
        if rule.reason == Reason::ClickId && rule.channel == Channel::Social {
            let paid = self
                .rows
                .iter()
                .find(|r| r.reason == Reason::UtmMedium && r.channel == Channel::Paid && fits(r).is_some());
            if let Some(paid) = paid {
                return Some((paid, source));
            }
        }
        Some((rule, source))
    }
}

/// The decoded pairs whose key some row names; an empty value (`utm_source=`) says
/// nothing, so it is left out. Other pairs (most of a query) are not decoded at all.
fn parse_query(names: &[Box<[u8]>], query: &[u8]) -> Vec<Pair> {
    crate::parse::query_pairs(query)
        .filter(|(k, _)| {
            k.iter().any(|&b| b == b'%' || b == b'+') || names.iter().any(|n| n.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| Pair { key: decode(k), value: decode(v) })
        .filter(|p| !p.value.is_empty())
        .collect()
}

/// Percent- and plus-decoding, lowercased; invalid escapes stay as written.
fn decode(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(s[i + 1]), hex(s[i + 2])) {
                    (Some(a), Some(b)) => {
                        out.push((a * 16 + b) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions() {
        let rules = ParamRules::builtin().unwrap();
        let decide = |q: &str| rules.decide(q.as_bytes()).map(|(r, s)| (r.channel, s));
        assert_eq!(decide("gclid=abc&utm_source=news"), Some((Channel::Paid, "google".into())));
        assert_eq!(
            decide("utm_source=WhatsApp&utm_medium=social"),
            Some((Channel::DarkSocial, "whatsapp".into()))
        );
        assert_eq!(decide("utm_source=weekly&utm_medium=email"), Some((Channel::Email, "weekly".into())));
        assert_eq!(decide("utm_medium=email"), Some((Channel::Email, "email".into())));
        assert_eq!(decide("utm_source=partner%20site"), Some((Channel::Referral, "partner site".into())));
        assert_eq!(decide("fbclid=IwAR0"), Some((Channel::Social, "facebook".into())));
        // A Meta ad: fbclid says Facebook, the advertiser's utm_medium says paid.
        assert_eq!(
            decide("utm_source=facebook&utm_medium=cpc&fbclid=IwAR3"),
            Some((Channel::Paid, "facebook".into()))
        );
        assert_eq!(decide("igshid=x&utm_medium=paid_social"), Some((Channel::Paid, "instagram".into())));
        assert_eq!(decide("fbclid=IwAR3&utm_medium=social"), Some((Channel::Social, "facebook".into())));
        assert_eq!(decide("share=jetpack-whatsapp&nb=1"), Some((Channel::DarkSocial, "whatsapp".into())));
        assert_eq!(decide("page=2&q=x"), None);
        assert_eq!(decide(""), None);
        assert_eq!(decide("utm_source=%zz"), Some((Channel::Referral, "%zz".into())));
        assert_eq!(decide("utm_source=&gclid="), None);
        assert_eq!(decide("x=1;utm_medium=email"), Some((Channel::Email, "email".into())));
    }

    #[test]
    fn prepended_rows_come_first_and_their_parameters_are_looked_for() {
        let mut rules = ParamRules::builtin().unwrap();
        let row = |param: &'static str, source: &'static str| ParamRule {
            from_file: true,
            line: 1,
            param: Cow::Borrowed(param),
            value: None,
            channel: Channel::Email,
            source: Some(Cow::Borrowed(source)),
            reason: Reason::RulesFileParameter,
        };
        assert!(rules.decide(b"nl=weekly").is_none());
        rules.prepend([row("nl", "newsletter"), row("utm_source", "ours")]);
        let decide = |q: &str| rules.decide(q.as_bytes()).map(|(r, s)| (r.channel, s));
        assert_eq!(decide("NL=weekly"), Some((Channel::Email, "newsletter".into())));
        assert_eq!(decide("utm_source=whatsapp"), Some((Channel::Email, "ours".into())));
        assert_eq!(rules.rows()[0].param, "nl");
    }
}
