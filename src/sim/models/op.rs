//! The overlapped operation record: what an operation does ([`OpKind`]), how it ended
//! ([`Status`], the NTSTATUS of `OVERLAPPED.Internal`), and the per-socket I/O state
//! ([`SockIo`]). The table of all operations is `op_table`'s.

use std::collections::VecDeque;

use crate::api::{IoCompletion, Overlapped, WsaError};
use crate::sim::kernel::objects::ObjRef;
use crate::sim::net::tcp::Opt64;
use crate::sim::runtime::Layers;

/// How an operation ended (the NTSTATUS in `OVERLAPPED.Internal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    /// STATUS_CONNECTION_RESET: the peer reset.
    Reset,
    /// STATUS_CONNECTION_ABORTED: the socket was closed locally.
    LocalAbort,
    /// STATUS_CANCELLED: CancelIoEx, or a closed listener / accept socket.
    Cancelled,
    /// STATUS_CONNECTION_REFUSED.
    Refused,
    /// STATUS_IO_TIMEOUT: a connect got no answer.
    TimedOut,
    /// STATUS_BUFFER_OVERFLOW: a datagram larger than the buffers (the rest is lost).
    MsgSize,
    /// STATUS_PORT_UNREACHABLE: an ICMP port unreachable for an earlier datagram.
    PortUnreachable,
    /// STATUS_NOT_SUPPORTED: an overlapped WSAIoctl code WinSock does not handle.
    NotSupported,
    /// STATUS_BUFFER_TOO_SMALL: an overlapped WSAIoctl's output cannot hold its answer.
    BufferTooSmall,
}

impl Status {
    /// Whether it is an NT error status (`NT_ERROR`): all but success and the warning
    /// STATUS_BUFFER_OVERFLOW. An operation that ends so inside its call failed
    /// synchronously: no event, no APC, no completion packet (sock.c test_completion_port:
    /// WSARecv and WSASend on a reset connection; Wine's server/async.c).
    pub(crate) fn is_error(self) -> bool {
        !matches!(self, Status::Ok | Status::MsgSize)
    }

    /// The WinSock code (WSAGetOverlappedResult, completion routines).
    pub(crate) fn wsa(self) -> Option<WsaError> {
        match self {
            Status::Ok => None,
            Status::Reset => Some(WsaError::WSAECONNRESET),
            Status::LocalAbort => Some(WsaError::WSAECONNABORTED),
            Status::Cancelled => Some(WsaError::WSA_OPERATION_ABORTED),
            Status::Refused => Some(WsaError::WSAECONNREFUSED),
            Status::TimedOut => Some(WsaError::WSAETIMEDOUT),
            Status::MsgSize => Some(WsaError::WSAEMSGSIZE),
            Status::PortUnreachable => Some(WsaError::WSAECONNRESET),
            Status::NotSupported => Some(WsaError::WSAEOPNOTSUPP),
            // sock.c's table of NTSTATUS to WinSock codes (test_WSAGetOverlappedResult).
            Status::BufferTooSmall => Some(WsaError::WSAEFAULT),
        }
    }

    /// The NTSTATUS (`OVERLAPPED.Internal`).
    pub(crate) fn ntstatus(self) -> u32 {
        use crate::api::extension::*;
        match self {
            Status::Ok => STATUS_SUCCESS,
            Status::Reset => STATUS_CONNECTION_RESET,
            Status::LocalAbort => STATUS_CONNECTION_ABORTED,
            Status::Cancelled => STATUS_CANCELLED,
            Status::Refused => STATUS_CONNECTION_REFUSED,
            Status::TimedOut => STATUS_IO_TIMEOUT,
            Status::MsgSize => STATUS_BUFFER_OVERFLOW,
            Status::PortUnreachable => STATUS_PORT_UNREACHABLE,
            Status::NotSupported => STATUS_NOT_SUPPORTED,
            Status::BufferTooSmall => STATUS_BUFFER_TOO_SMALL,
        }
    }

    /// The Win32 code (GetQueuedCompletionStatus).
    pub(crate) fn win32(self) -> Option<WsaError> {
        match self {
            Status::Ok => None,
            Status::Reset => Some(WsaError::ERROR_NETNAME_DELETED),
            Status::LocalAbort => Some(WsaError::ERROR_CONNECTION_ABORTED),
            Status::Cancelled => Some(WsaError::WSA_OPERATION_ABORTED),
            Status::Refused => Some(WsaError::ERROR_CONNECTION_REFUSED),
            Status::TimedOut => Some(WsaError::ERROR_SEM_TIMEOUT),
            Status::MsgSize => Some(WsaError::ERROR_MORE_DATA),
            Status::PortUnreachable => Some(WsaError::ERROR_PORT_UNREACHABLE),
            Status::NotSupported => Some(WsaError::ERROR_NOT_SUPPORTED),
            Status::BufferTooSmall => Some(WsaError::ERROR_INSUFFICIENT_BUFFER),
        }
    }
}

