//! One conformance suite, every backend: each rule of `shared/conformance.md` checked here is
//! written once, generic over the backend traits, and run by `tests/conformance.rs` against the
//! simulator and by `tests/conformance_os.rs` against the real WinSock (on Windows, or under
//! Wine in `ci/windows-under-wine.sh`).
//!
//! A rule states Windows' behaviour. Where Wine's ws2_32 is known to differ (sock.c marks it
//! `todo_wine`, or it was measured on Wine 8.0), the rule accepts Wine's result only when the
//! process runs under Wine ([`winsock_sim::os::under_wine`]), and records it as a known Wine
//! difference with its sock.c reference; every other disagreement fails the arm.
#![allow(dead_code)]

use winsock_sim::prelude::*;

pub mod accept_order;
pub mod async_select;
pub mod bsp_state;
pub mod c_args;
pub mod database;
pub mod duplicate_handle;
pub mod events;
pub mod ext;
pub mod handle_flags;
pub mod held_objects;
pub mod host_name;
pub mod ideal_send_backlog;
pub mod init_once;
pub mod inline;
pub mod interfaces;
pub mod iocp;
pub mod last_error;
pub mod message_filters;
pub mod named_objects;
pub mod overlapped;
pub mod pool_io;
pub mod protocol_info;
pub mod protocol_table;
pub mod receive_order;
pub mod registered_waits;
pub mod result_ex;
pub mod shutdown_reset;
pub mod sync;
pub mod sync_barrier;
pub mod sync_failure;
pub mod sync_handoff;
pub mod sync_locks;
pub mod system_time;
pub mod tcp_timing;
pub mod thread_exit;
pub mod thread_local_storage;
pub mod thread_pool;
pub mod thread_timers;
pub mod timer_resolution;
pub mod tp_cleanup_group;
pub mod tp_io;
pub mod tp_objects;
pub mod tp_pool;
pub mod tp_wait;
pub mod transmit_packets;
pub mod udp_ioctls;
pub mod wait_on_address;
pub mod waitable_timer;
pub mod winsock;

pub use winsock::winsock_rules;

/// Receive timeout given to every socket a rule blocks on (ms): virtual in the simulator.
pub const TIMEOUT_MS: i32 = 5_000;

/// What a rule saw: its checks, and the known Wine differences it accepted.
#[derive(Debug, Default)]
pub struct Check {
    /// Known Wine differences recorded: (what, Windows, Wine, sock.c reference).
    pub wine: Vec<String>,
}

impl Check {
    /// `got` must be `want` (Windows' result).
    pub fn eq<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        got: T,
        want: T,
    ) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{what}: got {got:?}, Windows gives {want:?}"))
        }
    }

    /// `got` must be `want`, except under Wine, which is known to give `wine` instead
    /// (`reference` names the sock.c test and the catalogue rule).
    pub fn eq_or_wine<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        got: T,
        want: T,
        wine: T,
        reference: &str,
    ) -> Result<(), String> {
        if got == want {
            return Ok(());
        }
        if got == wine && winsock_sim::os::under_wine() {
            self.wine.push(format!(
                "{what}: Windows {want:?}, Wine {wine:?} ({reference})"
            ));
            return Ok(());
        }
        Err(format!("{what}: got {got:?}, Windows gives {want:?}"))
    }
}

/// A rule: its catalogue id, a title, and its body.
pub struct Rule<W> {
    /// The catalogue rule (shared/conformance.md) or a short tag.
    pub id: &'static str,
    /// What it checks, in a few words.
    pub title: &'static str,
    /// The body: runs after `WSAStartup` on a fresh backend.
    pub body: fn(&W, &mut Check) -> Result<(), String>,
}

/// One rule's outcome on one arm.
#[derive(Debug)]
pub enum Outcome {
    /// Windows' behaviour, exactly.
    Agree,
    /// Windows' behaviour except for recorded known Wine differences.
    KnownWine(Vec<String>),
    /// A disagreement: a bug in the backend (or the rule).
    Disagree(String),
}

/// Runs `rule` through `arm` (which sets up a backend, calls the closure, tears it down) and
/// classifies the result.
pub fn outcome(r: Result<(), String>, c: Check) -> Outcome {
    match r {
        Err(e) => Outcome::Disagree(e),
        Ok(()) if c.wine.is_empty() => Outcome::Agree,
        Ok(()) => Outcome::KnownWine(c.wine),
    }
}

