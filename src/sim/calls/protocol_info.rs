//! [`ProtocolInfoApi`] in the simulator: `GetCurrentProcessId`, `WSADuplicateSocket`,
//! `WSASocket` from a protocol info and `WSAEnumProtocols`. The handle bookkeeping of a
//! duplicated socket is the socket layer's (`socket/duplicate.rs`); the catalogue is
//! [`crate::api::protocol_info::catalog`].

use crate::api::consts::*;
use crate::api::protocol_info::{self as pi, ProtocolInfoApi, WsaProtocolInfo};
use crate::api::{Socket, WinsockExt, WsaError};
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::socket::duplicate::process_id;

impl Traced for Vec<WsaProtocolInfo> {
    fn traced(&self) -> i64 {
        self.len() as i64
    }
}

impl SimWinsock {
    fn enum_protocols(
        &self,
        call: &'static str,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
        entry_len: usize,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        let len = u64::from(*buffer_len);
        self.call(call, len, entry_len as u64, |_| {
            pi::enum_entries(pi::catalog(), protocols, buffer_len, entry_len)
        })
    }
}

impl ProtocolInfoApi for SimWinsock {
    /// `GetCurrentProcessId`: the host's process, `0x1000 + 4 × host index`.
    fn get_current_process_id(&self) -> u32 {
        self.spin_point();
        process_id(self.host)
    }

    fn wsa_duplicate_socket(
        &self,
        s: Socket,
        process_id_arg: u32,
        info: Option<&mut WsaProtocolInfo>,
    ) -> Result<(), WsaError> {
        self.call(
            "WSADuplicateSocket",
            s.raw() as u64,
            u64::from(process_id_arg),
            |this| {
                // Windows' order (sock.c test_WSADuplicateSocket): the socket, the process,
                // then the buffer.
                let id = this.sock(s)?;
                if process_id_arg != process_id(this.host) {
                    return Err(WsaError::WSAEINVAL);
                }
                let Some(info) = info else {
                    return Err(WsaError::WSAEFAULT);
                };
                let mut w = this.w();
                let sk = w.net.sockets.at(id);
                let Some(mut entry) = pi::catalog_entry(sk.family, sk.ty) else {
                    unreachable!("every simulated socket kind is in the catalogue");
                };
                entry.provider_reserved = w.duplicate_handle(this.host, id) as u32;
                *info = entry;
                Ok(())
            },
        )
    }

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
        if info.provider_reserved != 0 {
            // A duplicate's info: open its handle (it keeps the original's attributes, so
            // the flags are not looked at).
            let h = info.provider_reserved as usize;
            return self.call("WSASocket", h as u64, u64::from(flags), |this| {
                this.w().open_duplicate(this.host, h)
            });
        }
        let (af, ty, protocol) = pi::args_from_info(af, ty, protocol, info);
        // With an info the family is checked first (sock.c 3441: an info of -1s with
        // `(0, 0, IPPROTO_UDP)` is WSAEAFNOSUPPORT, not WSAESOCKTNOSUPPORT).
        if af != AF_INET && af != AF_INET6 {
            let r = self
                .enter("WSASocket", false)
                .and(Err(WsaError::WSAEAFNOSUPPORT));
            return self.finish("WSASocket", af as u64, u64::from(flags), r);
        }
        self.wsa_socket(af, ty, protocol, flags)
    }

    fn wsa_enum_protocols_a(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        self.enum_protocols(
            "WSAEnumProtocolsA",
            protocols,
            buffer_len,
            pi::WSAPROTOCOL_INFOA_LEN,
        )
    }

    fn wsa_enum_protocols_w(
        &self,
        protocols: Option<&[i32]>,
        buffer_len: &mut u32,
    ) -> Result<Vec<WsaProtocolInfo>, WsaError> {
        self.enum_protocols(
            "WSAEnumProtocolsW",
            protocols,
            buffer_len,
            pi::WSAPROTOCOL_INFOW_LEN,
        )
    }
}
