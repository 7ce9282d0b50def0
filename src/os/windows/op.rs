//! The OVERLAPPED operations of [`Native`]: the heap record every `lpOverlapped` this backend
//! hands to the OS points to, and the table that decides who frees it.
//!
//! An [`Op`] is `repr(C)` with the OVERLAPPED first, so a pointer to it is a valid OVERLAPPED
//! pointer. It holds everything the OS may read or write until the I/O completes: the
//! caller's buffers (moved in, so safe code cannot free or reuse them early), the WSABUF
//! array, the address and WSAMSG a receive fills, the flags word, a TransmitFile file. Its
//! address never changes (a leaked `Box`), and exactly one party takes it back:
//! - **completion routine** ([`Mode::Routine`]): the APC this backend passes as
//!   `lpCompletionRoutine`, run on the issuing thread in an alertable wait;
//! - **completion port** ([`Mode::Port`]): the thread that dequeues its packet, or, on a
//!   socket bound with `BindIoCompletionCallback` (`pool_io.rs`), the pool's trampoline that
//!   the OS calls with it;
//! - **neither** ([`Mode::Plain`], an event or nothing): `WSAGetOverlappedResult` once it
//!   reports the operation finished.
//!
//! Taking an `Op` back always removes it from [`OpTable::pending`] under its lock first, so no
//! two parties can free one. When a socket is closed with plain operations still pending, they
//! move to [`OpTable::graveyard`] and are freed only once the OS has marked them complete
//! (`Internal` no longer STATUS_PENDING, as `HasOverlappedIoCompleted` reads it), never
//! while the kernel may still write to them. What is never observed complete is leaked on
//! purpose, never freed early: a port closed with packets still queued, an APC whose thread
//! ends without another alertable wait, an operation still pending when the last clone of
//! the backend is dropped.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::IO as io;

use crate::api::{IoCompletion, Overlapped, SockAddr, WsaError};

/// STATUS_PENDING: `OVERLAPPED.Internal` while the OS still owns the operation.
const STATUS_PENDING: usize = 0x103;

/// A completion routine bound to its backend: called once with the completion.
pub(super) type Routine = Box<dyn FnOnce(IoCompletion) + Send>;

/// A socket's `BindIoCompletionCallback` binding: an `Arc` of `pool_io.rs`'s binding (the
/// callback and a weak reference to its backend), kept here without its type, which names
/// the backend (this module is below it).
pub(super) type PoolBinding = Arc<dyn Any + Send + Sync>;

/// The local and remote address of a completed AcceptEx, parsed from its output buffer.
pub(super) type AcceptAddrs = (SockAddr, SockAddr);

/// What an operation is, for what its completion hands back.
pub(super) enum Kind {
    /// A packet of `PostQueuedCompletionStatus`: only its identity.
    Posted,
    /// WSASend / WSASendTo / WSASendMsg / ConnectEx / DisconnectEx / TransmitFile: the
    /// buffers come back as they went.
    Send,
    /// WSARecv: the buffers come back filled.
    Recv,
    /// WSARecvFrom: and the source address.
    RecvFrom,
    /// WSARecvMsg: and the source, the control data and the WSAMSG flags.
    RecvMsg,
    /// AcceptEx into `accept_socket`, `data_len` bytes of receive data in front of the two
    /// addresses in `bufs[0]`, with `rooms` (dwLocalAddressLength, dwRemoteAddressLength)
    /// bytes for them.
    Accept {
        accept_socket: usize,
        data_len: usize,
        rooms: (u32, u32),
    },
    /// WSAIoctl: `bufs[0]` is the output buffer.
    Ioctl,
}

/// Who takes an operation back (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// `WSAGetOverlappedResult`.
    Plain,
    /// The completion routine's APC.
    Routine,
    /// The dequeue of its completion packet.
    Port,
}

