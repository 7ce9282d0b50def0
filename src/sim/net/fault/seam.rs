//! [`FaultSeam`]: the plan with its generator and per-rule counters, giving the verdict on
//! each segment and call. It knows only the plan and what it is shown (no world).

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};

use super::{FaultPlan, FaultRule, Scope, SegmentAction, SegmentFilter, Squeeze, Verdict, When};
use crate::api::WsaError;
use crate::sim::net::segment::{SegKind, Segment};
use crate::sim::runtime::rng::Rng;
use crate::sim::runtime::{sat_nanos, Nanos};

/// The kinds of rule that act on a socket's (or port's) calls rather than on segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SockRule {
    /// [`FaultRule::WouldBlock`].
    WouldBlock,
    /// [`FaultRule::Pend`].
    Pend,
    /// [`FaultRule::Overtake`].
    Overtake,
}

/// The plan plus its own generator and schedule state.
#[derive(Debug)]
pub(crate) struct FaultSeam {
    plan: FaultPlan,
    rng: Rng,
    /// Matching events seen so far, per rule (for `When::Nth`); `u64::MAX` once a scheduled
    /// rule fired.
    seen: Vec<u64>,
    /// Threads of crashed hosts: they never return from their current call.
    pub killed: BTreeSet<usize>,
    /// Buffer squeezes in force (`squeeze`), in the order they began.
    pub squeezes: Vec<Squeeze>,
}

fn filter_matches(filter: SegmentFilter, seg: &Segment) -> bool {
    match filter {
        SegmentFilter::Any => true,
        SegmentFilter::Data => {
            matches!(seg.kind, SegKind::Data { .. } | SegKind::Datagram { .. })
        }
        SegmentFilter::Syn => matches!(seg.kind, SegKind::Syn),
    }
}

/// Whether a segment is within a scope (by its wire addresses).
pub(crate) fn scope_matches(scope: &Scope, seg: &Segment) -> bool {
    match *scope {
        Scope::All => true,
        Scope::Host(ip) => seg.src.ip() == ip || seg.dst.ip() == ip,
        Scope::Link(a, b) => seg.src.ip() == a && seg.dst.ip() == b,
        Scope::Endpoint(sa) => seg.src == sa || seg.dst == sa,
    }
}

/// Whether a rule's scope takes in a host with addresses `host` (`All` or `Host`; the other
/// scopes name connections, never a host's calls).
pub(super) fn host_in_scope(scope: &Scope, host: &[IpAddr]) -> bool {
    match scope {
        Scope::All => true,
        Scope::Host(ip) => host.contains(ip),
        Scope::Link(..) | Scope::Endpoint(_) => false,
    }
}

/// Whether `t` falls in `[from, until)`.
fn within(t: Nanos, from: std::time::Duration, until: Option<std::time::Duration>) -> bool {
    t >= sat_nanos(from) && until.is_none_or(|u| t < sat_nanos(u))
}

impl FaultSeam {
    pub(crate) fn new(plan: FaultPlan, rng: Rng) -> FaultSeam {
        let seen = vec![0; plan.rules.len()];
        FaultSeam {
            plan,
            rng,
            seen,
            killed: BTreeSet::new(),
            squeezes: Vec::new(),
        }
    }

    /// Whether the seam has nothing to do (no rule, no crashed host's thread): the hot paths
    /// skip it then.
    pub(crate) fn idle(&self) -> bool {
        self.plan.rules.is_empty() && self.killed.is_empty()
    }

    /// Whether thread `tid` died with its host (cheap when no host crashed).
    pub(crate) fn is_killed(&self, tid: usize) -> bool {
        !self.killed.is_empty() && self.killed.contains(&tid)
    }

