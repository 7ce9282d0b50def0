//! proptest strategies for fault plans: one per family, a tcp-safe one (a correct TCP program
//! survives it) and a hostile one (resets, partitions, crashes, failing calls, UDP faults). Every strategy
//! shrinks toward fewer rules (collections shrink by dropping elements), later faults (times
//! and counts shrink toward their upper end) and milder ones (rates and delays shrink
//! toward the lower end).

use std::net::IpAddr;
use std::time::Duration;

use proptest::prelude::*;

use super::{FaultPlan, FaultRule, Scope, SegmentAction, SegmentFilter, When};
use crate::api::system_time::SystemTime;
use crate::api::WsaError;

/// A value in `lo..=hi` that shrinks toward `hi` (a later time, a later call).
fn late(lo: u64, hi: u64) -> impl Strategy<Value = u64> {
    (0..=hi - lo).prop_map(move |d| hi - d)
}

fn filter() -> impl Strategy<Value = SegmentFilter> {
    prop_oneof![Just(SegmentFilter::Data), Just(SegmentFilter::Any)]
}

/// Scheduled or random; shrinks toward a late one-shot.
fn when(max_ms: u64, max_nth: u64) -> impl Strategy<Value = When> {
    prop_oneof![
        late(1, max_nth).prop_map(When::Nth),
        late(0, max_ms).prop_map(|ms| When::At(Duration::from_millis(ms))),
        (1u64..=2).prop_map(|num| When::Rate { num, den: 64 }),
    ]
}

/// The denominator of every drop rule's rate the strategies draw.
const DROP_DEN: u64 = 32;

/// The combined loss rate [`FaultPlan::tcp_strategy`] allows, in `DROP_DEN`ths: 1 in 16.
const TCP_LOSS_BUDGET: u64 = DROP_DEN / 16;

/// `rules` without the drop rules that would take their combined rate (the sum of their
/// rates, at least the chance that one of them drops a given segment) past
/// [`TCP_LOSS_BUDGET`], in order: the first rules are kept. Every drop rule here has the
/// strategies' denominator, [`DROP_DEN`], so the rates add as their numerators.
fn within_loss_budget(rules: Vec<FaultRule>) -> Vec<FaultRule> {
    let mut spent = 0;
    rules
        .into_iter()
        .filter(|r| {
            let FaultRule::Drop { num, den, .. } = *r else {
                return true;
            };
            debug_assert_eq!(den, DROP_DEN, "a drop rule of the strategies");
            let fits = spent + num <= TCP_LOSS_BUDGET;
            if fits {
                spent += num;
            }
            fits
        })
        .collect()
}

fn plan_of(rule: impl Strategy<Value = FaultRule>, max: usize) -> impl Strategy<Value = FaultPlan> {
    proptest::collection::vec(rule, 0..=max).prop_map(|rules| FaultPlan { rules })
}

impl FaultPlan {
    /// A proptest strategy for plans a correct TCP program must survive: extra latency and
    /// lost segments (which TCP retransmits) on data or on every segment, at drawn rates.
    /// Shrinks towards fewer rules, lower rates and smaller delays.
    ///
    /// The drop rules of a plan lose a segment at a combined rate of at most 1 in 16 (a rule
    /// that would take it past that is left out): Windows gives a connection up when one
    /// segment is lost six times in a row (the first send and `TcpMaxDataRetransmissions`
    /// = 5 retransmissions), which at that rate happens at most once in 17 million segments.
    /// That is rare, not never: a property run over hundreds of thousands of cases should
    /// accept a connection given up (WSAETIMEDOUT, after the trace's "connection given up")
    /// as `tests/faults.rs` does. (Three rules of 2 in 32 each, which the strategy drew
    /// before the bound, lose 1 in 6: one case in 3,000 had a connection given up.)
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::FaultPlan;
    /// let mut runner = TestRunner::deterministic();
    /// let plan = FaultPlan::tcp_strategy().new_tree(&mut runner).unwrap().current();
    /// assert!(plan.rules.len() <= 3);
    /// ```
    pub fn tcp_strategy() -> impl Strategy<Value = FaultPlan> {
        let rule = prop_oneof![Self::delay_rule(), Self::drop_rule()];
        plan_of(rule, 3).prop_map(|plan| FaultPlan {
            rules: within_loss_budget(plan.rules),
        })
    }

