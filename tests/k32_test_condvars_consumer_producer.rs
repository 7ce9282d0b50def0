//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_condvars_consumer_producer` (commit
//! 79834c06, lines 1766–1830, with its threads `condvar_producer` 1710–1736 and
//! `condvar_consumer` 1738–1764 and globals 1701–1708), facts only.
//!
//! Three producers and three consumers share a buffer of at most 5 items (BUFFER_SIZE) under
//! one critical section, with two condition variables ("not full", "not empty") and short
//! timed sleeps; after 500 ms the main thread sets the stop flag and wakes both variables.
//! Counted in `ok()` calls as Windows runs them (the threads have none):
//!
//! | part                                                    | ported | not expressible | failing |
//! |---------------------------------------------------------|-------:|----------------:|--------:|
//! | everything produced was consumed, 1819                  |      1 |               0 |       0 |
//! | no SleepConditionVariableCS failed but by timeout, 1821 |      1 |               0 |       0 |
//! | **total**                                               |  **2** |           **0** |   **0** |
//!
//! The traces (1825, 1829: counts per consumer, sleep counts) are not checks. The port adds
//! checks of its own that follow from the code, so that the run cannot pass by doing nothing:
//! something was produced, and the consumers' own counts add up to the total consumed.
//! Run under 8 seeds; every wait is in virtual time.
mod common;

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering::SeqCst};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// sync.c `BUFFER_SIZE`.
const BUFFER_SIZE: i32 = 5;

/// The globals of 1701–1706: the variables, the critical section, the flags and counters.
struct Buffer {
    not_empty: ConditionVariable,
    not_full: ConditionVariable,
    crit: CriticalSection,
    stop: AtomicBool,
    sleep_error: AtomicBool,
    len: AtomicI32,
    produced: AtomicI32,
    consumed: AtomicI32,
    producer_sleeps: AtomicU32,
    consumer_sleeps: AtomicU32,
}

impl Buffer {
    /// 1721–1724 / 1746–1749: a sleep that returns FALSE with any error but ERROR_TIMEOUT is
    /// a failure.
    fn sleep_on(&self, ws: &SimWinsock, cv: ConditionVariable, ms: u32) {
        if ws.sleep_condition_variable_cs(cv, self.crit, ms).is_err()
            && ws.wsa_get_last_error() != WsaError::ERROR_TIMEOUT.code()
        {
            self.sleep_error.store(true, SeqCst);
        }
    }
}

/// sync.c `condvar_producer` (1710–1736).
fn producer(ws: &SimWinsock, b: &Buffer) -> Result<(), WsaError> {
    let mut interval = 5;
    loop {
        ws.sleep(interval);
        if interval > 1 {
            interval -= 1;
        }
        ws.enter_critical_section(b.crit)?;
        while b.len.load(SeqCst) == BUFFER_SIZE && !b.stop.load(SeqCst) {
            b.producer_sleeps.fetch_add(1, SeqCst);
            b.sleep_on(ws, b.not_full, interval);
        }
        if b.stop.load(SeqCst) {
            ws.leave_critical_section(b.crit)?;
            break;
        }
        let len = b.len.fetch_add(1, SeqCst) + 1;
        assert!(len <= BUFFER_SIZE, "buffer over-filled: {len}");
        b.produced.fetch_add(1, SeqCst);
        ws.leave_critical_section(b.crit)?;
        ws.wake_condition_variable(b.not_empty)?;
    }
    Ok(())
}

