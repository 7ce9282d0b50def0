//! Name-resolution faults ([`FaultRule::Resolve`](super::FaultRule::Resolve)): a lookup
//! that answers late or fails, as a slow or broken DNS server would. A lookup is what goes
//! to a name server: `getaddrinfo` of a host name (not a numeric address, `localhost`, the
//! empty name or no name) and `getnameinfo` of an address that is not loopback without
//! NI_NUMERICHOST. The rule's `name`
//! (none: every lookup) is compared, case-insensitively, with the host name `getaddrinfo`
//! looks up, or with the text of the address `getnameinfo` looks up.
//!
//! Text form (written and parsed in `text`): `resolve(WHEN,SCOPE,NAME,ACTION)` with NAME a host name or `*`, ACTION
//! `delay=DURATION` or `fail=ERROR`, e.g. `resolve(nth=1,all,db,fail=WSATRY_AGAIN)`. The
//! failures getaddrinfo gives: WSAHOST_NOT_FOUND (11001, EAI_NONAME and EAI_NODATA),
//! WSATRY_AGAIN (11002, EAI_AGAIN), WSANO_RECOVERY (11003, EAI_FAIL); WSANO_DATA (11004) is
//! the old calls' "valid name, no data record".

use std::time::Duration;

use crate::api::WsaError;

/// What a [`FaultRule::Resolve`](super::FaultRule::Resolve) does to a lookup it fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveAction {
    /// The answer comes this much later (virtual time), and is then the normal one.
    Delay(Duration),
    /// The lookup fails with this error (WSAHOST_NOT_FOUND, WSATRY_AGAIN, WSANO_RECOVERY,
    /// WSANO_DATA, ...).
    Fail(WsaError),
}

/// Whether `s` can be a rule's host name in the text form (no separator of the form).
pub(super) fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

/// The Rust code of a resolve rule's action.
pub(super) fn action_code(a: &ResolveAction, dur: impl Fn(Duration) -> String) -> String {
    match a {
        ResolveAction::Delay(d) => format!("ResolveAction::Delay({})", dur(*d)),
        ResolveAction::Fail(e) => format!("ResolveAction::Fail(WsaError::{e:?})"),
    }
}