/// What an operation does.
#[derive(Debug)]
pub(crate) enum OpKind {
    /// WSARecv / WSARecvFrom; with MSG_PEEK the data is copied and stays queued. With
    /// MSG_WAITALL (a stream socket in blocking mode) it takes data as it arrives and
    /// completes only when its buffers are full, or the connection ends: `filled` bytes are
    /// in them so far.
    Recv {
        peek: bool,
        waitall: bool,
        filled: u32,
    },
    Send,
    /// AcceptEx on the op's (listener) socket into socket `accept_sid` (while it is
    /// incarnation `accept_inc`), which the call named by handle `accept_handle`: that handle
    /// names the connection after the hand-over if it is still one of the socket's handles
    /// (WSADuplicateSocket), otherwise the socket's first handle does. `receive`: a receive
    /// buffer was given, so once `taken` a connection the op waits for its first data.
    /// `short_room`: a dwLocalAddressLength / dwRemoteAddressLength below the address + 16,
    /// so a connection makes it fail (STATUS_BUFFER_TOO_SMALL) and stays queued.
    /// (Boxed, as is ConnectEx's data: an operation record is moved whole on every start and
    /// completion, and these rare kinds would make every receive's and send's record larger.)
    Accept(Box<AcceptEx>),
    /// ConnectEx: `send` goes out once connected.
    Connect {
        // One word, not a slice's two: the kind must stay 16 bytes for the record to be 128.
        #[allow(clippy::box_collection)]
        send: Box<Vec<u8>>,
    },
    /// An overlapped WSAIoctl (its output buffer is the op's one buffer).
    Ioctl,
    /// DisconnectEx (or TransmitFile with TF_DISCONNECT, which reports `bytes`): completes
    /// when the FIN is acknowledged; with TF_REUSE_SOCKET the handle then names a fresh,
    /// unbound socket.
    Disconnect {
        reuse: bool,
        /// A DWORD on Windows (TransmitFile's nNumberOfBytesToWrite).
        bytes: u32,
    },
}

/// An AcceptEx operation's state (see [`OpKind::Accept`]).
#[derive(Debug)]
pub(crate) struct AcceptEx {
    pub accept_sid: u32,
    pub accept_inc: u64,
    pub accept_handle: usize,
    pub receive: bool,
    pub taken: bool,
    pub short_room: bool,
}

/// A completion routine as the sim stores it.
pub(crate) type SimRoutine<L> = Box<dyn FnOnce(&<L as Layers>::Handle, IoCompletion) + Send>;

/// One overlapped operation.
pub(crate) struct Op<L: Layers> {
    pub host: usize,
    /// The issuing thread (its APC queue runs the routine).
    pub tid: usize,
    /// The socket whose completion key the packet carries.
    pub sid: usize,
    pub ov: Overlapped,
    pub kind: OpKind,
    pub bufs: Vec<Vec<u8>>,
    /// Boxed once more so the field is one word: routines are rare beside ports, and the
    /// record is moved whole on every start and completion.
    pub routine: Option<Box<SimRoutine<L>>>,
    pub done: Option<(Status, usize)>,
    /// The source of the datagram a WSARecvFrom took (boxed: only datagram receives set it,
    /// and every pending operation of the run would carry its 32 bytes).
    pub from: Option<Box<std::net::SocketAddr>>,
    /// A WSARecvMsg's control buffer and output flags (`None` for other operations; boxed
    /// for the same reason).
    pub msg: Option<Box<MsgState>>,
}

/// The WSAMSG parts of a WSARecvMsg operation besides its buffers.
#[derive(Debug, Default)]
pub(crate) struct MsgState {
    /// Control.len as given.
    pub control_cap: usize,
    /// The records written.
    pub control: Vec<u8>,
    /// dwFlags on return.
    pub flags: u32,
}

/// Per-socket I/O state.
#[derive(Debug, Default)]
pub(crate) struct SockIo {
    /// Pending WSARecvs, oldest first.
    pub recvs: SerialQueue,
    /// Pending WSASends, oldest first.
    pub sends: SerialQueue,
    pub connect: Opt64,
    /// The operations few sockets have (unbuffered sends, AcceptEx, DisconnectEx, address-list
    /// requests); `None` until one starts, so a plain connection carries a pointer.
    pub rare: Option<Box<RareIo>>,
    /// Completion port object and key (the association holds the port: closed, it takes the
    /// socket's packets and no one can dequeue them).
    pub port: Option<(ObjRef, usize)>,
    pub skip_on_success: bool,
    /// A non-overlapped socket (WSASocket without WSA_FLAG_OVERLAPPED, or `socket()` while
    /// the thread's SO_OPENTYPE is synchronous, or `accept` on such a listener): an
    /// overlapped WSASend / WSARecv on it does not pend but waits in the call until done,
    /// whatever FIONBIO says (conformance NB-03).
    pub synchronous: bool,
    /// The connection was made by ConnectEx: `connect()` on it is WSAEINVAL, not
    /// WSAEISCONN (conformance NB-05).
    pub by_connect_ex: bool,
    /// A queued connection a WSAAccept condition function deferred (CF_DEFER): the AcceptEx
    /// that takes it still returns ERROR_IO_PENDING (sock.c test_AcceptEx).
    pub deferred: bool,
}

