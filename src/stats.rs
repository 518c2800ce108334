//! Every aggregate of a (namespace, period), derived from its events in one pass.
//!
//! The one aggregate kept is a cell per (repository, tag, platform, by-tag?, client) with its
//! action counts. Client attributes are fixed, so every view (summaries, pull series, report
//! rows, unique counts) is a grouping of these cells: the numbers agree across views by
//! construction, and unique counts are real distinct counts of client ids.
use std::collections::{BTreeMap, BTreeSet};

use crate::calendar::Period;
use crate::events::{Action, Event};

/// Action counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub by_tag: u64,
    pub by_digest: u64,
    pub checks: u64,
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
        self.by_tag + self.by_digest
    }
    /// All events (`pullCount`, `PULLS`, `EVENT_COUNT`).
    pub fn total(&self) -> u64 {
        self.by_tag + self.by_digest + self.checks
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

/// Counts plus the distinct clients behind them.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub counts: Counts,
    pub clients: BTreeSet<u32>,
}

impl Tally {
    pub fn add(&mut self, client: u32, c: &Counts) {
        self.counts.add(c);
        self.clients.insert(client);
    }
    pub fn unique(&self) -> u64 {
        self.clients.len() as u64
    }
}

/// The aggregate of one namespace over one period.
#[derive(Debug, Clone)]
pub struct PeriodStats {
    pub period: Period,
    pub cells: BTreeMap<Cell, Counts>,
}

impl PeriodStats {
    pub fn new(period: Period) -> PeriodStats {
        PeriodStats { period, cells: BTreeMap::new() }
    }

    pub fn add_events(&mut self, events: &[Event]) {
        for e in events {
            let key =
                Cell { repo: e.repo, tag: e.tag, platform: e.platform, by_tag: e.action.by_tag(), client: e.client };
            self.cells.entry(key).or_default().add_action(e.action);
        }
    }

    /// Groups cells by `key`, in key order.
    pub fn group<K: Ord>(&self, mut key: impl FnMut(&Cell) -> Option<K>) -> BTreeMap<K, Tally> {
        let mut out: BTreeMap<K, Tally> = BTreeMap::new();
        for (cell, counts) in &self.cells {
            if let Some(k) = key(cell) {
                out.entry(k).or_default().add(cell.client, counts);
            }
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
