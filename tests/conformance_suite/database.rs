//! The protocol and service database rules (`Resolve`'s `getprotobyname`,
//! `getprotobynumber`, `getservbyname`, `getservbyport`), written once for the simulator and
//! the real ws2_32: Wine's protocol.c `test_getprotobyname`, `test_getprotobynumber` and
//! `test_getservbyname`, which pass on Windows, and the lookups' first-line and no-case rules.

use winsock_sim::prelude::*;

use super::protocol_table::PROTOCOLS;
use super::{Check, Rule};

/// The rules.
pub fn database_rules<W: Winsock + Resolve>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "DB-protocols",
            title: "getprotobyname of each of the protocol file's 19 names, aliases and capitals gives its number; getprotobynumber of -1 to 256 gives those 19 with their name and alias, and WSANO_DATA for every other number",
            body: protocols::<W>,
        },
        Rule {
            id: "DB-services",
            title: "getservbyname: domain/udp 53, telnet/tcp 23 (also with text after a NUL), TELNET with a NULL protocol its first line (tcp), telnet/udp and an unknown name WSANO_DATA; getservbyport: 53/udp domain, 23 with a NULL protocol telnet",
            body: services::<W>,
        },
    ]
}

fn protocols<W: Winsock + Resolve>(ws: &W, c: &mut Check) -> Result<(), String> {
    for &(number, name, alias) in PROTOCOLS {
        for n in [name, alias, &name.to_ascii_uppercase()] {
            c.eq(
                &format!("getprotobyname({n:?})"),
                ws.getprotobyname(n).map(|e| e.proto),
                Ok(number),
            )?;
        }
    }
    for i in -1..=256 {
        let want = PROTOCOLS
            .iter()
            .find(|p| i32::from(p.0) == i)
            .map(|&(_, name, alias)| (name.to_string(), Some(alias.to_string())))
            .ok_or(WsaError::WSANO_DATA);
        c.eq(
            &format!("getprotobynumber({i})"),
            ws.getprotobynumber(i)
                .map(|e| (e.name, e.aliases.into_iter().next())),
            want,
        )?;
    }
    Ok(())
}

/// A SERVENT's name, port and protocol.
fn key(s: Servent) -> (String, u16, String) {
    (s.name, s.port, s.proto)
}

fn services<W: Winsock + Resolve>(ws: &W, c: &mut Check) -> Result<(), String> {
    let own = |n: &str, p: u16, t: &str| Ok((n.to_string(), p, t.to_string()));
    c.eq(
        "getservbyname(domain, udp)",
        ws.getservbyname("domain", Some("udp")).map(key),
        own("domain", 53, "udp"),
    )?;
    c.eq(
        "getservbyname(telnet, tcp)",
        ws.getservbyname("telnet", Some("tcp")).map(key),
        own("telnet", 23, "tcp"),
    )?;
    c.eq(
        "getservbyname(\"telnet\\0junk\", \"tcp\\0\") (C strings end at their NUL)",
        ws.getservbyname("telnet\0junk", Some("tcp\0")).map(key),
        own("telnet", 23, "tcp"),
    )?;
    c.eq(
        "getservbyname(TELNET, NULL)",
        ws.getservbyname("TELNET", None).map(key),
        own("telnet", 23, "tcp"),
    )?;
    c.eq(
        "getservbyname(telnet, udp)",
        ws.getservbyname("telnet", Some("udp")).map(key),
        Err(WsaError::WSANO_DATA),
    )?;
    c.eq(
        "getservbyname(no-such-service, NULL)",
        ws.getservbyname("no-such-service", None).map(key),
        Err(WsaError::WSANO_DATA),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 11004)?;
    c.eq(
        "getservbyport(htons(53), udp)",
        ws.getservbyport(53, Some("udp")).map(key),
        own("domain", 53, "udp"),
    )?;
    c.eq(
        "getservbyport(htons(23), NULL)",
        ws.getservbyport(23, None).map(key),
        own("telnet", 23, "tcp"),
    )
}
