//! `os::Native`'s overlapped I/O beyond the shared suite (Windows only; under Wine in
//! `ci/windows-under-wine.sh`): bad input gets WinSock codes with no OS call, buffers stay the
//! backend's until the completion returns them, sockets closed with I/O pending, panics in
//! completion routines, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, the record an inline call takes back.
#![cfg(windows)]

use winsock_sim::api::sync::{Handle, MutexHandle};
use winsock_sim::os::Native;
use winsock_sim::prelude::*;

fn started() -> Native {
    let ws = Native::new();
    ws.wsa_startup(WINSOCK_VERSION_2_2).expect("WSAStartup");
    ws
}

fn pair(ws: &Native) -> (Socket, Socket) {
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0)).unwrap();
    ws.listen(l, 4).unwrap();
    let a = ws.getsockname(l).unwrap();
    let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    ws.connect(c, &a).unwrap();
    let (s, _) = ws.accept(l).unwrap();
    ws.closesocket(l).unwrap();
    (c, s)
}

#[test]
fn bad_handles_get_winsock_codes_without_reaching_the_os() {
    let ws = started();
    let bogus = Socket::from_raw(0xdead_0000);
    let ov = Overlapped::new(1);
    assert_eq!(
        ws.wsa_recv_overlapped(bogus, vec![vec![0; 8]], 0, ov, None),
        Err(WsaError::WSAENOTSOCK)
    );
    assert_eq!(
        ws.wsa_send_overlapped(bogus, vec![vec![1]], 0, ov, None),
        Err(WsaError::WSAENOTSOCK)
    );
    assert_eq!(ws.cancel_io_ex(bogus, None), Err(WsaError::WSAENOTSOCK));
    assert_eq!(
        ws.get_accept_ex_sockaddrs(bogus),
        Err(WsaError::WSAENOTSOCK)
    );
    let (c, s) = pair(&ws);
    // An event this backend did not create is never handed to the OS.
    let foreign = Overlapped::with_event(2, WsaEvent::from_raw(0x1234));
    assert_eq!(
        ws.wsa_recv_overlapped(c, vec![vec![0; 8]], 0, foreign, None),
        Err(WsaError::WSA_INVALID_HANDLE)
    );
    assert_eq!(
        ws.cancel_io_ex(c, Some(&ov)),
        Err(WsaError::ERROR_NOT_FOUND)
    );
    assert_eq!(
        ws.wsa_ioctl(c, 0xC800_0001, &[], &mut [0; 8]),
        Err(WsaError::WSAEOPNOTSUPP)
    );
    assert_eq!(
        ws.wait_for_single_object_ex(Handle::Mutex(MutexHandle::from_raw(8)), 0, false),
        Err(WsaError::WSA_INVALID_HANDLE)
    );
    // A thread already waited for (its handle closed) takes no APC.
    let t = ws.create_thread("done", |_| Ok(())).unwrap();
    ws.wait_for_thread(t, 10_000).unwrap();
    assert_eq!(
        ws.queue_user_apc(Box::new(|_| {}), t),
        Err(WsaError::WSA_INVALID_HANDLE)
    );
    ws.closesocket(c).unwrap();
    ws.closesocket(s).unwrap();
}

#[test]
fn a_pending_send_keeps_its_buffer_until_the_completion_returns_it() {
    let ws = started();
    let (c, s) = pair(&ws);
    let ev = ws.wsa_create_event().unwrap();
    let big: Vec<u8> = (0..8 << 20).map(|i| (i % 251) as u8).collect();
    let ov = Overlapped::with_event(3, ev);
    // The caller gives the buffer away: nothing it does now can touch what the OS reads.
    match ws.wsa_send_overlapped(c, vec![big], 0, ov, None) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
        r => panic!("WSASend: {r:?}"),
    }
    let mut got = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    while got < 8 << 20 {
        let n = ws.recv(s, &mut buf, 0).unwrap();
        assert!(buf[..n]
            .iter()
            .enumerate()
            .all(|(i, &b)| b == ((got + i) % 251) as u8));
        got += n;
    }
    let done = ws.wsa_get_overlapped_result(c, &ov, true).unwrap();
    assert_eq!((done.error, done.bytes), (None, 8 << 20));
    assert_eq!(done.bufs[0].len(), 8 << 20, "the buffer comes back whole");
    assert_eq!(
        ws.wsa_get_overlapped_result(c, &ov, false).map(drop),
        Err(WsaError::WSAEINVAL),
        "taken back once"
    );
    ws.closesocket(c).unwrap();
    ws.closesocket(s).unwrap();
    ws.wsa_close_event(ev).unwrap();
}

