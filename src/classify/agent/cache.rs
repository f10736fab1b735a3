//! Verdicts per distinct user agent, cached for a run.

use rustc_hash::FxHashMap;

use super::{Agent, AgentRules};
use crate::identity::KeyHasher;

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
        let key = if ua.is_empty() { self.keys.agent_sent_none() } else { self.keys.agent(ua) };
        self.get_keyed(rules, key, || Some(ua))
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
