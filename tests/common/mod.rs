//! Shared test harness: run a body in the simulator, build the conformance catalogue's
//! "pair" (a connected loopback TCP pair), and small helpers.
#![allow(dead_code)]

pub mod event_ctx;
pub mod event_select;
pub mod named;
pub mod overlapped;
pub mod runtime;
pub mod servers;
pub mod session;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Report, Sim, SimBuilder, SimWinsock};

/// The seed for single-seed tests: `WINSOCK_SIM_SEED` if set, else a fixed value.
pub fn seed() -> u64 {
    std::env::var("WINSOCK_SIM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED)
}

/// Runs `body` as the only thread of a host 192.0.2.1 after `WSAStartup`, with `builder`.
/// Panics (with the seed and trace) if the run fails.
pub fn run_with<F>(builder: SimBuilder, body: F) -> Report
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    let mut sim = builder.build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(ws)
    });
    match sim.run() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

/// [`run_with`] with the default builder and [`seed`].
pub fn run<F>(body: F) -> Report
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    run_with(Sim::builder().seed(seed()), body)
}

/// The catalogue's "pair": listener on 127.0.0.1:0 with backlog 1, a blocking client
/// connect, the server end from `accept`, the listener closed. Returns (client, server).
pub fn pair<W: Winsock>(ws: &W) -> Result<(Socket, Socket), WsaError> {
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
    ws.listen(l, 1)?;
    let addr = ws.getsockname(l)?;
    let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(c, &addr)?;
    let (s, _) = ws.accept(l)?;
    ws.closesocket(l)?;
    Ok((c, s))
}

/// A listener on 127.0.0.1 with an ephemeral port; returns it and its address.
pub fn listener<W: Winsock>(ws: &W, backlog: i32) -> Result<(Socket, SockAddr), WsaError> {
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
    ws.listen(l, backlog)?;
    let a = ws.getsockname(l)?;
    Ok((l, a))
}

/// A loopback address on which nothing listens (bound once, then closed).
pub fn closed_port<W: Winsock>(ws: &W) -> Result<SockAddr, WsaError> {
    let t = tcp(ws)?;
    ws.bind(t, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let a = ws.getsockname(t)?;
    ws.closesocket(t)?;
    Ok(a)
}

/// `SO_LINGER {1, 0}` then `closesocket`: an abortive close (RST), as the catalogue's
/// "RST-close".
pub fn rst_close<W: Winsock>(ws: &W, s: Socket) -> Result<(), WsaError> {
    let l = Linger {
        onoff: 1,
        linger: 0,
    };
    ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &l.to_bytes())?;
    ws.closesocket(s)
}

/// Receives exactly `n` bytes (or until the peer closes).
pub fn recv_exact<W: Winsock>(ws: &W, s: Socket, n: usize) -> Result<Vec<u8>, WsaError> {
    let mut out = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let k = ws.recv(s, &mut out[got..], 0)?;
        if k == 0 {
            break;
        }
        got += k;
    }
    out.truncate(got);
    Ok(out)
}

/// A new TCP socket (AF_INET, SOCK_STREAM, IPPROTO_TCP).
pub fn tcp<W: Winsock>(ws: &W) -> Result<Socket, WsaError> {
    ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
}

/// Asserts that `r` failed with `want` and that `WSAGetLastError()` now reports it.
pub fn fails<W: Winsock, T: std::fmt::Debug>(
    ws: &W,
    r: Result<T, WsaError>,
    want: WsaError,
    what: &str,
) {
    assert_eq!(r.map(|_| ()), Err(want), "{what}");
    assert_eq!(
        ws.wsa_get_last_error(),
        want.code(),
        "{what}: WSAGetLastError"
    );
}