/// sync.c `condvar_consumer` (1738–1764); `count` is its `*cnt`.
fn consumer(ws: &SimWinsock, b: &Buffer, count: &AtomicI32) -> Result<(), WsaError> {
    let mut interval = 1;
    loop {
        ws.enter_critical_section(b.crit)?;
        while b.len.load(SeqCst) == 0 && !b.stop.load(SeqCst) {
            b.consumer_sleeps.fetch_add(1, SeqCst);
            b.sleep_on(ws, b.not_empty, interval);
        }
        if b.stop.load(SeqCst) && b.len.load(SeqCst) == 0 {
            ws.leave_critical_section(b.crit)?;
            break;
        }
        let len = b.len.fetch_sub(1, SeqCst) - 1;
        assert!(len >= 0, "took from an empty buffer");
        b.consumed.fetch_add(1, SeqCst);
        count.fetch_add(1, SeqCst);
        ws.leave_critical_section(b.crit)?;
        ws.wake_condition_variable(b.not_full)?;
        ws.sleep(interval);
        if interval < 5 {
            interval += 1;
        }
    }
    Ok(())
}

/// sync.c `test_condvars_consumer_producer` (1766–1830).
fn consumer_producer(ws: &SimWinsock) -> Result<(), WsaError> {
    // 1779–1784: both variables initialised (sync.c relies on CONDITION_VARIABLE_INIT for
    // one of them), one critical section.
    let b = Arc::new(Buffer {
        not_empty: ws.initialize_condition_variable()?,
        not_full: ws.initialize_condition_variable()?,
        crit: ws.initialize_critical_section()?,
        stop: AtomicBool::new(false),
        sleep_error: AtomicBool::new(false),
        len: AtomicI32::new(0),
        produced: AtomicI32::new(0),
        consumed: AtomicI32::new(0),
        producer_sleeps: AtomicU32::new(0),
        consumer_sleeps: AtomicU32::new(0),
    });

    // 1791–1796: three producers, three consumers with their own counters.
    let mut threads = Vec::new();
    for i in 0..3 {
        let b = b.clone();
        threads.push(
            ws.create_thread(&format!("producer{i}"), move |ws: &SimWinsock| {
                producer(ws, &b)
            })?,
        );
    }
    let counts: Vec<Arc<AtomicI32>> = (0..3).map(|_| Arc::new(AtomicI32::new(0))).collect();
    for (i, count) in counts.iter().enumerate() {
        let (b, count) = (b.clone(), count.clone());
        threads.push(
            ws.create_thread(&format!("consumer{i}"), move |ws: &SimWinsock| {
                consumer(ws, &b, &count)
            })?,
        );
    }

    // 1799–1806: run 500 ms, stop, wake everybody.
    ws.sleep(500);
    b.stop.store(true, SeqCst);
    ws.wake_all_condition_variable(b.not_full)?;
    ws.wake_all_condition_variable(b.not_empty)?;

    // 1812–1817: sync.c gives each thread 1 s; the port waits for all of them (a thread that
    // never ends would be a deadlock report).
    for t in threads {
        ws.wait_for_thread(t, INFINITE)?;
    }

    let (produced, consumed) = (b.produced.load(SeqCst), b.consumed.load(SeqCst));
    // 1819: everything produced was consumed.
    assert_eq!(consumed, produced, "1819: consumed != produced");
    // 1821: no sleep failed with anything but ERROR_TIMEOUT.
    assert!(
        !b.sleep_error.load(SeqCst),
        "1821: SleepConditionVariableCS error"
    );

    // The port's own checks (see the header).
    assert!(produced > 0, "nothing was produced in 500 ms");
    let per_consumer: i32 = counts.iter().map(|c| c.load(SeqCst)).sum();
    assert_eq!(per_consumer, consumed, "the consumers' counts add up");
    assert_eq!(b.len.load(SeqCst), 0, "the buffer was drained");
    ws.delete_critical_section(b.crit)
}

#[test]
fn condvars_consumer_producer_under_eight_seeds() {
    let hashes: std::collections::HashSet<u64> = (0..8)
        .map(|seed| common::run_with(Sim::builder().seed(seed), consumer_producer).trace_hash)
        .collect();
    assert!(
        hashes.len() > 1,
        "the seeds interleave the threads differently"
    );
}
