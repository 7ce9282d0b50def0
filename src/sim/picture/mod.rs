//! The picture of a failed run: its timeline as one self-contained HTML page with an inline
//! SVG sequence diagram — hosts and their threads as vertical lanes, virtual time downward,
//! segments as arrows between host lanes, calls and completions as marks on thread lanes,
//! faults in red — under a header with the seed, plan, contract and the replay command.
//!
//! No external assets and no script: it renders from a file in any browser (hovering a mark
//! shows its full text, through SVG `<title>`). A failed [`Sim::run`](crate::sim::Sim::run)
//! writes it to `<target dir>/winsock-sim/<test>-seed<seed>.html` (or
//! `$WINSOCK_SIM_PICTURE_DIR`) and its error names the file. The marks themselves are drawn in
//! `marks.rs`.

mod marks;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use std::time::Duration;

use crate::sim::runtime::trace::{TraceKind, TraceRecord, NET_THREAD, NO_HOST};
use crate::sim::runtime::{ThreadOutcome, ThreadReport};
use marks::{clip, end_row, event, Lane, LANE_W, LEFT, ROW_H, TOP};

/// The environment variable naming the directory a failed run writes its picture to
/// (default: `winsock-sim/` in cargo's target directory); `off` writes none.
pub const PICTURE_DIR_ENV: &str = "WINSOCK_SIM_PICTURE_DIR";

/// The most events a picture draws: a longer trace is cut to its last `MAX_ROWS` events
/// (the page says so), which keeps the file a few hundred kilobytes and quick to render.
pub const MAX_ROWS: usize = 1500;

/// The most thread lanes a picture draws (the lowest thread ids among those in the drawn
/// events and those that failed); events of other threads are left out, and the page says so.
pub const MAX_THREAD_LANES: usize = 40;

/// The colour of faults in the picture (and of nothing else).
pub const FAULT_RED: &str = "#d00000";

/// Where a failed run's picture went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PictureFile {
    /// Written to this file.
    Written(PathBuf),
    /// Not written, and why (an unwritable directory, no target directory found, or
    /// `WINSOCK_SIM_PICTURE_DIR=off`). The run's result is the same either way.
    NotWritten(String),
}

/// A simulated host as the picture names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    /// The name given to [`Sim::host`](crate::sim::Sim::host).
    pub name: String,
    /// Its address.
    pub addr: String,
}

/// What a failed run's picture is drawn from, and where it was written.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The trace records the run kept (the last 64, or all with `full_trace(true)`).
    pub records: Vec<TraceRecord>,
    /// How many records the run made in all.
    pub total_records: u64,
    /// The hosts, by index (the `host` of a [`TraceRecord`] and of an
    /// [`Endpoint`](crate::sim::trace::Endpoint)).
    pub hosts: Vec<HostInfo>,
    /// Each thread's host index, by thread id.
    pub thread_hosts: Vec<usize>,
    /// Where the picture was written.
    pub file: PictureFile,
    /// The program's misuses of the API that Windows does not report, as in
    /// [`Report::misuses`](crate::sim::Report::misuses) (often the failure's cause: a
    /// dropped completion leaves its waiter blocked); the error's text lists them.
    pub misuses: Vec<String>,
}

/// The directory pictures go to: `$WINSOCK_SIM_PICTURE_DIR`, else `winsock-sim/` in cargo's
/// target directory (`$CARGO_TARGET_DIR`, else the nearest directory above the running
/// executable that holds cargo's `CACHEDIR.TAG`). Never anywhere else by default.
pub fn picture_dir() -> Result<PathBuf, String> {
    match std::env::var_os(PICTURE_DIR_ENV) {
        Some(v) if v == "off" => return Err(format!("{PICTURE_DIR_ENV}=off")),
        Some(v) if !v.is_empty() => return Ok(PathBuf::from(v)),
        _ => {}
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR").filter(|t| !t.is_empty()) {
        return Ok(PathBuf::from(t).join("winsock-sim"));
    }
    let exe = std::env::current_exe().map_err(|e| format!("no executable path: {e}"))?;
    exe.ancestors()
        .skip(1)
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .map(|d| d.join("winsock-sim"))
        .ok_or_else(|| {
            format!(
                "no cargo target directory above {} (set {PICTURE_DIR_ENV})",
                exe.display()
            )
        })
}

