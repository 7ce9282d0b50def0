//! A blocking recv that waits is a receive request queued on the socket, as AFD queues one
//! for a pending overlapped WSARecv (EV-20, sock.c `test_read_events` L7060-7090): data that
//! arrives goes into the oldest request. Other threads never see it: select and WSAPoll do
//! not report the socket readable, FIONREAD reads 0, FD_READ is not recorded, and a later
//! receive cannot take it. Wine's server does the same for its waiting read requests (it
//! withholds POLLIN from polls and events).
//!
//! Each test runs over many seeds: before the requests were modelled, the waiting thread was
//! only woken, and whether another thread saw the data first was up to the scheduler.
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// A receiving thread and where it leaves what its recv returned.
type Receiver = (ThreadId, Arc<Mutex<Option<Result<Vec<u8>, WsaError>>>>);

/// Seeds each test runs over.
const SEEDS: u64 = 40;

/// Runs `body` under each seed.
fn each_seed(body: fn(&SimWinsock) -> Result<(), WsaError>) {
    for seed in 0..SEEDS {
        common::run_with(Sim::builder().seed(seed), body);
    }
}

/// Starts a thread that receives into a buffer of `len` bytes with `flags` and keeps what
/// it got; returns once it waits.
fn receiver(ws: &SimWinsock, s: Socket, len: usize, flags: i32) -> Result<Receiver, WsaError> {
    let got = Arc::new(Mutex::new(None));
    let out = got.clone();
    let t = ws.create_thread("receiver", move |ws: &SimWinsock| {
        let mut buf = vec![0u8; len];
        let r = ws.recv(s, &mut buf, flags).map(|n| buf[..n].to_vec());
        *out.lock().unwrap() = Some(r);
        Ok(())
    })?;
    // Long enough for the thread to be waiting in its recv when this returns.
    ws.sleep(5);
    Ok((t, got))
}

/// The catalogue's pair, the client with TCP_NODELAY: each send is a segment at once.
fn nodelay_pair(ws: &SimWinsock) -> Result<(Socket, Socket), WsaError> {
    let (c, s) = common::pair(ws)?;
    ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
    Ok((c, s))
}

/// Sends all of `data` on `s` 5 ms from now.
fn send_later(ws: &SimWinsock, s: Socket, data: &[u8]) -> Result<(), WsaError> {
    ws.sleep(5);
    assert_eq!(ws.send(s, data, 0), Ok(data.len()));
    Ok(())
}

/// What a [`receiver`] got once its thread ended.
fn result_of(ws: &SimWinsock, (t, got): Receiver) -> Result<Vec<u8>, WsaError> {
    ws.wait_for_thread(t, 5_000)?;
    let r = got.lock().unwrap().take();
    r.expect("the receiver ended")
}

fn fionread(ws: &SimWinsock, s: Socket) -> Result<u32, WsaError> {
    let mut n = 0;
    ws.ioctlsocket(s, FIONREAD, &mut n)?;
    Ok(n)
}

#[test]
fn data_for_a_waiting_recv_is_invisible_to_select_wsapoll_and_fionread() {
    // Proves: while a thread waits in recv, data that arrives is its own: a select and a
    // WSAPoll waiting in other threads time out, and FIONREAD then reads 0.
    each_seed(|ws| {
        let (c, s) = common::pair(ws)?;
        let r = receiver(ws, s, 64, 0)?;
        ws.sleep(10);
        let selecting = ws.create_thread("select", move |ws: &SimWinsock| {
            let mut rd = FdSet::new();
            rd.set(s);
            let n = ws.select(
                Some(&mut rd),
                None,
                None,
                Some(std::time::Duration::from_millis(50)),
            )?;
            assert_eq!(n, 0, "select saw data a waiting recv took");
            assert_eq!(fionread(ws, s)?, 0);
            Ok(())
        })?;
        let polling = ws.create_thread("poll", move |ws: &SimWinsock| {
            let mut fds = [WsaPollFd::new(s, POLLRDNORM)];
            assert_eq!(
                ws.wsa_poll(&mut fds, 50)?,
                0,
                "WSAPoll saw data a waiting recv took"
            );
            assert_eq!(fds[0].revents, 0);
            Ok(())
        })?;
        ws.sleep(10);
        assert_eq!(ws.send(c, b"hello", 0), Ok(5));
        assert_eq!(result_of(ws, r)?, b"hello");
        ws.wait_for_thread(selecting, 5_000)?;
        ws.wait_for_thread(polling, 5_000)?;
        // With no receive waiting, the next data is the socket's to report.
        assert_eq!(ws.send(c, b"more", 0), Ok(4));
        let mut rd = FdSet::new();
        rd.set(s);
        assert_eq!(ws.select(Some(&mut rd), None, None, None), Ok(1));
        assert_eq!(fionread(ws, s)?, 4);
        Ok(())
    });
}

