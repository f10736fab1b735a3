//! Whether a log's lines come through a proxy: most from a handful of addresses while
//! their forwarded-for headers name many clients.

use rustc_hash::FxHashMap;

/// Whether a sample looks like a proxy's log: most lines from a handful of addresses,
/// carrying a forwarded-for header that names many more.
#[derive(Default)]
pub(super) struct ProxySample {
    pub(super) clients: FxHashMap<Vec<u8>, usize>,
    pub(super) forwarded: FxHashMap<Vec<u8>, usize>,
    pub(super) hits: usize,
}

impl ProxySample {
    pub(super) fn add(&mut self, client: &[u8], forwarded: Option<&[u8]>) {
        self.hits += 1;
        if self.clients.len() < 10_000 {
            *self.clients.entry(client.to_vec()).or_default() += 1;
        }
        // Keyed on the address the header names first (the client, as it claims): each
        // hop appended to it would make the same client count again.
        if let Some(first) = forwarded.and_then(|f| f.split(|&b| matches!(b, b',' | b'+')).next()) {
            if self.forwarded.len() < 10_000 {
                *self.forwarded.entry(first.trim_ascii().to_vec()).or_default() += 1;
            }
        }
    }

    /// Whether most lines come from a few addresses while carrying forwarded-for headers
    /// that name more: the busiest address, the lines from the few, and how few.
    pub(super) fn proxied(&self) -> Option<(&[u8], usize, usize)> {
        let carrying: usize = self.forwarded.values().sum();
        let mut counts: Vec<(&Vec<u8>, usize)> = self.clients.iter().map(|(c, &n)| (c, n)).collect();
        counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let few = counts.len().min(5);
        let from_few: usize = counts[..few].iter().map(|c| c.1).sum();
        let proxied = self.hits >= 4
            && carrying * 2 >= self.hits
            && from_few * 10 >= self.hits * 8
            && self.forwarded.len() > few;
        proxied.then(|| (counts[0].0.as_slice(), from_few, few))
    }

    /// Whether these picked clients are one address for lines logged from many: the
    /// address.
    pub(super) fn collapsed(&self, logged: &ProxySample) -> Option<&[u8]> {
        let one = self.clients.len() == 1 && self.hits >= 20 && logged.clients.len() >= 10;
        one.then(|| self.clients.keys().next().map(Vec::as_slice)).flatten()
    }

    /// What to tell of the sample's addresses, without `--client-ip`: a proxy's, or none.
    pub(super) fn notices(&self, name: &str) -> impl Iterator<Item = String> {
        self.notice(name).into_iter().chain(self.unaddressed(name))
    }

    /// When most sampled lines log no client address (`-`, or nothing): visitors are then
    /// keyed on their user agent alone, and every reader of one browser build is one.
    fn unaddressed(&self, name: &str) -> Option<String> {
        let none = [&b"-"[..], b""].iter().map(|c| self.clients.get(*c).copied().unwrap_or(0)).sum::<usize>();
        (self.hits >= 10 && none * 2 >= self.hits).then(|| {
            format!(
                "{name}: {none} of {} sampled lines log no client address: their visitors are told apart \
                 by user agent alone, and readers on the same browser count as one visitor (if the \
                 layout logs the client in a header, --client-ip HEADER reads it there)",
                self.hits
            )
        })
    }

    fn notice(&self, name: &str) -> Option<String> {
        self.proxied().map(|(_, from_few, few)| {
            let from = if few == 1 { "one address".to_string() } else { format!("{few} addresses") };
            format!(
                "{name}: {from_few} of {} sampled lines come from {from} and carry a forwarded-for \
                 header naming {} others: behind a proxy or CDN, --client-ip x-forwarded-for keys visitors on \
                 the client it names (--trusted-proxy CIDR for proxies outside private ranges)",
                self.hits,
                self.forwarded.len()
            )
        })
    }
}
