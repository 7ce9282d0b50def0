//! [`Resolve`] in the simulator: names are the hosts' names given to `Sim::host`, looked up in
//! the network layer's host table (case-insensitively); no DNS traffic is simulated. Each call
//! passes the WSAStartup check and the fault seam like any WinSock call.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::api::addr_text::{address_to_string, string_to_address};
use crate::api::consts::*;
use crate::api::database::{self, Transport};
use crate::api::resolve::service_port;
use crate::api::resolve::*;
use crate::api::{SockAddr, WsaError};
use crate::sim::api::{SimWinsock, Traced, World};
use crate::sim::fault::ResolveAction;
use crate::sim::runtime::Step;

impl Traced for Vec<AddrInfo> {
    fn traced(&self) -> i64 {
        self.len() as i64
    }
}

impl Traced for String {
    fn traced(&self) -> i64 {
        self.len() as i64
    }
}

impl Traced for Protoent {
    fn traced(&self) -> i64 {
        i64::from(self.proto)
    }
}

impl Traced for Servent {
    fn traced(&self) -> i64 {
        i64::from(self.port)
    }
}

impl Traced for (String, String) {
    fn traced(&self) -> i64 {
        self.0.len() as i64
    }
}

/// A numeric host as getaddrinfo reads it: IPv4 dotted, IPv6 bare or in brackets (anything
/// after the closing bracket is ignored, as Windows does with "\[beef::cafe\]:10239").
/// `Err` for unmatched brackets.
fn numeric_host(node: &str) -> Result<Option<IpAddr>, WsaError> {
    if let Some(rest) = node.strip_prefix('[') {
        let (ip, _) = rest.split_once(']').ok_or(WsaError::WSAHOST_NOT_FOUND)?;
        return ip
            .parse::<Ipv6Addr>()
            .map(|a| Some(IpAddr::V6(a)))
            .map_err(|_| WsaError::WSAHOST_NOT_FOUND);
    }
    if node.ends_with(']') {
        return Err(WsaError::WSAHOST_NOT_FOUND);
    }
    Ok(node.parse::<IpAddr>().ok())
}

/// The host name a `getaddrinfo` of `node` asks a name server for: none for no node, the
/// empty name (this host), `localhost`, a numeric address or AI_NUMERICHOST.
fn dns_name(node: Option<&str>, flags: i32) -> Option<&str> {
    let node = node?;
    let numeric = node.parse::<IpAddr>().is_ok() || node.starts_with('[');
    let local = node.is_empty() || node.eq_ignore_ascii_case("localhost");
    (!numeric && !local && flags & AI_NUMERICHOST == 0).then_some(node)
}

/// IPv6 first (Windows' default prefix policy), each family in the host's order.
fn v6_first(mut addrs: Vec<IpAddr>) -> Vec<IpAddr> {
    addrs.sort_by_key(|a| a.is_ipv4());
    addrs
}

impl SimWinsock {
    /// Waits the configured resolution delay (a DNS round trip) in virtual time.
    fn resolution_delay(&self, call: &'static str) -> Result<(), WsaError> {
        let delay = self.w().rt.cfg.resolve_delay;
        self.wait_virtual(call, delay)
    }

    /// A lookup of `name` goes to the name server: the fault plan may make it answer late
    /// or fail (`FaultRule::Resolve`).
    fn resolution_fault(&self, call: &'static str, name: &str) -> Result<(), WsaError> {
        let action = {
            let mut w = self.w();
            if w.net.faults.idle() {
                return Ok(());
            }
            let now = w.rt.now;
            let net = &mut w.net;
            let action = net
                .faults
                .on_resolve(name, &net.hosts[self.host].addrs, now);
            if action.is_some() {
                w.record(
                    usize::MAX,
                    crate::sim::trace::TraceKind::Fault("resolve"),
                    0,
                    0,
                    0,
                );
            }
            action
        };
        match action {
            None => Ok(()),
            Some(ResolveAction::Delay(d)) => {
                self.wait_virtual(call, d.as_nanos().min(u128::from(u64::MAX)) as u64)
            }
            Some(ResolveAction::Fail(e)) => Err(e),
        }
    }