#[test]
fn blocking_receives_take_data_in_the_order_they_began_to_wait() {
    // Proves: two threads waiting in recv on one socket are served oldest first: the first
    // message goes to the thread that began to wait first, whichever the scheduler runs
    // first once it arrives.
    each_seed(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let first = receiver(ws, s, 16, 0)?;
        let second = receiver(ws, s, 16, 0)?;
        assert_eq!(ws.send(c, b"one", 0), Ok(3));
        send_later(ws, c, b"two")?;
        assert_eq!(result_of(ws, first)?, b"one");
        assert_eq!(result_of(ws, second)?, b"two");
        Ok(())
    });
}

#[test]
fn a_msg_waitall_recv_takes_every_piece_before_anyone_sees_it() {
    // Proves: a MSG_WAITALL recv keeps its request until its buffer is full: the pieces
    // sent meanwhile are never readable to a select in another thread, nor counted by
    // FIONREAD, and the recv returns them all.
    each_seed(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let r = receiver(ws, s, 10, MSG_WAITALL)?;
        let selecting = ws.create_thread("select", move |ws: &SimWinsock| {
            let mut rd = FdSet::new();
            rd.set(s);
            let n = ws.select(
                Some(&mut rd),
                None,
                None,
                Some(std::time::Duration::from_millis(30)),
            )?;
            assert_eq!(n, 0, "select saw a piece a MSG_WAITALL recv took");
            Ok(())
        })?;
        send_later(ws, c, b"abc")?;
        ws.sleep(5);
        assert_eq!(fionread(ws, s)?, 0);
        assert_eq!(ws.send(c, b"defg", 0), Ok(4));
        ws.sleep(5);
        assert_eq!(fionread(ws, s)?, 0);
        ws.wait_for_thread(selecting, 5_000)?;
        assert_eq!(ws.send(c, b"hijXY", 0), Ok(5));
        assert_eq!(result_of(ws, r)?, b"abcdefghij");
        // What the request had no room for stays queued.
        ws.sleep(5);
        assert_eq!(fionread(ws, s)?, 2);
        Ok(())
    });
}

#[test]
fn data_for_a_waiting_recv_records_no_fd_read() {
    // Proves: WSAEventSelect chosen by another thread while a recv waits does not get
    // FD_READ for the data the recv takes (as a pending overlapped receive, EV-20); the next
    // data, with no receive waiting, records FD_READ.
    each_seed(|ws| {
        let (c, s) = common::pair(ws)?;
        let r = receiver(ws, s, 64, 0)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_READ)?;
        assert_eq!(ws.send(c, b"taken", 0), Ok(5));
        assert_eq!(result_of(ws, r)?, b"taken");
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, 0, "FD_READ for data a waiting recv took");
        assert_eq!(ws.send(c, b"left", 0), Ok(4));
        assert_eq!(
            ws.wait_for_single_object(Handle::from(ev), 1_000),
            Ok(WAIT_OBJECT_0)
        );
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_READ);
        Ok(())
    });
}

