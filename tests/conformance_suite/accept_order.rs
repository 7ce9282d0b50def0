//! Several threads blocked in `accept` on one listener, written once for the simulator and
//! the real ws2_32: each connection goes to the oldest blocked caller (AFD completes its
//! listen requests in the order they came), and a connection handed over that way is never
//! seen by another thread's select.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn accept_order_rules<W: Winsock + Select>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "ACC-fifo",
            title: "two threads blocked in accept on one listener, the second 200 ms after the first: the first connection goes to the first thread, the second to the second",
            body: oldest_first::<W>,
        },
        Rule {
            id: "ACC-fifo-select",
            title: "with a thread blocked in accept, another thread's select on the listener does not see the connection that thread takes",
            body: unseen_by_select::<W>,
        },
    ]
}

/// The peer port each accepting thread got, by thread.
type Got = Arc<Mutex<Vec<(usize, u16)>>>;

/// A listener on 127.0.0.1 and its address.
fn listener<W: Winsock>(ws: &W) -> Result<(Socket, SockAddr), String> {
    let l = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    e("bind", ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0)))?;
    e("listen", ws.listen(l, 5))?;
    let a = e("getsockname", ws.getsockname(l))?;
    Ok((l, a))
}

/// Starts thread `n`, which blocks in accept on `l` and records the peer's port.
fn acceptor<W: Winsock>(ws: &W, l: Socket, n: usize, got: &Got) -> Result<ThreadId, String> {
    let out = Arc::clone(got);
    e(
        "CreateThread",
        ws.create_thread("acceptor", move |ws| {
            let (a, peer) = ws.accept(l)?;
            out.lock()
                .expect("lock")
                .push((n, peer.port().unwrap_or(0)));
            ws.closesocket(a)
        }),
    )
}

/// A client connected to `to`, and its local port.
fn client<W: Winsock>(ws: &W, to: &SockAddr) -> Result<(Socket, u16), String> {
    let s = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    e("connect", ws.connect(s, to))?;
    let port = e("getsockname", ws.getsockname(s))?.port().unwrap_or(0);
    Ok((s, port))
}

fn oldest_first<W: Winsock + Select>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let got: Got = Arc::new(Mutex::new(Vec::new()));
    let first = acceptor(ws, l, 1, &got)?;
    ws.sleep(200);
    let second = acceptor(ws, l, 2, &got)?;
    ws.sleep(200);
    let (c1, p1) = client(ws, &addr)?;
    ws.sleep(200);
    let (c2, p2) = client(ws, &addr)?;
    for t in [first, second] {
        c.eq(
            "the acceptor ends",
            code(ws.wait_for_thread(t, 5_000)),
            Ok(()),
        )?;
    }
    let mut v = got.lock().expect("lock").clone();
    v.sort();
    c.eq("who got which connection", v, vec![(1, p1), (2, p2)])?;
    for s in [c1, c2, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    Ok(())
}

fn unseen_by_select<W: Winsock + Select>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let got: Got = Arc::new(Mutex::new(Vec::new()));
    let t = acceptor(ws, l, 1, &got)?;
    ws.sleep(200);
    let connector = e(
        "CreateThread",
        ws.create_thread("connector", move |ws| {
            ws.sleep(100);
            let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.connect(s, &addr)?;
            ws.sleep(1_000);
            ws.closesocket(s)
        }),
    )?;
    let mut rd = FdSet::from_array(&[l]);
    c.eq(
        "select while accept waits",
        ws.select(Some(&mut rd), None, None, Some(Duration::from_millis(600))),
        Ok(0),
    )?;
    c.eq(
        "the acceptor ends",
        code(ws.wait_for_thread(t, 5_000)),
        Ok(()),
    )?;
    c.eq("the acceptor took it", got.lock().expect("lock").len(), 1)?;
    c.eq(
        "the connector ends",
        code(ws.wait_for_thread(connector, 5_000)),
        Ok(()),
    )?;
    e("closesocket", ws.closesocket(l))
}
