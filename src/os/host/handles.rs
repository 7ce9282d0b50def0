//! The SOCKET-value table: WinSock handle values → the backend's socket objects.
//!
//! Values are handed out as the simulator does (and as Windows' handle table looks): multiples
//! of 4 from 0x100, a freed value reused before any new one, the last freed first. The OS's
//! own descriptor numbers never leak out, so tests see the same handle values on both backends.

/// First handle value handed out.
pub(crate) const FIRST_HANDLE: usize = 0x100;

/// Handle values → objects.
#[derive(Debug)]
pub(crate) struct Handles<T> {
    slots: Vec<Option<T>>,
    free: Vec<usize>,
}

impl<T> Default for Handles<T> {
    fn default() -> Self {
        Handles {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Handles<T> {
    /// Stores `obj` under a new handle value and returns the value.
    pub(crate) fn insert(&mut self, obj: T) -> usize {
        let h = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            FIRST_HANDLE + 4 * (self.slots.len() - 1)
        });
        self.slots[Self::index(h).expect("handle values come from this table")] = Some(obj);
        h
    }

    /// The object behind handle `h`, if `h` names one.
    pub(crate) fn get(&self, h: usize) -> Option<&T> {
        self.slots.get(Self::index(h)?)?.as_ref()
    }

    /// Frees `h` and returns its object; `None` (and nothing freed) if `h` names nothing.
    pub(crate) fn remove(&mut self, h: usize) -> Option<T> {
        let obj = self.slots.get_mut(Self::index(h)?)?.take()?;
        self.free.push(h);
        Some(obj)
    }

    /// Whether some handle's object satisfies `pred`.
    pub(crate) fn any(&self, pred: impl Fn(&T) -> bool) -> bool {
        self.slots.iter().flatten().any(pred)
    }

    /// Frees every handle, returning the objects in handle order.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        let mut out = Vec::new();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Some(obj) = slot.take() {
                out.push(obj);
                self.free.push(FIRST_HANDLE + 4 * i);
            }
        }
        out
    }

    fn index(h: usize) -> Option<usize> {
        (h >= FIRST_HANDLE && h % 4 == 0).then(|| (h - FIRST_HANDLE) / 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_multiples_of_four_from_0x100() {
        let mut t = Handles::default();
        assert_eq!(t.insert('a'), 0x100);
        assert_eq!(t.insert('b'), 0x104);
        assert_eq!(t.insert('c'), 0x108);
        assert_eq!(t.get(0x104), Some(&'b'));
        for bad in [0, 0x0fc, 0x101, 0x10c, usize::MAX] {
            assert_eq!(t.get(bad), None, "{bad:#x}");
        }
    }

    #[test]
    fn freed_values_are_reused_last_freed_first() {
        let mut t = Handles::default();
        let (a, b, c) = (t.insert(1), t.insert(2), t.insert(3));
        assert_eq!(t.remove(a), Some(1));
        assert_eq!(t.remove(c), Some(3));
        assert_eq!(t.remove(c), None, "a double close frees nothing");
        assert_eq!(t.insert(4), c);
        assert_eq!(t.insert(5), a);
        assert_eq!(t.insert(6), 0x10c);
        assert_eq!(t.get(b), Some(&2));
    }

    #[test]
    fn drain_empties_the_table() {
        let mut t = Handles::default();
        t.insert(1);
        t.insert(2);
        assert_eq!(t.drain(), vec![1, 2]);
        assert_eq!(t.get(0x100), None);
        assert_eq!(
            t.insert(3),
            0x104,
            "drained values are free, last freed first"
        );
    }
}
