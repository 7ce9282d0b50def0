//! A port of the pattern of Microsoft's IOCP sample server (netds/winsock/iocp/server): the
//! listen address from `getaddrinfo(AI_PASSIVE)`, the socket from `WSASocket` with
//! WSA_FLAG_OVERLAPPED, AcceptEx loaded through `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`,
//! a context list guarded by a CRITICAL_SECTION, a console-control handler that signals the
//! cleanup event, and a shutdown that posts one packet per worker and waits for the workers
//! with `WaitForMultipleObjects`. Written as the C is, against the traits only — no shims.
//!
//! ```text
//! cargo run --release --example iocp_sample_server -- [--clients 100] [--messages 10] [--seed 1]
//! cargo run --release --example iocp_sample_server -- --os [--clients 100]  # Windows: real WinSock
//! ```

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimError};

const BUF: usize = 4096;
/// AcceptEx operations kept pending, as the sample's CreateAcceptSocket does one at a time.
const PENDING_ACCEPTS: usize = 8;
/// When the test presses Ctrl+C (virtual time).
pub const CTRL_C_AT: Duration = Duration::from_secs(30);

/// What an OVERLAPPED stands for (the sample's PER_IO_CONTEXT IO_OPERATION).
#[derive(Debug)]
enum Io {
    Accept(Socket),
    Read(Socket),
    Write(Socket, Vec<u8>),
}

/// The sample's globals (`g_pCtxtList`, `g_CriticalSection`, `g_hIOCP`, `g_bEndServer`, ...),
/// kept per process with `process_global`.
struct Globals {
    /// g_CriticalSection: guards `contexts`.
    cs: CriticalSection,
    /// g_pCtxtList: the per-I/O contexts, by OVERLAPPED id. The std mutex only gives Rust
    /// interior mutability: the critical section is what excludes, and `try_lock` proves it.
    contexts: std::sync::Mutex<BTreeMap<u64, Io>>,
    next_id: AtomicU64,
    port: CompletionPort,
    listener: Socket,
    accept_ex: winsock_sim::api::extension::LpfnAcceptEx,
    end_server: AtomicBool,
    cleanup_event: WsaEvent,
    /// Contexts freed by CtxtListFree at shutdown (a figure for the test).
    freed_at_shutdown: AtomicUsize,
}

/// The bounds every function of the sample needs.
pub trait SampleApi:
    Winsock + OverlappedIo + Iocp + SyncObjects + Resolve + WinsockExt + EventSelect
{
}
impl<W: Winsock + OverlappedIo + Iocp + SyncObjects + Resolve + WinsockExt + EventSelect> SampleApi
    for W
{
}

/// CtxtListAddTo: a new OVERLAPPED for `io`, recorded under the critical section.
fn ctxt_add<W: SampleApi>(ws: &W, g: &Globals, io: Io) -> Result<Overlapped, WsaError> {
    let id = g.next_id.fetch_add(1, Ordering::Relaxed);
    ws.enter_critical_section(g.cs)?;
    g.contexts
        .try_lock()
        .expect("the critical section excludes")
        .insert(id, io);
    ws.leave_critical_section(g.cs)?;
    Ok(Overlapped::new(id))
}

/// CtxtListDeleteFrom: takes the context of OVERLAPPED `id` under the critical section.
fn ctxt_take<W: SampleApi>(ws: &W, g: &Globals, id: u64) -> Result<Option<Io>, WsaError> {
    ws.enter_critical_section(g.cs)?;
    let io = g
        .contexts
        .try_lock()
        .expect("the critical section excludes")
        .remove(&id);
    ws.leave_critical_section(g.cs)?;
    Ok(io)
}

/// CreateAcceptSocket: a new socket and an AcceptEx for it, through the loaded pointer.
fn create_accept_socket<W: SampleApi>(ws: &W, g: &Globals) -> Result<(), WsaError> {
    let s = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED)?;
    let ov = ctxt_add(ws, g, Io::Accept(s))?;
    match g.accept_ex.call(ws, g.listener, s, Vec::new(), ov) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Posts a read for connection `s`; a failure closes it.
