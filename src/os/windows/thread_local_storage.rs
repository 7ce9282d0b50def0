//! [`ThreadLocalStorage`] for [`Native`]: kernel32's `Tls*` and `Fls*` calls. An FLS
//! callback is called by ntdll with the value alone, so each slot allocated with a Rust
//! callback gets one of [`TRAMPOLINES`] C routines of its own (`trampoline::<K>`), which
//! finds the callback (and the backend to call it with) in a table by `K`. The routine is
//! taken back once `FlsFree` of its slot has returned (ntdll calls the callbacks within it).

use std::collections::BTreeMap;
use std::ffi::c_void;

use once_cell::sync::Lazy;
use parking_lot::Mutex;
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::sync_lookup::{check, os_error};
use crate::api::thread_local_storage::{
    FlsCallback, ThreadLocalStorage, FLS_OUT_OF_INDEXES, TLS_OUT_OF_INDEXES,
};
use crate::api::WsaError;

/// How many FLS slots with a callback the process's `Native` backends may hold at once.
const TRAMPOLINES: usize = 64;

/// A callback and the backend it is called with.
type Entry = (Native, FlsCallback<Native>);

/// The callbacks by trampoline, and which trampoline each slot has.
struct Table {
    entries: Vec<Option<Entry>>,
    by_slot: BTreeMap<u32, usize>,
}

static TABLE: Lazy<Mutex<Table>> = Lazy::new(|| {
    Mutex::new(Table {
        entries: (0..TRAMPOLINES).map(|_| None).collect(),
        by_slot: BTreeMap::new(),
    })
});

/// `PFLS_CALLBACK_FUNCTION` number `K`: calls the callback of the slot that has it.
unsafe extern "system" fn trampoline<const K: usize>(data: *const c_void) {
    let entry = TABLE.lock().entries[K].clone();
    if let Some((native, callback)) = entry {
        // A panic must not unwind into ntdll.
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            callback(&native, data as usize)
        }));
        if r.is_err() {
            eprintln!("winsock-sim: an FLS callback panicked; aborting (it runs inside ntdll)");
            std::process::abort();
        }
    }
}

macro_rules! trampolines {
    ($($k:literal)*) => {
        [$(trampoline::<$k> as unsafe extern "system" fn(*const c_void),)*]
    };
}

/// The routines, by `K`.
static ROUTINES: [unsafe extern "system" fn(*const c_void); TRAMPOLINES] = trampolines!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
    32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61
    62 63
);

/// A `*GetValue` result: the OS sets the last error to 0 when it succeeds, so a 0 with a
/// last error is a failure.
fn value(v: *mut c_void) -> Result<usize, WsaError> {
    let v = v as usize;
    if v == 0 {
        match os_error() {
            WsaError::Other(0) => Ok(0),
            e => Err(e),
        }
    } else {
        Ok(v)
    }
}

impl ThreadLocalStorage for Native {
    fn tls_alloc(&self) -> Result<u32, WsaError> {
        // SAFETY: no arguments.
        let i = unsafe { th::TlsAlloc() };
        finish_kept(if i == TLS_OUT_OF_INDEXES {
            Err(os_error())
        } else {
            Ok(i)
        })
    }

    fn tls_get_value(&self, index: u32) -> Result<usize, WsaError> {
        // SAFETY: reads the calling thread's slot; the index is checked by the call.
        value(unsafe { th::TlsGetValue(index) })
    }

    fn tls_set_value(&self, index: u32, v: usize) -> Result<(), WsaError> {
        // SAFETY: the value is stored as a number, never dereferenced.
        finish_kept(check(unsafe { th::TlsSetValue(index, v as *const c_void) }))
    }

    fn tls_free(&self, index: u32) -> Result<(), WsaError> {
        // SAFETY: frees a slot number; the call checks it.
        finish_kept(check(unsafe { th::TlsFree(index) }))
    }

    fn fls_alloc(&self, callback: Option<FlsCallback<Self>>) -> Result<u32, WsaError> {
        let Some(callback) = callback else {
            // SAFETY: no callback.
            let i = unsafe { th::FlsAlloc(None) };
            return finish_kept(if i == FLS_OUT_OF_INDEXES {
                Err(os_error())
            } else {
                Ok(i)
            });
        };
        // The table stays locked until the slot is recorded: no callback of this slot can
        // run before (ntdll calls one only for a value set in the slot).
        let mut t = TABLE.lock();
        let Some(k) = t.entries.iter().position(Option::is_none) else {
            return finish_kept(Err(WsaError::WSA_NOT_ENOUGH_MEMORY));
        };
        // SAFETY: the routine is a `'static` function that only reads the table.
        let i = unsafe { th::FlsAlloc(Some(ROUTINES[k])) };
        if i == FLS_OUT_OF_INDEXES {
            return finish_kept(Err(os_error()));
        }
        t.entries[k] = Some((self.clone(), callback));
        t.by_slot.insert(i, k);
        finish_kept(Ok(i))
    }

    fn fls_get_value(&self, index: u32) -> Result<usize, WsaError> {
        // SAFETY: reads the calling thread's slot; the index is checked by the call.
        value(unsafe { th::FlsGetValue(index) })
    }

    fn fls_set_value(&self, index: u32, v: usize) -> Result<(), WsaError> {
        // SAFETY: the value is stored as a number, never dereferenced (the callback gets it
        // back as a number).
        finish_kept(check(unsafe { th::FlsSetValue(index, v as *const c_void) }))
    }

    fn fls_free(&self, index: u32) -> Result<(), WsaError> {
        // Not under the table's lock: ntdll calls the slot's callbacks within the call.
        // SAFETY: frees a slot number; the call checks it.
        let r = check(unsafe { th::FlsFree(index) });
        if r.is_ok() {
            let mut t = TABLE.lock();
            if let Some(k) = t.by_slot.remove(&index) {
                t.entries[k] = None;
            }
        }
        finish_kept(r)
    }
}