#[test]
fn a_waiting_peek_or_empty_recv_sees_the_data_and_leaves_it_to_the_next() {
    // Proves: a MSG_PEEK recv and a zero-length recv waiting first complete when data
    // arrives (the peek with a copy, the empty one with 0) and leave it to the recv that
    // began to wait after them.
    each_seed(|ws| {
        let (c, s) = common::pair(ws)?;
        let peek = receiver(ws, s, 8, MSG_PEEK)?;
        let empty = receiver(ws, s, 0, 0)?;
        let take = receiver(ws, s, 8, 0)?;
        assert_eq!(ws.send(c, b"hi", 0), Ok(2));
        assert_eq!(result_of(ws, peek)?, b"hi");
        assert_eq!(result_of(ws, empty)?, b"");
        assert_eq!(result_of(ws, take)?, b"hi");
        assert_eq!(fionread(ws, s)?, 0);
        Ok(())
    });
}

#[test]
fn a_recv_whose_socket_is_closed_while_it_waits_takes_nothing_later() {
    // Proves: a recv whose socket another thread closes ends with WSAEINTR, and the request
    // it left is taken off: a connection made next, which may get the closed socket's
    // handle and slot, receives its own data. (A guard: this passed before requests too.)
    each_seed(|ws| {
        let (c, s) = common::pair(ws)?;
        let r = receiver(ws, s, 8, 0)?;
        ws.closesocket(s)?;
        assert_eq!(result_of(ws, r), Err(WsaError::WSAEINTR));
        // A socket made now may get the closed one's handle and slot; its receives are its own.
        let (c2, s2) = common::pair(ws)?;
        assert_eq!(ws.send(c2, b"new", 0), Ok(3));
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(s2, &mut buf, 0), Ok(3));
        ws.closesocket(c)?;
        Ok(())
    });
}

#[test]
fn a_recv_keeps_its_place_while_an_apc_runs_during_its_wait() {
    // Proves: a blocking recv waits alertably (sock.c test_WSARecv), and an APC that runs
    // during its wait does not end its receive request: the bytes it had are kept, and it
    // stays ahead of a recv that began to wait after it.
    each_seed(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let first = receiver(ws, s, 6, MSG_WAITALL)?;
        let second = receiver(ws, s, 16, 0)?;
        assert_eq!(ws.send(c, b"abc", 0), Ok(3));
        ws.sleep(5);
        let ran = Arc::new(AtomicU32::new(0));
        let count = ran.clone();
        ws.queue_user_apc(
            Box::new(move |_: &SimWinsock| {
                count.fetch_add(1, Ordering::SeqCst);
            }),
            first.0,
        )?;
        ws.sleep(5);
        assert_eq!(ran.load(Ordering::SeqCst), 1, "the APC ran during the recv");
        assert_eq!(ws.send(c, b"def", 0), Ok(3));
        send_later(ws, c, b"ghi")?;
        assert_eq!(result_of(ws, first)?, b"abcdef");
        assert_eq!(result_of(ws, second)?, b"ghi");
        Ok(())
    });
}

#[test]
fn a_msg_waitall_recv_ended_by_the_peers_close_returns_what_it_has() {
    // Proves: a MSG_WAITALL request that the peer's graceful close ends before it is full
    // returns the bytes it was given ("the connection has been closed", recv's
    // documentation), and the next recv reads 0.
    each_seed(|ws| {
        let (c, s) = common::pair(ws)?;
        let r = receiver(ws, s, 10, MSG_WAITALL)?;
        assert_eq!(ws.send(c, b"abc", 0), Ok(3));
        ws.sleep(5);
        ws.closesocket(c)?;
        assert_eq!(result_of(ws, r)?, b"abc");
        let mut buf = [0u8; 4];
        assert_eq!(ws.recv(s, &mut buf, 0), Ok(0));
        Ok(())
    });
}

