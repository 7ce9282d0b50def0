//! The calls server code uses to set up its sockets the Windows way: `WSASocket` with flags,
//! `WSAAccept` with a condition function, the mswsock extension functions loaded through
//! `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`, `CancelIo` and `HasOverlappedIoCompleted`.
//!
//! An extension "function pointer" is an [`ExtensionFunction`]: each variant holds a small
//! callable value (`LpfnAcceptEx`, ...) whose `call` goes to the trait method of the same call,
//! so code that loads AcceptEx through WSAIoctl ports as written, error paths included. Only
//! the simulator implements [`WinsockExt`] for now.

use super::c_call::{finish, not_sock_or};
use super::consts::{FIONBIO, FIONREAD, SIOCATMARK};
use super::overlapped::{CompletionRoutine, Overlapped, OverlappedIo, TransmitFileBuffers};
use super::types::{SockAddr, Socket};
use super::{Winsock, WsaError};
use crate::api::msg::WsaMsg;

/// SIO_GET_EXTENSION_FUNCTION_POINTER (0xC8000006): input a GUID (16 bytes), output a
/// function pointer (8 bytes on x64).
pub const SIO_GET_EXTENSION_FUNCTION_POINTER: u32 = 0xC800_0006;

/// WSA_FLAG_OVERLAPPED (0x01): the socket supports overlapped I/O (what `socket` gives).
pub const WSA_FLAG_OVERLAPPED: u32 = 0x01;
/// WSA_FLAG_MULTIPOINT_C_ROOT (0x02).
pub const WSA_FLAG_MULTIPOINT_C_ROOT: u32 = 0x02;
/// WSA_FLAG_MULTIPOINT_C_LEAF (0x04).
pub const WSA_FLAG_MULTIPOINT_C_LEAF: u32 = 0x04;
/// WSA_FLAG_MULTIPOINT_D_ROOT (0x08).
pub const WSA_FLAG_MULTIPOINT_D_ROOT: u32 = 0x08;
/// WSA_FLAG_MULTIPOINT_D_LEAF (0x10).
pub const WSA_FLAG_MULTIPOINT_D_LEAF: u32 = 0x10;
/// WSA_FLAG_ACCESS_SYSTEM_SECURITY (0x40).
pub const WSA_FLAG_ACCESS_SYSTEM_SECURITY: u32 = 0x40;
/// WSA_FLAG_NO_HANDLE_INHERIT (0x80): the handle is not inherited by child processes.
pub const WSA_FLAG_NO_HANDLE_INHERIT: u32 = 0x80;
/// WSA_FLAG_REGISTERED_IO (0x100): the socket may be used with RIO.
pub const WSA_FLAG_REGISTERED_IO: u32 = 0x100;

/// CF_ACCEPT (0): the condition function accepts the connection.
pub const CF_ACCEPT: i32 = 0;
/// CF_REJECT (1): the condition function rejects it (WSAAccept fails with WSAECONNREFUSED).
pub const CF_REJECT: i32 = 1;
/// CF_DEFER (2): the condition function defers it (WSAAccept fails with WSATRY_AGAIN and the
/// connection stays queued).
pub const CF_DEFER: i32 = 2;

/// A GUID as `WSAIoctl` takes it (`Data1`, `Data2`, `Data3` little-endian, `Data4` bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid {
    /// Data1.
    pub data1: u32,
    /// Data2.
    pub data2: u16,
    /// Data3.
    pub data3: u16,
    /// Data4.
    pub data4: [u8; 8],
}

impl Guid {
    /// The 16 bytes of the GUID in memory (the WSAIoctl input buffer).
    pub fn to_bytes(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[0..4].copy_from_slice(&self.data1.to_le_bytes());
        b[4..6].copy_from_slice(&self.data2.to_le_bytes());
        b[6..8].copy_from_slice(&self.data3.to_le_bytes());
        b[8..].copy_from_slice(&self.data4);
        b
    }

    /// A GUID from its 16 bytes in memory; `None` when fewer are given.
    pub fn from_bytes(b: &[u8]) -> Option<Guid> {
        let b: &[u8; 16] = b.get(..16)?.try_into().ok()?;
        let mut data4 = [0u8; 8];
        data4.copy_from_slice(&b[8..]);
        Some(Guid {
            data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_le_bytes([b[4], b[5]]),
            data3: u16::from_le_bytes([b[6], b[7]]),
            data4,
        })
    }
}

