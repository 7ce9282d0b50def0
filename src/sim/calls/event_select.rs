//! WSAEventSelect in the simulator: event objects, registration, enumeration, and
//! `WSAWaitForMultipleEvents` (alertable: queued APCs run and the wait returns
//! WSA_WAIT_IO_COMPLETION).

use crate::api::consts::*;
use crate::api::{EventSelect, Socket, WsaError, WsaEvent, WsaNetworkEvents};
use crate::sim::api::SimWinsock;
use crate::sim::kernel::objects::KObject;
use crate::sim::models::network_events::Reg;
use crate::sim::runtime::{Step, WaitKey};

impl SimWinsock {
    /// A whole call that waits on event handles (WSAWaitForMultipleEvents,
    /// WaitForMultipleObjectsEx): 0 or more than 64 handles give WSA_INVALID_PARAMETER, a
    /// handle that is not an event WSA_INVALID_HANDLE. `kernel` calls need no WSAStartup.
    pub(crate) fn wait_events(
        &self,
        call: &'static str,
        kernel: bool,
        events: &[WsaEvent],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        let r = self.enter(call, kernel).and_then(|()| {
            if events.is_empty() || events.len() > WSA_MAXIMUM_WAIT_EVENTS {
                return Err(WsaError::WSA_INVALID_PARAMETER);
            }
            let objects = {
                let w = self.w();
                events
                    .iter()
                    .map(|e| w.event_id(self.host, e.raw()))
                    .collect::<Result<Vec<usize>, WsaError>>()?
            };
            self.wait_objects(call, &objects, wait_all, timeout_ms, alertable)
        });
        self.finish(
            call,
            events.len() as u64,
            u64::from(timeout_ms),
            r.map(|v| v as usize),
        )
        .map(|v| v as u32)
    }

    /// Waits for kernel objects: `Ok(index)` of the first signalled (or 0 when all are, with
    /// `wait_all`), `Ok(WAIT_TIMEOUT)`, or `Ok(WAIT_IO_COMPLETION)` after APCs ran.
    pub(crate) fn wait_objects(
        &self,
        call: &'static str,
        objects: &[usize],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        let deadline = (timeout_ms != INFINITE)
            .then(|| self.now().as_nanos() as u64 + u64::from(timeout_ms) * 1_000_000);
        let tid = self.tid;
        let r = self.blocking(call, None, |w| {
            if alertable && !w.rt.threads[tid].ext.apcs.is_empty() {
                return Step::Done(Ok(WSA_WAIT_IO_COMPLETION));
            }
            if objects.iter().any(|&o| w.kern.objects.get(o).is_none()) {
                return Step::Done(Err(WsaError::WSA_INVALID_HANDLE));
            }
            if wait_all {
                if objects.iter().all(|&o| w.event_signaled(o, false)) {
                    for &o in objects {
                        w.event_signaled(o, true);
                    }
                    return Step::Done(Ok(WSA_WAIT_EVENT_0));
                }
            } else if let Some(i) = objects.iter().position(|&o| w.event_signaled(o, true)) {
                return Step::Done(Ok(WSA_WAIT_EVENT_0 + i as u32));
            }
            if deadline.is_some_and(|d| w.rt.now >= d) {
                return Step::Done(Ok(WSA_WAIT_TIMEOUT));
            }
            let mut keys: Vec<WaitKey> = objects.iter().map(|&o| WaitKey::Object(o)).collect();
            if alertable {
                keys.push(WaitKey::Apc(tid));
            }
            Step::WaitAny(keys, deadline)
        })?;
        if r == WSA_WAIT_IO_COMPLETION {
            self.run_apcs();
        }
        if r == WSA_WAIT_TIMEOUT && timeout_ms == 0 {
            self.idle_poll();
        }
        Ok(r)
    }
}

impl EventSelect for SimWinsock {
    fn wsa_create_event(&self) -> Result<WsaEvent, WsaError> {
        self.call("WSACreateEvent", 0, 0, |this| {
            let h = this.w().new_object(
                this.host,
                KObject::Event {
                    signaled: false,
                    manual_reset: true,
                },
            );
            Ok(WsaEvent::from_raw(h))
        })
    }

    fn wsa_close_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.call("WSACloseEvent", event.raw() as u64, 0, |this| {
            let mut w = this.w();
            w.event_id(this.host, event.raw())?;
            w.close_object(this.host, event.raw());
            Ok(())
        })
    }

    fn wsa_set_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.call("WSASetEvent", event.raw() as u64, 0, |this| {
            let mut w = this.w();
            let idx = w.event_id(this.host, event.raw())?;
            w.set_event(idx);
            Ok(())
        })
    }

    fn wsa_reset_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.call("WSAResetEvent", event.raw() as u64, 0, |this| {
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
                let reg = ev.map_or(Reg::None, |ev| Reg::Event { ev });
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
            let (bits, errors) = match w.models.netev.get_mut(id).and_then(|n| n.as_deref_mut()) {
                Some(n) => (std::mem::take(&mut n.recorded), n.errors),
                None => (0, [0; FD_MAX_EVENTS]),
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
        self.wait_events(
            "WSAWaitForMultipleEvents",
            false,
            events,
            wait_all,
            timeout_ms,
            alertable,
        )
    }
}
