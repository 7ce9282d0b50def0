//! TLS and FLS rules, written once for the simulator and the real kernelbase (Wine's kernel32
//! thread.c `test_TLS`, `test_FLS`, `test_reserved_tls`, `test_CreateThread_basic` and
//! fiber.c `test_FiberLocalStorage`, `test_FiberLocalStorageCallback`, which pass on
//! Windows). In a real process other code holds slots too, so the rules assert nothing
//! about which slot a call hands out beyond what no other holder can change.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn thread_local_storage_rules<W: Winsock + ThreadLocalStorage + Send + Sync + 'static>(
) -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TLS-values",
            title: "TlsAlloc never hands out slot 0; a slot reads 0 until set, TlsGetValue sets the last error to 0 and TlsSetValue keeps it, a new thread reads 0 and its own value leaves ours; TlsFree keeps the last error, a second TlsFree and every call past slot 1,087 are ERROR_INVALID_PARAMETER",
            body: tls_values::<W>,
        },
        Rule {
            id: "TLS-free-clears",
            title: "TlsFree clears the slot in every thread (a thread waiting through it reads 0 after); TlsAlloc clears the caller's value set while the slot was free",
            body: tls_free_clears::<W>,
        },
        Rule {
            id: "FLS-values",
            title: "FLS slot 0 is never one (FlsGetValue and FlsSetValue on it: ERROR_INVALID_PARAMETER), nor 4,080; an unallocated slot can be set and read but not freed; FlsSetValue keeps the last error and FlsGetValue sets it to 0; a freed slot reads 0",
            body: fls_values::<W>,
        },
        Rule {
            id: "FLS-callback-free",
            title: "FlsFree calls the slot's callback on the freeing thread once for each thread's non-zero value (none for a zero value), and the values read 0 after",
            body: fls_callback_free::<W>,
        },
        Rule {
            id: "FLS-callback-exit",
            title: "When a thread's function returns, the callbacks of its non-zero FLS values run on it, in slot order; values of slots without a callback call nothing",
            body: fls_callback_exit::<W>,
        },
    ]
}

/// A value no call of the rules sets as the last error.
const MARK: i32 = 1234;

/// Calls a callback recorded: (the thread it ran on, the value).
type Calls = Arc<Mutex<Vec<(u32, usize)>>>;

fn recorder<W: SyncObjects + 'static>(calls: &Calls) -> FlsCallback<W> {
    let calls = calls.clone();
    Arc::new(move |ws: &W, v| {
        calls.lock().unwrap().push((ws.get_current_thread_id(), v));
    })
}

fn taken(calls: &Calls) -> Vec<(u32, usize)> {
    let mut v = std::mem::take(&mut *calls.lock().unwrap());
    v.sort_unstable();
    v
}

