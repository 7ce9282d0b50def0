//! Servers for fault and replay tests: a record server written right (it reassembles records
//! from the byte stream) and written wrong (it assumes one recv returns one record), and the
//! run that exercises either under a seed and a fault plan.

use winsock_sim::prelude::*;
use winsock_sim::sim::{Replay, Report, SimBuilder, SimError};

/// Bytes per record of the record protocol.
pub const RECORD: usize = 64;

/// The reply to a record: the sum of its bytes, little-endian.
fn reply(record: &[u8]) -> [u8; 4] {
    record
        .iter()
        .map(|&b| u32::from(b))
        .sum::<u32>()
        .to_le_bytes()
}

/// Answers each 64-byte record with the sum of its bytes; `buggy` treats whatever one recv
/// returns as one record (the classic bug: TCP keeps no message boundaries).
pub fn record_server<W: Winsock>(ws: &W, buggy: bool) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7000))?;
    ws.listen(l, SOMAXCONN)?;
    loop {
        let (c, _) = ws.accept(l)?;
        let mut pending = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = match ws.recv(c, &mut buf, 0) {
                Ok(0) | Err(WsaError::WSAECONNRESET) => break,
                Ok(n) => n,
                Err(e) => return Err(e),
            };
            if buggy {
                ws.send(c, &reply(&buf[..n]), 0)?;
                continue;
            }
            pending.extend_from_slice(&buf[..n]);
            while pending.len() >= RECORD {
                let rec: Vec<u8> = pending.drain(..RECORD).collect();
                ws.send(c, &reply(&rec), 0)?;
            }
        }
        ws.closesocket(c)?;
    }
}

/// Sends `records` records in one send and checks each reply.
pub fn record_client<W: Winsock>(ws: &W, records: usize) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 7000))?;
    let data: Vec<u8> = (0..records * RECORD).map(|i| (i * 7 % 251) as u8).collect();
    ws.send(s, &data, 0)?;
    let got = super::recv_exact(ws, s, records * 4)?;
    for (i, rec) in data.chunks(RECORD).enumerate() {
        assert_eq!(
            got[i * 4..i * 4 + 4],
            reply(rec),
            "reply to record {i} is not the sum of its bytes"
        );
    }
    ws.closesocket(s)
}

/// One client sending 8 records to the record server (buggy or not) under `builder`.
pub fn run_records(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("records", move |ws| record_server(ws, buggy));
    client.spawn("client", |ws| record_client(ws, 8));
    sim.run()
}

/// A thread-per-connection echo server on port 7100; `leaky` forgets `closesocket` when a
/// connection is reset (the socket leaks).
pub fn echo_server<W: Winsock>(ws: &W, leaky: bool) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7100))?;
    ws.listen(l, SOMAXCONN)?;
    loop {
        let (c, _) = ws.accept(l)?;
        ws.create_thread("conn", move |ws| {
            let mut buf = [0u8; 512];
            loop {
                match ws.recv(c, &mut buf, 0) {
                    Ok(0) => break,
                    Ok(n) => {
                        if ws.send(c, &buf[..n], 0).is_err() {
                            break;
                        }
                    }
                    Err(WsaError::WSAECONNRESET) if leaky => return Ok(()),
                    Err(_) => break,
                }
            }
            ws.closesocket(c)
        })?;
    }
}

/// Three clients, each echoing a few messages and reconnecting after an error; the server
/// host's open socket count once everything settled, and the run's replay.
pub fn run_echo(builder: SimBuilder, leaky: bool) -> (Result<Report, SimError>, usize, Replay) {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let clients = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("echo", move |ws| echo_server(ws, leaky));
    for id in 0..3u8 {
        clients.spawn(&format!("client-{id}"), move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            for round in 0..4u8 {
                let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
                if ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 7100)).is_ok() {
                    for m in 0..3u8 {
                        let msg = [id, round, m, 7];
                        if ws.send(s, &msg, 0).is_err() {
                            break;
                        }
                        match super::recv_exact(ws, s, 4) {
                            Ok(back) if back == msg => {}
                            _ => break,
                        }
                        ws.sleep(100);
                    }
                }
                ws.closesocket(s)?;
            }
            // Time for the server to notice every close and reset.
            ws.sleep(1000);
            Ok(())
        });
    }
    let r = sim.run();
    (r, server.open_sockets(), sim.replay())
}