fn post_read<W: SampleApi>(ws: &W, g: &Globals, s: Socket, buf: Vec<u8>) -> Result<(), WsaError> {
    let ov = ctxt_add(ws, g, Io::Read(s))?;
    if !matches!(
        ws.wsa_recv_overlapped(s, vec![buf], 0, ov, None),
        Ok(_) | Err(WsaError::WSA_IO_PENDING)
    ) {
        ctxt_take(ws, g, ov.id)?;
        let _ = ws.closesocket(s);
    }
    Ok(())
}

/// WorkerThread: GetQueuedCompletionStatus until a packet without OVERLAPPED (the shutdown
/// signal) or g_bEndServer.
fn worker_thread<W: SampleApi>(ws: &W, g: Arc<Globals>) -> Result<(), WsaError> {
    loop {
        let packet = match ws.get_queued_completion_status(g.port, INFINITE) {
            Ok(p) => p,
            Err(WsaError::ERROR_ABANDONED_WAIT_0) => return Ok(()),
            Err(e) => return Err(e),
        };
        let Some(ov) = packet.overlapped else {
            return Ok(()); // PostQueuedCompletionStatus(0, 0, NULL): exit
        };
        if g.end_server.load(Ordering::SeqCst) {
            return Ok(());
        }
        let Some(io) = ctxt_take(ws, &g, ov.id)? else {
            continue;
        };
        let buf = packet.bufs.into_iter().next().unwrap_or_default();
        match io {
            Io::Accept(s) => {
                create_accept_socket(ws, &g)?;
                if packet.error.is_some() {
                    let _ = ws.closesocket(s);
                    continue;
                }
                let listener = g.listener.raw().to_le_bytes();
                ws.setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, &listener)?;
                ws.associate_completion_port(s, g.port, s.raw())?;
                post_read(ws, &g, s, vec![0; BUF])?;
            }
            Io::Read(s) if packet.error.is_some() || packet.bytes == 0 => {
                let _ = ws.closesocket(s);
            }
            Io::Read(s) => {
                let echo = buf[..packet.bytes].to_vec();
                let ov = ctxt_add(ws, &g, Io::Write(s, buf))?;
                if !matches!(
                    ws.wsa_send_overlapped(s, vec![echo], 0, ov, None),
                    Ok(_) | Err(WsaError::WSA_IO_PENDING)
                ) {
                    ctxt_take(ws, &g, ov.id)?;
                    let _ = ws.closesocket(s);
                }
            }
            Io::Write(s, _) if packet.error.is_some() => {
                let _ = ws.closesocket(s);
            }
            Io::Write(s, read_buf) => post_read(ws, &g, s, read_buf)?,
        }
    }
}

/// CreateListenSocket: getaddrinfo(NULL, port, AI_PASSIVE), WSASocket, bind, listen, and
/// AcceptEx through WSAIoctl.
fn create_listen_socket<W: SampleApi>(
    ws: &W,
    port: u16,
) -> Result<(Socket, winsock_sim::api::extension::LpfnAcceptEx), WsaError> {
    let hints = AddrInfoHints {
        flags: AI_PASSIVE,
        family: AF_INET,
        socktype: SOCK_STREAM,
        protocol: IPPROTO_TCP,
    };
    let ai = ws.getaddrinfo(None, Some(&port.to_string()), Some(&hints))?;
    let a = &ai[0];
    let s = ws.wsa_socket(a.family, a.socktype, a.protocol, WSA_FLAG_OVERLAPPED)?;
    ws.bind(s, &a.addr)?;
    ws.listen(s, SOMAXCONN)?;
    match ws.get_extension_function_pointer(s, &WSAID_ACCEPTEX, 8)? {
        ExtensionFunction::AcceptEx(f) => Ok((s, f)),
        _ => Err(WsaError::WSAEINVAL),
    }
}