fn tls_values<W: Winsock + ThreadLocalStorage + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let a = e("TlsAlloc", ws.tls_alloc())?;
    let b = e("TlsAlloc", ws.tls_alloc())?;
    c.eq("slot 0 handed out", a == 0 || b == 0, false)?;
    c.eq("the two slots differ", a != b, true)?;
    c.eq("past the last slot", a < 1088 && b < 1088, true)?;
    ws.wsa_set_last_error(MARK);
    c.eq("a new slot's value", ws.tls_get_value(a), Ok(0))?;
    c.eq("TlsGetValue's last error", ws.wsa_get_last_error(), 0)?;
    ws.wsa_set_last_error(MARK);
    c.eq("TlsSetValue", ws.tls_set_value(a, 0x1234), Ok(()))?;
    c.eq("TlsSetValue's last error", ws.wsa_get_last_error(), MARK)?;
    c.eq("the value read back", ws.tls_get_value(a), Ok(0x1234))?;
    c.eq("the other slot", ws.tls_get_value(b), Ok(0))?;
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    let t = e(
        "CreateThread",
        ws.create_thread("tls", move |ws: &W| {
            let first = ws.tls_get_value(a);
            let set = ws.tls_set_value(a, 7);
            *s.lock().unwrap() = Some((first, set, ws.tls_get_value(a)));
            Ok(())
        }),
    )?;
    c.eq(
        "the thread ends",
        ws.wait_for_single_object(Handle::Thread(t), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the new thread's value, its set, its own value",
        *seen.lock().unwrap(),
        Some((Ok(0), Ok(()), Ok(7))),
    )?;
    c.eq("ours after its set", ws.tls_get_value(a), Ok(0x1234))?;
    ws.wsa_set_last_error(MARK);
    c.eq("TlsFree", ws.tls_free(a), Ok(()))?;
    c.eq("TlsFree's last error", ws.wsa_get_last_error(), MARK)?;
    c.eq(
        "TlsFree again",
        ws.tls_free(a),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 87)?;
    c.eq("TlsFree", ws.tls_free(b), Ok(()))?;
    ws.wsa_set_last_error(MARK);
    c.eq(
        "TlsGetValue(1088)",
        ws.tls_get_value(1088),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 87)?;
    c.eq(
        "TlsSetValue(1088)",
        ws.tls_set_value(1088, 1),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq(
        "TlsFree(1088)",
        ws.tls_free(1088),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )
}

/// A thread that sets its value in a slot (`set`), says so, and once let go reads it again
/// (`read`) and ends: its handle, its reading, and the event that lets it go.
struct Holder {
    thread: ThreadId,
    after: Arc<Mutex<Option<Result<usize, WsaError>>>>,
    go: WsaEvent,
}

impl Holder {
    /// Starts the thread and waits until its value is set.
    fn start<W: SyncObjects + Send + Sync + 'static>(
        ws: &W,
        c: &mut Check,
        set: impl FnOnce(&W) -> Result<(), WsaError> + Send + 'static,
        read: impl FnOnce(&W) -> Result<usize, WsaError> + Send + 'static,
    ) -> Result<Holder, String> {
        let is_set = e("CreateEvent", ws.create_event(true, false))?;
        let go = e("CreateEvent", ws.create_event(true, false))?;
        let after = Arc::new(Mutex::new(None));
        let a = after.clone();
        let thread = e(
            "CreateThread",
            ws.create_thread("holder", move |ws: &W| {
                set(ws)?;
                ws.set_event(is_set)?;
                ws.wait_for_single_object(Handle::Event(go), 5_000)?;
                *a.lock().unwrap() = Some(read(ws));
                Ok(())
            }),
        )?;
        c.eq(
            "the thread set its value",
            ws.wait_for_single_object(Handle::Event(is_set), 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
        e("CloseHandle", ws.close_handle(Handle::Event(is_set)))?;
        Ok(Holder { thread, after, go })
    }

    /// Lets the thread go and waits for its end: what it read.
    fn finish<W: SyncObjects>(
        self,
        ws: &W,
        c: &mut Check,
    ) -> Result<Option<Result<usize, WsaError>>, String> {
        e("SetEvent", ws.set_event(self.go))?;
        c.eq(
            "the thread ends",
            ws.wait_for_single_object(Handle::Thread(self.thread), 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
        e("CloseHandle", ws.close_handle(Handle::Event(self.go)))?;
        let after = *self.after.lock().unwrap();
        Ok(after)
    }
}

fn tls_free_clears<W: Winsock + ThreadLocalStorage + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let slot = e("TlsAlloc", ws.tls_alloc())?;
    let holder = Holder::start(
        ws,
        c,
        move |ws: &W| ws.tls_set_value(slot, 5),
        move |ws: &W| ws.tls_get_value(slot),
    )?;
    c.eq("TlsFree", ws.tls_free(slot), Ok(()))?;
    // Set while free (only the range is checked), then allocated again.
    c.eq(
        "TlsSetValue of the free slot",
        ws.tls_set_value(slot, 8),
        Ok(()),
    )?;
    let again = e("TlsAlloc", ws.tls_alloc())?;
    c.eq("the slot allocated again", again, slot)?;
    c.eq(
        "the caller's value after TlsAlloc",
        ws.tls_get_value(slot),
        Ok(0),
    )?;
    let after = holder.finish(ws, c)?;
    c.eq("the thread's value after the free", after, Some(Ok(0)))?;
    e("TlsFree", ws.tls_free(again))
}

fn fls_values<W: Winsock + ThreadLocalStorage + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    for (what, r) in [
        ("FlsGetValue(0)", ws.fls_get_value(0).map(drop)),
        ("FlsSetValue(0)", ws.fls_set_value(0, 1)),
        ("FlsFree(0)", ws.fls_free(0)),
        ("FlsGetValue(4080)", ws.fls_get_value(4080).map(drop)),
        ("FlsSetValue(4080)", ws.fls_set_value(4080, 1)),
        ("FlsFree(4080)", ws.fls_free(4080)),
    ] {
        ws.wsa_set_last_error(MARK);
        c.eq(what, r, Err(WsaError::WSA_INVALID_PARAMETER))?;
    }
    let slot = e("FlsAlloc", ws.fls_alloc(None))?;
    c.eq("slot 0 handed out", slot == 0, false)?;
    ws.wsa_set_last_error(MARK);
    c.eq("a new slot's value", ws.fls_get_value(slot), Ok(0))?;
    c.eq("FlsGetValue's last error", ws.wsa_get_last_error(), 0)?;
    ws.wsa_set_last_error(MARK);
    c.eq("FlsSetValue", ws.fls_set_value(slot, 0xbeef), Ok(()))?;
    c.eq("FlsSetValue's last error", ws.wsa_get_last_error(), MARK)?;
    c.eq("the value read back", ws.fls_get_value(slot), Ok(0xbeef))?;
    ws.wsa_set_last_error(MARK);
    c.eq("FlsFree", ws.fls_free(slot), Ok(()))?;
    c.eq("FlsFree's last error", ws.wsa_get_last_error(), MARK)?;
    c.eq("the freed slot's value", ws.fls_get_value(slot), Ok(0))?;
    c.eq(
        "FlsFree again",
        ws.fls_free(slot),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    // A slot nobody holds (fiber.c uses 127; 4,000 is as far from anyone's as can be).
    c.eq(
        "FlsFree of an unallocated slot",
        ws.fls_free(4000),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq(
        "FlsSetValue of an unallocated slot",
        ws.fls_set_value(4000, 0x217),
        Ok(()),
    )?;
    c.eq("FlsGetValue of it", ws.fls_get_value(4000), Ok(0x217))?;
    e("FlsSetValue", ws.fls_set_value(4000, 0))
}

fn fls_callback_free<W: Winsock + ThreadLocalStorage + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let calls: Calls = Arc::default();
    let slot = e("FlsAlloc", ws.fls_alloc(Some(recorder(&calls))))?;
    let holder = Holder::start(
        ws,
        c,
        move |ws: &W| ws.fls_set_value(slot, 0x22),
        move |ws: &W| ws.fls_get_value(slot),
    )?;
    e("FlsSetValue", ws.fls_set_value(slot, 0x11))?;
    c.eq("FlsFree", ws.fls_free(slot), Ok(()))?;
    let me = ws.get_current_thread_id();
    let calls_now = taken(&calls);
    let after = holder.finish(ws, c)?;
    c.eq(
        "the callback's calls: both values, on the freeing thread",
        calls_now,
        vec![(me, 0x11), (me, 0x22)],
    )?;
    c.eq("the thread's value after the free", after, Some(Ok(0)))?;
    c.eq("calls at the thread's exit", taken(&calls), vec![])?;
    // A zero value calls nothing.
    let slot = e("FlsAlloc", ws.fls_alloc(Some(recorder(&calls))))?;
    e("FlsSetValue", ws.fls_set_value(slot, 0))?;
    c.eq("FlsFree", ws.fls_free(slot), Ok(()))?;
    c.eq("calls for a zero value", taken(&calls), vec![])
}

fn fls_callback_exit<W: Winsock + ThreadLocalStorage + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let order: Arc<Mutex<Vec<(u32, usize)>>> = Arc::default();
    // Each callback records in call order (not sorted), with its thread.
    let rec = |order: &Arc<Mutex<Vec<(u32, usize)>>>| -> FlsCallback<W> {
        let order = order.clone();
        Arc::new(move |ws: &W, v| order.lock().unwrap().push((ws.get_current_thread_id(), v)))
    };
    let first = e("FlsAlloc", ws.fls_alloc(Some(rec(&order))))?;
    let second = e("FlsAlloc", ws.fls_alloc(Some(rec(&order))))?;
    let plain = e("FlsAlloc", ws.fls_alloc(None))?;
    let (lo, hi) = (first.min(second), first.max(second));
    let id = Arc::new(Mutex::new(0));
    let i = id.clone();
    let t = e(
        "CreateThread",
        ws.create_thread("fls", move |ws: &W| {
            *i.lock().unwrap() = ws.get_current_thread_id();
            // Set in the other order: the exit goes by slot.
            ws.fls_set_value(hi, 2)?;
            ws.fls_set_value(plain, 3)?;
            ws.fls_set_value(lo, 1)
        }),
    )?;
    c.eq(
        "the thread ends",
        ws.wait_for_single_object(Handle::Thread(t), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    let tid = *id.lock().unwrap();
    c.eq(
        "the callbacks at its exit, on it, in slot order",
        order.lock().unwrap().clone(),
        vec![(tid, 1), (tid, 2)],
    )?;
    for s in [first, second, plain] {
        e("FlsFree", ws.fls_free(s))?;
    }
    let calls = order.lock().unwrap().len();
    c.eq("calls at FlsFree (no value left)", calls, 2)
}
