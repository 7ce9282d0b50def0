//! The deterministic backend: simulated hosts, threads, TCP and virtual time.
//!
//! The simulator is built in layers, each a folder owning its state as a struct that the world
//! composes. A layer's code sees only its own state and the layers below; it tells the layers
//! above what happened through a hook trait it defines itself (as smoltcp's sockets report to
//! the interface), and `tests/layers.rs` keeps the rule from being broken.
//!
//! | layer | state | it knows | it tells the layers above through |
//! |---|---|---|---|
//! | `runtime/` — threads, clock, timers, waits, seeded generators, trace, run loop, report | `Runtime` | nothing else | `RuntimeHooks` (timed events, deliveries, thread life) |
//! | `net/` — hosts, wire, fault seam, socket objects, `tcp/`, UDP | `Network` | runtime | `NetHooks` (FD_* changes) |
//! | `socket/` — handles, bind, options, the socket calls | `SocketLayer` | runtime, net | `SockHooks` |
//! | `kernel/` — events, mutexes, windows and message queues, completion ports, APC queues, critical sections, SRW locks, condition variables, console-control handlers, process globals | `Kernel` | the three below | — |
//! | `models/` — select/WSAPoll, FD_* events, overlapped I/O, mswsock, WSAIoctl, WSARecvMsg, TransmitFile | `ModelState` | all below | — |
//!
//! On top: `world` composes the layers ([`Sim`], [`HostHandle`]) and implements the hooks
//! (`events`); `api` is [`SimWinsock`] with the per-call plumbing, and `calls/` holds its
//! trait implementations ([`Winsock`](crate::Winsock), the model traits); `builder` is
//! [`SimBuilder`], `replay` is [`Replay`] (a run's identity as one line), `report` is
//! [`SimError`], `picture` draws a failed run as an HTML/SVG sequence diagram
//! ([`SimError::to_html`]), `sweep` is [`Sweep`] (a seed range split across machines); `explore` runs a
//! test under many schedules ([`Explorer`]: seed sweeps, PCT, bounded exhaustive search).

mod api;
mod builder;
mod calls;
mod events;
mod explore;
mod kernel;
mod models;
pub(crate) mod net;
pub mod picture;
mod replay;
mod report;
pub(crate) mod runtime;
mod socket;
mod sweep;
mod world;

pub use api::SimWinsock;
pub use builder::{Contract, SimBuilder};
pub use explore::{Exploration, Explorer, Rerun};
pub use net::fault;
pub use net::fault::{
    FaultPlan, FaultRule, ParsePlanError, ResolveAction, Scope, SegmentAction, SegmentFilter,
    Verdict, When,
};
pub use net::tcp::TcpState;
pub use picture::{HostInfo, Picture, PictureFile, PICTURE_DIR_ENV};
pub use replay::{Replay, REPLAY_ENV};
pub use report::{SimError, TestId};
pub use runtime::{
    release_idle_stacks, AckPolicy, Completion, EventRecording, Report, Schedule, Segmentation,
    SendMode, SimErrorKind, Stats, ThreadOutcome, ThreadReport, TimerResolution, DEFAULT_SEED,
};
pub use runtime::{rng, trace};
pub use sweep::{Sweep, SweepSummary, SWEEP_ENV};
pub use world::{HostHandle, Sim};
