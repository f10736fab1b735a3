//! The client behind a proxy: the address a forwarded-for header names, picked the way
//! nginx's `real_ip_recursive on` and Apache's mod_remoteip pick it — from the right, the
//! first address that is not a trusted proxy. Anyone can put addresses on the left of
//! the list; only the ones the trusted proxies appended can be believed.

use std::net::IpAddr;
use std::str::FromStr;

/// An address range, `10.0.0.0/8` or `2001:db8::/32` (a bare address is one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let bad = || format!("'{s}' is not an address range (10.0.0.0/8, 2001:db8::/32, 203.0.113.7)");
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let net: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        if bits > max {
            return Err(bad());
        }
        Ok(Cidr { net, bits })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.net, self.bits)
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 address seen as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (a, b, width) = match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (u128::from(u32::from(n)), u128::from(u32::from(i)), 32),
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
            _ => return false,
        };
        let shift = width - u32::from(self.bits);
        shift >= width || (a >> shift) == (b >> shift)
    }
}

/// Loopback, private, unique-local and link-local ranges: where proxies in front of a
/// server live unless told otherwise.
pub const DEFAULT_TRUSTED: [&str; 8] = [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

/// How to find the client of a hit whose logged address is a proxy's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp {
    trusted: Vec<Cidr>,
    /// Proxies were named (`--trusted-proxy`): a line logged from any other address is
    /// that address, whatever header it sent, as nginx's `set_real_ip_from` has it. With
    /// none named, the logged address is taken to be the site's own proxy (a CDN's
    /// addresses are public): a direct client could then write its own header.
    named: bool,
}

