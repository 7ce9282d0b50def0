//! The real-network backends: the same traits as the simulator, on a real stack.
//!
//! Laid out as mio lays out its platform code, one folder per backend behind one written
//! contract ([`crate::api`]):
//! - `host/` — [`System`], on the host OS's sockets through socket2 (Linux, macOS, Windows):
//!   the blocking and nonblocking [`Winsock`](crate::Winsock) calls (and
//!   [`ProtocolInfoApi`](crate::api::ProtocolInfoApi): duplicated handles on one OS socket), with Windows' checks made
//!   before the OS call and the known differences listed in its documentation;
//! - `windows/` (`cfg(windows)`) — `Native`, on ws2_32 itself through windows-sys: the
//!   [`Winsock`](crate::Winsock), [`Select`](crate::api::Select),
//!   [`EventSelect`](crate::api::EventSelect), [`AsyncSelect`](crate::api::AsyncSelect) and
//!   [`Iocp`](crate::api::Iocp) calls with the OS's own SOCKET values and results (the
//!   overlapped calls, [`OverlappedIo`](crate::api::OverlappedIo), are still to come). The only module allowed `unsafe`; only
//!   handles it created reach the OS, so a bad value gives WSAENOTSOCK / WSA_INVALID_HANDLE.
//!
//! A backend may use `crate::api` and nothing of `crate::sim` (`tests/layers.rs` checks it).

mod host;
#[cfg(windows)]
mod windows;

pub use host::System;
#[cfg(windows)]
pub use windows::Native;

/// Whether the program runs under Wine rather than on Windows (`wine_get_version` is exported
/// by Wine's ntdll only). Tests use it to record Wine's known differences from Windows instead
/// of failing on them; always `false` off Windows.
pub fn under_wine() -> bool {
    #[cfg(windows)]
    {
        windows::under_wine()
    }
    #[cfg(not(windows))]
    {
        false
    }
}