    /// The plan the seam applies.
    pub(crate) fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// Whether a scheduled (`At`/`Nth`) or random rule fires for this matching event.
    fn fires(&mut self, i: usize, when: When, now: Nanos) -> bool {
        match when {
            When::Rate { num, den } => self.rng.chance(num, den),
            When::At(t) => {
                if self.seen[i] == u64::MAX || now < sat_nanos(t) {
                    return false;
                }
                self.seen[i] = u64::MAX;
                true
            }
            When::Nth(n) => {
                if self.seen[i] == u64::MAX {
                    return false;
                }
                self.seen[i] += 1;
                if self.seen[i] >= n {
                    self.seen[i] = u64::MAX;
                    return true;
                }
                false
            }
        }
    }

    /// Whether the plan cuts `src` → `dst` at time `t`: a partition between them, or the
    /// destination host crashed and not yet restarted.
    pub(crate) fn cut(&self, src: IpAddr, dst: IpAddr, t: Nanos) -> Option<&'static str> {
        for rule in &self.plan.rules {
            match rule {
                FaultRule::Partition { a, b, from, until } if within(t, *from, *until) => {
                    let across = (a.contains(&src) && b.contains(&dst))
                        || (b.contains(&src) && a.contains(&dst));
                    if across {
                        return Some("partition");
                    }
                }
                FaultRule::Crash { host, at, restart }
                    if *host == dst && within(t, *at, *restart) =>
                {
                    return Some("host down");
                }
                _ => {}
            }
        }
        None
    }

    /// The verdict for a segment about to go on the wire, and the fault's name.
    pub(crate) fn on_segment(&mut self, seg: &Segment, now: Nanos) -> (Verdict, &'static str) {
        if self.plan.rules.is_empty() {
            return (Verdict::Pass, "");
        }
        if let Some(why) = self.cut(seg.src.ip(), seg.dst.ip(), now) {
            return (Verdict::Drop, why);
        }
        for i in 0..self.plan.rules.len() {
            if !matches!(
                self.plan.rules[i],
                FaultRule::Delay { .. } | FaultRule::Drop { .. } | FaultRule::Segment { .. }
            ) {
                continue;
            }
            match self.plan.rules[i].clone() {
                FaultRule::Delay {
                    filter,
                    num,
                    den,
                    extra,
                } if filter_matches(filter, seg) && self.rng.chance(num, den) => {
                    return (Verdict::Delay(sat_nanos(extra)), "delay");
                }
                FaultRule::Drop { filter, num, den }
                    if filter_matches(filter, seg) && self.rng.chance(num, den) =>
                {
                    return (Verdict::Drop, "drop");
                }
                FaultRule::Segment {
                    when,
                    scope,
                    filter,
                    action,
                } if filter_matches(filter, seg)
                    && scope_matches(&scope, seg)
                    && self.fires(i, when, now) =>
                {
                    return match action {
                        SegmentAction::Delay(d) => (Verdict::Delay(sat_nanos(d)), "delay"),
                        SegmentAction::Jitter(d) => {
                            let max = sat_nanos(d);
                            let extra = self.rng.below(max.saturating_add(1));
                            (Verdict::Delay(extra), "jitter")
                        }
                        SegmentAction::Drop => (Verdict::Drop, "drop"),
                        SegmentAction::Reset => (Verdict::Reset, "reset"),
                        SegmentAction::Duplicate => (Verdict::Duplicate, "duplicate"),
                        SegmentAction::Reorder(d) => (Verdict::Reorder(sat_nanos(d)), "reorder"),
                    };
                }
                _ => {}
            }
        }
        (Verdict::Pass, "")
    }

    /// Whether a retransmission of `seg` at time `t` is lost too: the cut still holds, or a
    /// random drop rule draws it again (scheduled rules fired already).
    pub(crate) fn lost_again(&mut self, seg: &Segment, t: Nanos) -> bool {
        if self.cut(seg.src.ip(), seg.dst.ip(), t).is_some() {
            return true;
        }
        for i in 0..self.plan.rules.len() {
            let lost = match self.plan.rules[i] {
                FaultRule::Drop { filter, num, den } => {
                    filter_matches(filter, seg) && self.rng.chance(num, den)
                }
                FaultRule::Segment {
                    when: When::Rate { num, den },
                    scope,
                    filter,
                    action: SegmentAction::Drop,
                } => {
                    filter_matches(filter, seg)
                        && scope_matches(&scope, seg)
                        && self.rng.chance(num, den)
                }
                _ => false,
            };
            if lost {
                return true;
            }
        }
        false
    }

    /// What the plan does to a name lookup of `name` made on a host with addresses `host`
    /// ([`FaultRule::Resolve`]): the first rule that fires, if any.
    pub(crate) fn on_resolve(
        &mut self,
        name: &str,
        host: &[IpAddr],
        now: Nanos,
    ) -> Option<super::ResolveAction> {
        for i in 0..self.plan.rules.len() {
            let FaultRule::Resolve {
                when,
                scope,
                name: n,
                action,
            } = &self.plan.rules[i]
            else {
                continue;
            };
            let (when, action) = (*when, *action);
            let named = n.as_ref().is_none_or(|n| n.eq_ignore_ascii_case(name));
            if host_in_scope(scope, host) && named && self.fires(i, when, now) {
                return Some(action);
            }
        }
        None
    }

    /// An error to inject into `call` made on a host with addresses `host`, if a rule says so.
    pub(crate) fn on_call(
        &mut self,
        call: &'static str,
        host: &[IpAddr],
        now: Nanos,
    ) -> Option<WsaError> {
        for i in 0..self.plan.rules.len() {
            let rule = match &self.plan.rules[i] {
                r @ (FaultRule::FailCall { .. } | FaultRule::Call { .. }) => r.clone(),
                _ => continue,
            };
            match rule {
                FaultRule::FailCall {
                    call: c,
                    error,
                    num,
                    den,
                } if c == call && self.rng.chance(num, den) => return Some(error),
                FaultRule::Call {
                    when,
                    scope,
                    call: c,
                    error,
                } if c == call && host_in_scope(&scope, host) && self.fires(i, when, now) => {
                    return Some(error)
                }
                _ => {}
            }
        }
        None
    }

    /// How long a thread on a host with addresses `host` is off its processor before it
    /// makes `call`, if a [`FaultRule::Stall`] fires (the first that does).
    pub(crate) fn on_stall(
        &mut self,
        call: &'static str,
        host: &[IpAddr],
        now: Nanos,
    ) -> Option<Nanos> {
        for i in 0..self.plan.rules.len() {
            let FaultRule::Stall {
                when,
                scope,
                call: c,
                pause,
            } = self.plan.rules[i]
            else {
                continue;
            };
            if host_in_scope(&scope, host)
                && c.is_none_or(|c| c == call)
                && self.fires(i, when, now)
            {
                return Some(sat_nanos(pause));
            }
        }
        None
    }

    /// A number below `n`, from the plan's generator.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.rng.below(n)
    }

    /// Which rule of kind `kind` fires (its index) for an event on a host with addresses
    /// `host`, on a socket bound to `local`, connected to `remote`.
    pub(crate) fn on_socket_call(
        &mut self,
        kind: SockRule,
        host: &[IpAddr],
        local: Option<SocketAddr>,
        remote: Option<SocketAddr>,
        now: Nanos,
    ) -> Option<usize> {
        for i in 0..self.plan.rules.len() {
            let (when, scope) = match self.plan.rules[i] {
                FaultRule::WouldBlock { when, scope } if kind == SockRule::WouldBlock => {
                    (when, scope)
                }
                FaultRule::Pend { when, scope } if kind == SockRule::Pend => (when, scope),
                FaultRule::Overtake { when, scope } if kind == SockRule::Overtake => (when, scope),
                _ => continue,
            };
            let within = match scope {
                Scope::All => true,
                Scope::Host(ip) => host.contains(&ip),
                Scope::Link(a, b) => host.contains(&a) && remote.is_some_and(|r| r.ip() == b),
                Scope::Endpoint(sa) => local == Some(sa) || remote == Some(sa),
            };
            if within && self.fires(i, when, now) {
                return Some(i);
            }
        }
        None
    }
}
