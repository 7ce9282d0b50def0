//! The marks of the sequence diagram: lanes and their geometry, one event's marks (segment
//! arrows, call and completion marks, faults in red) and the last row's thread states.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{escape, Page, FAULT_RED};
use crate::api::WsaError;
use crate::sim::runtime::trace::{SegmentKind, TraceKind, TraceRecord};
use crate::sim::runtime::ThreadOutcome;

/// `s` cut to `n` characters (an ellipsis marks the cut).
pub(super) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('\u{2026}');
    t
}

pub(super) const LANE_W: i64 = 200;
pub(super) const ROW_H: i64 = 20;
pub(super) const LEFT: i64 = 96;
pub(super) const TOP: i64 = 64;
const LABEL_CHARS: usize = 30;

/// One vertical lane: a host's network lane or one of its threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Lane {
    Net(usize),
    Thread(usize),
}

/// A call's result as the picture prints it: the value, or the error's name.
pub(super) fn result_text(r: i64) -> String {
    if r < 0 {
        match i32::try_from(-r) {
            Ok(code) => format!("{:?}", WsaError::from_code(code)),
            Err(_) => r.to_string(),
        }
    } else {
        r.to_string()
    }
}

/// A completion's or thread's status (0 = success, else an error code).
pub(super) fn status_text(code: i64) -> String {
    match code {
        0 => "ok".to_string(),
        -1 => "panicked".to_string(),
        c => match i32::try_from(c) {
            Ok(c) => format!("{:?}", WsaError::from_code(c)),
            Err(_) => c.to_string(),
        },
    }
}

pub(super) fn seg_colour(k: SegmentKind) -> (&'static str, &'static str) {
    match k {
        SegmentKind::Data | SegmentKind::Udp => ("#1f5fbf", "a-data"),
        SegmentKind::Rst | SegmentKind::IcmpUnreachable => ("#7a2ea0", "a-rst"),
        _ => ("#6b6b6b", "a-ctl"),
    }
}

/// One event's marks at height `y`.
pub(super) fn event(
    s: &mut String,
    r: &TraceRecord,
    y: i64,
    width: i64,
    x_of: &BTreeMap<Lane, i64>,
) {
    let thread_x = x_of.get(&Lane::Thread(r.thread)).copied();
    let net_x = |h: u32| x_of.get(&Lane::Net(h as usize)).copied();
    match r.kind {
        TraceKind::Switch => {}
        TraceKind::Call(name) => {
            let Some(x) = thread_x else { return };
            let full = format!("{name}({:#x}, {}) → {}", r.a, r.b, result_text(r.result));
            let colour = if r.result < 0 { "#b35900" } else { "#222222" };
            mark(s, "call", x, y, colour, &full, Shape::Dot);
        }
        TraceKind::Completion => {
            let Some(x) = thread_x else { return };
            let full = format!(
                "IO-COMPLETE ov#{} {} B → {}",
                r.a,
                r.b,
                status_text(r.result)
            );
            let colour = if r.result != 0 { "#b35900" } else { "#1d7a3a" };
            mark(s, "completion", x, y, colour, &full, Shape::Square);
        }
        TraceKind::ThreadEnd => {
            let Some(x) = thread_x else { return };
            let full = format!("thread ended: {}", status_text(r.result));
            let colour = if r.result != 0 { "#b35900" } else { "#222222" };
            mark(s, "end", x, y, colour, &full, Shape::Bar);
        }
        TraceKind::State(state) => {
            let Some(x) = net_x(r.host) else { return };
            let full = format!("socket #{} → {state}", r.a);
            mark(s, "state", x, y, "#777777", &full, Shape::Tick);
        }
        TraceKind::Fault(_) => {
            let full = format!("fault: {}", r.fault_text());
            match thread_x.or_else(|| net_x(r.host)) {
                Some(x) => mark(s, "fault", x, y, FAULT_RED, &full, Shape::Diamond),
                None => {
                    // A fault of the whole network (a partition): a red rule across.
                    let _ = writeln!(
                        s,
                        "<g class=\"fault\"><line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" \
                         stroke=\"{FAULT_RED}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\
                         <text x=\"{}\" y=\"{}\" fill=\"{FAULT_RED}\" font-weight=\"bold\">{}</text>\
                         <title>{}</title></g>",
                        width - 10,
                        LEFT + 8,
                        y - 3,
                        escape(&full),
                        escape(&full)
                    );
                }
            }
        }
        TraceKind::Segment { kind, from, to } => {
            let (Some(x1), Some(x2)) = (net_x(from.host), net_x(to.host)) else {
                return;
            };
            let (colour, marker) = seg_colour(kind);
            let mut label = kind.name().to_string();
            if r.b > 0 {
                let _ = write!(label, " {} B", r.b);
            }
            let mut full = format!("{} {from} → {to}, {} bytes", kind.name(), r.b);
            if matches!(kind, SegmentKind::Data | SegmentKind::Fin) {
                let _ = write!(full, ", seq {}", r.a);
            }
            let shape = if x1 == x2 {
                // Loopback: a loop on the host's own lane.
                format!(
                    "<path d=\"M{x1},{} C{},{} {},{} {x1},{}\" fill=\"none\" stroke=\"{colour}\" \
                     stroke-width=\"1.5\" marker-end=\"url(#{marker})\"/>",
                    y - 7,
                    x1 + 40,
                    y - 7,
                    x1 + 40,
                    y + 3,
                    y + 3
                )
            } else {
                format!(
                    "<line x1=\"{x1}\" y1=\"{}\" x2=\"{x2}\" y2=\"{}\" stroke=\"{colour}\" \
                     stroke-width=\"1.5\" marker-end=\"url(#{marker})\"/>",
                    y - 7,
                    y + 3
                )
            };
            let mid = if x1 == x2 { x1 + 46 } else { (x1 + x2) / 2 };
            let anchor = if x1 == x2 { "start" } else { "middle" };
            let _ = writeln!(
                s,
                "<g class=\"seg\" data-kind=\"{}\">{shape}<text x=\"{mid}\" y=\"{}\" \
                 text-anchor=\"{anchor}\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"3\" \
                 paint-order=\"stroke\">{}</text><title>{}</title></g>",
                kind.name(),
                y - 5,
                escape(&label),
                escape(&full)
            );
        }
    }
}

