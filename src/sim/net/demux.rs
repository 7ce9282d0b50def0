//! Which socket takes the traffic for an address: how a bound address (IPv4, IPv6, v4-mapped,
//! wildcard, dual-stack) matches a wire address, which of two bindings conflict, and the
//! address-family rules of a destination.

use std::net::{IpAddr, SocketAddr};

use crate::api::consts::*;
use crate::api::WsaError;

use super::endpoint::Sock;

/// How a socket bound to `local` (IPV6_V6ONLY `v6only`) takes traffic for the wire address
/// `dst`: `None` if it does not; otherwise a rank, higher for a more specific local address
/// (2: that address; 1: 0.0.0.0, `[::ffff:0.0.0.0]` or `[::]`; 0: a dual-stack `[::]` for
/// IPv4).
pub(crate) fn takes_traffic(local: SocketAddr, v6only: bool, dst: IpAddr) -> Option<u8> {
    match dst {
        IpAddr::V4(d) => {
            let p = v4_view(local, v6only)?;
            (p.level < 2 || p.ip == d).then_some(p.level)
        }
        IpAddr::V6(d) => {
            let a = v6_view(local)?;
            if a == d {
                Some(2)
            } else {
                a.is_unspecified().then_some(1)
            }
        }
    }
}

/// Where a bound address sits in the IPv4 port space, and how specific it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct V4Place {
    pub ip: std::net::Ipv4Addr,
    /// 0: dual-stack `[::]`; 1: 0.0.0.0 (or `[::ffff:0.0.0.0]`); 2: a specific address.
    pub level: u8,
}

/// The IPv4 place of a local address: IPv4 addresses and v4-mapped IPv6 ones as themselves,
/// `[::]` with IPV6_V6ONLY off as the dual-stack wildcard; other IPv6 addresses have none.
pub(crate) fn v4_view(a: SocketAddr, v6only: bool) -> Option<V4Place> {
    let ip = match a.ip() {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None if v6.is_unspecified() && !v6only => {
                return Some(V4Place {
                    ip: std::net::Ipv4Addr::UNSPECIFIED,
                    level: 0,
                })
            }
            None => return None,
        },
    };
    let level = if ip.is_unspecified() { 1 } else { 2 };
    Some(V4Place { ip, level })
}

/// The IPv6 place of a local address: IPv6 addresses that are not v4-mapped.
pub(crate) fn v6_view(a: SocketAddr) -> Option<std::net::Ipv6Addr> {
    match a.ip() {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => Some(v6),
        _ => None,
    }
}

/// The outcome of binding `new` where `existing` sits in one address space. `e` is the
/// existing socket's (specificity, same place as the new one); `n_level` the new one's
/// specificity (a higher level is more specific).
pub(crate) fn pair_conflict(
    existing: &Sock,
    new: &Sock,
    (e_level, same): (u8, bool),
    n_level: u8,
) -> Result<(), WsaError> {
    let (e, n) = (&existing.opts, &new.opts);
    if same {
        if e.exclusive || n.exclusive {
            return Err(WsaError::WSAEADDRINUSE);
        }
        if n.reuseaddr {
            return if e.reuseaddr {
                Ok(())
            } else {
                Err(WsaError::WSAEACCES)
            };
        }
        return Err(WsaError::WSAEADDRINUSE);
    }
    if e_level < n_level {
        // A wildcard holds the port and a more specific address comes: only an exclusive
        // wildcard refuses it.
        if e.exclusive {
            return Err(WsaError::WSAEACCES);
        }
    } else if e_level > n_level && n.exclusive {
        // An exclusive wildcard cannot cover an address already bound more specifically.
        return Err(WsaError::WSAEADDRINUSE);
    }
    Ok(())
}

/// A destination (connect, sendto, ConnectEx) of the wrong family for a socket of
/// `sock_family`. Windows checks the length before the family: a SOCKADDR_IN (16 bytes) is too
/// short for an AF_INET6 socket, WSAEFAULT (sock.c test_bind shows the same for a 24-byte
/// sockaddr_in6_old; mio#721 and libuv#4433 report it for connect and sendto), while a
/// SOCKADDR_IN6 given to an AF_INET socket is long enough and fails on its family,
/// WSAEAFNOSUPPORT.
pub(crate) fn check_dst_family(sock_family: i32, dst: SocketAddr) -> Result<(), WsaError> {
    match (sock_family, family_of(dst)) {
        (a, b) if a == b => Ok(()),
        (AF_INET6, _) => Err(WsaError::WSAEFAULT),
        _ => Err(WsaError::WSAEAFNOSUPPORT),
    }
}

/// The address family of a socket address, as the WinSock constant.
pub(crate) fn family_of(a: SocketAddr) -> i32 {
    if a.is_ipv4() {
        AF_INET
    } else {
        AF_INET6
    }
}

#[cfg(test)]
mod tests {
    use super::takes_traffic;
    use crate::sim::net::host::{seen_by, wire};
    use std::net::{IpAddr, SocketAddr};

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn traffic_goes_to_the_most_specific_address_of_its_family() {
        let v4 = ip("192.0.2.1");
        assert_eq!(takes_traffic(a("192.0.2.1:80"), true, v4), Some(2));
        assert_eq!(
            takes_traffic(a("[::ffff:192.0.2.1]:80"), false, v4),
            Some(2)
        );
        assert_eq!(takes_traffic(a("0.0.0.0:80"), true, v4), Some(1));
        assert_eq!(takes_traffic(a("[::]:80"), false, v4), Some(0));
        assert_eq!(takes_traffic(a("[::]:80"), true, v4), None);
        assert_eq!(takes_traffic(a("192.0.2.9:80"), true, v4), None);
        let v6 = ip("2001:db8::1");
        assert_eq!(takes_traffic(a("[2001:db8::1]:80"), true, v6), Some(2));
        assert_eq!(takes_traffic(a("[::]:80"), true, v6), Some(1));
        assert_eq!(takes_traffic(a("[::]:80"), false, v6), Some(1));
        assert_eq!(takes_traffic(a("0.0.0.0:80"), true, v6), None);
        assert_eq!(takes_traffic(a("[::ffff:0.0.0.0]:80"), false, v6), None);
    }

    #[test]
    fn wire_and_socket_views_of_an_address() {
        use crate::api::consts::{AF_INET, AF_INET6};
        assert_eq!(wire(a("[::ffff:192.0.2.1]:80")), a("192.0.2.1:80"));
        assert_eq!(wire(a("[2001:db8::1]:80")), a("[2001:db8::1]:80"));
        assert_eq!(
            seen_by(AF_INET6, a("192.0.2.1:80")),
            a("[::ffff:192.0.2.1]:80")
        );
        assert_eq!(seen_by(AF_INET, a("192.0.2.1:80")), a("192.0.2.1:80"));
    }
}
