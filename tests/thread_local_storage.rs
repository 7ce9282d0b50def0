//! TLS and FLS beyond thread.c's `run_LS_tests` (`tests/k32_test_tls.rs`): Wine's fiber.c
//! `test_FiberLocalStorage` (its kernel32 half, lines 552–678: 31 `ok()`s; the 7 of its
//! `RtlFls*` calls and the rest, which reads ntdll's structures, are not expressible) and
//! `test_FiberLocalStorageCallback` (681–721, with `FiberLocalStorageProc`'s check: 10),
//! which pass on Windows, and the neighbours they imply: FLS callbacks at thread exit and at `FlsFree` for several threads, slots
//! cleared everywhere when freed, the last slot and exhaustion, slots per process and after
//! a crash, and Rust's `thread_local!` shared by every simulated thread.
// The Windows target's clippy flags the `const` initializer below as one that could be
// `const` (a false positive of its build-std; see src/lib.rs).
#![cfg_attr(windows, allow(clippy::missing_const_for_thread_local))]
mod common;

use std::cell::Cell;
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::fault::FaultPlan;
use winsock_sim::sim::{Sim, SimWinsock};

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

/// What the callbacks saw: (the thread they ran on, the value).
type Calls = Arc<Mutex<Vec<(ThreadId, usize)>>>;

/// A callback that records its calls.
fn recorder(calls: &Calls) -> FlsCallback<SimWinsock> {
    let calls = calls.clone();
    Arc::new(move |ws: &SimWinsock, value| {
        calls.lock().unwrap().push((ws.thread_id(), value));
    })
}

fn taken(calls: &Calls) -> Vec<(ThreadId, usize)> {
    std::mem::take(&mut *calls.lock().unwrap())
}

#[test]
fn fiber_c_test_fiber_local_storage() {
    common::run(|ws| {
        // 552–580: an unallocated slot (127): FlsFree fails, FlsGetValue and FlsSetValue work.
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(
            ws.fls_free(127),
            Err(WsaError::WSA_INVALID_PARAMETER),
            "558"
        );
        assert_eq!(ws.wsa_get_last_error(), 87, "559");
        assert_eq!(ws.fls_get_value(127), Ok(0), "563");
        assert_eq!(ws.fls_set_value(127, 0x217), Ok(()), "575");
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.fls_get_value(127), Ok(0x217), "579");
        assert_eq!(ws.wsa_get_last_error(), 0, "580");
        // 590–607: slot 128 is a slot since Windows 10 build 18312 (4,079 of them): FlsFree
        // of it unallocated fails; setting and reading it work.
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(
            ws.fls_free(128),
            Err(WsaError::WSA_INVALID_PARAMETER),
            "596"
        );
        assert_eq!(ws.wsa_get_last_error(), 87, "597");
        assert_eq!(ws.fls_set_value(128, 0x217), Ok(()), "602");
        assert_eq!(ws.fls_get_value(128), Ok(0x217), "607");
        // 609–635: slot 0 is never one.
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(
            ws.fls_get_value(0),
            Err(WsaError::WSA_INVALID_PARAMETER),
            "613"
        );
        assert_eq!(ws.wsa_get_last_error(), 87, "614");
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(
            ws.fls_set_value(0, 0xdeadbeef),
            Err(WsaError::WSA_INVALID_PARAMETER),
            "625"
        );
        assert_eq!(ws.wsa_get_last_error(), 87, "626");
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(
            ws.fls_get_value(0),
            Err(WsaError::WSA_INVALID_PARAMETER),
            "634"
        );
        assert_eq!(ws.wsa_get_last_error(), 87, "635");
        // 637–650: a new slot.
        let fls = ws.fls_alloc(None);
        assert!(fls.is_ok(), "639: FlsAlloc failed");
        let fls = fls?;
        assert_ne!(fls, 0, "640: fls index 0 allocated");
        assert_eq!(ws.fls_get_value(fls), Ok(0), "642");
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.fls_set_value(fls, 0xdeadbeef), Ok(()), "645");
        assert_eq!(
            ws.wsa_get_last_error(),
            DEADBEEF,
            "646: FlsSetValue keeps the error"
        );
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.fls_get_value(fls), Ok(0xdeadbeef), "649");
        assert_eq!(ws.wsa_get_last_error(), 0, "650");
        ws.fls_free(fls)?;
        // 652–665: after FlsFree the value is 0, and the slot can still be set.
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.fls_get_value(fls), Ok(0), "657");
        assert_eq!(ws.wsa_get_last_error(), 0, "658");
        assert_eq!(ws.fls_set_value(fls, 0xdeadbabe), Ok(()), "663");
        assert_eq!(ws.fls_get_value(fls), Ok(0xdeadbabe), "665");
        // 667–676: allocating again gives the same slot; FlsAlloc does not clear it (Windows
        // may show 0 or the value set while it was free; ntdll keeps the value).
        let fls_2 = ws.fls_alloc(None);
        assert!(fls_2.is_ok(), "669");
        assert_eq!(fls_2, Ok(fls), "671: a different slot");
        ws.wsa_set_last_error(DEADBEEF);
        let v = ws.fls_get_value(fls)?;
        assert!(v == 0 || v == 0xdeadbabe, "675: {v:#x}");
        assert_eq!(v, 0xdeadbabe, "the simulator keeps it, as ntdll does");
        assert_eq!(ws.wsa_get_last_error(), 0, "676");
        ws.fls_free(fls)?;
        // (Cleanup: the values set in the unallocated slots.)
        ws.fls_set_value(127, 0)?;
        ws.fls_set_value(128, 0)
    });
}