/// The file name for a run of `seed` in the test named `test` (its path, as
/// [`TestId`](crate::sim::TestId) gives it): `<test path>-seed<seed>.html` (`::` becomes
/// `.`), or the executable's name outside a test.
pub fn picture_file_name(test: Option<&str>, seed: u64) -> String {
    let stem = match test {
        Some(n) => n.replace("::", "."),
        None => std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .map(|s| match s.rsplit_once('-') {
                Some((bin, h)) if h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    bin.to_string()
                }
                _ => s,
            })
            .unwrap_or_else(|| "run".to_string()),
    };
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}-seed{seed}.html")
}

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the page shows besides the picture's records: the failure's facts.
pub(crate) struct Page<'a> {
    /// What went wrong, in one line.
    pub what: &'static str,
    /// The root seed.
    pub seed: u64,
    /// When the run stopped.
    pub virtual_time: Duration,
    /// Header rows: name and text (seed, plan, contract options, ...).
    pub facts: Vec<(&'static str, String)>,
    /// Header rows shown as code: the replay and fixture commands.
    pub commands: Vec<(&'static str, String)>,
    /// Every thread's end.
    pub threads: &'a [ThreadReport],
    /// The text timeline.
    pub last_trace: &'a [String],
    /// The records, hosts and threads to draw.
    pub picture: &'a Picture,
}

/// The whole page.
pub(crate) fn html(err: &Page<'_>) -> String {
    let p = err.picture;
    let drawn_all: Vec<&TraceRecord> = p
        .records
        .iter()
        .filter(|r| r.kind != TraceKind::Switch)
        .collect();
    let switches = p.records.len() - drawn_all.len();
    let cut = drawn_all.len().saturating_sub(MAX_ROWS);
    let rows = &drawn_all[cut..];

    // Lanes: hosts and threads that appear, plus threads that failed.
    // (`Picture`'s fields are public: a host index out of range is ignored, never a panic.)
    let host_of_thread = |t: usize| {
        p.thread_hosts
            .get(t)
            .copied()
            .filter(|&h| h < p.hosts.len())
    };
    let mut threads: Vec<usize> = rows
        .iter()
        .filter(|r| r.thread != NET_THREAD)
        .map(|r| r.thread)
        .chain(err.threads.iter().filter_map(|t| match t.outcome {
            ThreadOutcome::Err(_) | ThreadOutcome::Panicked(_) => Some(t.id),
            _ => None,
        }))
        .filter(|&t| host_of_thread(t).is_some())
        .collect();
    threads.sort_unstable();
    threads.dedup();
    let hidden_threads = threads.len().saturating_sub(MAX_THREAD_LANES);
    threads.truncate(MAX_THREAD_LANES);
    let mut hosts: Vec<usize> = threads.iter().filter_map(|&t| host_of_thread(t)).collect();
    for r in rows {
        if r.host != NO_HOST {
            hosts.push(r.host as usize);
        }
        if let TraceKind::Segment { from, to, .. } = r.kind {
            hosts.push(from.host as usize);
            hosts.push(to.host as usize);
        }
    }
    hosts.retain(|&h| h < p.hosts.len());
    hosts.sort_unstable();
    hosts.dedup();

    // Columns: each host's network lane next to its threads; with two or more hosts the
    // first host's network lane is on the right of its threads, so arrows cross no lane of
    // their own host.
    let mut lanes: Vec<Lane> = Vec::new();
    for (i, &h) in hosts.iter().enumerate() {
        let mine = threads
            .iter()
            .filter(|&&t| host_of_thread(t) == Some(h))
            .map(|&t| Lane::Thread(t));
        if i == 0 && hosts.len() > 1 {
            lanes.extend(mine);
            lanes.push(Lane::Net(h));
        } else {
            lanes.push(Lane::Net(h));
            lanes.extend(mine);
        }
    }
    let x_of: BTreeMap<Lane, i64> = lanes
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, LEFT + LANE_W / 2 + i as i64 * LANE_W))
        .collect();
    // Room on the right for the labels of the last lane.
    let width = LEFT + LANE_W * lanes.len().max(1) as i64 + LANE_W / 2;
    // One row per event, and a last one with each thread's state when the run stopped.
    let height = TOP + ROW_H * (rows.len() as i64 + 1) + 30;

    let mut s = String::with_capacity(4096 + rows.len() * 300);
    let title = format!("winsock-sim: {} (seed {})", err.what, err.seed);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    header(&mut s, err);
    if !p.misuses.is_empty() {
        s.push_str(
            "<h2>Misuses of the API</h2>\n<p class=\"legend\">What the program did that Windows \
             does not report (it drops, corrupts or hangs instead): often the failure's \
             cause.</p>\n<ul class=\"threads\">\n",
        );
        for m in &p.misuses {
            let _ = writeln!(s, "<li>{}</li>", escape(m));
        }
        s.push_str("</ul>\n");
    }

    let mut notes = Vec::new();
    if p.total_records > p.records.len() as u64 {
        notes.push(format!(
            "The run made {} trace records and kept the last {} (build with \
             <code>.full_trace(true)</code> to keep them all).",
            p.total_records,
            p.records.len()
        ));
    }
    if cut > 0 {
        notes.push(format!(
            "Only the last {MAX_ROWS} of {} events are drawn; the first {cut} are left out.",
            drawn_all.len()
        ));
    }
    if switches > 0 {
        notes.push(format!(
            "{switches} scheduling decisions are not drawn (they are in the text timeline)."
        ));
    }
    if hidden_threads > 0 {
        notes.push(format!(
            "{hidden_threads} more threads have no lane (at most {MAX_THREAD_LANES}); their \
             events are left out."
        ));
    }
    let _ = writeln!(
        s,
        "<h2>Sequence diagram</h2>\n<p class=\"legend\">Time runs downward (one row per event, \
         virtual time on the left). <span style=\"color:#1f5fbf\">&#8594; data</span>, \
         <span style=\"color:#6b6b6b\">&#8594; SYN/ACK/FIN</span>, \
         <span style=\"color:#7a2ea0\">&#8594; RST/ICMP</span> between host lanes; \
         &#9679; calls and &#9632; completions on thread lanes \
         (<span style=\"color:#b35900\">errors in orange</span>); \
         <span style=\"color:{FAULT_RED}\">&#9670; faults in red</span>. \
         Hover a mark for its full text.</p>"
    );
    for n in &notes {
        let _ = writeln!(s, "<p class=\"note\">{n}</p>");
    }

    let segs = rows
        .iter()
        .filter(|r| matches!(r.kind, TraceKind::Segment { .. }))
        .count();
    let faults = rows.iter().filter(|r| r.is_fault()).count();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\" \
         data-lanes=\"{}\" data-rows=\"{}\" data-segments=\"{segs}\" data-faults=\"{faults}\">",
        lanes.len(),
        rows.len()
    );
    s.push_str("<defs>\n");
    for (colour, id) in [
        ("#1f5fbf", "a-data"),
        ("#6b6b6b", "a-ctl"),
        ("#7a2ea0", "a-rst"),
    ] {
        let _ = writeln!(
            s,
            "<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
             markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">\
             <path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>"
        );
    }
    s.push_str("</defs>\n");
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );

    // Lane heads and lines.
    for (&lane, &x) in &x_of {
        let (head, sub, fill) = match lane {
            Lane::Net(h) => {
                let info = &p.hosts[h];
                (
                    format!("host {}", info.name),
                    format!("{} (h{h})", info.addr),
                    "#e8eef8",
                )
            }
            Lane::Thread(t) => {
                let name = err
                    .threads
                    .iter()
                    .find(|r| r.id == t)
                    .map_or("", |r| r.name.as_str());
                let host = host_of_thread(t)
                    .and_then(|h| p.hosts.get(h))
                    .map_or("", |h| h.name.as_str());
                (format!("t{t} {name}"), format!("on {host}"), "#f4f4f4")
            }
        };
        let _ = writeln!(
            s,
            "<g class=\"lane-head\"><rect x=\"{}\" y=\"8\" width=\"{}\" height=\"40\" rx=\"4\" \
             fill=\"{fill}\" stroke=\"#999999\"/><text x=\"{x}\" y=\"24\" text-anchor=\"middle\" \
             font-weight=\"bold\">{}</text><text x=\"{x}\" y=\"40\" text-anchor=\"middle\">{}</text>\
             <title>{}</title></g>",
            x - LANE_W / 2 + 6,
            LANE_W - 12,
            escape(&clip(&head, 26)),
            escape(&clip(&sub, 28)),
            escape(&format!("{head} {sub}"))
        );
        let dash = if matches!(lane, Lane::Net(_)) {
            ""
        } else {
            " stroke-dasharray=\"4 3\""
        };
        let _ = writeln!(
            s,
            "<line class=\"lane\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#b0b0b0\"{dash}/>",
            TOP - 12,
            height - 10
        );
    }

    let mut last_time = None;
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + ROW_H * i as i64 + ROW_H / 2;
        if i % 2 == 1 {
            let _ = writeln!(
                s,
                "<rect x=\"0\" y=\"{}\" width=\"{width}\" height=\"{ROW_H}\" fill=\"#f7f9fc\"/>",
                y - ROW_H / 2
            );
        }
        // The time, when it reads differently from the row above's.
        let time = format!("{:.3} ms", r.time as f64 / 1e6);
        if last_time.as_ref() != Some(&time) {
            let _ = writeln!(
                s,
                "<text class=\"time\" x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#555555\">{time}</text>",
                LEFT - 6,
                y + 4,
            );
            last_time = Some(time);
        }
        event(&mut s, r, y, width, &x_of);
    }
    end_row(
        &mut s,
        err,
        TOP + ROW_H * rows.len() as i64 + ROW_H / 2,
        &x_of,
    );
    s.push_str("</svg>\n");

    s.push_str("<h2>Timeline as text</h2>\n<pre class=\"timeline\">");
    for l in err.last_trace {
        let _ = writeln!(s, "{}", escape(l));
    }
    s.push_str("</pre>\n</body>\n</html>\n");
    s
}

