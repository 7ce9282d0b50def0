//! The Windows backend's raw calls on ws2_32, kernel32 and user32 through windows-sys.
//!
//! The only module of the crate allowed `unsafe`: each block says which invariant makes the
//! call sound. Everything here is `cfg(windows)`.
#![allow(unsafe_code)]

mod alertable;
mod async_select;
mod connect_by_name;
mod duplicate_handle;
mod event_select;
mod ext;
mod handle_flags;
mod init_once;
mod iocp;
mod issue;
mod lock_table;
mod mswsock;
mod named_objects;
mod native;
mod op;
mod overlapped;
mod overlapped_result;
mod pool_io;
mod protocol_info;
mod registered_wait;
mod resolve;
mod select;
mod sync;
mod sync_barrier;
mod sync_lookup;
mod system_time;
mod thread_local_storage;
mod thread_pool;
mod threadpool_cleanup_group;
mod threadpool_io;
mod threadpool_objects;
mod threadpool_pool;
mod threadpool_wait;
mod timer_proc;
mod timer_resolution;
mod tp_instance;
mod tp_table;
mod transmit_packets;
mod wait_on_address;
mod waitable_timer;

pub use native::Native;

use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};

/// `closesocket(s)` on a raw SOCKET value, the result ignored (the caller has already freed
/// its WinSock handle; an error could only say the value was no longer a socket).
///
/// Used by the socket2 host backend to end calls blocked on a socket that another thread
/// closes. The caller must never use or close `raw` again: Windows may hand the value to a
/// new socket at once.
pub(crate) fn close_raw_socket(raw: u64) {
    // SAFETY: closesocket takes any SOCKET value and reads no memory of ours; passing a value
    // that is not a socket only fails with WSAENOTSOCK. I/O safety (no one else closing or
    // using the value afterwards) is the caller's documented duty, and the host backend's
    // Entry forgets its std socket once this ran.
    unsafe {
        ws::closesocket(raw as ws::SOCKET);
    }
}

/// Whether this process runs under Wine: ntdll.dll exports `wine_get_version` there only.
pub fn under_wine() -> bool {
    export(c"ntdll.dll", c"wine_get_version").is_some()
}

/// The untyped address of export `name` of `module` (one every process has loaded, such as
/// kernel32 or ntdll), if it has one: for a call a system may lack, looked up at its first
/// use instead of imported, so that a system without it (Windows 7, Wine 8.0) still loads
/// the backend. The caller gives it its documented type before calling it.
pub(crate) fn export(
    module: &std::ffi::CStr,
    name: &std::ffi::CStr,
) -> Option<unsafe extern "system" fn() -> isize> {
    // SAFETY: both strings are NUL-terminated; GetModuleHandleA returns null or the handle of
    // a module already loaded, which stays valid (system modules are never unloaded), and
    // GetProcAddress only looks the name up, returning an optional pointer not called here.
    unsafe {
        let m = GetModuleHandleA(module.as_ptr().cast());
        if m.is_null() {
            return None;
        }
        GetProcAddress(m, name.as_ptr().cast())
    }
}
