//! Port of the thread-local storage tests of Wine's `dlls/kernel32/tests/thread.c`
//! (wine-tkg commit 4b12965c, Wine 11.10), facts only: `test_TLS` and `test_FLS` (lines
//! 1776–1814, both running `run_LS_tests` and `LS_ThreadProc`, 1567–1774, with the thread
//! synchronization helpers, 143–186), `test_reserved_tls` (2251–2286) and the TLS checks of
//! `test_CreateThread_basic` (426–503, with `threadFunc1`, 221–245).
//!
//! `run_LS_tests` allocates a slot in the main thread, then two threads take turns (the
//! helpers let exactly one of them run each numbered step): each allocates a slot, each sees
//! both slots 0 with the last error 0, each sets its own values and sees only them, a thread
//! created later sees none of them, and the slots are freed. It runs once with the TLS calls
//! and once with the FLS calls (`FlsAlloc(NULL)`).
//!
//! Counted in `ok()` calls of the text, the shared functions once for TLS and once for FLS:
//!
//! | part of thread.c                                                     | ported | not expressible | failing |
//! |----------------------------------------------------------------------|-------:|----------------:|--------:|
//! | sync helpers: CreateEvent ×2, the two waits, 146–186 (×2)            |      8 |               0 |       0 |
//! | run_LS_tests: slot, value, CreateThread, the wait, free, 1738–1774 (×2) | 10 |             0 |       0 |
//! | LS_ThreadProc, its six steps, 1612–1736 (×2)                         |     70 |               0 |       0 |
//! | LS_InheritanceProc: a new thread sees no value, 1596–1611 (×2)       |      6 |               0 |       0 |
//! | test_reserved_tls: slot 0 is the system's, 2251–2286                 |      3 |               0 |       0 |
//! | test_CreateThread_basic: TlsAlloc, TlsFree twice, 445, 492–501       |      5 |               0 |       0 |
//! | threadFunc1: TlsSetValue, TlsGetValue per thread, 226, 243           |      2 |               0 |       0 |
//! | **total**                                                            | **104** |          **0** |   **0** |
//!
//! `test_CreateThread_basic`'s other checks (exit codes, lstrlenA's exception handler,
//! thread ids) are not about TLS and not ported here. `test_reserved_tls`'s `if (0)` block
//! (setting slot 0) does not run on Windows either. The neighbours (FLS callbacks at
//! `FlsFree` and at thread exit, the fiber.c checks, slots per process, a crash, slot
//! exhaustion, `thread_local!` shared by simulated threads) are in
//! `tests/thread_local_storage.rs`.
mod common;

use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Which calls `run_LS_tests` runs with: `LS_AllocFunc` and the others.
#[derive(Clone, Copy, Debug)]
enum Ls {
    Tls,
    Fls,
}

impl Ls {
    fn alloc<W: ThreadLocalStorage>(self, ws: &W) -> Result<u32, WsaError> {
        match self {
            Ls::Tls => ws.tls_alloc(),
            Ls::Fls => ws.fls_alloc(None),
        }
    }
    fn get<W: ThreadLocalStorage>(self, ws: &W, i: u32) -> usize {
        match self {
            Ls::Tls => ws.tls_get_value(i),
            Ls::Fls => ws.fls_get_value(i),
        }
        .unwrap_or(0)
    }
    fn set<W: ThreadLocalStorage>(self, ws: &W, i: u32, v: usize) -> bool {
        match self {
            Ls::Tls => ws.tls_set_value(i, v),
            Ls::Fls => ws.fls_set_value(i, v),
        }
        .is_ok()
    }
    fn free<W: ThreadLocalStorage>(self, ws: &W, i: u32) -> bool {
        match self {
            Ls::Tls => ws.tls_free(i),
            Ls::Fls => ws.fls_free(i),
        }
        .is_ok()
    }
}

/// timer.c's 0xdeadbeef: a last error no call sets.
const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