    fn delay_rule() -> impl Strategy<Value = FaultRule> {
        (filter(), 1u64..=4, 0u64..=500).prop_map(|(filter, num, ms)| FaultRule::Delay {
            filter,
            num,
            den: 8,
            extra: Duration::from_millis(ms),
        })
    }

    fn drop_rule() -> impl Strategy<Value = FaultRule> {
        (filter(), 1u64..=2).prop_map(|(filter, num)| FaultRule::Drop {
            filter,
            num,
            den: DROP_DEN,
        })
    }

    /// Latency only: fixed extra delays at a rate, or jitter (uniform extra delay up to a
    /// drawn bound) on every data segment or every segment; up to 3 rules.
    pub fn delay_strategy() -> impl Strategy<Value = FaultPlan> {
        let jitter = (filter(), 0u64..=200).prop_map(|(filter, ms)| FaultRule::Segment {
            when: When::Rate { num: 1, den: 1 },
            scope: Scope::All,
            filter,
            action: SegmentAction::Jitter(Duration::from_millis(ms)),
        });
        plan_of(prop_oneof![Self::delay_rule(), jitter], 3)
    }

    /// Losses only (the retransmission family): up to 3 rules, with no bound on their
    /// combined rate (unlike [`FaultPlan::tcp_strategy`]'s): at the highest, 1 in 6 segments
    /// lost, a segment is lost six times in a row and its connection given up (WSAETIMEDOUT)
    /// about once in 34,000 segments.
    pub fn loss_strategy() -> impl Strategy<Value = FaultPlan> {
        plan_of(Self::drop_rule(), 3)
    }

