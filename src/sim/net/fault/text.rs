//! The plan as text: `Display` writes the one-line form that `FromStr` parses back (`Debug`,
//! Rust code that rebuilds the plan, is in `code`).
//!
//! The one-line form: rules joined by `+` (`none` for no rule), each `name(arg,...)`:
//!
//! | rule | form |
//! |---|---|
//! | [`FaultRule::Delay`] | `delay(data,1/8,500ms)` |
//! | [`FaultRule::Drop`] | `drop(any,1/16)` |
//! | [`FaultRule::FailCall`] | `fail(send,WSAENOBUFS,1/4)` |
//! | [`FaultRule::Segment`] | `seg(nth=3,ep=192.0.2.1:9000,data,reset)`; actions `delay=5ms`, `jitter=5ms`, `drop`, `reset`, `duplicate`, `reorder=5ms` |
//! | [`FaultRule::Call`] | `call(nth=2,host=192.0.2.1,send,WSAENOBUFS)` |
//! | [`FaultRule::Reset`] | `reset(all,2s)` |
//! | [`FaultRule::Partition`] | `partition(192.0.2.1,192.0.2.2/192.0.2.3,1s,5s)` (`-`: never heals) |
//! | [`FaultRule::Crash`] | `crash(192.0.2.1,1s,-)` (`-`: never restarts) |
//! | [`FaultRule::Resolve`] | `resolve(nth=1,host=192.0.2.1,db,fail=WSATRY_AGAIN)`, `resolve(rate=1/2,all,*,delay=2s)` |
//! | [`FaultRule::Squeeze`] | `squeeze(host=192.0.2.1,1s,2s,0,-)`: scope, from, until, send bytes, receive bytes (`-`: never heals / not squeezed) |
//! | [`FaultRule::WouldBlock`] | `wouldblock(nth=3,all)` |
//! | [`FaultRule::Pend`] | `pend(rate=1/2,host=192.0.2.1)` |
//! | [`FaultRule::Overtake`] | `overtake(rate=1/2,all)` |
//! | [`FaultRule::Stall`] | `stall(rate=1/8,all,*,2ms)`, `stall(nth=3,host=192.0.2.1,WSAResetEvent,5ms)` (`*`: any call) |
//! | [`FaultRule::Uptime`] | `uptime(all,4294900s)`, `uptime(host=192.0.2.1,3600s)`: scope, time up when the run began |
//! | [`FaultRule::ClockJump`] | `clock(all,500ms,forward=10s)`, `clock(host=192.0.2.1,2s,back=1500ms)`: scope, when, the shift |
//!
//! When: `rate=1/16`, `at=2s`, `nth=3`. Scope: `all`, `host=IP`, `link=IP>IP`, `ep=IP:PORT`
//! (`ep=[v6]:PORT`). Filters: `any`, `data`, `syn`. Durations: an integer with `ns`, `us`, `ms`
//! or `s`. Errors: the WinSock name or the number.

use std::fmt;
use std::str::FromStr;

