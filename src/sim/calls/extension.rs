//! [`WinsockExt`] in the simulator: `WSASocket` flags, `WSAAccept` with a condition function,
//! extension functions through WSAIoctl, `CancelIo`, `HasOverlappedIoCompleted`.

use crate::api::consts::*;
use crate::api::extension::*;
use crate::api::{Overlapped, OverlappedIo, SockAddr, Socket, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::models::op::Status;

/// Every WSA_FLAG_* bit.
const ALL_FLAGS: u32 = 0x1DF;
/// The multipoint flags.
const MULTIPOINT: u32 = WSA_FLAG_MULTIPOINT_C_ROOT
    | WSA_FLAG_MULTIPOINT_C_LEAF
    | WSA_FLAG_MULTIPOINT_D_ROOT
    | WSA_FLAG_MULTIPOINT_D_LEAF;

impl WinsockExt for SimWinsock {
    fn wsa_socket(&self, af: i32, ty: i32, protocol: i32, flags: u32) -> Result<Socket, WsaError> {
        if flags & !ALL_FLAGS != 0 || (ty == SOCK_STREAM && flags & MULTIPOINT != 0) {
            // Checked after the startup check, as every WinSock call is.
            let r = self.enter("WSASocket", false).and(Err(WsaError::WSAEINVAL));
            return self.finish("WSASocket", af as u64, u64::from(flags), r);
        }
        let s = self.create_socket_as(af, ty, protocol, flags & WSA_FLAG_OVERLAPPED != 0)?;
        if flags & WSA_FLAG_NO_HANDLE_INHERIT != 0 {
            self.w().sock.handle_flags.insert((self.host, s.raw()), 0);
        }
        Ok(s)
    }

    fn wsa_accept(
        &self,
        s: Socket,
        mut condition: Option<ConditionFn<'_>>,
    ) -> Result<(Socket, SockAddr), WsaError> {
        self.call("WSAAccept", s.raw() as u64, 0, |this| {
            let id = this.sock(s)?;
            let r = this.wsa_accept_body(s, id, condition.as_mut());
            this.w().leave_line(id, this.tid);
            r
        })
    }

    fn get_extension_function_pointer(
        &self,
        s: Socket,
        guid: &Guid,
        out_len: usize,
    ) -> Result<ExtensionFunction, WsaError> {
        let mut out = vec![0u8; out_len.min(64)];
        let n = self.wsa_ioctl(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            &guid.to_bytes(),
            &mut out,
        )?;
        let mut p = [0u8; 8];
        p.copy_from_slice(&out[..n.min(8)]);
        ExtensionFunction::from_pointer(u64::from_le_bytes(p)).ok_or(WsaError::WSAEINVAL)
    }

    fn wsa_ioctl_sized(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, (WsaError, usize)> {
        self.wsa_ioctl_sized_call(s, code, input, output)
    }

    fn cancel_io(&self, s: Socket) -> Result<(), WsaError> {
        let r = self.enter("CancelIo", true).and_then(|()| {
            let mut w = self.w();
            let id = w
                .sock_id(self.host, s)
                .map_err(|_| WsaError::WSA_INVALID_HANDLE)?;
            let tid = self.tid;
            let mine: Vec<Overlapped> = {
                let io = &w.models.io;
                let serials: Vec<u64> = match io.socks.get(id).and_then(|x| x.as_ref()) {
                    Some(sk) => sk
                        .recvs
                        .iter()
                        .chain(sk.sends.iter())
                        .chain(sk.rare().unbuffered.iter().map(|(s, _)| s))
                        .chain(&sk.rare().accepts)
                        .chain(sk.connect.get().as_ref())
                        .chain(sk.rare().disconnect.iter())
                        .chain(&sk.rare().list_change)
                        .chain(sk.rare().isb_change.iter())
                        .copied()
                        .collect(),
                    None => Vec::new(),
                };
                serials
                    .iter()
                    .filter_map(|serial| io.ops.get(serial))
                    .filter(|op| op.tid == tid && op.done.is_none())
                    .map(|op| op.ov)
                    .collect()
            };
            for ov in mine {
                w.abort_ops(id, Status::Cancelled, Status::Cancelled, Some(&ov));
            }
            Ok(())
        });
        self.finish("CancelIo", s.raw() as u64, 0, r)
    }

    fn has_overlapped_io_completed(&self, ov: &Overlapped) -> bool {
        self.overlapped_internal(ov).0 != STATUS_PENDING
    }

    fn overlapped_internal(&self, ov: &Overlapped) -> (u32, usize) {
        self.spin_point();
        let w = self.w();
        let io = &w.models.io;
        let key = (self.host, ov.id);
        if io.failed_pending.contains_key(&key) {
            return (STATUS_PENDING, 0);
        }
        if let Some(op) = io.op_serial(&key).and_then(|serial| io.ops.get(&serial)) {
            return match op.done {
                None => (STATUS_PENDING, 0),
                Some((status, bytes)) => (status.ntstatus(), bytes),
            };
        }
        match io.result(&key) {
            Some((status, bytes)) => (status.ntstatus(), bytes),
            None => (0, 0),
        }
    }
}

impl SimWinsock {
    /// WSAAccept on listener `id` (handle `s`): `accept`'s step without a condition function;
    /// with one, the connection owed to this thread is shown to it first (it runs without
    /// the lock: the program's code), then taken, rejected or deferred. The caller leaves
    /// the listener's line of blocked accepts afterwards, whatever this returns.
    fn wsa_accept_body(
        &self,
        s: Socket,
        id: usize,
        condition: Option<&mut ConditionFn<'_>>,
    ) -> Result<(Socket, SockAddr), WsaError> {
        let tid = self.tid;
        let Some(cond) = condition else {
            return self.blocking("WSAAccept", Some((s, id)), |w| w.accept_step(id, tid));
        };
        loop {
            let (child, peer, local) =
                self.blocking("WSAAccept", Some((s, id)), |w| w.accept_peek(id, tid))?;
            let verdict = cond(&SockAddr::from(peer), &SockAddr::from(local));
            let mut w = self.w();
            if w.sock_id(self.host, s) != Ok(id) {
                return Err(WsaError::WSAEINTR);
            }
            if !w.accept_owed_is(id, tid, child) {
                // Taken or gone while the condition function ran: ask again.
                continue;
            }
            let r = match verdict {
                CF_ACCEPT => {
                    drop(w);
                    return self.blocking("WSAAccept", Some((s, id)), |w| w.accept_step(id, tid));
                }
                CF_REJECT => {
                    w.accept_reject(id, child);
                    Err(WsaError::WSAECONNREFUSED)
                }
                CF_DEFER => {
                    w.io_sock(child).deferred = true;
                    Err(WsaError::WSATRY_AGAIN)
                }
                _ => Err(WsaError::WSAEINVAL),
            };
            // A failed accept re-enables FD_ACCEPT, as for `accept`.
            w.reenable_accept(id);
            return r;
        }
    }
}
