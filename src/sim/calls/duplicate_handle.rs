//! [`DuplicateHandles`] in the simulator: `DuplicateHandle` within a host's process. A kernel
//! object's duplicate is a further handle the object counts (`kernel/objects.rs`); a
//! socket's is a further handle on the socket that WinSock's table does not list
//! (`socket/duplicate.rs`). Whatever the value names is duplicated, as Windows does; a
//! window (an HWND is no kernel handle) and a value naming nothing are
//! ERROR_INVALID_HANDLE.

use crate::api::duplicate_handle::DuplicateHandles;
use crate::api::{Handle, MutexHandle, SemaphoreHandle, Socket, TimerHandle, WsaError, WsaEvent};
use crate::sim::api::{SimWinsock, Traced, World};
use crate::sim::kernel::objects::KObject;
use crate::sim::socket::handles::HandleObj;

use super::signal_and_wait::handle_value;

impl Traced for Handle {
    fn traced(&self) -> i64 {
        handle_value(*self) as i64
    }
}

/// `h`'s variant around another handle value.
fn same_kind(h: Handle, raw: usize) -> Handle {
    match h {
        Handle::Event(_) => Handle::Event(WsaEvent::from_raw(raw)),
        Handle::Mutex(_) => Handle::Mutex(MutexHandle::from_raw(raw)),
        Handle::Semaphore(_) => Handle::Semaphore(SemaphoreHandle::from_raw(raw)),
        Handle::Timer(_) => Handle::Timer(TimerHandle::from_raw(raw)),
        Handle::Thread(t) => Handle::Thread(t),
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

/// A new handle on `host` naming what `obj` names.
fn duplicate(w: &mut World, host: usize, obj: HandleObj) -> usize {
    match obj {
        HandleObj::Socket(id) => w.duplicate_unlisted(host, id),
        HandleObj::Object(idx) => w.duplicate_object_handle(host, idx),
    }
}

impl DuplicateHandles for SimWinsock {
    fn duplicate_handle(&self, h: Handle) -> Result<Handle, WsaError> {
        self.kcall_keep_error("DuplicateHandle", handle_value(h) as u64, 0, |this| {
            let mut w = this.w();
            if let Handle::Thread(t) = h {
                // A thread's handle is its id, which needs no closing.
                return if t.index() < w.rt.threads.len() {
                    Ok(h)
                } else {
                    Err(WsaError::WSA_INVALID_HANDLE)
                };
            }
            let obj = duplicable(&w, this.host, handle_value(h))?;
            Ok(same_kind(h, duplicate(&mut w, this.host, obj)))
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