    /// Connection resets among `hosts`: one reset at a drawn moment (up to `max_ms`), or of
    /// the n-th data segment, in all or one host's connections.
    pub fn reset_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        let rule = (scope(hosts), when(max_ms, 200), any::<bool>()).prop_map(
            |(scope, when, timed)| match (timed, when) {
                (true, When::At(at)) => FaultRule::Reset { at, scope },
                _ => FaultRule::Segment {
                    when,
                    scope,
                    filter: SegmentFilter::Data,
                    action: SegmentAction::Reset,
                },
            },
        );
        plan_of(rule, 1)
    }

    /// A partition of `hosts` into two sides, from a drawn moment for a drawn time (healing
    /// within `max_ms`, or never).
    pub fn partition_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        let n = hosts.len().max(1);
        let rule = (
            1..n.max(2),
            late(0, max_ms),
            1u64..=max_ms.max(1),
            any::<bool>(),
        )
            .prop_map(move |(cut, from, len, heals)| {
                let cut = cut.min(hosts.len());
                FaultRule::Partition {
                    a: hosts[..cut].to_vec(),
                    b: hosts[cut..].to_vec(),
                    from: Duration::from_millis(from),
                    until: heals.then(|| Duration::from_millis(from.saturating_add(len))),
                }
            });
        plan_of(rule, 1)
    }

    /// A crash of one of `hosts` at a drawn moment, restarting or not.
    pub fn crash_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        let n = hosts.len().max(1);
        let rule = (
            0..n,
            late(0, max_ms),
            proptest::option::of(1u64..=max_ms.max(1)),
        )
            .prop_filter_map("a host", move |(i, at, back)| {
                Some(FaultRule::Crash {
                    host: *hosts.get(i)?,
                    at: Duration::from_millis(at),
                    restart: back.map(|b| Duration::from_millis(at.saturating_add(b))),
                })
            });
        plan_of(rule, 1)
    }

    /// Calls failing with WSAENOBUFS (the n-th `send`, `recv` or `accept`, or at a small rate).
    pub fn call_strategy() -> impl Strategy<Value = FaultPlan> {
        let call = prop_oneof![Just("send"), Just("recv"), Just("accept")];
        let rule = (call, when(10_000, 50)).prop_map(|(call, when)| FaultRule::Call {
            when,
            scope: Scope::All,
            call,
            error: WsaError::WSAENOBUFS,
        });
        plan_of(rule, 2)
    }

    /// UDP's faults: datagrams lost, duplicated, delayed or reordered, at small rates or once.
    pub fn udp_strategy() -> impl Strategy<Value = FaultPlan> {
        let action = prop_oneof![
            Just(SegmentAction::Duplicate),
            Just(SegmentAction::Drop),
            (0u64..=50).prop_map(|ms| SegmentAction::Delay(Duration::from_millis(ms))),
            (0u64..=50).prop_map(|ms| SegmentAction::Jitter(Duration::from_millis(ms))),
            (0u64..=50).prop_map(|ms| SegmentAction::Reorder(Duration::from_millis(ms))),
        ];
        let rule = (when(10_000, 50), action).prop_map(|(when, action)| FaultRule::Segment {
            when,
            scope: Scope::All,
            filter: SegmentFilter::Data,
            action,
        });
        plan_of(rule, 2)
    }

    /// Buffer squeezes among `hosts` (the resource family): one window, starting within
    /// `max_ms` and healing within `max_ms` after, in all or one host's sockets, squeezing the
    /// send buffer (to 0..=64 KiB), the receive buffer (to 0..=64 KiB, never below one
    /// segment) or both. Shrinks toward later, shorter and milder (larger) squeezes.
    pub fn squeeze_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        let bytes = || proptest::option::of(late(0, 64 * 1024).prop_map(|n| n as u32));
        let rule = (
            scope(hosts),
            late(0, max_ms),
            1u64..=max_ms.max(1),
            bytes(),
            bytes(),
        )
            .prop_map(|(scope, from, len, send, recv)| FaultRule::Squeeze {
                scope,
                from: Duration::from_millis(from),
                until: Some(Duration::from_millis(from.saturating_add(len))),
                // Squeeze something: the send buffer when neither was drawn.
                send: if send.is_none() && recv.is_none() {
                    Some(64 * 1024)
                } else {
                    send
                },
                recv,
            });
        plan_of(rule, 1)
    }

    /// WSAEWOULDBLOCK from a nonblocking send that select/FD_WRITE just called writable (the
    /// API family): up to 2 rules, the n-th nonblocking send (n ≤ 20) or at a small rate.
    /// Blocking sockets are never touched, so a correct program of either kind survives.
    pub fn would_block_strategy() -> impl Strategy<Value = FaultPlan> {
        let rule = prop_oneof![
            late(1, 20).prop_map(When::Nth),
            (1u64..=8).prop_map(|num| When::Rate { num, den: 64 }),
        ]
        .prop_map(|when| FaultRule::WouldBlock {
            when,
            scope: Scope::All,
        });
        plan_of(rule, 2)
    }

    /// Overlapped calls that would complete at once pending instead (the API family): up to
    /// 2 rules, the n-th such call (n ≤ 20) or at a rate up to 1/2.
    pub fn pend_strategy() -> impl Strategy<Value = FaultPlan> {
        let rule = prop_oneof![
            late(1, 20).prop_map(When::Nth),
            (1u64..=32).prop_map(|num| When::Rate { num, den: 64 }),
        ]
        .prop_map(|when| FaultRule::Pend {
            when,
            scope: Scope::All,
        });
        plan_of(rule, 2)
    }

    /// Completion packets overtaking packets of other keys (the API family): up to 2 rules,
    /// the n-th packet that could overtake (n ≤ 20) or at a rate up to 1/2.
    pub fn overtake_strategy() -> impl Strategy<Value = FaultPlan> {
        let rule = prop_oneof![
            late(1, 20).prop_map(When::Nth),
            (1u64..=32).prop_map(|num| When::Rate { num, den: 64 }),
        ]
        .prop_map(|when| FaultRule::Overtake {
            when,
            scope: Scope::All,
        });
        plan_of(rule, 2)
    }

    /// Threads taken off their processor before a call ([`FaultRule::Stall`]): up to 2
    /// rules, before the n-th call (n ≤ 50) or at a rate up to 1/8, for 1 to 20 ms. Shrinks
    /// towards fewer rules, later calls, lower rates and shorter pauses. A correct program
    /// survives any of them (Windows may deschedule a thread anywhere); one with a race
    /// between a check and the wait after it does not.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::fault::FaultRule;
    /// use winsock_sim::sim::FaultPlan;
    /// let mut runner = TestRunner::deterministic();
    /// let plan = FaultPlan::stall_strategy().new_tree(&mut runner).unwrap().current();
    /// assert!(plan.rules.iter().all(|r| matches!(r, FaultRule::Stall { .. })));
    /// ```
    pub fn stall_strategy() -> impl Strategy<Value = FaultPlan> {
        let when = prop_oneof![
            late(1, 50).prop_map(When::Nth),
            (1u64..=8).prop_map(|num| When::Rate { num, den: 64 }),
        ];
        let rule = (when, 1u64..=20).prop_map(|(when, ms)| FaultRule::Stall {
            when,
            scope: Scope::All,
            call: None,
            pause: Duration::from_millis(ms),
        });
        plan_of(rule, 2)
    }

    /// System clock changes among `hosts` ([`FaultRule::ClockJump`]): up to 2, at drawn
    /// moments (up to `max_ms`), of every host's clock or one's, forward or back by up to an
    /// hour. A program that times its waits in milliseconds (or with `GetTickCount`) does
    /// not notice them; one that measures intervals with `GetSystemTimeAsFileTime`, or
    /// sets absolute due times, does. Shrinks towards fewer jumps, later ones and smaller
    /// shifts forward.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::fault::FaultRule;
    /// use winsock_sim::sim::FaultPlan;
    /// let hosts = vec!["192.0.2.1".parse().unwrap()];
    /// let mut runner = TestRunner::deterministic();
    /// let plan = FaultPlan::clock_strategy(hosts, 5_000).new_tree(&mut runner).unwrap().current();
    /// assert!(plan.rules.iter().all(|r| matches!(r, FaultRule::ClockJump { .. })));
    /// ```
    pub fn clock_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        let rule = (
            scope(hosts),
            late(0, max_ms),
            1i64..=3_600_000,
            any::<bool>(),
        )
            .prop_map(|(scope, at, ms, back)| FaultRule::ClockJump {
                at: Duration::from_millis(at),
                scope,
                shift_ms: if back { -ms } else { ms },
            });
        plan_of(rule, 2)
    }

    /// Machines up for a while ([`FaultRule::Uptime`]) among `hosts`: at most one rule, of
    /// every host or one, most often with the tick count due to wrap within the run's first
    /// `max_ms` (2^32 ms, 49.7 days, of uptime), else up to 100 days. A program that compares
    /// `GetTickCount` values with `<` (a deadline `start + timeout` that wrapped past 0)
    /// breaks at the wrap; one that subtracts (`now.wrapping_sub(start) >= timeout`) does
    /// not. Shrinks towards no rule and, for a wrap, towards the latest one.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::fault::FaultRule;
    /// use winsock_sim::sim::FaultPlan;
    /// let hosts = vec!["192.0.2.1".parse().unwrap()];
    /// let mut runner = TestRunner::deterministic();
    /// let plan = FaultPlan::uptime_strategy(hosts, 5_000).new_tree(&mut runner).unwrap().current();
    /// assert!(plan.rules.iter().all(|r| matches!(r, FaultRule::Uptime { .. })));
    /// ```
    pub fn uptime_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        const WRAP_MS: u64 = 1 << 32;
        let uptime_ms = prop_oneof![
            3 => late(0, max_ms.min(WRAP_MS)).prop_map(|before| WRAP_MS - before),
            1 => 0u64..=100 * 86_400_000,
        ];
        let rule = (scope(hosts), uptime_ms).prop_map(|(scope, ms)| FaultRule::Uptime {
            scope,
            uptime: Duration::from_millis(ms),
        });
        plan_of(rule, 1)
    }

    /// The instants [`FaultPlan::calendar_strategy`] sets clocks just before (UTC), most
    /// common first: the end of 2026, of January and February 2027, the start and end of
    /// 29 February 2028, the end of 2028, and 2^31 seconds after 1970.
    pub const CALENDAR_BOUNDARIES: [SystemTime; 7] = [
        SystemTime::new(2027, 1, 1, 0, 0, 0, 0),
        SystemTime::new(2027, 2, 1, 0, 0, 0, 0),
        SystemTime::new(2027, 3, 1, 0, 0, 0, 0),
        SystemTime::new(2028, 2, 29, 0, 0, 0, 0),
        SystemTime::new(2028, 3, 1, 0, 0, 0, 0),
        SystemTime::new(2029, 1, 1, 0, 0, 0, 0),
        SystemTime::new(2038, 1, 19, 3, 14, 8, 0),
    ];

    /// A machine's system clock set, early in the run, to just before a calendar boundary
    /// ([`FaultRule::ClockJump`]) among `hosts`, so that the date rolls over within the run's
    /// first `max_ms`: the end of a year, of January, of February in a common year, the start
    /// of a leap day (29 February 2028) and its end, the end of a leap year, and 2038-01-19
    /// 03:14:08 UTC, where seconds since 1970 pass 2^31 (a 32-bit `time_t`). What breaks
    /// there is date arithmetic: a year added to 29 February (a date `SystemTimeToFileTime`
    /// refuses), a day added without carrying into the month, a time stamp squeezed into 32
    /// bits. At most one rule; shrinks towards none, the first boundaries of the list, a later
    /// setting and a shorter lead. (The shift assumes the clock has not been set before in the
    /// run; with other clock rules the boundary moves by theirs.)
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::fault::FaultRule;
    /// use winsock_sim::sim::FaultPlan;
    /// let mut runner = TestRunner::deterministic();
    /// let plan = FaultPlan::calendar_strategy(Vec::new(), 5_000).new_tree(&mut runner).unwrap().current();
    /// assert!(plan.rules.iter().all(|r| matches!(r, FaultRule::ClockJump { .. })));
    /// ```
    pub fn calendar_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        use crate::api::waitable_timer::SIM_EPOCH_FILETIME;
        let boundaries: Vec<u64> = Self::CALENDAR_BOUNDARIES
            .iter()
            // Valid dates (`tests/calendar.rs` checks every plan lands before one).
            .map(|st| st.to_file_time().unwrap_or(SIM_EPOCH_FILETIME) / 10_000)
            .collect();
        let half = (max_ms / 2).max(1);
        let rule = (
            scope(hosts),
            late(0, half),
            proptest::sample::select(boundaries),
            1..=half,
        )
            .prop_map(|(scope, at, boundary_ms, lead_ms)| {
                // In i128: a horizon near u64::MAX takes the setting far past the boundary.
                let now_ms = i128::from(SIM_EPOCH_FILETIME / 10_000) + i128::from(at);
                let shift = i128::from(boundary_ms) - i128::from(lead_ms) - now_ms;
                FaultRule::ClockJump {
                    at: Duration::from_millis(at),
                    scope,
                    shift_ms: shift.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
                }
            });
        plan_of(rule, 1)
    }

    /// Everything a correct program must survive, at once: [`FaultPlan::tcp_strategy`]'s
    /// delays and losses, WSAEWOULDBLOCK right after FD_WRITE, overlapped calls pending
    /// instead of completing at once, completion packets overtaking those of other keys,
    /// threads stalled before a call, and every host's system clock set forward or back and
    /// tick count wrapping within the first 20 s ([`FaultPlan::clock_strategy`],
    /// [`FaultPlan::uptime_strategy`]), a date rolling over a calendar boundary
    /// ([`FaultPlan::calendar_strategy`]). Each is something Windows itself, or the machine's
    /// administration, may do to a program with no fault of the network's own beyond delay
    /// and loss, so a failure under it is a bug of the program (or the one failure
    /// `tcp_strategy` documents: a connection given up after a segment was lost six times).
    /// Shrinks as its parts do.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::FaultPlan;
    /// let mut runner = TestRunner::deterministic();
    /// let plan = FaultPlan::survivable_strategy().new_tree(&mut runner).unwrap().current();
    /// assert!(plan.rules.len() <= 15);
    /// ```
    pub fn survivable_strategy() -> impl Strategy<Value = FaultPlan> {
        (
            Self::tcp_strategy(),
            Self::would_block_strategy(),
            Self::pend_strategy(),
            Self::overtake_strategy(),
            Self::stall_strategy(),
            Self::clock_strategy(Vec::new(), 20_000),
            Self::uptime_strategy(Vec::new(), 20_000),
            Self::calendar_strategy(Vec::new(), 20_000),
        )
            .prop_map(|(a, b, c, d, e, f, g, h)| FaultPlan {
                rules: [
                    a.rules, b.rules, c.rules, d.rules, e.rules, f.rules, g.rules, h.rules,
                ]
                .concat(),
            })
    }

    /// Everything at once among `hosts` (times up to `max_ms`): the tcp-safe rules plus
    /// resets, a partition, a crash, failing calls, UDP's faults, buffer squeezes,
    /// WSAEWOULDBLOCK after FD_WRITE, overlapped calls pending instead of completing,
    /// completion packets overtaking others, threads stalled before a call, system clock
    /// changes and tick counts about to wrap.
    pub fn hostile_strategy(hosts: Vec<IpAddr>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        (
            Self::tcp_strategy(),
            Self::reset_strategy(hosts.clone(), max_ms),
            Self::partition_strategy(hosts.clone(), max_ms),
            Self::crash_strategy(hosts.clone(), max_ms),
            Self::call_strategy(),
            Self::udp_strategy(),
            Self::squeeze_strategy(hosts.clone(), max_ms),
            Self::would_block_strategy(),
            Self::pend_strategy(),
            Self::overtake_strategy(),
            Self::stall_strategy(),
            (
                Self::clock_strategy(hosts.clone(), max_ms),
                Self::uptime_strategy(hosts.clone(), max_ms),
                Self::calendar_strategy(hosts, max_ms),
            ),
        )
            .prop_map(|(a, b, c, d, e, f, g, h, i, j, k, (l, m, n))| FaultPlan {
                rules: [
                    a.rules, b.rules, c.rules, d.rules, e.rules, f.rules, g.rules, h.rules,
                    i.rules, j.rules, k.rules, l.rules, m.rules, n.rules,
                ]
                .concat(),
            })
    }
}

