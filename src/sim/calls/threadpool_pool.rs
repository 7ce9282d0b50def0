//! [`ThreadpoolPools`] in the simulator: private pools (`sim::kernel::thread_pool`'s
//! [`PoolKind::Custom`]), their limits, and their end.

use crate::api::callback_environ::TpPool;
use crate::api::threadpool_pool::ThreadpoolPools;
use crate::api::WsaError;
use crate::sim::api::{SimWinsock, Traced};
#[cfg(doc)]
use crate::sim::kernel::thread_pool::PoolKind;

impl Traced for TpPool {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl ThreadpoolPools for SimWinsock {
    fn create_threadpool(&self) -> Result<TpPool, WsaError> {
        self.kcall_keep_error("CreateThreadpool", 0, 0, |this| {
            Ok(TpPool::from_raw(this.w().pool_create(this.host)))
        })
    }

    fn set_threadpool_thread_maximum(&self, pool: TpPool, max: u32) -> Result<(), WsaError> {
        let id = pool.raw();
        let call = "SetThreadpoolThreadMaximum";
        self.kcall_keep_error(call, id as u64, u64::from(max), |this| {
            let mut w = this.w();
            w.pool_live(this.host, id)?;
            w.pool_set_max(id, max);
            Ok(())
        })
    }

    fn set_threadpool_thread_minimum(&self, pool: TpPool, min: u32) -> Result<(), WsaError> {
        let id = pool.raw();
        let call = "SetThreadpoolThreadMinimum";
        self.kcall_keep_error(call, id as u64, u64::from(min), |this| {
            let mut w = this.w();
            w.pool_live(this.host, id)?;
            w.pool_set_min(this.host, id, min, SimWinsock::pool_thread);
            Ok(())
        })
    }

    fn close_threadpool(&self, pool: TpPool) -> Result<(), WsaError> {
        let id = pool.raw();
        self.kcall_keep_error("CloseThreadpool", id as u64, 0, |this| {
            let mut w = this.w();
            w.pool_live(this.host, id)?;
            w.pool_close(id);
            Ok(())
        })
    }
}
