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

use super::c_call::{finish, not_sock_or};
use super::consts::{SOL_SOCKET, SO_DONTROUTE, SO_KEEPALIVE};
use super::protocol_info::{
    SO_PROTOCOL_INFOA, SO_PROTOCOL_INFOW, WSAPROTOCOL_INFOA_LEN, WSAPROTOCOL_INFOW_LEN,
};
use super::{Socket, Winsock, WsaError};

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
        Err(_) if super::c_call::any_handle(level, name) && buf.len() >= 4 => 4,
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
