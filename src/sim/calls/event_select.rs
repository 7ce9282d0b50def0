//! WSAEventSelect in the simulator: event objects, registration, enumeration, and
//! `WSAWaitForMultipleEvents` (alertable: queued APCs run and the wait returns
//! WSA_WAIT_IO_COMPLETION).

use crate::api::consts::*;
use crate::api::sync::{Handle, WAIT_ABANDONED_0};
use crate::api::{EventSelect, Socket, WsaError, WsaEvent, WsaNetworkEvents};
use crate::sim::api::SimWinsock;
use crate::sim::kernel::sync::Waitable;
use crate::sim::models::network_events::{NetSlot, Reg};
use crate::sim::runtime::{Step, WaitKey};

/// What a `MsgWaitForMultipleObjectsEx` waits for beside its handles: input of the kinds
/// `mask` names, new since the queue was last looked at (any in the queue, with `available`:
/// MWMO_INPUTAVAILABLE).
#[derive(Debug, Clone, Copy)]
pub(crate) struct InputWait {
    pub mask: u32,
    pub available: bool,
}

/// What [`SimWinsock::wait_objects_until`] returns when its `also` condition ended it.
pub(crate) const WAKE_ALSO: u32 = u32::MAX;

/// A condition beside the objects that ends a wait: the key it is announced on, and a check
/// that takes it (true: it held, and is now consumed).
pub(crate) struct AlsoWake<'a> {
    /// The key its announcement notifies.
    pub key: WaitKey,
    /// Whether it holds (taking it).
    pub taken: &'a dyn Fn(&mut crate::sim::api::World) -> bool,
}

