//! Synchronization-barrier rules (`SyncBarriers`), written once for the simulator and the real
//! kernel32 (Wine 11's kernel32 sync.c `test_barrier`, which passes on Windows 10 1607 and
//! later). Wine 8.0's kernel32 has no barrier functions: there `os::Native` answers
//! ERROR_PROC_NOT_FOUND, recorded as a known Wine difference.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn sync_barrier_rules<W: Winsock + SyncBarriers + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "BAR-init",
            title: "InitializeSynchronizationBarrier takes 1.. threads and a spin count of -1..; a barrier of one thread is passed at once (TRUE) with each valid flag, again after DeleteSynchronizationBarrier; the last error kept; an unknown flag refused",
            body: init::<W>,
        },
        Rule {
            id: "BAR-phase",
            title: "nine threads enter a barrier of nine: none passes before the ninth has entered, exactly one call returns TRUE; the barrier serves a second phase",
            body: phase::<W>,
        },
        Rule {
            id: "BAR-delete",
            title: "DeleteSynchronizationBarrier waits while a thread that entered without NO_DELETE is inside, and returns at once for one that entered with it",
            body: delete::<W>,
        },
    ]
}

/// A value no call of the rules sets as the last error.
const MARK: i32 = 1234;

/// The barrier, or `None` when this is Wine 8.0 without barriers (a known difference, noted).
fn barrier<W: SyncBarriers>(
    ws: &W,
    c: &mut Check,
    total: i32,
) -> Result<Option<SyncBarrier>, String> {
    match ws.initialize_synchronization_barrier(total, -1) {
        Ok(b) => Ok(Some(b)),
        Err(WsaError::ERROR_PROC_NOT_FOUND) if winsock_sim::os::under_wine() => {
            c.eq_or_wine(
                "InitializeSynchronizationBarrier",
                Err(WsaError::ERROR_PROC_NOT_FOUND),
                Ok(()),
                Err(WsaError::ERROR_PROC_NOT_FOUND),
                "kernel32 sync.c test_barrier; Wine 8.0 has no synchronization barriers",
            )?;
            Ok(None)
        }
        Err(err) => Err(format!("InitializeSynchronizationBarrier: {err:?}")),
    }
}

fn init<W: Winsock + SyncBarriers>(ws: &W, c: &mut Check) -> Result<(), String> {
    ws.wsa_set_last_error(MARK);
    let Some(b) = barrier(ws, c, 1)? else {
        return Ok(());
    };
    c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
    let bad = Err(WsaError::WSA_INVALID_PARAMETER);
    for (total, spin) in [(-2, -1), (1, -2), (0, -1)] {
        let r = code(ws.initialize_synchronization_barrier(total, spin));
        c.eq(&format!("{total} threads, spin count {spin}"), r, bad)?;
    }
    for (total, spin) in [(1, i32::MAX), (i32::MAX, 0)] {
        let r = code(ws.initialize_synchronization_barrier(total, spin));
        c.eq(&format!("{total} threads, spin count {spin}"), r, Ok(()))?;
    }
    ws.wsa_set_last_error(MARK);
    c.eq(
        "a barrier of one",
        ws.enter_synchronization_barrier(b, 0),
        Ok(true),
    )?;
    c.eq("again", ws.enter_synchronization_barrier(b, 0), Ok(true))?;
    c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
    c.eq("deleted", ws.delete_synchronization_barrier(b), Ok(()))?;
    for flags in [
        SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY,
        SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY,
        SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE,
        0x7,
    ] {
        c.eq(
            &format!("entered after the delete with flags {flags:#x}"),
            ws.enter_synchronization_barrier(b, flags),
            Ok(true),
        )?;
    }
    c.eq(
        "an unknown flag",
        code(ws.enter_synchronization_barrier(b, 0x8)),
        bad,
    )
}

/// Starts `n` threads that each count themselves in, enter `b` with `flags` and count a
/// TRUE; `early` counts a thread that passed before all `total` had counted themselves in.
fn entrants<W: Winsock + SyncBarriers + Send + Sync + 'static>(
    ws: &W,
    b: SyncBarrier,
    flags: u32,
    n: usize,
    counts: &Arc<[AtomicU32; 3]>,
    total: u32,
) -> Result<Vec<Handle>, String> {
    let mut threads = Vec::new();
    for _ in 0..n {
        let counts = counts.clone();
        let t = ws.create_thread("entrant", move |ws: &W| {
            counts[0].fetch_add(1, Ordering::SeqCst);
            if ws.enter_synchronization_barrier(b, flags)? {
                counts[1].fetch_add(1, Ordering::SeqCst);
            }
            if counts[0].load(Ordering::SeqCst) < total {
                counts[2].fetch_add(1, Ordering::SeqCst);
            }
            Ok(())
        });
        threads.push(Handle::Thread(e("CreateThread", t)?));
    }
    Ok(threads)
}

fn phase<W: Winsock + SyncBarriers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let Some(b) = barrier(ws, c, 9)? else {
        return Ok(());
    };
    for round in 0..2 {
        let counts: Arc<[AtomicU32; 3]> = Arc::default();
        let threads = entrants(ws, b, 0, 8, &counts, 9)?;
        ws.sleep(50);
        c.eq(
            "none passes before the ninth",
            counts[1].load(Ordering::SeqCst),
            0,
        )?;
        counts[0].fetch_add(1, Ordering::SeqCst);
        let mine = e(
            "EnterSynchronizationBarrier",
            ws.enter_synchronization_barrier(b, 0),
        )?;
        counts[1].fetch_add(u32::from(mine), Ordering::SeqCst);
        c.eq(
            "the eight",
            ws.wait_for_multiple_objects(&threads, true, 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
        c.eq(
            &format!("TRUE returns, phase {round}"),
            counts[1].load(Ordering::SeqCst),
            1,
        )?;
        c.eq(
            "threads that passed early",
            counts[2].load(Ordering::SeqCst),
            0,
        )?;
    }
    e(
        "DeleteSynchronizationBarrier",
        ws.delete_synchronization_barrier(b),
    )
}

fn delete<W: Winsock + SyncBarriers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    for first in [0, SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE] {
        let Some(b) = barrier(ws, c, 8)? else {
            return Ok(());
        };
        let counts: Arc<[AtomicU32; 3]> = Arc::default();
        let mut threads = entrants(ws, b, first, 1, &counts, 8)?;
        ws.sleep(50);
        let deleter = ws.create_thread("deleter", move |ws: &W| {
            ws.delete_synchronization_barrier(b)
        });
        let deleter = Handle::Thread(e("CreateThread", deleter)?);
        let want = if first == 0 {
            Ok(WAIT_TIMEOUT)
        } else {
            Ok(WAIT_OBJECT_0)
        };
        c.eq(
            &format!("the delete after 100 ms, the first entered with {first:#x}"),
            ws.wait_for_single_object(deleter, 100),
            want,
        )?;
        let no_delete = SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE;
        threads.extend(entrants(ws, b, no_delete, 7, &counts, 8)?);
        threads.push(deleter);
        c.eq(
            "every thread ends",
            ws.wait_for_multiple_objects(&threads, true, 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
        c.eq("TRUE returns", counts[1].load(Ordering::SeqCst), 1)?;
        c.eq(
            "threads that passed early",
            counts[2].load(Ordering::SeqCst),
            0,
        )?;
    }
    Ok(())
}
