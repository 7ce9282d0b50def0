//! Helpers of the overlapped I/O tests (`tests/overlapped*.rs`, `accept_ex_connect_ex.rs`,
//! `alertable_waits.rs`, `disconnect_ex.rs`, `wsa_ioctl.rs`, `iocp*.rs`): the catalogue's loopback run,
//! bound sockets, waits on events and completion ports with the catalogue's time limits, and a
//! pending AcceptEx.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Segmentation, Sim, SimBuilder, SimWinsock};

/// Virtual time given to the network before an expected completion must be there.
pub const WAIT_MS: u32 = 1000;

/// Virtual time after which "nothing happened" is concluded.
pub const QUIET_MS: u32 = 200;

/// Virtual time for in-flight segments to land.
pub const SETTLE_MS: u32 = 50;

/// No simulated host owns this address (TEST-NET-2): SYNs to it are never answered.
pub const UNREACHABLE: [u8; 4] = [198, 51, 100, 7];

/// The catalogue's loopback: a small send arrives as one segment.
pub fn builder() -> SimBuilder {
    Sim::builder()
        .seed(super::seed())
        .segmentation(Segmentation::Mss)
}

/// Runs `body` with the catalogue's loopback ([`builder`]).
pub fn run<F>(body: F)
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    super::run_with(builder(), body);
}
/// A TCP socket bound to 127.0.0.1 with an ephemeral port.
pub fn bound_tcp(ws: &SimWinsock) -> Result<Socket, WsaError> {
    let s = super::tcp(ws)?;
    ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
    Ok(s)
}

/// A UDP socket bound to 127.0.0.1 with an ephemeral port.
pub fn bound_udp(ws: &SimWinsock) -> Result<Socket, WsaError> {
    let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0))?;
    Ok(u)
}

/// An address on this host where nothing listens.
pub fn closed_port(ws: &SimWinsock) -> Result<SockAddr, WsaError> {
    let (l, addr) = super::listener(ws, 1)?;
    ws.closesocket(l)?;
    Ok(addr)
}

/// `ev` becomes signalled within [`WAIT_MS`].
pub fn signalled(ws: &SimWinsock, ev: WsaEvent, what: &str) -> Result<(), WsaError> {
    assert_eq!(
        ws.wsa_wait_for_multiple_events(&[ev], false, WAIT_MS, false)?,
        WSA_WAIT_EVENT_0,
        "{what}: the event was not signalled"
    );
    Ok(())
}

/// `ev` stays non-signalled for [`QUIET_MS`].
pub fn quiet(ws: &SimWinsock, ev: WsaEvent, what: &str) -> Result<(), WsaError> {
    assert_eq!(
        ws.wsa_wait_for_multiple_events(&[ev], false, QUIET_MS, false)?,
        WSA_WAIT_TIMEOUT,
        "{what}: the event was signalled"
    );
    Ok(())
}

/// `ev` is signalled right now.
pub fn is_set(ws: &SimWinsock, ev: WsaEvent) -> Result<bool, WsaError> {
    Ok(ws.wsa_wait_for_multiple_events(&[ev], false, 0, false)? == WSA_WAIT_EVENT_0)
}

/// A new completion port with `s` associated under `key` and
/// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS set on `s`: operations that succeed at once queue no
/// packet.
pub fn skipping_port(ws: &SimWinsock, s: Socket, key: usize) -> Result<CompletionPort, WsaError> {
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, key)?;
    ws.set_file_completion_notification_modes(s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
    Ok(port)
}

/// No packet arrives on `port` within [`QUIET_MS`].
pub fn no_packet(ws: &SimWinsock, port: CompletionPort, what: &str) {
    let r = ws.get_queued_completion_status(port, QUIET_MS);
    assert_eq!(
        r.as_ref().map(|p| (p.key, p.bytes, p.overlapped, p.error)),
        Err(&WsaError::WAIT_TIMEOUT),
        "{what}: expected no packet"
    );
}

/// The next packet on `port` (within [`WAIT_MS`]) is a failed one: `error`, 0 bytes, `key` and
/// `ov`; `WSAGetLastError()` is then `code`. Returns the packet.
pub fn failed_packet(
    ws: &SimWinsock,
    port: CompletionPort,
    error: WsaError,
    key: usize,
    ov: Overlapped,
    code: i32,
) -> Result<CompletionPacket, WsaError> {
    let p = ws.get_queued_completion_status(port, WAIT_MS)?;
    assert_eq!(
        (p.error, p.bytes, p.key, p.overlapped),
        (Some(error), 0, key, Some(ov))
    );
    assert_eq!(ws.wsa_get_last_error(), code);
    Ok(p)
}

/// Enumerates `s`'s network events (resetting `ev`); returns lNetworkEvents.
pub fn enum_events(ws: &SimWinsock, s: Socket, ev: WsaEvent) -> Result<i32, WsaError> {
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    Ok(ne.network_events)
}

/// A completion routine that counts its calls and keeps what it was given.
pub fn recording_routine(
    calls: &Arc<AtomicUsize>,
    got: &Arc<Mutex<Vec<IoCompletion>>>,
) -> CompletionRoutine<SimWinsock> {
    let calls = calls.clone();
    let got = got.clone();
    Box::new(move |_ws: &SimWinsock, done: IoCompletion| {
        calls.fetch_add(1, Ordering::SeqCst);
        got.lock().unwrap().push(done);
    })
}

/// A listener, an unused accept socket and an AcceptEx pending on them with an event.
pub fn pending_accept(
    ws: &SimWinsock,
    receive_len: usize,
) -> Result<(Socket, SockAddr, Socket, Overlapped, WsaEvent), WsaError> {
    let (l, addr) = super::listener(ws, 5)?;
    let a = super::tcp(ws)?;
    let ev = ws.wsa_create_event()?;
    let ov = Overlapped::with_event(100, ev);
    assert_eq!(
        ws.accept_ex(l, a, vec![0; receive_len], ov),
        Err(WsaError::WSA_IO_PENDING),
        "AcceptEx pends"
    );
    Ok((l, addr, a, ov, ev))
}

/// The (error, bytes, key, overlapped) of a packet.
pub fn fields(p: &CompletionPacket) -> (Option<WsaError>, usize, usize, Option<Overlapped>) {
    (p.error, p.bytes, p.key, p.overlapped)
}
