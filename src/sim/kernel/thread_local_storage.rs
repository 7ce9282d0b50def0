//! TLS and FLS slots (`api::thread_local_storage`): each process's allocation of slots (the
//! PEB's TLS bitmaps, ntdll's FLS callback table) and each thread's values (its TEB's
//! slots). The rules are kernelbase's and ntdll's as kernel32 thread.c and fiber.c pin them
//! on Windows; the callbacks themselves run in the calls layer, on the simulated thread
//! that frees the slot or exits, with the values this layer hands out.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::thread_local_storage::{
    FLS_MAXIMUM_AVAILABLE, TLS_EXPANSION_SLOTS, TLS_MINIMUM_AVAILABLE,
};
use crate::api::WsaError;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{Layers, World};

/// A slot's callback as the kernel keeps it (`PFLS_CALLBACK_FUNCTION`).
pub(crate) type FlsCallbackOf<L> = Arc<dyn Fn(&<L as Layers>::Handle, usize) + Send + Sync>;

/// TLS slots: the first 64 and the 1,024 expansion slots.
const TLS_SLOTS: usize = (TLS_MINIMUM_AVAILABLE + TLS_EXPANSION_SLOTS) as usize;

/// FLS slots, 0 included (never allocated).
const FLS_SLOTS: usize = FLS_MAXIMUM_AVAILABLE as usize;

/// An FLS slot of a process.
enum FlsSlot<L: Layers> {
    /// Free (slot 0 is never anything else, and no call accepts it).
    Free,
    /// Allocated, with its callback if it has one.
    Used(Option<FlsCallbackOf<L>>),
}

/// One process's slot allocation.
struct Process<L: Layers> {
    /// The host's crash count when it was made: a restarted host is a new process.
    boot: u32,
    /// Which TLS slots are allocated (slot 0 is the system's from the start).
    tls: Vec<bool>,
    /// The FLS slots.
    fls: Vec<FlsSlot<L>>,
    /// The highest FLS slot ever allocated: `FlsFree` past it is refused before the slot
    /// is looked at, as ntdll's `fls_high_index`.
    fls_high: u32,
}

impl<L: Layers> Process<L> {
    fn new(boot: u32) -> Self {
        let mut tls = vec![false; TLS_SLOTS];
        tls[0] = true;
        Process {
            boot,
            tls,
            fls: (0..FLS_SLOTS).map(|_| FlsSlot::Free).collect(),
            fls_high: 0,
        }
    }
}

/// One thread's values (grown as slots are set; a value past the end is 0).
#[derive(Default)]
struct Values {
    tls: Vec<usize>,
    fls: Vec<usize>,
}

fn read(v: &[usize], i: usize) -> usize {
    v.get(i).copied().unwrap_or(0)
}

fn write(v: &mut Vec<usize>, i: usize, value: usize) {
    if i >= v.len() {
        if value == 0 {
            return;
        }
        v.resize(i + 1, 0);
    }
    v[i] = value;
}

/// The kernel's TLS and FLS state.
pub(crate) struct LocalStorage<L: Layers> {
    /// Each process's allocation, by host.
    procs: BTreeMap<usize, Process<L>>,
    /// Each thread's values, by thread id (a thread without an entry holds only zeros).
    values: BTreeMap<usize, Values>,
}

impl<L: Layers> Default for LocalStorage<L> {
    fn default() -> Self {
        LocalStorage {
            procs: BTreeMap::new(),
            values: BTreeMap::new(),
        }
    }
}

/// Which storage a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tls,
    Fls,
}