#[test]
fn a_recv_whose_request_completed_returns_its_data_though_the_socket_is_closed_next() {
    // Proves: a close that comes after data completed a waiting recv's request, before the
    // recv's thread ran again, does not take the data back: the recv returns it, as its
    // request completed first (closing a socket cannot undo a completed I/O request). The
    // closing thread waits in a MSG_PEEK recv queued before that request, so the segment
    // that completes one completes both, and the scheduler runs either thread first.
    static CLOSED_FIRST: AtomicU32 = AtomicU32::new(0);
    for seed in 0..SEEDS {
        common::run_with(Sim::builder().seed(seed), |ws| {
            let (c, s) = common::pair(ws)?;
            // The receiver's result slot, for the closer to see whether it has returned.
            type Slot = Arc<Mutex<Option<Result<Vec<u8>, WsaError>>>>;
            let slot: Arc<std::sync::OnceLock<Slot>> = Arc::new(std::sync::OnceLock::new());
            let seen = slot.clone();
            let closer = ws.create_thread("closer", move |ws: &SimWinsock| {
                let mut b = [0u8; 1];
                assert_eq!(ws.recv(s, &mut b, MSG_PEEK), Ok(1));
                let returned = seen.get().is_some_and(|g| g.lock().unwrap().is_some());
                if !returned {
                    CLOSED_FIRST.fetch_add(1, Ordering::SeqCst);
                }
                ws.closesocket(s)
            })?;
            ws.sleep(5);
            let (t, got) = receiver(ws, s, 8, 0)?;
            let _ = slot.set(got.clone());
            send_later(ws, c, b"x")?;
            ws.wait_for_thread(closer, 5_000)?;
            ws.wait_for_thread(t, 5_000)?;
            let r = got.lock().unwrap().take().expect("the receiver ended");
            assert_eq!(r, Ok(b"x".to_vec()));
            Ok(())
        });
    }
    assert!(
        CLOSED_FIRST.load(Ordering::SeqCst) > 0,
        "no seed closed the socket before the receiver ran"
    );
}

/// Two UDP sockets on 127.0.0.1; returns (sender, receiver, the receiver's address).
fn udp_pair(ws: &SimWinsock) -> Result<(Socket, Socket, SockAddr), WsaError> {
    let a = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let b = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(a, &SockAddr::v4([127, 0, 0, 1], 0))?;
    ws.bind(b, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let to = ws.getsockname(b)?;
    Ok((a, b, to))
}

#[test]
fn datagrams_go_to_waiting_recvfroms_oldest_first_and_unseen() {
    // Proves: the datagram sibling. Threads waiting in recvfrom on one UDP socket (a game
    // server's workers) get the datagrams in the order they began to wait; a select waiting
    // in another thread, and FIONREAD, never see a datagram a waiting recvfrom took; a
    // waiting MSG_PEEK recvfrom gets a copy and the datagram goes on to the next.
    each_seed(|ws| {
        let (a, b, to) = udp_pair(ws)?;
        let peek = receiver(ws, b, 16, MSG_PEEK)?;
        let first = receiver(ws, b, 16, 0)?;
        let second = receiver(ws, b, 16, 0)?;
        let selecting = ws.create_thread("select", move |ws: &SimWinsock| {
            let mut rd = FdSet::new();
            rd.set(b);
            let n = ws.select(
                Some(&mut rd),
                None,
                None,
                Some(std::time::Duration::from_millis(30)),
            )?;
            assert_eq!(n, 0, "select saw a datagram a waiting recvfrom took");
            assert_eq!(fionread(ws, b)?, 0);
            Ok(())
        })?;
        ws.sleep(5);
        assert_eq!(ws.sendto(a, b"one", 0, &to), Ok(3));
        ws.sleep(5);
        assert_eq!(ws.sendto(a, b"two", 0, &to), Ok(3));
        assert_eq!(result_of(ws, peek)?, b"one");
        assert_eq!(result_of(ws, first)?, b"one");
        assert_eq!(result_of(ws, second)?, b"two");
        ws.wait_for_thread(selecting, 5_000)?;
        // With no recvfrom waiting, the next datagram is queued, for FIONREAD and select.
        assert_eq!(ws.sendto(a, b"three", 0, &to), Ok(5));
        ws.sleep(5);
        assert_eq!(fionread(ws, b)?, 5);
        Ok(())
    });
}

#[test]
fn a_waiting_recvfrom_with_a_short_buffer_gets_wsaemsgsize_and_loses_the_rest() {
    // Proves: a datagram given to a waiting recvfrom whose buffer is too small fills the
    // buffer and fails the call with WSAEMSGSIZE, as when it was queued first; the next
    // datagram is not affected.
    each_seed(|ws| {
        let (a, b, to) = udp_pair(ws)?;
        let short = receiver(ws, b, 4, 0)?;
        assert_eq!(ws.sendto(a, b"too long", 0, &to), Ok(8));
        assert_eq!(result_of(ws, short), Err(WsaError::WSAEMSGSIZE));
        assert_eq!(ws.sendto(a, b"ok", 0, &to), Ok(2));
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(b, &mut buf, 0), Ok(2));
        Ok(())
    });
}