const fn guid(data1: u32, data2: u16, data3: u16, data4: [u8; 8]) -> Guid {
    Guid {
        data1,
        data2,
        data3,
        data4,
    }
}

/// WSAID_ACCEPTEX (mswsock.h).
pub const WSAID_ACCEPTEX: Guid = guid(
    0xb536_7df1,
    0xcbac,
    0x11cf,
    [0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92],
);
/// WSAID_GETACCEPTEXSOCKADDRS (mswsock.h).
pub const WSAID_GETACCEPTEXSOCKADDRS: Guid = guid(
    0xb536_7df2,
    0xcbac,
    0x11cf,
    [0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92],
);
/// WSAID_TRANSMITFILE (mswsock.h).
pub const WSAID_TRANSMITFILE: Guid = guid(
    0xb536_7df0,
    0xcbac,
    0x11cf,
    [0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92],
);
/// WSAID_CONNECTEX (mswsock.h).
pub const WSAID_CONNECTEX: Guid = guid(
    0x25a2_07b9,
    0xddf3,
    0x4660,
    [0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e],
);
/// WSAID_DISCONNECTEX (mswsock.h).
pub const WSAID_DISCONNECTEX: Guid = guid(
    0x7fda_2e11,
    0x8630,
    0x436f,
    [0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57],
);
/// WSAID_TRANSMITPACKETS (mswsock.h).
pub const WSAID_TRANSMITPACKETS: Guid = guid(
    0xd968_9da0,
    0x1f90,
    0x11d3,
    [0x99, 0x71, 0x00, 0xc0, 0x4f, 0x68, 0xc8, 0x76],
);
/// WSAID_WSARECVMSG (mswsock.h).
pub const WSAID_WSARECVMSG: Guid = guid(
    0xf689_d7c8,
    0x6f1f,
    0x436b,
    [0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22],
);
/// WSAID_WSASENDMSG (mswsock.h).
pub const WSAID_WSASENDMSG: Guid = guid(
    0xa441_e712,
    0x754f,
    0x43ca,
    [0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d],
);

/// The extension GUIDs; extension `i` of this table gets the pointer value
/// [`extension_pointer(i)`](extension_pointer).
pub const EXTENSION_GUIDS: [Guid; 8] = [
    WSAID_ACCEPTEX,
    WSAID_CONNECTEX,
    WSAID_DISCONNECTEX,
    WSAID_GETACCEPTEXSOCKADDRS,
    WSAID_TRANSMITFILE,
    WSAID_TRANSMITPACKETS,
    WSAID_WSARECVMSG,
    WSAID_WSASENDMSG,
];

/// The "pointer" value the simulator writes for extension `i` (a recognisable tag, never a
/// real address).
pub const fn extension_pointer(i: usize) -> u64 {
    0x5155_4d00_0000_0000 | i as u64
}

/// LPFN_ACCEPTEX: calls [`OverlappedIo::accept_ex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnAcceptEx(());
impl LpfnAcceptEx {
    /// `lpfnAcceptEx(sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength, ...)`.
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        ws.accept_ex(listener, accept_socket, buf, ov)
    }

    /// `lpfnAcceptEx(…, dwReceiveDataLength, dwLocalAddressLength, dwRemoteAddressLength,
    /// …)`: calls [`OverlappedIo::accept_ex_with_lengths`].
    #[allow(clippy::too_many_arguments)] // AcceptEx's own parameters, in C's order.
    pub fn call_with_lengths<W: OverlappedIo>(
        &self,
        ws: &W,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        local_len: u32,
        remote_len: u32,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        ws.accept_ex_with_lengths(listener, accept_socket, buf, local_len, remote_len, ov)
    }
}

/// LPFN_CONNECTEX: calls [`OverlappedIo::connect_ex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnConnectEx(());
impl LpfnConnectEx {
    /// `lpfnConnectEx(s, name, namelen, lpSendBuffer, ..., lpOverlapped)`.
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        s: Socket,
        addr: &SockAddr,
        send_buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        ws.connect_ex(s, addr, send_buf, ov)
    }
}

