//! Port of Wine's `dlls/kernel32/tests/thread.c` `test_QueueUserWorkItem` and
//! `test_RegisterWaitForSingleObject` with their callbacks (Kron4ek/wine-tkg 4b12965c, lines
//! 1329–1566), facts only.
//!
//! Counted in `ok()` calls as written (a callback's and a loop's once). Where Windows and
//! Wine differ the port asserts Windows: a callback running in the wait thread unregisters
//! its own wait and succeeds (todo_wine).
//!
//! | part                                                                   | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | test_QueueUserWorkItem: 100 work items, 1329–1367                      |      3 |               0 |       0 |
//! | the callbacks, 1369–1425                                               |      6 |               1 |       0 |
//! | signalled, cancelled, unregistered while running, timed out, 1443–1503 |     11 |               0 |       0 |
//! | WT_EXECUTEINWAITTHREAD, 1505–1531                                      |      3 |               0 |       0 |
//! | several waits on the one wait thread, 1533–1560                        |      4 |               0 |       0 |
//! | **total**                                                              |     27 |               1 |       0 |
//!
//! Not expressible (1): `unregister_function`'s `wait_handle != INVALID_HANDLE_VALUE`, which
//! checks that RegisterWaitForSingleObject wrote `*phNewWaitObject` before the callback could
//! run: the API returns the handle, so a callback can only read it once the call has
//! returned (the port's callback waits for it, then unregisters as the C does). A BOOL that
//! is FALSE with GetLastError is the API's `Err` with the code; `ok()` in a callback is an
//! assertion on a pool thread, which fails the run. The rules RW-* check the same behaviour
//! on the real kernel32 (tests/conformance_suite/registered_waits.rs).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

type Cb = WaitOrTimerCallback<SimWinsock>;

#[test]
fn test_queue_user_work_item() {
    common::run(|ws| {
        let finish = ws.create_event(true, false)?;
        let executed = Arc::new(AtomicU32::new(0));
        for _ in 0..100 {
            let n = executed.clone();
            // 1355–1356
            ws.queue_user_work_item(
                Box::new(move |ws: &SimWinsock| {
                    if n.fetch_add(1, Ordering::SeqCst) + 1 == 100 {
                        let _ = ws.set_event(finish);
                    }
                    0
                }),
                WT_EXECUTEDEFAULT,
            )?;
        }
        // 1359–1366
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(finish), 10_000),
            Ok(WAIT_OBJECT_0)
        );
        assert_eq!(executed.load(Ordering::SeqCst), 100);
        Ok(())
    });
}

/// signaled_function, 1369–1374.
fn signaled(event: WsaEvent) -> Cb {
    Arc::new(move |ws, timer_or_wait_fired| {
        let _ = ws.set_event(event);
        assert!(!timer_or_wait_fired, "1373: wait shouldn't have timed out");
    })
}

/// wait_complete_function, 1376–1383.
fn wait_complete(event: WsaEvent) -> Cb {
    Arc::new(move |ws, timer_or_wait_fired| {
        assert!(!timer_or_wait_fired, "1380");
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(event), INFINITE),
            Ok(WAIT_OBJECT_0),
            "1382"
        );
    })
}

/// timeout_function, 1385–1390.
fn timeout(event: WsaEvent) -> Cb {
    Arc::new(move |ws, timer_or_wait_fired| {
        let _ = ws.set_event(event);
        assert!(timer_or_wait_fired, "1389: wait should have timed out");
    })
}

/// waitthread_test_function, 1399–1408.
fn waitthread_test(trigger: WsaEvent, wait: WsaEvent, complete: WsaEvent) -> Cb {
    Arc::new(move |ws, _| {
        let _ = ws.set_event(trigger);
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(wait), 100),
            Ok(WSA_WAIT_TIMEOUT),
            "1406: wait should have timed out"
        );
        let _ = ws.set_event(complete);
    })
}

/// unregister_function, 1416–1425: unregisters its own wait (once the registering thread has
/// the handle) and sets the completion event.
fn unregister(own: &Arc<Mutex<Option<RegisteredWait>>>, complete: WsaEvent) -> Cb {
    let own = own.clone();
    Arc::new(move |ws, _| {
        let wh = loop {
            if let Some(wh) = *own.lock().unwrap() {
                break wh;
            }
            ws.sleep(1);
        };
        // 1423 (todo_wine): TRUE on Windows.
        assert_eq!(ws.unregister_wait(wh), Ok(()));
        let _ = ws.set_event(complete);
    })
}

