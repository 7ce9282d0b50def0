//! Name resolution: `getaddrinfo` / `GetAddrInfoW`, `getnameinfo`, `gethostbyname`,
//! `gethostname` (also into a C buffer, and `GetHostNameW`), the protocol and service
//! database (`getprotobyname`, `getprotobynumber`, `getservbyname`, `getservbyport`, over
//! the files in [`database`](super::database)), `WSAStringToAddress`, `WSAAddressToString`
//! (and, needing no backend, `inet_pton` / `inet_ntop` in [`addr_text`](super::addr_text)).
//!
//! In the simulator, hosts resolve by the names given to `Sim::host` (case-insensitively, as
//! DNS does), `localhost` by the loopback addresses, numeric hosts by themselves; the calls
//! go through the fault seam: a `FaultRule::Resolve` makes lookups of a name (or every
//! lookup, on every host or one) fail with a chosen code (WSAHOST_NOT_FOUND, WSATRY_AGAIN,
//! WSANO_RECOVERY, ...) or answer late, and `SimBuilder::resolve_delay` makes every lookup
//! take a DNS round trip. The simulator and `os::Native` (ws2_32's own calls, on Windows)
//! implement [`Resolve`]; `os::System` does not.
//!
//! Results follow Windows as Wine's `dlls/ws2_32/tests/protocol.c` records it: each result
//! carries the hints' socket type and protocol as given (one result per address, not one per
//! type as on Linux), `ai_flags` 0, and with AF_UNSPEC the IPv6 addresses come first (Windows'
//! default prefix policy prefers IPv6).

use super::database::{service_port_by_name, ServiceEntry};
pub use super::database::{Protoent, Servent};
use super::types::SockAddr;
use super::{Winsock, WsaError};

/// AI_PASSIVE (0x01): with no node name, the wildcard address (for `bind`) instead of loopback.
pub const AI_PASSIVE: i32 = 0x01;
/// AI_CANONNAME (0x02): the first result carries the canonical name.
pub const AI_CANONNAME: i32 = 0x02;
/// AI_NUMERICHOST (0x04): the node must be a numeric address (no name lookup).
pub const AI_NUMERICHOST: i32 = 0x04;
/// AI_NUMERICSERV (0x08): the service must be a port number.
pub const AI_NUMERICSERV: i32 = 0x08;
/// AI_DNS_ONLY (0x10): ask the DNS provider only (protocol.c test_getaddrinfo passes it with
/// AI_ALL; the results are those of any lookup, `ai_flags` 0).
pub const AI_DNS_ONLY: i32 = 0x10;
/// AI_ALL (0x0100): with AI_V4MAPPED, all addresses.
pub const AI_ALL: i32 = 0x0100;
/// AI_ADDRCONFIG (0x0400): only families the host has a (non-loopback) address of.
pub const AI_ADDRCONFIG: i32 = 0x0400;
/// AI_V4MAPPED (0x0800): with AF_INET6 and no IPv6 address, IPv4 ones as v4-mapped.
pub const AI_V4MAPPED: i32 = 0x0800;

/// NI_NOFQDN (0x01): only the host part of a local name.
pub const NI_NOFQDN: i32 = 0x01;
/// NI_NUMERICHOST (0x02): the address as text, no reverse lookup.
pub const NI_NUMERICHOST: i32 = 0x02;
/// NI_NAMEREQD (0x04): fail (WSAHOST_NOT_FOUND) when the address has no name.
pub const NI_NAMEREQD: i32 = 0x04;
/// NI_NUMERICSERV (0x08): the port as a number, not a service name.
pub const NI_NUMERICSERV: i32 = 0x08;
/// NI_DGRAM (0x10): the service is a datagram one (matters for a few ports).
pub const NI_DGRAM: i32 = 0x10;
/// NI_MAXHOST (1025): the host buffer size `getnameinfo` callers use.
pub const NI_MAXHOST: usize = 1025;
/// NI_MAXSERV (32): the service buffer size `getnameinfo` callers use.
pub const NI_MAXSERV: usize = 32;

