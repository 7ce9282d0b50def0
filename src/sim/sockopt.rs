//! `setsockopt` / `getsockopt`: the option table and Windows' length rules (conformance
//! OP-01 … OP-13).
//!
//! Options fall into four shapes, which decide how `optlen` is checked:
//! - SOL_SOCKET booleans (SO_BROADCAST, SO_DONTLINGER, SO_OOBINLINE, SO_REUSEADDR,
//!   SO_EXCLUSIVEADDRUSE, SO_DEBUG, SO_ACCEPTCONN): any length ≥ 1 works, and `setsockopt`
//!   even accepts optlen 0 (nothing changes);
//! - one-byte options (SO_KEEPALIVE, SO_DONTROUTE, TCP_NODELAY, IP_TTL, IP_TOS, IPv6
//!   booleans): any length ≥ 1, only the low byte counts;
//! - integers (buffer sizes, timeouts, SO_ERROR, SO_TYPE, TCP keep-alive settings): 4 bytes;
//! - SO_LINGER: a 4-byte LINGER.
//!
//! A shorter buffer than the shape needs is WSAEFAULT; an unknown level WSAEINVAL; an unknown
//! option at a known level WSAENOPROTOOPT.

use super::socket::{Linger, Role};
use super::world::World;
use crate::api::consts::*;
use crate::api::WsaError;

// IPPROTO_IP option names (ws2ipdef.h) the option table must recognise to reject them.
const IP_HDRINCL: i32 = 2;
const IP_MULTICAST_IF: i32 = 9;
const IP_MULTICAST_TTL: i32 = 10;
const IP_MULTICAST_LOOP: i32 = 11;
const IP_PKTINFO: i32 = 19;
const IP_RECVTTL: i32 = 21;
const IP_RECVTOS: i32 = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    SolBool,
    OneByte,
    Int,
    Linger,
}

