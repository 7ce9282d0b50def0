//! `DuplicateHandle` within the calling process: a second handle on a kernel object or a
//! socket, and each handle's flags, `GetHandleInformation` / `SetHandleInformation`
//! ([`DuplicateHandles`]).
//!
//! A handle's flags are its own, not its object's: [`HANDLE_FLAG_INHERIT`] (a child process
//! would inherit it: servers clear it on their sockets) and
//! [`HANDLE_FLAG_PROTECT_FROM_CLOSE`] (`CloseHandle` of it fails with ERROR_INVALID_HANDLE
//! and it stays open). A socket from `socket()`, or from `WSASocket` without
//! `WSA_FLAG_NO_HANDLE_INHERIT`, is inheritable, and so is one `accept` returns (as Wine's
//! ws2_32 makes it); an event, mutex, semaphore or timer made without security attributes,
//! and a duplicate made here (`bInheritHandle` FALSE), is not. `SetHandleInformation`
//! changes only the flags in its mask (others in the mask are ignored). `closesocket` of a
//! protected socket leaves it open and returns success, as Wine's ws2_32 does (which
//! ignores CloseHandle's failure); what Windows' does is not pinned by any test, so the
//! simulator also names it among the run's misuses.
//!
//! Windows duplicates a handle without looking at what it names: the new handle is another
//! reference to the same object, with the same access (`DUPLICATE_SAME_ACCESS`), and the
//! object lives until its last handle is closed. For a socket that is the AFD endpoint:
//! data, state and options are shared, and closing one handle neither sends a FIN nor
//! cancels I/O. Unlike the handle `WSADuplicateSocket` and `WSASocket` open, WinSock's own
//! table of sockets does not list it, and the one call sock.c finds that looks only there,
//! `WSAGetOverlappedResult`, fails on it with WSAENOTSOCK (`test_WSAGetOverlappedResult`);
//! `send`, `sendto` and `WSASend` work on it (`test_valid_handle`), as do the calls that
//! find a socket through its handle.

use super::sync::{Handle, SyncObjects};

/// HANDLE_FLAG_INHERIT (1): the handle is inherited by a child process.
pub const HANDLE_FLAG_INHERIT: u32 = 0x1;
/// HANDLE_FLAG_PROTECT_FROM_CLOSE (2): `CloseHandle` of the handle fails (and it stays open).
pub const HANDLE_FLAG_PROTECT_FROM_CLOSE: u32 = 0x2;

/// DUPLICATE_CLOSE_SOURCE (1): `DuplicateHandle` closes the source handle (unless it is
/// protected from close).
pub const DUPLICATE_CLOSE_SOURCE: u32 = 0x1;
/// DUPLICATE_SAME_ACCESS (2): the duplicate has the source's access; always in effect here
/// (the API models no access rights).
pub const DUPLICATE_SAME_ACCESS: u32 = 0x2;
/// DUPLICATE_SAME_ATTRIBUTES (4): the duplicate has the source's handle flags, whatever
/// `bInheritHandle` says.
pub const DUPLICATE_SAME_ATTRIBUTES: u32 = 0x4;
use super::types::Socket;
use super::WsaError;