/// LPFN_DISCONNECTEX: calls [`OverlappedIo::disconnect_ex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnDisconnectEx(());
impl LpfnDisconnectEx {
    /// `lpfnDisconnectEx(s, lpOverlapped, dwFlags, 0)`.
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        s: Socket,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<(), WsaError> {
        ws.disconnect_ex(s, ov, flags)
    }
}

/// LPFN_GETACCEPTEXSOCKADDRS: calls [`OverlappedIo::get_accept_ex_sockaddrs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnGetAcceptExSockaddrs(());
impl LpfnGetAcceptExSockaddrs {
    /// `lpfnGetAcceptExSockaddrs(lpOutputBuffer, ..., &Local, ..., &Remote, ...)`.
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        accept_socket: Socket,
    ) -> Result<(SockAddr, SockAddr), WsaError> {
        ws.get_accept_ex_sockaddrs(accept_socket)
    }
}

/// LPFN_TRANSMITFILE: calls [`OverlappedIo::transmit_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnTransmitFile(());
impl LpfnTransmitFile {
    /// `lpfnTransmitFile(hSocket, hFile, nNumberOfBytesToWrite, 0, lpOverlapped,
    /// lpTransmitBuffers, dwFlags)`.
    #[allow(clippy::too_many_arguments)]
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        s: Socket,
        file: Option<&[u8]>,
        offset: u64,
        bytes_to_write: u32,
        buffers: Option<&TransmitFileBuffers>,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        ws.transmit_file(s, file, offset, bytes_to_write, buffers, ov, flags)
    }
}

/// LPFN_TRANSMITPACKETS: calls [`OverlappedIo::transmit_packets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnTransmitPackets(());
impl LpfnTransmitPackets {
    /// `lpfnTransmitPackets(hSocket, lpPacketArray, nElementCount, nSendSize, lpOverlapped,
    /// dwFlags)`.
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        s: Socket,
        elements: &[super::transmit_packets::TransmitPacketsElement<'_>],
        send_size: u32,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        ws.transmit_packets(s, elements, send_size, ov, flags)
    }
}

/// LPFN_WSARECVMSG: calls [`OverlappedIo::wsa_recv_msg`] (or the overlapped form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnWsaRecvMsg(());
impl LpfnWsaRecvMsg {
    /// `lpfnWSARecvMsg(s, lpMsg, &dwBytes, NULL, NULL)`.
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        s: Socket,
        msg: &mut WsaMsg,
    ) -> Result<usize, WsaError> {
        ws.wsa_recv_msg(s, msg)
    }

    /// `lpfnWSARecvMsg(s, lpMsg, NULL, lpOverlapped, lpCompletionRoutine)`.
    pub fn call_overlapped<W: OverlappedIo>(
        &self,
        ws: &W,
        s: Socket,
        msg: WsaMsg,
        ov: Overlapped,
        routine: Option<CompletionRoutine<W>>,
    ) -> Result<usize, WsaError> {
        ws.wsa_recv_msg_overlapped(s, msg, ov, routine)
    }
}

/// LPFN_WSASENDMSG: calls [`OverlappedIo::wsa_send_msg`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LpfnWsaSendMsg(());
impl LpfnWsaSendMsg {
    /// `WSASendMsg(s, lpMsg, dwFlags, &dwBytes, NULL, NULL)`.
    pub fn call<W: OverlappedIo>(
        &self,
        ws: &W,
        s: Socket,
        msg: &WsaMsg,
        flags: u32,
    ) -> Result<usize, WsaError> {
        ws.wsa_send_msg(s, msg, flags)
    }
}

/// A function `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)` hands back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionFunction {
    /// WSAID_ACCEPTEX.
    AcceptEx(LpfnAcceptEx),
    /// WSAID_CONNECTEX.
    ConnectEx(LpfnConnectEx),
    /// WSAID_DISCONNECTEX.
    DisconnectEx(LpfnDisconnectEx),
    /// WSAID_GETACCEPTEXSOCKADDRS.
    GetAcceptExSockaddrs(LpfnGetAcceptExSockaddrs),
    /// WSAID_TRANSMITFILE.
    TransmitFile(LpfnTransmitFile),
    /// WSAID_TRANSMITPACKETS.
    TransmitPackets(LpfnTransmitPackets),
    /// WSAID_WSARECVMSG.
    WsaRecvMsg(LpfnWsaRecvMsg),
    /// WSAID_WSASENDMSG.
    WsaSendMsg(LpfnWsaSendMsg),
}

