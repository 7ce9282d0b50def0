//! The trace: every call with its arguments and result, every delivery, every scheduling
//! decision, folded into a stable hash; the most recent records are kept for a readable
//! timeline (all of them when the sim is built with `full_trace`).
//!
//! Records are small `Copy` values, formatted only when a timeline is printed, so tracing
//! stays cheap on the hot path.

use std::fmt;

/// The `thread` of a record made by the network (segments, state changes, faults of the plan).
pub const NET_THREAD: usize = usize::MAX;

/// The `host` of a record that concerns no one host (a partition mark, say).
pub const NO_HOST: u32 = u32::MAX;

/// The name of the [`TraceKind::Fault`] record of a thread stalled before a call by the fault
/// plan; its `a` is the pause in nanoseconds, which the timeline prints.
pub(crate) const STALLED: &str = "thread stalled";

/// The fault record of a system clock setting (`FaultRule::ClockJump`): `a` is the shift in
/// milliseconds (an `i64`, negative back), `b` the time the clock shows after it (ms since
/// 1601).
pub(crate) const CLOCK_SET: &str = "system clock set";

/// One end of a segment on the simulated wire: the host (its index in creation order) and
/// the port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// The host's index (0 for the first host the test added).
    pub host: u32,
    /// The port (0 for an ICMP message).
    pub port: u16,
}

impl Endpoint {
    /// Host and port in one word, for the trace hash.
    fn packed(self) -> u64 {
        (u64::from(self.host) << 16) | u64::from(self.port)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "h{}:{}", self.host, self.port)
    }
}

/// What kind of segment a [`TraceKind::Segment`] record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SegmentKind {
    /// TCP SYN (connect's first segment).
    Syn,
    /// TCP SYN-ACK (the listener's answer).
    SynAck,
    /// TCP pure ACK (no data).
    Ack,
    /// TCP data.
    Data,
    /// TCP FIN (shutdown(SD_SEND) or closesocket).
    Fin,
    /// TCP RST (abortive close, a refused connection, a reset fault).
    Rst,
    /// A UDP datagram.
    Udp,
    /// ICMP port unreachable, sent back for a datagram no socket took.
    IcmpUnreachable,
    /// A TCP keep-alive probe (SO_KEEPALIVE, SIO_KEEPALIVE_VALS).
    KeepAlive,
}

impl SegmentKind {
    /// Its name as the timeline prints it ("SYN", "DATA", "ICMP-UNREACHABLE", ...).
    pub fn name(self) -> &'static str {
        match self {
            SegmentKind::Syn => "SYN",
            SegmentKind::SynAck => "SYN-ACK",
            SegmentKind::Ack => "ACK",
            SegmentKind::Data => "DATA",
            SegmentKind::Fin => "FIN",
            SegmentKind::Rst => "RST",
            SegmentKind::Udp => "UDP",
            SegmentKind::IcmpUnreachable => "ICMP-UNREACHABLE",
            SegmentKind::KeepAlive => "KEEPALIVE",
        }
    }
}