/// The header: what failed, the seed, plan, contract, the replay and fixture commands, each
/// thread's end.
fn header(s: &mut String, err: &Page<'_>) {
    s.push_str("<table class=\"facts\">\n");
    for (k, v) in &err.facts {
        let _ = writeln!(s, "<tr><th>{k}</th><td>{}</td></tr>", escape(v));
    }
    for (k, v) in &err.commands {
        let _ = writeln!(
            s,
            "<tr><th>{k}</th><td><code>{}</code></td></tr>",
            escape(v)
        );
    }
    s.push_str("</table>\n<h2>Threads</h2>\n<ul class=\"threads\">\n");
    for t in err.threads {
        let (state, bad) = match &t.outcome {
            ThreadOutcome::Ok => ("finished".to_string(), false),
            ThreadOutcome::Err(e) => (format!("returned {e}"), true),
            ThreadOutcome::Panicked(m) => (format!("panicked: {m}"), true),
            ThreadOutcome::Unfinished(c) => match &t.waits_for {
                Some(w) => (format!("unfinished: {c} on {w}"), false),
                None => (format!("unfinished: {c}"), false),
            },
        };
        let _ = writeln!(
            s,
            "<li{}>t{} {} on {}{}: {}</li>",
            if bad { " class=\"bad\"" } else { "" },
            t.id,
            escape(&t.name),
            escape(&t.host),
            if t.daemon { " (daemon)" } else { "" },
            escape(&state)
        );
    }
    s.push_str("</ul>\n");
}

const STYLE: &str = "body { font-family: sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; margin: 0 0 10px; }
h2 { font-size: 16px; margin: 16px 0 6px; }
table.facts { border-collapse: collapse; font-size: 13px; }
table.facts th { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; white-space: nowrap; }
table.facts td { padding: 2px 0; }
code, pre { font-family: monospace; font-size: 12px; }
td code { background: #f2f2f2; padding: 1px 4px; word-break: break-all; }
ul.threads { font-size: 13px; margin: 0; }
li.bad { color: #b35900; font-weight: bold; }
p.legend, p.note { font-size: 13px; margin: 4px 0; }
p.note { color: #7a4a00; }
svg g:hover text { font-weight: bold; }
pre.timeline { background: #f7f7f7; padding: 8px; overflow-x: auto; }
";