/// The per-socket I/O state of the operations few sockets start.
#[derive(Debug, Default)]
pub(crate) struct RareIo {
    /// WSASends handed to TCP without a send buffer (SO_SNDBUF 0: sent from the caller's
    /// buffers): (serial, the sequence number just past their last byte). Each completes when
    /// the peer has acknowledged that byte.
    pub unbuffered: VecDeque<(u64, u64)>,
    /// Pending AcceptEx calls on this listener, oldest first.
    pub accepts: VecDeque<u64>,
    /// An AcceptEx (of some listener) waiting for this socket's first data.
    pub accept_wait: Option<u64>,
    /// A DisconnectEx waiting for the acknowledgement of its FIN.
    pub disconnect: Option<u64>,
    /// Overlapped SIO_ADDRESS_LIST_CHANGE requests, pending until cancelled or closed.
    pub list_change: Vec<u64>,
    /// The overlapped SIO_IDEAL_SEND_BACKLOG_CHANGE request (one at a time), pending until
    /// the connection's sending side closes, the connection is reset, it is cancelled or
    /// its socket closed (the sim's ideal send backlog never changes).
    pub isb_change: Option<u64>,
}

/// What a socket without [`RareIo`] reads as.
static NO_RARE_IO: RareIo = RareIo {
    unbuffered: VecDeque::new(),
    accepts: VecDeque::new(),
    accept_wait: None,
    disconnect: None,
    list_change: Vec::new(),
    isb_change: None,
};

impl SockIo {
    /// The rare operations' state (empty if none ever started).
    pub(crate) fn rare(&self) -> &RareIo {
        self.rare.as_deref().unwrap_or(&NO_RARE_IO)
    }

    /// The rare operations' state, created empty on first use.
    pub(crate) fn rare_mut(&mut self) -> &mut RareIo {
        self.rare.get_or_insert_with(Box::default)
    }
}

/// A FIFO of operation serials that holds a lone serial inline: a connection seldom has more
/// than one receive or one send pending, and a `VecDeque` allocated 32 bytes (48 with the
/// allocator's header) for it, per queue and per socket, for the socket's whole life.
#[derive(Debug, Default)]
pub(crate) enum SerialQueue {
    #[default]
    Empty,
    One(u64),
    /// Two or more were pending at once; the deque is kept once allocated, even emptied
    /// (boxed, so the common case takes 16 bytes, not a deque's 32 and a tag).
    #[allow(clippy::box_collection)] // The box is the point: 8 bytes inline, not 32.
    Many(Box<VecDeque<u64>>),
}

impl SerialQueue {
    /// Whether no serial is queued.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            SerialQueue::Empty => true,
            SerialQueue::One(_) => false,
            SerialQueue::Many(q) => q.is_empty(),
        }
    }

    /// Appends `serial`.
    #[inline]
    pub(crate) fn push_back(&mut self, serial: u64) {
        match self {
            SerialQueue::Empty => *self = SerialQueue::One(serial),
            SerialQueue::One(first) => {
                *self = SerialQueue::Many(Box::new(VecDeque::from([*first, serial])))
            }
            SerialQueue::Many(q) => q.push_back(serial),
        }
    }

    /// The oldest serial.
    #[inline]
    pub(crate) fn front(&self) -> Option<&u64> {
        match self {
            SerialQueue::Empty => None,
            SerialQueue::One(first) => Some(first),
            SerialQueue::Many(q) => q.front(),
        }
    }

    /// The newest serial.
    #[inline]
    pub(crate) fn back(&self) -> Option<&u64> {
        match self {
            SerialQueue::Empty => None,
            SerialQueue::One(only) => Some(only),
            SerialQueue::Many(q) => q.back(),
        }
    }

    /// Takes the oldest serial out.
    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<u64> {
        match self {
            SerialQueue::Empty => None,
            SerialQueue::One(first) => {
                let first = *first;
                *self = SerialQueue::Empty;
                Some(first)
            }
            SerialQueue::Many(q) => q.pop_front(),
        }
    }

    /// Keeps the serials `keep` accepts, in order.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&u64) -> bool) {
        match self {
            SerialQueue::Empty => {}
            SerialQueue::One(first) => {
                if !keep(first) {
                    *self = SerialQueue::Empty;
                }
            }
            SerialQueue::Many(q) => q.retain(|s| keep(s)),
        }
    }

    /// The serials, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &u64> {
        let (one, many) = match self {
            SerialQueue::Empty => (None, None),
            SerialQueue::One(first) => (Some(first), None),
            SerialQueue::Many(q) => (None, Some(&**q)),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}