impl ClientIp {
    /// Trusting the default ranges and `extra`.
    pub fn new(extra: &[Cidr]) -> ClientIp {
        let mut trusted: Vec<Cidr> = DEFAULT_TRUSTED.iter().filter_map(|c| c.parse().ok()).collect();
        trusted.extend_from_slice(extra);
        ClientIp { trusted, named: !extra.is_empty() }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|c| c.contains(ip))
    }

    /// Whether the logged address is an address outside the trusted ranges. A peer that
    /// is no address (nginx's `unix:` for a socket, a host name) cannot be judged: its
    /// header is read, as before proxies were named.
    fn distrusts_peer(&self, peer: &[u8]) -> bool {
        let addr = super::plan::without_port(peer);
        std::str::from_utf8(addr)
            .ok()
            .and_then(|a| a.parse::<IpAddr>().ok())
            .is_some_and(|ip| !self.trusts(ip))
    }

    /// The client of a request logged from `peer` with `forwarded` (the header's list,
    /// oldest hop first): walking the list from the right, the first address not
    /// trusted; the leftmost when all are; `peer` when the list is absent or its last
    /// entry is no address (nginx stops there too), and, when proxies were named, when
    /// `peer` is not one of them.
    pub fn pick<'a>(&self, peer: &'a [u8], forwarded: Option<&'a [u8]>) -> &'a [u8] {
        let Some(list) = forwarded else { return peer };
        if self.named && self.distrusts_peer(peer) {
            return peer;
        }
        let mut chosen = peer;
        // IIS writes a header's spaces as `+` (`203.0.113.10,+10.0.0.9`); no address has one.
        for item in list.rsplit(|&b| matches!(b, b',' | b' ' | b'+')) {
            let item = trim(item);
            if item.is_empty() {
                continue;
            }
            let addr = super::plan::without_port(item);
            let Some(ip) = std::str::from_utf8(addr).ok().and_then(|a| a.parse::<IpAddr>().ok()) else {
                return chosen;
            };
            chosen = addr;
            if !self.trusts(ip) {
                return chosen;
            }
        }
        chosen
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !matches!(c, b' ' | b'"')).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !matches!(c, b' ' | b'"')).map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_hold_what_they_should() {
        let cases: &[(&str, &str, bool)] = &[
            ("10.0.0.0/8", "10.200.1.1", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("172.16.0.0/12", "172.31.255.255", true),
            ("172.16.0.0/12", "172.70.1.1", false),
            ("172.70.0.0/16", "172.70.1.2", true),
            ("203.0.113.7", "203.0.113.7", true),
            ("203.0.113.7", "203.0.113.8", false),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("2001:db8::/32", "2001:db8:1::5", true),
            ("2001:db8::/32", "2001:db9::5", false),
            ("10.0.0.0/8", "::ffff:10.1.2.3", true),
            ("10.0.0.0/8", "2001:db8::1", false),
        ];
        for (cidr, ip, want) in cases {
            let c: Cidr = cidr.parse().unwrap();
            assert_eq!(c.contains(ip.parse().unwrap()), *want, "{cidr} ∋ {ip}");
        }
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0/8", "::/129"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    /// The examples of nginx's realip documentation and of the shared samples
    /// (`/work/shared/data/formats`, README there), each named for its edge.
    #[test]
    fn picks_the_rightmost_untrusted_address() {
        let cdn: Cidr = "172.70.0.0/16".parse().unwrap();
        // (name, extra trusted ranges, peer, forwarded-for, client)
        type Case<'a> = (&'a str, &'a [Cidr], &'a str, Option<&'a str>, &'a str);
        let cases: &[Case] = &[
            ("no_header_keeps_the_peer", &[], "192.0.2.9", None, "192.0.2.9"),
            ("single_client_behind_a_private_balancer", &[], "10.0.0.2", Some("203.0.113.5"), "203.0.113.5"),
            // SEMANTICS.md: set_real_ip_from 172.70.0.0/16, recursive on.
            (
                "spoofed_left_entry_is_not_believed",
                &[cdn],
                "172.70.1.1",
                Some("198.51.100.99, 203.0.113.5, 172.70.1.9"),
                "203.0.113.5",
            ),
            // i_xff_first.log: the CDN appended itself; untrusted, it is the client.
            ("cdn_hop_untrusted_is_taken", &[], "172.70.1.1", Some("203.0.113.5, 172.70.1.1"), "172.70.1.1"),
            (
                "cdn_hop_trusted_is_skipped",
                &[cdn],
                "172.70.1.1",
                Some("203.0.113.5, 172.70.1.1"),
                "203.0.113.5",
            ),
            // BEATS nginx test.log line 6: IPv6 then a private hop.
            (
                "ipv6_client_before_a_private_hop",
                &[],
                "10.2.2.121",
                Some("2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17"),
                "2a03:0000:10ff:f00f:0000:0000:0:8000",
            ),
            ("all_trusted_gives_the_leftmost", &[], "10.0.0.1", Some("10.0.0.3, 10.0.0.2"), "10.0.0.3"),
            ("garbage_last_entry_keeps_the_peer", &[], "10.0.0.1", Some("203.0.113.5, unknown"), "10.0.0.1"),
            ("port_and_brackets_are_dropped", &[], "10.0.0.1", Some("[2001:db8::7]:443"), "2001:db8::7"),
            ("ipv4_with_port", &[], "10.0.0.1", Some("203.0.113.5:51234"), "203.0.113.5"),
            // IIS W3C: a custom X-Forwarded-For field, its space written `+`.
            ("iis_plus_for_the_space", &[], "10.0.0.1", Some("203.0.113.10,+10.0.0.9"), "203.0.113.10"),
            // Proxies named: a client that reaches the server itself cannot choose its
            // address by sending the header.
            (
                "direct_client_with_a_forged_header",
                &[cdn],
                "198.51.100.200",
                Some("203.0.113.9"),
                "198.51.100.200",
            ),
            (
                "named_proxy_with_a_port_is_believed",
                &[cdn],
                "172.70.1.1:443",
                Some("203.0.113.9"),
                "203.0.113.9",
            ),
            ("private_balancer_is_trusted_too", &[cdn], "10.0.0.2", Some("203.0.113.9"), "203.0.113.9"),
            // nginx behind a local proxy on a socket logs `unix:`: no address to judge.
            ("unix_socket_peer_is_read_through", &[cdn], "unix:", Some("203.0.113.9"), "203.0.113.9"),
            // None named: the logged address is taken to be the site's proxy.
            ("none_named_believes_a_public_peer", &[], "198.51.100.200", Some("203.0.113.9"), "203.0.113.9"),
        ];
        for (name, extra, peer, xff, want) in cases {
            let picker = ClientIp::new(extra);
            let got = picker.pick(peer.as_bytes(), xff.map(str::as_bytes));
            assert_eq!(String::from_utf8_lossy(got), *want, "{name}");
        }
    }
}