use super::text_args::{
    bad, error_name, filter_name, ips, opt_bytes, opt_dur, parse_call, parse_dur, parse_error,
    parse_failable_call, parse_filter, parse_ip, parse_ips, parse_opt_bytes, parse_opt_dur,
    parse_ratio, parse_shift, Dur, ParsePlanError, Shift,
};
use super::{FaultPlan, FaultRule, Scope, When};

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultRule::Delay {
                filter,
                num,
                den,
                extra,
            } => write!(
                f,
                "delay({},{num}/{den},{})",
                filter_name(*filter),
                Dur(*extra)
            ),
            FaultRule::Drop { filter, num, den } => {
                write!(f, "drop({},{num}/{den})", filter_name(*filter))
            }
            FaultRule::FailCall {
                call,
                error,
                num,
                den,
            } => write!(f, "fail({call},{},{num}/{den})", error_name(*error)),
            FaultRule::Segment {
                when,
                scope,
                filter,
                action,
            } => write!(f, "seg({when},{scope},{},{action})", filter_name(*filter)),
            FaultRule::Call {
                when,
                scope,
                call,
                error,
            } => write!(f, "call({when},{scope},{call},{})", error_name(*error)),
            FaultRule::Reset { at, scope } => write!(f, "reset({scope},{})", Dur(*at)),
            FaultRule::Partition { a, b, from, until } => write!(
                f,
                "partition({},{},{},{})",
                ips(a),
                ips(b),
                Dur(*from),
                opt_dur(*until)
            ),
            FaultRule::Crash { host, at, restart } => {
                write!(f, "crash({host},{},{})", Dur(*at), opt_dur(*restart))
            }
            FaultRule::Resolve {
                when,
                scope,
                name,
                action,
            } => resolve_display(f, when, scope, name, action),
            FaultRule::Squeeze {
                scope,
                from,
                until,
                send,
                recv,
            } => write!(
                f,
                "squeeze({scope},{},{},{},{})",
                Dur(*from),
                opt_dur(*until),
                opt_bytes(*send),
                opt_bytes(*recv)
            ),
            FaultRule::WouldBlock { when, scope } => write!(f, "wouldblock({when},{scope})"),
            FaultRule::Pend { when, scope } => write!(f, "pend({when},{scope})"),
            FaultRule::Overtake { when, scope } => write!(f, "overtake({when},{scope})"),
            FaultRule::Stall {
                when,
                scope,
                call,
                pause,
            } => write!(
                f,
                "stall({when},{scope},{},{})",
                call.unwrap_or("*"),
                Dur(*pause)
            ),
            FaultRule::ClockJump {
                at,
                scope,
                shift_ms,
            } => write!(f, "clock({scope},{},{})", Dur(*at), Shift(*shift_ms)),
            FaultRule::Uptime { scope, uptime } => write!(f, "uptime({scope},{})", Dur(*uptime)),
        }
    }
}

impl FromStr for FaultRule {
    type Err = ParsePlanError;
    fn from_str(s: &str) -> Result<FaultRule, ParsePlanError> {
        let s = s.trim();
        let Some((name, rest)) = s.split_once('(') else {
            return bad(format!("{s:?}: a rule is name(args)"));
        };
        let Some(args) = rest.strip_suffix(')') else {
            return bad(format!("{s:?}: missing ')'"));
        };
        let a: Vec<&str> = args.split(',').map(str::trim).collect();
        let want = |n: usize| -> Result<(), ParsePlanError> {
            if a.len() == n {
                Ok(())
            } else {
                bad(format!("{s:?}: {name} takes {n} arguments"))
            }
        };
        Ok(match name {
            "delay" => {
                want(3)?;
                let (num, den) = parse_ratio(a[1])?;
                FaultRule::Delay {
                    filter: parse_filter(a[0])?,
                    num,
                    den,
                    extra: parse_dur(a[2])?,
                }
            }
            "drop" => {
                want(2)?;
                let (num, den) = parse_ratio(a[1])?;
                FaultRule::Drop {
                    filter: parse_filter(a[0])?,
                    num,
                    den,
                }
            }
            "fail" => {
                want(3)?;
                let (num, den) = parse_ratio(a[2])?;
                FaultRule::FailCall {
                    call: parse_failable_call(a[0])?,
                    error: parse_error(a[1])?,
                    num,
                    den,
                }
            }
            "seg" => {
                want(4)?;
                FaultRule::Segment {
                    when: a[0].parse()?,
                    scope: a[1].parse()?,
                    filter: parse_filter(a[2])?,
                    action: a[3].parse()?,
                }
            }
            "call" => {
                want(4)?;
                FaultRule::Call {
                    when: a[0].parse()?,
                    scope: a[1].parse()?,
                    call: parse_failable_call(a[2])?,
                    error: parse_error(a[3])?,
                }
            }
            "uptime" => {
                want(2)?;
                FaultRule::Uptime {
                    scope: a[0].parse()?,
                    uptime: parse_dur(a[1])?,
                }
            }
            "clock" => {
                want(3)?;
                FaultRule::ClockJump {
                    scope: a[0].parse()?,
                    at: parse_dur(a[1])?,
                    shift_ms: parse_shift(a[2])?,
                }
            }
            "reset" => {
                want(2)?;
                FaultRule::Reset {
                    scope: a[0].parse()?,
                    at: parse_dur(a[1])?,
                }
            }
            "partition" => {
                want(4)?;
                FaultRule::Partition {
                    a: parse_ips(a[0])?,
                    b: parse_ips(a[1])?,
                    from: parse_dur(a[2])?,
                    until: parse_opt_dur(a[3])?,
                }
            }
            "crash" => {
                want(3)?;
                FaultRule::Crash {
                    host: parse_ip(a[0])?,
                    at: parse_dur(a[1])?,
                    restart: parse_opt_dur(a[2])?,
                }
            }
            "resolve" => resolve_parse(&a)?,
            "squeeze" => {
                want(5)?;
                FaultRule::Squeeze {
                    scope: a[0].parse()?,
                    from: parse_dur(a[1])?,
                    until: parse_opt_dur(a[2])?,
                    send: parse_opt_bytes(a[3])?,
                    recv: parse_opt_bytes(a[4])?,
                }
            }
            "wouldblock" => {
                want(2)?;
                FaultRule::WouldBlock {
                    when: a[0].parse()?,
                    scope: a[1].parse()?,
                }
            }
            "overtake" => {
                want(2)?;
                FaultRule::Overtake {
                    when: a[0].parse()?,
                    scope: a[1].parse()?,
                }
            }
            "pend" => {
                want(2)?;
                FaultRule::Pend {
                    when: a[0].parse()?,
                    scope: a[1].parse()?,
                }
            }
            "stall" => {
                want(4)?;
                FaultRule::Stall {
                    when: a[0].parse()?,
                    scope: a[1].parse()?,
                    call: match a[2] {
                        "*" => None,
                        c => Some(parse_call(c)?),
                    },
                    pause: parse_dur(a[3])?,
                }
            }
            _ => return bad(format!("{name:?} is not a rule")),
        })
    }
}

