//! [`Replay`]: what identifies a run for replaying it — the seed, the fault plan and the
//! contract options — as one line (`seed=7;plan=drop(any,1/16);seg=random;...`). A failed
//! run's [`SimError`](crate::sim::SimError) prints it inside a command that sets
//! `WINSOCK_SIM_REPLAY`, which [`SimBuilder::build`](crate::sim::SimBuilder::build) honours;
//! fixture files keep such lines under a test's name ([`Replay::fixtures`]).

use std::fmt;
use std::str::FromStr;

use super::net::fault::{FaultPlan, ParsePlanError};
use crate::sim::runtime::{
    Completion, EventRecording, Schedule, Segmentation, SendMode, TimerResolution,
};

/// The environment variable that makes every [`SimBuilder::build`](crate::sim::SimBuilder::build)
/// of the process use the seed, plan and options it holds (one [`Replay`] line).
pub const REPLAY_ENV: &str = "WINSOCK_SIM_REPLAY";

/// A run's seed, fault plan and contract options; absent parts are left as the test sets
/// them.
///
/// ```
/// use winsock_sim::sim::Replay;
/// let r: Replay = "seed=7;plan=reset(all,2s);send=partial".parse().unwrap();
/// assert_eq!(r.seed, Some(7));
/// assert_eq!(r.to_string(), "seed=7;plan=reset(all,2s);send=partial");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// The root seed (`seed=`, decimal or `0x` hex).
    pub seed: Option<u64>,
    /// The fault plan (`plan=`, its one-line form).
    pub plan: Option<FaultPlan>,
    /// Segmentation (`seg=mss|random`).
    pub segmentation: Option<Segmentation>,
    /// Nonblocking send behaviour (`send=windows|partial`).
    pub send_mode: Option<SendMode>,
    /// WSAEventSelect recording (`events=windows|documented`).
    pub event_recording: Option<EventRecording>,
    /// Overlapped completion (`io=windows|random`).
    pub completion: Option<Completion>,
    /// Preemption probability (`preempt=num/den`).
    pub preempt: Option<(u64, u64)>,
    /// Thread scheduling (`sched=random` or `sched=pct:<change points>:<horizon>`).
    pub schedule: Option<Schedule>,
    /// When timed waits and timers end (`timers=exact|windows`).
    pub timer_resolution: Option<TimerResolution>,
}

impl Replay {
    /// The replay in `WINSOCK_SIM_REPLAY`, if set and not empty.
    ///
    /// # Panics
    /// If the variable does not parse: a replay silently ignored would mislead.
    pub fn from_env() -> Option<Replay> {
        let v = std::env::var(REPLAY_ENV).ok()?;
        if v.trim().is_empty() {
            return None;
        }
        Some(
            v.parse()
                .unwrap_or_else(|e| panic!("{REPLAY_ENV}={v:?} does not parse: {e}")),
        )
    }

    /// The replays a fixture file keeps for `name`: lines `<name> <replay>`; blank lines and
    /// lines starting with `#` are skipped, as are other names.
    ///
    /// # Panics
    /// If a line for `name` does not parse (a broken fixture file).
    pub fn fixtures(text: &str, name: &str) -> Vec<Replay> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(char::is_whitespace))
            .filter(|(n, _)| *n == name)
            .map(|(_, r)| {
                r.trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("fixture {name} {r:?}: {e}"))
            })
            .collect()
    }
}

