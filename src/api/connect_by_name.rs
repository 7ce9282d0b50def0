//! `WSAConnectByNameW`: resolve a host and service name and connect a stream socket to the
//! first address that answers, returning the local and remote addresses.
//!
//! The C call's out-parameters are kept as Windows has them: each address comes with an
//! `LPDWORD` length and an `LPSOCKADDR` buffer, either of which may be NULL
//! ([`ByNameAddrs`]). Windows' rules (sock.c test_WSAConnectByName):
//! - a NULL node or service name, or a non-NULL `Reserved`: WSAEINVAL, before the socket is
//!   looked at (a closed socket still gives WSAEINVAL);
//! - a socket that is not a stream socket: WSAEFAULT (Windows 10 1809 and later; older
//!   versions said WSAEINVAL);
//! - name resolution errors as `getaddrinfo` gives them (an unknown service:
//!   WSATYPE_NOT_FOUND, an unknown host: WSAHOST_NOT_FOUND);
//! - each resolved address is tried in order until one connects; the error of the last one
//!   otherwise; with a timeout, WSAETIMEDOUT once it has passed;
//! - on success an address is written only when both its length and its buffer are given: a
//!   length smaller than the address is WSAEFAULT (the lengths keep their values), a larger
//!   one is set to the address's size. The local address comes back with port 0 (its
//!   address is getsockname's).

use std::time::Duration;

use super::consts::*;
use super::overlapped::Overlapped;
use super::select::{FdSet, Select};
use super::types::{SockAddr, Socket};
use super::{Winsock, WsaError};

/// The address out-parameters of `WSAConnectByNameW`: `LocalAddressLength`, `LocalAddress`,
/// `RemoteAddressLength`, `RemoteAddress`; `None` is a NULL pointer.
#[derive(Debug, Default)]
pub struct ByNameAddrs<'a> {
    /// LocalAddressLength: in, the buffer's size; out, the address's size.
    pub local_len: Option<&'a mut u32>,
    /// LocalAddress: the local address, port 0.
    pub local: Option<&'a mut SockAddr>,
    /// RemoteAddressLength: in, the buffer's size; out, the address's size.
    pub remote_len: Option<&'a mut u32>,
    /// RemoteAddress: the peer's address.
    pub remote: Option<&'a mut SockAddr>,
}

/// `WSAConnectByNameW`, for stream sockets.
pub trait ConnectByName: Winsock {
    /// `WSAConnectByNameW(s, nodename, servicename, LocalAddressLength, LocalAddress,
    /// RemoteAddressLength, RemoteAddress, timeout, Reserved)`: resolves `node` and `service`
    /// and connects `s` (see the module doc for the rules and their order). `timeout` `None`
    /// waits as long as `connect` does. The simulator resolves through its `getaddrinfo` (the
    /// hosts' names, the services table) and connects as `connect` does; with a timeout it
    /// connects without blocking and waits in `select` until the timeout, leaving the socket
    /// blocking afterwards.
    fn wsa_connect_by_name(
        &self,
        s: Socket,
        node: Option<&str>,
        service: Option<&str>,
        addrs: ByNameAddrs<'_>,
        timeout: Option<Duration>,
        reserved: Option<&Overlapped>,
    ) -> Result<(), WsaError>;
}

/// The checks made before the socket is looked at: names given, `Reserved` NULL.
pub(crate) fn by_name_args<'n>(
    node: Option<&'n str>,
    service: Option<&'n str>,
    reserved: Option<&Overlapped>,
) -> Result<(&'n str, &'n str), WsaError> {
    match (node, service, reserved) {
        (Some(n), Some(sv), None) => Ok((n, sv)),
        _ => Err(WsaError::WSAEINVAL),
    }
}

/// The socket must be a stream socket (WSAEFAULT otherwise; not a socket: WSAENOTSOCK).
pub(crate) fn by_name_socket<W: Winsock>(ws: &W, s: Socket) -> Result<(), WsaError> {
    if ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)? != SOCK_STREAM {
        return Err(WsaError::WSAEFAULT);
    }
    Ok(())
}