/// main(): returns the number of contexts CtxtListFree released at shutdown.
pub fn server<W: SampleApi>(ws: &W) -> Result<usize, WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let cleanup_event = ws.wsa_create_event()?;
    let cs = ws.initialize_critical_section()?;
    let end_server = Arc::new(AtomicBool::new(false));
    let flag = end_server.clone();
    // CtrlHandler: g_bEndServer = TRUE; WSASetEvent(g_hCleanupEvent).
    ws.set_console_ctrl_handler(Box::new(move |ws: &W, ctrl| match ctrl {
        CTRL_C_EVENT | CTRL_BREAK_EVENT | CTRL_CLOSE_EVENT => {
            flag.store(true, Ordering::SeqCst);
            ws.wsa_set_event(cleanup_event).is_ok()
        }
        _ => false,
    }))?;
    let port = ws.create_io_completion_port(0)?;
    let (listener, accept_ex) = create_listen_socket(ws, common::PORT)?;
    ws.associate_completion_port(listener, port, 0)?;
    let g = ws.process_global(|| Globals {
        cs,
        contexts: std::sync::Mutex::new(BTreeMap::new()),
        next_id: AtomicU64::new(1),
        port,
        listener,
        accept_ex,
        end_server: AtomicBool::new(false),
        cleanup_event,
        freed_at_shutdown: AtomicUsize::new(0),
    });
    let mut workers = Vec::new();
    for i in 0..2 * ws.get_system_info().number_of_processors {
        let g = g.clone();
        let t = ws.create_thread(&format!("worker-{i}"), move |ws: &W| worker_thread(ws, g))?;
        workers.push(Handle::from(t));
    }
    for _ in 0..PENDING_ACCEPTS {
        create_accept_socket(ws, &g)?;
    }
    ws.wait_for_single_object(g.cleanup_event.into(), INFINITE)?;
    g.end_server
        .store(end_server.load(Ordering::SeqCst), Ordering::SeqCst);
    for _ in 0..workers.len() {
        ws.post_queued_completion_status(port, 0, 0, None)?;
    }
    let r = ws.wait_for_multiple_objects(&workers, true, INFINITE)?;
    assert_eq!(r, WAIT_OBJECT_0, "every worker ended");
    ws.closesocket(listener)?;
    // CtxtListFree: the contexts still listed (pending AcceptEx, reads of idle clients).
    ws.enter_critical_section(cs)?;
    let freed = std::mem::take(&mut *g.contexts.try_lock().expect("excluded"));
    ws.leave_critical_section(cs)?;
    for io in freed.values() {
        let s = match io {
            Io::Accept(s) | Io::Read(s) | Io::Write(s, _) => *s,
        };
        let _ = ws.closesocket(s);
    }
    g.freed_at_shutdown.store(freed.len(), Ordering::SeqCst);
    ws.close_completion_port(port)?;
    ws.delete_critical_section(cs)?;
    ws.wsa_cleanup()?;
    Ok(freed.len())
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The echo figures.
    pub summary: common::Summary,
    /// Contexts CtxtListFree released (the pending AcceptEx at least).
    pub freed_at_shutdown: usize,
}

