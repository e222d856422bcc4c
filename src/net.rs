//! Who is on the other end of a connection: the client address that throttling counts, read
//! through the reverse proxies the operator trusts and no others.
use std::net::IpAddr;

/// A network written as a CIDR ("10.0.0.0/8", "2001:db8::/32") or a single address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Option<Network> {
        let (addr, prefix) = text.trim().split_once('/').map_or((text.trim(), None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse().ok().filter(|p| *p <= max)?,
        };
        Some(Network { addr, prefix })
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self.addr, canonical(addr)) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed
/// (HOCVUSO_TRUSTED_PROXIES). Empty: the connection's own address is the client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// "10.0.0.0/8, 127.0.0.1 ::1": networks separated by commas or spaces; the first bad one is named.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        let networks: Result<Vec<Network>, String> = text
            .split([',', ' '])
            .filter(|w| !w.trim().is_empty())
            .map(|w| Network::parse(w).ok_or(w.to_string()))
            .collect();
        networks.map(TrustedProxies)
    }

    /// A proxy on this machine (127.0.0.0/8 and ::1).
    pub fn loopback() -> TrustedProxies {
        TrustedProxies(["127.0.0.0/8", "::1"].iter().filter_map(|n| Network::parse(n)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, addr: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(addr))
    }

    /// The client behind `peer`: when the peer is a trusted proxy, the rightmost `X-Forwarded-For`
    /// hop that is not itself a trusted proxy (the leftmost entries are whatever the client wrote);
    /// otherwise the peer. A malformed hop ends the walk at the last address known good.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        for hop in forwarded_for.iter().flat_map(|h| h.split(',')).rev() {
            let Some(addr) = parse_hop(hop) else { break };
            client = addr;
            if !self.trusts(addr) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: "203.0.113.7", "2001:db8::1", "[2001:db8::1]:443" or "203.0.113.7:51234".
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(addr) = hop.parse::<IpAddr>() {
        return Some(canonical(addr));
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(canonical(socket.ip()));
    }
    None
}

/// IPv4 written inside IPv6 (`::ffff:203.0.113.7`) is IPv4.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// The key a client is throttled under: an IPv4 address, or the /64 network of an IPv6 address
/// (one subscriber gets a whole /64 and can change the rest at will).
pub fn throttle_key(addr: IpAddr) -> String {
    match canonical(addr) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = std::net::Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64));
            format!("{network}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_rightmost_hop_no_trusted_proxy_added() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        // The client wrote "1.2.3.4" itself; the proxy 10.0.0.5 added the real address 198.51.100.9.
        assert_eq!(proxies.client(ip("10.0.0.5"), &["1.2.3.4, 198.51.100.9"]), ip("198.51.100.9"));
        // Two proxies in a row: both are skipped.
        assert_eq!(proxies.client(ip("10.0.0.5"), &["1.2.3.4, 198.51.100.9, 192.168.1.1"]), ip("198.51.100.9"));
        // Several headers are one list.
        assert_eq!(proxies.client(ip("10.0.0.5"), &["1.2.3.4", "198.51.100.9"]), ip("198.51.100.9"));
        // A peer that is not a trusted proxy is the client, whatever it writes.
        assert_eq!(proxies.client(ip("203.0.113.7"), &["1.2.3.4"]), ip("203.0.113.7"));
        // No header, or garbage in it: the last address known good.
        assert_eq!(proxies.client(ip("10.0.0.5"), &[]), ip("10.0.0.5"));
        assert_eq!(proxies.client(ip("10.0.0.5"), &["1.2.3.4, nonsense"]), ip("10.0.0.5"));
        assert_eq!(proxies.client(ip("10.0.0.5"), &["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(TrustedProxies::default().client(ip("10.0.0.5"), &["1.2.3.4"]), ip("10.0.0.5"));
        assert_eq!(TrustedProxies::parse("10.0.0.0/33"), Err("10.0.0.0/33".to_string()));
        assert_eq!(TrustedProxies::parse("proxy.local"), Err("proxy.local".to_string()));
        assert!(TrustedProxies::loopback().trusts(ip("::ffff:127.0.0.1")));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(throttle_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(throttle_key(ip("2001:db8:1:2:ffff::9")), "2001:db8:1:2::/64");
        assert_eq!(throttle_key(ip("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(throttle_key(ip("203.0.113.7")), "203.0.113.7");
    }
}
