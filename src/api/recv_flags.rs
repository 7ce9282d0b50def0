//! The receive flags' rules that every backend applies the same way.

use super::consts::{MSG_OOB, MSG_PARTIAL, MSG_PEEK, MSG_WAITALL};

/// Whether a receive with `flags` fails with WSAEOPNOTSUPP for its MSG_WAITALL, as recv's and
/// WSARecv's documentation says: with MSG_PEEK, MSG_OOB or MSG_PARTIAL, on a socket in
/// nonblocking mode, or on a datagram socket. Used by the simulator's blocking and overlapped
/// receives and by `os::System` on a host whose stack would take the flags.
pub(crate) fn waitall_refused(flags: i32, nonblocking: bool, datagram: bool) -> bool {
    flags & MSG_WAITALL != 0
        && (flags & (MSG_PEEK | MSG_OOB | MSG_PARTIAL) != 0 || nonblocking || datagram)
}
