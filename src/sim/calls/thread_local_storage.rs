//! [`ThreadLocalStorage`] in the simulator: the slots and values are the kernel layer's
//! (`kernel/thread_local_storage.rs`); the FLS callbacks run here, on the simulated thread
//! that frees a slot or exits, with the world unlocked (a callback may call anything).

use crate::api::thread_local_storage::{FlsCallback, ThreadLocalStorage};
use crate::api::WsaError;
use crate::sim::api::{SimLayers, SimWinsock};
use crate::sim::kernel::thread_local_storage::{Due, Kind};

impl SimWinsock {
    /// Calls each due callback with its value, in order.
    fn call_back(&self, due: Vec<Due<SimLayers>>) {
        for (callback, value) in due {
            callback(self, value);
        }
    }

    /// The thread's function returned: its FLS callbacks, slot by slot, then its values go
    /// (ntdll's `LdrShutdownThread`).
    pub(crate) fn local_storage_at_exit(&self) {
        let mut from = 0;
        loop {
            let next = self.w().local_exit_next(self.host, self.tid, from);
            let Some((slot, due)) = next else { break };
            if let Some((callback, value)) = due {
                callback(self, value);
            }
            from = slot + 1;
        }
        self.w().local_thread_gone(self.tid);
    }

    fn local_alloc(
        &self,
        name: &'static str,
        kind: Kind,
        callback: Option<FlsCallback<Self>>,
    ) -> Result<u32, WsaError> {
        let cb = u64::from(callback.is_some());
        self.kcall_keep_error(name, cb, 0, |this| {
            this.w().local_alloc(this.host, this.tid, kind, callback)
        })
    }

    /// Notes a value call on a slot in range but not allocated (never, or freed): Windows
    /// reads and writes it silently, so the program works on a slot that is no one's, or that
    /// a later `TlsAlloc` / `FlsAlloc` hands to other code.
    fn note_unallocated(&self, name: &str, kind: Kind, index: u32) {
        let mut w = self.w();
        if !w.local_allocated(self.host, kind, index) {
            let what = format!(
                "{name}({index}) on a slot not allocated (never, or freed): Windows reads and \
                 writes it silently, and the next {} may give it to other code",
                match kind {
                    Kind::Tls => "TlsAlloc",
                    Kind::Fls => "FlsAlloc",
                }
            );
            w.rt.note_misuse_by(self.tid, what);
        }
    }

    fn local_get(&self, name: &'static str, kind: Kind, index: u32) -> Result<usize, WsaError> {
        self.kcall(name, u64::from(index), 0, |this| {
            let v = this.w().local_get(this.tid, kind, index)?;
            this.note_unallocated(name, kind, index);
            Ok(v)
        })
    }

    fn local_set(
        &self,
        name: &'static str,
        kind: Kind,
        index: u32,
        value: usize,
    ) -> Result<(), WsaError> {
        self.kcall_keep_error(name, u64::from(index), value as u64, |this| {
            this.w().local_set(this.tid, kind, index, value)?;
            this.note_unallocated(name, kind, index);
            Ok(())
        })
    }

    fn local_free(&self, name: &'static str, kind: Kind, index: u32) -> Result<(), WsaError> {
        // The callbacks run before the call returns, after it is traced (what they call is
        // traced after it); the last error is then what they left, as FlsFree sets none
        // when it succeeds.
        let mut due = Vec::new();
        let r = self.kcall_keep_error(name, u64::from(index), 0, |this| {
            due = this.w().local_free(this.host, kind, index)?;
            Ok(())
        });
        self.call_back(due);
        r
    }
}

impl ThreadLocalStorage for SimWinsock {
    fn tls_alloc(&self) -> Result<u32, WsaError> {
        self.local_alloc("TlsAlloc", Kind::Tls, None)
    }

    fn tls_get_value(&self, index: u32) -> Result<usize, WsaError> {
        self.local_get("TlsGetValue", Kind::Tls, index)
    }

    fn tls_set_value(&self, index: u32, value: usize) -> Result<(), WsaError> {
        self.local_set("TlsSetValue", Kind::Tls, index, value)
    }

    fn tls_free(&self, index: u32) -> Result<(), WsaError> {
        self.local_free("TlsFree", Kind::Tls, index)
    }

    fn fls_alloc(&self, callback: Option<FlsCallback<Self>>) -> Result<u32, WsaError> {
        self.local_alloc("FlsAlloc", Kind::Fls, callback)
    }

    fn fls_get_value(&self, index: u32) -> Result<usize, WsaError> {
        self.local_get("FlsGetValue", Kind::Fls, index)
    }

    fn fls_set_value(&self, index: u32, value: usize) -> Result<(), WsaError> {
        self.local_set("FlsSetValue", Kind::Fls, index, value)
    }

    fn fls_free(&self, index: u32) -> Result<(), WsaError> {
        self.local_free("FlsFree", Kind::Fls, index)
    }
}
