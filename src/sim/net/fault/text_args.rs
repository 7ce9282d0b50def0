//! The one-line form's arguments (see `text`): durations, clock shifts, addresses, segment
//! filters, call names, WinSock errors, `When`, `Scope` and segment actions, written and
//! parsed; and the error a parse gives.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use super::{Scope, SegmentAction, SegmentFilter, When};
use crate::api::error::ALL;
use crate::api::WsaError;

/// Why a plan string did not parse: the offending part and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsePlanError(pub String);

impl fmt::Display for ParsePlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad fault plan: {}", self.0)
    }
}

impl std::error::Error for ParsePlanError {}

pub(super) fn bad<T>(what: impl Into<String>) -> Result<T, ParsePlanError> {
    Err(ParsePlanError(what.into()))
}

/// A duration in the largest unit that keeps it exact.
pub(crate) struct Dur(pub Duration);

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.as_nanos();
        match n {
            _ if n % 1_000_000_000 == 0 => write!(f, "{}s", n / 1_000_000_000),
            _ if n % 1_000_000 == 0 => write!(f, "{}ms", n / 1_000_000),
            _ if n % 1_000 == 0 => write!(f, "{}us", n / 1_000),
            _ => write!(f, "{n}ns"),
        }
    }
}

pub(super) fn parse_dur(s: &str) -> Result<Duration, ParsePlanError> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let Ok(n) = num.parse::<u64>() else {
        return bad(format!("{s:?} is not a duration (e.g. 500ms)"));
    };
    Ok(match unit {
        "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "us" => Duration::from_micros(n),
        "ns" => Duration::from_nanos(n),
        _ => return bad(format!("{s:?}: unit must be s, ms, us or ns")),
    })
}

/// A clock shift in milliseconds as the one-line form writes it: its direction, then a
/// duration (`forward=10s`, `back=1500ms`; a sign would read as the `+` that joins rules).
pub(super) struct Shift(pub(super) i64);

impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let way = if self.0 < 0 { "back" } else { "forward" };
        write!(
            f,
            "{way}={}",
            Dur(Duration::from_millis(self.0.unsigned_abs()))
        )
    }
}

pub(super) fn parse_shift(s: &str) -> Result<i64, ParsePlanError> {
    let (neg, rest) = match s.split_once('=') {
        Some(("forward", d)) => (false, d),
        Some(("back", d)) => (true, d),
        _ => {
            return bad(format!(
                "{s:?}: a clock shift is forward=DURATION or back=DURATION"
            ))
        }
    };
    let d = parse_dur(rest)?;
    if d.as_nanos() % 1_000_000 != 0 {
        return bad(format!("{s:?}: a clock shift is whole milliseconds"));
    }
    // Back by 2^63 ms is i64::MIN, one more than forward can go.
    let ms = i128::try_from(d.as_millis()).unwrap_or(i128::MAX);
    match i64::try_from(if neg { -ms } else { ms }) {
        Ok(ms) => Ok(ms),
        Err(_) => bad(format!(
            "{s:?}: a clock shift is at most 2^63 - 1 ms forward, 2^63 ms back"
        )),
    }
}

pub(super) fn parse_opt_dur(s: &str) -> Result<Option<Duration>, ParsePlanError> {
    if s == "-" {
        Ok(None)
    } else {
        parse_dur(s).map(Some)
    }
}

pub(super) fn parse_ratio(s: &str) -> Result<(u64, u64), ParsePlanError> {
    let parsed = s
        .split_once('/')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    match parsed {
        Some(r) => Ok(r),
        None => bad(format!("{s:?} is not a rate num/den")),
    }
}

pub(super) fn parse_ip(s: &str) -> Result<IpAddr, ParsePlanError> {
    s.parse()
        .or_else(|_| bad(format!("{s:?} is not an IP address")))
}

/// A `/`-separated list of addresses; empty for none (a partition side with no host, which
/// cuts nothing, prints so).
pub(super) fn parse_ips(s: &str) -> Result<Vec<IpAddr>, ParsePlanError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split('/').map(parse_ip).collect()
}

pub(super) fn filter_name(f: SegmentFilter) -> &'static str {
    match f {
        SegmentFilter::Any => "any",
        SegmentFilter::Data => "data",
        SegmentFilter::Syn => "syn",
    }
}

pub(super) fn parse_filter(s: &str) -> Result<SegmentFilter, ParsePlanError> {
    match s {
        "any" => Ok(SegmentFilter::Any),
        "data" => Ok(SegmentFilter::Data),
        "syn" => Ok(SegmentFilter::Syn),
        _ => bad(format!("{s:?} is not a filter (any, data, syn)")),
    }
}

/// A call name for a `stall`: any call the simulator traces.
pub(super) fn parse_call(s: &str) -> Result<&'static str, ParsePlanError> {
    match super::call_names::find(s) {
        Some((c, _)) => Ok(c),
        None => bad(format!("{s:?} is not a call the simulator knows")),
    }
}