/// Connects `s` to the first of `candidates` that `connect_one` connects (given the
/// deadline as a tick count, when there is a timeout) and fills `addrs`; the last error when
/// none does, WSAETIMEDOUT at once when the deadline passes.
pub(crate) fn connect_by_name_to<W: Winsock>(
    ws: &W,
    s: Socket,
    candidates: &[SockAddr],
    addrs: ByNameAddrs<'_>,
    timeout: Option<Duration>,
    mut connect_one: impl FnMut(&SockAddr, Option<u64>) -> Result<(), WsaError>,
) -> Result<(), WsaError> {
    let deadline = timeout
        .map(|t| u64::from(ws.get_tick_count()) + u64::try_from(t.as_millis()).unwrap_or(u64::MAX));
    let mut last = WsaError::WSAHOST_NOT_FOUND;
    let mut connected = false;
    for a in candidates {
        match connect_one(a, deadline) {
            Ok(()) => {
                connected = true;
                break;
            }
            Err(WsaError::WSAETIMEDOUT) if deadline.is_some() => {
                last = WsaError::WSAETIMEDOUT;
                break;
            }
            Err(e) => last = e,
        }
    }
    if !connected {
        return Err(last);
    }
    let mut local = ws.getsockname(s)?;
    if let Some(sa) = local.to_socket_addr() {
        local = SockAddr::from(std::net::SocketAddr::new(sa.ip(), 0));
    }
    let remote = ws.getpeername(s)?;
    let fits = |len: &Option<&mut u32>, buf: bool, a: &SockAddr| match len {
        Some(l) if buf => (**l as usize) >= a.as_bytes().len(),
        _ => true,
    };
    if !fits(&addrs.local_len, addrs.local.is_some(), &local)
        || !fits(&addrs.remote_len, addrs.remote.is_some(), &remote)
    {
        return Err(WsaError::WSAEFAULT);
    }
    for (len, buf, a) in [
        (addrs.local_len, addrs.local, local),
        (addrs.remote_len, addrs.remote, remote),
    ] {
        if let (Some(len), Some(buf)) = (len, buf) {
            *buf = a;
            *len = a.as_bytes().len() as u32;
        }
    }
    Ok(())
}

/// One connect attempt of WSAConnectByName through `select`: without a deadline a plain
/// `connect`; with one a nonblocking `connect` and a `select` for writability (connected) or
/// an exception (failed: SO_ERROR) until the tick count `deadline` (WSAETIMEDOUT). The
/// socket is blocking again afterwards.
pub(crate) fn connect_with_select<W: Select>(
    ws: &W,
    s: Socket,
    a: &SockAddr,
    deadline: Option<u64>,
) -> Result<(), WsaError> {
    let Some(deadline) = deadline else {
        return ws.connect(s, a);
    };
    ws.set_nonblocking(s, true)?;
    let r = match ws.connect(s, a) {
        Ok(()) => Ok(()),
        Err(WsaError::WSAEWOULDBLOCK) => {
            let left = deadline.saturating_sub(u64::from(ws.get_tick_count()));
            let mut wr = FdSet::from_array(&[s]);
            let mut ex = FdSet::from_array(&[s]);
            match ws.select(
                None,
                Some(&mut wr),
                Some(&mut ex),
                Some(Duration::from_millis(left)),
            ) {
                Ok(0) => Err(WsaError::WSAETIMEDOUT),
                // A failed connect shows in exceptfds with its error in SO_ERROR; one already
                // cleared (Unix clears SO_ERROR when read) is taken as the usual failure.
                Ok(_) if ex.is_set(s) => match ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR) {
                    Ok(0) => Err(WsaError::WSAECONNREFUSED),
                    Ok(code) => Err(WsaError::from_code(code)),
                    Err(e) => Err(e),
                },
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    ws.set_nonblocking(s, false)?;
    r
}