/// The record behind one `lpOverlapped`.
#[repr(C)]
pub(super) struct Op {
    /// Must stay first: the OS sees a pointer to the `Op` as a pointer to this.
    pub(super) ov: io::OVERLAPPED,
    pub(super) id: Overlapped,
    pub(super) kind: Kind,
    /// The caller's buffers, owned here until the completion returns them.
    pub(super) bufs: Vec<Vec<u8>>,
    /// One WSABUF per buffer, pointing into `bufs`.
    pub(super) wsabufs: Vec<ws::WSABUF>,
    /// A SOCKADDR_STORAGE-sized address (lpFrom, WSAMSG name, ConnectEx's target) and its
    /// length.
    pub(super) addr: [u8; 128],
    pub(super) addr_len: i32,
    /// WSARecvMsg / WSASendMsg: the message, pointing into `addr`, `wsabufs` and `control`.
    pub(super) msg: ws::WSAMSG,
    pub(super) control: Vec<u8>,
    /// WSAIoctl's input, kept alive for the OS.
    pub(super) input: Vec<u8>,
    /// lpFlags of a receive (the OS may write it when the receive completes).
    pub(super) flags: u32,
    /// TransmitFile: the head and tail buffers (pointing into `bufs`) and the file.
    pub(super) tfb: ws::TRANSMIT_FILE_BUFFERS,
    pub(super) file: Option<std::fs::File>,
    /// TransmitPackets: the packet array (pointing into `bufs` and `files`) and its files.
    pub(super) packets: Vec<ws::TRANSMIT_PACKETS_ELEMENT>,
    pub(super) files: Vec<std::fs::File>,
    /// The completion routine, bound to the backend it runs with.
    pub(super) routine: Option<Routine>,
    /// With a routine: the backend whose table holds this record (a `Native`), for the
    /// routine's trampoline to take the record back.
    pub(super) owner: Option<Box<dyn Any + Send>>,
    /// On a socket bound with `BindIoCompletionCallback`: its binding, for the pool's
    /// trampoline, which the OS gives only the OVERLAPPED, to find the backend and the
    /// callback. Written only before the OS may complete the operation to the pool.
    pub(super) pool: Option<PoolBinding>,
}

impl Op {
    /// A new record with a zeroed OVERLAPPED whose hEvent is `event` (null for none).
    pub(super) fn new(id: Overlapped, kind: Kind, event: HANDLE) -> Box<Op> {
        // SAFETY: OVERLAPPED is plain data for which all-zero is the initial state.
        let mut ov: io::OVERLAPPED = unsafe { std::mem::zeroed() };
        ov.hEvent = event;
        Box::new(Op {
            ov,
            id,
            kind,
            bufs: Vec::new(),
            wsabufs: Vec::new(),
            addr: [0; 128],
            addr_len: 128,
            msg: ws::WSAMSG::default(),
            control: Vec::new(),
            input: Vec::new(),
            flags: 0,
            tfb: ws::TRANSMIT_FILE_BUFFERS::default(),
            file: None,
            packets: Vec::new(),
            files: Vec::new(),
            routine: None,
            owner: None,
            pool: None,
        })
    }

    /// Moves `bufs` in and points one WSABUF at each (lengths clamped to u32::MAX).
    pub(super) fn with_bufs(mut self: Box<Op>, bufs: Vec<Vec<u8>>) -> Box<Op> {
        self.bufs = bufs;
        self.wsabufs = self
            .bufs
            .iter_mut()
            .map(|b| ws::WSABUF {
                len: b.len().min(u32::MAX as usize) as u32,
                buf: b.as_mut_ptr(),
            })
            .collect();
        self
    }

    /// Whether the OS has finished with this record (`HasOverlappedIoCompleted`).
    ///
    /// # Safety
    /// `op` points to a live `Op` (not yet freed).
    pub(super) unsafe fn os_done(op: *const Op) -> bool {
        // SAFETY: the caller guarantees `op` is live; the kernel may write `Internal` at any
        // time, so it is read as a volatile word, as HasOverlappedIoCompleted does.
        unsafe { std::ptr::read_volatile(std::ptr::addr_of!((*op).ov.Internal)) != STATUS_PENDING }
    }

