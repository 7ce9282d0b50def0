//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_alertable_wait` (commit 79834c06, lines
//! 2664–2702, with its helpers `alertable_wait_thread` 2618–2647, `alertable_wait_apc`
//! 2649–2653 and `alertable_wait_apc2` 2655–2662), facts only.
//!
//! Counted in `ok()` calls as Windows runs them: `alertable_wait_apc2`'s one `ok()` twice, as
//! it is queued twice (2691, 2693).
//!
//! | part of test_alertable_wait                                          | ported | not expressible | failing |
//! |----------------------------------------------------------------------|-------:|----------------:|--------:|
//! | two semaphores and the thread, 2669–2674                             |      3 |               0 |       0 |
//! | APC into WaitForMultipleObjectsEx, 2626–2629, 2676–2680              |      4 |               0 |       0 |
//! | APC into NtWaitForMultipleObjects, 2631–2637, 2682–2686              |      4 |               0 |       0 |
//! | two APCs that wait themselves, 2639–2644, 2655–2662, 2688–2695       |      7 |               0 |       0 |
//! | the thread ends, 2697–2698                                           |      1 |               0 |       0 |
//! | **total**                                                            | **19** |           **0** |   **0** |
//!
//! Not expressible: nothing. `NtWaitForMultipleObjects(1, h, WaitAll, TRUE, &timeout)` (2633,
//! 2636, 2641) is expressed as `WaitForMultipleObjectsEx(1, h, TRUE, ms, TRUE)`, the kernel32
//! call over it: the relative timeouts -10000000 and -2000000 (100-ns units) are 1000 and
//! 200 ms, and STATUS_USER_APC (0xC0) and STATUS_WAIT_0 are WAIT_IO_COMPLETION and
//! WAIT_OBJECT_0 by value.
//!
//! The main thread's `Sleep(100)`s (2678, 2684, 2690) make the times exact in virtual time:
//! each APC ends the thread's wait 100 ms after the previous step, which is asserted too.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

fn ms(ws: &SimWinsock) -> u128 {
    ws.now().as_millis()
}

/// What the thread and the APCs saw, for the main thread to check after the join.
#[derive(Default)]
struct Seen {
    /// `alertable_wait_thread`'s results, with the virtual time each wait returned at.
    thread: Vec<(u32, u128)>,
    /// `alertable_wait_apc2`'s WaitForSingleObject results.
    apc2: Vec<u32>,
}

/// sync.c `alertable_wait_apc`: releases semaphores[1].
fn apc(sem1: SemaphoreHandle) -> ApcRoutine<SimWinsock> {
    Box::new(move |ws: &SimWinsock| {
        ws.release_semaphore(sem1, 1)
            .expect("ReleaseSemaphore(semaphores[1])");
    })
}

/// sync.c `alertable_wait_apc2`: waits up to 1000 ms for semaphores[0] (not alertably).
fn apc2(sem0: SemaphoreHandle, seen: Arc<Mutex<Seen>>) -> ApcRoutine<SimWinsock> {
    Box::new(move |ws: &SimWinsock| {
        let r = ws.wait_for_single_object(Handle::from(sem0), 1000);
        seen.lock()
            .unwrap()
            .apc2
            .push(r.expect("2660: WaitForSingleObject"));
    })
}

/// sync.c `alertable_wait_thread`, 2618–2647.
fn waiter(
    ws: &SimWinsock,
    sem0: SemaphoreHandle,
    sem1: SemaphoreHandle,
    seen: &Mutex<Seen>,
) -> Result<(), WsaError> {
    let rec = |r: u32| seen.lock().unwrap().thread.push((r, ms(ws)));
    let one = [Handle::from(sem1)];
    ws.release_semaphore(sem0, 1)?;
    rec(ws.wait_for_multiple_objects_ex(&one, true, 1000, true)?); // 2626
    rec(ws.wait_for_multiple_objects_ex(&one, true, 200, true)?); // 2628

    ws.release_semaphore(sem0, 1)?;
    rec(ws.wait_for_multiple_objects_ex(&one, true, 1000, true)?); // 2633
    rec(ws.wait_for_multiple_objects_ex(&one, true, 200, true)?); // 2636

    ws.release_semaphore(sem0, 1)?;
    rec(ws.wait_for_multiple_objects_ex(&one, true, 1000, true)?); // 2641
    rec(ws.wait_for_single_object(Handle::from(sem0), 0)?); // 2643
    Ok(())
}