#[test]
fn test_register_wait_for_single_object() {
    common::run(|ws| {
        // 1443–1457: the signalled case.
        let handle = ws.create_event(true, true)?;
        let complete = ws.create_event(false, false)?;
        let wh = ws.register_wait_for_single_object(
            Handle::Event(handle),
            signaled(complete),
            INFINITE,
            WT_EXECUTEONLYONCE,
        )?;
        ws.wait_for_single_object(Handle::Event(complete), INFINITE)?;
        ws.sleep(100);
        assert_eq!(ws.unregister_wait(wh), Ok(()));

        // 1459–1467: the cancel case.
        ws.reset_event(handle)?;
        let wh = ws.register_wait_for_single_object(
            Handle::Event(handle),
            signaled(complete),
            INFINITE,
            WT_EXECUTEONLYONCE,
        )?;
        assert_eq!(ws.unregister_wait(wh), Ok(()));

        // 1469–1484: unregistered while running.
        ws.set_event(handle)?;
        let wh = ws.register_wait_for_single_object(
            Handle::Event(handle),
            wait_complete(complete),
            INFINITE,
            WT_EXECUTEONLYONCE,
        )?;
        ws.sleep(50);
        assert_eq!(ws.unregister_wait(wh), Err(WsaError::WSA_IO_PENDING));
        assert_eq!(ws.wsa_get_last_error(), 997);
        ws.set_event(complete)?;
        ws.sleep(50);

        // 1486–1503: the timeout case, and a NULL wait handle.
        ws.reset_event(handle)?;
        let wh = ws.register_wait_for_single_object(
            Handle::Event(handle),
            timeout(complete),
            0,
            WT_EXECUTEONLYONCE,
        )?;
        ws.wait_for_single_object(Handle::Event(complete), INFINITE)?;
        ws.sleep(100);
        assert_eq!(ws.unregister_wait(wh), Ok(()));
        ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
        assert_eq!(
            ws.unregister_wait(RegisteredWait::from_raw(0)),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(ws.wsa_get_last_error(), 6);

        // 1505–1516: WT_EXECUTEINWAITTHREAD.
        ws.set_event(handle)?;
        let wh = ws.register_wait_for_single_object(
            Handle::Event(handle),
            signaled(complete),
            INFINITE,
            WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
        )?;
        ws.wait_for_single_object(Handle::Event(complete), INFINITE)?;
        ws.sleep(100);
        assert_eq!(ws.unregister_wait(wh), Ok(()));

        // 1518–1531: a callback in the wait thread unregisters its own wait, 100 times.
        for _ in 0..100 {
            ws.set_event(handle)?;
            let own: Arc<Mutex<Option<RegisteredWait>>> = Arc::default();
            let wh = ws.register_wait_for_single_object(
                Handle::Event(handle),
                unregister(&own, complete),
                INFINITE,
                WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
            )?;
            *own.lock().unwrap() = Some(wh);
            ws.wait_for_single_object(Handle::Event(complete), INFINITE)?;
        }

        // 1533–1560: two waits on the one wait thread run their callbacks one at a time.
        ws.set_event(handle)?;
        let trigger = ws.create_event(false, false)?;
        let wait = ws.create_event(false, false)?;
        let wh2 = ws.register_wait_for_single_object(
            Handle::Event(trigger),
            signaled(wait),
            INFINITE,
            WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
        )?;
        let wh = ws.register_wait_for_single_object(
            Handle::Event(handle),
            waitthread_test(trigger, wait, complete),
            INFINITE,
            WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
        )?;
        ws.wait_for_single_object(Handle::Event(complete), INFINITE)?;
        ws.sleep(100);
        assert_eq!(ws.unregister_wait(wh), Ok(()));
        assert_eq!(ws.unregister_wait(wh2), Ok(()));
        for h in [wait, trigger, complete, handle] {
            ws.close_handle(Handle::Event(h))?;
        }
        Ok(())
    });
}
