//! [`WaitOnAddress`] for [`Native`]: kernelbase's WaitOnAddress, WakeByAddressSingle and
//! WakeByAddressAll on the program's atomic, whose size is the one the call is given.

use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::sync_lookup::check;
use crate::api::wait_on_address::{AddressValue, WaitOnAddress};
use crate::api::WsaError;

/// The address of `a` as the calls take it.
fn ptr<A: AddressValue>(a: &A) -> *const core::ffi::c_void {
    (a as *const A).cast()
}

impl WaitOnAddress for Native {
    fn wait_on_address<A: AddressValue>(
        &self,
        address: &A,
        compare: A::Value,
        timeout_ms: u32,
    ) -> Result<(), WsaError> {
        debug_assert_eq!(std::mem::size_of::<A>(), A::SIZE);
        debug_assert_eq!(std::mem::size_of::<A::Value>(), A::SIZE);
        // SAFETY: `address` is a live atomic of `A::SIZE` bytes (1, 2, 4 or 8) borrowed for
        // the whole call; `compare` is a local of the same size; the OS only reads both, and
        // reads the atomic as other threads may write it, which an atomic allows.
        let ok = unsafe {
            th::WaitOnAddress(
                ptr(address),
                (&compare as *const A::Value).cast(),
                A::SIZE,
                timeout_ms,
            )
        };
        finish_kept(check(ok))
    }

    fn wake_by_address_single<A: AddressValue>(&self, address: &A) {
        // SAFETY: the OS uses the address only as a key of its sleepers; it reads nothing.
        unsafe { th::WakeByAddressSingle(ptr(address)) }
    }

    fn wake_by_address_all<A: AddressValue>(&self, address: &A) {
        // SAFETY: as for WakeByAddressSingle.
        unsafe { th::WakeByAddressAll(ptr(address)) }
    }
}