#[test]
fn a_msg_waitall_recv_larger_than_the_receive_window_completes() {
    // Proves: a waiting MSG_WAITALL request takes data as it arrives, so it never fills the
    // receive window: a 1 MiB request on a socket with an 8 KiB SO_RCVBUF completes from one
    // blocking send of 1 MiB, every byte in order. (A guard on the window's accounting.)
    each_seed(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVBUF, 8 * 1024)?;
        let r = receiver(ws, s, 1 << 20, MSG_WAITALL)?;
        let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        assert_eq!(ws.send(c, &data, 0), Ok(data.len()));
        assert!(result_of(ws, r)? == data, "the bytes in order");
        Ok(())
    });
}

#[test]
fn a_msg_waitall_recv_made_after_the_peers_close_returns_what_is_left() {
    // Proves: a MSG_WAITALL recv that asks for more than is left once the peer's FIN is in
    // returns what is left at once, and the next recv reads 0. (It waited forever before:
    // it took the bytes and waited for more that could not come. Found by
    // tests/receive_request_property.rs.)
    each_seed(|ws| {
        let (c, s) = common::pair(ws)?;
        assert_eq!(ws.send(c, b"abc", 0), Ok(3));
        ws.closesocket(c)?;
        ws.sleep(5);
        let mut buf = [0u8; 10];
        assert_eq!(ws.recv(s, &mut buf, MSG_WAITALL), Ok(3));
        assert_eq!(ws.recv(s, &mut buf, MSG_WAITALL), Ok(0));
        Ok(())
    });
}

// Blocking and overlapped receives on one socket share its queue of receive requests, in
// the order they were made (rules RECV-order and RECV-order-udp also run on the real
// ws2_32). Before, the blocking ones were served first whatever their age.

/// A pending overlapped WSARecv of `len` bytes with `flags` on `s`.
fn overlapped_recv(ws: &SimWinsock, s: Socket, id: u64, len: usize, flags: u32) -> Overlapped {
    let ov = Overlapped::new(id);
    let r = ws.wsa_recv_overlapped(s, vec![vec![0u8; len]], flags, ov, None);
    assert_eq!(r.err(), Some(WsaError::WSA_IO_PENDING));
    ov
}

/// What overlapped receive `ov` took (its error if it failed, WSA_IO_INCOMPLETE if pending).
fn overlapped_result(ws: &SimWinsock, s: Socket, ov: &Overlapped) -> Result<Vec<u8>, WsaError> {
    let d = ws.wsa_get_overlapped_result(s, ov, false)?;
    match d.error {
        Some(e) => Err(e),
        None => Ok(d.bufs.concat()[..d.bytes].to_vec()),
    }
}

#[test]
fn an_overlapped_msg_waitall_receive_made_first_fills_before_a_blocking_recv_gets_any() {
    // The older MSG_WAITALL receive keeps taking data until full; the blocking recv made
    // after it gets what follows.
    each_seed(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let ov = overlapped_recv(ws, s, 1, 6, MSG_WAITALL as u32);
        let r = receiver(ws, s, 64, 0)?;
        send_later(ws, c, b"abcd")?;
        ws.sleep(10);
        assert_eq!(
            overlapped_result(ws, s, &ov),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        send_later(ws, c, b"efgh")?;
        assert_eq!(result_of(ws, r)?, b"gh");
        assert_eq!(overlapped_result(ws, s, &ov)?, b"abcdef");
        Ok(())
    });
}