    /// `Internal` and `InternalHigh` of this record's OVERLAPPED: the NTSTATUS and the bytes.
    ///
    /// # Safety
    /// `op` points to a live `Op` (not yet freed).
    pub(super) unsafe fn os_internal(op: *const Op) -> (u32, usize) {
        // SAFETY: the caller guarantees `op` is live; the kernel may write both words at any
        // time, so they are read as volatile words, as HasOverlappedIoCompleted reads Internal.
        unsafe {
            (
                std::ptr::read_volatile(std::ptr::addr_of!((*op).ov.Internal)) as u32,
                std::ptr::read_volatile(std::ptr::addr_of!((*op).ov.InternalHigh)),
            )
        }
    }

    /// The finished operation, as the routine, the packet or WSAGetOverlappedResult reports
    /// it: the record is consumed and its buffers handed back. For a completed AcceptEx,
    /// `parse` reads the two addresses from its output buffer (GetAcceptExSockaddrs), returned
    /// with the accept socket for `GetAcceptExSockaddrs` later.
    pub(super) fn complete(
        mut self: Box<Op>,
        bytes: u32,
        flags: u32,
        error: Option<WsaError>,
        parse: impl FnOnce(&[u8], usize, (u32, u32)) -> Option<AcceptAddrs>,
    ) -> (IoCompletion, Option<(usize, AcceptAddrs)>) {
        let mut from = None;
        let mut control = Vec::new();
        let mut msg_flags = 0;
        let mut accepted = None;
        let mut bufs = std::mem::take(&mut self.bufs);
        match self.kind {
            Kind::RecvFrom => {
                from = self.source(self.addr_len);
            }
            Kind::RecvMsg => {
                from = self.source(self.msg.namelen);
                control = std::mem::take(&mut self.control);
                control.truncate(self.msg.Control.len as usize);
                msg_flags = self.msg.dwFlags;
            }
            Kind::Accept {
                accept_socket,
                data_len,
                rooms,
            } => {
                if let Some(out) = bufs.first_mut() {
                    if error.is_none() {
                        accepted = parse(out, data_len, rooms).map(|a| (accept_socket, a));
                    }
                    out.truncate(data_len);
                }
            }
            Kind::Posted => bufs.clear(),
            Kind::Send | Kind::Recv | Kind::Ioctl => {}
        }
        let c = IoCompletion {
            overlapped: self.id,
            error,
            bytes: bytes as usize,
            flags,
            bufs,
            from,
            control,
            msg_flags,
        };
        (c, accepted)
    }

    /// The source address the OS wrote (`None` when it wrote none, as on a stream socket).
    fn source(&self, len: i32) -> Option<SockAddr> {
        (len > 0 && self.addr[..2] != [0, 0])
            .then(|| SockAddr::from_bytes(&self.addr[..len.clamp(0, 128) as usize]))
    }
}

/// A pointer to a live `Op` leaked from its `Box`.
pub(super) struct OpPtr(pub(super) *mut Op);

// SAFETY: an `Op` is only touched through this pointer by the one party that takes it back
// (under the table's lock, see the module documentation) or by the OS; everything it owns
// (buffers, a File, a `Send` routine, a `Native`) may move between threads. Its raw pointers
// point into its own heap data.
unsafe impl Send for OpPtr {}

/// One pending operation in the table.
pub(super) struct Pending {
    pub(super) ptr: OpPtr,
    /// The SOCKET it was issued on.
    pub(super) socket: usize,
    pub(super) mode: Mode,
    /// The call that issued it has not returned yet. The OS may still read the record then,
    /// after it has queued the completion: ws2_32 fills lpNumberOfBytesRecvd / Sent of an
    /// operation that succeeds at once from the OVERLAPPED's `InternalHigh` (Wine's
    /// `WS2_recv_base` reads `piosb->Information` after the ioctl returned; WSARecv's
    /// documentation warns of "potentially erroneous results" there), so a port's dequeue or
    /// the pool's trampoline waits for this to clear before it takes the record back.
    pub(super) issuing: bool,
}

/// What [`OpTable::take_delivered`] found for a record a port delivered.
pub(super) enum Delivered {
    /// The record, now the caller's.
    Record(Box<Op>),
    /// Its issuing call has not returned yet: try again in a moment.
    Issuing,
    /// Not a record this caller takes back.
    NotOurs,
}

