//! Object names (`api::named_objects`): each host's namespaces — the session's, which
//! `Local\` also names, and the global one of `Global\` — mapping a name to the kernel
//! object that has it. A name goes with the last handle on its object (a wait that still
//! holds a closed object does not keep the name), as Windows' object manager removes a
//! temporary object's name when its handle count reaches zero.

use std::collections::BTreeMap;

use crate::api::WsaError;
use crate::sim::kernel::objects::{KObject, ObjRef};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::World;

/// Which kind of object a name call is about (a name another kind has is
/// ERROR_INVALID_HANDLE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Event,
    Mutex,
    Semaphore,
    Timer,
}

impl Kind {
    fn of<L: crate::sim::runtime::Layers>(o: &KObject<L>) -> Option<Kind> {
        match o {
            KObject::Event { .. } => Some(Kind::Event),
            KObject::Mutex { .. } => Some(Kind::Mutex),
            KObject::Semaphore { .. } => Some(Kind::Semaphore),
            KObject::Timer(_) => Some(Kind::Timer),
            KObject::Window { .. } | KObject::Port(_) => None,
        }
    }
}

/// A name in a host's namespaces: (host, global, the name in its directory).
type Key = (usize, bool, String);

/// The names in use.
#[derive(Default)]
pub(crate) struct ObjectNames {
    by_name: BTreeMap<Key, ObjRef>,
    /// Each named object's name, to drop it when the object's last handle closes.
    by_object: BTreeMap<usize, Key>,
}

/// Where a name lives: the namespace and the name in it. The empty name is no name.
fn key(host: usize, name: &str) -> Result<Option<Key>, WsaError> {
    let (global, rest) = if let Some(rest) = name.strip_prefix("Global\\") {
        (true, rest)
    } else if let Some(rest) = name.strip_prefix("Local\\") {
        (false, rest)
    } else {
        (false, name)
    };
    if rest.contains('\\') {
        return Err(WsaError::ERROR_PATH_NOT_FOUND);
    }
    Ok((!name.is_empty()).then(|| (host, global, rest.to_string())))
}

/// What a name leads to.
pub(crate) enum Found {
    /// No object has it.
    Free,
    /// An object of the kind asked for: its index.
    Object(usize),
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// What `name` names on `host` for a call about `kind`: nothing, an object of that kind,
    /// or (an object of another kind) ERROR_INVALID_HANDLE. `Ok(None)` for the empty name.
    pub(crate) fn name_lookup(
        &self,
        host: usize,
        name: &str,
        kind: Kind,
    ) -> Result<Option<Found>, WsaError> {
        let Some(k) = key(host, name)? else {
            return Ok(None);
        };
        let objects = &self.kern.objects;
        let live = self
            .kern
            .names
            .by_name
            .get(&k)
            .and_then(|r| objects.resolve(*r))
            .filter(|&idx| !objects.is_closed(idx));
        match live {
            None => Ok(Some(Found::Free)),
            Some(idx) => match objects.get(idx).and_then(Kind::of) {
                Some(k) if k == kind => Ok(Some(Found::Object(idx))),
                _ => Err(WsaError::WSA_INVALID_HANDLE),
            },
        }
    }

    /// Gives object `idx` (just made on `host`) the name `name` (not empty, free).
    pub(crate) fn name_object(&mut self, host: usize, name: &str, idx: usize) {
        if let Ok(Some(k)) = key(host, name) {
            let r = self.kern.objects.obj_ref(idx);
            self.kern.names.by_name.insert(k.clone(), r);
            self.kern.names.by_object.insert(idx, k);
        }
    }

    /// Object `idx`'s last handle is closed: its name, if it has one, is free.
    pub(crate) fn unname_object(&mut self, idx: usize) {
        if let Some(k) = self.kern.names.by_object.remove(&idx) {
            self.kern.names.by_name.remove(&k);
        }
    }
}