impl ExtensionFunction {
    /// The function whose GUID is `g`, if WinSock knows it.
    pub fn for_guid(g: &Guid) -> Option<ExtensionFunction> {
        let i = EXTENSION_GUIDS.iter().position(|x| x == g)?;
        Some(match i {
            0 => ExtensionFunction::AcceptEx(LpfnAcceptEx(())),
            1 => ExtensionFunction::ConnectEx(LpfnConnectEx(())),
            2 => ExtensionFunction::DisconnectEx(LpfnDisconnectEx(())),
            3 => ExtensionFunction::GetAcceptExSockaddrs(LpfnGetAcceptExSockaddrs(())),
            4 => ExtensionFunction::TransmitFile(LpfnTransmitFile(())),
            5 => ExtensionFunction::TransmitPackets(LpfnTransmitPackets(())),
            6 => ExtensionFunction::WsaRecvMsg(LpfnWsaRecvMsg(())),
            _ => ExtensionFunction::WsaSendMsg(LpfnWsaSendMsg(())),
        })
    }

    /// The function a pointer value written by the simulator's WSAIoctl names.
    pub fn from_pointer(p: u64) -> Option<ExtensionFunction> {
        let i = (0..EXTENSION_GUIDS.len()).find(|&i| extension_pointer(i) == p)?;
        ExtensionFunction::for_guid(&EXTENSION_GUIDS[i])
    }
}

/// A `WSAAccept` condition function: given the caller's (peer's) and the callee's (local)
/// address, returns CF_ACCEPT, CF_REJECT or CF_DEFER. (The QoS, group and user-data
/// parameters of `LPCONDITIONPROC` are not modelled.)
pub type ConditionFn<'a> = &'a mut dyn FnMut(&SockAddr, &SockAddr) -> i32;

/// WinSock 2 calls for setting sockets up: `WSASocket`, `WSAAccept`, extension functions,
/// `CancelIo`, `HasOverlappedIoCompleted`.
pub trait WinsockExt: OverlappedIo {
    /// `WSASocket(af, type, protocol, NULL, 0, dwFlags)`: as `socket` (which is WSASocket with
    /// WSA_FLAG_OVERLAPPED unless the thread's SO_OPENTYPE is synchronous; WSASocket does not
    /// read SO_OPENTYPE). Flags outside WSA_FLAG_*, or multipoint flags on a stream socket:
    /// WSAEINVAL. A socket made without WSA_FLAG_OVERLAPPED is non-overlapped: an overlapped
    /// WSASend / WSARecv on it does not pend but waits in the call until done, even on a
    /// nonblocking socket, then returns the count (the completion is still signalled and
    /// WSAGetOverlappedResult finds it; conformance NB-03). The simulator models that wait;
    /// its other flags are accepted and change nothing.
    fn wsa_socket(&self, af: i32, ty: i32, protocol: i32, flags: u32) -> Result<Socket, WsaError>;

    /// `WSAAccept(s, addr, addrlen, lpfnCondition, dwCallbackData)`: waits as `accept`; with a
    /// condition function, it is called with the queued connection's peer and local address:
    /// CF_ACCEPT accepts; CF_REJECT fails with WSAECONNREFUSED and resets the connection: the
    /// peer's connect had completed, so it sees WSAECONNRESET later — unless the listener has
    /// SO_CONDITIONAL_ACCEPT, whose SYN is held until this decision: then CF_REJECT answers it
    /// with RST (the peer's connect fails with WSAECONNREFUSED, after the client's retries,
    /// each a new connection the condition function sees) and CF_ACCEPT sends the SYN-ACK and
    /// waits for the handshake (a nonblocking listener: WSAEWOULDBLOCK, then FD_ACCEPT).
    /// CF_DEFER leaves the connection queued (held) and fails with WSATRY_AGAIN; the next
    /// WSAAccept or accept sees the same connection. Any other value fails with WSAEINVAL.
    fn wsa_accept(
        &self,
        s: Socket,
        condition: Option<ConditionFn<'_>>,
    ) -> Result<(Socket, SockAddr), WsaError>;