/// EAI_AGAIN (= WSATRY_AGAIN, 11002): a temporary failure of name resolution.
pub const EAI_AGAIN: i32 = 11002;
/// EAI_BADFLAGS (= WSAEINVAL, 10022): invalid `ai_flags`.
pub const EAI_BADFLAGS: i32 = 10022;
/// EAI_FAIL (= WSANO_RECOVERY, 11003): a nonrecoverable failure.
pub const EAI_FAIL: i32 = 11003;
/// EAI_FAMILY (= WSAEAFNOSUPPORT, 10047): `ai_family` not supported.
pub const EAI_FAMILY: i32 = 10047;
/// EAI_NONAME (= WSAHOST_NOT_FOUND, 11001): the name does not resolve (EAI_NODATA is the same
/// value on Windows).
pub const EAI_NONAME: i32 = 11001;
/// EAI_SERVICE (= WSATYPE_NOT_FOUND, 10109): the service is not known.
pub const EAI_SERVICE: i32 = 10109;
/// EAI_SOCKTYPE (= WSAESOCKTNOSUPPORT, 10044): `ai_socktype` not supported.
pub const EAI_SOCKTYPE: i32 = 10044;

/// The port of a service string: empty is 0, digits are a port, names (and aliases) come from
/// the `services` file ([`database`](super::database)) and the host's `extra` lines, of
/// either transport.
pub(crate) fn service_port(
    extra: &[ServiceEntry],
    service: Option<&str>,
    numeric_only: bool,
) -> Result<u16, WsaError> {
    let s = match service {
        None | Some("") => return Ok(0),
        Some(s) => s,
    };
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u16>().map_err(|_| WsaError::WSATYPE_NOT_FOUND);
    }
    if numeric_only {
        return Err(WsaError::WSATYPE_NOT_FOUND);
    }
    service_port_by_name(extra, s).ok_or(WsaError::WSATYPE_NOT_FOUND)
}

/// `text` and a NUL (`T::default()`) into a C caller's buffer: WSAEFAULT, the buffer
/// untouched, for a NULL one or one without room for both.
fn write_c_string<T: Copy + Default>(buf: Option<&mut [T]>, text: &[T]) -> Result<(), WsaError> {
    match buf {
        Some(buf) if buf.len() > text.len() => {
            buf[..text.len()].copy_from_slice(text);
            buf[text.len()] = T::default();
            Ok(())
        }
        _ => Err(WsaError::WSAEFAULT),
    }
}

/// ADDRINFO hints: what `getaddrinfo` should return (zeroed hints: any family, type and
/// protocol).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddrInfoHints {
    /// ai_flags: AI_*.
    pub flags: i32,
    /// ai_family: AF_UNSPEC, AF_INET or AF_INET6.
    pub family: i32,
    /// ai_socktype: 0, SOCK_STREAM, SOCK_DGRAM, ...
    pub socktype: i32,
    /// ai_protocol: 0, IPPROTO_TCP, IPPROTO_UDP, ...
    pub protocol: i32,
}

/// One ADDRINFO result of `getaddrinfo` (the linked list is a `Vec`, `freeaddrinfo` is drop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    /// ai_flags (0 in Windows' results).
    pub flags: i32,
    /// ai_family: AF_INET or AF_INET6.
    pub family: i32,
    /// ai_socktype: the hints' value, as given.
    pub socktype: i32,
    /// ai_protocol: the hints' value, as given.
    pub protocol: i32,
    /// ai_canonname: on the first result with AI_CANONNAME.
    pub canonname: Option<String>,
    /// ai_addr / ai_addrlen: the address with the service's port.
    pub addr: SockAddr,
}

