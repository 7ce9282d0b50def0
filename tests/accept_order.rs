//! Several threads in `accept` on one listener (a pre-threaded server's pool): Windows hands
//! each connection to the oldest blocked caller as it arrives, whichever thread the
//! scheduler would run first, and a caller that comes later, even in the same instant,
//! waits its turn. Checked on many seeds, since the simulator's scheduler picks among woken
//! threads at random; the shared rules `ACC-fifo` and `ACC-fifo-select` check the same
//! against ws2_32.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

const SERVER: [u8; 4] = [192, 0, 2, 1];
const PORT: u16 = 7000;

/// Which acceptor got which client (by the client's local port), in acceptor order.
type Got = Arc<Mutex<Vec<(usize, u16)>>>;

/// A server host whose acceptor threads call `accept` on one listener at the times (ms) in
/// `starts` (those marked `true` first wait up to 50 ms in a select on it), and a client
/// host that connects `clients` times, 50 ms apart, the first at `first_ms`. Returns
/// (acceptor index, peer port) sorted by acceptor, and the clients' local ports in
/// connection order.
fn scenario(
    seed: u64,
    starts: &[(u32, bool)],
    first_ms: u32,
    clients: usize,
) -> (Vec<(usize, u16)>, Vec<u16>) {
    let got: Got = Arc::new(Mutex::new(Vec::new()));
    let ports = Arc::new(Mutex::new(Vec::new()));
    let mut sim = Sim::builder().seed(seed).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    let starts = starts.to_vec();
    let out = got.clone();
    server.spawn("listener", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 16)?;
        let mut threads = Vec::new();
        for (i, (at, select_first)) in starts.into_iter().enumerate() {
            let out = out.clone();
            threads.push(ws.create_thread("acceptor", move |ws| {
                ws.sleep(at);
                if select_first {
                    let mut r = FdSet::from_array(&[l]);
                    ws.select(Some(&mut r), None, None, Some(Duration::from_millis(50)))?;
                }
                let (a, peer) = ws.accept(l)?;
                out.lock().unwrap().push((i, peer.port().unwrap_or(0)));
                ws.closesocket(a)
            })?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        ws.closesocket(l)
    });
    let mine = ports.clone();
    client.spawn("client", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(first_ms);
        let mut socks = Vec::new();
        for _ in 0..clients {
            let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.connect(s, &SockAddr::v4(SERVER, PORT))?;
            mine.lock()
                .unwrap()
                .push(ws.getsockname(s)?.port().unwrap_or(0));
            socks.push(s);
        }
        ws.sleep(100);
        for s in socks {
            ws.closesocket(s)?;
        }
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let mut v = got.lock().unwrap().clone();
    v.sort();
    let p = ports.lock().unwrap().clone();
    (v, p)
}

#[test]
fn blocked_accepts_are_served_oldest_first_on_every_seed() {
    // Proves: three threads block in accept 10 ms apart; three connections then arrive one
    // after the other: the first thread to block gets the first, and so on, on each of 48
    // seeds (before, the connection went to whichever woken thread ran first).
    for seed in 0..48 {
        let (got, ports) = scenario(seed, &[(0, false), (10, false), (20, false)], 50, 3);
        let want: Vec<(usize, u16)> = ports.into_iter().enumerate().collect();
        assert_eq!(got, want, "seed {seed}");
    }
}

#[test]
fn a_thread_in_select_does_not_take_the_connection_a_blocked_accept_is_owed() {
    // Proves: with one thread blocked in accept and another waiting in select on the same
    // listener before its own accept, the first connection goes to the blocked thread and
    // the select sees nothing (it times out, its accept then waits in line and gets the
    // second connection), on each of 48 seeds. Before, the select woke with the blocked
    // accept and whichever ran first took the connection.
    for seed in 0..48 {
        let (got, ports) = scenario(seed, &[(0, false), (10, true)], 30, 2);
        let want: Vec<(usize, u16)> = ports.into_iter().enumerate().collect();
        assert_eq!(got, want, "seed {seed}");
    }
}