#[test]
fn a_blocking_recv_behind_a_cancelled_overlapped_receive_takes_the_next_data() {
    each_seed(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let ov = overlapped_recv(ws, s, 1, 8, 0);
        let r = receiver(ws, s, 64, 0)?;
        ws.cancel_io_ex(s, Some(&ov))?;
        send_later(ws, c, b"abcd")?;
        assert_eq!(result_of(ws, r)?, b"abcd");
        assert_eq!(
            ws.wsa_get_overlapped_result(s, &ov, false)?.error,
            Some(WsaError::WSA_OPERATION_ABORTED)
        );
        Ok(())
    });
}

#[test]
fn overlapped_receives_made_after_a_waiting_recvfrom_get_the_datagrams_after_it() {
    // Datagrams: overlapped, blocking, overlapped, each made in turn, get one each in that
    // order; a MSG_PEEK recvfrom waiting in the middle sees the datagram its elders left.
    each_seed(|ws| {
        let (a, b, to) = udp_pair(ws)?;
        let first = overlapped_recv(ws, b, 1, 8, 0);
        let peek = receiver(ws, b, 8, MSG_PEEK)?;
        let r = receiver(ws, b, 8, 0)?;
        let last = overlapped_recv(ws, b, 2, 8, 0);
        for d in [&b"one"[..], b"two", b"three"] {
            ws.sleep(5);
            assert_eq!(ws.sendto(a, d, 0, &to), Ok(d.len()));
        }
        ws.sleep(10);
        assert_eq!(overlapped_result(ws, b, &first)?, b"one");
        assert_eq!(result_of(ws, peek)?, b"two");
        assert_eq!(result_of(ws, r)?, b"two");
        assert_eq!(overlapped_result(ws, b, &last)?, b"three");
        Ok(())
    });
}

#[test]
fn recv_refuses_msg_waitall_where_the_documentation_does_and_takes_nothing() {
    // Proves (recv's and WSARecv's documentation, as the overlapped WSARecv already did):
    // MSG_WAITALL with MSG_PEEK, MSG_OOB or MSG_PARTIAL, on a nonblocking socket, or on a
    // datagram socket fails at once with WSAEOPNOTSUPP (after WSAENOTSOCK), without
    // blocking or taking a byte. Before, recv peeked, blocked for urgent data that never
    // came, or returned what a nonblocking socket had.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.send(c, b"data", 0)?;
        ws.sleep(10);
        let mut buf = [0u8; 8];
        let refused = Err(WsaError::WSAEOPNOTSUPP);
        assert_eq!(
            ws.recv(Socket::from_raw(0xdead), &mut buf, MSG_WAITALL | MSG_PEEK),
            Err(WsaError::WSAENOTSOCK)
        );
        for extra in [MSG_PEEK, MSG_OOB, MSG_PARTIAL] {
            assert_eq!(ws.recv(s, &mut buf, MSG_WAITALL | extra), refused);
        }
        assert_eq!(
            ws.wsa_recv(s, &mut [&mut buf[..]], MSG_WAITALL as u32 | MSG_PEEK as u32),
            refused.map(|n: usize| (n, 0))
        );
        ws.set_nonblocking(s, true)?;
        assert_eq!(ws.recv(s, &mut buf, MSG_WAITALL), refused);
        assert_eq!(ws.recv(s, &mut buf, 0), Ok(4));
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let to = ws.getsockname(u)?;
        ws.sendto(u, b"dgram", 0, &to)?;
        ws.sleep(10);
        assert_eq!(
            ws.recvfrom(u, &mut buf, MSG_WAITALL).map(|(n, _)| n),
            refused
        );
        assert_eq!(ws.recvfrom(u, &mut buf, 0).map(|(n, _)| n), Ok(5));
        Ok(())
    });
}
