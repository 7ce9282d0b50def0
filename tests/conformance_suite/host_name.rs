//! The host-name buffer rule (`Resolve::gethostname_c`, `Resolve::get_host_name_w`), written
//! once for the simulator and the real ws2_32: Wine's protocol.c `test_gethostname` and
//! `test_GetHostNameW`, which pass on Windows.

use winsock_sim::prelude::*;

use super::{Check, Rule};

/// The rules.
pub fn host_name_rules<W: Winsock + Resolve>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "HOST-name-buffers",
        title: "gethostname and GetHostNameW write the name and a NUL; a NULL buffer or one of the name's length (no room for the NUL) is WSAEFAULT, also as the last error, and the buffer is untouched",
        body: buffers::<W>,
    }]
}

/// A value no call of the rule sets as the last error.
const MARK: i32 = 1234;

fn buffers<W: Winsock + Resolve>(ws: &W, c: &mut Check) -> Result<(), String> {
    let name = ws
        .gethostname()
        .map_err(|e| format!("gethostname: {e:?}"))?;
    let len = name.len();
    ws.wsa_set_last_error(MARK);
    c.eq(
        "gethostname(NULL, 256)",
        ws.gethostname_c(None),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 10014)?;
    let mut buf = vec![b'x'; len + 1];
    ws.wsa_set_last_error(MARK);
    c.eq(
        "gethostname(buf, strlen(name))",
        ws.gethostname_c(Some(&mut buf[..len])),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 10014)?;
    c.eq("the buffer untouched", buf.iter().all(|&b| b == b'x'), true)?;
    c.eq(
        "gethostname(buf, strlen(name) + 1)",
        ws.gethostname_c(Some(&mut buf)),
        Ok(()),
    )?;
    c.eq(
        "the name and its NUL",
        &buf[..],
        &[name.as_bytes(), &[0]].concat()[..],
    )?;
    let wide: Vec<u16> = name.encode_utf16().chain([0]).collect();
    ws.wsa_set_last_error(MARK);
    c.eq(
        "GetHostNameW(NULL, 256)",
        ws.get_host_name_w(None),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 10014)?;
    let mut w = vec![0x78u16; wide.len()];
    let wlen = wide.len() - 1;
    c.eq(
        "GetHostNameW(buf, wcslen(name))",
        ws.get_host_name_w(Some(&mut w[..wlen])),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq("the buffer untouched", w.iter().all(|&x| x == 0x78), true)?;
    c.eq(
        "GetHostNameW(buf, wcslen(name) + 1)",
        ws.get_host_name_w(Some(&mut w)),
        Ok(()),
    )?;
    c.eq("the name and its NUL in UTF-16", w, wide)
}
