//! Hash maps written in key order: a saved state (`--state`) holds the same bytes for the
//! same content, whatever order the map's entries were made in, so that a run with
//! nothing new writes the state it read.

use std::collections::HashMap;
use std::hash::BuildHasher;

use serde::{Serialize, Serializer};

/// `#[serde(serialize_with = "crate::sorted::map")]`
pub fn map<K: Serialize + Ord, V: Serialize, H: BuildHasher, S: Serializer>(
    map: &HashMap<K, V, H>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    serializer.collect_map(entries)
}
