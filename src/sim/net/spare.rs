//! Segment boxes and payload buffers kept from one run to the next on the same OS thread.
//!
//! A property test builds, runs and drops a simulation per case. Within a run, segment boxes
//! and payload buffers are recycled ([`Network::seg_pool`](super::Network),
//! [`Network::payload_pool`](super::Network)); without this, each run would allocate its own
//! again (a box per segment in flight at once, a buffer grown byte by byte) and free them at
//! its end. A finished run's network leaves them here and the next one on the OS thread takes
//! them, as the coroutine stacks are kept (`runtime::run_loop`).
//!
//! What is kept is empty: a box's old segment is overwritten field by field before it
//! travels again, a buffer is cleared. Capacities never decide what a run does, so a run
//! behaves the same whether it starts with spares or not.

use std::cell::RefCell;

use super::segment::InFlight;

/// At most this many boxes and this many buffers wait between runs (a short run uses about a
/// dozen of each; the pools within a run keep up to 2,048).
const KEEP: usize = 64;

#[derive(Default)]
struct Spares {
    boxes: Vec<InFlight>,
    payloads: Vec<Vec<u8>>,
}

thread_local! {
    static SPARES: RefCell<Spares> = RefCell::new(Spares::default());
}

/// The boxes and buffers a run on this OS thread left, for a new network.
pub(super) fn take() -> (Vec<InFlight>, Vec<Vec<u8>>) {
    SPARES
        .try_with(|s| {
            let mut s = s.borrow_mut();
            (
                std::mem::take(&mut s.boxes),
                std::mem::take(&mut s.payloads),
            )
        })
        .unwrap_or_default()
}

/// Keeps up to [`KEEP`] of a finished network's boxes and buffers for the next run.
pub(super) fn give_back(boxes: &mut Vec<InFlight>, payloads: &mut Vec<Vec<u8>>) {
    // `try_with`: a network dropped while the OS thread exits frees them instead.
    let _ = SPARES.try_with(|s| {
        let Ok(mut s) = s.try_borrow_mut() else {
            return;
        };
        let room = KEEP.saturating_sub(s.boxes.len());
        s.boxes.extend(boxes.drain(..).take(room));
        let room = KEEP.saturating_sub(s.payloads.len());
        s.payloads
            .extend(payloads.drain(..).take(room).map(|mut p| {
                p.clear();
                p
            }));
    });
}
