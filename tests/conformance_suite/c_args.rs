//! Rules for the C-shaped calls (`getsockopt_c`, `setsockopt_c`, `getpeername_c`): NULL
//! pointers and in/out lengths passed as sock.c passes them (test_set_getsockopt,
//! test_getpeername).
use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules of this file, for any backend.
pub fn c_args_rules<W: Winsock>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "OPT-c-args",
            title: "get/setsockopt with C's arguments: WSAENOTSOCK before WSAEFAULT for NULLs; optlen -1 (get: WSAEFAULT, kept; set of a SOL_SOCKET BOOL: taken); a short get's optlen (SOL_SOCKET kept, IPPROTO_TCP 0)",
            body: sockopt_c_args::<W>,
        },
        Rule {
            id: "ER-getpeername-c",
            title: "getpeername with C's arguments: WSAENOTSOCK, WSAENOTCONN, then WSAEFAULT for a NULL pointer or a short namelen (namelen kept)",
            body: getpeername_c_args::<W>,
        },
    ]
}

fn sockopt_c_args<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let r = ws.getsockopt_c(Socket::INVALID, SOL_SOCKET, SO_PROTOCOL_INFOA, None, None);
    c.eq(
        "get on INVALID_SOCKET, NULL, NULL",
        r,
        Err(WsaError::WSAENOTSOCK),
    )?;
    let s = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    let r = ws.getsockopt_c(s, SOL_SOCKET, SO_PROTOCOL_INFOA, None, None);
    c.eq("get NULL, NULL", r, Err(WsaError::WSAEFAULT))?;
    let r = ws.setsockopt_c(s, SOL_SOCKET, SO_LINGER, None, 4);
    c.eq("set SO_LINGER NULL, 4", r, Err(WsaError::WSAEFAULT))?;
    // optlen -1.
    let one = 1u32.to_le_bytes();
    let r = ws.setsockopt_c(s, SOL_SOCKET, SO_REUSEADDR, Some(&one), -1);
    c.eq("set SO_REUSEADDR len -1", r, Ok(()))?;
    let mut b = [0u8; 4];
    let mut len = -1;
    let r = ws.getsockopt_c(s, SOL_SOCKET, SO_REUSEADDR, Some(&mut b), Some(&mut len));
    c.eq("get SO_REUSEADDR len -1", r, Err(WsaError::WSAEFAULT))?;
    c.eq("optlen after get len -1", len, -1)?;
    let mut len = 4;
    let r = ws.getsockopt_c(s, SOL_SOCKET, SO_REUSEADDR, Some(&mut b), Some(&mut len));
    c.eq("get SO_REUSEADDR", r, Ok(()))?;
    c.eq("SO_REUSEADDR set through len -1", u32::from_le_bytes(b), 1)?;
    // A short buffer: the optlen written back depends on the level.
    let mut len = 2;
    let r = ws.getsockopt_c(s, SOL_SOCKET, SO_RCVBUF, Some(&mut b), Some(&mut len));
    c.eq("get SO_RCVBUF len 2", r, Err(WsaError::WSAEFAULT))?;
    c.eq("optlen after a short SO_RCVBUF", len, 2)?;
    let mut len = 2;
    let r = ws.getsockopt_c(s, IPPROTO_TCP, TCP_KEEPALIVE, Some(&mut b), Some(&mut len));
    c.eq_or_wine(
        "get TCP_KEEPALIVE len 2",
        r,
        Err(WsaError::WSAEFAULT),
        Err(WsaError::WSAENOPROTOOPT),
        "Wine 8.0 has no TCP_KEEPALIVE; sock.c test_set_getsockopt row 1214",
    )?;
    if r == Err(WsaError::WSAEFAULT) {
        c.eq("optlen after a short TCP_KEEPALIVE", len, 0)?;
    }
    let _ = code(ws.closesocket(s));
    Ok(())
}

fn getpeername_c_args<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let r = ws.getpeername_c(Socket::INVALID, None, None);
    c.eq("INVALID_SOCKET", r, Err(WsaError::WSAENOTSOCK))?;
    let s = e("socket", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    let r = ws.getpeername_c(s, None, None);
    c.eq("unconnected, NULL, NULL", r, Err(WsaError::WSAENOTCONN))?;
    e("connect", ws.connect(s, &SockAddr::v4([127, 0, 0, 1], 139)))?;
    let r = ws.getpeername_c(s, None, None);
    c.eq("connected, NULL, NULL", r, Err(WsaError::WSAEFAULT))?;
    let mut name = [0u8; 128];
    let mut len = 0;
    let r = ws.getpeername_c(s, Some(&mut name), Some(&mut len));
    c.eq("namelen 0", r, Err(WsaError::WSAEFAULT))?;
    c.eq("namelen after namelen 0", len, 0)?;
    let mut len = 128;
    let r = ws.getpeername_c(s, Some(&mut name), Some(&mut len));
    c.eq("namelen 128", r, Ok(()))?;
    c.eq("namelen written", len, SOCKADDR_IN_LEN as i32)?;
    c.eq(
        "the address",
        &name[..SOCKADDR_IN_LEN],
        SockAddr::v4([127, 0, 0, 1], 139).as_bytes(),
    )?;
    let _ = code(ws.closesocket(s));
    Ok(())
}