/// What one trace record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// A WinSock call returned: `a` = first argument (usually the socket), `b` = second,
    /// `result` = return value or negative error code.
    Call(&'static str),
    /// The scheduler resumed a thread.
    Switch,
    /// A segment arrived at `to` from `from`: `a` = sequence number of its first byte (DATA
    /// and FIN; else 0), `b` = payload length.
    Segment {
        /// SYN, DATA, UDP, ...
        kind: SegmentKind,
        /// The sending host and port.
        from: Endpoint,
        /// The receiving host and port.
        to: Endpoint,
    },
    /// An overlapped operation completed: `a` = the OVERLAPPED's id, `b` = bytes transferred,
    /// `result` = 0 or the completion's error code.
    Completion,
    /// The fault plan acted (a segment dropped, delayed or reset, a partition, a crash, a
    /// call failed): `host` is the host it hit (the sender's, for a segment) when there is one.
    Fault(&'static str),
    /// A TCP state change: `a` = socket id, `b` = new state index.
    State(&'static str),
    /// A thread ended: `result` = 0 for success, else the error code or -1 for a panic.
    ThreadEnd,
}

/// One trace record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceRecord {
    /// Virtual time in nanoseconds.
    pub time: u64,
    /// The simulated thread involved (or [`NET_THREAD`] for the network).
    pub thread: usize,
    /// The host it happened on: the calling thread's for calls and completions, the
    /// receiver's for a segment ([`NO_HOST`] when none).
    pub host: u32,
    /// What happened.
    pub kind: TraceKind,
    /// First detail (see [`TraceKind`]).
    pub a: u64,
    /// Second detail.
    pub b: u64,
    /// Result or third detail.
    pub result: i64,
}

impl TraceRecord {
    /// Whether the fault plan made this record.
    pub fn is_fault(&self) -> bool {
        matches!(self.kind, TraceKind::Fault(_))
    }

    /// What a fault record says, as the timeline and the picture print it after "fault: "
    /// (a stall with its pause, a clock setting with its shift); empty for other records.
    pub(crate) fn fault_text(&self) -> String {
        match self.kind {
            TraceKind::Fault(k) if k == STALLED => {
                format!("{k} for {:.3} ms", self.a as f64 / 1e6)
            }
            TraceKind::Fault(k) if k == CLOCK_SET => {
                let ms = self.a as i64;
                let way = if ms < 0 { "back" } else { "forward" };
                let by = format!("{k} {way} by {:.3} s", ms.unsigned_abs() as f64 / 1e3);
                // `b`: the time the clock shows after the setting, in ms since 1601.
                match crate::api::system_time::SystemTime::from_file_time(
                    self.b.saturating_mul(10_000),
                ) {
                    Ok(d) => format!(
                        "{by}: it shows {:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
                        d.year, d.month, d.day, d.hour, d.minute, d.second, d.milliseconds
                    ),
                    Err(_) => by,
                }
            }
            TraceKind::Fault(k) => k.to_string(),
            _ => String::new(),
        }
    }
}

impl fmt::Display for TraceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.time as f64 / 1e6;
        let th = if self.thread == NET_THREAD {
            "net".to_string()
        } else {
            format!("t{}", self.thread)
        };
        match self.kind {
            TraceKind::Call(name) => write!(
                f,
                "{t:>12.3} ms {th:>5} {name}({:#x}, {}) -> {}",
                self.a, self.b, self.result
            ),
            TraceKind::Switch => write!(f, "{t:>12.3} ms {th:>5} scheduled"),
            TraceKind::Segment { kind, from, to } => {
                write!(
                    f,
                    "{t:>12.3} ms {th:>5} deliver {} {from} -> {to} ({} bytes",
                    kind.name(),
                    self.b
                )?;
                if matches!(kind, SegmentKind::Data | SegmentKind::Fin) {
                    write!(f, ", seq {}", self.a)?;
                }
                f.write_str(")")
            }
            TraceKind::Completion => write!(
                f,
                "{t:>12.3} ms {th:>5} IO-COMPLETE overlapped #{} ({} bytes) -> {}",
                self.a, self.b, self.result
            ),
            TraceKind::Fault(_) if self.host == NO_HOST => {
                write!(f, "{t:>12.3} ms {th:>5} fault: {}", self.fault_text())
            }
            TraceKind::Fault(_) => write!(
                f,
                "{t:>12.3} ms {th:>5} fault: {} (h{})",
                self.fault_text(),
                self.host
            ),
            TraceKind::State(s) => {
                write!(f, "{t:>12.3} ms {th:>5} socket #{} -> {s}", self.a)
            }
            TraceKind::ThreadEnd => write!(f, "{t:>12.3} ms {th:>5} ended ({})", self.result),
        }
    }
}

/// The running trace: hash of everything, window of recent records.
#[derive(Debug)]
pub(crate) struct Trace {
    /// Off (`SimBuilder::trace(false)`): nothing is recorded or hashed; the hash stays 0.
    on: bool,
    hash: u64,
    count: u64,
    /// A ring of the last `keep` records, all `keep` slots in place from the start (so a
    /// record is one masked store), or every record when `full`.
    recent: Vec<TraceRecord>,
    keep: usize,
    full: bool,
}

