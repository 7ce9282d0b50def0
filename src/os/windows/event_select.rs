//! `WSAEventSelect`, event objects and `WSAWaitForMultipleEvents` of [`Native`] on ws2_32
//! (the `unsafe` invariants are listed in `native.rs`).

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock as ws;

use super::native::{finish, finish_kept, last_error, Native};
use crate::api::{EventSelect, Socket, WsaError, WsaEvent, WsaNetworkEvents};

impl EventSelect for Native {
    /// `WSACreateEvent`: the event becomes this backend's.
    fn wsa_create_event(&self) -> Result<WsaEvent, WsaError> {
        // SAFETY: no arguments; returns a new event handle or WSA_INVALID_EVENT.
        let e = unsafe { ws::WSACreateEvent() };
        if e == ws::WSA_INVALID_EVENT {
            return finish(Err(last_error()));
        }
        self.inner.owned.lock().events.insert(e);
        finish(Ok(WsaEvent::from_raw(e as usize)))
    }

    /// `WSACloseEvent`: only events this backend created (else WSA_INVALID_HANDLE).
    fn wsa_close_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        // CloseHandle underneath: a protected event's refusal leaves it in the table.
        if let Some(r) = self.close_protected(event.into()) {
            return finish_kept(r);
        }
        let raw = event.raw() as isize;
        if !self.inner.owned.lock().events.remove(&raw) {
            return finish_kept(Err(WsaError::WSA_INVALID_HANDLE));
        }
        // SAFETY: `raw` was created by this backend and has just left its table: closed once.
        finish_kept(match unsafe { ws::WSACloseEvent(raw) } {
            0 => Err(last_error()),
            _ => Ok(()),
        })
    }

    /// `WSASetEvent`.
    fn wsa_set_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        // SAFETY: an open event of this backend.
        finish_kept(
            self.event(event)
                .and_then(|e| match unsafe { ws::WSASetEvent(e) } {
                    0 => Err(last_error()),
                    _ => Ok(()),
                }),
        )
    }

    /// `WSAResetEvent`.
    fn wsa_reset_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        // SAFETY: an open event of this backend.
        finish_kept(
            self.event(event)
                .and_then(|e| match unsafe { ws::WSAResetEvent(e) } {
                    0 => Err(last_error()),
                    _ => Ok(()),
                }),
        )
    }

    /// `WSAEventSelect`: `event` must be one of this backend's (WSA_INVALID_HANDLE before the
    /// call otherwise, WSAEINVAL as Windows gives for a null one when events are asked for).
    fn wsa_event_select(
        &self,
        s: Socket,
        event: WsaEvent,
        network_events: i32,
    ) -> Result<(), WsaError> {
        let e = if event.raw() == 0 {
            0
        } else {
            match self.event(event) {
                Ok(e) => e,
                Err(err) => return finish(Err(err)),
            }
        };
        // SAFETY: an owned socket and an owned (or null) event, integers otherwise.
        self.on(s, |raw| unsafe {
            ws::WSAEventSelect(raw, e, network_events)
        })
        .map(drop)
    }

    /// `WSAEnumNetworkEvents`.
    fn wsa_enum_network_events(
        &self,
        s: Socket,
        event: Option<WsaEvent>,
        out: &mut WsaNetworkEvents,
    ) -> Result<(), WsaError> {
        let e = match event.map(|e| self.event(e)).transpose() {
            Ok(e) => e.unwrap_or(0),
            Err(err) => return finish(Err(err)),
        };
        let mut ne = ws::WSANETWORKEVENTS::default();
        // SAFETY: `ne` is a live WSANETWORKEVENTS the call fills; socket and event are owned.
        self.on(s, |raw| unsafe {
            ws::WSAEnumNetworkEvents(raw, e, &mut ne)
        })?;
        out.network_events = ne.lNetworkEvents;
        for (bit, code) in ne.iErrorCode.iter().enumerate() {
            if ne.lNetworkEvents & (1 << bit) != 0 && bit < out.error_code.len() {
                out.error_code[bit] = *code;
            }
        }
        Ok(())
    }

    /// `WSAWaitForMultipleEvents`: every handle must be one of this backend's events.
    fn wsa_wait_for_multiple_events(
        &self,
        events: &[WsaEvent],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        let mut handles: Vec<HANDLE> = Vec::with_capacity(events.len());
        for &e in events {
            match self.event(e) {
                Ok(raw) => handles.push(raw as HANDLE),
                Err(err) => return finish_kept(Err(err)),
            }
        }
        // SAFETY: `handles` is a live array of exactly `handles.len()` open event handles of
        // this backend (the OS checks the count: 0 or more than 64 is WSA_INVALID_PARAMETER).
        let r = unsafe {
            ws::WSAWaitForMultipleEvents(
                handles.len() as u32,
                handles.as_ptr(),
                i32::from(wait_all),
                timeout_ms,
                i32::from(alertable),
            )
        };
        finish_kept(if r == ws::WSA_WAIT_FAILED {
            Err(last_error())
        } else {
            Ok(r)
        })
    }
}
