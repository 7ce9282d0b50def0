//! What a C-shaped call (the `_c` methods: NULL-able pointers, C's in/out lengths) does
//! around its checks, shared by [`optlen`](super::optlen), [`overlapped`](super::overlapped)
//! and [`extension`](super::extension): WSAENOTSOCK before any pointer check, and the
//! calling thread's last error set on return.

use super::consts::{SOL_SOCKET, SO_OPENTYPE, SO_TYPE};
use super::{Socket, Winsock, WsaError};

/// Whether the option is answered for any handle (SO_OPENTYPE is the calling thread's).
pub(crate) fn any_handle(level: i32, name: i32) -> bool {
    level == SOL_SOCKET && name == SO_OPENTYPE
}

/// `e`, unless `s` is no socket, which Windows reports first (WSAENOTSOCK).
pub(crate) fn not_sock_or<W: Winsock + ?Sized>(
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
pub(crate) fn finish<W: Winsock + ?Sized>(ws: &W, r: Result<(), WsaError>) -> Result<(), WsaError> {
    ws.wsa_set_last_error(r.as_ref().err().map_or(0, |e| e.code()));
    r
}