/// Prints the arm's table and returns (run, agree, known Wine differences, disagreements).
pub fn report(
    arm: &str,
    rows: &[(&'static str, &'static str, Outcome)],
) -> (usize, usize, usize, Vec<String>) {
    let mut agree = 0;
    let mut wine = 0;
    let mut bad = Vec::new();
    println!("conformance suite, {arm} arm:");
    println!("| rule | checks | result |");
    println!("|---|---|---|");
    for (id, title, o) in rows {
        let r = match o {
            Outcome::Agree => {
                agree += 1;
                "agrees with Windows".to_string()
            }
            Outcome::KnownWine(w) => {
                wine += 1;
                format!("known Wine difference: {}", w.join("; "))
            }
            Outcome::Disagree(e) => {
                bad.push(format!("{id}: {e}"));
                format!("DISAGREES: {e}")
            }
        };
        println!("| {id} | {title} | {r} |");
    }
    println!(
        "{arm}: rules run {}, agree {agree}, known Wine differences {wine}, disagree {}",
        rows.len(),
        bad.len()
    );
    (rows.len(), agree, wine, bad)
}

// ---- helpers ---------------------------------------------------------------------------------

fn e<T>(what: &str, r: Result<T, WsaError>) -> Result<T, String> {
    r.map_err(|err| format!("{what}: {err:?}"))
}

/// The result of `r` with its value dropped, for comparing error codes.
fn code<T>(r: Result<T, WsaError>) -> Result<(), WsaError> {
    r.map(|_| ())
}

/// Queues to `thread` an APC that counts its runs into `ran`.
fn queue_counting_apc<W: OverlappedIo>(
    ws: &W,
    thread: ThreadId,
    ran: &std::sync::Arc<std::sync::atomic::AtomicU32>,
) -> Result<(), String> {
    let r = std::sync::Arc::clone(ran);
    e(
        "QueueUserAPC",
        ws.queue_user_apc(
            Box::new(move |_: &W| {
                r.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }),
            thread,
        ),
    )
}

fn tcp<W: Winsock>(ws: &W) -> Result<Socket, String> {
    e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))
}

fn loopback(port: u16) -> SockAddr {
    SockAddr::v4([127, 0, 0, 1], port)
}

/// A listener on 127.0.0.1 with an ephemeral port, and its address.
fn listener<W: Winsock>(ws: &W) -> Result<(Socket, SockAddr), String> {
    let l = tcp(ws)?;
    e("bind", ws.bind(l, &loopback(0)))?;
    e("listen", ws.listen(l, 4))?;
    let a = e("getsockname", ws.getsockname(l))?;
    Ok((l, a))
}

/// The catalogue's "pair": (client, server), both with receive timeouts, listener closed.
fn pair<W: Winsock>(ws: &W) -> Result<(Socket, Socket), String> {
    let (l, a) = listener(ws)?;
    let c = tcp(ws)?;
    e("connect", ws.connect(c, &a))?;
    let (s, _) = e("accept", ws.accept(l))?;
    e("closesocket(listener)", ws.closesocket(l))?;
    for x in [c, s] {
        e(
            "SO_RCVTIMEO",
            ws.setsockopt_i32(x, SOL_SOCKET, SO_RCVTIMEO, TIMEOUT_MS),
        )?;
    }
    Ok((c, s))
}

/// One of two handles on a connection, the other closed: `dup` sends 3 bytes the peer `sv`
/// receives and receives its 2-byte reply; closing `dup`, the last handle, closes the
/// connection gracefully (the peer's recv gives 0).
fn exchange_on_last_handle<W: Winsock>(
    ws: &W,
    c: &mut Check,
    dup: Socket,
    sv: Socket,
) -> Result<(), String> {
    let mut buf = [0u8; 8];
    c.eq("received by the peer", ws.recv(sv, &mut buf, 0), Ok(3))?;
    c.eq("its bytes", &buf[..3], b"dup".as_slice())?;
    c.eq("reply", ws.send(sv, b"ok", 0), Ok(2))?;
    c.eq(
        "received on the duplicate",
        ws.recv(dup, &mut buf, 0),
        Ok(2),
    )?;
    e("closesocket(duplicate)", ws.closesocket(dup))?;
    c.eq("the peer's recv after it", ws.recv(sv, &mut buf, 0), Ok(0))?;
    e("closesocket", ws.closesocket(sv))
}

fn rst_close<W: Winsock>(ws: &W, s: Socket) -> Result<(), String> {
    let l = Linger {
        onoff: 1,
        linger: 0,
    };
    e(
        "SO_LINGER",
        ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &l.to_bytes()),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn recv_all<W: Winsock>(ws: &W, s: Socket, n: usize) -> Result<Vec<u8>, String> {
    let mut out = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let k = e("recv", ws.recv(s, &mut out[got..], 0))?;
        if k == 0 {
            break;
        }
        got += k;
    }
    out.truncate(got);
    Ok(out)
}

/// Blocks until `n` bytes are queued on `s` (a MSG_PEEK receive; the socket has a timeout).
pub fn wait_data<W: Winsock>(ws: &W, s: Socket, n: usize) -> Result<(), String> {
    let mut buf = vec![0u8; n];
    for _ in 0..100 {
        if e("recv(MSG_PEEK)", ws.recv(s, &mut buf, MSG_PEEK))? >= n {
            return Ok(());
        }
        ws.sleep(10);
    }
    Err(format!("{n} bytes never arrived"))
}
