//! Visitor identity: (client IP, user agent), and the keys that stand for it.
//!
//! Two hashes with different jobs. [`KeyHasher`] is a fast 64-bit hash used only inside
//! the process to find a visitor's state. [`VisitorKey::public_id`] is a keyed SipHash:
//! the only form of a visitor that ever reaches a report, so that no IP leaves the process
//! in clear and nobody without the key can test a guess against it.

use std::hash::{BuildHasher, Hasher};

use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

/// In-process keys for visitors and user agents: fast, and seeded afresh for every run,
/// so that nobody can craft a user agent whose key collides with another visitor's (a
/// bot handing its verdict to a browser's readers) or log lines whose keys pile up in
/// one part of a hash map. Reports never depend on the seed: everything printed is
/// sorted by value, not by these keys, and visits the tables hand over together are
/// counted in an order of their content wherever order could change what a bound keeps
/// (`run::fold`). The seed is kept with a run's state, so that a
/// later run over the same state finds its visitors again.
#[derive(Clone, Serialize, Deserialize)]
#[serde(from = "u64", into = "u64")]
pub struct KeyHasher {
    seed: u64,
    state: foldhash::fast::FixedState,
    /// [`KeyHasher::agent_sent_none`], hashed once: `darklog key` asks for it every line.
    sent_none: u64,
}

impl Default for KeyHasher {
    /// A random seed.
    fn default() -> Self {
        use std::collections::hash_map::RandomState;
        KeyHasher::from(RandomState::new().hash_one(0x6b65_7973u64))
    }
}

impl From<u64> for KeyHasher {
    fn from(seed: u64) -> Self {
        let state = foldhash::fast::FixedState::with_seed(seed);
        let sent_none = state.hash_one(b"\n".as_slice());
        KeyHasher { seed, state, sent_none }
    }
}

impl From<KeyHasher> for u64 {
    fn from(k: KeyHasher) -> u64 {
        k.seed
    }
}

impl PartialEq for KeyHasher {
    fn eq(&self, other: &Self) -> bool {
        self.seed == other.seed
    }
}

impl std::fmt::Debug for KeyHasher {
    /// The seed is a secret of the run: not printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher")
    }
}

impl KeyHasher {
    /// A user agent's key (an empty one for none): what its verdict is cached under.
    /// Run-seeded: with a public seed, a crafted agent could be made to share a common
    /// browser's key and, seen first, hand its verdict to every reader of that browser.
    #[inline]
    pub fn agent(&self, ua: &[u8]) -> u64 {
        self.state.hash_one(ua)
    }

    /// The key of the empty agent a client that sent none has (see `LineStage::agents_logged`):
    /// not the key of no agent logged, whose verdict differs (a newline is in no agent).
    #[inline]
    pub fn agent_sent_none(&self) -> u64 {
        self.sent_none
    }

    /// The agent a line is judged by, from its key and the agent it logs: none sent (an
    /// empty agent, no browser's) for the key of [`KeyHasher::agent_sent_none`].
    pub fn judged_agent<'a>(&self, key: u64, logged: Option<&'a [u8]>) -> Option<&'a [u8]> {
        if key == self.agent_sent_none() {
            Some(b"")
        } else {
            logged
        }
    }

    /// A visitor's key, from its address and its agent's key: the user agent, the long
    /// part, is hashed once for both.
    #[inline]
    pub fn visitor(&self, ip: &[u8], agent: u64) -> u64 {
        self.state.hash_one((ip, agent))
    }

    /// A reader and a page, hashed the same in every run: what goes into fixed-size
    /// filters, whose rare false positives must not change from run to run. (A crafted
    /// collision here only makes one visit look like a return.)
    #[inline]
    pub fn stable_page_view(ip: &[u8], ua: &[u8], path: &[u8]) -> u64 {
        STABLE.hash_one((ip, ua, path))
    }
}

const STABLE: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x6461_726b);

/// The secret that keys public visitor ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisitorKey {
    k0: u64,
    k1: u64,
}

impl VisitorKey {
    /// A key derived from a passphrase: the same passphrase gives the same ids, so reports
    /// from separate runs (cron, or workers of a distributed job) can be joined.
    pub fn from_passphrase(pass: &str) -> VisitorKey {
        let derive = |salt: u64| {
            let mut h = SipHasher13::new_with_keys(salt, !salt);
            h.write(pass.as_bytes());
            h.finish()
        };
        VisitorKey { k0: derive(0x6461_726b_6c6f_6721), k1: derive(0x7669_7369_746f_7273) }
    }

    /// A fresh key per run: ids cannot be joined across reports.
    pub fn random() -> VisitorKey {
        use std::collections::hash_map::RandomState;
        use std::hash::BuildHasher;
        let s = RandomState::new();
        VisitorKey { k0: s.hash_one(1u8), k1: s.hash_one(2u8) }
    }

    /// The id printed in reports (as `v` and 16 lowercase hex digits: [`format_id`]).
    pub fn public_id(&self, ip: &[u8], ua: &[u8]) -> u64 {
        let mut h = SipHasher13::new_with_keys(self.k0, self.k1);
        h.write(ip);
        h.write_u8(0xff);
        h.write(ua);
        h.finish()
    }
}

/// `v` and 16 hex digits: the letter keeps a spreadsheet from reading `5497951551436923`
/// or `992711e989545562` as a number (the second as 9.9e+253).
pub fn format_id(id: u64) -> String {
    format!("v{id:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_depend_on_key_and_both_fields() {
        let a = VisitorKey::from_passphrase("a");
        let b = VisitorKey::from_passphrase("b");
        let id = a.public_id(b"192.0.2.1", b"Mozilla/5.0");
        assert_eq!(format_id(id).len(), 17);
        assert_eq!(id, a.public_id(b"192.0.2.1", b"Mozilla/5.0"));
        assert_ne!(id, b.public_id(b"192.0.2.1", b"Mozilla/5.0"));
        assert_ne!(id, a.public_id(b"192.0.2.2", b"Mozilla/5.0"));
        assert_ne!(id, a.public_id(b"192.0.2.1", b"Mozilla/5.1"));
        // The separator keeps field boundaries: ("ab","c") is not ("a","bc").
        assert_ne!(a.public_id(b"ab", b"c"), a.public_id(b"a", b"bc"));
    }
}
