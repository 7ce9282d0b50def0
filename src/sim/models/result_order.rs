//! The order in which OVERLAPPEDs received their last results, oldest first.
//!
//! On Windows a finished operation's status and byte count stay in its OVERLAPPED (Internal,
//! InternalHigh) until the structure is reused, so WSAGetOverlappedResult and
//! HasOverlappedIoCompleted report them again at any later time. The sim keeps them in its
//! map of OVERLAPPEDs, and to bound its memory for programs that never reuse one, it forgets
//! the least recently finished beyond a limit. This list gives that order: a doubly linked
//! list over a slab, so a result is added, dropped when its OVERLAPPED starts another
//! operation, or evicted in O(1), and each OVERLAPPED is in it at most once (a reused one
//! moves to the end instead of leaving a stale place behind).

/// No node.
const NIL: u32 = u32::MAX;

/// One place in the list: the OVERLAPPED (host, id) and its neighbours.
#[derive(Debug, Clone, Copy)]
struct Node {
    key: (usize, u64),
    prev: u32,
    next: u32,
}

/// OVERLAPPEDs holding a result, least recently finished first.
#[derive(Debug)]
pub(crate) struct ResultOrder {
    nodes: Vec<Node>,
    /// Slots of removed nodes, reused last-freed first.
    free: Vec<u32>,
    head: u32,
    tail: u32,
    len: usize,
}

impl Default for ResultOrder {
    fn default() -> Self {
        ResultOrder {
            nodes: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            len: 0,
        }
    }
}

impl ResultOrder {
    /// How many OVERLAPPEDs hold a result.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds `key` as the most recently finished; returns its node, which
    /// [`ResultOrder::remove`] takes.
    pub(crate) fn push(&mut self, key: (usize, u64)) -> u32 {
        let node = Node {
            key,
            prev: self.tail,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                let i = u32::try_from(self.nodes.len())
                    .expect("winsock-sim internal error: over 2^32 OVERLAPPED results");
                self.nodes.push(node);
                i
            }
        };
        match self.tail {
            NIL => self.head = i,
            t => self.nodes[t as usize].next = i,
        }
        self.tail = i;
        self.len += 1;
        i
    }

    /// Takes node `i` (from [`ResultOrder::push`], not removed since) out of the list.
    pub(crate) fn remove(&mut self, i: u32) {
        let Node { prev, next, .. } = self.nodes[i as usize];
        match prev {
            NIL => self.head = next,
            p => self.nodes[p as usize].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.nodes[n as usize].prev = prev,
        }
        self.free.push(i);
        self.len -= 1;
    }

    /// Takes the least recently finished OVERLAPPED out of the list.
    pub(crate) fn pop_oldest(&mut self) -> Option<(usize, u64)> {
        if self.head == NIL {
            return None;
        }
        let i = self.head;
        let key = self.nodes[i as usize].key;
        self.remove(i);
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys in list order, oldest first (by popping a copy).
    fn keys(o: &ResultOrder) -> Vec<u64> {
        let mut o = ResultOrder {
            nodes: o.nodes.clone(),
            free: o.free.clone(),
            ..*o
        };
        std::iter::from_fn(|| o.pop_oldest().map(|k| k.1)).collect()
    }

    /// Proves: pushes come out oldest first; removing the head, the tail or a middle node
    /// keeps the rest in order; freed slots are reused; the count follows.
    #[test]
    fn keeps_finish_order_through_removals() {
        let mut o = ResultOrder::default();
        let n: Vec<u32> = (0..5).map(|k| o.push((0, k))).collect();
        assert_eq!(keys(&o), vec![0, 1, 2, 3, 4]);
        o.remove(n[2]);
        o.remove(n[0]);
        o.remove(n[4]);
        assert_eq!(keys(&o), vec![1, 3]);
        assert_eq!(o.len(), 2);
        let again = o.push((0, 9));
        assert!(n.contains(&again), "a freed slot is reused");
        assert_eq!(keys(&o), vec![1, 3, 9]);
        assert_eq!(o.pop_oldest(), Some((0, 1)));
        assert_eq!(o.pop_oldest(), Some((0, 3)));
        assert_eq!(o.pop_oldest(), Some((0, 9)));
        assert_eq!(o.pop_oldest(), None);
        assert_eq!(o.len(), 0);
    }
}
