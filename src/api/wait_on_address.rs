//! `WaitOnAddress`, `WakeByAddressSingle`, `WakeByAddressAll` ([`WaitOnAddress`]): a thread
//! sleeps until the value at an address is no longer the one it expected, the futex of
//! Windows 8 and later.
//!
//! The address is an atomic the program's threads share ([`AddressValue`]: `AtomicU8` to
//! `AtomicU64` and their signed kinds), so its size is one Windows accepts (1, 2, 4 or 8
//! bytes; another size is ERROR_INVALID_PARAMETER in C and cannot be written here) and it is
//! never NULL. As kernelbase's and ntdll's sync.c tests have it on Windows:
//! - the value is compared first: when it differs from the one expected, the call returns
//!   at once, successfully;
//! - otherwise the thread sleeps until a wake names the address, or its timeout passes
//!   (ERROR_TIMEOUT; a timeout of 0 only compares);
//! - `WakeByAddressSingle` wakes the longest sleeping thread of the address,
//!   `WakeByAddressAll` all of them; with none asleep they do nothing (no error);
//! - a woken call returns successfully whatever the value is now: callers loop, as
//!   Microsoft's documentation says (a wake may also come from another use of the address);
//! - success leaves the last error as it was.

use std::sync::atomic::{
    AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering,
};

use super::sync::SyncObjects;
use super::WsaError;

/// A value `WaitOnAddress` can wait on: an atomic of 1, 2, 4 or 8 bytes.
pub trait AddressValue: Sync {
    /// The value's plain type.
    type Value: Copy + PartialEq + std::fmt::Debug;
    /// `AddressSize`: the value's size in bytes.
    const SIZE: usize;
    /// Reads the value (sequentially consistent, as `WaitOnAddress` compares it).
    fn read(&self) -> Self::Value;
    /// The value's bits, zero-extended (for the trace).
    fn bits(v: Self::Value) -> u64;
    /// The address itself: what the wakes and waits of one variable have in common.
    fn address(&self) -> usize {
        self as *const Self as *const u8 as usize
    }
}

macro_rules! address_value {
    ($($atomic:ty => $plain:ty, $unsigned:ty;)*) => {$(
        impl AddressValue for $atomic {
            type Value = $plain;
            const SIZE: usize = std::mem::size_of::<$plain>();
            fn read(&self) -> $plain {
                self.load(Ordering::SeqCst)
            }
            fn bits(v: $plain) -> u64 {
                u64::from(v as $unsigned)
            }
        }
    )*};
}

address_value! {
    AtomicU8 => u8, u8;
    AtomicI8 => i8, u8;
    AtomicU16 => u16, u16;
    AtomicI16 => i16, u16;
    AtomicU32 => u32, u32;
    AtomicI32 => i32, u32;
    AtomicU64 => u64, u64;
    AtomicI64 => i64, u64;
}

/// The address-wait calls of Windows 8 and later.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// sim.host("server", "192.0.2.1").spawn("main", |ws| {
///     let flag = Arc::new(AtomicU32::new(0));
///     let f = flag.clone();
///     let waiter = ws.create_thread("waiter", move |ws| {
///         // Sleep while the flag is 0 (a wake may be spurious: loop).
///         while f.load(Ordering::SeqCst) == 0 {
///             ws.wait_on_address(&*f, 0, INFINITE)?;
///         }
///         Ok(())
///     })?;
///     ws.sleep(10);
///     flag.store(1, Ordering::SeqCst);
///     ws.wake_by_address_single(&*flag);
///     ws.wait_for_thread(waiter, INFINITE)
/// });
/// sim.run().expect("the run succeeds");
/// ```
pub trait WaitOnAddress: SyncObjects {
    /// `WaitOnAddress(Address, CompareAddress, AddressSize, dwMilliseconds)`: `Ok` at once
    /// when `*address` differs from `compare`, else after a wake of the address; the
    /// timeout passing first is ERROR_TIMEOUT.
    fn wait_on_address<A: AddressValue>(
        &self,
        address: &A,
        compare: A::Value,
        timeout_ms: u32,
    ) -> Result<(), WsaError>;

    /// `WakeByAddressSingle(Address)`: wakes the longest sleeping thread of the address, if
    /// any.
    fn wake_by_address_single<A: AddressValue>(&self, address: &A);

    /// `WakeByAddressAll(Address)`: wakes every thread sleeping on the address.
    fn wake_by_address_all<A: AddressValue>(&self, address: &A);
}
