//! The error a failed run returns: what went wrong, the seed, fault plan and options with one
//! command line that replays exactly that run, each thread's state and the timeline of the
//! last trace lines (faults marked).

use std::fmt;
use std::path::Path;
use std::time::Duration;

use super::net::fault::FaultPlan;
use super::picture::{self, Page, Picture, PictureFile};
use super::replay::{Replay, REPLAY_ENV};
use crate::sim::runtime::{SimErrorKind, ThreadOutcome, ThreadReport};

/// The test a run belongs to, as `cargo test` names it: the test binary and the test's name
/// (libtest names each test's thread after the test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestId {
    /// The cargo target selector: `--test <file>` for an integration test, `--lib` for a unit
    /// test, empty when unknown.
    pub target: String,
    /// The test's path (`module::name`), or `None` outside a test thread.
    pub name: Option<String>,
}

impl TestId {
    /// The test running the calling thread, from the thread's name and the executable's.
    pub fn current() -> TestId {
        let name = std::thread::current()
            .name()
            .filter(|n| *n != "main")
            .map(str::to_string);
        let target = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .and_then(|stem| {
                // Cargo names test executables `<target>-<16 hex digits>`.
                let (bin, hash) = stem.rsplit_once('-')?;
                let hashed = hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit());
                hashed.then(|| {
                    if bin == env!("CARGO_CRATE_NAME") {
                        "--lib".to_string()
                    } else {
                        format!("--test {bin}")
                    }
                })
            })
            .unwrap_or_default();
        TestId { target, name }
    }
}

/// A failed run: what went wrong, how to replay it, each thread's state, the last trace
/// lines.
#[derive(Debug, Clone)]
pub struct SimError {
    /// What went wrong.
    pub kind: SimErrorKind,
    /// The root seed (replay with `WINSOCK_SIM_SEED=<seed>` or `.seed(seed)`).
    pub seed: u64,
    /// Virtual time of the failure.
    pub virtual_time: Duration,
    /// Every thread's state.
    pub threads: Vec<ThreadReport>,
    /// The last trace records, formatted (a boxed slice: it keeps `SimError` small enough to
    /// return by value).
    pub last_trace: Box<[String]>,
    /// Hash of the trace so far (0 with the trace off: `SimBuilder::trace(false)`).
    pub trace_hash: u64,
    /// The fault plan of the run (replay it with the same seed).
    pub faults: FaultPlan,
    /// Seed, plan and contract options of the run: `WINSOCK_SIM_REPLAY=<this>` replays it.
    pub replay: Box<Replay>,
    /// The run's picture: the records, hosts and threads it is drawn from, and the file
    /// [`Sim::run`](crate::sim::Sim::run) wrote it to (see [`SimError::to_html`]).
    pub picture: Box<Picture>,
}