/// `DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &out, 0, FALSE,
/// DUPLICATE_SAME_ACCESS)`: a handle duplicated into the calling process.
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// sim.host("server", "192.0.2.1").spawn("main", |ws| {
///     let ev = ws.create_event(true, false)?;
///     let Handle::Event(dup) = ws.duplicate_handle(Handle::Event(ev))? else {
///         unreachable!("an event's duplicate is an event handle")
///     };
///     assert_ne!(dup, ev);
///     ws.close_handle(Handle::Event(ev))?;
///     // The event lives on through its second handle.
///     ws.set_event(dup)?;
///     assert_eq!(ws.wait_for_single_object(Handle::Event(dup), 0)?, WAIT_OBJECT_0);
///     ws.close_handle(Handle::Event(dup))
/// });
/// sim.run().expect("the run succeeds");
/// ```
pub trait DuplicateHandles: SyncObjects {
    /// `DuplicateHandle` on a kernel object's handle (an event, a mutex, a semaphore, a
    /// waitable timer or a thread): a new handle value naming the same object, returned in
    /// the variant given. The object lives until every handle on it is closed
    /// (`CloseHandle`); closing one leaves waits on the object as they were. A value that
    /// names no kernel object (a closed handle, a window, a socket given as an event) fails
    /// with ERROR_INVALID_HANDLE (6, [`WsaError::WSA_INVALID_HANDLE`]). Like other kernel32
    /// calls it leaves the last error alone when it succeeds. (In the simulator a thread's
    /// handle is its [`ThreadId`](crate::api::ThreadId), which needs no closing: its
    /// duplicate is the same value.)
    fn duplicate_handle(&self, h: Handle) -> Result<Handle, WsaError>;

    /// `DuplicateHandle` on a SOCKET: a new handle value naming the same socket (see the
    /// module documentation for what is shared and what `WSAGetOverlappedResult` says).
    /// `closesocket` on either handle closes that handle only, until the last. Windows
    /// duplicates whatever object the value names: a kernel object's handle passed as a
    /// SOCKET gives another handle on that object, which WinSock calls refuse with
    /// WSAENOTSOCK. A value naming nothing fails with ERROR_INVALID_HANDLE.
    fn duplicate_socket_handle(&self, s: Socket) -> Result<Socket, WsaError>;

    /// `DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &out, 0, bInheritHandle,
    /// dwOptions | DUPLICATE_SAME_ACCESS)`: as [`duplicate_handle`](Self::duplicate_handle),
    /// and the duplicate's HANDLE_FLAG_INHERIT is `inherit` (with
    /// [`DUPLICATE_SAME_ATTRIBUTES`], both flags are the source's instead). With
    /// [`DUPLICATE_CLOSE_SOURCE`] the source handle is closed (one protected from close
    /// stays), and in the simulator its value, the first free one again, is the duplicate's,
    /// as kernel32's process.c `test_DuplicateHandle` has it on Windows. A thread's handle
    /// (its id here) is returned as it is, its flags untouched.
    fn duplicate_handle_ex(
        &self,
        h: Handle,
        inherit: bool,
        options: u32,
    ) -> Result<Handle, WsaError>;

    /// [`duplicate_handle_ex`](Self::duplicate_handle_ex) of a SOCKET: a duplicate made so is
    /// not in WinSock's table (see the module documentation), unless the source was closed
    /// and its value taken, which stays as WinSock knew it.
    fn duplicate_socket_handle_ex(
        &self,
        s: Socket,
        inherit: bool,
        options: u32,
    ) -> Result<Socket, WsaError>;

    /// `GetHandleInformation(h, &flags)`: the handle's [`HANDLE_FLAG_INHERIT`] and
    /// [`HANDLE_FLAG_PROTECT_FROM_CLOSE`]; a value naming nothing: ERROR_INVALID_HANDLE.
    /// The last error is kept when it succeeds.
    fn get_handle_information(&self, h: Handle) -> Result<u32, WsaError>;

    /// `SetHandleInformation(h, dwMask, dwFlags)`: sets the flags in `mask` as `flags` has
    /// them; a value naming nothing: ERROR_INVALID_HANDLE.
    fn set_handle_information(&self, h: Handle, mask: u32, flags: u32) -> Result<(), WsaError>;

    /// `GetHandleInformation((HANDLE)s, &flags)` of a SOCKET.
    fn get_socket_handle_information(&self, s: Socket) -> Result<u32, WsaError>;

    /// `SetHandleInformation((HANDLE)s, dwMask, dwFlags)` of a SOCKET: what a server calls
    /// to keep its sockets from child processes (`HANDLE_FLAG_INHERIT`, 0).
    fn set_socket_handle_information(
        &self,
        s: Socket,
        mask: u32,
        flags: u32,
    ) -> Result<(), WsaError>;
}