/// What a ring slot holds before a record fills it (never shown: `recent` returns only the
/// slots written).
const UNWRITTEN: TraceRecord = TraceRecord {
    time: 0,
    thread: NET_THREAD,
    host: NO_HOST,
    kind: TraceKind::Switch,
    a: 0,
    b: 0,
    result: 0,
};

const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl Trace {
    /// `keep` is rounded up to a power of two (the ring is indexed with a mask); `on` false
    /// keeps nothing and hashes nothing.
    pub(crate) fn new(keep: usize, full: bool, on: bool) -> Trace {
        let (keep, full) = match (on, keep) {
            (false, _) | (true, 0) => (0, full && on),
            (true, k) => (k.next_power_of_two(), full),
        };
        Trace {
            on,
            hash: if on { 0xcbf2_9ce4_8422_2325 } else { 0 },
            count: 0,
            recent: if full {
                Vec::with_capacity(keep.min(4096))
            } else {
                vec![UNWRITTEN; keep]
            },
            keep,
            full,
        }
    }

    /// Whether records are made (`SimBuilder::trace`, or `full_trace`).
    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    fn mix(&mut self, v: u64) {
        // FNV-style, a word at a time: cheap enough for every call and delivery, and stable
        // across platforms (no std hasher, whose algorithm may change).
        self.hash = (self.hash ^ v).wrapping_mul(FNV_PRIME).rotate_left(29);
    }

    fn kind_code(kind: TraceKind) -> u64 {
        let (tag, name) = match kind {
            TraceKind::Call(n) => (1, n),
            TraceKind::Switch => (2, ""),
            TraceKind::Segment { kind, from, to } => {
                let ends = (from.packed() << 24) ^ to.packed();
                return (3 | ((kind as u64) << 8)) ^ ends.wrapping_mul(0x9fb2_1c65_1e98_df25);
            }
            TraceKind::Fault(n) => (4, n),
            TraceKind::State(n) => (5, n),
            TraceKind::ThreadEnd => (6, ""),
            TraceKind::Completion => (7, ""),
        };
        Self::name_code(tag, name)
    }

    /// The tag, the name's length and its first and last 8 bytes (every byte of a name of
    /// up to 16), each word rotated to a place of its own: distinct for every name the sim
    /// uses, stable across builds, and two loads instead of a loop over the bytes (the
    /// record's multiply spreads it).
    fn name_code(tag: u64, name: &str) -> u64 {
        let b = name.as_bytes();
        let (head, tail) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
            (Some(h), Some(t)) => (u64::from_le_bytes(*h), u64::from_le_bytes(*t)),
            _ => match (b.first_chunk::<4>(), b.last_chunk::<4>()) {
                (Some(h), Some(t)) => (
                    u64::from(u32::from_le_bytes(*h)),
                    u64::from(u32::from_le_bytes(*t)),
                ),
                _ => {
                    let mut w = 0;
                    for (i, &c) in b.iter().enumerate() {
                        w |= u64::from(c) << (8 * i);
                    }
                    (w, 0)
                }
            },
        };
        (tag | ((b.len() as u64) << 8)) ^ head.rotate_left(16) ^ tail.rotate_left(43)
    }

    // Inlined, with `Runtime::record_on`, `Runtime::record`, `World::record` and
    // `World::record_net`, into every place that makes a record: the kind is a constant at
    // nearly all of them, so its code (`kind_code`, the name's words) folds at compile time,
    // and the fields come from registers instead of a record stored and read back. Out of
    // line, one copy computed every kind's code at run time (stop 51: 107 to 567 instructions
    // a message more).
    #[inline(always)]
    pub(crate) fn record(&mut self, r: TraceRecord) {
        if !self.on {
            return;
        }
        // Each field is spread by its own odd constant (independent multiplies, which run in
        // parallel), then the record is folded into the running hash in one step.
        let x = r.time.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ (r.thread as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            ^ u64::from(r.host).wrapping_mul(0xd6e8_feb8_6659_fd93)
            ^ Self::kind_code(r.kind).wrapping_mul(0x1656_67b1_9e37_79f9)
            ^ r.a.wrapping_mul(0x85eb_ca77_c2b2_ae63)
            ^ r.b.wrapping_mul(0x27d4_eb2f_1656_67c5)
            ^ (r.result as u64).wrapping_mul(0xff51_afd7_ed55_8ccd);
        self.mix(x);
        if self.full {
            self.recent.push(r);
        } else {
            // `keep` is a power of two (or 0, with an empty ring: no slot, nothing kept).
            let i = (self.count as usize) & self.keep.wrapping_sub(1);
            if let Some(slot) = self.recent.get_mut(i) {
                *slot = r;
            }
        }
        self.count += 1;
    }

    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The kept records, oldest first.
    pub(crate) fn recent(&self) -> Vec<TraceRecord> {
        if self.full {
            return self.recent.clone();
        }
        if (self.count as usize) <= self.keep {
            return self.recent[..self.count as usize].to_vec();
        }
        if self.keep == 0 {
            return Vec::new();
        }
        let split = (self.count & (self.keep as u64 - 1)) as usize;
        let mut v = self.recent[split..].to_vec();
        v.extend_from_slice(&self.recent[..split]);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(i: u64) -> TraceRecord {
        TraceRecord {
            time: i,
            ..UNWRITTEN
        }
    }

    /// The ring returns exactly the records written, oldest first: all of them while fewer
    /// than `keep`, the last `keep` after it wrapped, none with `keep` 0; the hash does not
    /// depend on what is kept.
    #[test]
    fn ring_keeps_the_last_records_in_order() {
        let times = |t: &Trace| t.recent().iter().map(|r| r.time).collect::<Vec<_>>();
        let mut small = Trace::new(8, false, true);
        let mut none = Trace::new(0, false, true);
        let mut full = Trace::new(8, true, true);
        let mut off = Trace::new(8, false, false);
        for i in 0..5 {
            for t in [&mut small, &mut none, &mut full, &mut off] {
                t.record(numbered(i));
            }
        }
        assert_eq!(times(&small), vec![0, 1, 2, 3, 4]);
        for i in 5..19 {
            for t in [&mut small, &mut none, &mut full] {
                t.record(numbered(i));
            }
        }
        assert_eq!(times(&small), (11..19).collect::<Vec<_>>());
        assert!(times(&none).is_empty());
        assert_eq!(times(&full), (0..19).collect::<Vec<_>>());
        assert_eq!(small.hash(), none.hash());
        assert_eq!(small.hash(), full.hash());
        assert_eq!(small.count(), 19);
        assert!(times(&off).is_empty());
        assert_eq!(
            (off.hash(), off.count()),
            (0, 0),
            "a trace that is off hashes nothing"
        );
        assert_ne!(small.hash(), 0);
    }

    /// A kind's code must tell apart every name the trace may carry: each prefix of a long
    /// name, names that share their first bytes, and the same name under two tags.
    #[test]
    fn kind_codes_are_distinct_for_similar_names() {
        let long = "WSAEnumNetworkEvents";
        let mut names: Vec<&'static str> = (0..=long.len()).map(|n| &long[..n]).collect();
        names.extend([
            "WSAEventSelect",
            "WSAEnumProtocols",
            "WSAGetOverlappedResult",
            "WSAGetLastError",
            "GetQueuedCompletionStatus",
            "GetQueuedCompletionStatusEx",
        ]);
        let mut codes = Vec::new();
        for &name in &names {
            codes.push(Trace::kind_code(TraceKind::Call(name)));
            codes.push(Trace::kind_code(TraceKind::State(name)));
        }
        codes.push(Trace::kind_code(TraceKind::Switch));
        codes.push(Trace::kind_code(TraceKind::ThreadEnd));
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "two kinds share a code");
    }
}