    /// Blocks `nanos` of virtual time.
    fn wait_virtual(&self, call: &'static str, nanos: u64) -> Result<(), WsaError> {
        if nanos == 0 {
            return Ok(());
        }
        let deadline = (self.now().as_nanos() as u64).saturating_add(nanos);
        self.blocking(call, None, |w| {
            if w.rt.now >= deadline {
                Step::Done(Ok(()))
            } else {
                Step::WaitAny(Vec::new(), Some(deadline))
            }
        })
    }

    /// The addresses and canonical name of `node` for this host.
    fn lookup(
        &self,
        w: &World,
        node: Option<&str>,
        flags: i32,
    ) -> Result<(Vec<IpAddr>, String), WsaError> {
        let unspec_v6 = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
        let unspec_v4 = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let loop_v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        let loop_v4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let Some(node) = node else {
            return Ok(if flags & AI_PASSIVE != 0 {
                (vec![unspec_v6, unspec_v4], String::new())
            } else {
                (vec![loop_v6, loop_v4], String::new())
            });
        };
        if let Some(ip) = numeric_host(node)? {
            return Ok((vec![ip], node.to_string()));
        }
        if flags & AI_NUMERICHOST != 0 {
            return Err(WsaError::WSAHOST_NOT_FOUND);
        }
        if node.eq_ignore_ascii_case("localhost") {
            return Ok((vec![loop_v6, loop_v4], node.to_string()));
        }
        let me = &w.net.hosts[self.host];
        let host = if node.is_empty() {
            me
        } else {
            w.net
                .hosts
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(node))
                .ok_or(WsaError::WSAHOST_NOT_FOUND)?
        };
        Ok((v6_first(host.addrs.clone()), host.name.clone()))
    }

    fn getaddrinfo_now(
        &self,
        node: Option<&str>,
        service: Option<&str>,
        hints: &AddrInfoHints,
    ) -> Result<Vec<AddrInfo>, WsaError> {
        if !matches!(hints.family, AF_UNSPEC | AF_INET | AF_INET6) {
            return Err(WsaError::WSAEAFNOSUPPORT);
        }
        if !(0..=5).contains(&hints.socktype) {
            return Err(WsaError::WSAESOCKTNOSUPPORT);
        }
        if node.is_none() && service.is_none() {
            return Err(WsaError::WSAHOST_NOT_FOUND);
        }
        if node.is_none() && hints.flags & AI_CANONNAME != 0 {
            return Err(WsaError::WSAEINVAL);
        }
        let numeric_only = hints.flags & AI_NUMERICSERV != 0;
        let port = service_port(
            &self.w().net.hosts[self.host].services,
            service,
            numeric_only,
        )?;
        if let Some(name) = dns_name(node, hints.flags) {
            self.resolution_fault("getaddrinfo", name)?;
        }
        let (addrs, canon) = self.lookup(&self.w(), node, hints.flags)?;
        let mut out: Vec<AddrInfo> = addrs
            .into_iter()
            .filter(|a| match hints.family {
                AF_INET => a.is_ipv4(),
                AF_INET6 => a.is_ipv6(),
                _ => true,
            })
            .map(|ip| AddrInfo {
                flags: 0,
                family: if ip.is_ipv4() { AF_INET } else { AF_INET6 },
                socktype: hints.socktype,
                protocol: hints.protocol,
                canonname: None,
                addr: SockAddr::from(SocketAddr::new(ip, port)),
            })
            .collect();
        if out.is_empty() {
            return Err(WsaError::WSAHOST_NOT_FOUND);
        }
        if hints.flags & AI_CANONNAME != 0 {
            out[0].canonname = Some(canon);
        }
        Ok(out)
    }

    fn getnameinfo_now(&self, addr: &SockAddr, flags: i32) -> Result<(String, String), WsaError> {
        let a = addr.parse()?;
        let ip = match a {
            SocketAddr::V6(v6) => v6
                .ip()
                .to_ipv4_mapped()
                .map_or(IpAddr::V6(*v6.ip()), IpAddr::V4),
            SocketAddr::V4(v4) => IpAddr::V4(*v4.ip()),
        };
        // A numeric host is written as inet_ntop writes it (Windows' IPv6 text rules,
        // `addr_text::ipv6_text`; a scope id other than 0 as "%scope").
        let numeric = || match a {
            SocketAddr::V4(v4) => v4.ip().to_string(),
            SocketAddr::V6(v6) => crate::api::addr_text::ipv6_text(*v6.ip(), v6.scope_id(), 0),
        };
        let host = if flags & NI_NUMERICHOST != 0 {
            numeric()
        } else {
            let w = self.w();
            let owner = if ip.is_loopback() {
                Some(self.host)
            } else {
                w.net.hosts.iter().position(|h| h.addrs.contains(&ip))
            };
            match owner {
                Some(h) => w.net.hosts[h].name.clone(),
                None if flags & NI_NAMEREQD != 0 => return Err(WsaError::WSAHOST_NOT_FOUND),
                None => numeric(),
            }
        };
        let transport = if flags & NI_DGRAM != 0 {
            Transport::Udp
        } else {
            Transport::Tcp
        };
        let service = (flags & NI_NUMERICSERV == 0)
            .then(|| {
                let extra = &self.w().net.hosts[self.host].services;
                database::service_name(extra, a.port(), transport)
            })
            .flatten()
            .unwrap_or_else(|| a.port().to_string());
        Ok((host, service))
    }
}