fn shape(level: i32, name: i32, ty: i32, family: i32) -> Result<Shape, WsaError> {
    use Shape::*;
    match level {
        SOL_SOCKET => match name {
            SO_BROADCAST | SO_DONTLINGER | SO_OOBINLINE | SO_REUSEADDR | SO_EXCLUSIVEADDRUSE
            | SO_DEBUG | SO_ACCEPTCONN => {
                if name == SO_DONTLINGER && ty != SOCK_STREAM {
                    return Err(WsaError::WSAENOPROTOOPT);
                }
                Ok(SolBool)
            }
            SO_KEEPALIVE | SO_DONTROUTE => Ok(OneByte),
            SO_RCVBUF | SO_SNDBUF | SO_RCVTIMEO | SO_SNDTIMEO | SO_ERROR | SO_TYPE
            | SO_CONNECT_TIME => Ok(Int),
            SO_LINGER if ty == SOCK_STREAM => Ok(Linger),
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_TCP => match name {
            _ if ty != SOCK_STREAM => Err(WsaError::WSAENOPROTOOPT),
            TCP_NODELAY => Ok(OneByte),
            TCP_KEEPALIVE | TCP_KEEPCNT | TCP_KEEPINTVL => Ok(Int),
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_IP => match name {
            IP_TTL | IP_TOS => Ok(OneByte),
            // Raw sockets only: WSAEINVAL on TCP and UDP alike (conformance OP-08).
            IP_HDRINCL => Err(WsaError::WSAEINVAL),
            // Datagram-only options: WSAEINVAL on a stream socket (conformance OP-08).
            IP_MULTICAST_IF | IP_MULTICAST_TTL | IP_MULTICAST_LOOP | IP_PKTINFO | IP_RECVTTL
            | IP_RECVTOS
                if ty == SOCK_STREAM =>
            {
                Err(WsaError::WSAEINVAL)
            }
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_IPV6 => match name {
            _ if family != AF_INET6 => Err(WsaError::WSAEINVAL),
            IPV6_V6ONLY | IPV6_UNICAST_HOPS => Ok(OneByte),
            _ => Err(WsaError::WSAENOPROTOOPT),
        },
        IPPROTO_UDP => Err(WsaError::WSAENOPROTOOPT),
        _ => Err(WsaError::WSAEINVAL),
    }
}

/// Reads up to 4 little-endian bytes as an integer.
fn read_int(b: &[u8]) -> u32 {
    let mut v = [0u8; 4];
    let n = b.len().min(4);
    v[..n].copy_from_slice(&b[..n]);
    u32::from_le_bytes(v)
}

impl World {
    pub(crate) fn set_opt(
        &mut self,
        id: usize,
        level: i32,
        name: i32,
        val: &[u8],
    ) -> Result<(), WsaError> {
        let s = self.sockets.at(id);
        let shape = shape(level, name, s.ty, s.family)?;
        let v = match shape {
            Shape::SolBool if val.is_empty() => return Ok(()),
            Shape::SolBool => read_int(val),
            Shape::OneByte if val.is_empty() => return Err(WsaError::WSAEFAULT),
            Shape::OneByte => u32::from(val[0]),
            Shape::Int | Shape::Linger if val.len() < 4 => return Err(WsaError::WSAEFAULT),
            Shape::Int | Shape::Linger => read_int(val),
        };
        let on = v != 0;
        let o = &mut s.opts;
        match (level, name) {
            (SOL_SOCKET, SO_BROADCAST) => o.broadcast = on,
            (SOL_SOCKET, SO_DEBUG) => {}
            (SOL_SOCKET, SO_OOBINLINE) => o.oobinline = on,
            (SOL_SOCKET, SO_DONTLINGER) => o.linger.onoff = !on,
            (SOL_SOCKET, SO_REUSEADDR) => {
                if on && o.exclusive {
                    return Err(WsaError::WSAEINVAL);
                }
                o.reuseaddr = on;
            }
            (SOL_SOCKET, SO_EXCLUSIVEADDRUSE) => {
                if on && o.reuseaddr {
                    return Err(WsaError::WSAEINVAL);
                }
                o.exclusive = on;
            }
            (SOL_SOCKET, SO_KEEPALIVE) => o.keepalive = on,
            (SOL_SOCKET, SO_DONTROUTE) => o.dontroute = on,
            (SOL_SOCKET, SO_RCVBUF | SO_SNDBUF) if (v as i32) < 0 => {
                return Err(WsaError::WSAEINVAL)
            }
            (SOL_SOCKET, SO_RCVBUF) => {
                o.rcvbuf = v as usize;
                // A bigger buffer may reopen the window at once.
                self.tcp_window_update(id);
            }
            (SOL_SOCKET, SO_SNDBUF) => {
                o.sndbuf = v as usize;
                // A bigger buffer may let a blocked sender go on.
                self.on_send_space(id);
            }
            (SOL_SOCKET, SO_RCVTIMEO) => o.rcvtimeo_ms = v,
            (SOL_SOCKET, SO_SNDTIMEO) => o.sndtimeo_ms = v,
            (SOL_SOCKET, SO_ERROR) => s.so_error = v as i32,
            (SOL_SOCKET, SO_LINGER) => {
                o.linger = Linger {
                    onoff: (v & 0xffff) != 0,
                    secs: (v >> 16) as u16,
                }
            }
            (IPPROTO_TCP, TCP_NODELAY) => o.nodelay = on,
            (IPPROTO_TCP, TCP_KEEPALIVE | TCP_KEEPCNT | TCP_KEEPINTVL) => {}
            (IPPROTO_IP, IP_TTL) => o.ip_ttl = v,
            (IPPROTO_IP, IP_TOS) => o.ip_tos = v,
            (IPPROTO_IPV6, IPV6_V6ONLY) => o.v6only = on,
            (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => o.ip_ttl = v,
            // Read-only options.
            _ => return Err(WsaError::WSAENOPROTOOPT),
        }
        Ok(())
    }

    pub(crate) fn get_opt(
        &mut self,
        id: usize,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> Result<usize, WsaError> {
        let now = self.now;
        let s = self.sockets.at(id);
        let shape = shape(level, name, s.ty, s.family)?;
        let min = match shape {
            Shape::SolBool | Shape::OneByte => 1,
            Shape::Int | Shape::Linger => 4,
        };
        if out.len() < min {
            return Err(WsaError::WSAEFAULT);
        }
        let o = &s.opts;
        let b = u32::from;
        let v: u32 = match (level, name) {
            (SOL_SOCKET, SO_BROADCAST) => b(o.broadcast),
            (SOL_SOCKET, SO_DEBUG) => 0,
            (SOL_SOCKET, SO_ACCEPTCONN) => b(matches!(s.role, Role::Listener(_))),
            (SOL_SOCKET, SO_OOBINLINE) => b(o.oobinline),
            (SOL_SOCKET, SO_DONTLINGER) => b(!o.linger.onoff),
            (SOL_SOCKET, SO_REUSEADDR) => b(o.reuseaddr),
            (SOL_SOCKET, SO_EXCLUSIVEADDRUSE) => b(o.exclusive),
            (SOL_SOCKET, SO_KEEPALIVE) => b(o.keepalive),
            (SOL_SOCKET, SO_DONTROUTE) => b(o.dontroute),
            (SOL_SOCKET, SO_RCVBUF) => o.rcvbuf as u32,
            (SOL_SOCKET, SO_SNDBUF) => o.sndbuf as u32,
            (SOL_SOCKET, SO_RCVTIMEO) => o.rcvtimeo_ms,
            (SOL_SOCKET, SO_SNDTIMEO) => o.sndtimeo_ms,
            (SOL_SOCKET, SO_ERROR) => s.so_error as u32,
            (SOL_SOCKET, SO_TYPE) => s.ty as u32,
            (SOL_SOCKET, SO_CONNECT_TIME) => match &s.role {
                Role::Stream(t) => match t.connected_at {
                    Some(at) if t.error.is_none() => ((now - at) / 1_000_000_000) as u32,
                    _ => u32::MAX,
                },
                _ => u32::MAX,
            },
            (SOL_SOCKET, SO_LINGER) => b(o.linger.onoff) | (u32::from(o.linger.secs) << 16),
            (IPPROTO_TCP, TCP_NODELAY) => b(o.nodelay),
            (IPPROTO_TCP, TCP_KEEPALIVE) => 7200,
            (IPPROTO_TCP, TCP_KEEPCNT) => 10,
            (IPPROTO_TCP, TCP_KEEPINTVL) => 1,
            (IPPROTO_IP, IP_TTL) => o.ip_ttl,
            (IPPROTO_IP, IP_TOS) => o.ip_tos,
            (IPPROTO_IPV6, IPV6_V6ONLY) => b(o.v6only),
            (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => o.ip_ttl,
            _ => return Err(WsaError::WSAENOPROTOOPT),
        };
        let n = out.len().min(4);
        out[..n].copy_from_slice(&v.to_le_bytes()[..n]);
        Ok(n)
    }
}
