//! One-time initialization in the simulator, beyond the shared rules (`conformance_suite/
//! init_once.rs`): the asynchronous pattern's race (two initializers, one wins, the loser
//! takes the winner's context), an initialization that never completes and a function that
//! waits for its own initialization (each a deadlock whose report names it), and handles that
//! are not this process's.
mod common;

use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind};

/// What an initializer of the race saw: its number, its InitOnceComplete, the context read.
type Seen = (u8, Result<(), WsaError>, usize);

#[test]
fn an_asynchronous_race_has_one_winner_whose_context_the_loser_takes() {
    // Proves: two threads begin an INIT_ONCE_ASYNC initialization and both are pending; the
    // first to complete wins; the other's InitOnceComplete fails with ERROR_GEN_FAILURE, and
    // it then reads the winner's context with INIT_ONCE_CHECK_ONLY (the pattern Microsoft
    // documents for asynchronous initialization).
    run(|ws| {
        let once = ws.init_once_initialize()?;
        let got: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let mut threads = Vec::new();
        for (i, delay, ctx) in [(1u8, 10, 0x100usize), (2, 20, 0x200)] {
            let got = got.clone();
            threads.push(ws.create_thread("initializer", move |ws| {
                assert_eq!(
                    ws.init_once_begin_initialize(once, INIT_ONCE_ASYNC)?,
                    (true, 0)
                );
                ws.sleep(delay);
                let r = ws.init_once_complete(once, INIT_ONCE_ASYNC, ctx);
                let (_, seen) = ws.init_once_begin_initialize(once, INIT_ONCE_CHECK_ONLY)?;
                got.lock().unwrap().push((i, r, seen));
                Ok(())
            })?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        assert_eq!(
            *got.lock().unwrap(),
            vec![
                (1, Ok(()), 0x100),
                (2, Err(WsaError::ERROR_GEN_FAILURE), 0x100)
            ]
        );
        Ok(())
    });
}

/// Runs `body` as the only thread and returns the run's failure report as text.
fn deadlock_report(
    body: impl FnOnce(&winsock_sim::sim::SimWinsock) -> Result<(), WsaError> + Send + 'static,
) -> String {
    let mut sim = Sim::builder().seed(common::seed()).build();
    sim.host("host", "192.0.2.1").spawn("main", body);
    let err = sim.run().expect_err("the run cannot go on");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    err.to_string()
}

#[test]
fn an_initialization_that_never_completes_is_named_in_the_deadlock_report() {
    // Proves: a thread that begins a synchronous initialization and ends without completing
    // it leaves every later caller waiting for ever: the run ends as a deadlock whose report
    // says the waiter waits for a one-time initialization under way.
    let text = deadlock_report(|ws| {
        let once = ws.init_once_initialize()?;
        let t = ws.create_thread("forgetful", move |ws| {
            ws.init_once_begin_initialize(once, 0).map(drop)
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        ws.init_once_execute_once(once, |_| Some(0));
        Ok(())
    });
    assert!(text.contains("one-time initialization"), "{text}");
}

#[test]
fn a_function_that_waits_for_its_own_initialization_deadlocks() {
    // Proves: InitOnceExecuteOnce from inside its own function waits for the initialization
    // under way, its caller's: the deadlock report names it.
    let text = deadlock_report(|ws| {
        let once = ws.init_once_initialize()?;
        ws.init_once_execute_once(once, |ws| ws.init_once_execute_once(once, |_| Some(0)));
        Ok(())
    });
    assert!(text.contains("one-time initialization"), "{text}");
}

#[test]
fn another_processes_init_once_is_an_invalid_handle() {
    // Proves: an INIT_ONCE lives in its process: another host's value, and a value never
    // made, are ERROR_INVALID_HANDLE to InitOnceBeginInitialize and InitOnceComplete, and
    // InitOnceExecuteOnce on them is FALSE without running its function.
    let theirs = Arc::new(Mutex::new(None));
    let mut sim = Sim::builder().seed(common::seed()).build();
    let t = theirs.clone();
    sim.host("one", "192.0.2.1").spawn("maker", move |ws| {
        *t.lock().unwrap() = Some(ws.init_once_initialize()?);
        Ok(())
    });
    let t = theirs.clone();
    sim.host("two", "192.0.2.2").spawn("user", move |ws| {
        ws.sleep(10);
        let other = t.lock().unwrap().expect("made");
        for once in [other, InitOnce::from_raw(0xdead)] {
            let r = ws.init_once_begin_initialize(once, 0);
            assert_eq!(r, Err(WsaError::WSA_INVALID_HANDLE));
            let r = ws.init_once_complete(once, 0, 0);
            assert_eq!(r, Err(WsaError::WSA_INVALID_HANDLE));
            assert_eq!(ws.init_once_execute_once(once, |_| unreachable!()), None);
        }
        Ok(())
    });
    sim.run().expect("the run succeeds");
}
