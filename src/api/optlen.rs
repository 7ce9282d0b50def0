//! `getsockopt` / `setsockopt` with C's pointer-and-length arguments: the optval pointer as
//! an `Option` (None is NULL), the optlen as an `i32` (in/out for `getsockopt`), so the checks
//! Windows makes on them can be written as sock.c writes them (NULL optval, optlen -1, the
//! optlen a failed call leaves).
//!
//! Shared by every backend: the rules below wrap the backend's slice-based `getsockopt` /
//! `setsockopt`, which keep their own checks (unknown level WSAEINVAL, unknown option
//! WSAENOPROTOOPT, short buffer WSAEFAULT). Windows' order (sock.c test_set_getsockopt):
//! 1. WSAENOTSOCK for a handle that is no socket (SO_OPENTYPE takes any handle);
//! 2. WSAEFAULT for a NULL optval or optlen, even with optlen 0 (lines 1381–1393, 1763–1774);
//! 3. optlen -1: `getsockopt` fails with WSAEFAULT and leaves it (SO_OPENTYPE: succeeds and
//!    reports 4); `setsockopt` reads a SOL_SOCKET option's 4 bytes as if optlen were huge and
//!    succeeds, while an option handed to the transport (one-byte SOL_SOCKET options, every
//!    other level) fails with WSAENOBUFS (lines 1574–1610);
//! 4. otherwise the backend's own checks on the first optlen bytes.
//!
//! A failed `getsockopt` writes back, on WSAEFAULT for a short buffer: the caller's optlen at
//! SOL_SOCKET, the structure's size for SO_PROTOCOL_INFOA/W, 0 at the other levels (lines
//! 1667–1708, 1780); after any other failure the optlen is left alone (1759).
//!
//! One rule of ours, not Windows': an optlen larger than the slice is WSAEFAULT (after the
//! WSAENOTSOCK check), since the memory past a Rust slice is not the caller's to hand over.
//!
//! `getpeername` with C's `name` / `namelen` ([`getpeername_c`]) follows the same pattern:
//! WSAENOTSOCK, then WSAENOTCONN (even with NULL arguments), then WSAEFAULT for a NULL name
//! or namelen, or a namelen shorter than the address (the namelen left as it was: sock.c
//! test_getpeername 10115–10145, test_getsockname 5380–5385).
//!
//! `WSAIoctl` without OVERLAPPED with C's buffers and lengths ([`wsa_ioctl_c`]): a NULL
//! lpcbBytesReturned is WSAEFAULT (after WSAENOTSOCK); a NULL buffer counts as an empty one,
//! whatever length comes with it (sock.c test_keepalive_vals 5805–5810,
//! test_address_list_query 11729–11733); the count is written on success and after the
//! driver's failures (0, or the size SIO_ADDRESS_LIST_QUERY needs), but left alone when
//! ws2_32 itself refuses a FIONBIO / FIONREAD / SIOCATMARK buffer (WSAEFAULT,
//! test_fionread_siocatmark 5489–5505) or the handle (WSAENOTSOCK).
//!
//! `WSASendMsg` without OVERLAPPED with C's `lpMsg` / `lpNumberOfBytesSent`
//! ([`wsa_send_msg_c`]): WSAENOTSOCK first, then WSAEFAULT for either NULL; a NULL count with
//! a message still binds an unbound datagram socket to the wildcard address first (sock.c
//! test_WSASendMsg 7621–7633, todo_wine: Windows' behaviour), a NULL message does not
//! (7636–7642).

use super::consts::{
    AF_INET6, FIONBIO, FIONREAD, SIOCATMARK, SOCK_DGRAM, SOL_SOCKET, SO_DONTROUTE, SO_KEEPALIVE,
    SO_OPENTYPE, SO_TYPE,
};
use super::msg::WsaMsg;
use super::overlapped::OverlappedIo;
use super::protocol_info::{
    SO_PROTOCOL_INFOA, SO_PROTOCOL_INFOW, WSAPROTOCOL_INFOA_LEN, WSAPROTOCOL_INFOW_LEN,
};
use super::types::SockAddr;
use super::{Socket, Winsock, WinsockExt, WsaError};

/// Whether the option is answered for any handle (SO_OPENTYPE is the calling thread's).
fn any_handle(level: i32, name: i32) -> bool {
    level == SOL_SOCKET && name == SO_OPENTYPE
}

/// `e`, unless `s` is no socket, which Windows reports first (WSAENOTSOCK).
fn not_sock_or<W: Winsock + ?Sized>(
    ws: &W,
    s: Socket,
    level: i32,
    name: i32,
    e: WsaError,
) -> WsaError {
    if any_handle(level, name) {
        return e;
    }
    let mut ty = [0u8; 4];
    match ws.getsockopt(s, SOL_SOCKET, SO_TYPE, &mut ty) {
        Err(WsaError::WSAENOTSOCK) => WsaError::WSAENOTSOCK,
        _ => e,
    }
}

