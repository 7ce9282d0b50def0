//! [`ProtocolInfoApi`] for [`System`]: `GetCurrentProcessId` is the OS process's id;
//! `WSADuplicateSocket` gives the same OS socket a second handle value of this `System`
//! (sharing it as Windows' duplicate shares the endpoint: data, options and state, and the
//! socket lives until its last handle closes); `WSASocket` with that info opens it;
//! `WSAEnumProtocols` lists the simulator's catalogue
//! ([`catalog`](crate::api::protocol_info::catalog)), which is what this backend's sockets are.
//!
//! Differences from Windows: only the calling process can be the target (a duplicate for
//! another process would need a handle that process can open, which socket2 cannot give on
//! Unix): any other process id is WSAEINVAL, as a process id naming no process is on
//! Windows. A duplicate opened while its datagram socket was unbound keeps seeing it unbound
//! (`recv`/`recvfrom` WSAEINVAL), as on Windows.

use std::sync::Arc;

use super::System;
use crate::api::consts::*;
use crate::api::protocol_info::{self as pi, ProtocolInfoApi, WsaProtocolInfo};
use crate::api::{Socket, Winsock, WsaError};

impl ProtocolInfoApi for System {
    /// `GetCurrentProcessId`: `std::process::id()`.
    fn get_current_process_id(&self) -> u32 {
        std::process::id()
    }

    /// `WSADuplicateSocket`: the socket, then the process, then the buffer (Windows' order).
    fn wsa_duplicate_socket(
        &self,
        s: Socket,
        process_id: u32,
        info: Option<&mut WsaProtocolInfo>,
    ) -> Result<(), WsaError> {
        self.call(|| {
            let mut t = self.inner.table.lock();
            let e = t
                .handles
                .get(s.raw())
                .cloned()
                .ok_or(WsaError::WSAENOTSOCK)?;
            if process_id != std::process::id() {
                return Err(WsaError::WSAEINVAL);
            }
            let info = info.ok_or(WsaError::WSAEFAULT)?;
            let mut entry = pi::catalog_entry(e.family, e.ty)
                .expect("this backend's sockets are TCP or UDP over IPv4 or IPv6");
            let h = t.handles.insert(Arc::clone(&e));
            entry.provider_reserved = h as u32;
            *info = entry;
            Ok(())
        })
    }

    /// `WSASocket` with a protocol info: a duplicate's handle opened, or a new socket of the
    /// info's kind (flags other than the ones `socket` implies are not looked at).
    fn wsa_socket_from_info(
        &self,
        af: i32,
        ty: i32,
        protocol: i32,
        info: Option<&WsaProtocolInfo>,
        _flags: u32,
    ) -> Result<Socket, WsaError> {
        let Some(info) = info else {
            return self.socket(af, ty, protocol);
        };
        if info.provider_reserved != 0 {
            let h = info.provider_reserved as usize;
            return self.call(|| {
                let mut t = self.inner.table.lock();
                let e = t.handles.get(h).cloned().ok_or(WsaError::WSAEINVAL)?;
                if e.ty == SOCK_DGRAM && e.local()?.is_none() {
                    t.stale_unbound.insert(h);
                }
                Ok(Socket::from_raw(h))
            });
        }
        let (af, ty, protocol) = pi::args_from_info(af, ty, protocol, info);
        // With an info the family is checked first (sock.c 3441: an info of -1s with
        // `(0, 0, IPPROTO_UDP)` is WSAEAFNOSUPPORT, not WSAESOCKTNOSUPPORT).
        if af != AF_INET && af != AF_INET6 {
            return self.call(|| Err(WsaError::WSAEAFNOSUPPORT));
        }
        self.socket(af, ty, protocol)
    }

    fn wsa_enum_protocols_a(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        self.call(|| {
            pi::enum_entries(
                pi::catalog(),
                protocols,
                buffer_len,
                pi::WSAPROTOCOL_INFOA_LEN,
            )
        })
    }

    fn wsa_enum_protocols_w(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        self.call(|| {
            pi::enum_entries(
                pi::catalog(),
                protocols,
                buffer_len,
                pi::WSAPROTOCOL_INFOW_LEN,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SockAddr;

    #[test]
    fn a_duplicate_outlives_the_original_handle() {
        let ws = System::new();
        ws.wsa_startup(0x0202).unwrap();
        let a = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        ws.bind(a, &SockAddr::v4([127, 0, 0, 1], 0)).unwrap();
        let addr = ws.getsockname(a).unwrap();
        let mut info = pi::catalog()[0].clone();
        ws.wsa_duplicate_socket(a, ws.get_current_process_id(), Some(&mut info))
            .unwrap();
        let b = ws.wsa_socket_from_info(0, 0, 0, Some(&info), 0).unwrap();
        assert_ne!(a, b);
        ws.closesocket(a).unwrap();
        assert_eq!(ws.sendto(b, b"x", 0, &addr), Ok(1));
        let mut buf = [0u8; 4];
        assert_eq!(ws.recvfrom(b, &mut buf, 0).map(|r| r.0), Ok(1));
        ws.closesocket(b).unwrap();
        assert_eq!(ws.closesocket(b), Err(WsaError::WSAENOTSOCK));
        ws.wsa_cleanup().unwrap();
    }
}