    /// `WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, out_len,
    /// ...)`: the extension function named by `guid`. An unknown GUID: WSAEINVAL; `out_len`
    /// smaller than a pointer (8): WSAEFAULT; not a socket: WSAENOTSOCK. (The raw form,
    /// `wsa_ioctl` with this code, writes a pointer value that
    /// [`ExtensionFunction::from_pointer`] decodes.)
    fn get_extension_function_pointer(
        &self,
        s: Socket,
        guid: &Guid,
        out_len: usize,
    ) -> Result<ExtensionFunction, WsaError>;

    /// `WSAIoctl(s, code, in, cbIn, out, cbOut, &cbBytesReturned, NULL, NULL)` as
    /// [`OverlappedIo::wsa_ioctl`], keeping the cbBytesReturned WinSock writes on failure
    /// too: the size SIO_ADDRESS_LIST_QUERY needs when the output buffer is too small
    /// (WSAEFAULT), 0 after any other failure. The sim computes it from the same list.
    fn wsa_ioctl_sized(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, (WsaError, usize)>;

    /// `WSAIoctl(s, code, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
    /// lpcbBytesReturned, NULL, NULL)` with C's arguments: a buffer None is NULL (treated as
    /// empty whatever its length), `bytes_returned` None is NULL (WSAEFAULT after
    /// WSAENOTSOCK). The count is written on success and after the failures the driver
    /// reports (0, or the size SIO_ADDRESS_LIST_QUERY needs), left alone when ws2_32 refuses
    /// a FIONBIO / FIONREAD / SIOCATMARK buffer itself. A length past its slice is WSAEFAULT.
    /// The sim models it over [`WinsockExt::wsa_ioctl_sized`]; `os::Native` calls WSAIoctl
    /// with the pointers as given.
    #[allow(clippy::too_many_arguments)]
    fn wsa_ioctl_c(
        &self,
        s: Socket,
        code: u32,
        input: Option<&[u8]>,
        in_len: u32,
        output: Option<&mut [u8]>,
        out_len: u32,
        bytes_returned: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        wsa_ioctl_c(
            self,
            s,
            code,
            input,
            in_len,
            output,
            out_len,
            bytes_returned,
        )
    }

    /// `CancelIo(hFile)`: cancels the pending overlapped operations the calling thread issued
    /// on `s` (they complete with WSA_OPERATION_ABORTED); succeeds when there are none. Not a
    /// socket: ERROR_INVALID_HANDLE.
    fn cancel_io(&self, s: Socket) -> Result<(), WsaError>;

    /// `HasOverlappedIoCompleted(lpOverlapped)`: false while the operation with `ov`'s
    /// identity is pending on this process, true otherwise (the macro reads
    /// `Internal != STATUS_PENDING`).
    fn has_overlapped_io_completed(&self, ov: &Overlapped) -> bool;

    /// `lpOverlapped->Internal` and `lpOverlapped->InternalHigh`, read back: the NTSTATUS of
    /// the last operation with `ov`'s identity (STATUS_PENDING while it runs, see
    /// [`STATUS_PENDING`]) and the bytes it transferred. An identity never used reads as a
    /// zeroed OVERLAPPED, (0, 0). AcceptEx sets STATUS_PENDING before it checks its arguments,
    /// so an AcceptEx that fails at once leaves it so (sock.c test_AcceptEx), and
    /// HasOverlappedIoCompleted is then false.
    fn overlapped_internal(&self, ov: &Overlapped) -> (u32, usize);
}

/// STATUS_PENDING (0x103): `OVERLAPPED.Internal` while the operation runs.
pub const STATUS_PENDING: u32 = 0x0000_0103;
/// STATUS_SUCCESS (0).
pub const STATUS_SUCCESS: u32 = 0;
/// STATUS_CANCELLED (0xC0000120): cancelled (CancelIoEx, a closed listener or accept socket).
pub const STATUS_CANCELLED: u32 = 0xC000_0120;
/// STATUS_CONNECTION_RESET (0xC000020D): the peer reset.
pub const STATUS_CONNECTION_RESET: u32 = 0xC000_020D;
/// STATUS_CONNECTION_ABORTED (0xC0000241): the socket was closed locally.
pub const STATUS_CONNECTION_ABORTED: u32 = 0xC000_0241;
/// STATUS_CONNECTION_REFUSED (0xC0000236).
pub const STATUS_CONNECTION_REFUSED: u32 = 0xC000_0236;
/// STATUS_IO_TIMEOUT (0xC00000B5): a connect got no answer.
pub const STATUS_IO_TIMEOUT: u32 = 0xC000_00B5;
/// STATUS_BUFFER_OVERFLOW (0x80000005): a datagram larger than the buffers.
pub const STATUS_BUFFER_OVERFLOW: u32 = 0x8000_0005;
/// STATUS_PORT_UNREACHABLE (0xC000023F): an ICMP port unreachable.
pub const STATUS_PORT_UNREACHABLE: u32 = 0xC000_023F;
/// STATUS_BUFFER_TOO_SMALL (0xC0000023): an overlapped WSAIoctl's output buffer cannot hold
/// its answer (SIO_GET_INTERFACE_LIST).
pub const STATUS_BUFFER_TOO_SMALL: u32 = 0xC000_0023;
/// STATUS_NOT_SUPPORTED (0xC00000BB): an overlapped WSAIoctl code WinSock does not handle.
pub const STATUS_NOT_SUPPORTED: u32 = 0xC000_00BB;

/// `buf[..len]`, an empty slice for a NULL buffer, WSAEFAULT for a length past the slice.
fn c_buf(buf: Option<&[u8]>, len: u32) -> Result<&[u8], WsaError> {
    match buf {
        None => Ok(&[]),
        Some(b) => b.get(..len as usize).ok_or(WsaError::WSAEFAULT),
    }
}

/// Whether WSAIoctl leaves lpcbBytesReturned alone after failing with `e` for `code`.
pub(crate) fn ioctl_keeps_count(code: u32, e: WsaError) -> bool {
    e == WsaError::WSAENOTSOCK
        || (e == WsaError::WSAEFAULT && matches!(code, FIONBIO | FIONREAD | SIOCATMARK))
}

/// The checks [`WinsockExt::wsa_ioctl_c`] makes before the call (every backend): a NULL
/// count, a length past its slice (after WSAENOTSOCK).
pub(crate) fn ioctl_c_precheck<W: Winsock + ?Sized>(
    ws: &W,
    s: Socket,
    in_ok: bool,
    out_ok: bool,
    count: bool,
) -> Result<(), WsaError> {
    if count && in_ok && out_ok {
        return Ok(());
    }
    finish(ws, Err(not_sock_or(ws, s, 0, 0, WsaError::WSAEFAULT)))
}

/// The body of [`WinsockExt::wsa_ioctl_c`] over the backend's `wsa_ioctl_sized`:
/// `WSAIoctl` without OVERLAPPED with C's buffers and lengths ([`wsa_ioctl_c`]): a NULL
/// lpcbBytesReturned is WSAEFAULT (after WSAENOTSOCK); a NULL buffer counts as an empty one,
/// whatever length comes with it (sock.c test_keepalive_vals 5805–5810,
/// test_address_list_query 11729–11733); the count is written on success and after the
/// driver's failures (0, or the size SIO_ADDRESS_LIST_QUERY needs), but left alone when
/// ws2_32 itself refuses a FIONBIO / FIONREAD / SIOCATMARK buffer (WSAEFAULT,
/// test_fionread_siocatmark 5489–5505) or the handle (WSAENOTSOCK).
#[allow(clippy::too_many_arguments)]
pub(crate) fn wsa_ioctl_c<W: WinsockExt>(
    ws: &W,
    s: Socket,
    code: u32,
    input: Option<&[u8]>,
    in_len: u32,
    output: Option<&mut [u8]>,
    out_len: u32,
    bytes_returned: Option<&mut u32>,
) -> Result<(), WsaError> {
    let inp = c_buf(input, in_len);
    let out_fits = output
        .as_deref()
        .is_none_or(|b| out_len as usize <= b.len());
    ioctl_c_precheck(ws, s, inp.is_ok(), out_fits, bytes_returned.is_some())?;
    let (Ok(inp), Some(count)) = (inp, bytes_returned) else {
        unreachable!("checked by ioctl_c_precheck");
    };
    let out: &mut [u8] = match output {
        Some(b) => &mut b[..out_len as usize],
        None => &mut [],
    };
    match ws.wsa_ioctl_sized(s, code, inp, out) {
        Ok(n) => {
            *count = u32::try_from(n).unwrap_or(u32::MAX);
            Ok(())
        }
        Err((e, n)) => {
            if !ioctl_keeps_count(code, e) {
                *count = u32::try_from(n).unwrap_or(u32::MAX);
            }
            Err(e)
        }
    }
}
