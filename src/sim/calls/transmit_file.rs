//! TransmitFile and TransmitPackets in the simulator.
//!
//! TransmitPackets sends its elements' bytes on a stream socket exactly as TransmitFile sends
//! head, file part and tail; on a connected datagram socket each send request (elements
//! joined up to TP_ELEMENT_EOP) is a datagram. It is modelled from its documentation: Wine
//! 8.0 does not provide it.
//!
//! The sim has no files: the "file" is an in-memory byte buffer the caller passes, read from
//! the given offset (the file pointer, or OVERLAPPED.Offset) for the given count (0: to its
//! end). TransmitFile reads the file in the kernel, so the send buffer does not limit it: the
//! head, the file part and the tail go to the connection's send queue at once, in that order
//! (after any WSASend still pending on the socket). Without an OVERLAPPED the call then
//! returns the count; with one it always returns WSA_IO_PENDING (sock.c test_TransmitFile)
//! and completes — event or completion packet — with the count. TF_DISCONNECT closes the
//! sending direction afterwards and TF_REUSE_SOCKET then hands the handle a fresh socket once
//! the FIN is acknowledged, as DisconnectEx does (`mswsock.rs`); with TF_DISCONNECT an
//! overlapped TransmitFile completes when the FIN is acknowledged.

use crate::api::consts::*;
use crate::api::transmit_packets::{send_requests, TransmitPacketsElement};
use crate::api::{Overlapped, Socket, TransmitFileBuffers, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::models::op::{Op, OpKind, Status};
use crate::sim::models::transmit_file::TF_IGNORED;
use crate::sim::runtime::{Step, WaitKey};

/// The bytes TransmitFile sends: head, then `file[offset..]` (at most `count` bytes, 0 for
/// all), then tail.
fn gather(
    file: Option<&[u8]>,
    offset: u64,
    count: u32,
    buffers: Option<&TransmitFileBuffers>,
) -> Vec<u8> {
    let mut data = Vec::new();
    if let Some(b) = buffers {
        data.extend_from_slice(&b.head);
    }
    if let Some(f) = file {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(f.len());
        let rest = &f[start..];
        let n = if count == 0 {
            rest.len()
        } else {
            rest.len().min(count as usize)
        };
        data.extend_from_slice(&rest[..n]);
    }
    if let Some(b) = buffers {
        data.extend_from_slice(&b.tail);
    }
    data
}

impl SimWinsock {
    /// `TransmitFile(hSocket, hFile, nNumberOfBytesToWrite, 0, lpOverlapped,
    /// lpTransmitBuffers, dwReserved)`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn transmit_file_call(
        &self,
        s: Socket,
        file: Option<&[u8]>,
        offset: u64,
        count: u32,
        buffers: Option<&TransmitFileBuffers>,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        let data = gather(file, offset, count, buffers);
        self.call("TransmitFile", s.raw() as u64, data.len() as u64, |this| {
            let id = this.sock(s)?;
            // Not a connected stream socket (a datagram socket included): WSAENOTCONN, even
            // with bad flags (ER-12).
            if !this.w().transmit_ready(id) {
                return Err(WsaError::WSAENOTCONN);
            }
            if flags & !(TF_DISCONNECT | TF_REUSE_SOCKET | TF_IGNORED) != 0 {
                return Err(WsaError::WSAEINVAL);
            }
            this.transmit_stream("TransmitFile", s, id, data, ov, flags)
        })
    }

    /// `TransmitPackets(hSocket, lpPacketArray, nElementCount, nSendSize, lpOverlapped,
    /// dwFlags)`: on a connected stream socket the elements' bytes in order, as TransmitFile
    /// sends its; on a connected datagram socket a datagram per send request (`send_requests`).
    /// The checks in TransmitFile's order: the socket, connected, the flags, then the
    /// elements.
    pub(crate) fn transmit_packets_call(
        &self,
        s: Socket,
        elements: &[TransmitPacketsElement<'_>],
        send_size: u32,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        let requests = send_requests(elements, send_size);
        let total: usize = requests.iter().flatten().map(Vec::len).sum();
        self.call("TransmitPackets", s.raw() as u64, total as u64, |this| {
            let id = this.sock(s)?;
            let dgram = {
                let mut w = this.w();
                match w.udp(id) {
                    Some(u) => Some(u.peer.is_some()),
                    None => {
                        if !w.transmit_ready(id) {
                            return Err(WsaError::WSAENOTCONN);
                        }
                        None
                    }
                }
            };
            let known = TF_DISCONNECT | TF_REUSE_SOCKET | TF_IGNORED;
            match dgram {
                Some(false) => Err(WsaError::WSAENOTCONN),
                // Disconnecting has no meaning for datagrams (the documentation: "results in
                // an error").
                Some(true) if flags & !TF_IGNORED != 0 => Err(WsaError::WSAEINVAL),
                None if flags & !known != 0 => Err(WsaError::WSAEINVAL),
                _ => {
                    let Some(requests) = requests else {
                        return Err(WsaError::WSAEINVAL);
                    };
                    match dgram {
                        Some(_) => this.transmit_datagrams(id, requests, ov),
                        None => this.transmit_stream(
                            "TransmitPackets",
                            s,
                            id,
                            requests.concat(),
                            ov,
                            flags,
                        ),
                    }
                }
            }
        })
    }

    /// TransmitPackets on connected datagram socket `id`: each request a datagram to the
    /// peer, in order. With `ov` it then returns WSA_IO_PENDING and completes at once with
    /// the count, as an overlapped TransmitFile does.
    fn transmit_datagrams(
        &self,
        id: usize,
        requests: Vec<Vec<u8>>,
        ov: Option<Overlapped>,
    ) -> Result<usize, WsaError> {
        let mut w = self.w();
        if let Some(ov) = ov {
            if !w.ov_free(self.host, &ov) {
                return Err(w.ov_reused(self.tid, "TransmitPackets", ov.id, id));
            }
        }
        let mut n = 0;
        for d in &requests {
            n += w.udp_send(id, d, None)?;
        }
        let Some(ov) = ov else { return Ok(n) };
        let serial = w.start_op(Op {
            host: self.host,
            tid: self.tid,
            sid: id,
            ov,
            kind: OpKind::Send,
            bufs: requests,
            routine: None,
            done: None,
            from: None,
            msg: None,
        });
        w.finish_op(serial, Status::Ok, n, false);
        Err(WsaError::WSA_IO_PENDING)
    }

    /// The rest of TransmitFile and TransmitPackets on connected stream socket `id` (its
    /// flags checked): `data` to the send queue (after any overlapped WSASend still waiting
    /// for room), then TF_DISCONNECT's shutdown and TF_REUSE_SOCKET's fresh socket.
    fn transmit_stream(
        &self,
        call: &'static str,
        s: Socket,
        id: usize,
        data: Vec<u8>,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        let disconnect = flags & TF_DISCONNECT != 0;
        let reuse = disconnect && flags & TF_REUSE_SOCKET != 0;
        let n = data.len();
        let Some(ov) = ov else {
            // After any overlapped WSASend still waiting for room.
            self.blocking(call, Some((s, id)), |w| {
                if w.io_sock_ref(id).is_some_and(|io| !io.sends.is_empty()) {
                    return Step::Wait(WaitKey::Writable(id), None);
                }
                if !w.transmit_ready(id) {
                    return Step::Done(Err(WsaError::WSAENOTCONN));
                }
                if n > 0 {
                    w.tcp_enqueue(id, &data, false);
                }
                Step::Done(Ok(()))
            })?;
            if disconnect {
                self.w().shutdown_socket(id, SD_SEND)?;
            }
            if reuse {
                self.blocking(call, Some((s, id)), |w| match w.tcp(id) {
                    Some(t) if !t.fin_acked && t.error.is_none() => {
                        Step::Wait(WaitKey::Socket(id), None)
                    }
                    _ => Step::Done(Ok(())),
                })?;
                self.w().reuse_socket(id);
            }
            return Ok(n);
        };
        let mut w = self.w();
        if !w.ov_free(self.host, &ov) {
            return Err(w.ov_reused(self.tid, call, ov.id, id));
        }
        let kind = if disconnect {
            OpKind::Disconnect {
                reuse,
                // A DWORD on Windows; the sim's data is far below it.
                bytes: u32::try_from(n).unwrap_or(u32::MAX),
            }
        } else {
            OpKind::Send
        };
        let serial = w.start_op(Op {
            host: self.host,
            tid: self.tid,
            sid: id,
            ov,
            kind,
            bufs: vec![data.clone()],
            routine: None,
            done: None,
            from: None,
            msg: None,
        });
        let behind = w.io_sock_ref(id).is_some_and(|io| !io.sends.is_empty());
        if disconnect {
            // Queued now (behind no pending WSASend, or ahead of them: the sim does not
            // hold a disconnecting TransmitFile back); completes at the FIN's ACK.
            if n > 0 {
                w.tcp_enqueue(id, &data, false);
            }
            w.io_sock(id).rare_mut().disconnect = Some(serial);
            w.shutdown_socket(id, SD_SEND)?;
        } else if behind {
            // Serviced in order with the pending sends (`service_sends`).
            w.io_sock(id).sends.push_back(serial);
        } else {
            if n > 0 {
                w.tcp_enqueue(id, &data, false);
            }
            // Reported through the event or packet; the call itself says pending, as
            // Windows' does (so FILE_SKIP_COMPLETION_PORT_ON_SUCCESS does not apply).
            w.finish_op(serial, Status::Ok, n, false);
        }
        Err(WsaError::WSA_IO_PENDING)
    }
}