impl SimError {
    /// What went wrong, in one line.
    pub fn what(&self) -> &'static str {
        match self.kind {
            SimErrorKind::Deadlock => "deadlock: every thread is blocked and nothing is pending",
            SimErrorKind::Panic => "a simulated thread panicked",
            SimErrorKind::ThreadFailed => "a simulated thread returned an error",
            SimErrorKind::TimeLimit => "virtual time limit exceeded",
            SimErrorKind::Stalled => {
                "stalled: a simulated thread blocked outside the simulator (a lock held across \
                 a WinSock call, a real socket, a sleep) and the run made no progress"
            }
        }
    }

    /// The run's picture: a self-contained HTML page with an inline SVG sequence diagram of
    /// its timeline (hosts and threads as lanes, segments as arrows, calls and completions
    /// as marks, faults in red) under the seed, plan, contract and replay command. The last
    /// [`MAX_ROWS`](crate::sim::picture::MAX_ROWS) events are drawn; scheduling decisions
    /// are not.
    pub fn to_html(&self) -> String {
        let options = Replay {
            seed: None,
            plan: None,
            ..(*self.replay).clone()
        };
        picture::html(&Page {
            what: self.what(),
            seed: self.seed,
            virtual_time: self.virtual_time,
            facts: vec![
                (
                    "virtual time",
                    format!("{:.6} s", self.virtual_time.as_secs_f64()),
                ),
                ("seed", self.seed.to_string()),
                ("fault plan", self.faults.to_string()),
                ("contract and options", options.to_string()),
                ("trace hash", format!("{:#018x}", self.trace_hash)),
            ],
            commands: vec![
                ("replay this run", self.replay_command()),
                ("keep it as a fixture", self.fixture_command()),
            ],
            threads: &self.threads,
            last_trace: &self.last_trace,
            picture: &self.picture,
        })
    }

    /// Writes the picture into [`picture::picture_dir`], named after the test running the
    /// calling thread and the seed; never fails: a failure to write is the result.
    pub(crate) fn write_default_picture(&self) -> PictureFile {
        let dir = match picture::picture_dir() {
            Ok(d) => d,
            Err(why) => return PictureFile::NotWritten(why),
        };
        let test = TestId::current();
        let path = dir.join(picture::picture_file_name(test.name.as_deref(), self.seed));
        let written = std::fs::create_dir_all(&dir).and_then(|()| self.write_picture(&path));
        match written {
            Ok(()) => PictureFile::Written(path),
            Err(e) => PictureFile::NotWritten(format!("{}: {e}", path.display())),
        }
    }

    /// Writes [`SimError::to_html`] to `path` (a failed [`Sim::run`](crate::sim::Sim::run)
    /// has written it already, to the file [`SimError::picture`] names).
    pub fn write_picture(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_html())
    }

    /// The shell command that reruns exactly this run: the test running the calling thread
    /// (see [`TestId::current`]), with `WINSOCK_SIM_REPLAY` set to this run's seed, plan and
    /// A cycle of threads each waiting for the next to release a mutex or end (threads by
    /// index, in order), if the blocked threads' waits make one: a lock-order deadlock.
    pub fn wait_cycle(&self) -> Option<Vec<usize>> {
        let next = |t: usize| self.threads.get(t).and_then(|r| r.waits_on_thread);
        for start in 0..self.threads.len() {
            let mut path = vec![start];
            let mut t = start;
            while let Some(n) = next(t) {
                if n == start {
                    // Starts are tried lowest first: the cycle is reported from its lowest
                    // thread.
                    return Some(path);
                }
                if path.contains(&n) || path.len() > self.threads.len() {
                    break;
                }
                path.push(n);
                t = n;
            }
        }
        None
    }

    /// options.
    pub fn replay_command(&self) -> String {
        let test = TestId::current();
        let mut cmd = format!("{REPLAY_ENV}='{}' cargo test", self.replay);
        if !test.target.is_empty() {
            cmd.push(' ');
            cmd.push_str(&test.target);
        }
        if let Some(name) = &test.name {
            cmd.push_str(&format!(" -- --exact {name}"));
        }
        cmd
    }

    /// The shell command that keeps this run as a fixture replayed on every test run.
    pub fn fixture_command(&self) -> String {
        let test = TestId::current();
        let name = test.name.as_deref().unwrap_or("<test name>");
        let name = name.rsplit("::").next().unwrap_or(name);
        format!("ci/add-fixture.sh {name} '{}'", self.replay)
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.what();
        writeln!(
            f,
            "winsock-sim: {what} at {:.6} s virtual (seed {}; replay with WINSOCK_SIM_SEED={})",
            self.virtual_time.as_secs_f64(),
            self.seed,
            self.seed
        )?;
        writeln!(f, "fault plan: {}", self.faults)?;
        if !self.faults.is_empty() {
            writeln!(f, "  as code: {:?}", self.faults)?;
        }
        let options = Replay {
            seed: None,
            plan: None,
            ..(*self.replay).clone()
        };
        writeln!(f, "options: {options}")?;
        writeln!(f, "replay this run exactly:\n  {}", self.replay_command())?;
        writeln!(f, "keep it as a fixture:\n  {}", self.fixture_command())?;
        match &self.picture.file {
            PictureFile::Written(path) => writeln!(
                f,
                "its picture (a sequence diagram; open it in a browser):\n  {}",
                path.display()
            )?,
            PictureFile::NotWritten(why) => writeln!(f, "picture not written: {why}")?,
        }
        writeln!(f, "threads:")?;
        for t in &self.threads {
            let state = match &t.outcome {
                ThreadOutcome::Ok => "finished".to_string(),
                ThreadOutcome::Err(e) => format!("returned {e}"),
                ThreadOutcome::Panicked(m) => format!("panicked: {m}"),
                ThreadOutcome::Unfinished(call) if call.contains(' ') => call.to_string(),
                ThreadOutcome::Unfinished(call) => format!("blocked in {call}"),
            };
            let on = t
                .waits_for
                .as_ref()
                .map_or_else(String::new, |w| format!(" on {w}"));
            writeln!(
                f,
                "  t{} {:?} on {}{}: {state}{on}",
                t.id,
                t.name,
                t.host,
                if t.daemon { " (daemon)" } else { "" }
            )?;
        }
        if !self.picture.misuses.is_empty() {
            writeln!(f, "misuses of the API (Windows does not report them):")?;
            for m in &self.picture.misuses {
                writeln!(f, "  {m}")?;
            }
        }
        if let Some(cycle) = self.wait_cycle() {
            let names: Vec<String> = cycle
                .iter()
                .map(|&t| format!("t{t} {:?}", self.threads[t].name))
                .collect();
            writeln!(
                f,
                "wait cycle (each waits for the next to release a mutex or end): {} -> {}",
                names.join(" -> "),
                names[0]
            )?;
        }
        if self.picture.total_records == 0 {
            return writeln!(
                f,
                "timeline: no trace records (none are kept with SimBuilder::trace(false): the \
                 replay command above runs this case again with the trace on)"
            );
        }
        writeln!(
            f,
            "timeline (last trace lines; !! marks an injected fault):"
        )?;
        for l in &self.last_trace {
            let mark = if l.contains(" fault: ") { "!!" } else { "  " };
            writeln!(f, "{mark}{l}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SimError {}