/// `setsockopt(accept_socket, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, &listener)`: what a
/// program does after AcceptEx so that getsockname/getpeername/shutdown work on the socket.
pub fn update_accept_context<W: Winsock>(
    ws: &W,
    accept_socket: Socket,
    listener: Socket,
) -> Result<(), WsaError> {
    ws.setsockopt(
        accept_socket,
        SOL_SOCKET,
        SO_UPDATE_ACCEPT_CONTEXT,
        &listener.raw().to_le_bytes(),
    )
}

/// Queues an APC to `thread` that counts its runs.
pub fn queue_counting_apc(
    ws: &SimWinsock,
    thread: ThreadId,
    count: &Arc<AtomicU32>,
) -> Result<(), WsaError> {
    let count = count.clone();
    ws.queue_user_apc(
        Box::new(move |_ws: &SimWinsock| {
            count.fetch_add(1, Ordering::SeqCst);
        }),
        thread,
    )
}

/// The plan of a property case that may stall threads: `None`, no fault; `Some((num, ms))`,
/// every thread stalled for `ms` before `num` in 64 of its calls (`FaultRule::Stall`).
pub fn stall_plan(stall: Option<(u64, u64)>) -> winsock_sim::sim::FaultPlan {
    use winsock_sim::sim::fault::{FaultRule, Scope, When};
    let plan = winsock_sim::sim::FaultPlan::none();
    match stall {
        None => plan,
        Some((num, ms)) => plan.with(FaultRule::Stall {
            when: When::Rate { num, den: 64 },
            scope: Scope::All,
            call: None,
            pause: std::time::Duration::from_millis(ms),
        }),
    }
}

/// Runs `threads` simulated threads (`t0`, `t1`, ...) on one host under `seed`, each
/// `body(n, log, ws)`, twice: asserts that the two runs have the same trace hash and logged
/// the same entries, and returns the log.
pub fn replays_alike<T, F>(seed: u64, threads: u32, body: F) -> Vec<T>
where
    T: Clone + PartialEq + std::fmt::Debug + Send + 'static,
    F: Fn(u32, &Arc<std::sync::Mutex<Vec<T>>>, &SimWinsock) -> Result<(), WsaError>
        + Send
        + Sync
        + 'static,
{
    let body = Arc::new(body);
    let once = || {
        let mut sim = Sim::builder().seed(seed).build();
        let h = sim.host("h", "192.0.2.1");
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        for n in 0..threads {
            let (log, body) = (log.clone(), body.clone());
            h.spawn(&format!("t{n}"), move |ws| body(n, &log, ws));
        }
        let hash = sim.run().expect("runs").trace_hash;
        let log = log.lock().expect("log").clone();
        (hash, log)
    };
    let (a, b) = (once(), once());
    assert_eq!(a, b, "two runs under seed {seed}");
    a.1
}

/// An echo client: connects to `to`, sends `rounds` messages of `size` bytes (each byte the
/// round's number) and checks each comes back whole, then shuts its sending down and checks
/// the server closes too.
pub fn echo_rounds_then_close<W: Winsock>(
    ws: &W,
    to: &SockAddr,
    rounds: u8,
    size: usize,
) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(s, to)?;
    for i in 0..rounds {
        let msg = vec![i; size];
        ws.send(s, &msg, 0)?;
        let mut got = vec![0u8; size];
        assert_eq!(ws.recv(s, &mut got, MSG_WAITALL)?, size);
        assert_eq!(got, msg);
    }
    ws.shutdown(s, SD_SEND)?;
    let mut rest = [0u8; 4];
    assert_eq!(ws.recv(s, &mut rest, 0)?, 0);
    ws.closesocket(s)
}

/// A server's start: WSAStartup, a listener on port `port` of every address, and the first
/// connection accepted. (listener, connection).
pub fn accept_one_on<W: Winsock>(ws: &W, port: u16) -> Result<(Socket, Socket), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], port))?;
    ws.listen(l, SOMAXCONN)?;
    let (c, _) = ws.accept(l)?;
    Ok((l, c))
}