/// A call name for a rule that makes the call fail: one that passes the fault seam.
pub(super) fn parse_failable_call(s: &str) -> Result<&'static str, ParsePlanError> {
    match super::call_names::find(s) {
        Some((c, true)) => Ok(c),
        Some((_, false)) => bad(format!(
            "{s:?} does not pass the fault seam: no rule can make it fail (a stall can name it)"
        )),
        None => bad(format!("{s:?} is not a call the simulator knows")),
    }
}

/// A WinSock error by name, as `Debug` prints it, or by number.
pub(crate) fn error_name(e: WsaError) -> String {
    match e {
        WsaError::Other(n) => n.to_string(),
        _ => format!("{e:?}"),
    }
}

pub(super) fn parse_error(s: &str) -> Result<WsaError, ParsePlanError> {
    if let Ok(n) = s.parse::<i32>() {
        return Ok(WsaError::from_code(n));
    }
    match ALL.iter().find(|e| format!("{e:?}") == s) {
        Some(e) => Ok(*e),
        None => bad(format!("{s:?} is not a WinSock error name")),
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            When::Rate { num, den } => write!(f, "rate={num}/{den}"),
            When::At(t) => write!(f, "at={}", Dur(t)),
            When::Nth(n) => write!(f, "nth={n}"),
        }
    }
}

impl FromStr for When {
    type Err = ParsePlanError;
    fn from_str(s: &str) -> Result<When, ParsePlanError> {
        match s.split_once('=') {
            Some(("rate", r)) => parse_ratio(r).map(|(num, den)| When::Rate { num, den }),
            Some(("at", t)) => parse_dur(t).map(When::At),
            Some(("nth", n)) => match n.parse() {
                Ok(n) => Ok(When::Nth(n)),
                Err(_) => bad(format!("{n:?} is not a count")),
            },
            _ => bad(format!("{s:?}: when is rate=N/D, at=DURATION or nth=N")),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("all"),
            Scope::Host(ip) => write!(f, "host={ip}"),
            Scope::Link(a, b) => write!(f, "link={a}>{b}"),
            Scope::Endpoint(sa) => write!(f, "ep={sa}"),
        }
    }
}

impl FromStr for Scope {
    type Err = ParsePlanError;
    fn from_str(s: &str) -> Result<Scope, ParsePlanError> {
        match s.split_once('=') {
            None if s == "all" => Ok(Scope::All),
            Some(("host", ip)) => parse_ip(ip).map(Scope::Host),
            Some(("link", l)) => match l.split_once('>') {
                Some((a, b)) => Ok(Scope::Link(parse_ip(a)?, parse_ip(b)?)),
                None => bad(format!("{l:?}: a link is IP>IP")),
            },
            Some(("ep", sa)) => sa
                .parse::<SocketAddr>()
                .map(Scope::Endpoint)
                .or_else(|_| bad(format!("{sa:?} is not a socket address"))),
            _ => bad(format!(
                "{s:?}: scope is all, host=IP, link=IP>IP or ep=IP:PORT"
            )),
        }
    }
}

impl fmt::Display for SegmentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SegmentAction::Delay(d) => write!(f, "delay={}", Dur(d)),
            SegmentAction::Jitter(d) => write!(f, "jitter={}", Dur(d)),
            SegmentAction::Drop => f.write_str("drop"),
            SegmentAction::Reset => f.write_str("reset"),
            SegmentAction::Duplicate => f.write_str("duplicate"),
            SegmentAction::Reorder(d) => write!(f, "reorder={}", Dur(d)),
        }
    }
}

impl FromStr for SegmentAction {
    type Err = ParsePlanError;
    fn from_str(s: &str) -> Result<SegmentAction, ParsePlanError> {
        match (s, s.split_once('=')) {
            ("drop", _) => Ok(SegmentAction::Drop),
            ("reset", _) => Ok(SegmentAction::Reset),
            ("duplicate", _) => Ok(SegmentAction::Duplicate),
            (_, Some(("delay", d))) => parse_dur(d).map(SegmentAction::Delay),
            (_, Some(("jitter", d))) => parse_dur(d).map(SegmentAction::Jitter),
            (_, Some(("reorder", d))) => parse_dur(d).map(SegmentAction::Reorder),
            _ => bad(format!(
                "{s:?}: action is delay=DURATION, jitter=DURATION, drop, reset, duplicate or reorder=DURATION"
            )),
        }
    }
}

pub(super) fn ips(v: &[IpAddr]) -> String {
    v.iter()
        .map(|ip| ip.to_string())
        .collect::<Vec<_>>()
        .join("/")
}

pub(super) fn opt_dur(d: Option<Duration>) -> String {
    d.map_or("-".to_string(), |d| Dur(d).to_string())
}

pub(super) fn opt_bytes(n: Option<u32>) -> String {
    n.map_or("-".to_string(), |n| n.to_string())
}

pub(super) fn parse_opt_bytes(s: &str) -> Result<Option<u32>, ParsePlanError> {
    match s {
        "-" => Ok(None),
        _ => match s.parse() {
            Ok(n) => Ok(Some(n)),
            Err(_) => bad(format!("{s:?} is not a byte count or -")),
        },
    }
}