impl fmt::Display for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rules.is_empty() {
            return f.write_str("none");
        }
        for (i, r) in self.rules.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl FromStr for FaultPlan {
    type Err = ParsePlanError;
    /// Parses the one-line form (see the module doc); `none` or an empty string is no fault.
    fn from_str(s: &str) -> Result<FaultPlan, ParsePlanError> {
        let s = s.trim();
        if s.is_empty() || s == "none" {
            return Ok(FaultPlan::none());
        }
        let rules = s.split('+').map(str::parse).collect::<Result<_, _>>()?;
        Ok(FaultPlan { rules })
    }
}

/// The one-line form of a resolve rule.
fn resolve_display(
    f: &mut fmt::Formatter<'_>,
    when: &When,
    scope: &Scope,
    name: &Option<String>,
    action: &super::ResolveAction,
) -> fmt::Result {
    let name = name.as_deref().unwrap_or("*");
    match action {
        super::ResolveAction::Delay(d) => {
            write!(f, "resolve({when},{scope},{name},delay={})", Dur(*d))
        }
        super::ResolveAction::Fail(e) => {
            write!(f, "resolve({when},{scope},{name},fail={})", error_name(*e))
        }
    }
}

/// Parses the arguments of `resolve(..)`.
fn resolve_parse(a: &[&str]) -> Result<FaultRule, ParsePlanError> {
    let [when, scope, name, action] = a else {
        return Err(ParsePlanError("resolve takes 4 arguments".into()));
    };
    let name = match *name {
        "*" => None,
        n if super::resolve::valid_name(n) => Some(n.to_string()),
        n => return Err(ParsePlanError(format!("{n:?} is not a host name or *"))),
    };
    let action = match action.split_once('=') {
        Some(("delay", d)) => super::ResolveAction::Delay(parse_dur(d)?),
        Some(("fail", e)) => super::ResolveAction::Fail(parse_error(e)?),
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
