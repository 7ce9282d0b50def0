//! `WSAPROTOCOL_INFO`: the catalogue entry describing a socket's provider, as
//! `getsockopt(SO_PROTOCOL_INFOA/W)`, `WSAEnumProtocols` and `WSADuplicateSocket` return it
//! and `WSASocket` takes it — and the [`ProtocolInfoApi`] calls around it.
//!
//! [`WsaProtocolInfo`] holds every field of the C structure; [`WsaProtocolInfo::encode_a`] /
//! [`WsaProtocolInfo::encode_w`] give the exact x64 layout (372 bytes for WSAPROTOCOL_INFOA,
//! 628 for WSAPROTOCOL_INFOW: the fixed fields take 116 bytes, then `szProtocol[256]`), and
//! the `decode_*` functions read it back.
//!
//! The catalogue ([`catalog`]) has the four entries of Microsoft's base provider that the
//! simulator's sockets can be: TCP and UDP over IPv4 and IPv6. Their values are Windows':
//! service flags as Wine's protocol.c checks them (`TCPIP_SERVICE_FLAGS`,
//! `UDPIP_SERVICE_FLAGS`), PFL_MATCHES_PROTOCOL_ZERO (sock.c test_WSASocket: `socket(AF_INET,
//! 0, 0)` gives the first such entry, TCP), address sizes 16 and 28, a maximum message of
//! 65,527 bytes for UDP, and the names `MSAFD Tcpip [TCP/IP]` etc. Where a value varies from
//! machine to machine it is a documented choice: the provider GUID is the base provider's
//! `{E70F1AA0-AB8B-11CF-8CA3-00805F48A192}` for all four (Windows Vista and later serve IPv6
//! from the same provider), and the catalogue entry ids are 1001, 1002 (TCP, UDP over IPv4)
//! and 1004, 1005 (over IPv6), the order of a fresh install's catalogue with the RAW entries
//! (1003, 1006), which the simulator does not have, left out.

use super::consts::*;
use super::extension::Guid;
use super::types::Socket;
use super::{Winsock, WsaError};

/// sizeof(WSAPROTOCOL_INFOA) on x64: 116 bytes of fixed fields and `CHAR szProtocol[256]`.
pub const WSAPROTOCOL_INFOA_LEN: usize = 372;
/// sizeof(WSAPROTOCOL_INFOW) on x64: 116 bytes of fixed fields and `WCHAR szProtocol[256]`.
pub const WSAPROTOCOL_INFOW_LEN: usize = 628;
/// Offset of `szProtocol` in both structures (FIELD_OFFSET(WSAPROTOCOL_INFOA, szProtocol)).
pub const SZ_PROTOCOL_OFFSET: usize = 116;
/// WSAPROTOCOL_LEN (255): the longest protocol name, without its terminating NUL.
pub const WSAPROTOCOL_LEN: usize = 255;
/// MAX_PROTOCOL_CHAIN (7): the entries of a `WSAPROTOCOLCHAIN`.
pub const MAX_PROTOCOL_CHAIN: usize = 7;
/// BASE_PROTOCOL (1): `ChainLen` of a base provider's entry.
pub const BASE_PROTOCOL: i32 = 1;

/// SO_PROTOCOL_INFOA (0x2004): `getsockopt` fills a WSAPROTOCOL_INFOA (372 bytes).
pub const SO_PROTOCOL_INFOA: i32 = 0x2004;
/// SO_PROTOCOL_INFOW (0x2005): `getsockopt` fills a WSAPROTOCOL_INFOW (628 bytes).
pub const SO_PROTOCOL_INFOW: i32 = 0x2005;
/// FROM_PROTOCOL_INFO (-1): a `WSASocket` argument to take from the protocol info.
pub const FROM_PROTOCOL_INFO: i32 = -1;