/// A HOSTENT from `gethostbyname`: the structure's pointers as owned values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostent {
    /// h_name: the official (canonical) name.
    pub name: String,
    /// h_aliases: other names of the host (none in the simulator).
    pub aliases: Vec<String>,
    /// h_addrtype: AF_INET (`gethostbyname` answers IPv4 only).
    pub family: i32,
    /// h_addr_list: the IPv4 addresses, each `h_length` = 4 bytes in network order.
    pub addrs: Vec<[u8; 4]>,
}

/// The name-resolution calls.
///
/// ```
/// use winsock_sim::prelude::*;
///
/// /// The listening socket of a server, set up as Microsoft's samples do.
/// fn listen_on<W: Resolve>(ws: &W, port: &str) -> Result<Socket, WsaError> {
///     let hints = AddrInfoHints { flags: AI_PASSIVE, family: AF_INET, socktype: SOCK_STREAM,
///                                 protocol: IPPROTO_TCP };
///     let ai = ws.getaddrinfo(None, Some(port), Some(&hints))?;
///     let s = ws.socket(ai[0].family, ai[0].socktype, ai[0].protocol)?;
///     ws.bind(s, &ai[0].addr)?;
///     ws.listen(s, SOMAXCONN)?;
///     Ok(s)
/// }
/// ```
pub trait Resolve: Winsock {
    /// `getaddrinfo(pNodeName, pServiceName, pHints, ppResult)`: the addresses of a host name
    /// (or numeric address, or `"localhost"`, or `""` for this host) with the service's port.
    /// No node: the wildcard addresses with AI_PASSIVE, else the loopback ones. Errors: no
    /// node and no service or an unknown name: WSAHOST_NOT_FOUND; a bad family:
    /// WSAEAFNOSUPPORT; a bad socket type: WSAESOCKTNOSUPPORT; an unknown service:
    /// WSATYPE_NOT_FOUND; AI_CANONNAME without a node: WSAEINVAL. Needs WSAStartup.
    fn getaddrinfo(
        &self,
        node: Option<&str>,
        service: Option<&str>,
        hints: Option<&AddrInfoHints>,
    ) -> Result<Vec<AddrInfo>, WsaError>;

    /// `getnameinfo(pSockaddr, SockaddrLength, pNodeBuffer, .., pServiceBuffer, .., Flags)`: the
    /// host name and service of an address. A host's own address gives its name, a loopback
    /// one this host's name; an address without a name gives its text (WSAHOST_NOT_FOUND with
    /// NI_NAMEREQD). The service is a name for well-known ports unless NI_NUMERICSERV. A short
    /// address: WSAEFAULT; another family: WSAEAFNOSUPPORT.
    fn getnameinfo(&self, addr: &SockAddr, flags: i32) -> Result<(String, String), WsaError>;

    /// `gethostbyname(name)`: the IPv4 addresses of a host name (or numeric address,
    /// `"localhost"`: 127.0.0.1, `""`: this host's addresses). Before `WSAStartup`:
    /// WSANOTINITIALISED (sock.c test_WithoutWSAStartup); an unknown name:
    /// WSAHOST_NOT_FOUND; a name with IPv6 addresses only: WSANO_DATA. The simulator answers
    /// from its `getaddrinfo` (this default); `os::Native` calls ws2_32's `gethostbyname`.
    fn gethostbyname(&self, name: &str) -> Result<Hostent, WsaError> {
        let hints = AddrInfoHints {
            flags: AI_CANONNAME,
            ..AddrInfoHints::default()
        };
        let list = self.getaddrinfo(Some(name), None, Some(&hints))?;
        let addrs: Vec<[u8; 4]> = list
            .iter()
            .filter_map(|ai| match ai.addr.parse() {
                Ok(std::net::SocketAddr::V4(a)) => Some(a.ip().octets()),
                _ => None,
            })
            .collect();
        if addrs.is_empty() {
            self.wsa_set_last_error(WsaError::WSANO_DATA.code());
            return Err(WsaError::WSANO_DATA);
        }
        let canon = list.iter().find_map(|ai| ai.canonname.clone());
        Ok(Hostent {
            name: canon.unwrap_or_else(|| name.to_string()),
            aliases: Vec::new(),
            family: super::consts::AF_INET,
            addrs,
        })
    }

