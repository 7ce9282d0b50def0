//! `DuplicateHandle` in the simulator, beyond the shared rules (`conformance_suite/
//! duplicate_handle.rs`): the neighbours of closing one of two handles — while another thread
//! waits on the object or is blocked in a receive on the socket — and the handles it refuses
//! or passes through (a window, a thread, an event's handle given as a SOCKET), and
//! WSACleanup with a duplicate open.
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

#[test]
fn a_wait_on_an_object_outlives_the_handle_it_named() {
    // Proves: a thread waiting on an event through one handle keeps waiting when that handle
    // is closed while a duplicate stays open, and SetEvent through the duplicate ends its
    // wait with WAIT_OBJECT_0 (the object is one; closing a handle is not signalling it).
    common::run(|ws| {
        let ev = ws.create_event(true, false)?;
        let Handle::Event(dup) = ws.duplicate_handle(Handle::Event(ev))? else {
            panic!("an event's duplicate is an event handle");
        };
        let woke = Arc::new(AtomicU32::new(u32::MAX));
        let w = Arc::clone(&woke);
        let waiter = ws.create_thread("waiter", move |ws| {
            let r = ws.wait_for_single_object(Handle::Event(ev), 10_000)?;
            w.store(r, Ordering::SeqCst);
            Ok(())
        })?;
        ws.sleep(10);
        ws.close_handle(Handle::Event(ev))?;
        ws.sleep(10);
        assert_eq!(woke.load(Ordering::SeqCst), u32::MAX, "still waiting");
        ws.set_event(dup)?;
        ws.wait_for_thread(waiter, INFINITE)?;
        assert_eq!(woke.load(Ordering::SeqCst), WAIT_OBJECT_0);
        ws.close_handle(Handle::Event(dup))
    });
}

#[test]
fn closing_one_socket_handle_leaves_a_blocked_receive_on_the_other() {
    // Proves: closesocket of the original while another thread is blocked in recv on the
    // DuplicateHandle'd handle cancels nothing: the receive takes the peer's bytes that come
    // afterwards, and the connection closes with the last handle.
    common::run(|ws| {
        let (client, server) = common::pair(ws)?;
        let dup = ws.duplicate_socket_handle(client)?;
        let got = Arc::new(AtomicU32::new(0));
        let g = Arc::clone(&got);
        let reader = ws.create_thread("reader", move |ws| {
            let mut buf = [0u8; 16];
            let n = ws.recv(dup, &mut buf, 0)?;
            assert_eq!(&buf[..n], b"late");
            g.store(n as u32, Ordering::SeqCst);
            ws.closesocket(dup)
        })?;
        ws.sleep(10);
        ws.closesocket(client)?;
        ws.sleep(10);
        assert_eq!(ws.send(server, b"late", 0)?, 4);
        ws.wait_for_thread(reader, INFINITE)?;
        assert_eq!(got.load(Ordering::SeqCst), 4);
        let mut buf = [0u8; 4];
        assert_eq!(
            ws.recv(server, &mut buf, 0),
            Ok(0),
            "FIN after the last handle"
        );
        ws.closesocket(server)
    });
}

#[test]
fn windows_threads_and_events_given_as_sockets() {
    // Proves: an HWND is no kernel handle (ERROR_INVALID_HANDLE, the last error set); a
    // thread's handle duplicates to itself here, a thread that never was is
    // ERROR_INVALID_HANDLE; an event's handle given as a SOCKET is duplicated as the event it
    // names: WinSock refuses the copy (WSAENOTSOCK), CloseHandle takes it, and the event lives
    // until both of its handles are closed.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let as_event = Handle::Event(WsaEvent::from_raw(hwnd.raw()));
        ws.wsa_set_last_error(0);
        assert_eq!(
            ws.duplicate_handle(as_event),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_INVALID_HANDLE.code());
        ws.destroy_window(hwnd)?;

        let me = ws.get_current_thread();
        assert_eq!(
            ws.duplicate_handle(Handle::Thread(me)),
            Ok(Handle::Thread(me))
        );

        let ev = ws.create_event(true, false)?;
        let copy = ws.duplicate_socket_handle(Socket::from_raw(ev.raw()))?;
        common::fails(ws, ws.send(copy, b"x", 0), WsaError::WSAENOTSOCK, "send");
        ws.close_handle(Handle::Event(ev))?;
        let copy_ev = WsaEvent::from_raw(copy.raw());
        ws.set_event(copy_ev)?;
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(copy_ev), 0),
            Ok(WAIT_OBJECT_0)
        );
        ws.close_handle(Handle::Event(copy_ev))?;
        assert_eq!(ws.set_event(copy_ev), Err(WsaError::WSA_INVALID_HANDLE));
        Ok(())
    });
}

#[test]
fn wsacleanup_closes_every_handle_of_a_socket() {
    // Proves: the last WSACleanup closes a socket with all its handles, a DuplicateHandle'd
    // one included (and the peer's): after a new WSAStartup all three are WSAENOTSOCK.
    common::run(|ws| {
        let (client, server) = common::pair(ws)?;
        let dup = ws.duplicate_socket_handle(client)?;
        ws.wsa_cleanup()?;
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        common::fails(
            ws,
            ws.send(client, b"x", 0),
            WsaError::WSAENOTSOCK,
            "original",
        );
        common::fails(
            ws,
            ws.send(dup, b"x", 0),
            WsaError::WSAENOTSOCK,
            "duplicate",
        );
        common::fails(
            ws,
            ws.send(server, b"x", 0),
            WsaError::WSAENOTSOCK,
            "the peer",
        );
        Ok(())
    });
}
