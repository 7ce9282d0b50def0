//! Handle flags beyond the rules (`tests/conformance_suite/handle_flags.rs`): a protected
//! socket's `closesocket` (Wine's answer, and a misuse named in the report), a thread
//! handle's flags, and the flags following the handle value, not the object.
mod common;

use winsock_sim::prelude::*;

#[test]
fn closesocket_of_a_protected_socket_leaves_it_open_and_is_named_a_misuse() {
    let report = common::run(|ws| {
        let (client, server) = common::pair(ws)?;
        ws.set_socket_handle_information(
            client,
            HANDLE_FLAG_PROTECT_FROM_CLOSE,
            HANDLE_FLAG_PROTECT_FROM_CLOSE,
        )?;
        assert_eq!(ws.closesocket(client), Ok(()), "Wine's ws2_32 returns 0");
        // Still open: it sends, and the peer reads it.
        assert_eq!(ws.send(client, b"still", 0), Ok(5));
        assert_eq!(common::recv_exact(ws, server, 5)?, b"still");
        ws.set_socket_handle_information(client, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0)?;
        ws.closesocket(client)?;
        assert_eq!(ws.send(client, b"x", 0), Err(WsaError::WSAENOTSOCK));
        ws.closesocket(server)
    });
    assert_eq!(report.misuses.len(), 1, "{:#?}", report.misuses);
    assert!(
        report.misuses[0].contains("protected from close"),
        "{:#?}",
        report.misuses
    );
}

#[test]
fn a_thread_handle_has_flags_and_a_protected_one_refuses_closing() {
    common::run(|ws| {
        let t = ws.create_thread("t", |_| Ok(()))?;
        let h = Handle::Thread(t);
        assert_eq!(ws.get_handle_information(h), Ok(0));
        ws.set_handle_information(h, u32::MAX, HANDLE_FLAG_PROTECT_FROM_CLOSE)?;
        assert_eq!(
            ws.get_handle_information(h),
            Ok(HANDLE_FLAG_PROTECT_FROM_CLOSE)
        );
        assert_eq!(ws.close_handle(h), Err(WsaError::WSA_INVALID_HANDLE));
        ws.wait_for_thread(t, INFINITE)?;
        ws.set_handle_information(h, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0)?;
        ws.close_handle(h)
    });
}

#[test]
fn flags_follow_the_handle_value_not_the_object() {
    common::run(|ws| {
        let ev = ws.create_event(true, false)?;
        ws.set_handle_information(Handle::Event(ev), HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)?;
        let dup = ws.duplicate_handle(Handle::Event(ev))?;
        assert_eq!(ws.get_handle_information(dup), Ok(0));
        ws.close_handle(Handle::Event(ev))?;
        // A new object in the freed value starts without flags.
        let again = ws.create_event(true, false)?;
        assert_eq!(again, ev, "the freed value is reused");
        assert_eq!(ws.get_handle_information(Handle::Event(again)), Ok(0));
        // An event's handle value with its low bits set names the same handle.
        let odd = Handle::Event(WsaEvent::from_raw(again.raw() | 3));
        ws.set_handle_information(odd, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)?;
        assert_eq!(
            ws.get_handle_information(Handle::Event(again)),
            Ok(HANDLE_FLAG_INHERIT)
        );
        ws.close_handle(dup)?;
        ws.close_handle(Handle::Event(again))
    });
}

#[test]
fn duplicate_close_source_gives_the_source_value_back() {
    // kernel32 process.c test_DuplicateHandle: with DUPLICATE_CLOSE_SOURCE the source's value,
    // the first free one once it is closed, is the duplicate's ("f == out"); not when the
    // source is protected ("f != out"), which stays open.
    common::run(|ws| {
        let ev = Handle::Event(ws.create_event(true, false)?);
        let out = ws.duplicate_handle_ex(ev, true, DUPLICATE_CLOSE_SOURCE)?;
        assert_eq!(out, ev, "f == out");
        assert_eq!(ws.get_handle_information(out), Ok(HANDLE_FLAG_INHERIT));
        ws.set_handle_information(out, HANDLE_FLAG_PROTECT_FROM_CLOSE, u32::MAX)?;
        let other = ws.duplicate_handle_ex(out, true, DUPLICATE_CLOSE_SOURCE)?;
        assert_ne!(other, out, "f != out");
        assert!(
            ws.get_handle_information(out).is_ok(),
            "the protected source stays"
        );
        ws.set_handle_information(out, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0)?;
        ws.close_handle(out)?;
        ws.close_handle(other)?;
        // A socket's handle closed so comes back as the same value, naming the same socket
        // (its flags those of the duplicate: bInheritHandle FALSE).
        let (client, server) = common::pair(ws)?;
        let same = ws.duplicate_socket_handle_ex(client, false, DUPLICATE_CLOSE_SOURCE)?;
        assert_eq!(same, client);
        assert_eq!(ws.get_socket_handle_information(same), Ok(0));
        assert_eq!(ws.send(same, b"x", 0), Ok(1));
        assert_eq!(common::recv_exact(ws, server, 1)?, b"x");
        ws.closesocket(same)?;
        ws.closesocket(server)
    });
}

#[test]
fn wsa_close_event_of_a_protected_event_is_refused_as_close_handle_is() {
    // WSACloseEvent is CloseHandle underneath: a protected event stays, and works on.
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        let h = Handle::Event(ev);
        ws.set_handle_information(h, HANDLE_FLAG_PROTECT_FROM_CLOSE, u32::MAX)?;
        assert_eq!(ws.wsa_close_event(ev), Err(WsaError::WSA_INVALID_HANDLE));
        assert_eq!(ws.wsa_set_event(ev), Ok(()));
        ws.set_handle_information(h, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0)?;
        ws.wsa_close_event(ev)
    });
}
