//! The WSAEventSelect model: event objects, `WSAEventSelect`, `WSAEnumNetworkEvents`,
//! `WSAWaitForMultipleEvents`.

use super::consts::FD_MAX_EVENTS;
use super::types::Socket;
use super::{Winsock, WsaError};

/// WSAEVENT: a manual-reset event object handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WsaEvent(usize);

impl WsaEvent {
    /// WSA_INVALID_EVENT (NULL).
    pub const INVALID: WsaEvent = WsaEvent(0);

    /// A handle from its raw value.
    pub const fn from_raw(raw: usize) -> WsaEvent {
        WsaEvent(raw)
    }

    /// The raw handle value.
    pub const fn raw(self) -> usize {
        self.0
    }
}

/// WSANETWORKEVENTS: what `WSAEnumNetworkEvents` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsaNetworkEvents {
    /// lNetworkEvents: the FD_* bits that occurred.
    pub network_events: i32,
    /// iErrorCode[FD_MAX_EVENTS]: the error of each reported event, by FD_*_BIT. Slots of
    /// events not reported are left as they were.
    pub error_code: [i32; FD_MAX_EVENTS],
}

impl Default for WsaNetworkEvents {
    fn default() -> WsaNetworkEvents {
        WsaNetworkEvents {
            network_events: 0,
            error_code: [0; FD_MAX_EVENTS],
        }
    }
}

/// The WSAEventSelect model.
pub trait EventSelect: Winsock {
    /// `WSACreateEvent()`: a manual-reset event, initially non-signalled (`CreateEvent(NULL,
    /// TRUE, FALSE, NULL)`); it works before `WSAStartup`, as on Windows.
    fn wsa_create_event(&self) -> Result<WsaEvent, WsaError>;

    /// `WSACloseEvent(hEvent)`: WSA_INVALID_HANDLE for a value that is not an event. Like
    /// `WSACreateEvent`, `WSASetEvent` and `WSAResetEvent`, a wrapper of the Win32 call: it
    /// works before `WSAStartup`.
    fn wsa_close_event(&self, event: WsaEvent) -> Result<(), WsaError>;

    /// `WSASetEvent(hEvent)`.
    fn wsa_set_event(&self, event: WsaEvent) -> Result<(), WsaError>;

    /// `WSAResetEvent(hEvent)`.
    fn wsa_reset_event(&self, event: WsaEvent) -> Result<(), WsaError>;

    /// `WSAEventSelect(s, hEventObject, lNetworkEvents)`: records the FD_* events of
    /// `network_events` on the socket and signals `event` when one occurs; the socket turns
    /// nonblocking. Replaces an earlier WSAAsyncSelect/WSAEventSelect; 0 cancels. As Windows
    /// does, new data, urgent data or a connection is recorded again even before the
    /// re-enabling call; the simulator's `EventRecording::Documented` applies the documented
    /// rule (nothing new until `recv`/`accept`) to harden code against either.
    fn wsa_event_select(
        &self,
        s: Socket,
        event: WsaEvent,
        network_events: i32,
    ) -> Result<(), WsaError>;

    /// `WSAEnumNetworkEvents(s, hEventObject, lpNetworkEvents)`: reports and clears the
    /// recorded events of the current registration's mask (none after a cancel), writing
    /// `iErrorCode` only for reported bits, and resets `event` if one is given.
    fn wsa_enum_network_events(
        &self,
        s: Socket,
        event: Option<WsaEvent>,
        out: &mut WsaNetworkEvents,
    ) -> Result<(), WsaError>;

    /// `WSAWaitForMultipleEvents(cEvents, lphEvents, fWaitAll, dwTimeout, fAlertable)`:
    /// `WSA_WAIT_EVENT_0 + i` (the lowest signalled index when `wait_all` is false),
    /// `WSA_WAIT_TIMEOUT`, or `WSA_WAIT_IO_COMPLETION` when `alertable` and queued APCs ran.
    /// 0 or more than 64 events: WSA_INVALID_PARAMETER; a bad handle: WSA_INVALID_HANDLE.
    fn wsa_wait_for_multiple_events(
        &self,
        events: &[WsaEvent],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError>;
}
