//! The socket option table and Windows' `optlen` rules (conformance OP-01 … OP-13), shared by
//! every backend so that the same bad call gets the same error everywhere.
//!
//! Options fall into these shapes (sock.c's `test_optsize` table):
//! - SOL_SOCKET booleans (SO_BROADCAST, SO_DONTLINGER, SO_OOBINLINE, SO_REUSEADDR,
//!   SO_EXCLUSIVEADDRUSE, SO_DEBUG, SO_ACCEPTCONN, SO_CONDITIONAL_ACCEPT): any length ≥ 1 works, and `setsockopt`
//!   even accepts optlen 0 (nothing changes);
//! - one-byte options (SO_KEEPALIVE, SO_DONTROUTE, TCP_NODELAY, IPV6_V6ONLY): any length ≥ 1,
//!   only the low byte counts, `getsockopt` returns 1 byte;
//! - small integers (IP_TTL, IP_TOS, IP_MULTICAST_TTL, IPV6_UNICAST_HOPS,
//!   IPV6_MULTICAST_HOPS): any length ≥ 1, values above 255 are WSAEINVAL;
//! - short-buffer booleans (IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, IP_DONTFRAGMENT,
//!   IPV6_DONTFRAG): any length ≥ 1, any non-zero value is TRUE;
//! - integers (buffer sizes, timeouts, SO_ERROR, SO_TYPE, SO_OPENTYPE, SO_MAX_MSG_SIZE
//!   (datagram sockets only), TCP keep-alive settings,
//!   IP_PKTINFO / IP_RECVTTL / IP_RECVTOS, IPV6_PKTINFO / IPV6_HOPLIMIT / IPV6_RECVTCLASS,
//!   the multicast interfaces): 4 bytes;
//! - SO_LINGER: a 4-byte LINGER;
//! - SO_PROTOCOL_INFOA/W and SO_BSP_STATE: get-only structures (WSAPROTOCOL_INFO, and
//!   CSADDR_INFO with room for two of the family's addresses); a shorter buffer is WSAEFAULT,
//!   a longer one keeps its optlen, `setsockopt` is WSAENOPROTOOPT;
//! - multicast memberships (IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP: an 8-byte `ip_mreq`;
//!   IPV6_ADD_MEMBERSHIP / IPV6_DROP_MEMBERSHIP: a 20-byte `ipv6_mreq`): set only
//!   (`getsockopt` gives WSAENOPROTOOPT on any socket), and WSAEINVAL to set on a stream
//!   socket.
//!
//! IP_HDRINCL / IPV6_HDRINCL are raw-socket options: WSAEINVAL on TCP and UDP (get and set).
//!
//! The rest of the IPPROTO_IP / IPPROTO_IPV6 catalogue (sock.c `test_sockopt_validity`):
//! - header bytes (IP_OPTIONS, up to 40 bytes; IP_RTHDR, IPV6_HOPOPTS, IPV6_RTHDR, up to
//!   2,048): any socket type, any length up to the limit (longer: WSAEINVAL), read back as
//!   set (none: optlen 0);
//! - per-socket integers of any socket type (IP_IFLIST, IP_UNICAST_IF, IP_USER_MTU and their
//!   IPv6 twins, IPV6_PROTECTION_LEVEL): 4 bytes;
//! - datagram-only integers (IP_RECEIVE_BROADCAST, IP_RECVIF, IP_RECVDSTADDR,
//!   IP_RECVRTHDR, IP_ORIGINAL_ARRIVAL_IF, IP_ECN, IP_PKTINFO_EX, IP_WFP_REDIRECT_RECORDS,
//!   IP_WFP_REDIRECT_CONTEXT, IP_RECVERR and their IPv6 twins): WSAEINVAL on a stream
//!   socket, else 4 bytes;
//! - IP_MTU_DISCOVER / IPV6_MTU_DISCOVER: 4 bytes, reads IP_PMTUDISC_NOT_SET until set, and
//!   only IP_PMTUDISC_DO / DONT / PROBE can be set (else WSAEINVAL);
//! - IP_MTU / IPV6_MTU: read-only 4 bytes, WSAENOTCONN on a socket not connected (the
//!   backend decides that);
//! - IP_GET_IFLIST / IPV6_GET_IFLIST: WSAEINVAL (their input cannot be given).
//!
//! A shorter buffer than the shape needs is WSAEFAULT; an unknown level WSAEINVAL; an unknown
//! option at a known level WSAENOPROTOOPT; a datagram-only IP option on a stream socket
//! WSAEINVAL. `getsockopt` writes [`get_width`] bytes and reports [`reported_len`].

