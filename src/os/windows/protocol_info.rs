//! [`ProtocolInfoApi`] for [`Native`]: `GetCurrentProcessId`, `WSADuplicateSocketW`,
//! `WSASocketW` with a `WSAPROTOCOL_INFOW`, `WSAEnumProtocolsA/W`, one OS call each. The
//! structures are converted field by field between windows-sys' types and
//! [`WsaProtocolInfo`] (no byte casts), so a duplicate's info goes back to the OS as the OS
//! wrote it.

use windows_sys::Win32::Networking::WinSock as ws;

use super::native::{finish, last_error, Native};
use crate::api::protocol_info::{ProtocolChain, ProtocolInfoApi, WsaProtocolInfo};
use crate::api::{Guid, Socket, WinsockExt, WsaError};

/// The fields both structures share, from a windows-sys WSAPROTOCOL_INFOA or _INFOW.
macro_rules! from_native {
    ($n:expr, $name:expr) => {
        WsaProtocolInfo {
            service_flags1: $n.dwServiceFlags1,
            service_flags2: $n.dwServiceFlags2,
            service_flags3: $n.dwServiceFlags3,
            service_flags4: $n.dwServiceFlags4,
            provider_flags: $n.dwProviderFlags,
            provider_id: Guid {
                data1: $n.ProviderId.data1,
                data2: $n.ProviderId.data2,
                data3: $n.ProviderId.data3,
                data4: $n.ProviderId.data4,
            },
            catalog_entry_id: $n.dwCatalogEntryId,
            protocol_chain: ProtocolChain {
                len: $n.ProtocolChain.ChainLen,
                entries: $n.ProtocolChain.ChainEntries,
            },
            version: $n.iVersion,
            address_family: $n.iAddressFamily,
            max_sockaddr: $n.iMaxSockAddr,
            min_sockaddr: $n.iMinSockAddr,
            socket_type: $n.iSocketType,
            protocol: $n.iProtocol,
            protocol_max_offset: $n.iProtocolMaxOffset,
            network_byte_order: $n.iNetworkByteOrder,
            security_scheme: $n.iSecurityScheme,
            message_size: $n.dwMessageSize,
            provider_reserved: $n.dwProviderReserved,
            protocol_name: $name,
        }
    };
}

fn from_w(n: &ws::WSAPROTOCOL_INFOW) -> WsaProtocolInfo {
    let end = n.szProtocol.iter().position(|&u| u == 0).unwrap_or(256);
    from_native!(n, String::from_utf16_lossy(&n.szProtocol[..end]))
}

fn from_a(n: &ws::WSAPROTOCOL_INFOA) -> WsaProtocolInfo {
    let name = n
        .szProtocol
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| char::from(c as u8))
        .collect();
    from_native!(n, name)
}

fn to_w(i: &WsaProtocolInfo) -> ws::WSAPROTOCOL_INFOW {
    let mut name = [0u16; 256];
    for (d, u) in name
        .iter_mut()
        .zip(i.protocol_name.encode_utf16().take(255))
    {
        *d = u;
    }
    ws::WSAPROTOCOL_INFOW {
        dwServiceFlags1: i.service_flags1,
        dwServiceFlags2: i.service_flags2,
        dwServiceFlags3: i.service_flags3,
        dwServiceFlags4: i.service_flags4,
        dwProviderFlags: i.provider_flags,
        ProviderId: windows_sys::core::GUID {
            data1: i.provider_id.data1,
            data2: i.provider_id.data2,
            data3: i.provider_id.data3,
            data4: i.provider_id.data4,
        },
        dwCatalogEntryId: i.catalog_entry_id,
        ProtocolChain: ws::WSAPROTOCOLCHAIN {
            ChainLen: i.protocol_chain.len,
            ChainEntries: i.protocol_chain.entries,
        },
        iVersion: i.version,
        iAddressFamily: i.address_family,
        iMaxSockAddr: i.max_sockaddr,
        iMinSockAddr: i.min_sockaddr,
        iSocketType: i.socket_type,
        iProtocol: i.protocol,
        iProtocolMaxOffset: i.protocol_max_offset,
        iNetworkByteOrder: i.network_byte_order,
        iSecurityScheme: i.security_scheme,
        dwMessageSize: i.message_size,
        dwProviderReserved: i.provider_reserved,
        szProtocol: name,
    }
}

/// The protocol list as C wants it: up to the first 0, then a terminating 0.
fn c_list(protocols: Option<&[i32]>) -> Option<Vec<i32>> {
    protocols.map(|p| {
        let mut v: Vec<i32> = p.iter().copied().take_while(|&q| q != 0).collect();
        v.push(0);
        v
    })
}

/// The most entries a caller's buffer is given room for (a real catalogue has a few dozen).
const MAX_ENTRIES: usize = 1024;

