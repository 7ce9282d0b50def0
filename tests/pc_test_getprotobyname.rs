//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_getprotobyname`,
//! `test_getprotobynumber` and `test_getservbyname` (Wine 11's file, as the Kron4ek/wine-tkg
//! mirror holds it at e6d69978: lines 220–385), facts only: the protocol each of 19 names,
//! its alias and its all-capitals form gives, the name and first alias of every protocol
//! number from -1 to 256 (and that the other 239 numbers give none), and what three threads
//! asking `getservbyname` 125 times each for domain/udp and telnet/tcp get.
//!
//! Counted in `ok()` calls as Windows executes them, each loop body once per pass.
//!
//! | part                                                              | ported | not expressible | failing |
//! |-------------------------------------------------------------------|-------:|----------------:|--------:|
//! | `test_getprotobyname`: 19 protocols × (name, alias, capitals), 262–286 | 57 |           0 |       0 |
//! | `test_getprotobynumber`: 239 undefined numbers, 288–305           |    239 |               0 |       0 |
//! | `test_getprotobynumber`: 19 protocols × (name, alias), 307–316    |     38 |               0 |       0 |
//! | `test_getservbyname`: 3 threads' start signal, 339–340            |      3 |               0 |       0 |
//! | `test_getservbyname`: 3 × 125 × 2 × (found, port, proto, name), 346–359 | 3,000 |       0 |       0 |
//! | `test_getservbyname`: 3 × 125 one buffer for both, 362–363         |      0 |             375 |       0 |
//! | **total**                                                         |  3,337 |             375 |       0 |
//!
//! Not expressible: that the two SERVENTs a thread got are the same per-thread buffer
//! (Windows returns a pointer into it; here each call returns its own `Servent`).
//!
//! Beyond the port: the calls need `WSAStartup`, give WSANO_DATA for a name or number not in
//! the file (as Wine's ws2_32 sets it), `getservbyport` finds lines by port, aliases and case
//! do not matter, and the `services` file is Windows 10's whole (xbox, ms-sql-s, ...).
mod common;
#[path = "conformance_suite/protocol_table.rs"]
mod protocol_table;

use common::{run, seed};
use protocol_table::PROTOCOLS;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

#[test]
fn getprotobyname_reads_names_aliases_and_capitals() {
    run(|ws| {
        for &(number, name, alias) in PROTOCOLS {
            for n in [name, alias, &name.to_ascii_uppercase()] {
                let ent = ws.getprotobyname(n);
                assert_eq!(ent.map(|e| e.proto), Ok(number), "{n:?}");
            }
        }
        Ok(())
    });
}

#[test]
fn getprotobynumber_knows_the_19_protocols_and_no_other() {
    run(|ws| {
        let (mut undefined, mut defined) = (0, 0);
        for i in -1..=256 {
            let ent = ws.getprotobynumber(i);
            match PROTOCOLS.iter().find(|p| i32::from(p.0) == i) {
                None => {
                    assert_eq!(ent, Err(WsaError::WSANO_DATA), "{i}");
                    undefined += 1;
                }
                Some(&(_, name, alias)) => {
                    let ent = ent.unwrap_or_else(|e| panic!("{i}: {e:?}"));
                    assert_eq!(ent.name, name, "{i}");
                    assert_eq!(ent.aliases.first().map(String::as_str), Some(alias), "{i}");
                    defined += 1;
                }
            }
        }
        assert_eq!((undefined, defined), (239, 19));
        Ok(())
    });
}

