//! `WSAMSG` and its control data, for `WSARecvMsg` and `WSASendMsg`.
//!
//! Control data is kept as Windows lays it out: `Control.buf` is a byte buffer of
//! WSACMSGHDR records (`cmsg_len` as a SIZE_T, `cmsg_level`, `cmsg_type`, then the data,
//! each record padded to 8 bytes — the x64 layout, whatever the machine running the sim).
//! A program that walks it with WSA_CMSG_FIRSTHDR / WSA_CMSG_NXTHDR in C finds the same bytes
//! here; [`parse_cmsgs`] (and [`WsaMsg::cmsgs`]) give the typed view ([`Cmsg`]) most Rust
//! code wants instead.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::consts::*;
use super::types::SockAddr;

/// sizeof(WSACMSGHDR) on x64: `SIZE_T cmsg_len; INT cmsg_level; INT cmsg_type;`.
pub const WSA_CMSGHDR_LEN: usize = 16;

/// `WSA_CMSGDATA_ALIGN(n)` / `WSA_CMSGHDR_ALIGN(n)` on x64: `n` rounded up to 8.
pub const fn wsa_cmsg_align(n: usize) -> usize {
    (n + 7) & !7
}

/// `WSA_CMSG_LEN(n)`: the `cmsg_len` of a record carrying `n` data bytes.
pub const fn wsa_cmsg_len(n: usize) -> usize {
    WSA_CMSGHDR_LEN + n
}

/// `WSA_CMSG_SPACE(n)`: the bytes a record carrying `n` data bytes takes in `Control.buf`.
pub const fn wsa_cmsg_space(n: usize) -> usize {
    WSA_CMSGHDR_LEN + wsa_cmsg_align(n)
}

/// One control-data record (WSACMSGHDR and its data), typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmsg {
    /// `IPPROTO_IP / IP_PKTINFO`: an `IN_PKTINFO` (the datagram's destination address and the
    /// receiving interface's index); returned while IP_PKTINFO is on.
    PktInfo {
        /// `ipi_addr`: the address the datagram was sent to (a group for multicast).
        addr: Ipv4Addr,
        /// `ipi_ifindex` (the sim: 1 for loopback, 2 for the host's one interface).
        ifindex: u32,
    },
    /// `IPPROTO_IPV6 / IPV6_PKTINFO`: an `IN6_PKTINFO`; returned while IPV6_PKTINFO is on.
    Pkt6Info {
        /// `ipi6_addr`: the destination address.
        addr: Ipv6Addr,
        /// `ipi6_ifindex`.
        ifindex: u32,
    },
    /// `IPPROTO_IP / IP_TTL`: the datagram's TTL as an INT (IP_RECVTTL on).
    Ttl(i32),
    /// `IPPROTO_IP / IP_TOS`: the datagram's type of service as an INT (IP_RECVTOS on).
    Tos(i32),
    /// `IPPROTO_IPV6 / IPV6_HOPLIMIT`: the hop limit as an INT (IPV6_HOPLIMIT on).
    HopLimit(i32),
    /// `IPPROTO_IPV6 / IPV6_TCLASS`: the traffic class as an INT (IPV6_RECVTCLASS on).
    TClass(i32),
    /// Any other record, as its level, type and data bytes.
    Other {
        /// cmsg_level.
        level: i32,
        /// cmsg_type.
        ty: i32,
        /// The data (cmsg_len − sizeof(WSACMSGHDR) bytes).
        data: Vec<u8>,
    },
}

impl Cmsg {
    /// The record's (cmsg_level, cmsg_type, data).
    pub fn parts(&self) -> (i32, i32, Vec<u8>) {
        match self {
            Cmsg::PktInfo { addr, ifindex } => {
                let mut d = addr.octets().to_vec();
                d.extend_from_slice(&ifindex.to_le_bytes());
                (IPPROTO_IP, IP_PKTINFO, d)
            }
            Cmsg::Pkt6Info { addr, ifindex } => {
                let mut d = addr.octets().to_vec();
                d.extend_from_slice(&ifindex.to_le_bytes());
                (IPPROTO_IPV6, IPV6_PKTINFO, d)
            }
            Cmsg::Ttl(v) => (IPPROTO_IP, IP_TTL, v.to_le_bytes().to_vec()),
            Cmsg::Tos(v) => (IPPROTO_IP, IP_TOS, v.to_le_bytes().to_vec()),
            Cmsg::HopLimit(v) => (IPPROTO_IPV6, IPV6_HOPLIMIT, v.to_le_bytes().to_vec()),
            Cmsg::TClass(v) => (IPPROTO_IPV6, IPV6_TCLASS, v.to_le_bytes().to_vec()),
            Cmsg::Other { level, ty, data } => (*level, *ty, data.clone()),
        }
    }

    /// The record in WSACMSGHDR layout, padded to [`wsa_cmsg_space`] bytes.
    pub fn encode(&self) -> Vec<u8> {
        let (level, ty, data) = self.parts();
        let mut b = Vec::with_capacity(wsa_cmsg_space(data.len()));
        b.extend_from_slice(&(wsa_cmsg_len(data.len()) as u64).to_le_bytes());
        b.extend_from_slice(&level.to_le_bytes());
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(&data);
        b.resize(wsa_cmsg_space(data.len()), 0);
        b
    }