/// The operations of one backend, and what the completion paths need to know of its sockets.
#[derive(Default)]
pub(super) struct OpTable {
    /// Issued and not yet taken back, by `Overlapped::id` (an id pending twice is refused
    /// with WSAEINVAL, as the simulator does: in C it would corrupt memory).
    pub(super) pending: BTreeMap<u64, Pending>,
    /// Plain operations of closed sockets, freed once the OS marks them complete.
    pub(super) graveyard: Vec<OpPtr>,
    /// Sockets associated with a completion port, or bound with `BindIoCompletionCallback`
    /// (the pool's port).
    pub(super) associated: BTreeSet<usize>,
    /// Sockets bound with `BindIoCompletionCallback`, with their binding.
    pub(super) bound: BTreeMap<usize, PoolBinding>,
    /// Sockets with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
    pub(super) skip_on_success: BTreeSet<usize>,
    /// Local and remote address of each socket an AcceptEx completed into.
    pub(super) accepted: BTreeMap<usize, (SockAddr, SockAddr)>,
}

impl OpTable {
    /// Removes the pending operation `id` and gives its record back (the caller now owns it).
    pub(super) fn take(&mut self, id: u64) -> Option<Box<Op>> {
        let p = self.pending.remove(&id)?;
        // SAFETY: a pointer in `pending` is a live leaked `Box<Op>`; it has just left the
        // table under the lock, so this is the only party taking it back.
        Some(unsafe { Box::from_raw(p.ptr.0) })
    }

    /// Socket `raw` is now associated with a port (a completion port, or the pool's): its
    /// plain operations still pending may complete to it, so the dequeue (or the pool's
    /// trampoline) takes them back, no longer WSAGetOverlappedResult.
    pub(super) fn associate(&mut self, raw: usize) {
        self.associated.insert(raw);
        for p in self.pending.values_mut() {
            if p.socket == raw && p.mode == Mode::Plain {
                p.mode = Mode::Port;
            }
        }
    }

    /// Takes back the record `op` of operation `id`, whose completion a completion port
    /// delivered: it must be pending in [`Mode::Port`], and its issuing call must have
    /// returned ([`Pending::issuing`]).
    pub(super) fn take_delivered(&mut self, id: u64, op: *mut Op) -> Delivered {
        match self.pending.get(&id) {
            Some(p) if p.ptr.0 == op && p.mode == Mode::Port => {
                if p.issuing {
                    return Delivered::Issuing;
                }
                self.take(id).map_or(Delivered::NotOurs, Delivered::Record)
            }
            _ => Delivered::NotOurs,
        }
    }

    /// Socket `raw` was closed: its plain operations go to the graveyard (they complete
    /// aborted soon), the records of its socket are forgotten (a binding lives on in the
    /// records of its operations still pending), and the graveyard is swept.
    pub(super) fn socket_closed(&mut self, raw: usize) {
        let ids: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.socket == raw && p.mode == Mode::Plain)
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            if let Some(p) = self.pending.remove(&id) {
                self.graveyard.push(p.ptr);
            }
        }
        self.associated.remove(&raw);
        self.bound.remove(&raw);
        self.skip_on_success.remove(&raw);
        self.accepted.remove(&raw);
        self.sweep();
    }

    /// Frees the graveyard's records the OS has finished with.
    pub(super) fn sweep(&mut self) {
        self.graveyard.retain(|p| {
            // SAFETY: graveyard pointers are live leaked records that left `pending`, so no
            // other party frees them; one whose I/O is complete is no longer written by the
            // OS and is freed exactly once here (it leaves the graveyard).
            unsafe {
                if Op::os_done(p.0) {
                    drop(Box::from_raw(p.0));
                    false
                } else {
                    true
                }
            }
        });
    }
}

impl Drop for OpTable {
    /// The last clone of the backend is gone: records the OS has finished with are freed,
    /// the others leaked (the kernel may still write to them).
    fn drop(&mut self) {
        self.sweep();
        for (_, p) in std::mem::take(&mut self.pending) {
            if p.mode == Mode::Plain {
                // SAFETY: as in `sweep`: a live record only this table owns.
                unsafe {
                    if Op::os_done(p.ptr.0) {
                        drop(Box::from_raw(p.ptr.0));
                    }
                }
            }
        }
    }
}
