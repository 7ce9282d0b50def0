//! The plan as Rust code: `Debug` of a [`FaultPlan`] writes the expression that rebuilds it,
//! to paste into a test.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use super::{FaultPlan, FaultRule, Scope, SegmentAction, SegmentFilter, When};
use crate::api::WsaError;

/// Rust code for a duration.
struct DurCode(Duration);

impl fmt::Display for DurCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.as_nanos();
        match n {
            _ if n % 1_000_000_000 == 0 => {
                write!(f, "Duration::from_secs({})", n / 1_000_000_000)
            }
            _ if n % 1_000_000 == 0 => write!(f, "Duration::from_millis({})", n / 1_000_000),
            _ if n % 1_000 == 0 => write!(f, "Duration::from_micros({})", n / 1_000),
            _ => write!(f, "Duration::from_nanos({n})"),
        }
    }
}

fn ip_code(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("IpAddr::from({:?})", v4.octets()),
        IpAddr::V6(v6) => format!("IpAddr::from({:?})", v6.segments()),
    }
}

fn ips_code(v: &[IpAddr]) -> String {
    let items: Vec<String> = v.iter().map(|ip| ip_code(*ip)).collect();
    format!("vec![{}]", items.join(", "))
}

fn opt_dur_code(d: Option<Duration>) -> String {
    d.map_or("None".to_string(), |d| format!("Some({})", DurCode(d)))
}

fn error_code(e: WsaError) -> String {
    format!("WsaError::{e:?}")
}

fn when_code(w: When) -> String {
    match w {
        When::Rate { num, den } => format!("When::Rate {{ num: {num}, den: {den} }}"),
        When::At(t) => format!("When::At({})", DurCode(t)),
        When::Nth(n) => format!("When::Nth({n})"),
    }
}

fn scope_code(s: Scope) -> String {
    match s {
        Scope::All => "Scope::All".to_string(),
        Scope::Host(ip) => format!("Scope::Host({})", ip_code(ip)),
        Scope::Link(a, b) => format!("Scope::Link({}, {})", ip_code(a), ip_code(b)),
        Scope::Endpoint(sa) => format!(
            "Scope::Endpoint(SocketAddr::new({}, {}))",
            ip_code(sa.ip()),
            sa.port()
        ),
    }
}

fn action_code(a: SegmentAction) -> String {
    match a {
        SegmentAction::Delay(d) => format!("SegmentAction::Delay({})", DurCode(d)),
        SegmentAction::Jitter(d) => format!("SegmentAction::Jitter({})", DurCode(d)),
        SegmentAction::Drop => "SegmentAction::Drop".to_string(),
        SegmentAction::Reset => "SegmentAction::Reset".to_string(),
        SegmentAction::Duplicate => "SegmentAction::Duplicate".to_string(),
        SegmentAction::Reorder(d) => format!("SegmentAction::Reorder({})", DurCode(d)),
    }
}

/// Rust code for a rule (types named as `winsock_sim::sim::fault` and `std` export them).
fn rule_code(r: &FaultRule) -> String {
    let filter = |f: SegmentFilter| format!("SegmentFilter::{f:?}");
    match r {
        FaultRule::Delay {
            filter: fl,
            num,
            den,
            extra,
        } => format!(
            "FaultRule::Delay {{ filter: {}, num: {num}, den: {den}, extra: {} }}",
            filter(*fl),
            DurCode(*extra)
        ),
        FaultRule::Drop {
            filter: fl,
            num,
            den,
        } => format!(
            "FaultRule::Drop {{ filter: {}, num: {num}, den: {den} }}",
            filter(*fl)
        ),
        FaultRule::FailCall {
            call,
            error,
            num,
            den,
        } => format!(
            "FaultRule::FailCall {{ call: {call:?}, error: {}, num: {num}, den: {den} }}",
            error_code(*error)
        ),
        FaultRule::Segment {
            when,
            scope,
            filter: fl,
            action,
        } => format!(
            "FaultRule::Segment {{ when: {}, scope: {}, filter: {}, action: {} }}",
            when_code(*when),
            scope_code(*scope),
            filter(*fl),
            action_code(*action)
        ),
        FaultRule::Call {
            when,
            scope,
            call,
            error,
        } => format!(
            "FaultRule::Call {{ when: {}, scope: {}, call: {call:?}, error: {} }}",
            when_code(*when),
            scope_code(*scope),
            error_code(*error)
        ),
        FaultRule::Uptime { scope, uptime } => format!(
            "FaultRule::Uptime {{ scope: {}, uptime: {} }}",
            scope_code(*scope),
            DurCode(*uptime)
        ),
        FaultRule::ClockJump {
            at,
            scope,
            shift_ms,
        } => format!(
            "FaultRule::ClockJump {{ at: {}, scope: {}, shift_ms: {shift_ms} }}",
            DurCode(*at),
            scope_code(*scope)
        ),
        FaultRule::Reset { at, scope } => format!(
            "FaultRule::Reset {{ at: {}, scope: {} }}",
            DurCode(*at),
            scope_code(*scope)
        ),
        FaultRule::Partition { a, b, from, until } => format!(
            "FaultRule::Partition {{ a: {}, b: {}, from: {}, until: {} }}",
            ips_code(a),
            ips_code(b),
            DurCode(*from),
            opt_dur_code(*until)
        ),
        FaultRule::Crash { host, at, restart } => format!(
            "FaultRule::Crash {{ host: {}, at: {}, restart: {} }}",
            ip_code(*host),
            DurCode(*at),
            opt_dur_code(*restart)
        ),
        FaultRule::Resolve {
            when,
            scope,
            name,
            action,
        } => format!(
            "FaultRule::Resolve {{ when: {}, scope: {}, name: {}, action: {} }}",
            when_code(*when),
            scope_code(*scope),
            name.as_ref()
                .map_or("None".to_string(), |n| format!("Some({n:?}.to_string())")),
            super::resolve::action_code(action, |d| DurCode(d).to_string())
        ),
        FaultRule::Squeeze {
            scope,
            from,
            until,
            send,
            recv,
        } => format!(
            "FaultRule::Squeeze {{ scope: {}, from: {}, until: {}, send: {send:?}, recv: {recv:?} }}",
            scope_code(*scope),
            DurCode(*from),
            opt_dur_code(*until)
        ),
        FaultRule::WouldBlock { when, scope } => format!(
            "FaultRule::WouldBlock {{ when: {}, scope: {} }}",
            when_code(*when),
            scope_code(*scope)
        ),
        FaultRule::Overtake { when, scope } => format!(
            "FaultRule::Overtake {{ when: {}, scope: {} }}",
            when_code(*when),
            scope_code(*scope)
        ),
        FaultRule::Pend { when, scope } => format!(
            "FaultRule::Pend {{ when: {}, scope: {} }}",
            when_code(*when),
            scope_code(*scope)
        ),
        FaultRule::Stall {
            when,
            scope,
            call,
            pause,
        } => format!(
            "FaultRule::Stall {{ when: {}, scope: {}, call: {call:?}, pause: {} }}",
            when_code(*when),
            scope_code(*scope),
            DurCode(*pause)
        ),
    }
}

impl fmt::Debug for FaultPlan {
    /// Rust code that rebuilds the plan, given `use std::net::{IpAddr, SocketAddr};
    /// use std::time::Duration; use winsock_sim::prelude::WsaError;
    /// use winsock_sim::sim::fault::*;`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FaultPlan::none()")?;
        for r in &self.rules {
            write!(f, ".with({})", rule_code(r))?;
        }
        Ok(())
    }
}