impl SimWinsock {
    /// A whole call that waits on handles (WSAWaitForMultipleEvents, WaitForMultipleObjects,
    /// WaitForMultipleObjectsEx): 0 or more than 64 handles give WSA_INVALID_PARAMETER, a
    /// handle that names no waitable object WSA_INVALID_HANDLE. `kernel` calls need no
    /// WSAStartup.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn wait_handles(
        &self,
        call: &'static str,
        kernel: bool,
        handles: &[Handle],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
        input: Option<InputWait>,
    ) -> Result<u32, WsaError> {
        // A call threads are commonly blocked in when a run ends: its body is a function
        // of its own, left through a checked exit (`SimWinsock::call_marked`).
        crate::sim::runtime::checked_exit(self.wait_handles_call(
            call, kernel, handles, wait_all, timeout_ms, alertable, input,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn wait_handles_call(
        &self,
        call: &'static str,
        kernel: bool,
        handles: &[Handle],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
        input: Option<InputWait>,
    ) -> Result<u32, WsaError> {
        // A wait that does not fail leaves the thread's last error as it was, as Windows'
        // waits do (kernel32 sync.c 1321–1360: 0xdeadbeef survives WAIT_TIMEOUT and
        // WAIT_OBJECT_0); a failed one sets it.
        self.keep_last_error(|| {
            let r = self.enter(call, kernel).and_then(|()| {
                crate::sim::runtime::mark_checked();
                // MsgWaitForMultipleObjects: the queue takes one of the 64 slots, and no handle
                // at all is a wait for input alone.
                let max = WSA_MAXIMUM_WAIT_EVENTS - usize::from(input.is_some());
                if (handles.is_empty() && input.is_none()) || handles.len() > max {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                let objects = handles
                    .iter()
                    .map(|&h| self.waitable(h))
                    .collect::<Result<Vec<Waitable>, WsaError>>()?;
                // The same object twice in a wait-all: ERROR_INVALID_PARAMETER
                // (STATUS_INVALID_PARAMETER_MIX), as Windows refuses it.
                if wait_all
                    && objects
                        .iter()
                        .enumerate()
                        .any(|(i, o)| objects[..i].contains(o))
                {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                self.wait_objects(call, &objects, wait_all, timeout_ms, alertable, input)
            });
            self.finish(
                call,
                handles.len() as u64,
                u64::from(timeout_ms),
                r.map(|v| v as usize),
            )
            .map(|v| v as u32)
        })
    }

    /// What handle `h` names for a wait: a kernel object or a thread; anything else
    /// WSA_INVALID_HANDLE.
    pub(crate) fn waitable(&self, h: Handle) -> Result<Waitable, WsaError> {
        let w = self.w();
        match h {
            Handle::Event(e) => w.event_id(self.host, e.raw()).map(Waitable::Object),
            Handle::Mutex(m) => w.mutex_id(self.host, m.raw()).map(Waitable::Object),
            Handle::Semaphore(s) => w.semaphore_id(self.host, s.raw()).map(Waitable::Object),
            Handle::Timer(t) => w.timer_id(self.host, t.raw()).map(Waitable::Object),
            Handle::Thread(t) if t.index() < w.rt.threads.len() => Ok(Waitable::Thread(t.index())),
            Handle::Thread(_) => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Waits for kernel objects and threads: `Ok(WAIT_OBJECT_0 + i)` of the first signalled
    /// (or 0 when all are, with `wait_all`; every object is then acquired at once),
    /// `Ok(WAIT_ABANDONED_0 + i)` when the acquired mutex `i` was abandoned,
    /// `Ok(WAIT_TIMEOUT)`, or `Ok(WAIT_IO_COMPLETION)` after APCs ran.
    pub(crate) fn wait_objects(
        &self,
        call: &'static str,
        objects: &[Waitable],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
        input: Option<InputWait>,
    ) -> Result<u32, WsaError> {
        let deadline = self.timeout_due(timeout_ms);
        self.wait_objects_until(call, objects, wait_all, deadline, alertable, input, None)
    }

    /// [`SimWinsock::wait_objects`] until virtual time `deadline` (`None`: no end); a wait
    /// whose deadline has come at its start is a poll. With `also`, a condition announced on
    /// its key ends the wait too, with [`WAKE_ALSO`] (the pool's wait thread: its
    /// registrations changed).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn wait_objects_until(
        &self,
        call: &'static str,
        objects: &[Waitable],
        wait_all: bool,
        deadline: Option<crate::sim::runtime::Nanos>,
        alertable: bool,
        input: Option<InputWait>,
        also: Option<AlsoWake<'_>>,
    ) -> Result<u32, WsaError> {
        let poll = deadline.is_some_and(|d| d <= self.now().as_nanos() as u64);
        let tid = self.tid;
        // The wait holds its objects: closing a handle another thread waits on leaves the
        // object to the wait (an event can no longer be set, a timer still fires), as a
        // Windows wait references them.
        let held = || {
            objects.iter().filter_map(|o| match *o {
                Waitable::Object(i) => Some(i),
                Waitable::Thread(_) => None,
            })
        };
        let mut w = self.w();
        for i in held() {
            w.kern.objects.hold(i);
        }
        // What the wait is for, so that a signal can complete it at once (`kernel::dispatch`).
        w.rt.threads[tid]
            .ext
            .begin_kwait(objects, wait_all, input.map(|i| i.mask));
        let input_now = |w: &mut crate::sim::api::World| {
            input.is_some_and(|i| w.input_ready(tid, i.mask, i.available))
        };
        let (r, w) = self.blocking_held(w, call, None, |w| {
            // A signal completed the wait while the thread was blocked: its result stands
            // (what it took is taken), whatever else happened since.
            if let Some(r) = w.rt.threads[tid].ext.take_handed() {
                return Step::Done(Ok(r));
            }
            if also.as_ref().is_some_and(|a| (a.taken)(w)) {
                return Step::Done(Ok(WAKE_ALSO));
            }
            // Input of the wake mask comes before a queued APC (user32 msg.c 5602–5613: with
            // MWMO_ALERTABLE a posted message returns WAIT_OBJECT_0 + nCount, the APC the
            // next wait).
            if alertable && w.rt.threads[tid].ext.has_apcs() && (wait_all || !input_now(w)) {
                return Step::Done(Ok(WSA_WAIT_IO_COMPLETION));
            }
            let mut states = Vec::with_capacity(objects.len());
            for &o in objects {
                match w.waitable_signaled(o, tid, false) {
                    Ok(s) => states.push(s),
                    Err(e) => return Step::Done(Err(e)),
                }
            }
            // MsgWaitForMultipleObjects: input of the wake mask, as one more object after the
            // handles (a handle signalled with it wins, as Wine's wait over the handles and
            // the queue gives; Windows documents no order).
            let n = objects.len() as u32;
            if wait_all {
                if states.iter().all(Option::is_some) && (input.is_none() || input_now(w)) {
                    let mut abandoned = None;
                    for (i, &o) in objects.iter().enumerate() {
                        if let Ok(Some(true)) = w.waitable_signaled(o, tid, true) {
                            abandoned.get_or_insert(i);
                        }
                    }
                    return Step::Done(Ok(match abandoned {
                        Some(i) => WAIT_ABANDONED_0 + i as u32,
                        None => WSA_WAIT_EVENT_0,
                    }));
                }
            } else if let Some(i) = states.iter().position(Option::is_some) {
                let abandoned =
                    matches!(w.waitable_signaled(objects[i], tid, true), Ok(Some(true)));
                let base = if abandoned {
                    WAIT_ABANDONED_0
                } else {
                    WSA_WAIT_EVENT_0
                };
                return Step::Done(Ok(base + i as u32));
            } else if input_now(w) {
                return Step::Done(Ok(WSA_WAIT_EVENT_0 + n));
            }
            if deadline.is_some_and(|d| w.rt.now >= d) {
                return Step::Done(Ok(WSA_WAIT_TIMEOUT));
            }
            let mut keys: Vec<WaitKey> = objects.iter().map(|o| o.key()).collect();
            if alertable {
                keys.push(WaitKey::Apc(tid));
            }
            if input.is_some() {
                keys.push(WaitKey::Messages(tid));
            }
            if let Some(a) = &also {
                keys.push(a.key);
            }
            Step::WaitAny(keys, deadline)
        });
        // (A wait cut short by the run's end leaves its objects held: the run is over.)
        if let Some(mut w) = w {
            w.rt.threads[tid].ext.end_kwait();
            for i in held() {
                w.wait_done(i);
            }
        }
        let r = r?;
        if r == WSA_WAIT_IO_COMPLETION {
            self.run_apcs();
        }
        if r == WSA_WAIT_TIMEOUT && poll {
            self.idle_poll();
        }
        Ok(r)
    }
}

impl EventSelect for SimWinsock {
    fn wsa_create_event(&self) -> Result<WsaEvent, WsaError> {
        // A wrapper of CreateEvent: it works before WSAStartup, as on Windows.
        self.kcall("WSACreateEvent", 0, 0, |this| this.new_event(true, false))
    }

    fn wsa_close_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.kcall_keep_error("WSACloseEvent", event.raw() as u64, 0, |this| {
            let mut w = this.w();
            w.event_id(this.host, event.raw())?;
            // CloseHandle underneath: a handle protected from close stays.
            super::duplicate_handle::refuse_protected(&w, this.host, event.into())?;
            w.close_object(this.host, event.raw());
            Ok(())
        })
    }

    fn wsa_set_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.kcall_keep_error("WSASetEvent", event.raw() as u64, 0, |this| {
            let mut w = this.w();
            let idx = w.event_id(this.host, event.raw())?;
            w.set_event(idx);
            Ok(())
        })
    }

    fn wsa_reset_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.kcall_keep_error("WSAResetEvent", event.raw() as u64, 0, |this| {
            let mut w = this.w();
            let idx = w.event_id(this.host, event.raw())?;
            w.reset_event(idx);
            Ok(())
        })
    }

    fn wsa_event_select(
        &self,
        s: Socket,
        event: WsaEvent,
        network_events: i32,
    ) -> Result<(), WsaError> {
        self.call(
            "WSAEventSelect",
            s.raw() as u64,
            network_events as u64,
            |this| {
                let id = this.sock(s)?;
                let mut w = this.w();
                let ev = if network_events == 0 {
                    None
                } else {
                    Some(
                        w.event_id(this.host, event.raw())
                            .map_err(|_| WsaError::WSAEINVAL)?,
                    )
                };
                w.net.sockets.at(id).nonblocking = true;
                let reg = ev.map_or(Reg::None, |ev| Reg::Event {
                    ev: w.kern.objects.obj_ref(ev),
                });
                w.register_events(id, reg, network_events);
                Ok(())
            },
        )
    }

    fn wsa_enum_network_events(
        &self,
        s: Socket,
        event: Option<WsaEvent>,
        out: &mut WsaNetworkEvents,
    ) -> Result<(), WsaError> {
        self.call("WSAEnumNetworkEvents", s.raw() as u64, 0, |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            let ev = match event {
                // Not an event: WSAEINVAL, the code Microsoft documents (as WSAEventSelect).
                Some(e) => Some(
                    w.event_id(this.host, e.raw())
                        .map_err(|_| WsaError::WSAEINVAL)?,
                ),
                None => None,
            };
            // Only events of the current registration are reported (and cleared); the rest
            // stay recorded: after a cancel (mask 0) nothing is reported (afd.c
            // test_event_select L1883-1889, Wine tree 4b12965c).
            let (bits, errors) = match w.models.netev.get_mut(id) {
                Some(NetSlot::Full(n)) => {
                    let bits = n.recorded & n.mask;
                    n.recorded &= !bits;
                    (bits, n.errors)
                }
                _ => (0, [0; FD_MAX_EVENTS]),
            };
            out.network_events = bits;
            for (i, slot) in out.error_code.iter_mut().enumerate() {
                if bits & (1 << i) != 0 {
                    *slot = errors[i];
                }
            }
            if let Some(ev) = ev {
                w.reset_event(ev);
            }
            Ok(())
        })
    }

    fn wsa_wait_for_multiple_events(
        &self,
        events: &[WsaEvent],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        let handles: Vec<Handle> = events.iter().map(|&e| Handle::Event(e)).collect();
        self.wait_handles(
            "WSAWaitForMultipleEvents",
            false,
            &handles,
            wait_all,
            timeout_ms,
            alertable,
            None,
        )
    }
}
