//! `setsockopt` / `getsockopt` on OS sockets: Windows' option values and length rules (the
//! simulator's, `src/sim/sockopt.rs`), carried out with socket2's typed option calls.
//!
//! Options fall into the simulator's four shapes, which decide how `optlen` is checked:
//! SOL_SOCKET booleans (any length ≥ 1, and `setsockopt` accepts 0 and changes nothing),
//! one-byte options (≥ 1, the low byte counts), 4-byte integers, and the 4-byte LINGER. A
//! shorter buffer is WSAEFAULT, an unknown level WSAEINVAL, an unknown option at a known level
//! WSAENOPROTOOPT. `getsockopt` writes `min(optlen, 4)` bytes and returns that length.
//!
//! Values in WinSock's units become socket2's types: SO_RCVTIMEO / SO_SNDTIMEO are DWORD
//! milliseconds (0 = none) ↔ `Option<Duration>`; SO_LINGER is `{u16 l_onoff, u16 l_linger}`
//! ↔ `Option<Duration>` in seconds.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::sock::Entry;
use crate::api::bsp_state::{encode_bsp_state, CsAddrInfo, SO_BSP_STATE};
use crate::api::consts::*;
use crate::api::sockopt_rules as rules;
use crate::api::{SockAddr, WsaError};

/// WinSock milliseconds (0 = no timeout) as socket2's timeout.
fn ms_to_timeout(ms: u32) -> Option<Duration> {
    (ms != 0).then(|| Duration::from_millis(u64::from(ms)))
}

/// socket2's timeout as WinSock milliseconds (a nonzero timeout never reads as 0).
fn timeout_to_ms(t: Option<Duration>) -> u32 {
    t.map_or(0, |d| d.as_millis().clamp(1, u128::from(u32::MAX)) as u32)
}

