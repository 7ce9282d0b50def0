//! OS errors → [`WsaError`].
//!
//! On Windows `io::Error::raw_os_error()` already is the WinSock code, so it passes through
//! [`WsaError::from_code`]. Elsewhere the `errno` value is translated by [`wsa_from_errno`], one
//! table for every call; the few codes whose WinSock meaning depends on the call (EINPROGRESS,
//! EPIPE) take that from a [`Ctx`].
//!
//! The errno numbers are written out here (the crate has no `libc` dependency): one table for
//! Linux/Android and one for the BSD family (macOS, iOS, FreeBSD, OpenBSD, NetBSD,
//! DragonFly), whose socket errno values are, by WinSock's own descent from BSD sockets, the
//! WinSock codes minus 10000. Both tables are always compiled, so both are unit-tested on any
//! host; [`ERRNO`] picks the one for the target.

// On Windows the errno tables are only read by the unit tests.
#![cfg_attr(windows, allow(dead_code))]

use std::io;

use crate::api::WsaError;

/// What the caller was doing when the OS failed, for the codes whose WinSock meaning depends
/// on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Ctx {
    /// The call was `connect`: POSIX's EINPROGRESS is WinSock's WSAEWOULDBLOCK there.
    pub connect: bool,
    /// The socket was shut down for sending (`shutdown(SD_SEND)`): EPIPE is WSAESHUTDOWN,
    /// otherwise (the peer reset) WSAECONNRESET.
    pub shut_wr: bool,
}

/// The socket-related errno values of one OS family.
#[allow(dead_code)] // the table of the other OS family is only read by the unit tests
#[derive(Debug)]
pub(crate) struct Errno {
    pub eperm: i32,
    pub eintr: i32,
    pub ebadf: i32,
    pub enomem: i32,
    pub eacces: i32,
    pub efault: i32,
    pub einval: i32,
    pub enfile: i32,
    pub emfile: i32,
    pub epipe: i32,
    pub eagain: i32,
    pub einprogress: i32,
    pub ealready: i32,
    pub enotsock: i32,
    pub edestaddrreq: i32,
    pub emsgsize: i32,
    pub eprototype: i32,
    pub enoprotoopt: i32,
    pub eprotonosupport: i32,
    pub esocktnosupport: i32,
    pub eopnotsupp: i32,
    /// ENOTSUP: the same number as EOPNOTSUPP on Linux, a different one on macOS.
    pub enotsup: i32,
    pub epfnosupport: i32,
    pub eafnosupport: i32,
    pub eaddrinuse: i32,
    pub eaddrnotavail: i32,
    pub enetdown: i32,
    pub enetunreach: i32,
    pub enetreset: i32,
    pub econnaborted: i32,
    pub econnreset: i32,
    pub enobufs: i32,
    pub eisconn: i32,
    pub enotconn: i32,
    pub eshutdown: i32,
    pub etimedout: i32,
    pub econnrefused: i32,
    pub ehostdown: i32,
    pub ehostunreach: i32,
}

/// Linux and Android (`asm-generic/errno.h`, `errno-base.h`).
pub(crate) const LINUX: Errno = Errno {
    eperm: 1,
    eintr: 4,
    ebadf: 9,
    enomem: 12,
    eacces: 13,
    efault: 14,
    einval: 22,
    enfile: 23,
    emfile: 24,
    epipe: 32,
    eagain: 11,
    einprogress: 115,
    ealready: 114,
    enotsock: 88,
    edestaddrreq: 89,
    emsgsize: 90,
    eprototype: 91,
    enoprotoopt: 92,
    eprotonosupport: 93,
    esocktnosupport: 94,
    eopnotsupp: 95,
    enotsup: 95,
    epfnosupport: 96,
    eafnosupport: 97,
    eaddrinuse: 98,
    eaddrnotavail: 99,
    enetdown: 100,
    enetunreach: 101,
    enetreset: 102,
    econnaborted: 103,
    econnreset: 104,
    enobufs: 105,
    eisconn: 106,
    enotconn: 107,
    eshutdown: 108,
    etimedout: 110,
    econnrefused: 111,
    ehostdown: 112,
    ehostunreach: 113,
};

/// The BSD family (`sys/errno.h` of macOS and FreeBSD). macOS numbers EOPNOTSUPP 102 and
/// ENOTSUP 45; FreeBSD uses 45 for both, so 45 is EOPNOTSUPP's WinSock meaning either way.
pub(crate) const BSD: Errno = Errno {
    eperm: 1,
    eintr: 4,
    ebadf: 9,
    enomem: 12,
    eacces: 13,
    efault: 14,
    einval: 22,
    enfile: 23,
    emfile: 24,
    epipe: 32,
    eagain: 35,
    einprogress: 36,
    ealready: 37,
    enotsock: 38,
    edestaddrreq: 39,
    emsgsize: 40,
    eprototype: 41,
    enoprotoopt: 42,
    eprotonosupport: 43,
    esocktnosupport: 44,
    eopnotsupp: if cfg!(target_vendor = "apple") {
        102
    } else {
        45
    },
    enotsup: 45,
    epfnosupport: 46,
    eafnosupport: 47,
    eaddrinuse: 48,
    eaddrnotavail: 49,
    enetdown: 50,
    enetunreach: 51,
    enetreset: 52,
    econnaborted: 53,
    econnreset: 54,
    enobufs: 55,
    eisconn: 56,
    enotconn: 57,
    eshutdown: 58,
    etimedout: 60,
    econnrefused: 61,
    ehostdown: 64,
    ehostunreach: 65,
};