/// XP1_CONNECTIONLESS (0x1): datagram service.
pub const XP1_CONNECTIONLESS: u32 = 0x0000_0001;
/// XP1_GUARANTEED_DELIVERY (0x2).
pub const XP1_GUARANTEED_DELIVERY: u32 = 0x0000_0002;
/// XP1_GUARANTEED_ORDER (0x4).
pub const XP1_GUARANTEED_ORDER: u32 = 0x0000_0004;
/// XP1_MESSAGE_ORIENTED (0x8): message boundaries are kept.
pub const XP1_MESSAGE_ORIENTED: u32 = 0x0000_0008;
/// XP1_GRACEFUL_CLOSE (0x20).
pub const XP1_GRACEFUL_CLOSE: u32 = 0x0000_0020;
/// XP1_EXPEDITED_DATA (0x40): urgent (OOB) data.
pub const XP1_EXPEDITED_DATA: u32 = 0x0000_0040;
/// XP1_SUPPORT_BROADCAST (0x200).
pub const XP1_SUPPORT_BROADCAST: u32 = 0x0000_0200;
/// XP1_SUPPORT_MULTIPOINT (0x400).
pub const XP1_SUPPORT_MULTIPOINT: u32 = 0x0000_0400;
/// XP1_QOS_SUPPORTED (0x2000): set only where QoS is installed (protocol.c masks it out).
pub const XP1_QOS_SUPPORTED: u32 = 0x0000_2000;
/// XP1_IFS_HANDLES (0x20000): sockets are file-system handles.
pub const XP1_IFS_HANDLES: u32 = 0x0002_0000;
/// PFL_MATCHES_PROTOCOL_ZERO (0x8): the entry is chosen for protocol 0.
pub const PFL_MATCHES_PROTOCOL_ZERO: u32 = 0x0000_0008;
/// PFL_HIDDEN (0x4): not listed by `WSAEnumProtocols`.
pub const PFL_HIDDEN: u32 = 0x0000_0004;
/// BIGENDIAN (0): `iNetworkByteOrder` of the IP protocols.
pub const BIGENDIAN: i32 = 0;
/// SECURITY_PROTOCOL_NONE (0).
pub const SECURITY_PROTOCOL_NONE: i32 = 0;

/// `TCPIP_SERVICE_FLAGS` of Wine's protocol.c: what Windows reports for TCP (0x20066).
pub const TCP_SERVICE_FLAGS: u32 = XP1_GUARANTEED_DELIVERY
    | XP1_GUARANTEED_ORDER
    | XP1_GRACEFUL_CLOSE
    | XP1_EXPEDITED_DATA
    | XP1_IFS_HANDLES;
/// `UDPIP_SERVICE_FLAGS` of Wine's protocol.c: what Windows reports for UDP (0x20609).
pub const UDP_SERVICE_FLAGS: u32 = XP1_CONNECTIONLESS
    | XP1_MESSAGE_ORIENTED
    | XP1_SUPPORT_BROADCAST
    | XP1_SUPPORT_MULTIPOINT
    | XP1_IFS_HANDLES;

/// The base provider's id, `{E70F1AA0-AB8B-11CF-8CA3-00805F48A192}` (MSAFD Tcpip).
pub const MSAFD_TCPIP_PROVIDER: Guid = Guid {
    data1: 0xE70F_1AA0,
    data2: 0xAB8B,
    data3: 0x11CF,
    data4: [0x8C, 0xA3, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92],
};

/// `WSAPROTOCOLCHAIN`: `ChainLen` and `ChainEntries[MAX_PROTOCOL_CHAIN]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolChain {
    /// `ChainLen`: 0 a layered protocol, 1 (BASE_PROTOCOL) a base protocol, more a chain.
    pub len: i32,
    /// `ChainEntries`: catalogue entry ids of the chain.
    pub entries: [u32; MAX_PROTOCOL_CHAIN],
}

