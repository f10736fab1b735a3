//! The rule tables: tab-separated data files embedded in the binary, so users can read
//! them (`src/classify/data/`) and the next rule set can extend them without code.

use std::fmt;

use super::Channel;

/// Where a table came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub struct TableSource {
    pub name: &'static str,
    pub text: &'static str,
}

pub const USER_AGENTS: TableSource =
    TableSource { name: "user_agents.tsv", text: include_str!("data/user_agents.tsv") };
pub const CRAWLERS: TableSource =
    TableSource { name: "crawlers.tsv", text: include_str!("data/crawlers.tsv") };
pub const MARKS: TableSource = TableSource { name: "marks.tsv", text: include_str!("data/marks.tsv") };
pub const REFERRERS: TableSource =
    TableSource { name: "referrers.tsv", text: include_str!("data/referrers.tsv") };
pub const EMAIL_PAID: TableSource =
    TableSource { name: "email_paid.tsv", text: include_str!("data/email_paid.tsv") };
pub const MATOMO: TableSource = TableSource { name: "matomo.tsv", text: include_str!("data/matomo.tsv") };
pub const FEDIVERSE: TableSource =
    TableSource { name: "fediverse.tsv", text: include_str!("data/fediverse.tsv") };
pub const PARAMETERS: TableSource =
    TableSource { name: "parameters.tsv", text: include_str!("data/parameters.tsv") };
pub const ASSETS: TableSource = TableSource { name: "assets.tsv", text: include_str!("data/assets.tsv") };
pub const FRONTS: TableSource = TableSource { name: "fronts.tsv", text: include_str!("data/fronts.tsv") };

/// Every table, in the order `darklog rules` prints them.
pub const ALL_TABLES: [TableSource; 10] =
    [PARAMETERS, REFERRERS, EMAIL_PAID, MATOMO, FEDIVERSE, USER_AGENTS, CRAWLERS, MARKS, FRONTS, ASSETS];

/// A bad row in a rule table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub table: &'static str,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.table, self.line, self.message)
    }
}

/// The data rows of a table: (line number, fields). Comments and blank lines are skipped;
/// fields are split on tabs and not trimmed, because some tokens need their spaces.
pub fn rows(
    src: TableSource,
    columns: usize,
) -> impl Iterator<Item = Result<(usize, Vec<&'static str>), TableError>> {
    src.text.lines().enumerate().filter_map(move |(i, line)| {
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != columns || fields.iter().any(|f| f.is_empty()) {
            return Some(Err(TableError {
                table: src.name,
                line: i + 1,
                message: format!("expected {columns} non-empty tab-separated fields, found {}", fields.len()),
            }));
        }
        Some(Ok((i + 1, fields)))
    })
}

pub fn channel(src: TableSource, line: usize, name: &str) -> Result<Channel, TableError> {
    Channel::from_name(name).ok_or_else(|| TableError {
        table: src.name,
        line,
        message: format!("unknown channel '{name}' (expected one of: {})", Channel::names().join(", ")),
    })
}