/// The last row: where the run stopped, and each drawn thread's state then.
pub(super) fn end_row(s: &mut String, err: &Page<'_>, y: i64, x_of: &BTreeMap<Lane, i64>) {
    let _ = writeln!(
        s,
        "<text class=\"time\" x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#555555\" \
         font-weight=\"bold\">{:.3} ms</text>",
        LEFT - 6,
        y + 4,
        err.virtual_time.as_secs_f64() * 1e3
    );
    for t in err.threads {
        let Some(&x) = x_of.get(&Lane::Thread(t.id)) else {
            continue;
        };
        let (text, colour) = match &t.outcome {
            ThreadOutcome::Ok => ("finished".to_string(), "#222222"),
            ThreadOutcome::Err(e) => (format!("returned {e:?}"), "#b35900"),
            ThreadOutcome::Panicked(m) => (format!("panicked: {m}"), "#b35900"),
            ThreadOutcome::Unfinished(c) if c.contains(' ') => (c.to_string(), "#555555"),
            ThreadOutcome::Unfinished(c) => match &t.waits_for {
                Some(w) => (format!("blocked in {c} on {w}"), "#555555"),
                None => (format!("blocked in {c}"), "#555555"),
            },
        };
        mark(s, "outcome", x, y, colour, &text, Shape::Bar);
    }
}

#[derive(Clone, Copy)]
pub(super) enum Shape {
    Dot,
    Square,
    Diamond,
    Bar,
    Tick,
}

/// A mark on a lane with its (clipped) label to the right and its full text on hover.
pub(super) fn mark(
    s: &mut String,
    class: &str,
    x: i64,
    y: i64,
    colour: &str,
    full: &str,
    shape: Shape,
) {
    let glyph = match shape {
        Shape::Dot => format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"4\" fill=\"{colour}\"/>"),
        Shape::Square => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{colour}\"/>",
            x - 4,
            y - 4
        ),
        Shape::Diamond => format!(
            "<path d=\"M{x},{} L{},{y} L{x},{} L{},{y} z\" fill=\"{colour}\"/>",
            y - 6,
            x + 6,
            y + 6,
            x - 6
        ),
        Shape::Bar => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"3\" fill=\"{colour}\"/>",
            x - 8,
            y - 1
        ),
        Shape::Tick => format!(
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{colour}\"/>",
            x - 4,
            x + 4
        ),
    };
    let weight = if class == "fault" {
        " font-weight=\"bold\""
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "<g class=\"{class}\">{glyph}<text x=\"{}\" y=\"{}\" fill=\"{colour}\"{weight}>{}</text>\
         <title>{}</title></g>",
        x + 8,
        y + 4,
        escape(&clip(full, LABEL_CHARS)),
        escape(full)
    );
}