impl ProtocolInfoApi for Native {
    /// `GetCurrentProcessId`.
    fn get_current_process_id(&self) -> u32 {
        // SAFETY: takes no arguments and reads the process's own id.
        unsafe { windows_sys::Win32::System::Threading::GetCurrentProcessId() }
    }

    /// `WSADuplicateSocketW`: the socket must be one of this backend's (else WSAENOTSOCK
    /// before the call); a NULL info is passed as NULL, so the OS gives its own WSAEFAULT.
    fn wsa_duplicate_socket(
        &self,
        s: Socket,
        process_id: u32,
        info: Option<&mut WsaProtocolInfo>,
    ) -> Result<(), WsaError> {
        let mut n = ws::WSAPROTOCOL_INFOW::default();
        let want = info.is_some();
        let r = self.on(s, |raw| {
            let p: *mut ws::WSAPROTOCOL_INFOW = if want { &mut n } else { std::ptr::null_mut() };
            // SAFETY: `raw` is an owned socket; `p` is null or points at the local `n`, a
            // whole WSAPROTOCOL_INFOW that outlives the call.
            unsafe { ws::WSADuplicateSocketW(raw, process_id, p) }
        });
        if r.is_ok() {
            if let Some(out) = info {
                *out = from_w(&n);
            }
        }
        r.map(drop)
    }

    /// `WSASocketW(af, type, protocol, &info, 0, dwFlags)`; the socket returned (a
    /// duplicate's handle, or a new one) becomes this backend's.
    fn wsa_socket_from_info(
        &self,
        af: i32,
        ty: i32,
        protocol: i32,
        info: Option<&WsaProtocolInfo>,
        flags: u32,
    ) -> Result<Socket, WsaError> {
        let Some(info) = info else {
            return self.wsa_socket(af, ty, protocol, flags);
        };
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        let n = to_w(info);
        // SAFETY: `n` is a whole WSAPROTOCOL_INFOW local that outlives the call; the other
        // arguments are integers. Returns a new handle or INVALID_SOCKET.
        let raw = unsafe { ws::WSASocketW(af, ty, protocol, &n, 0, flags) };
        finish(self.adopt(raw))
    }

    /// `WSAEnumProtocolsA`: a buffer of `*buffer_len` bytes (at most 1,024 entries).
    fn wsa_enum_protocols_a(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        finish(enum_protocols(
            protocols,
            buffer_len,
            |lp, bp, len| {
                // SAFETY: `lp` is null or a 0-terminated array, `bp` null or whole
                // WSAPROTOCOL_INFOA structures, `len` at most their size in bytes (see
                // `enum_protocols`).
                unsafe { ws::WSAEnumProtocolsA(lp, bp, len) }
            },
            from_a,
        ))
    }

    /// `WSAEnumProtocolsW`: as the A call.
    fn wsa_enum_protocols_w(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        if let Err(e) = self.started() {
            return finish(Err(e));
        }
        finish(enum_protocols(
            protocols,
            buffer_len,
            |lp, bp, len| {
                // SAFETY: as in the A call, with WSAPROTOCOL_INFOW structures.
                unsafe { ws::WSAEnumProtocolsW(lp, bp, len) }
            },
            from_w,
        ))
    }
}

/// `WSAEnumProtocolsA/W` over structures `T` (WSAPROTOCOL_INFOA or _INFOW): gives `call` the
/// 0-terminated protocol list (or null), a buffer of as many whole `T` as `*buffer_len` bytes
/// hold (at most [`MAX_ENTRIES`]; null when none fit) and the length in bytes, which is at
/// most that buffer's size, or, with a null buffer, the caller's length (the OS then writes
/// nothing but the length). WSAENOBUFS hands the length the OS asked for back to the caller.
fn enum_protocols<T: Default + Clone>(
    protocols: Option<&[i32]>,
    buffer_len: &mut u32,
    call: impl FnOnce(*const i32, *mut T, *mut u32) -> i32,
    convert: fn(&T) -> WsaProtocolInfo,
) -> Result<Vec<WsaProtocolInfo>, WsaError> {
    let size = std::mem::size_of::<T>();
    let count = (*buffer_len as usize / size).min(MAX_ENTRIES);
    let mut buf = vec![T::default(); count];
    let list = c_list(protocols);
    let lp = list.as_ref().map_or(std::ptr::null(), |l| l.as_ptr());
    let bp = if count == 0 {
        std::ptr::null_mut()
    } else {
        buf.as_mut_ptr()
    };
    let mut len = if count == 0 {
        *buffer_len
    } else {
        (count * size) as u32
    };
    let n = call(lp, bp, &mut len);
    if n == ws::SOCKET_ERROR {
        let e = last_error();
        if e == WsaError::WSAENOBUFS {
            *buffer_len = len;
        }
        return Err(e);
    }
    Ok(buf.iter().take(n.max(0) as usize).map(convert).collect())
}
