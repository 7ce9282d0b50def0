//! `CSADDR_INFO`, what `getsockopt(SOL_SOCKET, SO_BSP_STATE)` writes: a socket's local and
//! remote addresses, type and protocol, laid out as on 64-bit Windows.
//!
//! The layout: two 16-byte `SOCKET_ADDRESS`es (`LPSOCKADDR lpSockaddr; INT
//! iSockaddrLength;` + padding), the local then the remote one, then `INT iSocketType` and
//! `INT iProtocol` ([`CSADDR_INFO_LEN`], 40 bytes), then the addresses themselves, each with
//! room for the family's `SOCKADDR_IN` / `SOCKADDR_IN6`. An address the socket does not have
//! (not bound, not connected) is a NULL pointer and a length of 0. As on Windows, each
//! `lpSockaddr` points into the caller's buffer: [`decode_bsp_state`] reads the structure
//! from that same buffer, in place, by the pointers' distance from its start.
//!
//! The buffer must hold the structure and room for both addresses (sock.c
//! test_set_getsockopt: 40 + 2 × 16 bytes for IPv4 exactly; one byte less is WSAEFAULT); the
//! caller's optlen is kept. It is read-only: `setsockopt` gives WSAENOPROTOOPT.

use super::consts::{AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_STREAM};
use super::types::{SockAddr, SOCKADDR_IN6_LEN, SOCKADDR_IN_LEN};

/// SO_BSP_STATE (0x1009): the socket's `CSADDR_INFO` (get only).
pub const SO_BSP_STATE: i32 = 0x1009;
/// `sizeof(CSADDR_INFO)` on 64-bit Windows: 40.
pub const CSADDR_INFO_LEN: usize = 40;

/// A `CSADDR_INFO`: the structure's pointers as owned values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsAddrInfo {
    /// LocalAddr: the address the socket is bound to, if it is.
    pub local: Option<SockAddr>,
    /// RemoteAddr: the peer the socket is connected to, if it is.
    pub remote: Option<SockAddr>,
    /// iSocketType: SOCK_STREAM or SOCK_DGRAM.
    pub socket_type: i32,
    /// iProtocol: IPPROTO_TCP or IPPROTO_UDP.
    pub protocol: i32,
}

impl CsAddrInfo {
    /// What a socket of type `ty` with these addresses reports: its protocol is the type's
    /// (a stream socket is TCP, a datagram one UDP).
    pub(crate) fn of_socket(ty: i32, local: Option<SockAddr>, remote: Option<SockAddr>) -> Self {
        CsAddrInfo {
            local,
            remote,
            socket_type: ty,
            protocol: if ty == SOCK_STREAM {
                IPPROTO_TCP
            } else {
                IPPROTO_UDP
            },
        }
    }
}

/// The room one address of `family` takes after the structure.
fn addr_room(family: i32) -> usize {
    if family == AF_INET6 {
        SOCKADDR_IN6_LEN
    } else {
        SOCKADDR_IN_LEN
    }
}

/// The smallest buffer `getsockopt(SO_BSP_STATE)` takes on a socket of `family`: the
/// structure and room for two addresses.
pub(crate) fn bsp_state_len(family: i32) -> usize {
    CSADDR_INFO_LEN + 2 * addr_room(family)
}

/// Writes `info` into `out` (at least [`bsp_state_len`] bytes, checked by the shared option
/// rules), its pointers pointing into `out` as Windows writes them; returns the optlen the
/// call reports (the caller's, kept).
pub(crate) fn encode_bsp_state(out: &mut [u8], family: i32, info: &CsAddrInfo) -> usize {
    let base = out.as_ptr() as u64;
    let room = addr_room(family);
    out[..CSADDR_INFO_LEN].fill(0);
    for (i, addr) in [&info.local, &info.remote].into_iter().enumerate() {
        let Some(a) = addr else { continue };
        let bytes = &a.as_bytes()[..a.as_bytes().len().min(room)];
        let at = CSADDR_INFO_LEN + i * room;
        out[at..at + bytes.len()].copy_from_slice(bytes);
        let entry = i * 16;
        out[entry..entry + 8].copy_from_slice(&(base + at as u64).to_le_bytes());
        out[entry + 8..entry + 12].copy_from_slice(&(bytes.len() as i32).to_le_bytes());
    }
    out[32..36].copy_from_slice(&info.socket_type.to_le_bytes());
    out[36..40].copy_from_slice(&info.protocol.to_le_bytes());
    out.len()
}

/// The `CSADDR_INFO` that `getsockopt(SOL_SOCKET, SO_BSP_STATE)` wrote into `buf` (the
/// buffer passed to the call, read in place: its pointers point into it); `None` when the
/// bytes do not hold a whole structure or a pointer leads outside `buf`.
pub fn decode_bsp_state(buf: &[u8]) -> Option<CsAddrInfo> {
    let int = |at: usize| -> Option<i32> {
        Some(i32::from_le_bytes(buf.get(at..at + 4)?.try_into().ok()?))
    };
    let base = buf.as_ptr() as u64;
    let addr = |entry: usize| -> Option<Option<SockAddr>> {
        let ptr = u64::from_le_bytes(buf.get(entry..entry + 8)?.try_into().ok()?);
        let len = usize::try_from(int(entry + 8)?).ok()?;
        if ptr == 0 {
            return Some(None);
        }
        let at = usize::try_from(ptr.checked_sub(base)?).ok()?;
        Some(Some(SockAddr::from_bytes(
            buf.get(at..at.checked_add(len)?)?,
        )))
    };
    Some(CsAddrInfo {
        local: addr(0)?,
        remote: addr(16)?,
        socket_type: int(32)?,
        protocol: int(36)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::consts::AF_INET;

    #[test]
    fn round_trip_in_place() {
        let info =
            CsAddrInfo::of_socket(SOCK_STREAM, Some(SockAddr::v4([127, 0, 0, 1], 5000)), None);
        assert_eq!(info.protocol, IPPROTO_TCP);
        let mut buf = [0xccu8; 128];
        assert_eq!(bsp_state_len(AF_INET), 72);
        assert_eq!(encode_bsp_state(&mut buf, AF_INET, &info), 128);
        assert_eq!(decode_bsp_state(&buf), Some(info));
        // NULL and 0 for the address it does not have.
        assert_eq!(&buf[16..28], &[0; 12]);
        // A copy elsewhere has pointers into the original, not into itself.
        let copy = buf;
        assert_eq!(decode_bsp_state(&copy), None);
        assert_eq!(decode_bsp_state(&buf[..30]), None);
    }
}
