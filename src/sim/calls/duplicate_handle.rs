//! [`DuplicateHandles`] in the simulator: `DuplicateHandle` within a host's process. A kernel
//! object's duplicate is a further handle the object counts (`kernel/objects.rs`); a
//! socket's is a further handle on the socket that WinSock's table does not list
//! (`socket/duplicate.rs`). Whatever the value names is duplicated, as Windows does; a
//! window (an HWND is no kernel handle) and a value naming nothing are
//! ERROR_INVALID_HANDLE.

use crate::api::duplicate_handle::{
    DuplicateHandles, DUPLICATE_CLOSE_SOURCE, DUPLICATE_SAME_ATTRIBUTES, HANDLE_FLAG_INHERIT,
    HANDLE_FLAG_PROTECT_FROM_CLOSE,
};
use crate::api::{Handle, Socket, WsaError};
use crate::sim::api::{SimWinsock, Traced, World};
use crate::sim::kernel::objects::KObject;
use crate::sim::socket::handles::HandleObj;

use super::signal_and_wait::handle_value;

impl Traced for Handle {
    fn traced(&self) -> i64 {
        handle_value(*self) as i64
    }
}

/// What handle value `raw` of `host` names, for `DuplicateHandle`: a socket, a kernel object
/// (its index; the low two bits ignored, as the kernel ignores them) or nothing it can
/// duplicate.
fn duplicable(w: &World, host: usize, raw: usize) -> Result<HandleObj, WsaError> {
    if let Some(HandleObj::Socket(id)) = w.sock.procs[host].handle(raw) {
        return Ok(HandleObj::Socket(id));
    }
    match w.object_id(host, raw) {
        Some(idx) if !matches!(w.kern.objects.get(idx), Some(KObject::Window { .. })) => {
            Ok(HandleObj::Object(idx))
        }
        _ => Err(WsaError::WSA_INVALID_HANDLE),
    }
}

/// Where a handle's flags are kept: a handle-table value (a socket's, or a kernel object's
/// with its low two bits cleared) or a thread's id.
enum FlagsAt {
    Table(usize),
    Thread(usize),
}

/// Where handle `h` (of `host`) keeps its flags, or ERROR_INVALID_HANDLE.
fn flags_at(w: &World, host: usize, h: Handle) -> Result<FlagsAt, WsaError> {
    if let Handle::Thread(t) = h {
        return if t.index() < w.rt.threads.len() {
            Ok(FlagsAt::Thread(t.index()))
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        };
    }
    socket_flags_at(w, host, handle_value(h))
}

/// Where handle value `raw` keeps its flags, or ERROR_INVALID_HANDLE.
fn socket_flags_at(w: &World, host: usize, raw: usize) -> Result<FlagsAt, WsaError> {
    match duplicable(w, host, raw)? {
        HandleObj::Socket(_) => Ok(FlagsAt::Table(raw)),
        HandleObj::Object(_) => Ok(FlagsAt::Table(raw & !3)),
    }
}

/// The flags kept at `at`.
fn flags_of(w: &World, host: usize, at: &FlagsAt) -> u32 {
    match at {
        FlagsAt::Table(h) => w.handle_flags_of(host, *h),
        FlagsAt::Thread(t) => w.sock.thread_flags.get(&(host, *t)).copied().unwrap_or(0),
    }
}

/// `CloseHandle`'s refusal of handle `h` (valid) when it is protected from close:
/// NtClose's STATUS_HANDLE_NOT_CLOSABLE, ERROR_INVALID_HANDLE, the handle left open.
pub(crate) fn refuse_protected(w: &World, host: usize, h: Handle) -> Result<(), WsaError> {
    let flags = match flags_at(w, host, h) {
        Ok(at) => flags_of(w, host, &at),
        Err(_) => 0,
    };
    if flags & HANDLE_FLAG_PROTECT_FROM_CLOSE != 0 {
        Err(WsaError::WSA_INVALID_HANDLE)
    } else {
        Ok(())
    }
}

/// `SetHandleInformation`'s change: the flags in `mask` as `flags` has them.
fn set_flags(w: &mut World, host: usize, at: FlagsAt, mask: u32, flags: u32) {
    let mask = mask & (HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE);
    let new = (flags_of(w, host, &at) & !mask) | (flags & mask);
    let (map, key) = match at {
        FlagsAt::Table(h) => (&mut w.sock.handle_flags, (host, h)),
        FlagsAt::Thread(t) => (&mut w.sock.thread_flags, (host, t)),
    };
    map.insert(key, new);
}

