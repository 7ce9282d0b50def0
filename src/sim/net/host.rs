//! Hosts and their addresses: which host owns an address, the address a host sends from, how
//! a v4-mapped address travels on the wire, and each host's connection and port tables.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use super::compact::AddrSlot;
use super::NetLayers;
use crate::api::database::ServiceEntry;
use crate::sim::runtime::LinkParams;
use crate::sim::runtime::World;

/// A connection's (local, remote) wire addresses as the host's table keys it: two IPv4
/// addresses pack into 16 bytes (the pair of `SocketAddr`s takes 64, and a server's table
/// holds one per connection); other pairs are kept boxed. The order is exactly that of the
/// `(SocketAddr, SocketAddr)` pairs, so the table iterates as before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnKey {
    /// Both IPv4: each as `ip << 16 | port`, whose numeric order is (ip, port)'s.
    V4(u64, u64),
    /// Any other pair.
    Other(Box<(SocketAddr, SocketAddr)>),
}

impl ConnKey {
    /// The key of the connection from `local` to `remote` (wire addresses).
    pub(crate) fn new(local: SocketAddr, remote: SocketAddr) -> ConnKey {
        match (local, remote) {
            (SocketAddr::V4(l), SocketAddr::V4(r)) => ConnKey::V4(pack_v4(l), pack_v4(r)),
            _ => ConnKey::Other(Box::new((local, remote))),
        }
    }

    /// The (local, remote) pair.
    pub(crate) fn pair(&self) -> (SocketAddr, SocketAddr) {
        match self {
            ConnKey::V4(l, r) => (SocketAddr::V4(unpack_v4(*l)), SocketAddr::V4(unpack_v4(*r))),
            ConnKey::Other(p) => **p,
        }
    }
}

fn pack_v4(a: std::net::SocketAddrV4) -> u64 {
    u64::from(a.ip().to_bits()) << 16 | u64::from(a.port())
}

fn unpack_v4(k: u64) -> std::net::SocketAddrV4 {
    std::net::SocketAddrV4::new(std::net::Ipv4Addr::from_bits((k >> 16) as u32), k as u16)
}

impl Ord for ConnKey {
    fn cmp(&self, o: &ConnKey) -> std::cmp::Ordering {
        match (self, o) {
            (ConnKey::V4(a, b), ConnKey::V4(c, d)) => (a, b).cmp(&(c, d)),
            _ => self.pair().cmp(&o.pair()),
        }
    }
}

impl PartialOrd for ConnKey {
    fn partial_cmp(&self, o: &ConnKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// The sockets holding one local port, in the order they took it. Most ports (a client's
/// ephemeral ones) have one holder, kept inline; a `Vec` allocated 32 bytes (48 with malloc's
/// header) for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PortHolders {
    One(usize),
    Many(Vec<usize>),
}

impl Default for PortHolders {
    fn default() -> PortHolders {
        PortHolders::Many(Vec::new())
    }
}

impl PortHolders {
    /// The holders, in order.
    pub(crate) fn as_slice(&self) -> &[usize] {
        match self {
            PortHolders::One(id) => std::slice::from_ref(id),
            PortHolders::Many(v) => v,
        }
    }

    /// Whether no socket holds the port.
    pub(crate) fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// Adds a holder after the others.
    pub(crate) fn push(&mut self, id: usize) {
        match self {
            PortHolders::Many(v) if v.is_empty() => *self = PortHolders::One(id),
            PortHolders::One(first) => *self = PortHolders::Many(vec![*first, id]),
            PortHolders::Many(v) => v.push(id),
        }
    }

    /// Keeps the holders `keep` accepts, in order.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&usize) -> bool) {
        match self {
            PortHolders::One(id) => {
                if !keep(id) {
                    *self = PortHolders::default();
                }
            }
            PortHolders::Many(v) => v.retain(|id| keep(id)),
        }
    }
}