/// `WSAPROTOCOL_INFOA` / `WSAPROTOCOL_INFOW`, every field (the two differ only in how
/// `szProtocol` is stored). In the simulator the values come from [`catalog`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsaProtocolInfo {
    /// `dwServiceFlags1`: XP1_* flags.
    pub service_flags1: u32,
    /// `dwServiceFlags2` (reserved).
    pub service_flags2: u32,
    /// `dwServiceFlags3` (reserved).
    pub service_flags3: u32,
    /// `dwServiceFlags4` (reserved).
    pub service_flags4: u32,
    /// `dwProviderFlags`: PFL_* flags.
    pub provider_flags: u32,
    /// `ProviderId`: the provider's GUID.
    pub provider_id: Guid,
    /// `dwCatalogEntryId`: the entry's id in the catalogue.
    pub catalog_entry_id: u32,
    /// `ProtocolChain`.
    pub protocol_chain: ProtocolChain,
    /// `iVersion`: 2.
    pub version: i32,
    /// `iAddressFamily`: AF_INET or AF_INET6.
    pub address_family: i32,
    /// `iMaxSockAddr`: 16 for IPv4, 28 for IPv6.
    pub max_sockaddr: i32,
    /// `iMinSockAddr`: 16 for IPv4, 28 for IPv6.
    pub min_sockaddr: i32,
    /// `iSocketType`: SOCK_STREAM or SOCK_DGRAM.
    pub socket_type: i32,
    /// `iProtocol`: IPPROTO_TCP or IPPROTO_UDP.
    pub protocol: i32,
    /// `iProtocolMaxOffset`: 0 (only raw sockets have a range of protocols).
    pub protocol_max_offset: i32,
    /// `iNetworkByteOrder`: BIGENDIAN.
    pub network_byte_order: i32,
    /// `iSecurityScheme`: SECURITY_PROTOCOL_NONE.
    pub security_scheme: i32,
    /// `dwMessageSize`: 0 for a stream, 65,527 for UDP.
    pub message_size: u32,
    /// `dwProviderReserved`: the provider's own. `WSADuplicateSocket` puts the duplicate's
    /// handle value here, which `WSASocket` opens (our choice of field; Windows' contents
    /// are opaque).
    pub provider_reserved: u32,
    /// `szProtocol`: the name, e.g. `MSAFD Tcpip [TCP/IP]` (at most 255 characters kept).
    pub protocol_name: String,
}

/// One catalogue entry.
fn entry(id: u32, family: i32, ty: i32, name: &str) -> WsaProtocolInfo {
    let (flags, proto, msg) = if ty == SOCK_STREAM {
        (TCP_SERVICE_FLAGS, IPPROTO_TCP, 0)
    } else {
        (UDP_SERVICE_FLAGS, IPPROTO_UDP, 65_527)
    };
    let addr = if family == AF_INET6 { 28 } else { 16 };
    WsaProtocolInfo {
        service_flags1: flags,
        service_flags2: 0,
        service_flags3: 0,
        service_flags4: 0,
        provider_flags: PFL_MATCHES_PROTOCOL_ZERO,
        provider_id: MSAFD_TCPIP_PROVIDER,
        catalog_entry_id: id,
        protocol_chain: ProtocolChain {
            len: BASE_PROTOCOL,
            entries: [0; MAX_PROTOCOL_CHAIN],
        },
        version: 2,
        address_family: family,
        max_sockaddr: addr,
        min_sockaddr: addr,
        socket_type: ty,
        protocol: proto,
        protocol_max_offset: 0,
        network_byte_order: BIGENDIAN,
        security_scheme: SECURITY_PROTOCOL_NONE,
        message_size: msg,
        provider_reserved: 0,
        protocol_name: name.to_string(),
    }
}

/// The catalogue the simulator (and `os::System`) lists, in `WSAEnumProtocols` order: TCP
/// and UDP over IPv4, then over IPv6 (see the module doc for the values).
pub fn catalog() -> Vec<WsaProtocolInfo> {
    vec![
        entry(1001, AF_INET, SOCK_STREAM, "MSAFD Tcpip [TCP/IP]"),
        entry(1002, AF_INET, SOCK_DGRAM, "MSAFD Tcpip [UDP/IP]"),
        entry(1004, AF_INET6, SOCK_STREAM, "MSAFD Tcpip [TCP/IPv6]"),
        entry(1005, AF_INET6, SOCK_DGRAM, "MSAFD Tcpip [UDP/IPv6]"),
    ]
}

/// The catalogue entry of a socket of `family` and type `ty` (what SO_PROTOCOL_INFO reports);
/// `None` for a kind the catalogue lacks.
pub fn catalog_entry(family: i32, ty: i32) -> Option<WsaProtocolInfo> {
    catalog()
        .into_iter()
        .find(|e| e.address_family == family && e.socket_type == ty)
}

/// `WSAEnumProtocols(lpiProtocols, lpProtocolBuffer, lpdwBufferLength)` over `entries`, each
/// `entry_len` bytes in the caller's buffer (372 for the A call, 628 for W). `protocols` is
/// the C array: it ends at its first 0 (a protocol value no entry has is simply not found);
/// `None` lists every entry. A `*buffer_len` too small for the result: WSAENOBUFS, and
/// `*buffer_len` becomes the size needed (protocol.c test_WSAEnumProtocolsA).
pub fn enum_entries(
    entries: Vec<WsaProtocolInfo>,
    protocols: Option<&[i32]>,
    buffer_len: &mut u32,
    entry_len: usize,
) -> Result<Vec<WsaProtocolInfo>, WsaError> {
    let wanted = |p: i32| match protocols {
        None => true,
        Some(list) => list.iter().take_while(|&&q| q != 0).any(|&q| q == p),
    };
    let out: Vec<WsaProtocolInfo> = entries.into_iter().filter(|e| wanted(e.protocol)).collect();
    let needed = (out.len() * entry_len) as u32;
    if *buffer_len < needed {
        *buffer_len = needed;
        return Err(WsaError::WSAENOBUFS);
    }
    Ok(out)
}

