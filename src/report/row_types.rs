//! The rows every output format prints, as plain data (serialized as they are in JSON).

use serde::{Serialize, Serializer};

use crate::classify::Channel;

/// A percentage, not rounded: each format rounds it where it prints it (JSON and CSV to
/// two decimals, the table, Markdown and HTML to one). Rounded here to two, the one
/// decimal people read was a rounding of a rounding: 20 of 201 (9.9502%) printed as 9.9%.
pub fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// A percentage to two decimals, as JSON and CSV print it.
pub fn two(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn two_decimals<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(two(*v))
}

fn two_decimals_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&two(*v)),
        None => s.serialize_none(),
    }
}

/// A rate (a fraction) to four decimals, as JSON and CSV print it.
pub fn four(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn four_decimals_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&four(*v)),
        None => s.serialize_none(),
    }
}

/// The dark-social share as a range a marketer can defend: visits a signal names
/// (a share, a tag, an app, a messaging referrer); plus visits only the classic rule
/// infers (no referrer on a deep page) that show browser evidence; plus an estimate of the
/// readers whose assets were all cached, which the evidence rule set aside with the
/// scrapers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Headline {
    pub visits: u64,
    pub dark_social_visits: u64,
    #[serde(serialize_with = "two_decimals")]
    pub dark_social_pct: f64,
    pub identified_visits: u64,
    #[serde(serialize_with = "two_decimals")]
    pub identified_pct: f64,
    pub inferred_visits: u64,
    #[serde(serialize_with = "two_decimals")]
    pub inferred_pct: f64,
    /// Readers with cached assets estimated among the unconfirmed no-referrer deep
    /// landings (0 when there is no estimate).
    pub estimated_visits: u64,
    /// Visits with the readers whose assets were cached estimated back, in every channel
    /// (as many as r says of the visits with evidence, at most the unconfirmed visits):
    /// what the range's shares are shares of.
    pub visits_with_estimate: u64,
    /// The asset-less share of visits an external referrer confirms: how often a real
    /// reader's assets were all cached. `None` when the sample is too small.
    #[serde(serialize_with = "four_decimals_opt")]
    pub cached_rate: Option<f64>,
    pub cached_rate_sample: u64,
    /// The range: identified only, and everything with the estimate, as shares of
    /// `visits_with_estimate`.
    #[serde(serialize_with = "two_decimals")]
    pub range_low_pct: f64,
    #[serde(serialize_with = "two_decimals")]
    pub range_high_pct: f64,
    /// Whether visits needed browser evidence to count (where browsers here load assets).
    pub browser_evidence_required: bool,
}

/// Visits an external referrer decided that the cached-reader rate needs before anything
/// is estimated from it.
pub const MIN_CACHED_RATE_SAMPLE: u64 = 200;

/// What a row of the channel table is: a channel (these add up to the visits), an
/// excluded kind of traffic (not visits), or a part of the dark-social row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowKind {
    Channel,
    Excluded,
    Part,
}

impl RowKind {
    pub fn name(self) -> &'static str {
        match self {
            RowKind::Channel => "channel",
            RowKind::Excluded => "excluded",
            RowKind::Part => "part",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    /// The row's stable name (CSV and JSON).
    pub channel: String,
    /// The row's name for people (the table).
    #[serde(skip)]
    pub label: &'static str,
    /// A shorter name, for narrow tables.
    #[serde(skip)]
    pub short: &'static str,
    pub visits: u64,
    /// `None` for excluded rows: they are not part of the share.
    #[serde(serialize_with = "two_decimals_opt")]
    pub visits_pct: Option<f64>,
    pub pageviews: u64,
    pub kind: RowKind,
    /// With `--compare previous`: the same row in the period before.
    #[serde(flatten)]
    pub prev: Option<ChannelPrev>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChannelPrev {
    pub visits_prev: u64,
    #[serde(serialize_with = "two_decimals_opt")]
    pub visits_pct_prev: Option<f64>,
    /// `None` when there were none before (no percentage of nothing).
    #[serde(serialize_with = "two_decimals_opt")]
    pub visits_change_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageRow {
    pub landing: String,
    pub dark_social_visits: u64,
    pub visits: u64,
    #[serde(serialize_with = "two_decimals")]
    pub dark_social_pct: f64,
    pub pageviews: u64,
    /// Its dark-social visits as a share of all the site's visits.
    #[serde(serialize_with = "two_decimals")]
    pub share_of_visits_pct: f64,
    #[serde(flatten)]
    pub prev: Option<PagePrev>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PagePrev {
    pub dark_social_visits_prev: u64,
    pub visits_prev: u64,
    #[serde(serialize_with = "two_decimals_opt")]
    pub dark_social_visits_change_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    pub date: String,
    pub visits: u64,
    pub dark_social: u64,
    #[serde(serialize_with = "two_decimals")]
    pub dark_social_pct: f64,
    pub pageviews: u64,
    /// Visits per channel, in [`Channel::ALL`] order.
    #[serde(skip)]
    pub channels: [u64; Channel::ALL.len()],
    /// With `--compare previous`: the day as far into the period before (`None` past its
    /// end: a month can be longer than the one before).
    #[serde(skip)]
    pub prev: Option<Option<DayPrev>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayPrev {
    pub date: String,
    pub visits: u64,
    pub dark_social: u64,
    #[serde(serialize_with = "two_decimals")]
    pub dark_social_pct: f64,
    #[serde(serialize_with = "two_decimals_opt")]
    pub visits_change_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareRow {
    pub landing: String,
    pub app: String,
    pub shares: u64,
    pub fetches: u64,
    pub visits: u64,
    pub visits_per_share: f64,
    #[serde(flatten)]
    pub prev: Option<SharePrev>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SharePrev {
    pub shares_prev: u64,
    pub visits_prev: u64,
    #[serde(serialize_with = "two_decimals_opt")]
    pub shares_change_pct: Option<f64>,
}

/// How many visits one rule decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonRow {
    pub reason: &'static str,
    pub visits: u64,
    #[serde(serialize_with = "two_decimals")]
    pub visits_pct: f64,
    #[serde(skip)]
    pub description: &'static str,
}

/// A page whose dark-social visits grew against the period before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    pub landing: String,
    pub dark_social_visits: u64,
    pub dark_social_visits_prev: u64,
    pub change: u64,
}

/// The change from `prev` to `now` in percent (not rounded, as [`pct`]); `None` from
/// nothing.
pub fn change_pct(now: u64, prev: u64) -> Option<f64> {
    (prev > 0).then(|| (now as f64 - prev as f64) * 100.0 / prev as f64)
}

/// Daily dark-social visits of the top landing pages, for sparklines: day `first_day + i`
/// is `by_page[path][i]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageSeries {
    pub first_day: i64,
    pub days: usize,
    pub by_page: rustc_hash::FxHashMap<Vec<u8>, Vec<u64>>,
}

/// Pages that get a series: the most shown at once by anything that draws them.
pub(super) const SERIES_PAGES: usize = 100;

/// An input and how it was read, for the report's header and JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    pub name: String,
    pub format: Option<String>,
    /// Kept beside `compression` for readers of version 3 and before.
    pub gzip: bool,
    /// `gzip`, `bzip2`, `xz` or `zstd`; `None` for an uncompressed input.
    pub compression: Option<&'static str>,
    pub lines: u64,
    pub malformed: u64,
    pub error: Option<String>,
}