fn test_alertable_wait(ws: &SimWinsock) -> Result<(), WsaError> {
    // 2669–2672: CreateSemaphore (0 of 2) and (0 of 1) succeed.
    let sem0 = ws.create_semaphore(0, 2)?;
    let sem1 = ws.create_semaphore(0, 1)?;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s2 = seen.clone();
    // 2673–2674: CreateThread succeeds.
    let thread = ws.create_thread("alertable_wait_thread", move |ws: &SimWinsock| {
        waiter(ws, sem0, sem1, &s2)
    })?;
    let t0 = ms(ws);

    // 2676–2680: the thread is in its first alertable wait; an APC is queued to it.
    assert_eq!(
        ws.wait_for_single_object(Handle::from(sem0), 1000)?,
        WAIT_OBJECT_0,
        "2677"
    );
    ws.sleep(100);
    ws.queue_user_apc(apc(sem1), thread)?; // 2680: succeeds

    // 2682–2686: again, into the second alertable wait.
    assert_eq!(
        ws.wait_for_single_object(Handle::from(sem0), 1000)?,
        WAIT_OBJECT_0,
        "2683"
    );
    ws.sleep(100);
    ws.queue_user_apc(apc(sem1), thread)?; // 2686

    // 2688–2695: two APCs that each take one of the two units released next.
    assert_eq!(
        ws.wait_for_single_object(Handle::from(sem0), 1000)?,
        WAIT_OBJECT_0,
        "2689"
    );
    ws.sleep(100);
    ws.queue_user_apc(apc2(sem0, seen.clone()), thread)?; // 2692
    ws.queue_user_apc(apc2(sem0, seen.clone()), thread)?; // 2694
    ws.release_semaphore(sem0, 2)?;

    // 2697–2698: the thread ends.
    assert_eq!(
        ws.wait_for_single_object(Handle::from(thread), 1000)?,
        WAIT_OBJECT_0,
        "2698"
    );
    let seen = seen.lock().unwrap();
    let at = |i: usize| seen.thread[i].1 - t0;
    let results: Vec<u32> = seen.thread.iter().map(|&(r, _)| r).collect();
    assert_eq!(
        results,
        [
            WAIT_IO_COMPLETION, // 2627: the APC ended the wait, not the semaphore it released
            WAIT_OBJECT_0,      // 2629: which the next wait then takes at once
            WAIT_IO_COMPLETION, // 2634: STATUS_USER_APC
            WAIT_OBJECT_0,      // 2637: STATUS_WAIT_0
            WAIT_IO_COMPLETION, // 2642: one return after both APCs ran
            WAIT_TIMEOUT,       // 2644: they took both units of semaphores[0]
        ],
        "2627-2644"
    );
    assert_eq!(
        (0..6).map(at).collect::<Vec<_>>(),
        [100, 100, 200, 200, 300, 300],
        "when each wait returned"
    );
    // 2661, twice: each APC got a unit of semaphores[0].
    assert_eq!(seen.apc2, [WAIT_OBJECT_0, WAIT_OBJECT_0], "2661");
    drop(seen);
    for h in [Handle::from(thread), Handle::from(sem0), Handle::from(sem1)] {
        ws.close_handle(h)?;
    }
    Ok(())
}

#[test]
fn apcs_end_alertable_waits_and_all_queued_ones_run_first() {
    common::run(test_alertable_wait);
}

#[test]
fn same_under_several_seeds() {
    for seed in 0..8 {
        common::run_with(Sim::builder().seed(seed), test_alertable_wait);
    }
}
