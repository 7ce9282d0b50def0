//! The fault seam: one place that sees every delivery and every call and may act on it,
//! deterministically, from the seed's "faults" generator.
//!
//! A [`FaultPlan`] is a list of rules; each rule gives a verdict on a segment (pass, delay,
//! drop) or on a call (pass, fail with an error). The first rule that does not pass wins.
//! Dropped TCP segments are retransmitted by the model after a retransmission timeout, so a
//! drop shows up as delay (as it does on a real network) except for SYNs, whose loss leads to
//! the connect timeout.

use std::time::Duration;

use crate::api::WsaError;
use crate::sim::net::segment::{SegKind, Segment};
use crate::sim::runtime::rng::Rng;
use crate::sim::runtime::{sat_nanos, Nanos};

/// What a rule decides for one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Deliver normally.
    Pass,
    /// Deliver after this much extra delay (nanoseconds).
    Delay(u64),
    /// Lose the segment.
    Drop,
}

/// Which segments a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentFilter {
    /// Every segment.
    Any,
    /// Segments carrying payload (TCP data and UDP datagrams).
    Data,
    /// Connection requests (SYN).
    Syn,
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultRule {
    /// With probability `num/den`, add `extra` latency to matching segments.
    Delay {
        /// Which segments.
        filter: SegmentFilter,
        /// Probability numerator.
        num: u64,
        /// Probability denominator.
        den: u64,
        /// Extra latency.
        extra: Duration,
    },
    /// With probability `num/den`, drop matching segments.
    Drop {
        /// Which segments.
        filter: SegmentFilter,
        /// Probability numerator.
        num: u64,
        /// Probability denominator.
        den: u64,
    },
    /// With probability `num/den`, make the named call (e.g. `"send"`) fail with `error`
    /// before it has any effect, as when Windows runs out of buffers (WSAENOBUFS).
    FailCall {
        /// The call's name as in the trace (`"send"`, `"recv"`, `"accept"`, ...).
        call: &'static str,
        /// The error to return.
        error: WsaError,
        /// Probability numerator.
        num: u64,
        /// Probability denominator.
        den: u64,
    },
}

/// A list of fault rules, applied in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// The rules.
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// No faults.
    pub fn none() -> FaultPlan {
        FaultPlan::default()
    }

    /// Adds a rule.
    pub fn with(mut self, rule: FaultRule) -> FaultPlan {
        self.rules.push(rule);
        self
    }

    /// A proptest strategy for plans a correct TCP program must survive: extra latency and
    /// lost segments (which TCP retransmits) on data or on every segment, at drawn rates.
    /// Shrinks towards fewer rules, lower rates and smaller delays.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::FaultPlan;
    /// let mut runner = TestRunner::deterministic();
    /// let plan = FaultPlan::tcp_strategy().new_tree(&mut runner).unwrap().current();
    /// assert!(plan.rules.len() <= 3);
    /// ```
    pub fn tcp_strategy() -> impl proptest::strategy::Strategy<Value = FaultPlan> {
        use proptest::prelude::*;
        let filter = prop_oneof![Just(SegmentFilter::Data), Just(SegmentFilter::Any)];
        let rule = prop_oneof![
            (filter.clone(), 1u64..=4, 0u64..=500).prop_map(|(filter, num, ms)| {
                FaultRule::Delay {
                    filter,
                    num,
                    den: 8,
                    extra: Duration::from_millis(ms),
                }
            }),
            (filter, 1u64..=2).prop_map(|(filter, num)| FaultRule::Drop {
                filter,
                num,
                den: 16,
            }),
        ];
        proptest::collection::vec(rule, 0..=3).prop_map(|rules| FaultPlan { rules })
    }
}

/// The plan plus its own generator.
#[derive(Debug)]
pub(crate) struct FaultSeam {
    plan: FaultPlan,
    rng: Rng,
}

impl FaultSeam {
    pub(crate) fn new(plan: FaultPlan, rng: Rng) -> FaultSeam {
        FaultSeam { plan, rng }
    }

    /// The plan the seam applies.
    pub(crate) fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    fn matches(filter: SegmentFilter, seg: &Segment) -> bool {
        match filter {
            SegmentFilter::Any => true,
            SegmentFilter::Data => {
                matches!(seg.kind, SegKind::Data { .. } | SegKind::Datagram { .. })
            }
            SegmentFilter::Syn => matches!(seg.kind, SegKind::Syn),
        }
    }

    /// The verdict for a segment about to go on the wire.
    pub(crate) fn on_segment(&mut self, seg: &Segment, _now: Nanos) -> Verdict {
        if self.plan.rules.is_empty() {
            return Verdict::Pass;
        }
        for rule in &self.plan.rules {
            match *rule {
                FaultRule::Delay {
                    filter,
                    num,
                    den,
                    extra,
                } if Self::matches(filter, seg) && self.rng.chance(num, den) => {
                    return Verdict::Delay(sat_nanos(extra));
                }
                FaultRule::Drop { filter, num, den }
                    if Self::matches(filter, seg) && self.rng.chance(num, den) =>
                {
                    return Verdict::Drop;
                }
                _ => {}
            }
        }
        Verdict::Pass
    }

    /// An error to inject into `call`, if a rule says so.
    pub(crate) fn on_call(&mut self, call: &'static str) -> Option<WsaError> {
        for rule in &self.plan.rules {
            if let FaultRule::FailCall {
                call: c,
                error,
                num,
                den,
            } = *rule
            {
                if c == call && self.rng.chance(num, den) {
                    return Some(error);
                }
            }
        }
        None
    }
}
