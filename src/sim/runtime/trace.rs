//! The trace: every call with its arguments and result, every delivery, every scheduling
//! decision, folded into a stable hash; the most recent records are kept for a readable
//! timeline (all of them when the sim is built with `full_trace`).
//!
//! Records are small `Copy` values, formatted only when a timeline is printed, so tracing
//! stays cheap on the hot path.

use std::fmt;

/// What one trace record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// A WinSock call returned: `a` = first argument (usually the socket), `b` = second,
    /// `result` = return value or negative error code.
    Call(&'static str),
    /// The scheduler resumed a thread.
    Switch,
    /// A segment was delivered: `a` = destination host, `b` = payload length.
    Deliver(&'static str),
    /// A segment was dropped or delayed by the fault seam.
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
    /// The simulated thread involved (or `usize::MAX` for the network).
    pub thread: usize,
    /// What happened.
    pub kind: TraceKind,
    /// First detail (see [`TraceKind`]).
    pub a: u64,
    /// Second detail.
    pub b: u64,
    /// Result or third detail.
    pub result: i64,
}

impl fmt::Display for TraceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.time as f64 / 1e6;
        let th = if self.thread == usize::MAX {
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
            TraceKind::Deliver(k) => write!(
                f,
                "{t:>12.3} ms {th:>5} deliver {k} to host {} ({} bytes)",
                self.a, self.b
            ),
            TraceKind::Fault(k) => write!(f, "{t:>12.3} ms {th:>5} fault: {k}"),
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
    hash: u64,
    count: u64,
    /// A ring of the last `keep` records (or every record when `full`).
    recent: Vec<TraceRecord>,
    keep: usize,
    full: bool,
}

const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl Trace {
    /// `keep` is rounded up to a power of two (the ring is indexed with a mask).
    pub(crate) fn new(keep: usize, full: bool) -> Trace {
        let keep = if keep == 0 {
            0
        } else {
            keep.next_power_of_two()
        };
        Trace {
            hash: 0xcbf2_9ce4_8422_2325,
            count: 0,
            recent: Vec::with_capacity(keep.min(4096)),
            keep,
            full,
        }
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
            TraceKind::Deliver(n) => (3, n),
            TraceKind::Fault(n) => (4, n),
            TraceKind::State(n) => (5, n),
            TraceKind::ThreadEnd => (6, ""),
        };
        // The tag, the name's length and its first 6 bytes: distinct for every name the sim
        // uses, stable across builds, and cheap on the hot path.
        let head = match name.as_bytes() {
            // Nearly every name has six bytes or more: one load instead of a byte loop.
            [b0, b1, b2, b3, b4, b5, ..] => {
                u64::from_le_bytes([*b0, *b1, *b2, *b3, *b4, *b5, 0, 0])
            }
            short => short
                .iter()
                .enumerate()
                .fold(0, |h, (i, &b)| h | u64::from(b) << (8 * i)),
        };
        tag | ((name.len() as u64) << 8) | (head << 16)
    }

    pub(crate) fn record(&mut self, r: TraceRecord) {
        // Each field is spread by its own odd constant (independent multiplies, which run in
        // parallel), then the record is folded into the running hash in one step.
        let x = r.time.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ (r.thread as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            ^ Self::kind_code(r.kind).wrapping_mul(0x1656_67b1_9e37_79f9)
            ^ r.a.wrapping_mul(0x85eb_ca77_c2b2_ae63)
            ^ r.b.wrapping_mul(0x27d4_eb2f_1656_67c5)
            ^ (r.result as u64).wrapping_mul(0xff51_afd7_ed55_8ccd);
        self.mix(x);
        if self.full || self.recent.len() < self.keep {
            self.recent.push(r);
        } else if self.keep > 0 {
            let i = (self.count & (self.keep as u64 - 1)) as usize;
            self.recent[i] = r;
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
        if self.full || (self.count as usize) <= self.keep {
            return self.recent.clone();
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

    /// The byte loop `kind_code` replaced: the code of a kind must not change, or every
    /// trace hash would.
    fn kind_code_by_bytes(tag: u64, name: &str) -> u64 {
        let mut h: u64 = tag | ((name.len() as u64) << 8);
        for (i, b) in name.bytes().take(6).enumerate() {
            h |= u64::from(b) << (16 + 8 * i);
        }
        h
    }

    #[test]
    fn kind_code_is_the_byte_loop_for_every_name_length() {
        let long = "WSAEnumNetworkEvents";
        for n in 0..=long.len() {
            let name: &'static str = &long[..n];
            assert_eq!(
                Trace::kind_code(TraceKind::Call(name)),
                kind_code_by_bytes(1, name)
            );
            assert_eq!(
                Trace::kind_code(TraceKind::State(name)),
                kind_code_by_bytes(5, name)
            );
        }
        assert_eq!(
            Trace::kind_code(TraceKind::Switch),
            kind_code_by_bytes(2, "")
        );
        assert_eq!(
            Trace::kind_code(TraceKind::ThreadEnd),
            kind_code_by_bytes(6, "")
        );
    }
}
