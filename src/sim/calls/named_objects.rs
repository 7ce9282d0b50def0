//! [`NamedObjects`] in the simulator: a `Create*` looks its name up in the host's namespaces
//! (`kernel/object_names.rs`) and either makes a new object with that name or hands out a
//! further handle on the object that has it, as `DuplicateHandle` does; an `Open*` only
//! does the latter.

use crate::api::named_objects::{object_name, NamedObjects};
use crate::api::waitable_timer::{
    CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, CREATE_WAITABLE_TIMER_MANUAL_RESET,
};
use crate::api::{MutexHandle, SemaphoreHandle, TimerHandle, WsaError, WsaEvent};
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::kernel::object_names::{Found, Kind};
use crate::sim::kernel::objects::{KObject, WaitableTimer};

impl<H: Traced> Traced for (H, bool) {
    fn traced(&self) -> i64 {
        self.0.traced()
    }
}

impl SimWinsock {
    /// A `Create*` of `kind` named `name`: the object `make` builds, named, or a further
    /// handle on the one that has the name (then the last error is ERROR_ALREADY_EXISTS).
    fn create_named(
        &self,
        call: &'static str,
        kind: Kind,
        name: &str,
        args: (u64, u64),
        make: impl FnOnce(&Self) -> KObject<crate::sim::api::SimLayers>,
    ) -> Result<(usize, bool), WsaError> {
        let r = self.kcall(call, args.0, args.1, |this| {
            let name = object_name(name)?;
            let mut w = this.w();
            match w.name_lookup(this.host, name, kind)? {
                Some(Found::Object(idx)) => Ok((w.duplicate_object_handle(this.host, idx), true)),
                found => {
                    drop(w);
                    let obj = make(this);
                    let mut w = this.w();
                    let h = w.new_object(this.host, obj);
                    if let (Some(Found::Free), Some(idx)) = (found, w.object_id(this.host, h)) {
                        w.name_object(this.host, name, idx);
                    }
                    Ok((h, false))
                }
            }
        });
        if let Ok((_, true)) = r {
            self.wsa_set_last_error_raw(WsaError::ERROR_ALREADY_EXISTS.code());
        }
        r
    }

    /// An `Open*` of `kind` named `name`: a further handle on the object that has it.
    fn open_named(
        &self,
        call: &'static str,
        kind: Kind,
        name: Option<&str>,
    ) -> Result<usize, WsaError> {
        self.kcall_keep_error(call, u64::from(name.is_some()), 0, |this| {
            let name = object_name(name.ok_or(WsaError::WSA_INVALID_PARAMETER)?)?;
            let mut w = this.w();
            match w.name_lookup(this.host, name, kind)? {
                Some(Found::Object(idx)) => Ok(w.duplicate_object_handle(this.host, idx)),
                Some(Found::Free) => Err(WsaError::ERROR_FILE_NOT_FOUND),
                // The empty name is the namespace's directory: no object of this kind.
                None => Err(WsaError::WSA_INVALID_HANDLE),
            }
        })
    }

    /// Sets the thread's last error.
    fn wsa_set_last_error_raw(&self, code: i32) {
        self.w().rt.threads[self.tid].last_error = code;
    }
}

impl NamedObjects for SimWinsock {
    fn create_event_named(
        &self,
        manual_reset: bool,
        initial_state: bool,
        name: &str,
    ) -> Result<(WsaEvent, bool), WsaError> {
        let args = (u64::from(manual_reset), u64::from(initial_state));
        self.create_named("CreateEvent", Kind::Event, name, args, |_| KObject::Event {
            signaled: initial_state,
            manual_reset,
        })
        .map(|(h, e)| (WsaEvent::from_raw(h), e))
    }

    fn open_event(&self, name: Option<&str>) -> Result<WsaEvent, WsaError> {
        self.open_named("OpenEvent", Kind::Event, name)
            .map(WsaEvent::from_raw)
    }

    fn create_mutex_named(
        &self,
        initial_owner: bool,
        name: &str,
    ) -> Result<(MutexHandle, bool), WsaError> {
        let args = (u64::from(initial_owner), 0);
        self.create_named("CreateMutex", Kind::Mutex, name, args, |this| {
            KObject::Mutex {
                owner: initial_owner.then_some(this.tid),
                recursion: u32::from(initial_owner),
                abandoned: false,
            }
        })
        .map(|(h, e)| (MutexHandle::from_raw(h), e))
    }

    fn open_mutex(&self, name: Option<&str>) -> Result<MutexHandle, WsaError> {
        self.open_named("OpenMutex", Kind::Mutex, name)
            .map(MutexHandle::from_raw)
    }

    fn create_semaphore_named(
        &self,
        initial: i32,
        maximum: i32,
        name: &str,
    ) -> Result<(SemaphoreHandle, bool), WsaError> {
        if maximum < 1 || !(0..=maximum).contains(&initial) {
            // The counts first, as NtCreateSemaphore checks them before the name.
            let args = (initial as u64, maximum as u64);
            return self.kcall("CreateSemaphore", args.0, args.1, |_| {
                Err::<(SemaphoreHandle, bool), _>(WsaError::WSA_INVALID_PARAMETER)
            });
        }
        let args = (initial as u64, maximum as u64);
        self.create_named("CreateSemaphore", Kind::Semaphore, name, args, |_| {
            KObject::Semaphore {
                count: initial,
                max: maximum,
            }
        })
        .map(|(h, e)| (SemaphoreHandle::from_raw(h), e))
    }

    fn open_semaphore(&self, name: Option<&str>) -> Result<SemaphoreHandle, WsaError> {
        self.open_named("OpenSemaphore", Kind::Semaphore, name)
            .map(SemaphoreHandle::from_raw)
    }

    fn create_waitable_timer_named(
        &self,
        manual_reset: bool,
        name: &str,
    ) -> Result<(TimerHandle, bool), WsaError> {
        let args = (u64::from(manual_reset), 0);
        self.create_named("CreateWaitableTimer", Kind::Timer, name, args, |_| {
            KObject::Timer(WaitableTimer::new(manual_reset))
        })
        .map(|(h, e)| (TimerHandle::from_raw(h), e))
    }

    fn create_waitable_timer_ex(
        &self,
        name: Option<&str>,
        flags: u32,
    ) -> Result<(TimerHandle, bool), WsaError> {
        let manual_reset = flags & CREATE_WAITABLE_TIMER_MANUAL_RESET != 0;
        let high_resolution = flags & CREATE_WAITABLE_TIMER_HIGH_RESOLUTION != 0;
        let args = (u64::from(flags), 0);
        let name = name.unwrap_or("");
        self.create_named("CreateWaitableTimerEx", Kind::Timer, name, args, |_| {
            let mut t = WaitableTimer::new(manual_reset);
            t.high_resolution = high_resolution;
            KObject::Timer(t)
        })
        .map(|(h, e)| (TimerHandle::from_raw(h), e))
    }

    fn open_waitable_timer(&self, name: Option<&str>) -> Result<TimerHandle, WsaError> {
        self.open_named("OpenWaitableTimer", Kind::Timer, name)
            .map(TimerHandle::from_raw)
    }
}
