//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_crit_section` (commit 79834c06, lines
//! 2813–2902, with its exception handler `call_exception_handler` 2799–2811), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (no loops; the `if (!ret)` retry at 2863–2867
//! does not run on Windows 8 and later, where the FORCE_DEBUG_INFO initialisation succeeds):
//!
//! | part of test_crit_section                                   | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | InitializeCriticalSection, debug info, 2823–2828            |      0 |               2 |       0 |
//! | InitializeCriticalSectionEx(0, 0), 2836–2842                |      1 |               2 |       0 |
//! | InitializeCriticalSectionEx(NO_DEBUG_INFO), 2844–2849       |      1 |               2 |       0 |
//! | InitializeCriticalSectionEx(0, 0) again, 2851–2857          |      1 |               2 |       0 |
//! | FORCE_DEBUG_INFO, TryEnter with and without debug info, 2859–2881 | 2 |            3 |       0 |
//! | a bad LockSemaphore makes EnterCriticalSection raise, 2883–2901 | 1 |              4 |       0 |
//! | **total**                                                   |  **6** |          **15** |   **0** |
//!
//! Not expressible, per kind:
//! - the `CRITICAL_SECTION.DebugInfo` field (−1 without debug info since Windows 8, a real
//!   pointer with RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO, NULL after delete; 10 checks)
//!   and a TryEnter after the program wrote NULL into it (1): a [`CriticalSection`] is an
//!   opaque value, its structure is not the program's;
//! - a `LockSemaphore` overwritten with a bogus handle, so that the contended path raises
//!   STATUS_INVALID_HANDLE as a non-continuable exception with no parameters, caught by a
//!   vectored handler, with `LockCount` changed (4): no raw fields, no SEH.
//!
//! `InitializeCriticalSectionEx` was added to [`SyncObjects`] for this port (a small call
//! servers use, e.g. with CRITICAL_SECTION_NO_DEBUG_INFO): the spin count and the debug-info
//! flags change nothing observable here, and each flag used by sync.c succeeds.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// The section works as one: entered (twice, recursively), left, and deleted.
fn usable(ws: &SimWinsock, cs: CriticalSection, what: &str) -> Result<(), WsaError> {
    ws.enter_critical_section(cs)?;
    assert!(ws.try_enter_critical_section(cs)?, "{what}: re-entered");
    ws.leave_critical_section(cs)?;
    ws.leave_critical_section(cs)?;
    assert_eq!(
        ws.leave_critical_section(cs),
        Err(WsaError::ERROR_NOT_OWNER),
        "{what}: left as often as entered"
    );
    Ok(())
}

#[test]
fn crit_section() {
    common::run(|ws| {
        // 2823–2828: InitializeCriticalSection / DeleteCriticalSection (only DebugInfo is
        // checked there: not expressible).
        let cs = ws.initialize_critical_section()?;
        ws.delete_critical_section(cs)?;

        // 2836–2842: InitializeCriticalSectionEx(&cs, 0, 0) succeeds (2838).
        let r = ws.initialize_critical_section_ex(0, 0);
        assert!(r.is_ok(), "2838: InitializeCriticalSectionEx(0, 0): {r:?}");
        let cs = r?;
        usable(ws, cs, "2838")?;
        ws.delete_critical_section(cs)?;

        // 2844–2849: with CRITICAL_SECTION_NO_DEBUG_INFO it succeeds too (2846).
        let r = ws.initialize_critical_section_ex(0, CRITICAL_SECTION_NO_DEBUG_INFO);
        assert!(
            r.is_ok(),
            "2846: InitializeCriticalSectionEx(NO_DEBUG_INFO): {r:?}"
        );
        let cs = r?;
        usable(ws, cs, "2846")?;
        ws.delete_critical_section(cs)?;

        // 2851–2857: (0, 0) once more (2853).
        let r = ws.initialize_critical_section_ex(0, 0);
        assert!(r.is_ok(), "2853: InitializeCriticalSectionEx(0, 0): {r:?}");
        ws.delete_critical_section(r?)?;

        // 2859–2881: RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO succeeds since Windows 8
        // (2861; the ERROR_INVALID_PARAMETER alternative is `broken`, older Windows), and the
        // section can be entered with TryEnterCriticalSection (2870–2872).
        let r = ws.initialize_critical_section_ex(0, RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO);
        assert!(
            r.is_ok(),
            "2861: InitializeCriticalSectionEx(FORCE_DEBUG_INFO): {r:?}"
        );
        let cs = r?;
        assert_eq!(
            ws.try_enter_critical_section(cs),
            Ok(true),
            "2871: TryEnterCriticalSection"
        );
        ws.leave_critical_section(cs)?;
        // 2874–2878 write NULL into DebugInfo first: not expressible; the section is entered
        // the same way again.
        ws.delete_critical_section(cs)?;

        // 2883–2884: InitializeCriticalSectionEx(&cs, 0, 0) succeeds; the rest corrupts the
        // structure (not expressible). The section is used and deleted as 2899–2901 do with
        // its LockSemaphore put back.
        let r = ws.initialize_critical_section_ex(0, 0);
        assert!(r.is_ok(), "2884: InitializeCriticalSectionEx(0, 0): {r:?}");
        let cs = r?;
        usable(ws, cs, "2884")?;
        ws.delete_critical_section(cs)?;
        Ok(())
    });
}

// A spin count is accepted as on Windows (`InitializeCriticalSectionEx(&cs, 4000, 0)`, the
// form servers use; not in sync.c) and changes nothing: another thread still waits for the
// owner.
#[test]
fn spin_count_changes_nothing_observable() {
    common::run(|ws| {
        let cs = ws.initialize_critical_section_ex(4000, 0)?;
        ws.enter_critical_section(cs)?;
        let t = ws.create_thread("other", move |ws: &SimWinsock| {
            assert!(!ws.try_enter_critical_section(cs)?, "owned by main");
            ws.enter_critical_section(cs)?;
            ws.leave_critical_section(cs)
        })?;
        ws.sleep(10);
        ws.leave_critical_section(cs)?;
        ws.wait_for_thread(t, INFINITE)?;
        ws.delete_critical_section(cs)
    });
}