#[test]
fn fiber_c_test_fiber_local_storage_callback() {
    let calls: Calls = Arc::default();
    let c = calls.clone();
    common::run(move |ws| {
        // 694–708: FlsFree calls the callback once, with the value.
        let fls = ws.fls_alloc(Some(recorder(&c)));
        assert!(fls.is_ok(), "696");
        let fls = fls?;
        assert_eq!(ws.fls_set_value(fls, 0x1587), Ok(()), "701");
        assert_eq!(ws.fls_get_value(fls), Ok(0x1587), "704");
        assert_eq!(ws.fls_free(fls), Ok(()), "707");
        let me = ws.thread_id();
        assert_eq!(
            taken(&c),
            vec![(me, 0x1587)],
            "708 (and FiberLocalStorageProc's 90): one call, with the value"
        );
        // 710–720: not for a NULL value.
        let fls = ws.fls_alloc(Some(recorder(&c)));
        assert!(fls.is_ok(), "713");
        let fls = fls?;
        assert_eq!(ws.fls_set_value(fls, 0), Ok(()), "716");
        assert_eq!(ws.fls_free(fls), Ok(()), "719");
        assert_eq!(taken(&c), vec![], "720: no call");
        Ok(())
    });
}

#[test]
fn an_exiting_thread_calls_back_its_values_in_slot_order_on_itself() {
    let calls: Calls = Arc::default();
    let c = calls.clone();
    common::run(move |ws| {
        let a = ws.fls_alloc(Some(recorder(&c)))?;
        let b = ws.fls_alloc(Some(recorder(&c)))?;
        let plain = ws.fls_alloc(None)?;
        assert!(a < b && b < plain);
        let worker = ws.create_thread("worker", move |ws| {
            // Set in the other order: the exit goes by slot.
            ws.fls_set_value(b, 2)?;
            ws.fls_set_value(plain, 3)?;
            ws.fls_set_value(a, 1)
        })?;
        ws.wait_for_thread(worker, INFINITE)?;
        assert_eq!(taken(&c), vec![(worker, 1), (worker, 2)]);
        // The main thread's own values were not touched; it has none to call back.
        assert_eq!(ws.fls_get_value(a), Ok(0));
        // A thread that set nothing calls nothing back.
        let idle = ws.create_thread("idle", |_| Ok(()))?;
        ws.wait_for_thread(idle, INFINITE)?;
        assert_eq!(taken(&c), vec![]);
        for s in [a, b, plain] {
            ws.fls_free(s)?;
        }
        Ok(())
    });
}

