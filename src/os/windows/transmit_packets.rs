//! TransmitPackets for [`Native`], through the pointer SIO_GET_EXTENSION_FUNCTION_POINTER
//! gives for WSAID_TRANSMITPACKETS (`mswsock.rs` loads it).
//!
//! The packet array lives in the operation's record: each memory element's bytes in one of
//! its buffers, each file element's "file" in a temporary file it owns (as TransmitFile's),
//! so the OS reads them from memory that stays put until the operation completes. The
//! elements' flags reach the OS as given, so it is the OS that refuses bad ones.

use std::os::windows::io::AsRawHandle;

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock as ws;

use super::issue::bool_result;
use super::mswsock::{ext_fn, ptr_or_null, temp_file, Ext};
use super::native::{finish, Native};
use super::op::{Kind, Op};
use crate::api::transmit_packets::TransmitPacketsElement;
use crate::api::{Overlapped, Socket, WsaError};

impl Native {
    /// `TransmitPackets(s, lpPacketArray, nElementCount, nSendSize, lpOverlapped, dwFlags)`.
    /// Without `ov` the call blocks and returns the bytes of the elements it sent.
    pub(super) fn transmit_packets_call(
        &self,
        s: Socket,
        elements: &[TransmitPacketsElement<'_>],
        send_size: u32,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        let f = match self
            .owned(s)
            .and_then(|raw| ext_fn!(self, raw, Ext::TransmitPackets, ws::LPFN_TRANSMITPACKETS))
        {
            Ok(f) => f,
            Err(e) => return finish(Err(e)),
        };
        let total = elements
            .iter()
            .map(|e| e.bytes().map_or(0, <[u8]>::len))
            .sum();
        let op = match packet_array(elements, ov) {
            Ok(op) => op,
            Err(e) => return finish(Err(e)),
        };
        let count = op.packets.len() as u32;
        let Some(_) = ov else {
            // SAFETY: an owned socket (checked above); the packet array and every buffer and
            // file it points at are in `op`, alive until the call returns; no OVERLAPPED, so
            // the call is done with them when it returns.
            let r = self.owned(s).and_then(|raw| unsafe {
                bool_result(
                    f(
                        raw,
                        op.packets.as_ptr(),
                        count,
                        send_size,
                        std::ptr::null_mut(),
                        flags,
                    ),
                    0,
                )
            });
            drop(op);
            return finish(r.map(|_| total));
        };
        self.issue(s, op, None, |raw, p, _| {
            // SAFETY: the record is live until its completion and owns the packet array and
            // the buffers and files it points at, which never move (boxed, and not resized).
            let ok = unsafe {
                f(
                    raw,
                    (*p).packets.as_ptr(),
                    count,
                    send_size,
                    std::ptr::addr_of_mut!((*p).ov),
                    flags,
                )
            };
            bool_result(ok, 0).map(|_| total)
        })
    }
}

/// The operation record holding TRANSMIT_PACKETS_ELEMENTs for `elements`: a memory element
/// points at its copy in the record's buffers, a file element at a temporary file the
/// record owns (its file pointer at 0, so an offset of -1 reads from the start).
fn packet_array(
    elements: &[TransmitPacketsElement<'_>],
    ov: Option<Overlapped>,
) -> Result<Box<Op>, WsaError> {
    let memory = |e: &TransmitPacketsElement<'_>| e.flags & ws::TP_ELEMENT_MEMORY != 0;
    let bufs = elements
        .iter()
        .map(|e| {
            if memory(e) {
                e.data.to_vec()
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut op = Op::new(
        ov.unwrap_or(Overlapped::new(0)),
        Kind::Send,
        std::ptr::null_mut(),
    )
    .with_bufs(bufs);
    for (i, e) in elements.iter().enumerate() {
        let mut el = ws::TRANSMIT_PACKETS_ELEMENT {
            dwElFlags: e.flags,
            cLength: e.length,
            ..Default::default()
        };
        if memory(e) {
            el.Anonymous.pBuffer = ptr_or_null(&mut op.bufs[i]);
        } else {
            let file = temp_file(e.data, 0)?;
            el.Anonymous.Anonymous = ws::TRANSMIT_PACKETS_ELEMENT_0_0 {
                nFileOffset: e.offset,
                hFile: file.as_raw_handle() as HANDLE,
            };
            op.files.push(file);
        }
        op.packets.push(el);
    }
    Ok(op)
}
