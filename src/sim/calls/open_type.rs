//! SO_OPENTYPE: the per-thread option that says whether `socket()` creates overlapped
//! sockets. Windows keeps it per thread, not per socket, so `setsockopt`/`getsockopt` reach it
//! whatever handle they are given (INVALID_SOCKET, a closed socket, any socket: sock.c
//! test_set_getsockopt, test_sockopt_validity); a new thread starts at 0 (sock.c
//! `check_so_opentype`). Its value is a 4-byte integer with the ordinary length rules
//! (`api::sockopt_rules`, shape `Int`): any value is kept.

use crate::api::consts::*;
use crate::api::sockopt_rules as rules;
use crate::api::WsaError;
use crate::sim::api::SimWinsock;

impl SimWinsock {
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