/// Sets the calling thread's last error from `r`, as the C call does on return.
fn finish<W: Winsock + ?Sized>(ws: &W, r: Result<(), WsaError>) -> Result<(), WsaError> {
    ws.wsa_set_last_error(r.as_ref().err().map_or(0, |e| e.code()));
    r
}

/// The optlen a `getsockopt` that failed with WSAEFAULT for a short buffer of `len` bytes
/// writes back (sock.c test_optsize's `sizes` for the rows that refuse short lengths).
pub(crate) fn failed_get_len(level: i32, name: i32, len: i32) -> i32 {
    match (level, name) {
        (SOL_SOCKET, SO_PROTOCOL_INFOA) => WSAPROTOCOL_INFOA_LEN as i32,
        (SOL_SOCKET, SO_PROTOCOL_INFOW) => WSAPROTOCOL_INFOW_LEN as i32,
        (SOL_SOCKET, _) => len,
        _ => 0,
    }
}

/// Whether `setsockopt` reads a negative optlen as a huge unsigned one (SOL_SOCKET options
/// ws2_32 handles itself) rather than failing with WSAENOBUFS (options handed to the
/// transport: the one-byte SOL_SOCKET options and every other level).
pub(crate) fn set_takes_negative_len(level: i32, name: i32) -> bool {
    level == SOL_SOCKET && !matches!(name, SO_KEEPALIVE | SO_DONTROUTE)
}

/// The body of [`Winsock::getsockopt_c`] over the backend's slice-based `getsockopt`.
pub(crate) fn getsockopt_c<W: Winsock + ?Sized>(
    ws: &W,
    s: Socket,
    level: i32,
    name: i32,
    optval: Option<&mut [u8]>,
    optlen: Option<&mut i32>,
) -> Result<(), WsaError> {
    let (Some(buf), Some(len)) = (optval, optlen) else {
        return finish(
            ws,
            Err(not_sock_or(ws, s, level, name, WsaError::WSAEFAULT)),
        );
    };
    let n = match usize::try_from(*len) {
        Ok(n) if n <= buf.len() => n,
        // optlen -1: only SO_OPENTYPE answers, with its 4 bytes.
        Err(_) if any_handle(level, name) && buf.len() >= 4 => 4,
        _ => {
            return finish(
                ws,
                Err(not_sock_or(ws, s, level, name, WsaError::WSAEFAULT)),
            )
        }
    };
    match ws.getsockopt(s, level, name, &mut buf[..n]) {
        Ok(got) => {
            *len = i32::try_from(got).unwrap_or(i32::MAX);
            Ok(())
        }
        Err(WsaError::WSAEFAULT) => {
            *len = failed_get_len(level, name, *len);
            Err(WsaError::WSAEFAULT)
        }
        Err(e) => Err(e),
    }
}

/// The body of [`Winsock::setsockopt_c`] over the backend's slice-based `setsockopt`.
pub(crate) fn setsockopt_c<W: Winsock + ?Sized>(
    ws: &W,
    s: Socket,
    level: i32,
    name: i32,
    optval: Option<&[u8]>,
    optlen: i32,
) -> Result<(), WsaError> {
    let Some(buf) = optval else {
        return finish(
            ws,
            Err(not_sock_or(ws, s, level, name, WsaError::WSAEFAULT)),
        );
    };
    let val = match usize::try_from(optlen) {
        Ok(n) if n <= buf.len() => &buf[..n],
        Ok(_) => {
            return finish(
                ws,
                Err(not_sock_or(ws, s, level, name, WsaError::WSAEFAULT)),
            )
        }
        // A huge length: ws2_32 reads the option's own 4 bytes.
        Err(_) if set_takes_negative_len(level, name) && buf.len() >= 4 => buf,
        Err(_) if set_takes_negative_len(level, name) => {
            return finish(
                ws,
                Err(not_sock_or(ws, s, level, name, WsaError::WSAEFAULT)),
            )
        }
        Err(_) => {
            return finish(
                ws,
                Err(not_sock_or(ws, s, level, name, WsaError::WSAENOBUFS)),
            )
        }
    };
    ws.setsockopt(s, level, name, val)
}

/// The body of [`Winsock::getpeername_c`] over the backend's `getpeername`.
pub(crate) fn getpeername_c<W: Winsock + ?Sized>(
    ws: &W,
    s: Socket,
    name: Option<&mut [u8]>,
    namelen: Option<&mut i32>,
) -> Result<(), WsaError> {
    let peer = ws.getpeername(s)?;
    let bytes = peer.as_bytes();
    let (Some(buf), Some(len)) = (name, namelen) else {
        return finish(ws, Err(WsaError::WSAEFAULT));
    };
    match usize::try_from(*len) {
        Ok(n) if n >= bytes.len() && n <= buf.len() => {
            buf[..bytes.len()].copy_from_slice(bytes);
            *len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
            Ok(())
        }
        _ => finish(ws, Err(WsaError::WSAEFAULT)),
    }
}