impl FaultPlan {
    /// Name-resolution faults ([`FaultRule::Resolve`]) on the lookups of `names` (or any):
    /// failures with getaddrinfo's codes (WSAHOST_NOT_FOUND, WSATRY_AGAIN, WSANO_RECOVERY,
    /// WSANO_DATA) or late answers (up to `max_ms`), once or at a rate; up to 2 rules. Shrinks
    /// towards fewer rules and shorter delays.
    pub fn resolve_strategy(names: Vec<String>, max_ms: u64) -> impl Strategy<Value = FaultPlan> {
        let n = names.len();
        let name = (0..=n).prop_map(move |i| names.get(i).cloned());
        let action = prop_oneof![
            prop_oneof![
                Just(WsaError::WSAHOST_NOT_FOUND),
                Just(WsaError::WSATRY_AGAIN),
                Just(WsaError::WSANO_RECOVERY),
                Just(WsaError::WSANO_DATA),
            ]
            .prop_map(super::ResolveAction::Fail),
            (0..=max_ms).prop_map(|ms| super::ResolveAction::Delay(Duration::from_millis(ms))),
        ];
        let rule =
            (when(max_ms, 5), name, action).prop_map(|(when, name, action)| FaultRule::Resolve {
                when,
                scope: Scope::All,
                name,
                action,
            });
        plan_of(rule, 2)
    }
}

/// All, or one of `hosts`.
fn scope(hosts: Vec<IpAddr>) -> impl Strategy<Value = Scope> {
    let n = hosts.len();
    (0..=n).prop_map(move |i| hosts.get(i).map_or(Scope::All, |ip| Scope::Host(*ip)))
}
