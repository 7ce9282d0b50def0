//! Handle-flag rules (`GetHandleInformation` / `SetHandleInformation`), written once for the
//! simulator and the real kernel32 and ws2_32 (kernel32 process.c `test_DuplicateHandle`,
//! ntdll info.c `test_query_handle`, which pass on Windows, and the calls' documentation).

use winsock_sim::prelude::*;

use super::{e, pair, Check, Rule};

/// The rules.
pub fn handle_flag_rules<W: Winsock + WinsockExt + DuplicateHandles>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "HANDLE-flags",
            title: "an event's handle has no flags; SetHandleInformation sets those in its mask only (other mask bits ignored), GetHandleInformation reads them, both keep the last error; a protected handle's CloseHandle is ERROR_INVALID_HANDLE and the handle works on; its duplicate has no flags; a closed handle is ERROR_INVALID_HANDLE to both",
            body: object_flags::<W>,
        },
        Rule {
            id: "HANDLE-socket-flags",
            title: "socket() and an accepted socket are inheritable, WSASocket with WSA_FLAG_NO_HANDLE_INHERIT is not; SetHandleInformation(HANDLE_FLAG_INHERIT, 0) clears it; a socket's duplicate is not inheritable",
            body: socket_flags::<W>,
        },
    ]
}

/// A value no call of the rules sets as the last error.
const MARK: i32 = 1234;

const BOTH: u32 = HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE;

fn object_flags<W: Winsock + DuplicateHandles>(ws: &W, c: &mut Check) -> Result<(), String> {
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    let h = Handle::Event(ev);
    ws.wsa_set_last_error(MARK);
    c.eq("a new event's flags", ws.get_handle_information(h), Ok(0))?;
    c.eq(
        "GetHandleInformation's last error",
        ws.wsa_get_last_error(),
        MARK,
    )?;
    c.eq(
        "SetHandleInformation(INHERIT, INHERIT)",
        ws.set_handle_information(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT),
        Ok(()),
    )?;
    c.eq(
        "SetHandleInformation's last error",
        ws.wsa_get_last_error(),
        MARK,
    )?;
    c.eq(
        "then",
        ws.get_handle_information(h),
        Ok(HANDLE_FLAG_INHERIT),
    )?;
    c.eq(
        "SetHandleInformation(PROTECT, all bits)",
        ws.set_handle_information(h, HANDLE_FLAG_PROTECT_FROM_CLOSE, u32::MAX),
        Ok(()),
    )?;
    c.eq("then", ws.get_handle_information(h), Ok(BOTH))?;
    c.eq(
        "SetHandleInformation(other bits, 0)",
        ws.set_handle_information(h, !BOTH, 0),
        Ok(()),
    )?;
    c.eq("unchanged", ws.get_handle_information(h), Ok(BOTH))?;
    c.eq(
        "CloseHandle of the protected handle",
        ws.close_handle(h),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 6)?;
    c.eq("the handle works on: SetEvent", ws.set_event(ev), Ok(()))?;
    let dup = e("DuplicateHandle", ws.duplicate_handle(h))?;
    c.eq(
        "the duplicate's flags",
        ws.get_handle_information(dup),
        Ok(0),
    )?;
    e("CloseHandle", ws.close_handle(dup))?;
    c.eq(
        "SetHandleInformation(both, 0)",
        ws.set_handle_information(h, BOTH, 0),
        Ok(()),
    )?;
    c.eq("then", ws.get_handle_information(h), Ok(0))?;
    c.eq("CloseHandle now", ws.close_handle(h), Ok(()))?;
    c.eq(
        "GetHandleInformation of the closed handle",
        ws.get_handle_information(h),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "SetHandleInformation of it",
        ws.set_handle_information(h, HANDLE_FLAG_INHERIT, 0),
        Err(WsaError::WSA_INVALID_HANDLE),
    )
}

fn socket_flags<W: Winsock + WinsockExt + DuplicateHandles>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let s = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    c.eq(
        "socket()'s flags",
        ws.get_socket_handle_information(s),
        Ok(HANDLE_FLAG_INHERIT),
    )?;
    c.eq(
        "SetHandleInformation(INHERIT, 0)",
        ws.set_socket_handle_information(s, HANDLE_FLAG_INHERIT, 0),
        Ok(()),
    )?;
    c.eq("then", ws.get_socket_handle_information(s), Ok(0))?;
    e("closesocket", ws.closesocket(s))?;
    let n = e(
        "WSASocket",
        ws.wsa_socket(
            AF_INET,
            SOCK_STREAM,
            IPPROTO_TCP,
            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT,
        ),
    )?;
    c.eq(
        "WSASocket(WSA_FLAG_NO_HANDLE_INHERIT)'s flags",
        ws.get_socket_handle_information(n),
        Ok(0),
    )?;
    e("closesocket", ws.closesocket(n))?;
    let (client, server) = pair(ws)?;
    c.eq(
        "an accepted socket's flags",
        ws.get_socket_handle_information(server),
        Ok(HANDLE_FLAG_INHERIT),
    )?;
    let dup = e("DuplicateHandle", ws.duplicate_socket_handle(client))?;
    c.eq(
        "a socket's duplicate's flags",
        ws.get_socket_handle_information(dup),
        Ok(0),
    )?;
    c.eq_or_wine(
        "closesocket of the duplicate",
        ws.closesocket(dup),
        Ok(()),
        Err(WsaError::WSAENOTSOCK),
        "sock.c test_valid_handle; Wine 8.0 finds sockets in its own list only (rules DH-*)",
    )?;
    for s in [client, server] {
        e("closesocket", ws.closesocket(s))?;
    }
    c.eq(
        "GetHandleInformation of a closed socket",
        ws.get_socket_handle_information(server),
        Err(WsaError::WSA_INVALID_HANDLE),
    )
}
