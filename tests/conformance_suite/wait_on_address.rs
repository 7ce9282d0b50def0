//! `WaitOnAddress` rules, written once for the simulator and the real kernelbase (Wine's
//! kernelbase sync.c `test_WaitOnAddress` and ntdll sync.c `test_wait_on_address`, which pass
//! on Windows).

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn wait_on_address_rules<W: Winsock + WaitOnAddress + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "WOA-compare",
            title: "WaitOnAddress returns at once when the value differs (the last error kept), else ERROR_TIMEOUT once its timeout passes (at once for 0, after 100 ms for 100), the value untouched; WakeByAddressSingle/All with no sleeper do nothing and keep the last error",
            body: compare::<W>,
        },
        Rule {
            id: "WOA-wake-all",
            title: "WakeByAddressAll wakes every thread asleep on the address: eight sleepers each take one count and end",
            body: wake_all::<W>,
        },
        Rule {
            id: "WOA-wake-single",
            title: "WakeByAddressSingle wakes one sleeper at a time: eight wakes, eight threads ending one by one",
            body: wake_single::<W>,
        },
    ]
}

/// A value no call of the rules sets as the last error.
const MARK: i32 = 1234;

fn compare<W: Winsock + WaitOnAddress>(ws: &W, c: &mut Check) -> Result<(), String> {
    let address = AtomicI32::new(0);
    ws.wsa_set_last_error(MARK);
    ws.wake_by_address_single(&address);
    c.eq(
        "last error after a wake of none",
        ws.wsa_get_last_error(),
        MARK,
    )?;
    ws.wake_by_address_all(&address);
    c.eq(
        "last error after a wake of all",
        ws.wsa_get_last_error(),
        MARK,
    )?;
    c.eq(
        "the value after the wakes",
        address.load(Ordering::SeqCst),
        0,
    )?;

    c.eq(
        "WaitOnAddress, the value differs",
        ws.wait_on_address(&address, 1, 0),
        Ok(()),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
    c.eq(
        "WaitOnAddress, the value equal, timeout 0",
        ws.wait_on_address(&address, 0, 0),
        Err(WsaError::ERROR_TIMEOUT),
    )?;
    c.eq(
        "its last error",
        ws.wsa_get_last_error(),
        WsaError::ERROR_TIMEOUT.code(),
    )?;
    let start = ws.get_tick_count();
    c.eq(
        "WaitOnAddress, the value equal, timeout 100 ms",
        ws.wait_on_address(&address, 0, 100),
        Err(WsaError::ERROR_TIMEOUT),
    )?;
    let elapsed = ws.get_tick_count().wrapping_sub(start);
    // (80: GetTickCount's 15.6-ms steps on Windows can show a 100-ms wait as 94 ms.)
    c.eq(
        "it waited out its timeout: Ok(()), or the ms it took",
        (80..=900).contains(&elapsed).then_some(()).ok_or(elapsed),
        Ok(()),
    )?;
    c.eq("the value after it", address.load(Ordering::SeqCst), 0)?;
    // One byte and eight: the sizes Windows takes besides four.
    let byte = std::sync::atomic::AtomicU8::new(7);
    c.eq(
        "a byte that differs",
        ws.wait_on_address(&byte, 8, 0),
        Ok(()),
    )?;
    let word = std::sync::atomic::AtomicU64::new(u64::MAX);
    c.eq(
        "eight bytes that are equal",
        ws.wait_on_address(&word, u64::MAX, 0),
        Err(WsaError::ERROR_TIMEOUT),
    )
}

/// Eight threads that each wait until the address holds a count and take one (as
/// test_WaitOnAddress_func does); `bad` counts a wait that failed or cleared the last error.
fn sleepers<W: Winsock + WaitOnAddress + Send + Sync + 'static>(
    ws: &W,
    address: &Arc<AtomicI32>,
    bad: &Arc<AtomicU32>,
) -> Result<Vec<Handle>, String> {
    let mut threads = Vec::new();
    for i in 0..8 {
        let (address, bad) = (address.clone(), bad.clone());
        let t = ws.create_thread(&format!("sleeper-{i}"), move |ws: &W| loop {
            let mut seen = address.load(Ordering::SeqCst);
            while seen == 0 {
                ws.wsa_set_last_error(MARK);
                let r = ws.wait_on_address(&*address, 0, INFINITE);
                if r.is_err() || ws.wsa_get_last_error() != MARK {
                    bad.fetch_add(1, Ordering::SeqCst);
                }
                seen = address.load(Ordering::SeqCst);
            }
            let taken =
                address.compare_exchange(seen, seen - 1, Ordering::SeqCst, Ordering::SeqCst);
            if taken.is_ok() {
                return Ok(());
            }
        });
        threads.push(Handle::Thread(e("CreateThread", t)?));
    }
    // Every sleeper asleep before the count is set.
    ws.sleep(100);
    Ok(threads)
}

fn wake_all<W: Winsock + WaitOnAddress + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let address = Arc::new(AtomicI32::new(0));
    let bad = Arc::new(AtomicU32::new(0));
    let threads = sleepers(ws, &address, &bad)?;
    address.store(8, Ordering::SeqCst);
    ws.wake_by_address_all(&*address);
    c.eq(
        "every sleeper ends",
        ws.wait_for_multiple_objects(&threads, true, 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq("the count", address.load(Ordering::SeqCst), 0)?;
    c.eq(
        "waits that failed or cleared the last error",
        bad.load(Ordering::SeqCst),
        0,
    )
}

fn wake_single<W: Winsock + WaitOnAddress + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let address = Arc::new(AtomicI32::new(0));
    let bad = Arc::new(AtomicU32::new(0));
    let mut threads = sleepers(ws, &address, &bad)?;
    address.store(8, Ordering::SeqCst);
    while !threads.is_empty() {
        ws.wake_by_address_single(&*address);
        let r = ws.wait_for_multiple_objects(&threads, false, 2_000);
        let i = match r {
            Ok(i) if (i as usize) < threads.len() => i as usize,
            other => {
                return Err(format!(
                    "a wake of one with {} asleep: {other:?}",
                    threads.len()
                ))
            }
        };
        threads.remove(i);
    }
    c.eq("the count", address.load(Ordering::SeqCst), 0)?;
    c.eq(
        "waits that failed or cleared the last error",
        bad.load(Ordering::SeqCst),
        0,
    )
}