#[test]
fn closing_a_socket_with_receives_pending_frees_nothing_early() {
    let ws = started();
    for round in 0..20u64 {
        let (c, s) = pair(&ws);
        let ev = ws.wsa_create_event().unwrap();
        for k in 0..4 {
            let ov = Overlapped::with_event(round * 10 + k, ev);
            assert_eq!(
                ws.wsa_recv_overlapped(c, vec![vec![0; 4096]], 0, ov, None),
                Err(WsaError::WSA_IO_PENDING)
            );
        }
        ws.closesocket(c).unwrap();
        assert_eq!(
            ws.wsa_get_overlapped_result(c, &Overlapped::new(round * 10), false)
                .map(drop),
            Err(WsaError::WSAENOTSOCK)
        );
        ws.closesocket(s).unwrap();
        ws.wsa_close_event(ev).unwrap();
    }
    // The records of the closed sockets were left to the OS until it finished with them;
    // the ids are free again once their sockets are gone.
    let (c, s) = pair(&ws);
    ws.send(s, b"x", 0).unwrap();
    let ev = ws.wsa_create_event().unwrap();
    let ov = Overlapped::with_event(0, ev);
    let r = ws.wsa_recv_overlapped(c, vec![vec![0; 8]], 0, ov, None);
    assert!(matches!(r, Ok(1) | Err(WsaError::WSA_IO_PENDING)), "{r:?}");
    assert_eq!(ws.wsa_get_overlapped_result(c, &ov, true).unwrap().bytes, 1);
}

#[test]
fn a_panicking_completion_routine_panics_out_of_the_alertable_wait() {
    let ws = started();
    let (c, s) = pair(&ws);
    assert_eq!(
        ws.wsa_recv_overlapped(
            c,
            vec![vec![0; 8]],
            0,
            Overlapped::new(4),
            Some(Box::new(|_, _| panic!("routine failed"))),
        ),
        Err(WsaError::WSA_IO_PENDING)
    );
    ws.send(s, b"go", 0).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ws.sleep_ex(5_000, true)));
    let msg = r.expect_err("the routine's panic comes out of SleepEx");
    assert_eq!(msg.downcast_ref::<&str>(), Some(&"routine failed"));
    // The thread goes on: another alertable wait has nothing left to run.
    assert_eq!(ws.sleep_ex(0, true), 0);
    ws.closesocket(c).unwrap();
    ws.closesocket(s).unwrap();
}

/// A pair whose client end is on a port (key 7) with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
/// and has five bytes ("ready") waiting, so an overlapped receive succeeds at once.
fn skipping_with_data(ws: &Native) -> (Socket, Socket, CompletionPort) {
    let (c, s) = pair(ws);
    let port = ws.create_io_completion_port(0).unwrap();
    ws.associate_completion_port(c, port, 7).unwrap();
    ws.set_file_completion_notification_modes(c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
        .unwrap();
    ws.send(s, b"ready", 0).unwrap();
    let mut peek = [0u8; 5];
    while ws.recv(c, &mut peek, MSG_PEEK).unwrap() < 5 {}
    (c, s, port)
}

#[test]
fn skip_completion_port_on_success_leaves_the_result_to_wsagetoverlappedresult() {
    let ws = started();
    let (c, s, port) = skipping_with_data(&ws);
    let ov = Overlapped::new(5);
    assert_eq!(
        ws.wsa_recv_overlapped(c, vec![vec![0; 8]], 0, ov, None),
        Ok(5)
    );
    assert_eq!(
        ws.get_queued_completion_status(port, 100).map(drop),
        Err(WsaError::WAIT_TIMEOUT),
        "no packet for an immediate success"
    );
    let done = ws.wsa_get_overlapped_result(c, &ov, false).unwrap();
    assert_eq!(&done.bufs[0][..5], b"ready");
    ws.closesocket(c).unwrap();
    ws.closesocket(s).unwrap();
    ws.close_completion_port(port).unwrap();
}

#[test]
fn an_inline_completion_gives_the_record_back_at_once() {
    // The inline call takes the record back itself (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: no
    // packet will), so the data is in the returned completion and the backend no longer
    // knows the OVERLAPPED: a later WSAGetOverlappedResult gives WSAEINVAL (the simulator
    // keeps the result, as the structure does on Windows; documented on Immediate).
    let ws = started();
    let (c, s, port) = skipping_with_data(&ws);
    let ov = Overlapped::new(6);
    let got = ws.wsa_recv_overlapped_inline(c, vec![vec![0; 8]], 0, ov, None);
    let Ok(Immediate::Completed(done)) = got else {
        panic!("an immediate receive is handed back: {got:?}");
    };
    assert_eq!((done.bytes, &done.bufs[0][..5]), (5, &b"ready"[..]));
    assert_eq!(
        ws.wsa_get_overlapped_result(c, &ov, false).map(|d| d.bytes),
        Err(WsaError::WSAEINVAL)
    );
    ws.closesocket(c).unwrap();
    ws.closesocket(s).unwrap();
    ws.close_completion_port(port).unwrap();
}