/// The table of the target OS (Linux's numbers on other Unix systems, the best guess).
#[allow(dead_code)] // unused on Windows
pub(crate) const ERRNO: &Errno = if cfg!(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
)) {
    &BSD
} else {
    &LINUX
};

/// The WinSock code for a POSIX `errno`, using table `t`: the one place that decides how the
/// OS backend reports a Unix failure. An errno with no WinSock counterpart is passed through
/// as [`WsaError::Other`]`(errno)`.
pub(crate) fn wsa_from_errno(t: &Errno, e: i32, ctx: Ctx) -> WsaError {
    use WsaError::*;
    match e {
        _ if e == t.eagain => WSAEWOULDBLOCK,
        // Windows reports a nonblocking connect in progress as WSAEWOULDBLOCK.
        _ if e == t.einprogress && ctx.connect => WSAEWOULDBLOCK,
        _ if e == t.einprogress => WSAEINPROGRESS,
        _ if e == t.ealready => WSAEALREADY,
        _ if e == t.econnrefused => WSAECONNREFUSED,
        _ if e == t.econnreset => WSAECONNRESET,
        _ if e == t.econnaborted => WSAECONNABORTED,
        _ if e == t.etimedout => WSAETIMEDOUT,
        _ if e == t.eaddrinuse => WSAEADDRINUSE,
        _ if e == t.eaddrnotavail => WSAEADDRNOTAVAIL,
        _ if e == t.enotconn => WSAENOTCONN,
        _ if e == t.eisconn => WSAEISCONN,
        _ if e == t.einval => WSAEINVAL,
        _ if e == t.eafnosupport => WSAEAFNOSUPPORT,
        _ if e == t.epfnosupport => WSAEPFNOSUPPORT,
        _ if e == t.eprotonosupport => WSAEPROTONOSUPPORT,
        _ if e == t.esocktnosupport => WSAESOCKTNOSUPPORT,
        _ if e == t.eprototype => WSAEPROTOTYPE,
        _ if e == t.eopnotsupp || e == t.enotsup => WSAEOPNOTSUPP,
        _ if e == t.enoprotoopt => WSAENOPROTOOPT,
        _ if e == t.enobufs || e == t.enomem => WSAENOBUFS,
        _ if e == t.emsgsize => WSAEMSGSIZE,
        _ if e == t.edestaddrreq => WSAEDESTADDRREQ,
        // Writing to a socket that cannot send: our own shutdown, or the peer's reset.
        _ if e == t.epipe && ctx.shut_wr => WSAESHUTDOWN,
        _ if e == t.epipe => WSAECONNRESET,
        _ if e == t.eshutdown => WSAESHUTDOWN,
        _ if e == t.ebadf || e == t.enotsock => WSAENOTSOCK,
        _ if e == t.efault => WSAEFAULT,
        _ if e == t.eacces || e == t.eperm => WSAEACCES,
        _ if e == t.enetdown => WSAENETDOWN,
        _ if e == t.enetunreach => WSAENETUNREACH,
        _ if e == t.enetreset => WSAENETRESET,
        _ if e == t.ehostunreach || e == t.ehostdown => WSAEHOSTUNREACH,
        _ if e == t.emfile || e == t.enfile => WSAEMFILE,
        _ if e == t.eintr => WSAEINTR,
        _ => Other(e),
    }
}

/// The WinSock code for an error from the OS.
pub(crate) fn wsa_from_io(e: &io::Error, ctx: Ctx) -> WsaError {
    match e.raw_os_error() {
        #[cfg(windows)]
        Some(code) => {
            let _ = ctx;
            WsaError::from_code(code)
        }
        #[cfg(not(windows))]
        Some(code) => wsa_from_errno(ERRNO, code, ctx),
        None => wsa_from_kind(e.kind()),
    }
}