/// The shared state of `run_LS_tests`: the helpers' events and count, the slots.
struct Shared {
    start: WsaEvent,
    stop: WsaEvent,
    num_synced: AtomicI32,
    main: AtomicU32,
    index0: AtomicU32,
    index1: AtomicU32,
}

impl Shared {
    /// `sync_threads_and_run_one`, 155–170.
    fn sync_and_run_one(&self, ws: &SimWinsock, sync_id: u32, my_id: u32) -> bool {
        let num = self.num_synced.fetch_add(1, Ordering::SeqCst) + 1;
        assert!((-1..=1).contains(&num));
        if num == 1 {
            ws.reset_event(self.stop).unwrap();
            ws.set_event(self.start).unwrap();
        } else {
            let r = ws.wait_for_single_object(self.start.into(), 10_000);
            assert_eq!(r, Ok(WAIT_OBJECT_0), "167: WaitForSingleObject failed");
        }
        sync_id == my_id
    }

    /// `resync_after_run`, 172–186.
    fn resync(&self, ws: &SimWinsock) {
        let num = self.num_synced.fetch_sub(1, Ordering::SeqCst) - 1;
        assert!((-1..=1).contains(&num));
        if num == -1 {
            ws.reset_event(self.start).unwrap();
            ws.set_event(self.stop).unwrap();
        } else {
            let r = ws.wait_for_single_object(self.stop.into(), 10_000);
            assert_eq!(r, Ok(WAIT_OBJECT_0), "184: WaitForSingleObject failed");
        }
    }
}

/// `LS_InheritanceProc`, 1596–1611: no value of the creator's or the main thread's.
fn inheritance_proc(ws: &SimWinsock, ls: Ls, s: &Shared) {
    let main = s.main.load(Ordering::SeqCst);
    assert_eq!(ls.get(ws, main), 0, "1603: {ls:?} inheritance failed");
    let i0 = s.index0.load(Ordering::SeqCst);
    assert_eq!(ls.get(ws, i0), 0, "1606: {ls:?} inheritance failed");
    let i1 = s.index1.load(Ordering::SeqCst);
    assert_eq!(ls.get(ws, i1), 0, "1609: {ls:?} inheritance failed");
}

/// Reads slot `i` with the last error preset to 0xdeadbeef: the value, and the last error
/// after the read.
fn get_checked(ws: &SimWinsock, ls: Ls, i: u32) -> (usize, i32) {
    ws.wsa_set_last_error(DEADBEEF);
    let v = ls.get(ws, i);
    (v, ws.wsa_get_last_error())
}

