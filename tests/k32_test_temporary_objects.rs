//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_temporary_objects` (wine-tkg commit
//! 4b12965c, lines 192–235), facts only: a named mutex, semaphore, event and waitable timer
//! whose one handle is closed are gone, name and all (OpenMutex/OpenSemaphore/OpenEvent/
//! OpenWaitableTimer of the name: ERROR_FILE_NOT_FOUND).
//!
//! | part of test_temporary_objects                                   | ported | not expressible | failing |
//! |------------------------------------------------------------------|-------:|----------------:|--------:|
//! | a mutex: created, closed, not found, 196–204                     |      3 |               0 |       0 |
//! | a semaphore, 206–214                                             |      3 |               0 |       0 |
//! | an event, 216–224                                                |      3 |               0 |       0 |
//! | a waitable timer, 226–234                                        |      3 |               0 |       0 |
//! | **total**                                                        | **12** |           **0** |   **0** |
//!
//! The Open* calls ask for READ_CONTROL in sync.c; here they ask for every right, which
//! changes nothing for a name nothing has. The neighbour, a name kept by a second handle and
//! gone with the last one even while a wait holds the object, is in `tests/named_objects.rs`.
mod common;

use winsock_sim::prelude::*;

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

#[test]
fn test_temporary_objects() {
    common::run(|ws| {
        // One kind after the other: create, close, open (the ok() lines: create, open, its
        // error).
        let kinds: [(&str, [u32; 3]); 4] = [
            ("WineTestMutex2", [198, 203, 204]),
            ("WineTestSemaphore2", [208, 213, 214]),
            ("WineTestEvent2", [218, 223, 224]),
            ("WineTestWaitableTimer2", [228, 233, 234]),
        ];
        for (i, (name, lines)) in kinds.into_iter().enumerate() {
            ws.wsa_set_last_error(DEADBEEF);
            let made: Result<Handle, WsaError> = match i {
                0 => ws.create_mutex_named(false, name).map(|h| h.0.into()),
                1 => ws.create_semaphore_named(0, 1, name).map(|h| h.0.into()),
                2 => ws
                    .create_event_named(false, false, name)
                    .map(|h| h.0.into()),
                _ => ws
                    .create_waitable_timer_named(false, name)
                    .map(|h| h.0.into()),
            };
            assert!(made.is_ok(), "{}: create {name} failed: {made:?}", lines[0]);
            ws.close_handle(made?)?;
            ws.wsa_set_last_error(DEADBEEF);
            let opened: Result<Handle, WsaError> = match i {
                0 => ws.open_mutex(Some(name)).map(Handle::from),
                1 => ws.open_semaphore(Some(name)).map(Handle::from),
                2 => ws.open_event(Some(name)).map(Handle::from),
                _ => ws.open_waitable_timer(Some(name)).map(Handle::from),
            };
            assert!(opened.is_err(), "{}: open {name} succeeded", lines[1]);
            assert_eq!(
                ws.wsa_get_last_error(),
                WsaError::ERROR_FILE_NOT_FOUND.code(),
                "{}: wrong error",
                lines[2]
            );
        }
        Ok(())
    });
}
