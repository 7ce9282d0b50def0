//! Value types of the WinSock surface: `SOCKET`, `sockaddr`, `WSADATA`, `LINGER`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::consts::{AF_INET, AF_INET6, INVALID_SOCKET};
use super::error::WsaError;

/// SOCKET: an opaque socket handle.
///
/// The sim hands out small multiples of 4 (as Windows' handle table does) and reuses a value
/// after `closesocket`. Any value may be built with [`Socket::from_raw`]; a value that names no
/// open socket gives WSAENOTSOCK, never a panic.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Socket(usize);

impl Socket {
    /// INVALID_SOCKET (`~0`).
    pub const INVALID: Socket = Socket(INVALID_SOCKET);

    /// A handle from its raw value (for handles read from elsewhere, or deliberately bad ones).
    pub const fn from_raw(raw: usize) -> Socket {
        Socket(raw)
    }

    /// The raw handle value.
    pub const fn raw(self) -> usize {
        self.0
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == INVALID_SOCKET {
            f.write_str("INVALID_SOCKET")
        } else {
            write!(f, "SOCKET({:#x})", self.0)
        }
    }
}

impl fmt::Display for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Size of `SOCKADDR_IN` in bytes.
pub const SOCKADDR_IN_LEN: usize = 16;
/// Size of `SOCKADDR_IN6` in bytes.
pub const SOCKADDR_IN6_LEN: usize = 28;

/// A `sockaddr` as bytes in Windows' layout: `SOCKADDR_IN` (16 bytes) or `SOCKADDR_IN6`
/// (28 bytes), family in host order, port and IPv4 address in network order.
///
/// Kept as bytes so that the length and family checks of `bind`/`connect` behave as Windows'
/// do (a short length gives WSAEFAULT, an unknown family WSAEAFNOSUPPORT); build well-formed
/// ones with [`SockAddr::v4`], [`SockAddr::v6`] or `From<SocketAddr>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SockAddr {
    bytes: [u8; SOCKADDR_IN6_LEN],
    len: u8,
}

impl SockAddr {
    /// An IPv4 address and port (`SOCKADDR_IN`).
    pub fn v4(ip: [u8; 4], port: u16) -> SockAddr {
        SockAddr::from(SocketAddr::from((ip, port)))
    }

    /// An IPv6 address and port (`SOCKADDR_IN6`, flow info and scope 0).
    pub fn v6(ip: [u16; 8], port: u16) -> SockAddr {
        SockAddr::from(SocketAddr::from((Ipv6Addr::from(ip), port)))
    }

    /// Raw bytes, at most 28 (longer input is cut, as a `namelen` larger than the structure
    /// is). Used to pass malformed addresses on purpose.
    pub fn from_bytes(bytes: &[u8]) -> SockAddr {
        let mut out = SockAddr {
            bytes: [0; SOCKADDR_IN6_LEN],
            len: bytes.len().min(SOCKADDR_IN6_LEN) as u8,
        };
        out.bytes[..out.len as usize].copy_from_slice(&bytes[..out.len as usize]);
        out
    }

    /// The bytes as the C structure holds them (`namelen` = `as_bytes().len()`).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The `sa_family` field, or 0 when fewer than 2 bytes are present.
    pub fn family(&self) -> i32 {
        if self.len < 2 {
            0
        } else {
            i32::from(u16::from_le_bytes([self.bytes[0], self.bytes[1]]))
        }
    }

    /// Decodes the address as `bind`/`connect` do: WSAEFAULT when the length is too short for
    /// the family, WSAEAFNOSUPPORT for a family other than AF_INET / AF_INET6.
    pub fn parse(&self) -> Result<SocketAddr, WsaError> {
        let b = &self.bytes;
        if self.len < 2 {
            return Err(WsaError::WSAEFAULT);
        }
        match self.family() {
            AF_INET if (self.len as usize) >= SOCKADDR_IN_LEN => {
                let port = u16::from_be_bytes([b[2], b[3]]);
                let ip = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
                Ok(SocketAddr::V4(SocketAddrV4::new(ip, port)))
            }
            AF_INET6 if (self.len as usize) >= SOCKADDR_IN6_LEN => {
                let port = u16::from_be_bytes([b[2], b[3]]);
                let flow = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
                let mut ip = [0u8; 16];
                ip.copy_from_slice(&b[8..24]);
                let scope = u32::from_le_bytes([b[24], b[25], b[26], b[27]]);
                Ok(SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(ip),
                    port,
                    flow,
                    scope,
                )))
            }
            AF_INET | AF_INET6 => Err(WsaError::WSAEFAULT),
            _ => Err(WsaError::WSAEAFNOSUPPORT),
        }
    }

    /// The address as a `std` socket address, if it is well formed.
    pub fn to_socket_addr(&self) -> Option<SocketAddr> {
        self.parse().ok()
    }

    /// The port, if the address is well formed.
    pub fn port(&self) -> Option<u16> {
        self.to_socket_addr().map(|a| a.port())
    }
}