/// `LS_ThreadProc`, 1612–1736.
fn ls_thread_proc(ws: &SimWinsock, ls: Ls, s: Arc<Shared>, id: u32) -> Result<(), WsaError> {
    if s.sync_and_run_one(ws, 0, id) {
        let i = ls.alloc(ws);
        assert!(i.is_ok(), "1626: {ls:?} alloc failed");
        s.index0.store(i?, Ordering::SeqCst);
    }
    s.resync(ws);

    if s.sync_and_run_one(ws, 1, id) {
        let i = ls.alloc(ws);
        assert!(i.is_ok(), "1633: {ls:?} alloc failed");
        let i1 = i?;
        s.index1.store(i1, Ordering::SeqCst);
        let i0 = s.index0.load(Ordering::SeqCst);
        // Slot indices differ even if created in different threads.
        assert_ne!(i0, i1, "1637");
        // Both slots are initialized to NULL.
        let (v, e) = get_checked(ws, ls, i0);
        assert_eq!(e, 0, "1642");
        assert_eq!(v, 0, "1643");
        let (v, e) = get_checked(ws, ls, i1);
        assert_eq!(e, 0, "1647");
        assert_eq!(v, 0, "1648");
    }
    s.resync(ws);

    let (i0, i1) = (
        s.index0.load(Ordering::SeqCst),
        s.index1.load(Ordering::SeqCst),
    );
    if s.sync_and_run_one(ws, 0, id) {
        let (v, e) = get_checked(ws, ls, i0);
        assert_eq!(e, 0, "1656");
        assert_eq!(v, 0, "1657");
        let (v, e) = get_checked(ws, ls, i1);
        assert_eq!(e, 0, "1661");
        assert_eq!(v, 0, "1662");
        assert!(ls.set(ws, i0, 1), "1665");
        assert!(ls.set(ws, i1, 2), "1668");
        let (v, e) = get_checked(ws, ls, i0);
        assert_eq!(e, 0, "1672");
        assert_eq!(v, 1, "1673");
        let (v, e) = get_checked(ws, ls, i1);
        assert_eq!(e, 0, "1677");
        assert_eq!(v, 2, "1678");
    }
    s.resync(ws);

    if s.sync_and_run_one(ws, 1, id) {
        // (No SetLastError before these reads in thread.c: the last error is 0 anyway.)
        let v = ls.get(ws, i0);
        assert_eq!(ws.wsa_get_last_error(), 0, "1685");
        assert_eq!(v, 0, "1686");
        let v = ls.get(ws, i1);
        assert_eq!(ws.wsa_get_last_error(), 0, "1689");
        assert_eq!(v, 0, "1690");
        assert!(ls.set(ws, i0, 3), "1693");
        assert!(ls.set(ws, i1, 4), "1696");
        let v = ls.get(ws, i0);
        assert_eq!(ws.wsa_get_last_error(), 0, "1699");
        assert_eq!(v, 3, "1700");
        let v = ls.get(ws, i1);
        assert_eq!(ws.wsa_get_last_error(), 0, "1703");
        assert_eq!(v, 4, "1704");
    }
    s.resync(ws);

    if s.sync_and_run_one(ws, 0, id) {
        let v = ls.get(ws, i0);
        assert_eq!(ws.wsa_get_last_error(), 0, "1714");
        assert_eq!(v, 1, "1715");
        let v = ls.get(ws, i1);
        assert_eq!(ws.wsa_get_last_error(), 0, "1718");
        assert_eq!(v, 2, "1719");
        let s2 = s.clone();
        let thread = ws.create_thread("LS_InheritanceProc", move |ws| {
            inheritance_proc(ws, ls, &s2);
            Ok(())
        });
        assert!(thread.is_ok(), "1722: CreateThread failed");
        let r = ws.wait_for_single_object(Handle::Thread(thread?), 60_000);
        assert_eq!(r, Ok(WAIT_OBJECT_0), "1724: WaitForSingleObject failed");
        assert!(ls.free(ws, i0), "1728: {ls:?} free failed");
    }
    s.resync(ws);

    if s.sync_and_run_one(ws, 1, id) {
        assert!(ls.free(ws, i1), "1735: {ls:?} free failed");
    }
    s.resync(ws);
    Ok(())
}

/// `run_LS_tests`, 1738–1774.
fn run_ls_tests(ws: &SimWinsock, ls: Ls) -> Result<(), WsaError> {
    // init_thread_sync_helpers, 146–153.
    let start = ws.create_event(true, false);
    assert!(start.is_ok(), "149: CreateEvent failed");
    let stop = ws.create_event(true, false);
    assert!(stop.is_ok(), "151: CreateEvent failed");
    let s = Arc::new(Shared {
        start: start?,
        stop: stop?,
        num_synced: AtomicI32::new(-1),
        main: AtomicU32::new(0),
        index0: AtomicU32::new(0),
        index1: AtomicU32::new(0),
    });

    // A slot of the main thread, to test for inheritance.
    let main = ls.alloc(ws);
    assert!(main.is_ok(), "1753: {ls:?} alloc failed");
    let main = main?;
    s.main.store(main, Ordering::SeqCst);
    assert!(ls.set(ws, main, 4114), "1755: {ls:?} set failed");

    let mut threads = Vec::new();
    for i in 0..2 {
        let s = s.clone();
        let t = ws.create_thread("LS_ThreadProc", move |ws| ls_thread_proc(ws, ls, s, i));
        assert!(t.is_ok(), "1762: CreateThread failed");
        threads.push(Handle::Thread(t?));
    }
    let r = ws.wait_for_multiple_objects(&threads, true, 60_000);
    assert_eq!(r, Ok(WAIT_OBJECT_0), "1766: WaitForAllObjects 2 threads");
    // (The main thread's own value was never touched by the others.)
    assert_eq!(ls.get(ws, main), 4114);
    assert!(ls.free(ws, main), "1772: {ls:?} free failed");
    ws.close_handle(Handle::Event(s.start))?;
    ws.close_handle(Handle::Event(s.stop))?;
    Ok(())
}

