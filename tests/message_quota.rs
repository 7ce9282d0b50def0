//! A thread's message queue holds 10,000 posted messages (PostMessage's documentation:
//! Windows' default USERPostMessageLimit). Past it PostMessage and PostThreadMessage fail with
//! ERROR_NOT_ENOUGH_QUOTA (rule `AS-quota` checks that on both backends), and a WSAAsyncSelect
//! notification the system posts then is lost: its event stays off until its re-enabling call,
//! so a server whose message loop falls that far behind stops hearing of the socket. These
//! tests show that loss, and the recovery a recv brings.
mod common;

use common::{pair, run};
use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

const WM_SOCKET: u32 = WM_USER + 1;

/// Takes every queued message: (how many WM_USER, the WSAAsyncSelect messages).
fn drain<W: AsyncSelect>(ws: &W) -> Result<(usize, Vec<Msg>), WsaError> {
    let (mut user, mut socket) = (0, Vec::new());
    while let Some(m) = ws.peek_message(Hwnd::NULL, PM_REMOVE)? {
        match m.message {
            WM_USER => user += 1,
            WM_SOCKET => socket.push(m),
            other => panic!("unexpected message {other:#x}"),
        }
    }
    Ok((user, socket))
}

#[test]
fn an_fd_read_that_finds_the_queue_full_is_lost_until_a_recv() {
    run(|ws| {
        let h = ws.create_window(None)?;
        let (cl, sv) = pair(ws)?;
        ws.wsa_async_select(sv, h, WM_SOCKET, FD_READ)?;
        for i in 0..10_000 {
            ws.post_message(h, WM_USER, i, 0)?;
        }
        assert_eq!(
            ws.post_message(h, WM_USER, 0, 0),
            Err(WsaError::ERROR_NOT_ENOUGH_QUOTA)
        );
        // Data arrives while the queue is full: its FD_READ cannot be posted.
        ws.send(cl, b"12345678", 0)?;
        ws.sleep(100);
        let (user, socket) = drain(ws)?;
        assert_eq!((user, socket.len()), (10_000, 0), "the FD_READ was lost");
        // With room again, more data posts nothing: FD_READ is off until a recv.
        ws.send(cl, b"9", 0)?;
        ws.sleep(100);
        assert_eq!(drain(ws)?, (0, Vec::new()));
        // A recv that leaves data re-enables FD_READ, and it is posted at once.
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(sv, &mut b, 0)?, 4);
        let (_, socket) = drain(ws)?;
        let fd_read = wsa_make_select_reply(FD_READ, 0);
        assert_eq!(
            socket
                .iter()
                .map(|m| (m.wparam, m.lparam))
                .collect::<Vec<_>>(),
            vec![(sv.raw(), fd_read)]
        );
        ws.closesocket(cl)?;
        ws.closesocket(sv)?;
        ws.destroy_window(h)
    });
}

#[test]
fn with_room_in_the_queue_the_fd_read_comes() {
    // The neighbour: the same steps with one message fewer in the queue.
    run(|ws| {
        let h = ws.create_window(None)?;
        let (cl, sv) = pair(ws)?;
        ws.wsa_async_select(sv, h, WM_SOCKET, FD_READ)?;
        for i in 0..9_999 {
            ws.post_message(h, WM_USER, i, 0)?;
        }
        ws.send(cl, b"12345678", 0)?;
        ws.sleep(100);
        let (user, socket) = drain(ws)?;
        assert_eq!((user, socket.len()), (9_999, 1));
        ws.closesocket(cl)?;
        ws.closesocket(sv)?;
        ws.destroy_window(h)
    });
}

#[test]
fn the_timeline_says_which_notification_was_lost() {
    // A failed run's timeline names the cause: the lost message, with its socket.
    let mut sim = Sim::builder().seed(common::seed()).full_trace(true).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let w = ws.create_window(None)?;
        let (cl, sv) = pair(ws)?;
        ws.wsa_async_select(sv, w, WM_SOCKET, FD_READ)?;
        for i in 0..10_000 {
            ws.post_message(w, WM_USER, i, 0)?;
        }
        ws.send(cl, b"x", 0)?;
        ws.sleep(100);
        Ok(())
    });
    sim.run().expect("the run");
    let lost: Vec<String> = sim
        .timeline()
        .into_iter()
        .filter(|l| l.contains("WSAAsyncSelect message lost"))
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(
        lost[0].contains("net") && lost[0].contains("the window's queue holds 10,000"),
        "{}",
        lost[0]
    );
}