use super::bsp_state::{bsp_state_len, SO_BSP_STATE};
use super::consts::*;
use super::protocol_info::{
    SO_PROTOCOL_INFOA, SO_PROTOCOL_INFOW, WSAPROTOCOL_INFOA_LEN, WSAPROTOCOL_INFOW_LEN,
};
use super::WsaError;

/// How an option's value is laid out, which decides the `optlen` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A SOL_SOCKET BOOL: any length ≥ 1; `setsockopt` accepts optlen 0.
    SolBool,
    /// A one-byte option: any length ≥ 1, only the low byte counts.
    OneByte,
    /// A 4-byte integer.
    Int,
    /// A small integer (a TTL or hop count): any length ≥ 1, the value read from up to 4
    /// bytes must fit in a byte (else WSAEINVAL); `getsockopt` returns 1 byte for a buffer
    /// shorter than 4, else 4.
    SmallInt,
    /// A BOOL that also accepts short buffers: any length ≥ 1, any non-zero value of up to 4
    /// bytes is TRUE; `getsockopt` returns 1 byte for a buffer shorter than 4, else 4.
    ShortBool,
    /// The 4-byte LINGER.
    Linger,
    /// A SOCKET value (SO_UPDATE_ACCEPT_CONTEXT): pointer-sized.
    Handle,
    /// No value (SO_UPDATE_CONNECT_CONTEXT): any length, set only.
    Empty,
    /// A WSAPROTOCOL_INFOA / WSAPROTOCOL_INFOW of `n` bytes (SO_PROTOCOL_INFOA/W): get only;
    /// a shorter buffer is WSAEFAULT, a longer one is filled to `n` and its optlen kept
    /// (sock.c test_set_getsockopt: `sizeof * 2` stays `sizeof * 2`).
    ProtocolInfo(usize),
    /// SO_BSP_STATE's CSADDR_INFO with room for two addresses, `n` bytes in all: get only;
    /// a shorter buffer is WSAEFAULT, a longer one keeps its optlen (sock.c
    /// test_set_getsockopt); the backend fills it ([`super::bsp_state`]).
    BspState(usize),
    /// A multicast membership request of `n` bytes (`ip_mreq`: 8, `ipv6_mreq`: 20): set
    /// only; the backend reads the structure itself.
    Mreq(usize),
    /// Header bytes of at most `n` bytes (IP_OPTIONS, routing and hop-by-hop headers): any
    /// length up to `n` (longer: WSAEINVAL); the backend keeps the bytes themselves.
    Bytes(usize),
    /// IP_MTU_DISCOVER / IPV6_MTU_DISCOVER: a 4-byte IP_PMTUDISC_* value, of which only DO,
    /// DONT and PROBE can be set.
    MtuDiscover,
}

/// Largest IP_OPTIONS value: the IPv4 header has room for 40 bytes of options.
const MAX_IP_OPTIONS: usize = 40;
/// Largest IPv6 extension header: (255 + 1) 8-byte units.
const MAX_EXT_HEADER: usize = 2048;

