//! Handle-flag rules (`GetHandleInformation` / `SetHandleInformation`), written once for the
//! simulator and the real kernel32 and ws2_32 (kernel32 process.c `test_DuplicateHandle`,
//! ntdll info.c `test_query_handle`, which pass on Windows, and the calls' documentation).

use winsock_sim::prelude::*;

use super::{e, pair, Check, Rule};

/// The rules.
pub fn handle_flag_rules<
    W: Winsock + WinsockExt + DuplicateHandles + NamedObjects + EventSelect,
>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "DH-options",
            title: "DuplicateHandle's bInheritHandle sets the duplicate's HANDLE_FLAG_INHERIT (the source's flags untouched); DUPLICATE_SAME_ATTRIBUTES copies both of the source's flags instead; DUPLICATE_CLOSE_SOURCE closes the source (a named event's name goes with the duplicate's close), but not one protected from close",
            body: duplicate_options::<W>,
        },
        Rule {
            id: "HANDLE-flags",
            title: "an event's handle has no flags; SetHandleInformation sets those in its mask only (other mask bits ignored), GetHandleInformation reads them, both keep the last error; a protected handle's CloseHandle and WSACloseEvent are ERROR_INVALID_HANDLE and the handle works on; its duplicate has no flags; a closed handle is ERROR_INVALID_HANDLE to both",
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

fn object_flags<W: Winsock + DuplicateHandles + EventSelect>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
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
    c.eq(
        "WSACloseEvent of it (CloseHandle underneath)",
        ws.wsa_close_event(ev),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
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

fn duplicate_options<W: Winsock + DuplicateHandles + NamedObjects>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let ev = Handle::Event(e("CreateEvent", ws.create_event(true, false))?);
    let dup = e("DuplicateHandle", ws.duplicate_handle_ex(ev, true, 0))?;
    c.eq(
        "bInheritHandle TRUE: the duplicate's flags",
        ws.get_handle_information(dup),
        Ok(HANDLE_FLAG_INHERIT),
    )?;
    c.eq("the source's", ws.get_handle_information(ev), Ok(0))?;
    e("CloseHandle", ws.close_handle(dup))?;
    e(
        "SetHandleInformation",
        ws.set_handle_information(ev, BOTH, BOTH),
    )?;
    let same = e(
        "DuplicateHandle",
        ws.duplicate_handle_ex(ev, false, DUPLICATE_SAME_ATTRIBUTES),
    )?;
    c.eq_or_wine(
        "DUPLICATE_SAME_ATTRIBUTES: the duplicate's flags",
        ws.get_handle_information(same),
        Ok(BOTH),
        Ok(0),
        "kernel32 process.c test_DuplicateHandle asserts it (Wine 11.10's copy); Wine 8.0 \
         gives the duplicate no flags",
    )?;
    e(
        "SetHandleInformation",
        ws.set_handle_information(same, BOTH, 0),
    )?;
    e("CloseHandle", ws.close_handle(same))?;
    let kept = ws.duplicate_handle_ex(ev, true, DUPLICATE_CLOSE_SOURCE);
    c.eq(
        "DUPLICATE_CLOSE_SOURCE of a protected handle",
        kept.is_ok(),
        true,
    )?;
    c.eq(
        "the protected source stays",
        ws.get_handle_information(ev),
        Ok(BOTH),
    )?;
    if let Ok(k) = kept {
        c.eq(
            "its duplicate's flags",
            ws.get_handle_information(k),
            Ok(HANDLE_FLAG_INHERIT),
        )?;
        e("CloseHandle", ws.close_handle(k))?;
    }
    e(
        "SetHandleInformation",
        ws.set_handle_information(ev, BOTH, 0),
    )?;
    e("CloseHandle", ws.close_handle(ev))?;
    // The source closed: a named event whose duplicate is then closed has no handle left.
    let name = format!(
        "winsock-sim DH-options {} {}",
        std::process::id(),
        ws.get_tick_count64()
    );
    let (named, _) = e("CreateEvent", ws.create_event_named(true, false, &name))?;
    let only = e(
        "DuplicateHandle",
        ws.duplicate_handle_ex(named.into(), false, DUPLICATE_CLOSE_SOURCE),
    )?;
    c.eq(
        "the duplicate's flags",
        ws.get_handle_information(only),
        Ok(0),
    )?;
    c.eq(
        "the event lives through the duplicate",
        ws.open_event(Some(&name))
            .map(|o| ws.close_handle(o.into())),
        Ok(Ok(())),
    )?;
    e("CloseHandle", ws.close_handle(only))?;
    c.eq(
        "after the duplicate's close, the name is free",
        ws.open_event(Some(&name)).map(drop),
        Err(WsaError::ERROR_FILE_NOT_FOUND),
    )
}