#[test]
fn test_tls() {
    common::run(|ws| run_ls_tests(ws, Ls::Tls));
}

#[test]
fn test_fls() {
    common::run(|ws| run_ls_tests(ws, Ls::Fls));
}

#[test]
fn test_reserved_tls() {
    common::run(|ws| {
        // 2263–2264: slot 0 is the system's; its value here is NULL.
        assert_eq!(ws.tls_get_value(0), Ok(0), "2264: TlsGetValue(0)");
        // 2266–2268: TlsAlloc never hands out slot 0.
        let tls = ws.tls_alloc();
        assert!(
            matches!(tls, Ok(t) if t != 0 && t != TLS_OUT_OF_INDEXES),
            "2268: tls = {tls:?}"
        );
        let tls = tls?;
        ws.tls_set_value(tls, 1)?;
        assert_eq!(ws.tls_get_value(0), Ok(0), "2272: TlsGetValue(0)");
        ws.tls_free(tls)
    });
}

#[test]
fn test_create_thread_basic_tls() {
    common::run(|ws| {
        const NUM_THREADS: usize = 4;
        // 445.
        let tls_index = ws.tls_alloc();
        assert!(tls_index.is_ok(), "445: TlsAlloc failed");
        let tls_index = tls_index?;
        // threadFunc1: each thread stores its number + 1, all meet, each reads its own back.
        let events = (0..NUM_THREADS)
            .map(|_| ws.create_event(true, false))
            .collect::<Result<Vec<_>, _>>()?;
        let events = Arc::new(events);
        let checked = Arc::new(AtomicUsize::new(0));
        let mut threads = Vec::new();
        for n in 0..NUM_THREADS {
            let (events, checked) = (events.clone(), checked.clone());
            threads.push(Handle::Thread(ws.create_thread(
                "threadFunc1",
                move |ws| {
                    assert!(ws.tls_set_value(tls_index, n + 1).is_ok(), "226");
                    ws.set_event(events[n])?;
                    let all: Vec<Handle> = events.iter().map(|&e| Handle::Event(e)).collect();
                    ws.wait_for_multiple_objects(&all, true, INFINITE)?;
                    assert_eq!(ws.tls_get_value(tls_index), Ok(n + 1), "243");
                    checked.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                },
            )?));
        }
        ws.wait_for_multiple_objects(&threads, true, 5_000)?;
        assert_eq!(checked.load(Ordering::SeqCst), NUM_THREADS);
        // 492–495: TlsFree succeeds and leaves the last error.
        ws.wsa_set_last_error(0xCAFE_F00D_u32 as i32);
        assert_eq!(ws.tls_free(tls_index), Ok(()), "494: TlsFree failed");
        assert_eq!(ws.wsa_get_last_error(), 0xCAFE_F00D_u32 as i32, "495");
        // 498–501: freeing it again fails with ERROR_INVALID_PARAMETER.
        ws.wsa_set_last_error(0xCAFE_F00D_u32 as i32);
        assert_eq!(
            ws.tls_free(tls_index),
            Err(WsaError::WSA_INVALID_PARAMETER),
            "500: TlsFree succeeded"
        );
        assert_eq!(
            ws.wsa_get_last_error(),
            WsaError::WSA_INVALID_PARAMETER.code(),
            "501"
        );
        Ok(())
    });
}