impl<'a> IntoIterator for &'a PortHolders {
    type Item = &'a usize;
    type IntoIter = std::slice::Iter<'a, usize>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// A simulated host: the machine's addresses, its connections and its port usage. (Its
/// process's handle table and WSAStartup count are the socket layer's.)
#[derive(Debug)]
pub(crate) struct Host {
    pub name: String,
    pub addrs: Vec<IpAddr>,
    pub next_ephemeral: u16,
    /// Established or closing connections by (local, remote) wire addresses.
    pub conns: BTreeMap<ConnKey, usize>,
    /// Sockets holding a local TCP port (bound, listening, or connected from it), by port.
    pub tcp_binds: BTreeMap<u16, PortHolders>,
    /// Sockets holding a local UDP port (a separate port space).
    pub udp_binds: BTreeMap<u16, PortHolders>,
    pub crashed: bool,
    /// How many times it crashed (what a process made before a crash is gone after it).
    pub crashes: u32,
    /// How far its system clock was set away from the virtual clock (FILETIME units, 100 ns;
    /// positive: ahead), by [`FaultRule::ClockJump`](super::fault::FaultRule::ClockJump)s.
    pub clock_shift: i64,
    /// The periods (ms) its process holds with `timeBeginPeriod`, smallest first
    /// (`timer_resolution`).
    pub timer_periods: Vec<u32>,
    /// Lines its administrator added to its `services` file, after Windows' own
    /// (`HostHandle::add_service`).
    pub services: Vec<ServiceEntry>,
}

/// An address as it travels on the wire: a v4-mapped IPv6 address (`::ffff:a.b.c.d`) is the
/// IPv4 address it carries. A dual-stack socket (AF_INET6, IPV6_V6ONLY off) keeps and reports
/// v4-mapped addresses, but its segments carry plain IPv4 ones, as on a real wire.
pub(crate) fn wire(a: SocketAddr) -> SocketAddr {
    match a {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), v6.port()),
            None => a,
        },
        SocketAddr::V4(_) => a,
    }
}

/// Whether a socket's address (as the socket keeps it, none when unset) is `on_wire` as a
/// segment carries it: `wire(a) == on_wire`, with no conversion in the common case of two
/// IPv4 addresses (the check runs for every segment sent and received).
#[inline(always)]
pub(crate) fn is_on_wire(a: &AddrSlot, on_wire: SocketAddr) -> bool {
    match (a, on_wire) {
        (AddrSlot::V4(a), SocketAddr::V4(w)) => *a == w,
        (a, w) => a.get().is_some_and(|a| wire(a) == w),
    }
}

/// A wire address as a socket of `family` sees it: IPv4 becomes v4-mapped on an AF_INET6
/// socket (the SOCKADDR_IN6 that accept, getpeername and recvfrom report).
pub(crate) fn seen_by(family: i32, a: SocketAddr) -> SocketAddr {
    SocketAddr::new(seen_ip_by(family, a.ip()), a.port())
}

/// [`seen_by`] for an IP address alone.
pub(crate) fn seen_ip_by(family: i32, ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if family == crate::api::consts::AF_INET6 => IpAddr::V6(v4.to_ipv6_mapped()),
        _ => ip,
    }
}

/// Windows' dynamic (ephemeral) port range.
pub(crate) const EPHEMERAL_FIRST: u16 = 49152;
pub(crate) const EPHEMERAL_COUNT: u32 = 16384;

impl Host {
    /// The port table of a socket type (SOCK_STREAM or SOCK_DGRAM).
    pub(crate) fn binds(&self, ty: i32) -> &BTreeMap<u16, PortHolders> {
        if ty == crate::api::consts::SOCK_DGRAM {
            &self.udp_binds
        } else {
            &self.tcp_binds
        }
    }

    /// The port table of a socket type, mutably.
    pub(crate) fn binds_mut(&mut self, ty: i32) -> &mut BTreeMap<u16, PortHolders> {
        if ty == crate::api::consts::SOCK_DGRAM {
            &mut self.udp_binds
        } else {
            &mut self.tcp_binds
        }
    }