/// A value an FLS callback is to be called with.
pub(crate) type Due<L> = (FlsCallbackOf<L>, usize);

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// `host`'s process slots (fresh after a crash).
    fn process(&mut self, host: usize) -> &mut Process<L> {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        let p = self
            .kern
            .local_storage
            .procs
            .entry(host)
            .or_insert_with(|| Process::new(boot));
        if p.boot != boot {
            *p = Process::new(boot);
        }
        p
    }

    /// Whether `index` names a slot of `kind` the value calls accept.
    fn in_range(kind: Kind, index: u32) -> bool {
        match kind {
            Kind::Tls => (index as usize) < TLS_SLOTS,
            Kind::Fls => index != 0 && (index as usize) < FLS_SLOTS,
        }
    }

    /// The threads of `host`'s process, in thread order.
    fn process_threads(&self, host: usize) -> Vec<usize> {
        let threads = &self.rt.threads;
        self.kern
            .local_storage
            .values
            .keys()
            .copied()
            .filter(|&t| threads.get(t).is_some_and(|th| th.host == host))
            .collect()
    }

    /// `TlsAlloc` / `FlsAlloc` on `host` for thread `tid`: the lowest free slot.
    pub(crate) fn local_alloc(
        &mut self,
        host: usize,
        tid: usize,
        kind: Kind,
        callback: Option<FlsCallbackOf<L>>,
    ) -> Result<u32, WsaError> {
        let p = self.process(host);
        match kind {
            Kind::Tls => {
                let i = p
                    .tls
                    .iter()
                    .position(|used| !used)
                    .ok_or(WsaError::ERROR_NO_MORE_ITEMS)?;
                p.tls[i] = true;
                // The caller's own value is cleared (a value set while the slot was free).
                if let Some(v) = self.kern.local_storage.values.get_mut(&tid) {
                    write(&mut v.tls, i, 0);
                }
                Ok(i as u32)
            }
            Kind::Fls => {
                let i = (1..FLS_SLOTS)
                    .find(|&i| matches!(p.fls[i], FlsSlot::Free))
                    .ok_or(WsaError::WSA_NOT_ENOUGH_MEMORY)?;
                p.fls[i] = FlsSlot::Used(callback);
                p.fls_high = p.fls_high.max(i as u32);
                Ok(i as u32)
            }
        }
    }

    /// Whether slot `index` of `kind` is allocated in `host`'s process (TLS slot 0 is, by
    /// the system).
    pub(crate) fn local_allocated(&mut self, host: usize, kind: Kind, index: u32) -> bool {
        let p = self.process(host);
        match kind {
            Kind::Tls => p.tls.get(index as usize).copied().unwrap_or(false),
            Kind::Fls => matches!(p.fls.get(index as usize), Some(FlsSlot::Used(_))),
        }
    }

    /// `TlsGetValue` / `FlsGetValue`: thread `tid`'s value.
    pub(crate) fn local_get(&self, tid: usize, kind: Kind, index: u32) -> Result<usize, WsaError> {
        if !Self::in_range(kind, index) {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let Some(v) = self.kern.local_storage.values.get(&tid) else {
            return Ok(0);
        };
        Ok(match kind {
            Kind::Tls => read(&v.tls, index as usize),
            Kind::Fls => read(&v.fls, index as usize),
        })
    }

    /// `TlsSetValue` / `FlsSetValue`: sets thread `tid`'s value.
    pub(crate) fn local_set(
        &mut self,
        tid: usize,
        kind: Kind,
        index: u32,
        value: usize,
    ) -> Result<(), WsaError> {
        if !Self::in_range(kind, index) {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let v = self.kern.local_storage.values.entry(tid).or_default();
        match kind {
            Kind::Tls => write(&mut v.tls, index as usize, value),
            Kind::Fls => write(&mut v.fls, index as usize, value),
        }
        Ok(())
    }

    /// `TlsFree` / `FlsFree` on `host`: frees the slot and clears every thread's value in
    /// it; for FLS, the callback and the values it is to be called with, in thread order.
    pub(crate) fn local_free(
        &mut self,
        host: usize,
        kind: Kind,
        index: u32,
    ) -> Result<Vec<Due<L>>, WsaError> {
        let i = index as usize;
        let p = self.process(host);
        let callback = match kind {
            Kind::Tls => {
                if !p.tls.get(i).copied().unwrap_or(false) {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                p.tls[i] = false;
                None
            }
            Kind::Fls => {
                if index == 0 || index > p.fls_high {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                match std::mem::replace(&mut p.fls[i], FlsSlot::Free) {
                    FlsSlot::Free => return Err(WsaError::WSA_INVALID_PARAMETER),
                    FlsSlot::Used(callback) => callback,
                }
            }
        };
        let mut due = Vec::new();
        for t in self.process_threads(host) {
            let Some(v) = self.kern.local_storage.values.get_mut(&t) else {
                continue;
            };
            let slots = match kind {
                Kind::Tls => &mut v.tls,
                Kind::Fls => &mut v.fls,
            };
            let value = read(slots, i);
            if value != 0 {
                write(slots, i, 0);
                if let Some(cb) = &callback {
                    due.push((cb.clone(), value));
                }
            }
        }
        Ok(due)
    }

    /// Thread `tid` of `host` is exiting (ntdll's `RtlProcessFlsData`): its next non-zero
    /// FLS value from slot `from` on, cleared, with its slot and the slot's callback if it
    /// has one. One slot at a time, in slot order, so that a callback that sets a value of
    /// a later slot has it called back too, and one of an earlier slot does not.
    pub(crate) fn local_exit_next(
        &mut self,
        host: usize,
        tid: usize,
        from: usize,
    ) -> Option<(usize, Option<Due<L>>)> {
        let v = self.kern.local_storage.values.get_mut(&tid)?;
        let i = (from..v.fls.len()).find(|&i| v.fls[i] != 0)?;
        let value = std::mem::take(&mut v.fls[i]);
        let due = match self.process(host).fls.get(i) {
            Some(FlsSlot::Used(Some(cb))) => Some((cb.clone(), value)),
            _ => None,
        };
        Some((i, due))
    }

    /// Thread `tid` has exited: its values go.
    pub(crate) fn local_thread_gone(&mut self, tid: usize) {
        self.kern.local_storage.values.remove(&tid);
    }
}