impl fmt::Display for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = self.seed {
            parts.push(format!("seed={s}"));
        }
        if let Some(p) = &self.plan {
            parts.push(format!("plan={p}"));
        }
        if let Some(s) = self.segmentation {
            parts.push(format!("seg={}", seg_name(s)));
        }
        if let Some(m) = self.send_mode {
            let m = match m {
                SendMode::Windows => "windows",
                SendMode::Partial => "partial",
            };
            parts.push(format!("send={m}"));
        }
        if let Some(r) = self.event_recording {
            let r = match r {
                EventRecording::Windows => "windows",
                EventRecording::Documented => "documented",
            };
            parts.push(format!("events={r}"));
        }
        if let Some(c) = self.completion {
            let c = match c {
                Completion::Windows => "windows",
                Completion::Random => "random",
            };
            parts.push(format!("io={c}"));
        }
        if let Some((n, d)) = self.preempt {
            parts.push(format!("preempt={n}/{d}"));
        }
        match self.schedule {
            None => {}
            Some(Schedule::Random) => parts.push("sched=random".to_string()),
            Some(Schedule::Pct {
                change_points,
                horizon,
            }) => parts.push(format!("sched=pct:{change_points}:{horizon}")),
        }
        if let Some(t) = self.timer_resolution {
            let t = match t {
                TimerResolution::Exact => "exact",
                TimerResolution::Windows => "windows",
            };
            parts.push(format!("timers={t}"));
        }
        f.write_str(&parts.join(";"))
    }
}

fn seg_name(s: Segmentation) -> &'static str {
    match s {
        Segmentation::Mss => "mss",
        Segmentation::Random => "random",
    }
}

fn bad<T>(what: String) -> Result<T, ParsePlanError> {
    Err(ParsePlanError(what))
}

impl FromStr for Replay {
    type Err = ParsePlanError;
    fn from_str(s: &str) -> Result<Replay, ParsePlanError> {
        let mut r = Replay::default();
        for part in s.trim().split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((k, v)) = part.split_once('=') else {
                return bad(format!("{part:?}: replay parts are key=value"));
            };
            match k {
                "seed" => {
                    let n = match v.strip_prefix("0x") {
                        Some(hex) => u64::from_str_radix(hex, 16).ok(),
                        None => v.parse().ok(),
                    };
                    match n {
                        Some(n) => r.seed = Some(n),
                        None => return bad(format!("seed {v:?} is not a number")),
                    }
                }
                "plan" => r.plan = Some(v.parse()?),
                "seg" => {
                    r.segmentation = Some(match v {
                        "mss" => Segmentation::Mss,
                        "random" => Segmentation::Random,
                        _ => return bad(format!("seg={v:?}: mss or random")),
                    })
                }
                "send" => {
                    r.send_mode = Some(match v {
                        "windows" => SendMode::Windows,
                        "partial" => SendMode::Partial,
                        _ => return bad(format!("send={v:?}: windows or partial")),
                    })
                }
                "events" => {
                    r.event_recording = Some(match v {
                        "windows" => EventRecording::Windows,
                        "documented" => EventRecording::Documented,
                        _ => return bad(format!("events={v:?}: windows or documented")),
                    })
                }
                "io" => {
                    r.completion = Some(match v {
                        "windows" => Completion::Windows,
                        "random" => Completion::Random,
                        _ => return bad(format!("io={v:?}: windows or random")),
                    })
                }
                "preempt" => {
                    let ratio = v
                        .split_once('/')
                        .and_then(|(n, d)| Some((n.parse().ok()?, d.parse().ok()?)));
                    match ratio {
                        Some(p) => r.preempt = Some(p),
                        None => return bad(format!("preempt={v:?}: num/den")),
                    }
                }
                "sched" => {
                    let pct = v.strip_prefix("pct:").and_then(|rest| {
                        let (d, h) = rest.split_once(':')?;
                        Some(Schedule::Pct {
                            change_points: d.parse().ok()?,
                            horizon: h.parse().ok()?,
                        })
                    });
                    r.schedule = match (v, pct) {
                        ("random", _) => Some(Schedule::Random),
                        (_, Some(p)) => Some(p),
                        _ => return bad(format!("sched={v:?}: random or pct:<points>:<horizon>")),
                    }
                }
                "timers" => {
                    r.timer_resolution = Some(match v {
                        "exact" => TimerResolution::Exact,
                        "windows" => TimerResolution::Windows,
                        _ => return bad(format!("timers={v:?}: exact or windows")),
                    })
                }
                _ => return bad(format!("{k:?} is not a replay key")),
            }
        }
        Ok(r)
    }
}
