//! The interface queries of `WSAIoctl`: `SIO_GET_INTERFACE_LIST` (an array of
//! `INTERFACE_INFO`, one per IPv4 interface address) and `SIO_ROUTING_INTERFACE_QUERY` (the
//! local address the host would send from to reach a destination).
//!
//! `INTERFACE_INFO` as Windows lays it out: `ULONG iiFlags`, then three `sockaddr_gen`
//! unions (`iiAddress`, `iiBroadcastAddress`, `iiNetmask`) of 24 bytes each (the union's
//! largest member, `sockaddr_in6_old`), 4-byte aligned: [`INTERFACE_INFO_LEN`] = 76 bytes. An
//! interface without IFF_BROADCAST has a zeroed `iiBroadcastAddress` (family 0).
//!
//! In the simulator a host has the loopback interface (127.0.0.1/8: IFF_UP | IFF_LOOPBACK |
//! IFF_MULTICAST) and one interface per IPv4 address given to `Sim::host` or added later, on
//! a /24 subnet (IFF_UP | IFF_BROADCAST | IFF_MULTICAST, the subnet's directed broadcast
//! address); the host's own interfaces come first, loopback last.

use super::types::{SockAddr, SOCKADDR_IN_LEN};

/// SIO_GET_INTERFACE_LIST (`_IOR('t', 127, u_long)` = 0x4004747F): the host's IPv4
/// interfaces as an array of `INTERFACE_INFO` ([`decode_interface_list`]); cbBytesReturned is
/// the array's size. An output buffer too small for the whole array: WSAEFAULT with a count
/// of 0; overlapped, the call pends and completes with the array's size, or with
/// STATUS_BUFFER_TOO_SMALL (ERROR_INSUFFICIENT_BUFFER from GetQueuedCompletionStatus) and 0
/// bytes (sock.c test_get_interface_list). The sim lists its host's interfaces (module doc).
pub const SIO_GET_INTERFACE_LIST: u32 = 0x4004_747F;
/// SIO_ROUTING_INTERFACE_QUERY (`_WSAIORW(IOC_WS2, 20)` = 0xC8000014): the input is a
/// destination `SOCKADDR_IN` / `SOCKADDR_IN6`, the output the local address (port 0) the host
/// sends from to reach it. A short or missing input: WSAEINVAL; a family other than AF_INET
/// and AF_INET6: WSAEAFNOSUPPORT; the wildcard address: WSAEINVAL; no route (no interface of
/// that family): WSAENETUNREACH; an output too small for the address: WSAEFAULT with the size
/// needed in cbBytesReturned. Overlapped, it completes at once (0 bytes in the completion),
/// as the other immediate codes do. The sim answers loopback for a loopback destination and
/// otherwise the host's first address of the destination's family (the address connect and
/// sendto send from).
pub const SIO_ROUTING_INTERFACE_QUERY: u32 = 0xC800_0014;

/// IFF_UP (0x01): the interface is running.
pub const IFF_UP: u32 = 0x01;
/// IFF_BROADCAST (0x02): the interface supports broadcast (`iiBroadcastAddress` is set).
pub const IFF_BROADCAST: u32 = 0x02;
/// IFF_LOOPBACK (0x04): the loopback interface.
pub const IFF_LOOPBACK: u32 = 0x04;
/// IFF_POINTTOPOINT (0x08): a point-to-point link (the sim has none).
pub const IFF_POINTTOPOINT: u32 = 0x08;
/// IFF_MULTICAST (0x10): the interface supports multicast.
pub const IFF_MULTICAST: u32 = 0x10;

/// `sizeof(sockaddr_gen)`: 24 (its largest member, `sockaddr_in6_old`).
pub const SOCKADDR_GEN_LEN: usize = 24;
/// `sizeof(INTERFACE_INFO)`: 76 (`ULONG` + three `sockaddr_gen`).
pub const INTERFACE_INFO_LEN: usize = 4 + 3 * SOCKADDR_GEN_LEN;

/// One `INTERFACE_INFO` of `WSAIoctl(SIO_GET_INTERFACE_LIST)`. The addresses keep the 16
/// bytes of the `sockaddr_in` each `sockaddr_gen` holds (port 0); a zeroed one has family 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// iiFlags: IFF_* bits.
    pub flags: u32,
    /// iiAddress: the interface's address.
    pub address: SockAddr,
    /// iiBroadcastAddress: the broadcast address with IFF_BROADCAST, else zeroed.
    pub broadcast: SockAddr,
    /// iiNetmask: the subnet mask.
    pub netmask: SockAddr,
}

/// The bytes of an `INTERFACE_INFO` array holding `list` (the size WSAIoctl reports).
pub(crate) fn encode_interface_list(list: &[InterfaceInfo]) -> Vec<u8> {
    let mut out = vec![0u8; list.len() * INTERFACE_INFO_LEN];
    for (i, info) in list.iter().enumerate() {
        let at = i * INTERFACE_INFO_LEN;
        out[at..at + 4].copy_from_slice(&info.flags.to_le_bytes());
        for (k, a) in [info.address, info.broadcast, info.netmask]
            .iter()
            .enumerate()
        {
            let b = a.as_bytes();
            let from = at + 4 + k * SOCKADDR_GEN_LEN;
            let n = b.len().min(SOCKADDR_GEN_LEN);
            out[from..from + n].copy_from_slice(&b[..n]);
        }
    }
    out
}

/// The entries of an `INTERFACE_INFO` array written by `WSAIoctl(SIO_GET_INTERFACE_LIST)`
/// (the first cbBytesReturned bytes of its buffer); `None` when the length is not a whole
/// number of entries.
pub fn decode_interface_list(b: &[u8]) -> Option<Vec<InterfaceInfo>> {
    if b.len() % INTERFACE_INFO_LEN != 0 {
        return None;
    }
    let addr = |e: &[u8], k: usize| {
        let from = 4 + k * SOCKADDR_GEN_LEN;
        SockAddr::from_bytes(&e[from..from + SOCKADDR_IN_LEN])
    };
    Some(
        b.chunks_exact(INTERFACE_INFO_LEN)
            .map(|e| InterfaceInfo {
                flags: u32::from_le_bytes([e[0], e[1], e[2], e[3]]),
                address: addr(e, 0),
                broadcast: addr(e, 1),
                netmask: addr(e, 2),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_layout() {
        let list = [InterfaceInfo {
            flags: IFF_UP | IFF_BROADCAST | IFF_MULTICAST,
            address: SockAddr::v4([192, 0, 2, 1], 0),
            broadcast: SockAddr::v4([192, 0, 2, 255], 0),
            netmask: SockAddr::v4([255, 255, 255, 0], 0),
        }];
        let b = encode_interface_list(&list);
        assert_eq!(b.len(), 76);
        assert_eq!(&b[..4], &[0x13, 0, 0, 0]);
        // iiAddress at 4: AF_INET, port 0, 192.0.2.1; iiNetmask at 52.
        assert_eq!(&b[4..12], &[2, 0, 0, 0, 192, 0, 2, 1]);
        assert_eq!(&b[52..60], &[2, 0, 0, 0, 255, 255, 255, 0]);
        assert_eq!(decode_interface_list(&b), Some(list.to_vec()));
        assert_eq!(decode_interface_list(&b[..75]), None);
        assert_eq!(decode_interface_list(&[]), Some(vec![]));
    }
}