/// Runs the sample server (a normal thread: the run ends when it has shut down) and
/// `clients` echo clients; presses Ctrl+C at [`CTRL_C_AT`].
pub fn run(seed: u64, clients: usize, messages: usize) -> Result<Outcome, SimError> {
    let mut sim = Sim::builder().seed(seed).stack_size(128 * 1024).build();
    let server_host = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    let freed = Arc::new(AtomicUsize::new(usize::MAX));
    let f2 = freed.clone();
    server_host.spawn("main", move |ws| {
        f2.store(server(ws)?, Ordering::SeqCst);
        Ok(())
    });
    server_host.raise_console_ctrl(CTRL_C_EVENT, CTRL_C_AT);
    let bytes = Arc::new(AtomicUsize::new(0));
    for id in 0..clients {
        let bytes = bytes.clone();
        client_host.spawn(&format!("client-{id}"), move |ws| {
            let n = common::client(ws, id, messages)?;
            bytes.fetch_add(n, Ordering::Relaxed);
            Ok(())
        });
    }
    let start = std::time::Instant::now();
    let report = sim.run()?;
    Ok(Outcome {
        summary: common::Summary {
            model: "IOCP sample (AcceptEx via WSAIoctl, critical section, Ctrl+C)",
            clients,
            messages: clients * messages,
            bytes: bytes.load(Ordering::Relaxed),
            virtual_time: report.virtual_time,
            wall: start.elapsed(),
            trace_hash: report.trace_hash,
        },
        freed_at_shutdown: freed.load(Ordering::SeqCst),
    })
}

/// `--os`: the same `server`, unchanged, on the real WinSock and kernel32 (`os::Native`):
/// the clients run on loopback, then Ctrl+C is raised through `GenerateConsoleCtrlEvent`'s
/// test path (the handlers run on a new thread, as Windows' control thread runs them) and the
/// server shuts down as the sample does.
#[cfg(windows)]
fn run_on_os(clients: usize, messages: usize) {
    use std::time::Instant;
    let ws = winsock_sim::os::Native::new();
    ws.wsa_startup(WINSOCK_VERSION_2_2).expect("WSAStartup");
    let freed = Arc::new(AtomicUsize::new(usize::MAX));
    let f2 = freed.clone();
    let srv = ws
        .create_thread("server", move |ws| {
            f2.store(server(ws)?, Ordering::SeqCst);
            Ok(())
        })
        .expect("server thread");
    let start = Instant::now();
    let bytes = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let mut running = Vec::new();
    for id in 0..clients {
        let (bytes, served) = (bytes.clone(), served.clone());
        let t = ws.create_thread("client", move |ws| {
            let n =
                common::client_to(ws, SockAddr::v4([127, 0, 0, 1], common::PORT), id, messages)?;
            bytes.fetch_add(n, Ordering::Relaxed);
            served.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
        running.push(t.expect("client thread"));
        if running.len() == 100 || id + 1 == clients {
            for t in running.drain(..) {
                ws.wait_for_thread(t, 60_000).expect("a client finishes");
            }
        }
    }
    let echoed = start.elapsed();
    ws.generate_console_ctrl_event(CTRL_C_EVENT)
        .expect("raise Ctrl+C");
    let stopped = ws.wait_for_thread(srv, 60_000);
    let served = served.load(Ordering::Relaxed);
    println!("IOCP sample server on the real WinSock (os::Native)");
    println!("  clients       {served} of {clients}");
    println!("  messages      {}", served * messages);
    println!("  bytes echoed  {}", bytes.load(Ordering::Relaxed));
    println!(
        "  wall time     {:.3} s (to the last echo)",
        echoed.as_secs_f64()
    );
    println!(
        "  shut down     {:.3} s after Ctrl+C: {stopped:?}",
        (start.elapsed() - echoed).as_secs_f64()
    );
    println!("  freed at shutdown {}", freed.load(Ordering::SeqCst));
    if served != clients || stopped.is_err() || freed.load(Ordering::SeqCst) == usize::MAX {
        std::process::exit(1);
    }
}

#[allow(dead_code)]
fn main() {
    #[cfg(windows)]
    if std::env::args().any(|a| a == "--os") {
        let clients = common::arg("--clients", 100) as usize;
        let messages = common::arg("--messages", 10) as usize;
        return run_on_os(clients, messages);
    }
    let seed = common::arg("--seed", 1);
    let clients = common::arg("--clients", 100) as usize;
    let messages = common::arg("--messages", 10) as usize;
    match run(seed, clients, messages) {
        Ok(o) => {
            o.summary.print(seed);
            println!("  freed at shutdown {}", o.freed_at_shutdown);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
