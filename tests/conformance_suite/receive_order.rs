//! The order of a socket's receives when blocking and overlapped ones wait together, written
//! once for the simulator and the real ws2_32.
//!
//! On Windows a blocking `recv` that finds nothing to read is a receive request queued on the
//! socket, as a pending overlapped WSARecv is (AFD keeps one queue of them), and data goes to
//! the oldest. Wine keeps one queue of asyncs per socket for both, in the same order.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, pair, Check, Rule};

/// The rules.
pub fn receive_order_rules<W>() -> Vec<Rule<W>>
where
    W: Winsock + SyncObjects + OverlappedIo + Send + Sync + 'static,
{
    vec![
        Rule { id: "RECV-order", title: "blocking recv and overlapped WSARecv waiting on one stream socket take arriving data in the order they were made: an overlapped receive made before the blocking one first, one made after it last", body: stream_order::<W> },
        Rule { id: "RECV-order-udp", title: "the same with a blocking recv and overlapped WSARecvs on one datagram socket: each datagram goes to the oldest receive waiting", body: datagram_order::<W> },
    ]
}

fn stream_order<W>(ws: &W, c: &mut Check) -> Result<(), String>
where
    W: Winsock + SyncObjects + OverlappedIo + Send + Sync + 'static,
{
    let (cl, s) = pair(ws)?;
    e(
        "TCP_NODELAY",
        ws.setsockopt_i32(cl, IPPROTO_TCP, TCP_NODELAY, 1),
    )?;
    in_order(ws, c, cl, s)
}

fn datagram_order<W>(ws: &W, c: &mut Check) -> Result<(), String>
where
    W: Winsock + SyncObjects + OverlappedIo + Send + Sync + 'static,
{
    let udp = |ws: &W| -> Result<Socket, String> {
        let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
        e("bind", ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0)))?;
        Ok(u)
    };
    let (cl, s) = (udp(ws)?, udp(ws)?);
    let to = e("getsockname", ws.getsockname(s))?;
    e("connect", ws.connect(cl, &to))?;
    in_order(ws, c, cl, s)
}

/// An overlapped receive on `s`, then a blocking recv in another thread, then a second
/// overlapped receive; three sends from `cl` (a datagram each on UDP) go one to each, in
/// that order.
fn in_order<W>(ws: &W, c: &mut Check, cl: Socket, s: Socket) -> Result<(), String>
where
    W: Winsock + SyncObjects + OverlappedIo + Send + Sync + 'static,
{
    let first = Overlapped::new(1);
    c.eq(
        "the first overlapped WSARecv",
        ws.wsa_recv_overlapped(s, vec![vec![0u8; 4]], 0, first, None)
            .map(|_| ()),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    let slot = Arc::new(Mutex::new(None));
    let out = Arc::clone(&slot);
    let t = e(
        "CreateThread",
        ws.create_thread("blocking-recv", move |ws: &W| {
            let mut b = [0u8; 4];
            let r = ws.recv(s, &mut b, 0).map(|n| b[..n].to_vec());
            *out.lock().expect("slot") = Some(r);
            Ok(())
        }),
    )?;
    ws.sleep(200);
    let last = Overlapped::new(2);
    c.eq(
        "the second overlapped WSARecv, after the blocking recv",
        ws.wsa_recv_overlapped(s, vec![vec![0u8; 4]], 0, last, None)
            .map(|_| ()),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    for (data, what) in [(b"abcd", "first"), (b"efgh", "second"), (b"ijkl", "third")] {
        e(what, ws.send(cl, data, 0))?;
        ws.sleep(200);
    }
    c.eq(
        "the first overlapped receive",
        ws.wsa_get_overlapped_result(s, &first, false)
            .map(|d| d.bufs.concat()),
        Ok(b"abcd".to_vec()),
    )?;
    e(
        "wait for the blocking recv",
        ws.wait_for_single_object(t.into(), 5_000),
    )?;
    let blocking = slot.lock().expect("slot").take();
    c.eq("the blocking recv", blocking, Some(Ok(b"efgh".to_vec())))?;
    c.eq(
        "the overlapped receive made after it",
        ws.wsa_get_overlapped_result(s, &last, false)
            .map(|d| d.bufs.concat()),
        Ok(b"ijkl".to_vec()),
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(cl))
}
