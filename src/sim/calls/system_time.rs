//! [`SystemTimes`] in the simulator: the host's system clock (`kernel/system_time.rs`, clock
//! settings included) read as a date; the simulated machines keep UTC, so the local time is
//! the system time (a clock set past year 30828 shows the last FILETIME's date). The
//! conversions are the trait's own.

use crate::api::system_time::{SystemTime, SystemTimes};
use crate::api::WaitableTimers;
use crate::sim::api::SimWinsock;

impl SystemTimes for SimWinsock {
    fn get_system_time(&self) -> SystemTime {
        // A clock set past the last FILETIME a SYSTEMTIME holds (a plan may shift it by
        // anything) shows that last one, 30828-09-14 02:48:05.477.
        let ft = self.get_system_time_as_file_time().min(i64::MAX as u64);
        SystemTime::from_file_time(ft).unwrap_or_default()
    }

    fn get_local_time(&self) -> SystemTime {
        self.get_system_time()
    }
}