impl From<SocketAddr> for SockAddr {
    fn from(a: SocketAddr) -> SockAddr {
        let mut bytes = [0u8; SOCKADDR_IN6_LEN];
        match a {
            SocketAddr::V4(v4) => {
                bytes[0..2].copy_from_slice(&(AF_INET as u16).to_le_bytes());
                bytes[2..4].copy_from_slice(&v4.port().to_be_bytes());
                bytes[4..8].copy_from_slice(&v4.ip().octets());
                SockAddr {
                    bytes,
                    len: SOCKADDR_IN_LEN as u8,
                }
            }
            SocketAddr::V6(v6) => {
                bytes[0..2].copy_from_slice(&(AF_INET6 as u16).to_le_bytes());
                bytes[2..4].copy_from_slice(&v6.port().to_be_bytes());
                bytes[4..8].copy_from_slice(&v6.flowinfo().to_be_bytes());
                bytes[8..24].copy_from_slice(&v6.ip().octets());
                bytes[24..28].copy_from_slice(&v6.scope_id().to_le_bytes());
                SockAddr {
                    bytes,
                    len: SOCKADDR_IN6_LEN as u8,
                }
            }
        }
    }
}

impl fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parse() {
            Ok(a) => write!(f, "{a}"),
            Err(_) => write!(f, "SockAddr(raw {:?})", self.as_bytes()),
        }
    }
}

impl fmt::Display for SockAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// WSADATA: what `WSAStartup` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsaData {
    /// wVersion: the version the caller will use (2.2 as `0x0202`).
    pub version: u16,
    /// wHighVersion: the highest version supported (2.2).
    pub high_version: u16,
    /// szDescription.
    pub description: String,
    /// szSystemStatus.
    pub system_status: String,
    /// iMaxSockets: 32767 when a 1.x version was asked for, else 0 (WinSock 2 leaves it
    /// unused).
    pub max_sockets: u16,
    /// iMaxUdpDg: 65467 when a 1.x version was asked for, else 0.
    pub max_udp_dg: u16,
}

impl WsaData {
    /// What `WSAStartup(wVersionRequested)` grants, as Windows does: a major version of 0 is
    /// WSAVERNOTSUPPORTED; 1.0 and 1.1 as asked, a later 1.x as 1.1; 2.0 to 2.2 as asked, anything later as 2.2; wHighVersion
    /// 2.2 and szDescription "WinSock 2.0" whatever was asked, iMaxSockets and iMaxUdpDg
    /// 32767 and 65467 for a 1.x request and 0 for a later one (Wine's protocol.c
    /// test_startup, which records Windows). The simulator and `os::System` both answer so.
    pub fn granted(version: u16) -> Result<WsaData, WsaError> {
        let (major, minor) = (version & 0xff, version >> 8);
        let v = match (major, minor) {
            (0, _) => return Err(WsaError::WSAVERNOTSUPPORTED),
            (1, m) if m > 1 => 0x0101,
            (1, _) | (2, 0..=2) => version,
            _ => super::consts::WINSOCK_VERSION_2_2,
        };
        Ok(WsaData {
            version: v,
            high_version: super::consts::WINSOCK_VERSION_2_2,
            description: "WinSock 2.0".to_string(),
            system_status: "Running".to_string(),
            max_sockets: if major == 1 { 32767 } else { 0 },
            max_udp_dg: if major == 1 { 65467 } else { 0 },
        })
    }
}

/// LINGER: the SO_LINGER option value (`u_short l_onoff; u_short l_linger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Linger {
    /// l_onoff: non-zero enables lingering.
    pub onoff: u16,
    /// l_linger: seconds to linger; {1, 0} makes `closesocket` abortive (RST).
    pub linger: u16,
}

impl Linger {
    /// The 4 bytes `setsockopt(SO_LINGER)` takes.
    pub fn to_bytes(self) -> [u8; 4] {
        let mut b = [0u8; 4];
        b[0..2].copy_from_slice(&self.onoff.to_le_bytes());
        b[2..4].copy_from_slice(&self.linger.to_le_bytes());
        b
    }

    /// Decodes the 4 bytes `getsockopt(SO_LINGER)` gives.
    pub fn from_bytes(b: [u8; 4]) -> Linger {
        Linger {
            onoff: u16::from_le_bytes([b[0], b[1]]),
            linger: u16::from_le_bytes([b[2], b[3]]),
        }
    }
}

/// `struct tcp_keepalive`: the input of `WSAIoctl(SIO_KEEPALIVE_VALS)` (three ULONGs).
/// The sim turns keep-alive on or off and takes both times to the millisecond.
///
/// ```
/// # use winsock_sim::prelude::*;
/// let v = TcpKeepalive { onoff: 1, keepalivetime: 5_000, keepaliveinterval: 500 };
/// assert_eq!(TcpKeepalive::from_bytes(&v.to_bytes()), Some(v));
/// assert_eq!(TcpKeepalive::from_bytes(&v.to_bytes()[..11]), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpKeepalive {
    /// onoff: non-zero turns keep-alive on (as SO_KEEPALIVE), zero off.
    pub onoff: u32,
    /// keepalivetime: milliseconds without a segment from the peer before the first probe.
    pub keepalivetime: u32,
    /// keepaliveinterval: milliseconds between probes while none is answered.
    pub keepaliveinterval: u32,
}

