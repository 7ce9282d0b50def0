//! Name-resolution faults ([`FaultRule::Resolve`]): a lookup that answers late or fails, as a
//! slow or broken DNS server would. A lookup is what goes to a name server: `getaddrinfo` of a
//! host name (not a numeric address, `localhost`, the empty name or no name) and
//! `getnameinfo` of an address that is not loopback without NI_NUMERICHOST. The rule's `name`
//! (none: every lookup) is compared, case-insensitively, with the host name `getaddrinfo`
//! looks up, or with the text of the address `getnameinfo` looks up.
//!
//! Text form: `resolve(WHEN,SCOPE,NAME,ACTION)` with NAME a host name or `*`, ACTION
//! `delay=DURATION` or `fail=ERROR`, e.g. `resolve(nth=1,all,db,fail=WSATRY_AGAIN)`. The
//! failures getaddrinfo gives: WSAHOST_NOT_FOUND (11001, EAI_NONAME and EAI_NODATA),
//! WSATRY_AGAIN (11002, EAI_AGAIN), WSANO_RECOVERY (11003, EAI_FAIL); WSANO_DATA (11004) is
//! the old calls' "valid name, no data record".

use std::fmt;
use std::time::Duration;

use super::text::{error_name, Dur};
use super::{FaultRule, ParsePlanError, Scope, When};
use crate::api::WsaError;

/// What a [`FaultRule::Resolve`] does to a lookup it fires on.
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

/// The one-line form of a resolve rule.
pub(super) fn display(
    f: &mut fmt::Formatter<'_>,
    when: &When,
    scope: &Scope,
    name: &Option<String>,
    action: &ResolveAction,
) -> fmt::Result {
    let name = name.as_deref().unwrap_or("*");
    match action {
        ResolveAction::Delay(d) => write!(f, "resolve({when},{scope},{name},delay={})", Dur(*d)),
        ResolveAction::Fail(e) => {
            write!(f, "resolve({when},{scope},{name},fail={})", error_name(*e))
        }
    }
}

/// Parses the arguments of `resolve(..)`.
pub(super) fn parse(
    a: &[&str],
    parse_dur: impl Fn(&str) -> Result<Duration, ParsePlanError>,
    parse_error: impl Fn(&str) -> Result<WsaError, ParsePlanError>,
) -> Result<FaultRule, ParsePlanError> {
    let [when, scope, name, action] = a else {
        return Err(ParsePlanError("resolve takes 4 arguments".into()));
    };
    let name = match *name {
        "*" => None,
        n if valid_name(n) => Some(n.to_string()),
        n => return Err(ParsePlanError(format!("{n:?} is not a host name or *"))),
    };
    let action = match action.split_once('=') {
        Some(("delay", d)) => ResolveAction::Delay(parse_dur(d)?),
        Some(("fail", e)) => ResolveAction::Fail(parse_error(e)?),
        _ => {
            return Err(ParsePlanError(format!(
                "{action:?}: a resolve action is delay=DURATION or fail=ERROR"
            )))
        }
    };
    Ok(FaultRule::Resolve {
        when: when.parse()?,
        scope: scope.parse()?,
        name,
        action,
    })
}

/// The Rust code of a resolve rule's action.
pub(super) fn action_code(a: &ResolveAction, dur: impl Fn(Duration) -> String) -> String {
    match a {
        ResolveAction::Delay(d) => format!("ResolveAction::Delay({})", dur(*d)),
        ResolveAction::Fail(e) => format!("ResolveAction::Fail(WsaError::{e:?})"),
    }
}
