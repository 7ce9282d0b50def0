//! `impl ConnectByName for Native`: `WSAConnectByNameW` on ws2_32. The names are checked
//! here first (NULL names or a non-NULL `Reserved` are WSAEINVAL before the socket is
//! looked at, as Windows orders it), then the OS call gets UTF-16 copies of the names, the
//! caller's lengths and buffers of its own for the addresses, copied back on success.

use std::time::Duration;

use windows_sys::Win32::Networking::WinSock as ws;

use super::native::{addr_buf, addr_from, finish, last_error, Native};
use crate::api::connect_by_name::{by_name_args, ByNameAddrs, ConnectByName};
use crate::api::{Overlapped, Socket, WsaError};

/// A NUL-terminated UTF-16 copy of `s`; an interior NUL cannot name anything: WSAEINVAL.
fn wide(s: &str) -> Result<Vec<u16>, WsaError> {
    if s.contains('\0') {
        return Err(WsaError::WSAEINVAL);
    }
    Ok(s.encode_utf16().chain(std::iter::once(0)).collect())
}

impl ConnectByName for Native {
    fn wsa_connect_by_name(
        &self,
        s: Socket,
        node: Option<&str>,
        service: Option<&str>,
        addrs: ByNameAddrs<'_>,
        timeout: Option<Duration>,
        reserved: Option<&Overlapped>,
    ) -> Result<(), WsaError> {
        let args = by_name_args(node, service, reserved).and_then(|(n, sv)| {
            let raw = self.owned(s)?;
            Ok((raw, wide(n)?, wide(sv)?))
        });
        let (raw, node, service) = match args {
            Ok(a) => a,
            Err(e) => return finish(Err(e)),
        };
        // The lengths as the caller gave them (a larger one is capped at our buffer's size:
        // no address is longer), and buffers of our own for the addresses.
        let (mut local_buf, _) = addr_buf();
        let (mut remote_buf, _) = addr_buf();
        let cap = |l: &Option<&mut u32>| l.as_ref().map(|l| (**l).min(128));
        let (mut local_len, mut remote_len) = (cap(&addrs.local_len), cap(&addrs.remote_len));
        let tv = timeout.map(|t| ws::TIMEVAL {
            tv_sec: i32::try_from(t.as_secs()).unwrap_or(i32::MAX),
            tv_usec: t.subsec_micros() as i32,
        });
        let len_ptr =
            |l: &mut Option<u32>| l.as_mut().map_or(std::ptr::null_mut(), |l| l as *mut u32);
        let local_ptr = if addrs.local.is_some() {
            local_buf.as_mut_ptr().cast::<ws::SOCKADDR>()
        } else {
            std::ptr::null_mut()
        };
        let remote_ptr = if addrs.remote.is_some() {
            remote_buf.as_mut_ptr().cast::<ws::SOCKADDR>()
        } else {
            std::ptr::null_mut()
        };
        // SAFETY: `raw` is a socket this backend owns; the names are NUL-terminated UTF-16
        // strings that live for the call; each length pointer is null or a live local, each
        // address pointer null or a live 128-byte local buffer whose length passed is at
        // most 128; the timeout is null or a live TIMEVAL; Reserved is null.
        let ok = unsafe {
            ws::WSAConnectByNameW(
                raw,
                node.as_ptr(),
                service.as_ptr(),
                len_ptr(&mut local_len),
                local_ptr,
                len_ptr(&mut remote_len),
                remote_ptr,
                tv.as_ref()
                    .map_or(std::ptr::null(), |t| t as *const ws::TIMEVAL),
                std::ptr::null(),
            )
        };
        if ok == 0 {
            return finish(Err(last_error()));
        }
        for (len_in, buf_in, len, buf) in [
            (addrs.local_len, addrs.local, local_len, &local_buf),
            (addrs.remote_len, addrs.remote, remote_len, &remote_buf),
        ] {
            // Written only where both were given (sock.c: a NULL buffer leaves its length).
            if let (Some(out_len), Some(out), Some(n)) = (len_in, buf_in, len) {
                *out = addr_from(buf, n as i32);
                *out_len = n;
            }
        }
        finish(Ok(()))
    }
}
