//! [`WaitOnAddress`] in the simulator: the comparison is made inside the call, where no other
//! simulated thread runs, so a store and wake of another thread cannot fall between the
//! comparison and the sleep; the sleepers are the kernel layer's (`kernel/wait_on_address.rs`).
//! The trace records the value's size and the compared value, never the address, whose
//! number in memory varies from run to run.

use crate::api::wait_on_address::{AddressValue, WaitOnAddress};
use crate::api::WsaError;
use crate::sim::api::SimWinsock;
use crate::sim::runtime::Step;

impl SimWinsock {
    /// `WakeByAddressSingle` (`all`: `WakeByAddressAll`), traced as a call that cannot fail.
    fn wake_address<A: AddressValue>(&self, call: &'static str, address: &A, all: bool) {
        let addr = address.address();
        let _ = self.kcall_keep_error(call, A::SIZE as u64, 0, |this| {
            this.w().address_wake(this.host, addr, all);
            Ok(())
        });
    }
}

impl WaitOnAddress for SimWinsock {
    fn wait_on_address<A: AddressValue>(
        &self,
        address: &A,
        compare: A::Value,
        timeout_ms: u32,
    ) -> Result<(), WsaError> {
        let addr = address.address();
        let (size, bits) = (A::SIZE as u64, A::bits(compare));
        self.kcall_keep_error("WaitOnAddress", size, bits, |this| {
            let (host, tid) = (this.host, this.tid);
            if address.read() != compare {
                return Ok(());
            }
            if timeout_ms == 0 {
                return Err(WsaError::ERROR_TIMEOUT);
            }
            let deadline = this.timeout_due(timeout_ms);
            let key = this.w().address_sleep(host, addr, tid);
            let r = this.blocking("WaitOnAddress", None, |w| {
                if w.address_woken(host, addr, tid, false) {
                    Step::Done(Ok(()))
                } else if deadline.is_some_and(|d| w.rt.now >= d) {
                    Step::Done(Err(WsaError::ERROR_TIMEOUT))
                } else {
                    Step::Wait(key, deadline)
                }
            });
            this.w().address_woken(host, addr, tid, true);
            r
        })
    }

    fn wake_by_address_single<A: AddressValue>(&self, address: &A) {
        self.wake_address("WakeByAddressSingle", address, false);
    }

    fn wake_by_address_all<A: AddressValue>(&self, address: &A) {
        self.wake_address("WakeByAddressAll", address, true);
    }
}