/// Resolves `WSASocket`'s (af, type, protocol) against a protocol info: an argument that is 0
/// or FROM_PROTOCOL_INFO takes the info's value; with an info the family must then be a real
/// one (sock.c test_WSASocket: an info of {0, 0, 0} or {-1, -1, -1} with `(0, 0,
/// IPPROTO_UDP)` is WSAEAFNOSUPPORT). Explicit arguments win over the info's.
pub fn args_from_info(af: i32, ty: i32, proto: i32, info: &WsaProtocolInfo) -> (i32, i32, i32) {
    let pick = |arg: i32, from: i32| {
        if arg == 0 || arg == FROM_PROTOCOL_INFO {
            from
        } else {
            arg
        }
    };
    (
        pick(af, info.address_family),
        pick(ty, info.socket_type),
        pick(proto, info.protocol),
    )
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl WsaProtocolInfo {
    /// The 116 bytes before `szProtocol`, identical in the A and W layouts.
    fn fixed(&self) -> [u8; SZ_PROTOCOL_OFFSET] {
        let mut b = [0u8; SZ_PROTOCOL_OFFSET];
        put_u32(&mut b, 0, self.service_flags1);
        put_u32(&mut b, 4, self.service_flags2);
        put_u32(&mut b, 8, self.service_flags3);
        put_u32(&mut b, 12, self.service_flags4);
        put_u32(&mut b, 16, self.provider_flags);
        b[20..36].copy_from_slice(&self.provider_id.to_bytes());
        put_u32(&mut b, 36, self.catalog_entry_id);
        put_u32(&mut b, 40, self.protocol_chain.len as u32);
        for (i, e) in self.protocol_chain.entries.iter().enumerate() {
            put_u32(&mut b, 44 + 4 * i, *e);
        }
        let ints = [
            self.version,
            self.address_family,
            self.max_sockaddr,
            self.min_sockaddr,
            self.socket_type,
            self.protocol,
            self.protocol_max_offset,
            self.network_byte_order,
            self.security_scheme,
        ];
        for (i, v) in ints.iter().enumerate() {
            put_u32(&mut b, 72 + 4 * i, *v as u32);
        }
        put_u32(&mut b, 108, self.message_size);
        put_u32(&mut b, 112, self.provider_reserved);
        b
    }

    /// The fixed fields read back from `b` (at least 116 bytes), with an empty name.
    fn from_fixed(b: &[u8]) -> WsaProtocolInfo {
        let int = |at: usize| get_u32(b, at) as i32;
        let mut entries = [0u32; MAX_PROTOCOL_CHAIN];
        for (i, e) in entries.iter_mut().enumerate() {
            *e = get_u32(b, 44 + 4 * i);
        }
        WsaProtocolInfo {
            service_flags1: get_u32(b, 0),
            service_flags2: get_u32(b, 4),
            service_flags3: get_u32(b, 8),
            service_flags4: get_u32(b, 12),
            provider_flags: get_u32(b, 16),
            provider_id: Guid::from_bytes(&b[20..36]).expect("16 bytes"),
            catalog_entry_id: get_u32(b, 36),
            protocol_chain: ProtocolChain {
                len: int(40),
                entries,
            },
            version: int(72),
            address_family: int(76),
            max_sockaddr: int(80),
            min_sockaddr: int(84),
            socket_type: int(88),
            protocol: int(92),
            protocol_max_offset: int(96),
            network_byte_order: int(100),
            security_scheme: int(104),
            message_size: get_u32(b, 108),
            provider_reserved: get_u32(b, 112),
            protocol_name: String::new(),
        }
    }

    /// The WSAPROTOCOL_INFOA bytes: `szProtocol` in the ANSI code page (a character outside
    /// ASCII becomes `?`, as WideCharToMultiByte's default character), NUL-terminated.
    pub fn encode_a(&self) -> [u8; WSAPROTOCOL_INFOA_LEN] {
        let mut b = [0u8; WSAPROTOCOL_INFOA_LEN];
        b[..SZ_PROTOCOL_OFFSET].copy_from_slice(&self.fixed());
        for (i, c) in self.protocol_name.chars().take(WSAPROTOCOL_LEN).enumerate() {
            b[SZ_PROTOCOL_OFFSET + i] = if c.is_ascii() { c as u8 } else { b'?' };
        }
        b
    }

    /// The WSAPROTOCOL_INFOW bytes: `szProtocol` in UTF-16LE, NUL-terminated.
    pub fn encode_w(&self) -> [u8; WSAPROTOCOL_INFOW_LEN] {
        let mut b = [0u8; WSAPROTOCOL_INFOW_LEN];
        b[..SZ_PROTOCOL_OFFSET].copy_from_slice(&self.fixed());
        for (i, u) in self
            .protocol_name
            .encode_utf16()
            .take(WSAPROTOCOL_LEN)
            .enumerate()
        {
            let at = SZ_PROTOCOL_OFFSET + 2 * i;
            b[at..at + 2].copy_from_slice(&u.to_le_bytes());
        }
        b
    }

    /// Reads a WSAPROTOCOL_INFOA; `None` when `b` is shorter than 372 bytes.
    pub fn decode_a(b: &[u8]) -> Option<WsaProtocolInfo> {
        let b = b.get(..WSAPROTOCOL_INFOA_LEN)?;
        let mut info = WsaProtocolInfo::from_fixed(b);
        let name = &b[SZ_PROTOCOL_OFFSET..];
        let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        info.protocol_name = name[..end].iter().map(|&c| char::from(c)).collect();
        Some(info)
    }

    /// Reads a WSAPROTOCOL_INFOW; `None` when `b` is shorter than 628 bytes.
    pub fn decode_w(b: &[u8]) -> Option<WsaProtocolInfo> {
        let b = b.get(..WSAPROTOCOL_INFOW_LEN)?;
        let mut info = WsaProtocolInfo::from_fixed(b);
        let units: Vec<u16> = b[SZ_PROTOCOL_OFFSET..]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        info.protocol_name = String::from_utf16_lossy(&units);
        Some(info)
    }
}

/// The calls around `WSAPROTOCOL_INFO`: the process id, socket duplication, sockets made
/// from a protocol info, and the catalogue.
///
/// A duplicate names the same socket as the original: data, state and options are shared,
/// and the socket lives until its last handle is closed. `WSADuplicateSocket` makes the
/// new handle at once (as `DuplicateHandle` does on Windows) and passes its value in
/// [`WsaProtocolInfo::provider_reserved`]; `WSASocket` with that info opens it.
pub trait ProtocolInfoApi: Winsock {
    /// `GetCurrentProcessId()`: the calling process's id (in the simulator, the host's one
    /// process: `0x1000 + 4 × host index`).
    fn get_current_process_id(&self) -> u32;

    /// `WSADuplicateSocketW(s, dwProcessId, lpProtocolInfo)`: fills `info` with the socket's
    /// catalogue entry and a duplicate handle for process `process_id`. Checks in Windows'
    /// order (sock.c test_WSADuplicateSocket): `s` not a socket → WSAENOTSOCK; a process id
    /// naming no process → WSAEINVAL; `info` NULL (`None`) → WSAEFAULT. The sim has one
    /// process per host, so only the caller's own id is a process on its machine.
    fn wsa_duplicate_socket(
        &self,
        s: Socket,
        process_id: u32,
        info: Option<&mut WsaProtocolInfo>,
    ) -> Result<(), WsaError>;

    /// `WSADuplicateSocketA` into the 372 bytes of a WSAPROTOCOL_INFOA.
    fn wsa_duplicate_socket_a(
        &self,
        s: Socket,
        process_id: u32,
        info: Option<&mut [u8; WSAPROTOCOL_INFOA_LEN]>,
    ) -> Result<(), WsaError> {
        duplicate_into(self, s, process_id, info, WsaProtocolInfo::encode_a)
    }

    /// `WSADuplicateSocketW` into the 628 bytes of a WSAPROTOCOL_INFOW.
    fn wsa_duplicate_socket_w(
        &self,
        s: Socket,
        process_id: u32,
        info: Option<&mut [u8; WSAPROTOCOL_INFOW_LEN]>,
    ) -> Result<(), WsaError> {
        duplicate_into(self, s, process_id, info, WsaProtocolInfo::encode_w)
    }

    /// `WSASocketW(af, type, protocol, lpProtocolInfo, g, dwFlags)`. Without an info it is
    /// `WSASocket` (see [`WinsockExt::wsa_socket`](crate::api::WinsockExt::wsa_socket)). With
    /// one from `WSADuplicateSocket` it opens the duplicate (the same socket); with a
    /// catalogue entry it makes a new socket, arguments of 0 or FROM_PROTOCOL_INFO taken from
    /// the info ([`args_from_info`]).
    fn wsa_socket_from_info(
        &self,
        af: i32,
        ty: i32,
        protocol: i32,
        info: Option<&WsaProtocolInfo>,
        flags: u32,
    ) -> Result<Socket, WsaError>;

    /// `WSAEnumProtocolsA(lpiProtocols, lpProtocolBuffer, lpdwBufferLength)`: the catalogue
    /// entries for `protocols` (see [`enum_entries`]), 372 bytes each in the caller's buffer.
    fn wsa_enum_protocols_a(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError>;

    /// `WSAEnumProtocolsW`: as the A call, 628 bytes an entry.
    fn wsa_enum_protocols_w(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError>;
}

/// `WSADuplicateSocketA/W` into the caller's bytes: [`ProtocolInfoApi::wsa_duplicate_socket`]
/// with the structure encoded by `encode` (a NULL buffer stays NULL, so its WSAEFAULT stands).
fn duplicate_into<P: ProtocolInfoApi + ?Sized, const N: usize>(
    ws: &P,
    s: Socket,
    process_id: u32,
    info: Option<&mut [u8; N]>,
    encode: fn(&WsaProtocolInfo) -> [u8; N],
) -> Result<(), WsaError> {
    let mut out = catalog()[0].clone();
    ws.wsa_duplicate_socket(s, process_id, info.is_some().then_some(&mut out))?;
    if let Some(b) = info {
        *b = encode(&out);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_have_windows_sizes_and_offsets() {
        let tcp = catalog_entry(AF_INET, SOCK_STREAM).unwrap();
        let a = tcp.encode_a();
        let w = tcp.encode_w();
        assert_eq!((a.len(), w.len()), (372, 628));
        assert_eq!(a[..SZ_PROTOCOL_OFFSET], w[..SZ_PROTOCOL_OFFSET]);
        assert_eq!(get_u32(&a, 0), 0x20066);
        assert_eq!(get_u32(&a, 76), AF_INET as u32, "iAddressFamily at 76");
        assert_eq!(get_u32(&a, 88), SOCK_STREAM as u32, "iSocketType at 88");
        assert_eq!(get_u32(&a, 92), IPPROTO_TCP as u32, "iProtocol at 92");
        assert_eq!(&a[116..137], b"MSAFD Tcpip [TCP/IP]\0");
        assert_eq!(&w[116..120], &[b'M', 0, b'S', 0]);
        assert_eq!(WsaProtocolInfo::decode_a(&a), Some(tcp.clone()));
        assert_eq!(WsaProtocolInfo::decode_w(&w), Some(tcp));
        assert_eq!(WsaProtocolInfo::decode_a(&a[..371]), None);
    }

    #[test]
    fn udp_entries_carry_the_datagram_values() {
        let udp6 = catalog_entry(AF_INET6, SOCK_DGRAM).unwrap();
        assert_eq!(udp6.service_flags1, 0x20609);
        assert_eq!((udp6.max_sockaddr, udp6.min_sockaddr), (28, 28));
        assert_eq!(udp6.message_size, 65_527);
        assert_eq!(udp6.protocol_name, "MSAFD Tcpip [UDP/IPv6]");
    }

    #[test]
    fn enumeration_filters_and_sizes() {
        let mut len = 0;
        assert_eq!(
            enum_entries(
                catalog(),
                Some(&[0xdead, IPPROTO_UDP, 0, IPPROTO_TCP]),
                &mut len,
                372
            ),
            Err(WsaError::WSAENOBUFS)
        );
        assert_eq!(len, 2 * 372, "the list ends at its 0");
        let got = enum_entries(catalog(), Some(&[IPPROTO_UDP, 0]), &mut len, 372).unwrap();
        assert!(got.iter().all(|e| e.protocol == IPPROTO_UDP));
    }
}
