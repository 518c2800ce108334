//! Every aggregate of a (namespace, period), derived from its events in one pass.
//!
//! The one aggregate kept is a cell per (repository, tag, platform, by-tag?, client) with its
//! action counts. Client attributes are fixed, so every view (summaries, pull series, report
//! rows, unique counts) is a grouping of these cells: the numbers agree across views by
//! construction, and unique counts are real distinct counts of client ids.
use std::collections::BTreeMap;

use crate::calendar::Period;
use crate::events::{Action, Event};

/// Action counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub by_tag: u32,
    pub by_digest: u32,
    pub checks: u32,
}

impl Counts {
    pub fn add_action(&mut self, a: Action) {
        match a {
            Action::PullByTag => self.by_tag += 1,
            Action::PullByDigest => self.by_digest += 1,
            Action::VersionCheck => self.checks += 1,
        }
    }
    pub fn add(&mut self, o: &Counts) {
        self.by_tag += o.by_tag;
        self.by_digest += o.by_digest;
        self.checks += o.checks;
    }
    /// Data downloads (pulls by tag + by digest).
    pub fn downloads(&self) -> u64 {
        u64::from(self.by_tag) + u64::from(self.by_digest)
    }
    /// All events (`pullCount`, `PULLS`, `EVENT_COUNT`).
    pub fn total(&self) -> u64 {
        self.downloads() + u64::from(self.checks)
    }
}

/// The key of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub repo: u16,
    pub tag: u16,
    pub platform: u8,
    /// Whether the request named the tag (`false` = by digest).
    pub by_tag: bool,
    pub client: u32,
}

/// Counts plus the distinct clients behind them (sorted, without duplicates).
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub counts: Counts,
    pub clients: Vec<u32>,
}

impl Tally {
    pub fn unique(&self) -> u64 {
        self.clients.len() as u64
    }
}

/// The aggregate of one namespace over one period: cells sorted by key, each key once.
#[derive(Debug, Clone)]
pub struct PeriodStats {
    pub period: Period,
    pub cells: Vec<(Cell, Counts)>,
}

impl PeriodStats {
    pub fn new(period: Period) -> PeriodStats {
        PeriodStats { period, cells: Vec::new() }
    }

    /// The aggregate of a period's events.
    pub fn from_events(period: Period, events: &[Event]) -> PeriodStats {
        let mut cells = Vec::new();
        cells_of(events, &mut cells);
        PeriodStats { period, cells }
    }

    /// Adds the sorted, merged `cells` of a day (see [`cells_of`]) to this aggregate: a merge
    /// from the back inside the one buffer, so a month grows day by day without a second copy.
    pub fn absorb(&mut self, cells: &[(Cell, Counts)]) {
        let (a, b) = (self.cells.len(), cells.len());
        if b == 0 {
            return;
        }
        let v = &mut self.cells;
        if v.capacity() < a + b {
            // Grow by a quarter rather than doubling: a month's cells are the largest buffer.
            v.reserve_exact((a + b + (a + b) / 4) - a);
        }
        v.extend_from_slice(cells);
        let (mut i, mut j, mut k) = (a, b, a + b);
        // Invariant: k >= i + j, so writing v[k - 1] never overwrites an unread v[..i].
        while j > 0 {
            k -= 1;
            if i > 0 && v[i - 1].0 > cells[j - 1].0 {
                v[k] = v[i - 1];
                i -= 1;
            } else if i > 0 && v[i - 1].0 == cells[j - 1].0 {
                let mut c = v[i - 1].1;
                c.add(&cells[j - 1].1);
                v[k] = (cells[j - 1].0, c);
                i -= 1;
                j -= 1;
            } else {
                v[k] = cells[j - 1];
                j -= 1;
            }
        }
        // v[..i] never moved; equal keys left a gap between it and the merged tail.
        if k > i {
            v.copy_within(k.., i);
            v.truncate(i + (a + b - k));
        }
    }

    /// Groups cells by `key`, in key order.
    pub fn group<K: Ord>(&self, mut key: impl FnMut(&Cell) -> Option<K>) -> BTreeMap<K, Tally> {
        let mut out: BTreeMap<K, Tally> = BTreeMap::new();
        for (cell, counts) in &self.cells {
            if let Some(k) = key(cell) {
                let t = out.entry(k).or_default();
                t.counts.add(counts);
                if t.clients.last() != Some(&cell.client) {
                    t.clients.push(cell.client);
                }
            }
        }
        for t in out.values_mut() {
            t.clients.sort_unstable();
            t.clients.dedup();
        }
        out
    }

    /// The namespace total.
    pub fn total(&self) -> Tally {
        self.group(|_| Some(())).remove(&()).unwrap_or_default()
    }

    /// Per repository (only repositories with events).
    pub fn by_repo(&self) -> BTreeMap<u16, Tally> {
        self.group(|c| Some(c.repo))
    }
}

/// The cells of `events` into `out` (cleared first): sorted by key, equal keys merged. Sorting
/// then merging runs is much cheaper than a map insert per event.
pub fn cells_of(events: &[Event], out: &mut Vec<(Cell, Counts)>) {
    out.clear();
    out.extend(events.iter().map(|e| {
        let key = Cell { repo: e.repo, tag: e.tag, platform: e.platform, by_tag: e.action.by_tag(), client: e.client };
        let mut c = Counts::default();
        c.add_action(e.action);
        (key, c)
    }));
    out.sort_unstable_by_key(|(k, _)| *k);
    // Merge runs of equal keys in place (no second buffer).
    let mut w = 0;
    for r in 0..out.len() {
        if w > 0 && out[w - 1].0 == out[r].0 {
            let c = out[r].1;
            out[w - 1].1.add(&c);
        } else {
            out[w] = out[r];
            w += 1;
        }
    }
    out.truncate(w);
}