#[test]
fn a_callback_at_exit_may_call_and_set_later_slots_but_not_earlier_ones() {
    let calls: Calls = Arc::default();
    let c = calls.clone();
    common::run(move |ws| {
        let first = ws.fls_alloc(Some(recorder(&c)))?;
        let rec = recorder(&c);
        let cell: Arc<Mutex<(u32, u32)>> = Arc::default();
        let slots = cell.clone();
        // The middle slot's callback sleeps (a blocking call at exit is a call like any
        // other), then sets a value in the first and the last slot.
        let middle = ws.fls_alloc(Some(Arc::new(move |ws: &SimWinsock, v| {
            rec(ws, v);
            ws.sleep(5);
            let (first, last) = *slots.lock().unwrap();
            ws.fls_set_value(first, 10).unwrap();
            ws.fls_set_value(last, 30).unwrap();
        })))?;
        let last = ws.fls_alloc(Some(recorder(&c)))?;
        *cell.lock().unwrap() = (first, last);
        let t = ws.create_thread("worker", move |ws| ws.fls_set_value(middle, 20))?;
        ws.wait_for_thread(t, INFINITE)?;
        // The last slot's value set by the middle callback is called back; the first's,
        // already passed, is dropped (as ntdll's single pass in slot order does).
        assert_eq!(taken(&c), vec![(t, 20), (t, 30)]);
        for s in [first, middle, last] {
            ws.fls_free(s)?;
        }
        Ok(())
    });
}

#[test]
fn fls_free_calls_back_every_threads_value_on_the_freeing_thread() {
    let calls: Calls = Arc::default();
    let c = calls.clone();
    common::run(move |ws| {
        let slot = ws.fls_alloc(Some(recorder(&c)))?;
        let go = ws.create_event(true, false)?;
        let mut workers = Vec::new();
        for n in 1..=3usize {
            workers.push(ws.create_thread("worker", move |ws| {
                // The second worker sets nothing: no call for it.
                if n != 2 {
                    ws.fls_set_value(slot, n * 100)?;
                }
                ws.wait_for_single_object(Handle::Event(go), INFINITE)?;
                // Freed meanwhile: the value is 0, and nothing is called at exit.
                assert_eq!(ws.fls_get_value(slot), Ok(0));
                Ok(())
            })?);
        }
        ws.fls_set_value(slot, 7)?;
        ws.sleep(1);
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.fls_free(slot), Ok(()));
        assert_eq!(
            ws.wsa_get_last_error(),
            DEADBEEF,
            "success leaves the last error"
        );
        let me = ws.thread_id();
        // In thread order, all on this thread.
        assert_eq!(taken(&c), vec![(me, 7), (me, 100), (me, 300)]);
        ws.set_event(go)?;
        for w in workers {
            ws.wait_for_thread(w, INFINITE)?;
        }
        assert_eq!(taken(&c), vec![]);
        Ok(())
    });
}

#[test]
fn tls_free_clears_every_threads_value_and_tls_alloc_the_callers() {
    common::run(|ws| {
        let slot = ws.tls_alloc()?;
        let go = ws.create_event(true, false)?;
        let worker = ws.create_thread("worker", move |ws| {
            ws.tls_set_value(slot, 5)?;
            ws.wait_for_single_object(Handle::Event(go), INFINITE)?;
            // Freed and allocated again by the main thread meanwhile: cleared.
            assert_eq!(ws.tls_get_value(slot), Ok(0));
            Ok(())
        })?;
        ws.sleep(1);
        ws.tls_set_value(slot, 6)?;
        ws.tls_free(slot)?;
        assert_eq!(
            ws.tls_get_value(slot),
            Ok(0),
            "cleared in the freeing thread"
        );
        // Set while free (TlsSetValue checks only the range), then allocated again: cleared.
        ws.tls_set_value(slot, 8)?;
        assert_eq!(ws.tls_alloc(), Ok(slot));
        assert_eq!(ws.tls_get_value(slot), Ok(0));
        ws.set_event(go)?;
        ws.wait_for_thread(worker, INFINITE)?;
        ws.tls_free(slot)
    });
}