impl Resolve for SimWinsock {
    fn getaddrinfo(
        &self,
        node: Option<&str>,
        service: Option<&str>,
        hints: Option<&AddrInfoHints>,
    ) -> Result<Vec<AddrInfo>, WsaError> {
        let hints = hints.copied().unwrap_or_default();
        self.call(
            "getaddrinfo",
            hints.flags as u64,
            hints.family as u64,
            |this| {
                this.resolution_delay("getaddrinfo")?;
                this.getaddrinfo_now(node, service, &hints)
            },
        )
    }

    fn getnameinfo(&self, addr: &SockAddr, flags: i32) -> Result<(String, String), WsaError> {
        self.call("getnameinfo", flags as u64, 0, |this| {
            this.resolution_delay("getnameinfo")?;
            // A reverse lookup of an address that is not loopback goes to the name server.
            if flags & NI_NUMERICHOST == 0 {
                if let Ok(a) = addr.parse() {
                    if !a.ip().is_loopback() {
                        this.resolution_fault("getnameinfo", &a.ip().to_string())?;
                    }
                }
            }
            this.getnameinfo_now(addr, flags)
        })
    }

    fn gethostname(&self) -> Result<String, WsaError> {
        self.call("gethostname", 0, 0, |this| {
            Ok(this.w().net.hosts[this.host].name.clone())
        })
    }

    fn getprotobyname(&self, name: &str) -> Result<Protoent, WsaError> {
        self.call("getprotobyname", name.len() as u64, 0, |_| {
            database::protocol_by_name(name).ok_or(WsaError::WSANO_DATA)
        })
    }

    fn getprotobynumber(&self, number: i32) -> Result<Protoent, WsaError> {
        self.call("getprotobynumber", number as u64, 0, |_| {
            database::protocol_by_number(number).ok_or(WsaError::WSANO_DATA)
        })
    }

    fn getservbyname(&self, name: &str, proto: Option<&str>) -> Result<Servent, WsaError> {
        self.call("getservbyname", name.len() as u64, 0, |this| {
            let extra = &this.w().net.hosts[this.host].services;
            database::service_by_name(extra, name, proto).ok_or(WsaError::WSANO_DATA)
        })
    }

    fn getservbyport(&self, port: u16, proto: Option<&str>) -> Result<Servent, WsaError> {
        self.call("getservbyport", u64::from(port), 0, |this| {
            let extra = &this.w().net.hosts[this.host].services;
            database::service_by_port(extra, port, proto).ok_or(WsaError::WSANO_DATA)
        })
    }

    fn wsa_string_to_address(&self, s: &str, family: i32) -> Result<SockAddr, WsaError> {
        self.call("WSAStringToAddress", family as u64, 0, |_| {
            string_to_address(s, family)
        })
    }

    fn wsa_address_to_string(&self, addr: &SockAddr) -> Result<String, WsaError> {
        self.call("WSAAddressToString", 0, 0, |_| address_to_string(addr))
    }
}
