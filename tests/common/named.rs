//! The case-sensitivity checks kernel32's sync.c runs for each kind of named object
//! (`test_event` 615–652, `test_semaphore` 694–731, `test_waitable_timer` 740–777): the
//! same thirteen `ok()`s each time, with the kind's calls.

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

/// A kind of named object: its Create* of a name and Open* (`None`: NULL).
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Event,
    Semaphore,
    Timer,
}

impl Kind {
    fn create(self, ws: &SimWinsock, name: &str) -> Result<Handle, WsaError> {
        match self {
            Kind::Event => ws
                .create_event_named(false, false, name)
                .map(|h| h.0.into()),
            Kind::Semaphore => ws.create_semaphore_named(0, 1, name).map(|h| h.0.into()),
            Kind::Timer => ws
                .create_waitable_timer_named(false, name)
                .map(|h| h.0.into()),
        }
    }

    fn open(self, ws: &SimWinsock, name: Option<&str>) -> Result<Handle, WsaError> {
        match self {
            Kind::Event => ws.open_event(name).map(Handle::from),
            Kind::Semaphore => ws.open_semaphore(name).map(Handle::from),
            Kind::Timer => ws.open_waitable_timer(name).map(Handle::from),
        }
    }
}

/// The thirteen checks on `name` (sync.c's `__FILE__ ": Test Event"` and the like, whose
/// capitals are another name). `lines` are the lines of sync.c's `ok()`s, in order, for the
/// messages: create (handle, error 0), again (handle, ERROR_ALREADY_EXISTS), capitals
/// (handle, error 0), open (handle), open capitals (none, ERROR_FILE_NOT_FOUND), open NULL
/// with the A call and with the W call (none, ERROR_INVALID_PARAMETER each; one call here).
pub fn case_sensitivity(
    ws: &SimWinsock,
    kind: Kind,
    name: &str,
    lines: [u32; 13],
) -> Result<(), WsaError> {
    let upper = name.to_uppercase();
    ws.wsa_set_last_error(DEADBEEF);
    let h = kind.create(ws, name);
    assert!(h.is_ok(), "{}: {kind:?} create failed: {h:?}", lines[0]);
    assert_eq!(ws.wsa_get_last_error(), 0, "{}: wrong error", lines[1]);
    let handle = h?;

    ws.wsa_set_last_error(DEADBEEF);
    let h2 = kind.create(ws, name);
    assert!(h2.is_ok(), "{}: {kind:?} create failed: {h2:?}", lines[2]);
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::ERROR_ALREADY_EXISTS.code(),
        "{}: wrong error",
        lines[3]
    );
    ws.close_handle(h2?)?;

    ws.wsa_set_last_error(DEADBEEF);
    let h2 = kind.create(ws, &upper);
    assert!(h2.is_ok(), "{}: {kind:?} create failed: {h2:?}", lines[4]);
    assert_eq!(ws.wsa_get_last_error(), 0, "{}: wrong error", lines[5]);
    ws.close_handle(h2?)?;

    ws.wsa_set_last_error(DEADBEEF);
    let h2 = kind.open(ws, Some(name));
    assert!(h2.is_ok(), "{}: {kind:?} open failed: {h2:?}", lines[6]);
    ws.close_handle(h2?)?;

    ws.wsa_set_last_error(DEADBEEF);
    let h2 = kind.open(ws, Some(&upper));
    assert!(h2.is_err(), "{}: {kind:?} open succeeded", lines[7]);
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::ERROR_FILE_NOT_FOUND.code(),
        "{}: wrong error",
        lines[8]
    );

    // The A and the W calls with NULL: one call here (a name is a &str either way).
    for (ok, error) in [(lines[9], lines[10]), (lines[11], lines[12])] {
        ws.wsa_set_last_error(DEADBEEF);
        let h2 = kind.open(ws, None);
        assert!(h2.is_err(), "{ok}: {kind:?} open succeeded");
        assert_eq!(
            ws.wsa_get_last_error(),
            WsaError::WSA_INVALID_PARAMETER.code(),
            "{error}: wrong error"
        );
    }
    ws.close_handle(handle)
}