#[test]
fn the_last_slots_and_exhaustion() {
    common::run(|ws| {
        // TLS: slots 1 to 1,087 (64 + 1,024 expansion slots), lowest first.
        let mut tls = Vec::new();
        loop {
            match ws.tls_alloc() {
                Ok(i) => tls.push(i),
                Err(e) => {
                    assert_eq!(e, WsaError::ERROR_NO_MORE_ITEMS);
                    assert_eq!(ws.wsa_get_last_error(), 259);
                    break;
                }
            }
        }
        assert_eq!(tls, (1..1088).collect::<Vec<u32>>());
        ws.tls_set_value(1087, 9)?;
        assert_eq!(ws.tls_get_value(1087), Ok(9));
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.tls_get_value(1088), Err(WsaError::WSA_INVALID_PARAMETER));
        assert_eq!(ws.wsa_get_last_error(), 87);
        assert_eq!(
            ws.tls_set_value(1088, 1),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(ws.tls_free(1088), Err(WsaError::WSA_INVALID_PARAMETER));
        assert_eq!(
            ws.tls_get_value(u32::MAX),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        // A freed slot is the next one handed out.
        ws.tls_free(700)?;
        assert_eq!(ws.tls_alloc(), Ok(700));
        for i in tls {
            ws.tls_free(i)?;
        }
        // FLS: slots 1 to 4,079.
        let mut fls = Vec::new();
        loop {
            match ws.fls_alloc(None) {
                Ok(i) => fls.push(i),
                Err(e) => {
                    assert_eq!(e, WsaError::WSA_NOT_ENOUGH_MEMORY);
                    assert_eq!(ws.wsa_get_last_error(), 8);
                    break;
                }
            }
        }
        assert_eq!(fls, (1..FLS_MAXIMUM_AVAILABLE).collect::<Vec<u32>>());
        assert_eq!(ws.fls_set_value(4079, 1), Ok(()));
        assert_eq!(ws.fls_get_value(4079), Ok(1));
        assert_eq!(ws.fls_get_value(4080), Err(WsaError::WSA_INVALID_PARAMETER));
        assert_eq!(
            ws.fls_set_value(4080, 1),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(ws.fls_free(4080), Err(WsaError::WSA_INVALID_PARAMETER));
        for i in fls {
            ws.fls_free(i)?;
        }
        assert_eq!(
            ws.fls_free(1),
            Err(WsaError::WSA_INVALID_PARAMETER),
            "freed twice"
        );
        Ok(())
    });
}

#[test]
fn slots_belong_to_the_process_and_a_restarted_host_starts_with_none() {
    let plan: FaultPlan = "crash(192.0.2.1,1s,1500ms)".parse().unwrap();
    let mut sim = Sim::builder().seed(common::seed()).faults(plan).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    let seen: Arc<Mutex<Vec<(&str, u32)>>> = Arc::default();
    let s = seen.clone();
    a.spawn_daemon("before", move |ws| {
        for _ in 0..3 {
            let i = ws.tls_alloc()?;
            s.lock().unwrap().push(("a before", i));
        }
        ws.sleep(10_000);
        Ok(())
    });
    let s = seen.clone();
    a.on_restart("after", move |ws| {
        let i = ws.tls_alloc()?;
        s.lock().unwrap().push(("a after", i));
        Ok(())
    });
    let s = seen.clone();
    b.spawn("b", move |ws| {
        ws.sleep(2_000);
        let i = ws.tls_alloc()?;
        s.lock().unwrap().push(("b", i));
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            ("a before", 1),
            ("a before", 2),
            ("a before", 3),
            ("a after", 1),
            ("b", 1)
        ]
    );
}

thread_local! {
    static RUST_TLS: Cell<usize> = const { Cell::new(0) };
}

#[test]
fn rust_thread_local_is_shared_by_simulated_threads_and_tls_is_not() {
    // Why the API has TLS: every simulated thread runs on the one OS thread that runs the
    // simulation, so a `thread_local!` is one value for all of them.
    common::run(|ws| {
        let slot = ws.tls_alloc()?;
        RUST_TLS.with(|c| c.set(1));
        ws.tls_set_value(slot, 1)?;
        let other = ws.create_thread("other", move |ws| {
            assert_eq!(
                RUST_TLS.with(Cell::get),
                1,
                "the main thread's thread_local!"
            );
            assert_eq!(ws.tls_get_value(slot), Ok(0), "a slot of its own");
            RUST_TLS.with(|c| c.set(2));
            ws.tls_set_value(slot, 2)
        })?;
        ws.wait_for_thread(other, INFINITE)?;
        assert_eq!(
            RUST_TLS.with(Cell::get),
            2,
            "overwritten by the other thread"
        );
        assert_eq!(ws.tls_get_value(slot), Ok(1), "its own");
        ws.tls_free(slot)
    });
}

#[test]
fn a_panicking_callback_is_its_threads_failure() {
    let mut sim = Sim::builder().seed(common::seed()).build();
    sim.host("h", "192.0.2.1").spawn("main", |ws| {
        let slot = ws.fls_alloc(Some(Arc::new(|_: &SimWinsock, v| {
            panic!("callback with {v}")
        })))?;
        let t = ws.create_thread("worker", move |ws| ws.fls_set_value(slot, 42))?;
        ws.wait_for_thread(t, INFINITE)
    });
    let err = sim.run().expect_err("the worker's callback panics");
    assert!(err.to_string().contains("callback with 42"), "{err}");
}

#[test]
fn local_storage_replays() {
    let run = || {
        let calls: Calls = Arc::default();
        let c = calls.clone();
        let report = common::run(move |ws| {
            let slot = ws.fls_alloc(Some(recorder(&c)))?;
            let t = (0..4)
                .map(|n| ws.create_thread("w", move |ws| ws.fls_set_value(slot, n + 1)))
                .collect::<Result<Vec<_>, _>>()?;
            for t in t {
                ws.wait_for_thread(t, INFINITE)?;
            }
            ws.fls_free(slot)
        });
        let calls = taken(&calls);
        (report.trace_hash, calls)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(a.1.len(), 4);
}

#[test]
fn a_value_call_on_a_slot_not_allocated_is_named_among_the_misuses() {
    // Windows reads and writes such a slot silently: a use after TlsFree reads 0, or the
    // value of the code the slot was given to next. The run goes on; the report names it.
    let report = common::run(|ws| {
        let slot = ws.tls_alloc()?;
        ws.tls_set_value(slot, 1)?;
        ws.tls_free(slot)?;
        assert_eq!(ws.tls_get_value(slot), Ok(0));
        let fls = ws.fls_alloc(None)?;
        ws.fls_set_value(fls, 2)?;
        ws.fls_free(fls)?;
        ws.fls_set_value(fls, 3)?;
        // Slot 0 of TLS is the system's: allocated, not a misuse.
        ws.tls_get_value(0).map(drop)
    });
    assert_eq!(report.misuses.len(), 2, "{:#?}", report.misuses);
    assert!(
        report.misuses[0].contains("TlsGetValue(1) on a slot not allocated"),
        "{:#?}",
        report.misuses
    );
    assert!(
        report.misuses[1].contains("FlsSetValue(1) on a slot not allocated"),
        "{:#?}",
        report.misuses
    );
    // Allocated slots, used as they should be, are no misuse.
    let report = common::run(|ws| {
        let slot = ws.fls_alloc(None)?;
        ws.fls_set_value(slot, 1)?;
        assert_eq!(ws.fls_get_value(slot), Ok(1));
        ws.fls_free(slot)
    });
    assert!(report.misuses.is_empty(), "{:#?}", report.misuses);
}
