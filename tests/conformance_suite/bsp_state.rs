//! The SO_BSP_STATE rule, written once for the simulator, the socket2 host backend and the
//! real ws2_32: sock.c `test_set_getsockopt`'s SO_BSP_STATE block, which passes on Windows.

use winsock_sim::prelude::*;

use super::{Check, Rule};

/// The rules.
pub fn bsp_state_rules<W: Winsock>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "OP-bsp-state",
        title: "getsockopt(SO_BSP_STATE): NULL addresses unbound, the local one once bound, both once connected (each end's local the other's remote, getsockname's and getpeername's), SOCK_STREAM/IPPROTO_TCP and SOCK_DGRAM/IPPROTO_UDP; the optlen kept; 40 bytes or one short of room for two addresses WSAEFAULT; setsockopt WSAENOPROTOOPT",
        body: bsp_state::<W>,
    }]
}

/// The CSADDR_INFO of `s` read into `buf` with optlen `len`, and the optlen after.
fn get<W: Winsock>(
    ws: &W,
    s: Socket,
    buf: &mut [u8],
    len: i32,
) -> Result<(CsAddrInfo, i32), WsaError> {
    let mut n = len;
    ws.getsockopt_c(
        s,
        SOL_SOCKET,
        SO_BSP_STATE,
        Some(&mut buf[..]),
        Some(&mut n),
    )?;
    decode_bsp_state(buf)
        .map(|i| (i, n))
        .ok_or(WsaError::WSAEFAULT)
}

fn bsp_state<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let e = |what: &str, r: Result<Socket, WsaError>| r.map_err(|e| format!("{what}: {e:?}"));
    let s = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    let l = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    let u = e("socket", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    let (mut a, mut b) = ([0u8; 128], [0u8; 128]);
    let none = |t, p| CsAddrInfo {
        local: None,
        remote: None,
        socket_type: t,
        protocol: p,
    };
    c.eq(
        "TCP, unbound",
        get(ws, s, &mut a, 128),
        Ok((none(SOCK_STREAM, IPPROTO_TCP), 128)),
    )?;
    c.eq(
        "UDP, unbound",
        get(ws, u, &mut a, 128),
        Ok((none(SOCK_DGRAM, IPPROTO_UDP), 128)),
    )?;
    let lo = SockAddr::v4([127, 0, 0, 1], 0);
    let setup = ws
        .bind(s, &lo)
        .and_then(|()| ws.bind(l, &lo))
        .and_then(|()| ws.listen(l, 1));
    c.eq("bind and listen", setup, Ok(()))?;
    let bound = CsAddrInfo {
        local: ws.getsockname(s).ok(),
        ..none(SOCK_STREAM, IPPROTO_TCP)
    };
    c.eq(
        "TCP, bound",
        get(ws, s, &mut a, 128).map(|r| r.0),
        Ok(bound),
    )?;
    let target = ws
        .getsockname(l)
        .map_err(|e| format!("getsockname: {e:?}"))?;
    c.eq("connect", ws.connect(s, &target), Ok(()))?;
    let (t, _) = ws.accept(l).map_err(|e| format!("accept: {e:?}"))?;
    let ends = |x: Socket, y: Socket| CsAddrInfo {
        local: ws.getsockname(x).ok(),
        remote: ws.getsockname(y).ok(),
        socket_type: SOCK_STREAM,
        protocol: IPPROTO_TCP,
    };
    c.eq(
        "client, connected",
        get(ws, s, &mut a, 128),
        Ok((ends(s, t), 128)),
    )?;
    c.eq("server end", get(ws, t, &mut b, 128), Ok((ends(t, s), 128)))?;
    c.eq(
        "the client's peer",
        ws.getpeername(s).ok(),
        ends(s, t).remote,
    )?;
    let mut len = CSADDR_INFO_LEN as i32;
    ws.wsa_set_last_error(1234);
    c.eq(
        "optlen sizeof(CSADDR_INFO)",
        ws.getsockopt_c(
            s,
            SOL_SOCKET,
            SO_BSP_STATE,
            Some(&mut a[..]),
            Some(&mut len),
        ),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq("its optlen, kept", len, CSADDR_INFO_LEN as i32)?;
    c.eq("its last error", ws.wsa_get_last_error(), 10014)?;
    let exact = (CSADDR_INFO_LEN + 2 * SOCKADDR_IN_LEN) as i32;
    c.eq(
        "optlen for two IPv4 addresses",
        get(ws, s, &mut a, exact).map(|r| r.1),
        Ok(exact),
    )?;
    c.eq(
        "one byte less",
        get(ws, s, &mut a, exact - 1).map(|r| r.1),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq(
        "setsockopt(SO_BSP_STATE)",
        ws.setsockopt(s, SOL_SOCKET, SO_BSP_STATE, &a),
        Err(WsaError::WSAENOPROTOOPT),
    )?;
    for x in [s, l, t, u] {
        let _ = ws.closesocket(x);
    }
    Ok(())
}