    /// `gethostname(name, namelen)`: this host's name (the one given to `Sim::host`).
    fn gethostname(&self) -> Result<String, WsaError>;

    /// `gethostname(name, namelen)` into the caller's buffer, as the C call writes it: the
    /// name and its NUL. Before `WSAStartup`: WSANOTINITIALISED; `None` (a NULL `name`) or a
    /// buffer without room for the NUL (`namelen` ≤ the name's length): WSAEFAULT, the buffer
    /// untouched (protocol.c test_gethostname). The simulator writes
    /// [`Resolve::gethostname`]'s name; `os::Native` calls ws2_32's.
    fn gethostname_c(&self, name: Option<&mut [u8]>) -> Result<(), WsaError> {
        let host = self.gethostname()?;
        super::c_call::finish(self, write_c_string(name, host.as_bytes()))
    }

    /// `GetHostNameW(name, namelen)`: [`Resolve::gethostname_c`] in UTF-16, `namelen` in
    /// WCHARs (protocol.c test_GetHostNameW): the name and its NUL, or WSAEFAULT for a NULL
    /// buffer or one without room for both, untouched.
    fn get_host_name_w(&self, name: Option<&mut [u16]>) -> Result<(), WsaError> {
        let host: Vec<u16> = self.gethostname()?.encode_utf16().collect();
        super::c_call::finish(self, write_c_string(name, &host))
    }

    /// `getprotobyname(name)`: the `protocol` file's line whose name or alias is `name`
    /// (without case): `"tcp"`, `"UDP"`, `"ipv6-icmp"`. Not in the file: WSANO_DATA; before
    /// `WSAStartup`: WSANOTINITIALISED. The simulator reads Windows' default file
    /// ([`database`](super::database)); `os::Native` calls ws2_32's.
    fn getprotobyname(&self, name: &str) -> Result<Protoent, WsaError>;

    /// `getprotobynumber(number)`: the `protocol` file's line of protocol `number` (19 lines,
    /// 0 `ip` to 66 `rvd`). Not in the file: WSANO_DATA; before `WSAStartup`:
    /// WSANOTINITIALISED.
    fn getprotobynumber(&self, number: i32) -> Result<Protoent, WsaError>;

    /// `getservbyname(name, proto)`: the first `services` line whose name or alias is `name`
    /// and whose protocol is `proto` (`"tcp"`, `"udp"`; `None`, a NULL `proto`, takes the
    /// first line of either), compared without case. Each name is read as the C call reads
    /// it, up to its first NUL. Not in the file: WSANO_DATA; before `WSAStartup`:
    /// WSANOTINITIALISED.
    fn getservbyname(&self, name: &str, proto: Option<&str>) -> Result<Servent, WsaError>;

    /// `getservbyport(htons(port), proto)`: the first `services` line of `port` (given here in
    /// host byte order) and protocol `proto` (`None` takes either). Not in the file:
    /// WSANO_DATA; before `WSAStartup`: WSANOTINITIALISED.
    fn getservbyport(&self, port: u16, proto: Option<&str>) -> Result<Servent, WsaError>;

    /// `WSAStringToAddressA(AddressString, AddressFamily, NULL, lpAddress, &len)`: see
    /// [`string_to_address`](super::addr_text::string_to_address). Needs WSAStartup.
    fn wsa_string_to_address(&self, s: &str, family: i32) -> Result<SockAddr, WsaError>;

    /// `WSAAddressToStringA(lpsaAddress, len, NULL, lpszAddressString, &len)`: see
    /// [`address_to_string`](super::addr_text::address_to_string). Needs WSAStartup.
    fn wsa_address_to_string(&self, addr: &SockAddr) -> Result<String, WsaError>;
}
