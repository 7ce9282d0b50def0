//! The `SyncObjects` locks, written once for the simulator and the real kernel32: critical
//! sections (recursion, TryEnter from another thread, a non-owner's Leave, deletion), SRW locks
//! (shared and exclusive holders) and condition variables over both (Wake / WakeAll, timeouts
//! with the lock and its recursion held again). Listed in `sync.rs`'s `sync_rules`.
//!
//! Threads meet through events and thread-handle waits, never through sleeps, so every rule
//! means the same in the simulator's virtual time and on a loaded machine.

use std::sync::Arc;

use winsock_sim::prelude::*;

use super::sync::on_thread;
use super::{code, e, Check};

pub(super) fn critical_sections<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let cs = e(
        "InitializeCriticalSection",
        ws.initialize_critical_section(),
    )?;
    let other_try = |ws: &W| {
        on_thread(ws, move |ws: &W| {
            let got = ws.try_enter_critical_section(cs);
            if got == Ok(true) {
                let _ = ws.leave_critical_section(cs);
            }
            got
        })
    };
    let other_leave = |ws: &W| on_thread(ws, move |ws: &W| code(ws.leave_critical_section(cs)));
    c.eq("free: another thread enters", other_try(ws)?, Ok(true))?;
    e("EnterCriticalSection", ws.enter_critical_section(cs))?;
    c.eq(
        "TryEnter by the owner",
        ws.try_enter_critical_section(cs),
        Ok(true),
    )?;
    c.eq(
        "owned twice: another thread's TryEnter",
        other_try(ws)?,
        Ok(false),
    )?;
    c.eq(
        "another thread's Leave",
        other_leave(ws)?,
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    e("LeaveCriticalSection", ws.leave_critical_section(cs))?;
    c.eq(
        "owned once: another thread's TryEnter",
        other_try(ws)?,
        Ok(false),
    )?;
    e("LeaveCriticalSection", ws.leave_critical_section(cs))?;
    c.eq("left: another thread's TryEnter", other_try(ws)?, Ok(true))?;
    c.eq(
        "Leave when not entered",
        code(ws.leave_critical_section(cs)),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    // A thread blocked in EnterCriticalSection gets it when the owner leaves.
    e("EnterCriticalSection", ws.enter_critical_section(cs))?;
    let entered = e("CreateEvent", ws.create_event(true, false))?;
    let t = e(
        "CreateThread",
        ws.create_thread("cs-waiter", move |ws: &W| {
            ws.enter_critical_section(cs)?;
            ws.set_event(entered)?;
            ws.leave_critical_section(cs)
        }),
    )?;
    c.eq(
        "the waiter is blocked",
        ws.wait_for_single_object(entered.into(), 10),
        Ok(WAIT_TIMEOUT),
    )?;
    e("LeaveCriticalSection", ws.leave_critical_section(cs))?;
    c.eq(
        "the waiter entered",
        ws.wait_for_single_object(entered.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the waiter ended",
        ws.wait_for_single_object(t.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    e("DeleteCriticalSection", ws.delete_critical_section(cs))?;
    let bad = Err(WsaError::WSA_INVALID_HANDLE);
    c.eq("Enter, deleted", code(ws.enter_critical_section(cs)), bad)?;
    c.eq(
        "TryEnter, deleted",
        code(ws.try_enter_critical_section(cs)),
        bad,
    )?;
    c.eq("Leave, deleted", code(ws.leave_critical_section(cs)), bad)?;
    c.eq("Delete twice", code(ws.delete_critical_section(cs)), bad)?;
    e("CloseHandle", ws.close_handle(entered.into()))?;
    Ok(())
}

pub(super) fn srw_locks<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let l = e("InitializeSRWLock", ws.initialize_srw_lock())?;
    // (shared try, exclusive try) from another thread, released again when taken.
    let other = |ws: &W| {
        on_thread(ws, move |ws: &W| {
            let shared = ws.try_acquire_srw_lock_shared(l);
            if shared == Ok(true) {
                let _ = ws.release_srw_lock_shared(l);
            }
            let exclusive = ws.try_acquire_srw_lock_exclusive(l);
            if exclusive == Ok(true) {
                let _ = ws.release_srw_lock_exclusive(l);
            }
            (shared, exclusive)
        })
    };
    c.eq("free", other(ws)?, (Ok(true), Ok(true)))?;
    e("AcquireSRWLockShared", ws.acquire_srw_lock_shared(l))?;
    c.eq(
        "held shared: another thread",
        other(ws)?,
        (Ok(true), Ok(false)),
    )?;
    c.eq(
        "TryAcquireExclusive by the shared holder",
        ws.try_acquire_srw_lock_exclusive(l),
        Ok(false),
    )?;
    c.eq(
        "release exclusive, held shared",
        code(ws.release_srw_lock_exclusive(l)),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    e("ReleaseSRWLockShared", ws.release_srw_lock_shared(l))?;
    c.eq(
        "release shared, not held",
        code(ws.release_srw_lock_shared(l)),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    e("AcquireSRWLockExclusive", ws.acquire_srw_lock_exclusive(l))?;
    c.eq(
        "held exclusive: another thread",
        other(ws)?,
        (Ok(false), Ok(false)),
    )?;
    c.eq(
        "TryAcquireShared by the exclusive holder",
        ws.try_acquire_srw_lock_shared(l),
        Ok(false),
    )?;
    let not_mine = on_thread(ws, move |ws: &W| code(ws.release_srw_lock_exclusive(l)))?;
    c.eq(
        "another thread's release",
        not_mine,
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    // A thread blocked in AcquireSRWLockShared gets it when the exclusive holder releases.
    let got = e("CreateEvent", ws.create_event(true, false))?;
    let t = e(
        "CreateThread",
        ws.create_thread("srw-waiter", move |ws: &W| {
            ws.acquire_srw_lock_shared(l)?;
            ws.set_event(got)?;
            ws.release_srw_lock_shared(l)
        }),
    )?;
    c.eq(
        "the reader waits",
        ws.wait_for_single_object(got.into(), 10),
        Ok(WAIT_TIMEOUT),
    )?;
    e("ReleaseSRWLockExclusive", ws.release_srw_lock_exclusive(l))?;
    c.eq(
        "the reader got it",
        ws.wait_for_single_object(got.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the reader ended",
        ws.wait_for_single_object(t.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq("free again", other(ws)?, (Ok(true), Ok(true)))?;
    let never = SrwLock::from_raw(0x7ff0);
    c.eq(
        "never made",
        code(ws.acquire_srw_lock_shared(never)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    e("CloseHandle", ws.close_handle(got.into()))?;
    Ok(())
}

pub(super) fn condition_variables<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let cv = e(
        "InitializeConditionVariable",
        ws.initialize_condition_variable(),
    )?;
    let cs = e(
        "InitializeCriticalSection",
        ws.initialize_critical_section(),
    )?;
    // Timeout, entered twice: ERROR_TIMEOUT, and both entries are held again.
    e("EnterCriticalSection", ws.enter_critical_section(cs))?;
    e("EnterCriticalSection", ws.enter_critical_section(cs))?;
    c.eq(
        "nobody wakes it",
        code(ws.sleep_condition_variable_cs(cv, cs, 10)),
        Err(WsaError::ERROR_TIMEOUT),
    )?;
    let held = on_thread(ws, move |ws: &W| ws.try_enter_critical_section(cs))?;
    c.eq("owned again after the timeout", held, Ok(false))?;
    e("LeaveCriticalSection", ws.leave_critical_section(cs))?;
    e(
        "LeaveCriticalSection (recursion restored)",
        ws.leave_critical_section(cs),
    )?;
    c.eq(
        "not the owner",
        code(ws.sleep_condition_variable_cs(cv, cs, 0)),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    // A waiter sleeps until the flag it waits for is set and it is woken.
    let flag = ws.process_global(|| std::sync::atomic::AtomicBool::new(false));
    let sleeping = e("CreateEvent", ws.create_event(true, false))?;
    let f = Arc::clone(&flag);
    let t = e(
        "CreateThread",
        ws.create_thread("cv-waiter", move |ws: &W| {
            ws.enter_critical_section(cs)?;
            ws.set_event(sleeping)?;
            while !f.load(std::sync::atomic::Ordering::SeqCst) {
                ws.sleep_condition_variable_cs(cv, cs, INFINITE)?;
            }
            ws.leave_critical_section(cs)
        }),
    )?;
    e(
        "wait for the sleeper",
        ws.wait_for_single_object(sleeping.into(), INFINITE),
    )?;
    // Entering proves the sleeper released the section inside its sleep.
    e("EnterCriticalSection", ws.enter_critical_section(cs))?;
    flag.store(true, std::sync::atomic::Ordering::SeqCst);
    e("WakeConditionVariable", ws.wake_condition_variable(cv))?;
    e("LeaveCriticalSection", ws.leave_critical_section(cs))?;
    c.eq(
        "the sleeper woke and ended",
        ws.wait_for_single_object(t.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    // SRW: two shared sleepers, one WakeAll.
    let l = e("InitializeSRWLock", ws.initialize_srw_lock())?;
    let go = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let count = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut sleepers = Vec::new();
    for i in 0..2 {
        let (go, count) = (Arc::clone(&go), Arc::clone(&count));
        sleepers.push(Handle::from(e(
            "CreateThread",
            ws.create_thread(&format!("srw-sleeper-{i}"), move |ws: &W| {
                ws.acquire_srw_lock_shared(l)?;
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                while !go.load(std::sync::atomic::Ordering::SeqCst) {
                    ws.sleep_condition_variable_srw(
                        cv,
                        l,
                        INFINITE,
                        CONDITION_VARIABLE_LOCKMODE_SHARED,
                    )?;
                }
                ws.release_srw_lock_shared(l)
            }),
        )?));
    }
    // Both sleep once the exclusive acquisition succeeds after both counted in.
    loop {
        e("AcquireSRWLockExclusive", ws.acquire_srw_lock_exclusive(l))?;
        if count.load(std::sync::atomic::Ordering::SeqCst) == 2 {
            break;
        }
        e("ReleaseSRWLockExclusive", ws.release_srw_lock_exclusive(l))?;
        ws.sleep(1);
    }
    go.store(true, std::sync::atomic::Ordering::SeqCst);
    e(
        "WakeAllConditionVariable",
        ws.wake_all_condition_variable(cv),
    )?;
    e("ReleaseSRWLockExclusive", ws.release_srw_lock_exclusive(l))?;
    c.eq(
        "both sleepers woke",
        ws.wait_for_multiple_objects(&sleepers, true, INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    // Exclusive: timeout with the lock held again; not held: ERROR_NOT_OWNER; bad flags.
    e("AcquireSRWLockExclusive", ws.acquire_srw_lock_exclusive(l))?;
    c.eq(
        "SRW timeout",
        code(ws.sleep_condition_variable_srw(cv, l, 10, 0)),
        Err(WsaError::ERROR_TIMEOUT),
    )?;
    let held = on_thread(ws, move |ws: &W| ws.try_acquire_srw_lock_shared(l))?;
    c.eq("held again after the timeout", held, Ok(false))?;
    e("ReleaseSRWLockExclusive", ws.release_srw_lock_exclusive(l))?;
    c.eq(
        "SRW not held",
        code(ws.sleep_condition_variable_srw(cv, l, 0, 0)),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    c.eq(
        "wake with nobody asleep",
        ws.wake_condition_variable(cv),
        Ok(()),
    )?;
    e("DeleteCriticalSection", ws.delete_critical_section(cs))?;
    e("CloseHandle", ws.close_handle(sleeping.into()))?;
    Ok(())
}
