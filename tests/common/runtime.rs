//! Helpers of the simulator's own tests (`runtime.rs`, `virtual_time.rs`, `runtime_scale.rs`,
//! `sim_network.rs`, `stack_pool.rs`, `timer_resolution.rs`, `uptime.rs`): a run of one
//! thread, a thread-per-connection echo server, a run whose thread overflows a small stack,
//! and the tick counts a thread timer's TIMERPROC is given.

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimError, SimErrorKind, SimWinsock};

pub const PORT: u16 = 9300;

/// Runs `body` as the only (non-daemon) thread of host 192.0.2.1 and returns the run's result.
pub fn try_run<F>(
    seed: u64,
    body: F,
) -> Result<winsock_sim::sim::Report, winsock_sim::sim::SimError>
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    let mut sim = Sim::builder().seed(seed).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(ws)
    });
    sim.run()
}

/// A thread-per-connection echo server on `port`.
pub fn threaded_echo_server(ws: &SimWinsock, port: u16) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], port))?;
    ws.listen(l, SOMAXCONN)?;
    loop {
        let (c, _) = ws.accept(l)?;
        ws.create_thread("conn", move |ws| {
            let mut buf = [0u8; 1024];
            loop {
                let n = ws.recv(c, &mut buf, 0)?;
                if n == 0 {
                    break;
                }
                let mut sent = 0;
                while sent < n {
                    sent += ws.send(c, &buf[sent..n], 0)?;
                }
            }
            ws.closesocket(c)
        })?;
    }
}

/// A run (seed `seed`, simulated stacks of `stack_bytes`) whose one thread recurses until it
/// overflows its stack: the run's error, checked to be a [`SimErrorKind::Panic`].
pub fn overflowing_run(seed: u64, stack_bytes: usize) -> SimError {
    let mut sim = Sim::builder().seed(seed).stack_size(stack_bytes).build();
    let host = sim.host("host", "192.0.2.1");
    host.spawn("deep", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let mut pad = [0u8; 256];
        std::hint::black_box(deep(std::hint::black_box(100_000), &mut pad));
        Ok(())
    });
    let err = sim.run().expect_err("the thread overflows its stack");
    assert_eq!(err.kind, SimErrorKind::Panic, "{err}");
    err
}

/// Recursion deep enough to overflow a small simulated thread's stack (256 bytes and more a
/// frame, 100,000 frames).
fn deep(n: u64, pad: &mut [u8; 256]) -> u64 {
    pad[0] = pad[0].wrapping_add(1);
    let mut mine = [0u8; 256];
    mine[1] = pad[0];
    if n == 0 {
        0
    } else {
        deep(n - 1, &mut mine) + u64::from(mine[1])
    }
}

/// A thread timer of `ms` with a TIMERPROC, run by the thread's message loop until it has
/// been called `calls` times, then killed: the `dwTime` of each call, each checked to be the
/// thread's GetTickCount at that call.
pub fn timer_proc_ticks(ws: &SimWinsock, ms: u32, calls: usize) -> Result<Vec<u32>, WsaError> {
    let times = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = times.clone();
    let id = ws.set_timer_proc(
        Hwnd::NULL,
        0,
        ms,
        Box::new(move |ws: &SimWinsock, _, _, _, tick| {
            assert_eq!(tick, ws.get_tick_count());
            seen.lock().unwrap().push(tick);
        }),
    )?;
    while times.lock().unwrap().len() < calls {
        if let Some(m) = ws.get_message(Hwnd::NULL)? {
            ws.dispatch_message(&m)?;
        }
    }
    ws.kill_timer(Hwnd::NULL, id)?;
    let ticks = times.lock().unwrap().clone();
    Ok(ticks)
}
