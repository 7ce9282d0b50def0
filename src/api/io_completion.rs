//! What overlapped I/O gives back: a finished operation ([`IoCompletion`]), the result of a
//! call that may complete inside itself ([`Immediate`]), TransmitFile's head and tail
//! buffers, the routines an alertable wait runs, and the values a wait returns. The calls
//! themselves are the [`OverlappedIo`](super::OverlappedIo) trait (`overlapped.rs`).

use super::types::SockAddr;
use super::{Overlapped, WsaError};

/// A finished overlapped operation, as a completion routine, `WSAGetOverlappedResult` or a
/// completion packet reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoCompletion {
    /// The operation's identity.
    pub overlapped: Overlapped,
    /// `None` on success; otherwise the error (WinSock codes for routines and
    /// `WSAGetOverlappedResult`, e.g. WSAECONNRESET; Win32 codes in completion packets, e.g.
    /// ERROR_NETNAME_DELETED).
    pub error: Option<WsaError>,
    /// cbTransferred: bytes sent or received (0 on a receive means the peer closed).
    pub bytes: usize,
    /// dwFlags (MSG_* flags of a receive; 0 otherwise).
    pub flags: u32,
    /// The buffers handed to the call, given back (empty if already handed back once).
    pub bufs: Vec<Vec<u8>>,
    /// lpFrom of WSARecvFrom: the datagram's source (`None` for other operations).
    pub from: Option<SockAddr>,
    /// WSARecvMsg: the control data written (WSAMSG `Control`, trimmed to its new length;
    /// see [`crate::api::msg`]); empty for other operations.
    pub control: Vec<u8>,
    /// WSARecvMsg: the WSAMSG `dwFlags` it left (MSG_TRUNC, MSG_CTRUNC, MSG_MCAST); 0 for
    /// other operations. (`flags` above stays 0: the routine's dwFlags, as on Windows.)
    pub msg_flags: u32,
}

/// How an overlapped `WSASend`/`WSARecv` that returned success (0) went, as the `_inline`
/// calls ([`OverlappedIo::wsa_send_overlapped_inline`](super::OverlappedIo::wsa_send_overlapped_inline)) report it. In C the caller's buffers
/// are its own the moment such a call returns, and a server that set
/// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS handles the completion inline; the Rust calls move
/// the buffers in, so this gives them back when nothing else will.
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// let host = sim.host("server", "192.0.2.1");
/// host.spawn("main", |ws| {
///     ws.wsa_startup(WINSOCK_VERSION_2_2)?;
///     let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
///     ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
///     ws.listen(l, 1)?;
///     let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
///     ws.connect(c, &ws.getsockname(l)?)?;
///     let (s, _) = ws.accept(l)?;
///     let port = ws.create_io_completion_port(0)?;
///     ws.associate_completion_port(s, port, 1)?;
///     ws.set_file_completion_notification_modes(s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
///     let ov = Overlapped::new(1);
///     match ws.wsa_send_overlapped_inline(s, vec![b"hi".to_vec()], 0, ov, None) {
///         // Handled here, as C handles a WSASend that returned 0: the buffers are back.
///         Ok(Immediate::Completed(done)) => assert_eq!(done.bufs, vec![b"hi".to_vec()]),
///         // A packet or a routine will bring them (not with skip-on-success).
///         Ok(Immediate::Queued(_)) => unreachable!(),
///         // Pending: the packet will bring them.
///         Err(WsaError::WSA_IO_PENDING) => {}
///         Err(e) => return Err(e),
///     }
///     ws.closesocket(c)
/// });
/// sim.run().expect("the run succeeds");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Immediate {
    /// It completed inside the call and no completion packet or routine will deliver it
    /// (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on a port, or a socket on no port with no
    /// routine): its completion, buffers included, as `WSAGetOverlappedResult` would give it.
    /// Its event, if any, is signalled. In the simulator the OVERLAPPED keeps the result, as
    /// the structure does on Windows: a later `WSAGetOverlappedResult` reports it again,
    /// without the buffers. os::Native has given its record back, so there a later
    /// `WSAGetOverlappedResult` does not know the OVERLAPPED (WSAEINVAL).
    Completed(IoCompletion),
    /// It completed inside the call with this many bytes, and its completion packet or
    /// routine is queued: that brings the buffers back.
    Queued(usize),
}

impl Immediate {
    /// The bytes the call transferred (lpNumberOfBytesSent / lpNumberOfBytesRecvd).
    pub fn bytes(&self) -> usize {
        match self {
            Immediate::Completed(c) => c.bytes,
            Immediate::Queued(n) => *n,
        }
    }
}

/// TRANSMIT_FILE_BUFFERS: data TransmitFile sends before (`head`) and after (`tail`) the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransmitFileBuffers {
    /// Head / HeadLength.
    pub head: Vec<u8>,
    /// Tail / TailLength.
    pub tail: Vec<u8>,
}

/// A completion routine: `void CALLBACK CompletionRoutine(dwError, cbTransferred,
/// lpOverlapped, dwFlags)`, run on the thread that issued the I/O while it waits alertably.
pub type CompletionRoutine<W> = Box<dyn FnOnce(&W, IoCompletion) + Send>;

/// An APC queued with `QueueUserAPC`.
pub type ApcRoutine<W> = Box<dyn FnOnce(&W) + Send>;

/// WAIT_IO_COMPLETION (0xC0): an alertable wait returned because APCs ran.
pub const WAIT_IO_COMPLETION: u32 = 0xC0;
/// WAIT_OBJECT_0 (0): first "object N signalled" result of a wait.
pub const WAIT_OBJECT_0: u32 = 0;
/// WAIT_TIMEOUT (258) as a wait's return value.
pub const WAIT_TIMEOUT: u32 = 258;
