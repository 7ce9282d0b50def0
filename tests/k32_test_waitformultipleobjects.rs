//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_WaitForMultipleObjects` (commit
//! 79834c06, lines 1381–1455), facts only.
//!
//! Counted in `ok()` calls as Windows runs them: a loop's body once per turn (64 creations,
//! 63 waits per wait loop; MAXIMUM_WAIT_OBJECTS is 64):
//!
//! | part of test_WaitForMultipleObjects                               | ported | not expressible | failing |
//! |-------------------------------------------------------------------|-------:|----------------:|--------:|
//! | 64 events, #0 manual-reset, all set, 1389–1395                    |     64 |               0 |       0 |
//! | wait-any: lowest index first, #0 stays set, 1397–1402             |      3 |               0 |       0 |
//! | wait-any: each auto-reset event in index order, 1403–1408         |     63 |               0 |       0 |
//! | the same with `NtWaitForMultipleObjects`, 1410–1425               |      1 |              65 |       0 |
//! | `GetCurrentProcess()` refused (todo_wine), 1432–1437              |      0 |               2 |       0 |
//! | `GetCurrentThread()` pseudo handle refused (todo_wine), 1439–1444 |      0 |               2 |       0 |
//! | `NtWaitForMultipleObjects` on both pseudo handles, 1446–1454      |      0 |               2 |       0 |
//! | **total**                                                         |    131 |              71 |       0 |
//!
//! Not expressible, per kind: `NtWaitForMultipleObjects` (2 + 63 waits at 1416–1424, 2 at
//! 1449 and 1454): NtXxx calls are not in the API (the `ResetEvent` between the Nt waits,
//! 1419, is ported); `GetCurrentProcess()` (2): the API has no process handle; the
//! `GetCurrentThread()` pseudo handle (2): the API's `get_current_thread` gives a real handle
//! of the calling thread, which a WaitForMultipleObjects accepts (and would wait on), so
//! Windows' refusal of the pseudo value cannot be asked for.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// 1391–1395: MAXIMUM_WAIT_OBJECTS events, all set, the first manual-reset and the others
/// auto-reset; each creation succeeds.
fn max_events(ws: &SimWinsock) -> Result<Vec<Handle>, WsaError> {
    let mut events = Vec::with_capacity(MAXIMUM_WAIT_OBJECTS);
    for i in 0..MAXIMUM_WAIT_OBJECTS {
        let e = ws.create_event(i == 0, true);
        assert!(e.is_ok(), "event {i}: {e:?}");
        events.push(Handle::Event(e?));
    }
    Ok(events)
}

#[test]
fn wait_any_takes_lowest_index_first() {
    common::run(|ws| {
        let events = max_events(ws)?;
        // 1398–1401: a wait-any over all 64 returns the lowest index; #0 is manual-reset, so
        // it is still set and wins again.
        assert_eq!(
            ws.wait_for_multiple_objects(&events, false, 0),
            Ok(WAIT_OBJECT_0)
        );
        assert_eq!(
            ws.wait_for_multiple_objects(&events, false, 0),
            Ok(WAIT_OBJECT_0)
        );
        // 1402: ResetEvent(#0) succeeds.
        let Handle::Event(first) = events[0] else {
            unreachable!()
        };
        assert_eq!(ws.reset_event(first), Ok(()));
        // 1403–1408: each wait now takes the next auto-reset event: the lowest signalled index
        // is checked first and the events after it are left set.
        for i in 1..MAXIMUM_WAIT_OBJECTS {
            assert_eq!(
                ws.wait_for_multiple_objects(&events, false, 0),
                Ok(WAIT_OBJECT_0 + i as u32),
                "turn {i}"
            );
        }
        // Not a sync.c check: every event has been taken now.
        assert_eq!(
            ws.wait_for_multiple_objects(&events, false, 0),
            Ok(WAIT_TIMEOUT)
        );

        // 1411–1412: set them all again (the Nt waits that follow are not expressible);
        // 1419: ResetEvent(#0) succeeds.
        for h in &events {
            if let Handle::Event(e) = *h {
                ws.set_event(e)?;
            }
        }
        assert_eq!(ws.reset_event(first), Ok(()));

        // 1427–1428: close them.
        for h in events {
            ws.close_handle(h)?;
        }
        Ok(())
    });
}