/// Errors made by Rust rather than the OS (no raw code): by kind.
fn wsa_from_kind(k: io::ErrorKind) -> WsaError {
    use io::ErrorKind::*;
    match k {
        WouldBlock => WsaError::WSAEWOULDBLOCK,
        TimedOut => WsaError::WSAETIMEDOUT,
        ConnectionRefused => WsaError::WSAECONNREFUSED,
        ConnectionReset | BrokenPipe => WsaError::WSAECONNRESET,
        ConnectionAborted => WsaError::WSAECONNABORTED,
        NotConnected => WsaError::WSAENOTCONN,
        AddrInUse => WsaError::WSAEADDRINUSE,
        AddrNotAvailable => WsaError::WSAEADDRNOTAVAIL,
        Interrupted => WsaError::WSAEINTR,
        PermissionDenied => WsaError::WSAEACCES,
        Unsupported => WsaError::WSAEOPNOTSUPP,
        OutOfMemory => WsaError::WSAENOBUFS,
        // InvalidInput, InvalidData and the rest: the argument was not acceptable.
        _ => WsaError::WSAEINVAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WsaError::*;

    const PLAIN: Ctx = Ctx {
        connect: false,
        shut_wr: false,
    };

    /// Every row of the brief's table, for both errno families.
    #[test]
    fn errno_table_maps_every_socket_error() {
        for t in [&LINUX, &BSD] {
            let rows = [
                (t.eagain, WSAEWOULDBLOCK),
                (t.einprogress, WSAEINPROGRESS),
                (t.ealready, WSAEALREADY),
                (t.econnrefused, WSAECONNREFUSED),
                (t.econnreset, WSAECONNRESET),
                (t.econnaborted, WSAECONNABORTED),
                (t.etimedout, WSAETIMEDOUT),
                (t.eaddrinuse, WSAEADDRINUSE),
                (t.eaddrnotavail, WSAEADDRNOTAVAIL),
                (t.enotconn, WSAENOTCONN),
                (t.eisconn, WSAEISCONN),
                (t.einval, WSAEINVAL),
                (t.eafnosupport, WSAEAFNOSUPPORT),
                (t.eprotonosupport, WSAEPROTONOSUPPORT),
                (t.esocktnosupport, WSAESOCKTNOSUPPORT),
                (t.eopnotsupp, WSAEOPNOTSUPP),
                (t.enotsup, WSAEOPNOTSUPP),
                (t.enoprotoopt, WSAENOPROTOOPT),
                (t.enobufs, WSAENOBUFS),
                (t.emsgsize, WSAEMSGSIZE),
                (t.epipe, WSAECONNRESET),
                (t.ebadf, WSAENOTSOCK),
                (t.enotsock, WSAENOTSOCK),
                (t.efault, WSAEFAULT),
                (t.eacces, WSAEACCES),
                (t.enetunreach, WSAENETUNREACH),
                (t.ehostunreach, WSAEHOSTUNREACH),
                (t.eintr, WSAEINTR),
                (t.emfile, WSAEMFILE),
            ];
            for (errno, want) in rows {
                assert_eq!(
                    wsa_from_errno(t, errno, PLAIN),
                    want,
                    "errno {errno} ({t:p})"
                );
            }
            assert_eq!(wsa_from_errno(t, 9999, PLAIN), Other(9999));
        }
    }

    #[test]
    fn context_decides_einprogress_and_epipe() {
        let connect = Ctx {
            connect: true,
            ..PLAIN
        };
        let shut = Ctx {
            shut_wr: true,
            ..PLAIN
        };
        for t in [&LINUX, &BSD] {
            assert_eq!(wsa_from_errno(t, t.einprogress, connect), WSAEWOULDBLOCK);
            assert_eq!(wsa_from_errno(t, t.epipe, shut), WSAESHUTDOWN);
            assert_eq!(wsa_from_errno(t, t.epipe, PLAIN), WSAECONNRESET);
        }
    }

    /// The BSD numbers are WinSock's minus 10000 (WinSock took them from BSD).
    #[test]
    fn bsd_numbers_are_winsock_minus_10000() {
        for e in 35..=65 {
            if e == BSD.ehostdown {
                continue; // WSAEHOSTDOWN (10064) has no variant; reported as unreachable
            }
            match wsa_from_errno(&BSD, e, PLAIN) {
                Other(_) => {}
                w if e == BSD.einprogress => assert_eq!(w, WSAEINPROGRESS),
                w => assert_eq!(w.code(), 10000 + e, "errno {e} → {w:?}"),
            }
        }
    }

    #[test]
    fn io_errors_of_this_os_map() {
        let e = io::Error::from(io::ErrorKind::WouldBlock);
        assert_eq!(wsa_from_io(&e, PLAIN), WSAEWOULDBLOCK);
        #[cfg(unix)]
        {
            let e = io::Error::from_raw_os_error(ERRNO.econnrefused);
            assert_eq!(
                e.kind(),
                io::ErrorKind::ConnectionRefused,
                "table matches this OS"
            );
            assert_eq!(wsa_from_io(&e, PLAIN), WSAECONNREFUSED);
            let e = io::Error::from_raw_os_error(ERRNO.eagain);
            assert_eq!(e.kind(), io::ErrorKind::WouldBlock, "table matches this OS");
        }
    }
}