    fn decode(level: i32, ty: i32, data: &[u8]) -> Cmsg {
        let int = || {
            let mut v = [0u8; 4];
            v.copy_from_slice(&data[..4]);
            i32::from_le_bytes(v)
        };
        let index = |at: usize| {
            let mut v = [0u8; 4];
            v.copy_from_slice(&data[at..at + 4]);
            u32::from_le_bytes(v)
        };
        match (level, ty, data.len()) {
            (IPPROTO_IP, IP_PKTINFO, 8) => Cmsg::PktInfo {
                addr: Ipv4Addr::new(data[0], data[1], data[2], data[3]),
                ifindex: index(4),
            },
            (IPPROTO_IPV6, IPV6_PKTINFO, 20) => {
                let mut a = [0u8; 16];
                a.copy_from_slice(&data[..16]);
                Cmsg::Pkt6Info {
                    addr: Ipv6Addr::from(a),
                    ifindex: index(16),
                }
            }
            (IPPROTO_IP, IP_TTL, 4) => Cmsg::Ttl(int()),
            (IPPROTO_IP, IP_TOS, 4) => Cmsg::Tos(int()),
            (IPPROTO_IPV6, IPV6_HOPLIMIT, 4) => Cmsg::HopLimit(int()),
            (IPPROTO_IPV6, IPV6_TCLASS, 4) => Cmsg::TClass(int()),
            _ => Cmsg::Other {
                level,
                ty,
                data: data.to_vec(),
            },
        }
    }
}

/// The records of a `Control.buf` (WSA_CMSG_FIRSTHDR … WSA_CMSG_NXTHDR); a record whose
/// `cmsg_len` runs past the buffer ends the walk.
pub fn parse_cmsgs(control: &[u8]) -> Vec<Cmsg> {
    let mut out = Vec::new();
    let mut at = 0;
    while control.len() >= at + WSA_CMSGHDR_LEN {
        let mut l = [0u8; 8];
        l.copy_from_slice(&control[at..at + 8]);
        let len = u64::from_le_bytes(l) as usize;
        if len < WSA_CMSGHDR_LEN || at + len > control.len() {
            break;
        }
        let mut lv = [0u8; 4];
        lv.copy_from_slice(&control[at + 8..at + 12]);
        let mut ty = [0u8; 4];
        ty.copy_from_slice(&control[at + 12..at + 16]);
        out.push(Cmsg::decode(
            i32::from_le_bytes(lv),
            i32::from_le_bytes(ty),
            &control[at + WSA_CMSGHDR_LEN..at + len],
        ));
        at += wsa_cmsg_space(len - WSA_CMSGHDR_LEN);
    }
    out
}

/// WSAMSG: the message `WSARecvMsg` fills and `WSASendMsg` sends.
///
/// For a receive, set `bufs` to the WSABUF sizes (their lengths are `len`), `control` to
/// `Control.len` zero bytes (`vec![0; n]`, empty for no control buffer) and `flags` to the
/// input flags (0 or MSG_PEEK); on return `bufs` hold the data, `name` the source,
/// `control` the records written (trimmed to the new `Control.len`) and `flags` the output
/// flags (MSG_TRUNC, MSG_CTRUNC, MSG_MCAST, MSG_BCAST). For a send, `name` is the
/// destination (`None`: the connected peer), `bufs` the data gathered in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WsaMsg {
    /// `name` / `namelen`: the source (receive) or destination (send).
    pub name: Option<SockAddr>,
    /// `lpBuffers` / `dwBufferCount`.
    pub bufs: Vec<Vec<u8>>,
    /// `Control`: WSACMSGHDR records (see the module documentation).
    pub control: Vec<u8>,
    /// `dwFlags`.
    pub flags: u32,
}

impl WsaMsg {
    /// A receive message with buffers of the given sizes and a control buffer of
    /// `control_len` bytes.
    pub fn for_recv(buf_sizes: &[usize], control_len: usize) -> WsaMsg {
        WsaMsg {
            name: None,
            bufs: buf_sizes.iter().map(|&n| vec![0u8; n]).collect(),
            control: vec![0u8; control_len],
            flags: 0,
        }
    }

    /// A send message of one buffer to `to` (`None`: the connected peer).
    pub fn for_send(data: &[u8], to: Option<SockAddr>) -> WsaMsg {
        WsaMsg {
            name: to,
            bufs: vec![data.to_vec()],
            control: Vec::new(),
            flags: 0,
        }
    }

    /// The control records, typed ([`parse_cmsgs`] of `control`).
    pub fn cmsgs(&self) -> Vec<Cmsg> {
        parse_cmsgs(&self.control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_in_the_x64_layout() {
        let recs = vec![
            Cmsg::PktInfo {
                addr: Ipv4Addr::new(127, 0, 0, 1),
                ifindex: 1,
            },
            Cmsg::Ttl(128),
            Cmsg::Pkt6Info {
                addr: Ipv6Addr::LOCALHOST,
                ifindex: 1,
            },
        ];
        let bytes: Vec<u8> = recs.iter().flat_map(|c| c.encode()).collect();
        assert_eq!(bytes.len(), 24 + 24 + 40);
        assert_eq!(&bytes[..8], &24u64.to_le_bytes());
        assert_eq!(parse_cmsgs(&bytes), recs);
        assert_eq!(parse_cmsgs(&bytes[..30]), recs[..1].to_vec());
    }
}