impl TcpKeepalive {
    /// The 12 bytes `WSAIoctl(SIO_KEEPALIVE_VALS)` takes.
    pub fn to_bytes(self) -> [u8; 12] {
        let mut b = [0u8; 12];
        for (i, v) in [self.onoff, self.keepalivetime, self.keepaliveinterval]
            .into_iter()
            .enumerate()
        {
            b[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    /// Decodes the first 12 bytes of `b`; `None` when it is shorter (WSAEFAULT).
    pub fn from_bytes(b: &[u8]) -> Option<TcpKeepalive> {
        let word = |i: usize| {
            Some(u32::from_le_bytes(
                b.get(4 * i..4 * i + 4)?.try_into().ok()?,
            ))
        };
        Some(TcpKeepalive {
            onoff: word(0)?,
            keepalivetime: word(1)?,
            keepaliveinterval: word(2)?,
        })
    }
}

/// `TCP_INITIAL_RTO_PARAMETERS`: the input of `WSAIoctl(SIO_TCP_INITIAL_RTO)` (a USHORT
/// `Rtt`, a UCHAR `MaxSynRetransmissions`, one byte of padding). The sim takes `rtt` as the
/// initial round-trip estimate in milliseconds, the first SYN timeout three times it (RFC
/// 6298's first RTO; doubling after each, at most 60 s), and `max_syn_retransmissions` as
/// how many SYNs follow the first.
///
/// ```
/// # use winsock_sim::prelude::*;
/// let p = TcpInitialRtoParameters { rtt: 250, max_syn_retransmissions: 1 };
/// assert_eq!(p.to_bytes(), [250, 0, 1, 0]);
/// assert_eq!(TcpInitialRtoParameters::from_bytes(&p.to_bytes()), Some(p));
/// assert_eq!(TcpInitialRtoParameters::from_bytes(&p.to_bytes()[..3]), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpInitialRtoParameters {
    /// Rtt: the initial round-trip estimate in milliseconds (0: the default; 0xFFFF:
    /// unspecified, the configured value).
    pub rtt: u16,
    /// MaxSynRetransmissions (0: the default; 0xFF: unspecified; 0xFE: none).
    pub max_syn_retransmissions: u8,
}

impl TcpInitialRtoParameters {
    /// The 4 bytes `WSAIoctl(SIO_TCP_INITIAL_RTO)` takes (`sizeof(TCP_INITIAL_RTO_PARAMETERS)`).
    pub fn to_bytes(self) -> [u8; 4] {
        let r = self.rtt.to_le_bytes();
        [r[0], r[1], self.max_syn_retransmissions, 0]
    }

    /// Decodes the first 4 bytes of `b`; `None` when it is shorter (WSAEFAULT).
    pub fn from_bytes(b: &[u8]) -> Option<TcpInitialRtoParameters> {
        let b: &[u8; 4] = b.first_chunk()?;
        Some(TcpInitialRtoParameters {
            rtt: u16::from_le_bytes([b[0], b[1]]),
            max_syn_retransmissions: b[2],
        })
    }
}

/// SYSTEM_INFO: what `GetSystemInfo` reports that servers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemInfo {
    /// dwNumberOfProcessors (the sim's configured CPU count; the host's in the OS backend).
    pub number_of_processors: u32,
}

/// A simulated or real thread's identity, as returned by thread creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadId(pub(crate) usize);

impl ThreadId {
    /// The thread's index (the sim numbers threads from 0 in creation order).
    pub fn index(self) -> usize {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_layout_matches_sockaddr_in() {
        let a = SockAddr::v4([127, 0, 0, 1], 0x1234);
        assert_eq!(
            a.as_bytes(),
            &[2, 0, 0x12, 0x34, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(a.parse().unwrap(), "127.0.0.1:4660".parse().unwrap());
    }

    #[test]
    fn short_and_foreign_addresses_are_rejected_like_bind() {
        let a = SockAddr::v4([127, 0, 0, 1], 80);
        assert_eq!(
            SockAddr::from_bytes(&a.as_bytes()[..15]).parse(),
            Err(WsaError::WSAEFAULT)
        );
        assert_eq!(SockAddr::from_bytes(&[]).parse(), Err(WsaError::WSAEFAULT));
        let mut b = a.as_bytes().to_vec();
        b[0] = 0xad;
        b[1] = 0xde;
        assert_eq!(
            SockAddr::from_bytes(&b).parse(),
            Err(WsaError::WSAEAFNOSUPPORT)
        );
    }

    #[test]
    fn v6_round_trips() {
        let a = SockAddr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 9000);
        assert_eq!(a.as_bytes().len(), SOCKADDR_IN6_LEN);
        assert_eq!(a.parse().unwrap(), "[2001:db8::1]:9000".parse().unwrap());
    }

    #[test]
    fn linger_bytes_round_trip() {
        let l = Linger {
            onoff: 1,
            linger: 189,
        };
        assert_eq!(Linger::from_bytes(l.to_bytes()), l);
    }
}