/// `DuplicateHandle` of handle value `raw` (not a thread's) with `bInheritHandle` and
/// `dwOptions`: the duplicate's value, its flags set. With DUPLICATE_CLOSE_SOURCE the source
/// closes and its value, the first free one again, is the duplicate's (same object, same
/// place in WinSock's table); a source protected from close stays, and the duplicate is new.
fn duplicate_ex(
    w: &mut World,
    host: usize,
    raw: usize,
    inherit: bool,
    options: u32,
) -> Result<usize, WsaError> {
    let obj = duplicable(w, host, raw)?;
    let at = socket_flags_at(w, host, raw)?;
    let source = flags_of(w, host, &at);
    let flags = if options & DUPLICATE_SAME_ATTRIBUTES != 0 {
        source
    } else if inherit {
        HANDLE_FLAG_INHERIT
    } else {
        0
    };
    let closes =
        options & DUPLICATE_CLOSE_SOURCE != 0 && source & HANDLE_FLAG_PROTECT_FROM_CLOSE == 0;
    let out = match (closes, at) {
        (true, FlagsAt::Table(key)) => key,
        _ => duplicate(w, host, obj),
    };
    // Flags take room only where they differ from the kind's (a plain duplicate's are 0).
    if flags != w.handle_flags_of(host, out) {
        set_flags(w, host, FlagsAt::Table(out), u32::MAX, flags);
    }
    Ok(out)
}

/// A new handle on `host` naming what `obj` names.
fn duplicate(w: &mut World, host: usize, obj: HandleObj) -> usize {
    match obj {
        HandleObj::Socket(id) => w.duplicate_unlisted(host, id),
        HandleObj::Object(idx) => w.duplicate_object_handle(host, idx),
    }
}

impl DuplicateHandles for SimWinsock {
    fn duplicate_handle(&self, h: Handle) -> Result<Handle, WsaError> {
        // The same call (and trace record) as bInheritHandle FALSE with no options.
        self.duplicate_handle_ex(h, false, 0)
    }

    fn duplicate_handle_ex(
        &self,
        h: Handle,
        inherit: bool,
        options: u32,
    ) -> Result<Handle, WsaError> {
        let args = (
            handle_value(h) as u64,
            u64::from(options) << 1 | u64::from(inherit),
        );
        self.kcall_keep_error("DuplicateHandle", args.0, args.1, |this| {
            let mut w = this.w();
            if let Handle::Thread(t) = h {
                return if t.index() < w.rt.threads.len() {
                    Ok(h)
                } else {
                    Err(WsaError::WSA_INVALID_HANDLE)
                };
            }
            let out = duplicate_ex(&mut w, this.host, handle_value(h), inherit, options)?;
            Ok(h.with_value(out))
        })
    }

    fn duplicate_socket_handle_ex(
        &self,
        s: Socket,
        inherit: bool,
        options: u32,
    ) -> Result<Socket, WsaError> {
        let args = (s.raw() as u64, u64::from(options) << 1 | u64::from(inherit));
        self.kcall_keep_error("DuplicateHandle", args.0, args.1, |this| {
            let mut w = this.w();
            duplicate_ex(&mut w, this.host, s.raw(), inherit, options).map(Socket::from_raw)
        })
    }

    fn get_handle_information(&self, h: Handle) -> Result<u32, WsaError> {
        self.kcall_keep_error("GetHandleInformation", handle_value(h) as u64, 0, |this| {
            let w = this.w();
            let at = flags_at(&w, this.host, h)?;
            Ok(flags_of(&w, this.host, &at))
        })
    }

    fn set_handle_information(&self, h: Handle, mask: u32, flags: u32) -> Result<(), WsaError> {
        let args = (
            handle_value(h) as u64,
            u64::from(mask) << 32 | u64::from(flags),
        );
        self.kcall_keep_error("SetHandleInformation", args.0, args.1, |this| {
            let mut w = this.w();
            let at = flags_at(&w, this.host, h)?;
            set_flags(&mut w, this.host, at, mask, flags);
            Ok(())
        })
    }

    fn get_socket_handle_information(&self, s: Socket) -> Result<u32, WsaError> {
        self.kcall_keep_error("GetHandleInformation", s.raw() as u64, 1, |this| {
            let w = this.w();
            let at = socket_flags_at(&w, this.host, s.raw())?;
            Ok(flags_of(&w, this.host, &at))
        })
    }

    fn set_socket_handle_information(
        &self,
        s: Socket,
        mask: u32,
        flags: u32,
    ) -> Result<(), WsaError> {
        let args = (s.raw() as u64, u64::from(mask) << 32 | u64::from(flags));
        self.kcall_keep_error("SetHandleInformation", args.0, args.1, |this| {
            let mut w = this.w();
            let at = socket_flags_at(&w, this.host, s.raw())?;
            set_flags(&mut w, this.host, at, mask, flags);
            Ok(())
        })
    }

    fn duplicate_socket_handle(&self, s: Socket) -> Result<Socket, WsaError> {
        self.kcall_keep_error("DuplicateHandle", s.raw() as u64, 1, |this| {
            let mut w = this.w();
            let obj = duplicable(&w, this.host, s.raw())?;
            Ok(Socket::from_raw(duplicate(&mut w, this.host, obj)))
        })
    }
}