/// The shape of option `name` at `level` on a socket of type `ty` and `family`: WSAEINVAL
/// for an unknown level, WSAENOPROTOOPT for an unknown option at a known level.
pub(crate) fn shape(level: i32, name: i32, ty: i32, family: i32) -> Result<Shape, WsaError> {
    use Shape::*;
    match level {
        SOL_SOCKET => match name {
            SO_BROADCAST
            | SO_DONTLINGER
            | SO_OOBINLINE
            | SO_REUSEADDR
            | SO_EXCLUSIVEADDRUSE
            | SO_DEBUG
            | SO_ACCEPTCONN
            | SO_CONDITIONAL_ACCEPT => {
                if name == SO_DONTLINGER && ty != SOCK_STREAM {
                    return Err(WsaError::WSAENOPROTOOPT);
                }
                Ok(SolBool)
            }
            SO_KEEPALIVE | SO_DONTROUTE => Ok(OneByte),
            SO_RCVBUF | SO_SNDBUF | SO_RCVTIMEO | SO_SNDTIMEO | SO_ERROR | SO_TYPE
            | SO_CONNECT_TIME | SO_OPENTYPE => Ok(Int),
            SO_MAX_MSG_SIZE if ty == SOCK_DGRAM => Ok(Int),
            SO_LINGER if ty == SOCK_STREAM => Ok(Linger),
            SO_UPDATE_ACCEPT_CONTEXT if ty == SOCK_STREAM => Ok(Handle),
            SO_UPDATE_CONNECT_CONTEXT if ty == SOCK_STREAM => Ok(Empty),
            SO_PROTOCOL_INFOA => Ok(ProtocolInfo(WSAPROTOCOL_INFOA_LEN)),
            SO_PROTOCOL_INFOW => Ok(ProtocolInfo(WSAPROTOCOL_INFOW_LEN)),
            SO_BSP_STATE => Ok(BspState(bsp_state_len(family))),
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_TCP => match name {
            _ if ty != SOCK_STREAM => Err(WsaError::WSAENOPROTOOPT),
            TCP_NODELAY => Ok(OneByte),
            TCP_KEEPALIVE | TCP_KEEPCNT | TCP_KEEPINTVL | TCP_MAXRT | TCP_MAXRTMS => Ok(Int),
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_IP => match name {
            IP_TTL | IP_TOS => Ok(SmallInt),
            IP_DONTFRAGMENT => Ok(ShortBool),
            IP_OPTIONS => Ok(Bytes(MAX_IP_OPTIONS)),
            IP_RTHDR => Ok(Bytes(MAX_EXT_HEADER)),
            IP_IFLIST | IP_UNICAST_IF | IP_USER_MTU | IP_MTU => Ok(Int),
            IP_MTU_DISCOVER => Ok(MtuDiscover),
            // Needs an input that getsockopt cannot pass.
            IP_GET_IFLIST => Err(WsaError::WSAEINVAL),
            // Datagram-only options (sock.c test_sockopt_validity's TCP table).
            IP_RECEIVE_BROADCAST
            | IP_RECVIF
            | IP_RECVDSTADDR
            | IP_RECVRTHDR
            | IP_ORIGINAL_ARRIVAL_IF
            | IP_ECN
            | IP_PKTINFO_EX
            | IP_WFP_REDIRECT_RECORDS
            | IP_WFP_REDIRECT_CONTEXT
            | IP_RECVERR => dgram_int(ty),
            // Raw sockets only: WSAEINVAL on TCP and UDP alike (conformance OP-08).
            IP_HDRINCL => Err(WsaError::WSAEINVAL),
            // Set-only on every socket type: reading them is WSAENOPROTOOPT even on TCP
            // (conformance OP-08); `set_value` refuses them on a stream socket.
            IP_ADD_MEMBERSHIP | IP_DROP_MEMBERSHIP => Ok(Mreq(8)),
            // Datagram-only options: WSAEINVAL on a stream socket (conformance OP-08).
            IP_MULTICAST_IF | IP_MULTICAST_TTL | IP_MULTICAST_LOOP | IP_PKTINFO | IP_RECVTTL
            | IP_RECVTOS
                if ty == SOCK_STREAM =>
            {
                Err(WsaError::WSAEINVAL)
            }
            IP_MULTICAST_TTL => Ok(SmallInt),
            IP_MULTICAST_LOOP => Ok(ShortBool),
            IP_MULTICAST_IF | IP_PKTINFO | IP_RECVTTL | IP_RECVTOS => Ok(Int),
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_IPV6 => match name {
            // IPV6_V6ONLY is also kept on AF_INET sockets (test_ipv6only).
            IPV6_V6ONLY => Ok(OneByte),
            _ if family != AF_INET6 => Err(WsaError::WSAEINVAL),
            // Raw sockets only, as IP_HDRINCL.
            IPV6_HDRINCL => Err(WsaError::WSAEINVAL),
            // Set-only, as their IPv4 counterparts.
            IPV6_ADD_MEMBERSHIP | IPV6_DROP_MEMBERSHIP => Ok(Mreq(20)),
            IPV6_UNICAST_HOPS => Ok(SmallInt),
            IPV6_DONTFRAG => Ok(ShortBool),
            IPV6_HOPOPTS | IPV6_RTHDR => Ok(Bytes(MAX_EXT_HEADER)),
            IPV6_IFLIST | IPV6_UNICAST_IF | IPV6_USER_MTU | IPV6_PROTECTION_LEVEL | IPV6_MTU => {
                Ok(Int)
            }
            IPV6_MTU_DISCOVER => Ok(MtuDiscover),
            IPV6_GET_IFLIST => Err(WsaError::WSAEINVAL),
            // Datagram-only, as their IPv4 twins (IP_ORIGINAL_ARRIVAL_IF has no IPv6 name
            // and the same number at both levels).
            IPV6_RECVIF
            | IPV6_RECVDSTADDR
            | IPV6_RECVRTHDR
            | IP_ORIGINAL_ARRIVAL_IF
            | IPV6_ECN
            | IPV6_PKTINFO_EX
            | IPV6_WFP_REDIRECT_RECORDS
            | IPV6_WFP_REDIRECT_CONTEXT
            | IPV6_RECVERR => dgram_int(ty),
            // Datagram-only, as their IPv4 counterparts.
            IPV6_MULTICAST_IF | IPV6_MULTICAST_HOPS | IPV6_MULTICAST_LOOP | IPV6_PKTINFO
            | IPV6_HOPLIMIT | IPV6_RECVTCLASS
                if ty == SOCK_STREAM =>
            {
                Err(WsaError::WSAEINVAL)
            }
            IPV6_MULTICAST_HOPS => Ok(SmallInt),
            IPV6_MULTICAST_LOOP => Ok(ShortBool),
            IPV6_MULTICAST_IF | IPV6_PKTINFO | IPV6_HOPLIMIT | IPV6_RECVTCLASS => Ok(Int),
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_UDP => Err(WsaError::WSAENOPROTOOPT),
        _ => Err(WsaError::WSAEINVAL),
    }
}

/// A 4-byte option of datagram sockets: WSAEINVAL on a stream socket.
fn dgram_int(ty: i32) -> Result<Shape, WsaError> {
    if ty == SOCK_STREAM {
        Err(WsaError::WSAEINVAL)
    } else {
        Ok(Shape::Int)
    }
}

/// Reads up to 4 little-endian bytes as an integer.
pub(crate) fn read_int(b: &[u8]) -> u32 {
    let mut v = [0u8; 4];
    let n = b.len().min(4);
    v[..n].copy_from_slice(&b[..n]);
    u32::from_le_bytes(v)
}

/// The value `setsockopt` sets: `None` when there is nothing to change (optlen 0 on a
/// SOL_SOCKET boolean), WSAEFAULT when `val` is too short for the option.
pub(crate) fn set_value(
    level: i32,
    name: i32,
    ty: i32,
    family: i32,
    val: &[u8],
) -> Result<Option<u32>, WsaError> {
    Ok(Some(match shape(level, name, ty, family)? {
        Shape::SolBool if val.is_empty() => return Ok(None),
        Shape::SolBool => read_int(val),
        Shape::OneByte if val.is_empty() => return Err(WsaError::WSAEFAULT),
        Shape::OneByte => u32::from(val[0]),
        Shape::SmallInt | Shape::ShortBool if val.is_empty() => return Err(WsaError::WSAEFAULT),
        Shape::SmallInt if read_int(val) > 0xff => return Err(WsaError::WSAEINVAL),
        Shape::SmallInt => read_int(val),
        Shape::ShortBool => u32::from(read_int(val) != 0),
        // Windows caps the keep-alive probe count at 255 (OP-05: 0x100 → WSAEINVAL).
        Shape::Int if level == IPPROTO_TCP && name == TCP_KEEPCNT && read_int(val) > 0xff => {
            return Err(WsaError::WSAEINVAL)
        }
        Shape::Int | Shape::Linger | Shape::MtuDiscover if val.len() < 4 => {
            return Err(WsaError::WSAEFAULT)
        }
        Shape::MtuDiscover => match read_int(val) {
            v @ (IP_PMTUDISC_DO | IP_PMTUDISC_DONT | IP_PMTUDISC_PROBE) => v,
            _ => return Err(WsaError::WSAEINVAL),
        },
        Shape::Bytes(n) if val.len() > n => return Err(WsaError::WSAEINVAL),
        Shape::Int | Shape::Linger => read_int(val),
        Shape::Handle if val.len() < std::mem::size_of::<usize>() => {
            return Err(WsaError::WSAEFAULT)
        }
        // Read-only; sock.c does not set it, WSAENOPROTOOPT is our choice (as for the other
        // options a provider does not let a program set).
        Shape::ProtocolInfo(_) | Shape::BspState(_) => return Err(WsaError::WSAENOPROTOOPT),
        // Datagram sockets only, as the other multicast options.
        Shape::Mreq(_) if ty == SOCK_STREAM => return Err(WsaError::WSAEINVAL),
        Shape::Mreq(n) if val.len() < n => return Err(WsaError::WSAEFAULT),
        // The handle, the membership request or the header bytes are read by the backend.
        Shape::Handle | Shape::Empty | Shape::Mreq(_) | Shape::Bytes(_) => 0,
    }))
}

/// Checks a `getsockopt` buffer of `len` bytes for the option (WSAEFAULT when too short).
pub(crate) fn check_get(
    level: i32,
    name: i32,
    ty: i32,
    family: i32,
    len: usize,
) -> Result<(), WsaError> {
    let min = match shape(level, name, ty, family)? {
        Shape::SolBool | Shape::OneByte | Shape::SmallInt | Shape::ShortBool => 1,
        Shape::Int | Shape::Linger | Shape::MtuDiscover => 4,
        Shape::ProtocolInfo(n) | Shape::BspState(n) => n,
        // The backend checks the buffer against the bytes it holds.
        Shape::Bytes(_) => 0,
        // Set-only options.
        Shape::Handle | Shape::Empty | Shape::Mreq(_) => return Err(WsaError::WSAENOPROTOOPT),
    };
    if len < min {
        return Err(WsaError::WSAEFAULT);
    }
    Ok(())
}

/// How many bytes `getsockopt` writes into a buffer of `len` bytes (already checked by
/// [`check_get`]): `min(len, 4)`, except that the short-buffer integer shapes write one byte
/// into anything shorter than 4 (OP-05's `sizes` column).
pub(crate) fn get_width(level: i32, name: i32, ty: i32, family: i32, len: usize) -> usize {
    match shape(level, name, ty, family) {
        Ok(Shape::SmallInt | Shape::ShortBool) if len < 4 => 1,
        Ok(Shape::OneByte) => 1,
        Ok(Shape::ProtocolInfo(n) | Shape::BspState(n)) => n,
        _ => len.min(4),
    }
}

/// The optlen `getsockopt` reports after writing `written` bytes: a SOL_SOCKET boolean
/// fills the whole short buffer (1 or 2 bytes) but reports 1 (sock.c test_set_getsockopt,
/// `test_optsize` sizes {1, 1, 4}); SO_PROTOCOL_INFOA/W keep the caller's optlen; every
/// other option reports what it wrote.
pub(crate) fn reported_len(level: i32, name: i32, ty: i32, family: i32, written: usize) -> usize {
    match shape(level, name, ty, family) {
        Ok(Shape::SolBool) if written < 4 => 1,
        _ => written,
    }
}

/// `getsockopt(SOL_SOCKET, SO_PROTOCOL_INFOA/W)` into `out` (already checked by
/// [`check_get`]): the catalogue entry of a socket of `family` and type `ty`, and the
/// caller's optlen, kept; `None` for any other option.
pub(crate) fn get_protocol_info(
    level: i32,
    name: i32,
    ty: i32,
    family: i32,
    out: &mut [u8],
) -> Option<usize> {
    let entry = crate::api::protocol_info::catalog_entry(family, ty)?;
    match (level, name) {
        (SOL_SOCKET, SO_PROTOCOL_INFOA) => {
            out[..WSAPROTOCOL_INFOA_LEN].copy_from_slice(&entry.encode_a());
        }
        (SOL_SOCKET, SO_PROTOCOL_INFOW) => {
            out[..WSAPROTOCOL_INFOW_LEN].copy_from_slice(&entry.encode_w());
        }
        _ => return None,
    }
    Some(out.len())
}

/// Whether a `getsockopt` that fails with WSAEFAULT for a short buffer still zeroes that
/// buffer: Windows does so for SO_LINGER, SO_RCVBUF and SO_SNDBUF (sock.c
/// test_set_getsockopt, `test_optsize` values 0xdeadbe00 / 0xdead0000), not for the others.
pub(crate) fn zeroes_short_buffer(level: i32, name: i32) -> bool {
    level == SOL_SOCKET && matches!(name, SO_LINGER | SO_RCVBUF | SO_SNDBUF)
}

/// The SOCKET value of a SO_UPDATE_ACCEPT_CONTEXT `optval` (checked long enough by
/// [`set_value`]).
pub(crate) fn read_handle(val: &[u8]) -> usize {
    let mut b = [0u8; std::mem::size_of::<usize>()];
    let n = b.len();
    b.copy_from_slice(&val[..n]);
    usize::from_le_bytes(b)
}

/// Writes `v` as `getsockopt` does (little endian, at most 4 bytes); returns the new optlen.
pub(crate) fn write_value(out: &mut [u8], v: u32) -> usize {
    let n = out.len().min(4);
    out[..n].copy_from_slice(&v.to_le_bytes()[..n]);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_catalogue_shapes() {
        // Proves the test_sockopt_validity rules: header bytes on any socket, datagram-only
        // options refused on TCP, IP_MTU_DISCOVER's settable values, IP_GET_IFLIST refused.
        use Shape::*;
        let v4 = |name, ty| shape(IPPROTO_IP, name, ty, AF_INET);
        assert_eq!(v4(IP_OPTIONS, SOCK_STREAM), Ok(Bytes(40)));
        assert_eq!(v4(IP_RECVIF, SOCK_STREAM), Err(WsaError::WSAEINVAL));
        assert_eq!(v4(IP_RECVIF, SOCK_DGRAM), Ok(Int));
        assert_eq!(v4(IP_GET_IFLIST, SOCK_DGRAM), Err(WsaError::WSAEINVAL));
        assert_eq!(v4(IP_UNICAST_IF, SOCK_STREAM), Ok(Int));
        let set = |name, val: &[u8]| set_value(IPPROTO_IP, name, SOCK_DGRAM, AF_INET, val);
        assert_eq!(
            set(IP_MTU_DISCOVER, &0u32.to_le_bytes()),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(set(IP_MTU_DISCOVER, &2u32.to_le_bytes()), Ok(Some(2)));
        assert_eq!(
            set(IP_MTU_DISCOVER, &4u32.to_le_bytes()),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(set(IP_OPTIONS, &[0; 40]), Ok(Some(0)));
        assert_eq!(set(IP_OPTIONS, &[0; 41]), Err(WsaError::WSAEINVAL));
        let v6 = |name, ty| shape(IPPROTO_IPV6, name, ty, AF_INET6);
        assert_eq!(
            v6(IP_ORIGINAL_ARRIVAL_IF, SOCK_STREAM),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(v6(IPV6_PROTECTION_LEVEL, SOCK_STREAM), Ok(Int));
        assert_eq!(v6(IPV6_HOPOPTS, SOCK_DGRAM), Ok(Bytes(2048)));
    }

    #[test]
    fn shapes_of_common_options() {
        use Shape::*;
        assert_eq!(
            shape(SOL_SOCKET, SO_REUSEADDR, SOCK_STREAM, AF_INET),
            Ok(SolBool)
        );
        assert_eq!(
            shape(SOL_SOCKET, SO_RCVTIMEO, SOCK_STREAM, AF_INET),
            Ok(Int)
        );
        assert_eq!(
            shape(SOL_SOCKET, SO_LINGER, SOCK_STREAM, AF_INET),
            Ok(Linger)
        );
        assert_eq!(
            shape(SOL_SOCKET, SO_LINGER, SOCK_DGRAM, AF_INET),
            Err(WsaError::WSAENOPROTOOPT)
        );
        assert_eq!(
            shape(IPPROTO_TCP, TCP_NODELAY, SOCK_DGRAM, AF_INET),
            Err(WsaError::WSAENOPROTOOPT)
        );
        assert_eq!(
            shape(IPPROTO_IP, IP_TTL, SOCK_STREAM, AF_INET),
            Ok(SmallInt)
        );
        assert_eq!(
            shape(IPPROTO_IP, IP_MULTICAST_TTL, SOCK_STREAM, AF_INET),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(
            shape(IPPROTO_IP, IP_MULTICAST_TTL, SOCK_DGRAM, AF_INET),
            Ok(SmallInt)
        );
        assert_eq!(
            shape(IPPROTO_IPV6, IPV6_UNICAST_HOPS, SOCK_STREAM, AF_INET),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(
            shape(IPPROTO_IPV6, IPV6_V6ONLY, SOCK_STREAM, AF_INET),
            Ok(OneByte)
        );
        assert_eq!(
            shape(SOL_SOCKET, 0x7777, SOCK_STREAM, AF_INET),
            Err(WsaError::WSAENOPROTOOPT)
        );
        assert_eq!(
            shape(0x4242, 1, SOCK_STREAM, AF_INET),
            Err(WsaError::WSAEINVAL)
        );
    }
}