/// `setsockopt` on `e`.
pub(crate) fn set(e: &Entry, level: i32, name: i32, val: &[u8]) -> Result<(), WsaError> {
    let Some(v) = rules::set_value(level, name, e.ty, e.family, val)? else {
        return Ok(());
    };
    let on = v != 0;
    let s = e.sock();
    let r = match (level, name) {
        (SOL_SOCKET, SO_BROADCAST) => s.set_broadcast(on),
        (SOL_SOCKET, SO_OOBINLINE) => s.set_out_of_band_inline(on),
        (SOL_SOCKET, SO_REUSEADDR) => s.set_reuse_address(on),
        (SOL_SOCKET, SO_KEEPALIVE) => s.set_keepalive(on),
        (SOL_SOCKET, SO_RCVBUF | SO_SNDBUF) if (v as i32) < 0 => return Err(WsaError::WSAEINVAL),
        (SOL_SOCKET, SO_RCVBUF) => s.set_recv_buffer_size(v as usize),
        (SOL_SOCKET, SO_SNDBUF) => s.set_send_buffer_size(v as usize),
        (SOL_SOCKET, SO_RCVTIMEO) => s.set_read_timeout(ms_to_timeout(v)),
        (SOL_SOCKET, SO_SNDTIMEO) => s.set_write_timeout(ms_to_timeout(v)),
        (SOL_SOCKET, SO_LINGER) => {
            let (onoff, secs) = (v & 0xffff, v >> 16);
            s.set_linger((onoff != 0).then(|| Duration::from_secs(u64::from(secs))))
        }
        (SOL_SOCKET, SO_DONTLINGER) => {
            // SO_DONTLINGER FALSE turns lingering on with the current l_linger.
            let keep = s.linger().map_err(|err| e.err(&err, e.ctx()))?;
            s.set_linger((!on).then(|| keep.unwrap_or(Duration::ZERO)))
        }
        (IPPROTO_TCP, TCP_NODELAY) => s.set_nodelay(on),
        (IPPROTO_IP, IP_TTL) => s.set_ttl(v),
        (IPPROTO_IPV6, IPV6_V6ONLY) => s.set_only_v6(on),
        (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => s.set_unicast_hops_v6(v),
        // Read-only options (SO_ACCEPTCONN, SO_ERROR, SO_TYPE), and options of the shared
        // table this backend does not carry out.
        _ => return Err(WsaError::WSAENOPROTOOPT),
    };
    r.map_err(|err| e.err(&err, e.ctx()))
}

/// `getsockopt` on `e`: fills `out` and returns the new optlen.
pub(crate) fn get(e: &Entry, level: i32, name: i32, out: &mut [u8]) -> Result<usize, WsaError> {
    rules::check_get(level, name, e.ty, e.family, out.len())?;
    if let Some(n) = rules::get_protocol_info(level, name, e.ty, e.family, out) {
        return Ok(n);
    }
    if (level, name) == (SOL_SOCKET, SO_BSP_STATE) {
        // getsockname's and getpeername's addresses (none when unbound or not connected).
        let remote = e.sock().peer_addr().ok().and_then(|a| a.as_socket());
        let info = CsAddrInfo::of_socket(
            e.ty,
            e.local()?.map(SockAddr::from),
            remote.map(SockAddr::from),
        );
        return Ok(encode_bsp_state(out, e.family, &info));
    }
    let s = e.sock();
    let b = u32::from;
    let os = |err: std::io::Error| e.err(&err, e.ctx());
    let v: u32 = match (level, name) {
        (SOL_SOCKET, SO_BROADCAST) => b(s.broadcast().map_err(os)?),
        (SOL_SOCKET, SO_ACCEPTCONN) => b(e.listening.load(Ordering::Relaxed)),
        (SOL_SOCKET, SO_OOBINLINE) => b(s.out_of_band_inline().map_err(os)?),
        (SOL_SOCKET, SO_REUSEADDR) => b(s.reuse_address().map_err(os)?),
        (SOL_SOCKET, SO_KEEPALIVE) => b(s.keepalive().map_err(os)?),
        (SOL_SOCKET, SO_RCVBUF) => s.recv_buffer_size().map_err(os)?.min(i32::MAX as usize) as u32,
        (SOL_SOCKET, SO_SNDBUF) => s.send_buffer_size().map_err(os)?.min(i32::MAX as usize) as u32,
        (SOL_SOCKET, SO_RCVTIMEO) => timeout_to_ms(s.read_timeout().map_err(os)?),
        (SOL_SOCKET, SO_SNDTIMEO) => timeout_to_ms(s.write_timeout().map_err(os)?),
        (SOL_SOCKET, SO_ERROR) => match e.take_stashed() {
            Some(w) => w.code() as u32,
            None => match s.take_error().map_err(os)? {
                Some(err) => e.err(&err, e.ctx()).code() as u32,
                None => 0,
            },
        },
        (SOL_SOCKET, SO_TYPE) => e.ty as u32,
        // Windows' figure, not the host's: the largest UDP payload over IPv4 / IPv6.
        (SOL_SOCKET, SO_MAX_MSG_SIZE) if e.family == AF_INET6 => 65_527,
        (SOL_SOCKET, SO_MAX_MSG_SIZE) => 65_507,
        (SOL_SOCKET, SO_LINGER) => match s.linger().map_err(os)? {
            Some(d) => 1 | (d.as_secs().min(u64::from(u16::MAX)) as u32) << 16,
            None => 0,
        },
        (SOL_SOCKET, SO_DONTLINGER) => b(s.linger().map_err(os)?.is_none()),
        (IPPROTO_TCP, TCP_NODELAY) => b(s.nodelay().map_err(os)?),
        (IPPROTO_IP, IP_TTL) => s.ttl().map_err(os)?,
        (IPPROTO_IPV6, IPV6_V6ONLY) => b(s.only_v6().map_err(os)?),
        (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => s.unicast_hops_v6().map_err(os)?,
        _ => return Err(WsaError::WSAENOPROTOOPT),
    };
    Ok(rules::write_value(out, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_convert_between_milliseconds_and_durations() {
        assert_eq!(ms_to_timeout(0), None);
        assert_eq!(ms_to_timeout(1500), Some(Duration::from_millis(1500)));
        assert_eq!(timeout_to_ms(None), 0);
        assert_eq!(timeout_to_ms(Some(Duration::from_micros(10))), 1);
        assert_eq!(timeout_to_ms(Some(Duration::from_secs(2))), 2000);
    }
}
