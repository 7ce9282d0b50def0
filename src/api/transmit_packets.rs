//! TransmitPackets' packet array: TRANSMIT_PACKETS_ELEMENT and its TP_ELEMENT_* flags.
//!
//! The call itself is [`OverlappedIo::transmit_packets`](super::OverlappedIo::transmit_packets)
//! (and [`LpfnTransmitPackets`](super::extension::LpfnTransmitPackets), the pointer
//! SIO_GET_EXTENSION_FUNCTION_POINTER gives). As for TransmitFile, a "file" is the bytes the
//! caller passes: the simulator has no files, and `os::Native` writes them to a temporary
//! file.

/// TP_ELEMENT_MEMORY (1): the element's data is in memory (`pBuffer`).
pub const TP_ELEMENT_MEMORY: u32 = 1;
/// TP_ELEMENT_FILE (2): the element's data is part of a file (`hFile`, `nFileOffset`).
pub const TP_ELEMENT_FILE: u32 = 2;
/// TP_ELEMENT_EOP (4): the element ends a send request: on a datagram socket the elements up
/// to it (since the last such element) make one datagram.
pub const TP_ELEMENT_EOP: u32 = 4;

/// nSendSize 0xFFFFFFFF: the caller sizes each send request with TP_ELEMENT_EOP alone.
pub const TP_SEND_SIZE_BY_EOP: u32 = u32::MAX;

/// TRANSMIT_PACKETS_ELEMENT: one piece of data TransmitPackets sends.
///
/// ```
/// use winsock_sim::api::transmit_packets::{TransmitPacketsElement, TP_ELEMENT_EOP};
///
/// let header = TransmitPacketsElement::memory(b"HDR");
/// // Bytes 10 to 29 of a file, ending a datagram on a UDP socket.
/// let body = TransmitPacketsElement::file(&[7u8; 64], 10, 20).eop();
/// assert_eq!(body.flags & TP_ELEMENT_EOP, TP_ELEMENT_EOP);
/// assert_eq!((header.bytes(), body.bytes()), (Some(&b"HDR"[..]), Some(&[7u8; 20][..])));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransmitPacketsElement<'a> {
    /// dwElFlags: TP_ELEMENT_MEMORY or TP_ELEMENT_FILE (0 is TP_ELEMENT_FILE, the documented
    /// default), with TP_ELEMENT_EOP. Both kinds, or another bit: the call fails with
    /// WSAEINVAL.
    pub flags: u32,
    /// cLength: the bytes to send; for a file element 0 means to the end of the file.
    pub length: u32,
    /// pBuffer (a memory element), or the file's contents (a file element).
    pub data: &'a [u8],
    /// nFileOffset: where a file element starts. -1 is the file pointer, which the
    /// simulator's in-memory files keep at 0.
    pub offset: i64,
}

impl<'a> TransmitPacketsElement<'a> {
    /// A TP_ELEMENT_MEMORY element sending all of `data`.
    pub const fn memory(data: &'a [u8]) -> Self {
        TransmitPacketsElement {
            flags: TP_ELEMENT_MEMORY,
            length: data.len() as u32,
            data,
            offset: 0,
        }
    }

    /// A TP_ELEMENT_FILE element: `length` bytes (0: to the end) of the file whose contents
    /// are `file`, from `offset` (-1: the file pointer, 0 here).
    pub const fn file(file: &'a [u8], offset: i64, length: u32) -> Self {
        TransmitPacketsElement {
            flags: TP_ELEMENT_FILE,
            length,
            data: file,
            offset,
        }
    }

    /// The same element with TP_ELEMENT_EOP: it ends a send request (a datagram).
    pub const fn eop(mut self) -> Self {
        self.flags |= TP_ELEMENT_EOP;
        self
    }

    /// Whether it is a memory element (else a file element); `None` for flags TransmitPackets
    /// refuses (both kinds, or an unknown bit).
    pub fn is_memory(&self) -> Option<bool> {
        if self.flags & !(TP_ELEMENT_MEMORY | TP_ELEMENT_FILE | TP_ELEMENT_EOP) != 0 {
            return None;
        }
        match self.flags & (TP_ELEMENT_MEMORY | TP_ELEMENT_FILE) {
            TP_ELEMENT_MEMORY => Some(true),
            0 | TP_ELEMENT_FILE => Some(false),
            _ => None,
        }
    }

    /// The bytes the element sends, `None` for refused flags or a memory element whose
    /// `length` is more than its data (in C, a read past the buffer). A file element past its
    /// end sends what is there.
    pub fn bytes(&self) -> Option<&'a [u8]> {
        if self.is_memory()? {
            return self.data.get(..self.length as usize);
        }
        let start = usize::try_from(self.offset.max(0))
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        let rest = &self.data[start..];
        Some(match self.length {
            0 => rest,
            n => &rest[..rest.len().min(n as usize)],
        })
    }

    /// Whether the element ends a send request (TP_ELEMENT_EOP).
    pub fn ends_packet(&self) -> bool {
        self.flags & TP_ELEMENT_EOP != 0
    }
}

/// The send requests TransmitPackets makes of `elements`: the datagrams of a datagram
/// socket. Elements are joined up to one with TP_ELEMENT_EOP (the last element ends the last
/// request); a `send_size` other than 0 and [`TP_SEND_SIZE_BY_EOP`] also caps each request
/// at that many bytes. `None` if an element is refused ([`TransmitPacketsElement::bytes`]).
pub fn send_requests(
    elements: &[TransmitPacketsElement<'_>],
    send_size: u32,
) -> Option<Vec<Vec<u8>>> {
    let cap = match send_size {
        0 | TP_SEND_SIZE_BY_EOP => usize::MAX,
        n => n as usize,
    };
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (i, e) in elements.iter().enumerate() {
        let mut bytes = e.bytes()?;
        while cur.len() + bytes.len() > cap {
            let take = cap - cur.len();
            cur.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            out.push(std::mem::take(&mut cur));
        }
        cur.extend_from_slice(bytes);
        if e.ends_packet() || i + 1 == elements.len() {
            out.push(std::mem::take(&mut cur));
        }
    }
    Some(out)
}