    /// Whether `ip` is one of this host's addresses (loopback and wildcard included).
    pub(crate) fn owns(&self, ip: IpAddr) -> bool {
        ip.is_unspecified() || ip.is_loopback() || self.addrs.contains(&ip)
    }

    /// The address this host sends from to reach `dst`.
    pub(crate) fn source_for(&self, dst: IpAddr) -> Option<IpAddr> {
        if dst.is_loopback() {
            return Some(dst);
        }
        // An interface-local IPv6 group (scope 1, ff01::/16) never leaves the host: it goes
        // out on the loopback interface, from ::1 (sock.c test_broadcast sends to ff01::1).
        if let IpAddr::V6(v6) = dst {
            if v6.is_multicast() && v6.segments()[0] & 0x000f == 1 {
                return Some(std::net::Ipv6Addr::LOCALHOST.into());
            }
        }
        self.addrs
            .iter()
            .copied()
            .find(|a| a.is_ipv4() == dst.is_ipv4())
    }
}

impl<L: NetLayers> World<L> {
    pub(crate) fn add_host(&mut self, name: &str, ip: IpAddr) -> usize {
        let id = self.net.hosts.len();
        let start = EPHEMERAL_FIRST + self.net.rng_ports.below(u64::from(EPHEMERAL_COUNT)) as u16;
        self.net.hosts.push(Host {
            name: name.to_string(),
            addrs: Vec::new(),
            next_ephemeral: start,
            conns: BTreeMap::new(),
            tcp_binds: BTreeMap::new(),
            udp_binds: BTreeMap::new(),
            crashed: false,
            crashes: 0,
            clock_shift: 0,
            timer_periods: Vec::new(),
            services: Vec::new(),
        });
        self.add_address(id, ip);
        id
    }

    pub(crate) fn add_address(&mut self, host: usize, ip: IpAddr) {
        assert!(
            !ip.is_loopback() && !ip.is_unspecified(),
            "{ip} is implicit on every host"
        );
        if let Some(&other) = self.net.addr_map.get(&ip) {
            assert_eq!(other, host, "address {ip} already belongs to another host");
            return;
        }
        self.net.addr_map.insert(ip, host);
        self.net.hosts[host].addrs.push(ip);
    }

    pub(crate) fn set_link(&mut self, a: usize, b: usize, p: LinkParams) {
        self.net.links.insert((a, b), p);
        self.net.links.insert((b, a), p);
        self.net.link_cache.clear();
    }

    /// The host that owns `ip`, seen from `from` (loopback stays on `from`), crashed or not:
    /// a crashed host loses what arrives (the fault plan decides what the sender sees).
    pub(crate) fn route(&self, from: usize, ip: IpAddr) -> Option<usize> {
        if ip.is_loopback() {
            return Some(from);
        }
        self.net.addr_map.get(&ip).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::ConnKey;
    use std::net::SocketAddr;

    /// Keys sort exactly as the address pairs they stand for, IPv4 and IPv6 mixed.
    #[test]
    fn conn_keys_order_as_their_pairs() {
        let addrs: Vec<SocketAddr> = [
            "10.0.0.1:80",
            "10.0.0.1:65535",
            "10.0.0.2:1",
            "192.0.2.1:9000",
            "255.255.255.255:0",
            "[::1]:80",
            "[2001:db8::1]:9000",
        ]
        .iter()
        .map(|a| a.parse().expect("an address"))
        .collect();
        let mut pairs = Vec::new();
        for &l in &addrs {
            for &r in &addrs {
                pairs.push((l, r));
            }
        }
        let mut by_key: Vec<ConnKey> = pairs.iter().map(|&(l, r)| ConnKey::new(l, r)).collect();
        by_key.sort();
        pairs.sort();
        let back: Vec<(SocketAddr, SocketAddr)> = by_key.iter().map(ConnKey::pair).collect();
        assert_eq!(back, pairs);
    }
}