#[test]
fn getservbyname_from_three_threads() {
    run(|ws| {
        let start = ws.create_event(true, false)?;
        let mut threads = Vec::new();
        for t in 0..3 {
            threads.push(
                ws.create_thread(&format!("servent{t}"), move |ws: &SimWinsock| {
                    assert_eq!(
                        ws.wait_for_single_object(start.into(), 30_000)?,
                        WAIT_OBJECT_0,
                        "339: the start signal"
                    );
                    let serv = [("domain", "udp", 53), ("telnet", "tcp", 23)];
                    for &(name, proto, _) in &serv {
                        ws.getservbyname(name, Some(proto))?;
                    }
                    for _ in 0..125 {
                        for &(name, proto, port) in &serv {
                            let s = ws.getservbyname(name, Some(proto));
                            let s = s.unwrap_or_else(|e| panic!("351: {name}: {e:?}"));
                            assert_eq!(s.port, port, "354: {name}");
                            assert_eq!(s.proto, proto, "356: {name}");
                            assert_eq!(s.name, name, "358: {name}");
                        }
                    }
                    Ok(())
                })?,
            );
        }
        ws.set_event(start)?;
        for t in threads {
            ws.wait_for_thread(t, 30_000)?;
        }
        Ok(())
    });
}

#[test]
fn the_database_calls_need_wsastartup() {
    let mut sim = Sim::builder().seed(seed()).build();
    sim.host("host", "192.0.2.1").spawn("main", |ws| {
        let e = WsaError::WSANOTINITIALISED;
        assert_eq!(ws.getprotobyname("tcp"), Err(e));
        assert_eq!(ws.wsa_get_last_error(), 10093);
        assert_eq!(ws.getprotobynumber(6), Err(e));
        assert_eq!(ws.getservbyname("http", None), Err(e));
        assert_eq!(ws.getservbyport(80, None), Err(e));
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        assert_eq!(ws.getprotobynumber(6)?.name, "tcp");
        ws.wsa_cleanup()
    });
    sim.run().unwrap();
}

#[test]
fn services_by_name_alias_and_port() {
    run(|ws| {
        // A NULL protocol takes the first line: domain's is tcp.
        let domain = ws.getservbyname("domain", None)?;
        assert_eq!((domain.port, domain.proto.as_str()), (53, "tcp"));
        // Names, aliases and protocols compare without case.
        let http = ws.getservbyname("WWW", Some("TCP"))?;
        assert_eq!(http.name, "http");
        assert_eq!(http.aliases, ["www", "www-http"]);
        assert_eq!(
            ws.getservbyname("telnet", Some("udp")),
            Err(WsaError::WSANO_DATA)
        );
        assert_eq!(ws.wsa_get_last_error(), 11004);
        assert_eq!(
            ws.getservbyname("no-such-service", None),
            Err(WsaError::WSANO_DATA)
        );
        assert_eq!(ws.getservbyport(23, None)?.name, "telnet");
        assert_eq!(ws.getservbyport(123, Some("udp"))?.name, "ntp");
        assert_eq!(
            ws.getservbyport(123, Some("tcp")),
            Err(WsaError::WSANO_DATA)
        );
        // The same file gives getaddrinfo its service names and getnameinfo its port names.
        let ai = ws.getaddrinfo(Some("127.0.0.1"), Some("www-http"), None)?;
        assert_eq!(ai[0].addr, SockAddr::v4([127, 0, 0, 1], 80));
        let (_, service) = ws.getnameinfo(&SockAddr::v4([127, 0, 0, 1], 53), NI_DGRAM)?;
        assert_eq!(service, "domain");
        // A successful call sets the last error to 0, as every WinSock call here does.
        assert_eq!(ws.wsa_get_last_error(), 0);
        Ok(())
    });
}

#[test]
fn the_whole_services_file_is_there() {
    run(|ws| {
        // Beyond port 1024, as Windows 10's file has them, and in its order where two lines
        // share a name (ws-discovery's udp line comes first).
        assert_eq!(ws.getservbyport(3074, Some("udp"))?.name, "xbox");
        assert_eq!(ws.getservbyname("ms-sql-s", Some("tcp"))?.port, 1433);
        assert_eq!(ws.getservbyname("ws-discovery", None)?.proto, "udp");
        assert_eq!(ws.getservbyname("nfs", None)?.name, "nfsd");
        let (_, service) = ws.getnameinfo(&SockAddr::v4([127, 0, 0, 1], 3389), 0)?;
        assert_eq!(service, "ms-wbt-server");
        assert_eq!(ws.getservbyport(47624, Some("tcp"))?.name, "directplaysrvr");
        Ok(())
    });
}
