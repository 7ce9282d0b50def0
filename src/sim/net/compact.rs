//! The compact forms in which a socket record keeps its ids, its handle and its addresses:
//! a completion-port server holds tens of thousands of records, and each of these fields is
//! half or less of its plain Rust type (`Option<usize>`, `Option<SocketAddr>`).

use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::num::NonZeroU32;

/// A socket id or a handle value as a socket record keeps it: the value plus one in 32 bits
/// (ids index the socket table and handle values count up from 0x100, both far below 2^32),
/// so an `Option<Id32>` takes 4 bytes where an `Option<usize>` takes 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Id32(NonZeroU32);

impl Id32 {
    /// The id or handle value `v`.
    pub(crate) fn new(v: usize) -> Id32 {
        u32::try_from(v)
            .ok()
            .and_then(|v| v.checked_add(1))
            .and_then(NonZeroU32::new)
            .map(Id32)
            .expect("winsock-sim internal error: a socket id or handle beyond 32 bits")
    }

    /// The id or handle value.
    pub(crate) fn get(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// A socket's local or remote address (getsockname's, getpeername's), or none yet, in 16
/// bytes where an `Option<SocketAddr>` takes 32: an IPv4 address inline, an IPv6 one (with
/// its flow label and scope id) boxed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum AddrSlot {
    /// No address yet (unbound, or not connected).
    #[default]
    None,
    /// An IPv4 address.
    V4(SocketAddrV4),
    /// An IPv6 address.
    V6(Box<SocketAddrV6>),
}

impl AddrSlot {
    /// The address, if any.
    #[inline]
    pub(crate) fn get(&self) -> Option<SocketAddr> {
        match self {
            AddrSlot::None => None,
            AddrSlot::V4(a) => Some(SocketAddr::V4(*a)),
            AddrSlot::V6(a) => Some(SocketAddr::V6(**a)),
        }
    }

    /// Whether there is an address.
    pub(crate) fn is_some(&self) -> bool {
        !matches!(self, AddrSlot::None)
    }

    /// Whether there is none.
    pub(crate) fn is_none(&self) -> bool {
        matches!(self, AddrSlot::None)
    }
}

impl From<SocketAddr> for AddrSlot {
    fn from(a: SocketAddr) -> AddrSlot {
        match a {
            SocketAddr::V4(a) => AddrSlot::V4(a),
            SocketAddr::V6(a) => AddrSlot::V6(Box::new(a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_addresses_round_trip_in_their_compact_forms() {
        for v in [0, 1, 0x100, 0x104, u32::MAX as usize - 1] {
            assert_eq!(Id32::new(v).get(), v);
        }
        assert_eq!(std::mem::size_of::<Option<Id32>>(), 4);
        assert_eq!(std::mem::size_of::<AddrSlot>(), 16);
        let v6: SocketAddr = "[fe80::1%7]:443".parse().unwrap();
        let v6 = match v6 {
            SocketAddr::V6(mut a) => {
                a.set_flowinfo(0x12345);
                SocketAddr::V6(a)
            }
            a => a,
        };
        for a in ["10.0.0.2:80".parse().unwrap(), v6] {
            let slot = AddrSlot::from(a);
            assert!(slot.is_some() && !slot.is_none());
            assert_eq!(slot.get(), Some(a));
        }
        assert_eq!(AddrSlot::None.get(), None);
        assert!(AddrSlot::default().is_none());
    }

    #[test]
    #[should_panic(expected = "beyond 32 bits")]
    fn an_id_beyond_32_bits_is_an_internal_error() {
        Id32::new(u32::MAX as usize);
    }
}
