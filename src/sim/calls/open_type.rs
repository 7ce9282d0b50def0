//! SO_OPENTYPE: the per-thread option that says whether `socket()` creates overlapped
//! sockets. Windows keeps it per thread, not per socket, so `setsockopt`/`getsockopt` reach it
//! whatever handle they are given (INVALID_SOCKET, a closed socket, any socket: sock.c
//! test_set_getsockopt, test_sockopt_validity); a new thread starts at 0 (sock.c
//! `check_so_opentype`). Its value is a 4-byte integer with the ordinary length rules
//! (`api::sockopt_rules`, shape `Int`): any value is kept. Any value but 0 makes the sockets
//! `socket()` then creates non-overlapped (as WSASocket without WSA_FLAG_OVERLAPPED): an
//! overlapped WSASend / WSARecv on them waits in the call until done (conformance NB-03).

use crate::api::consts::*;
use crate::api::sockopt_rules as rules;
use crate::api::{Socket, WsaError};
use crate::sim::api::SimWinsock;

impl SimWinsock {
    /// `socket()` / `WSASocket()` once the flags are known: an `overlapped` socket or a
    /// non-overlapped one, whose overlapped WSASend / WSARecv wait in the call (NB-03).
    pub(super) fn create_socket_as(
        &self,
        af: i32,
        ty: i32,
        protocol: i32,
        overlapped: bool,
    ) -> Result<Socket, WsaError> {
        self.call("socket", af as u64, ty as u64, |this| {
            let mut w = this.w();
            let s = w.create_socket(this.host, af, ty, protocol)?;
            if !overlapped {
                let id = w.sock_id(this.host, s)?;
                w.io_sock(id).synchronous = true;
            }
            Ok(s)
        })
    }

    /// `setsockopt(any, SOL_SOCKET, SO_OPENTYPE, optval, optlen)`: sets the calling thread's
    /// open type; fewer than 4 bytes: WSAEFAULT.
    pub(super) fn set_open_type(&self, optval: &[u8]) -> Result<(), WsaError> {
        let v = rules::set_value(SOL_SOCKET, SO_OPENTYPE, SOCK_STREAM, AF_INET, optval)?;
        if let Some(v) = v {
            self.w().rt.threads[self.tid].ext.open_type = v;
        }
        Ok(())
    }

    /// `getsockopt(any, SOL_SOCKET, SO_OPENTYPE, optval, &optlen)`: the calling thread's open
    /// type; a buffer of fewer than 4 bytes: WSAEFAULT (left untouched).
    pub(super) fn get_open_type(&self, optval: &mut [u8]) -> Result<usize, WsaError> {
        rules::check_get(SOL_SOCKET, SO_OPENTYPE, SOCK_STREAM, AF_INET, optval.len())?;
        let v = self.w().rt.threads[self.tid].ext.open_type;
        let n = rules::get_width(SOL_SOCKET, SO_OPENTYPE, SOCK_STREAM, AF_INET, optval.len());
        Ok(rules::write_value(&mut optval[..n], v))
    }
}