/// `buf[..len]`, an empty slice for a NULL buffer, WSAEFAULT for a length past the slice.
fn c_buf(buf: Option<&[u8]>, len: u32) -> Result<&[u8], WsaError> {
    match buf {
        None => Ok(&[]),
        Some(b) => b.get(..len as usize).ok_or(WsaError::WSAEFAULT),
    }
}

/// Whether WSAIoctl leaves lpcbBytesReturned alone after failing with `e` for `code`.
pub(crate) fn ioctl_keeps_count(code: u32, e: WsaError) -> bool {
    e == WsaError::WSAENOTSOCK
        || (e == WsaError::WSAEFAULT && matches!(code, FIONBIO | FIONREAD | SIOCATMARK))
}

/// The checks [`WinsockExt::wsa_ioctl_c`] makes before the call (every backend): a NULL
/// count, a length past its slice (after WSAENOTSOCK).
pub(crate) fn ioctl_c_precheck<W: Winsock + ?Sized>(
    ws: &W,
    s: Socket,
    in_ok: bool,
    out_ok: bool,
    count: bool,
) -> Result<(), WsaError> {
    if count && in_ok && out_ok {
        return Ok(());
    }
    finish(ws, Err(not_sock_or(ws, s, 0, 0, WsaError::WSAEFAULT)))
}

/// The body of [`WinsockExt::wsa_ioctl_c`] over the backend's `wsa_ioctl_sized`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn wsa_ioctl_c<W: WinsockExt>(
    ws: &W,
    s: Socket,
    code: u32,
    input: Option<&[u8]>,
    in_len: u32,
    output: Option<&mut [u8]>,
    out_len: u32,
    bytes_returned: Option<&mut u32>,
) -> Result<(), WsaError> {
    let inp = c_buf(input, in_len);
    let out_fits = output
        .as_deref()
        .is_none_or(|b| out_len as usize <= b.len());
    ioctl_c_precheck(ws, s, inp.is_ok(), out_fits, bytes_returned.is_some())?;
    let (Ok(inp), Some(count)) = (inp, bytes_returned) else {
        unreachable!("checked by ioctl_c_precheck");
    };
    let out: &mut [u8] = match output {
        Some(b) => &mut b[..out_len as usize],
        None => &mut [],
    };
    match ws.wsa_ioctl_sized(s, code, inp, out) {
        Ok(n) => {
            *count = u32::try_from(n).unwrap_or(u32::MAX);
            Ok(())
        }
        Err((e, n)) => {
            if !ioctl_keeps_count(code, e) {
                *count = u32::try_from(n).unwrap_or(u32::MAX);
            }
            Err(e)
        }
    }
}

/// The body of [`OverlappedIo::wsa_send_msg_c`] over the backend's `wsa_send_msg`.
pub(crate) fn wsa_send_msg_c<W: OverlappedIo>(
    ws: &W,
    s: Socket,
    msg: Option<&WsaMsg>,
    flags: u32,
    bytes_sent: Option<&mut u32>,
) -> Result<(), WsaError> {
    let Some(msg) = msg else {
        return finish(ws, Err(not_sock_or(ws, s, 0, 0, WsaError::WSAEFAULT)));
    };
    let Some(count) = bytes_sent else {
        let e = not_sock_or(ws, s, 0, 0, WsaError::WSAEFAULT);
        let dgram = ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE) == Ok(SOCK_DGRAM);
        if e == WsaError::WSAEFAULT && dgram && ws.getsockname(s) == Err(WsaError::WSAEINVAL) {
            let any = match msg.name.as_ref().map(SockAddr::family) {
                Some(AF_INET6) => SockAddr::v6([0; 8], 0),
                _ => SockAddr::v4([0; 4], 0),
            };
            // The implicit bind's own failure is not what the call reports.
            let _ = ws.bind(s, &any);
        }
        return finish(ws, Err(e));
    };
    let n = ws.wsa_send_msg(s, msg, flags)?;
    *count = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::consts::{IPPROTO_IP, IPPROTO_TCP, IP_TTL, SO_LINGER, TCP_KEEPALIVE};

    #[test]
    fn failed_get_lengths_by_level() {
        // Proves the write-back rule: SOL_SOCKET keeps the caller's optlen, the protocol
        // info options report their size, the other levels report 0.
        assert_eq!(failed_get_len(SOL_SOCKET, SO_LINGER, 2), 2);
        assert_eq!(
            failed_get_len(SOL_SOCKET, SO_PROTOCOL_INFOA, 186),
            WSAPROTOCOL_INFOA_LEN as i32
        );
        assert_eq!(failed_get_len(IPPROTO_TCP, TCP_KEEPALIVE, 2), 0);
    }

    #[test]
    fn negative_set_lengths_by_option() {
        // Proves which options take optlen -1: SOL_SOCKET ones but the one-byte options.
        assert!(set_takes_negative_len(SOL_SOCKET, SO_LINGER));
        assert!(!set_takes_negative_len(SOL_SOCKET, SO_KEEPALIVE));
        assert!(!set_takes_negative_len(IPPROTO_IP, IP_TTL));
    }
}
