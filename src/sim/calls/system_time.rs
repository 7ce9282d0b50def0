//! [`SystemTimes`] in the simulator: the host's system clock (`kernel/system_time.rs`, clock
//! settings included) read as a date; the simulated machines keep UTC, so the local time is
//! the system time. The conversions are the trait's own.

use crate::api::system_time::{SystemTime, SystemTimes};
use crate::api::WaitableTimers;
use crate::sim::api::SimWinsock;

impl SystemTimes for SimWinsock {
    fn get_system_time(&self) -> SystemTime {
        let ft = self.get_system_time_as_file_time();
        // Every time the simulated clock can show is a valid FILETIME (its settings are
        // bounded); the start of 1601 stands in for one that is not.
        SystemTime::from_file_time(ft)
            .unwrap_or_else(|_| SystemTime::from_file_time(0).expect("0 is a valid FILETIME"))
    }

    fn get_local_time(&self) -> SystemTime {
        self.get_system_time()
    }
}
