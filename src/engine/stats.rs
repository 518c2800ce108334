//! Every aggregate of a (namespace, period), derived from its events in one pass, in memory
//! that does not grow with the number of events.
//!
//! Two structures are kept:
//! - counts per cell (repository, tag, platform, by-tag?, client *profile*): profiles (country,
//!   network, agent) are shared by many clients, so there are at most (variants × profiles)
//!   cells however many events fall in the period;
//! - presence: per (repository, tag, platform, action), the set of clients that did it, a
//!   bitset over client ids, for distinct counts.
//!
//! Every view is a grouping by one key function of (variant, profile): counts come from the
//! cells, distinct clients from the presence sets. The numbers agree across views by
//! construction, and unique counts are real distinct counts of client ids.
use std::collections::BTreeMap;

use crate::engine::calendar::Period;
use crate::engine::clients::Profile;
use crate::engine::events::{Action, Event};
use crate::engine::world::World;

/// Action counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub(crate) by_tag: u32,
    pub(crate) by_digest: u32,
    pub(crate) checks: u32,
}

impl Counts {
    pub(crate) fn add_action(&mut self, a: Action) {
        match a {
            Action::PullByTag => self.by_tag += 1,
            Action::PullByDigest => self.by_digest += 1,
            Action::VersionCheck => self.checks += 1,
        }
    }
    pub(crate) fn add(&mut self, o: &Counts) {
        self.by_tag += o.by_tag;
        self.by_digest += o.by_digest;
        self.checks += o.checks;
    }
    /// Data downloads (pulls by tag + by digest).
    pub(crate) fn downloads(&self) -> u64 {
        u64::from(self.by_tag) + u64::from(self.by_digest)
    }
    /// All events (`pullCount`, `PULLS`, `EVENT_COUNT`).
    pub fn total(&self) -> u64 {
        self.downloads() + u64::from(self.checks)
    }
}

/// A set of client ids (a bitset; an eighth of a byte per client of the world).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSet(Vec<u64>);

impl ClientSet {
    /// The union of bitsets of `words` words each.
    fn union<'s>(words: usize, sets: impl IntoIterator<Item = &'s [u64]>) -> ClientSet {
        let mut out = vec![0; words];
        for set in sets {
            out.iter_mut().zip(set).for_each(|(o, w)| *o |= w);
        }
        ClientSet(out)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    pub(crate) fn contains(&self, client: u32) -> bool {
        self.0.get(client as usize / 64).is_some_and(|w| w >> (client % 64) & 1 == 1)
    }
    /// Client ids in ascending order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let c = (i * 64) as u32 + bits.trailing_zeros();
                    bits &= bits - 1;
                    c
                })
            })
        })
    }
}

/// What an event pulled, as far as the aggregates care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pull {
    pub(crate) repo: u16,
    pub(crate) tag: u16,
    pub(crate) platform: u8,
    /// Whether the request named the tag (`false` = by digest).
    pub(crate) by_tag: bool,
}

/// The key of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cell {
    pub(crate) pull: Pull,
    /// Index into [`World::profiles`].
    pub(crate) profile: u32,
}

/// Counts plus the number of distinct clients behind them, and how many of those pull
/// authenticated.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub(crate) counts: Counts,
    pub(crate) clients: u64,
    pub(crate) authenticated: u64,
}

impl Tally {
    pub(crate) fn unique(&self) -> u64 {
        self.clients
    }
}

/// Actions in presence order (a presence set is `variant * 3 + action`).
const ACTIONS: [Action; 3] = [Action::PullByTag, Action::PullByDigest, Action::VersionCheck];

fn action_index(a: Action) -> usize {
    match a {
        Action::PullByTag => 0,
        Action::PullByDigest => 1,
        Action::VersionCheck => 2,
    }
}

/// The aggregate of one namespace over one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeriodStats {
    pub(crate) period: Period,
    pub(crate) ns: usize,
    /// Sorted by key, each key once.
    pub(crate) cells: Vec<(Cell, Counts)>,
    /// Per `variant * 3 + action` (see `Namespace::variants`): the clients that did it, as a
    /// bitset over client ids; allocated on first use.
    presence: Vec<Option<Box<[u64]>>>,
}

impl PeriodStats {
    pub(crate) fn new(period: Period, ns: usize) -> PeriodStats {
        PeriodStats { period, ns, cells: Vec::new(), presence: Vec::new() }
    }

    /// Like [`PeriodStats::new`], reusing `cells`' allocation (cleared first).
    pub(crate) fn reusing(period: Period, ns: usize, mut cells: Vec<(Cell, Counts)>) -> PeriodStats {
        cells.clear();
        PeriodStats { period, ns, cells, presence: Vec::new() }
    }

    /// The aggregate of a period's events.
    pub(crate) fn from_events(world: &World, ns: usize, period: Period, events: &[Event]) -> PeriodStats {
        let mut st = PeriodStats::new(period, ns);
        cells_of(world, events, &mut st.cells);
        st.mark(world, events);
        st
    }

    /// Adds `events`' clients to the presence sets (the cells are added with [`absorb`]).
    ///
    /// [`absorb`]: PeriodStats::absorb
    pub(crate) fn mark(&mut self, world: &World, events: &[Event]) {
        let namespace = &world.namespaces[self.ns];
        let words = world.clients.len().div_ceil(64);
        for e in events {
            let g = namespace.variant(e.repo, e.tag, e.platform) * 3 + action_index(e.action);
            if g >= self.presence.len() {
                self.presence.resize(g + 1, None);
            }
            let set = self.presence[g].get_or_insert_with(|| vec![0u64; words].into_boxed_slice());
            set[e.client as usize / 64] |= 1 << (e.client % 64);
        }
    }

    /// Adds the sorted, merged `cells` of a day (see [`cells_of`]) to this aggregate: a merge
    /// from the back inside the one buffer, so a month grows day by day without a second copy.
    pub(crate) fn absorb(&mut self, cells: &[(Cell, Counts)]) {
        merge_cells(&mut self.cells, cells);
    }

    /// Groups by a key in two parts, `a` of what was pulled and `b` of the client's profile,
    /// in key order (skipping cells either part maps to `None`). Counts are summed over the
    /// cells; the distinct clients of (a, b) are those in the union of the presence sets that
    /// map to `a`, whose profile maps to `b`. Nothing per client is kept: memory is the number
    /// of groups plus one client bitset.
    pub(crate) fn group<A: Ord + Clone, B: Ord + Clone>(
        &self,
        world: &World,
        mut a: impl FnMut(&Pull) -> Option<A>,
        mut b: impl FnMut(&Profile) -> Option<B>,
    ) -> BTreeMap<(A, B), Tally> {
        const NONE: u32 = u32::MAX;
        const UNSET: u32 = u32::MAX - 1;
        let (mut a_index, mut b_index) = (BTreeMap::<A, u32>::new(), BTreeMap::<B, u32>::new());
        let mut slot_a = |pull: &Pull| match a(pull) {
            Some(k) => {
                let n = a_index.len() as u32;
                *a_index.entry(k).or_insert(n)
            }
            None => NONE,
        };
        // Per profile: its `b` slot, computed on first sight.
        let mut b_slot = vec![UNSET; world.profiles.len()];
        let mut slot_b = |profile: u32| {
            let s = &mut b_slot[profile as usize];
            if *s == UNSET {
                *s = match b(&world.profiles[profile as usize]) {
                    Some(k) => {
                        let n = b_index.len() as u32;
                        *b_index.entry(k).or_insert(n)
                    }
                    None => NONE,
                };
            }
            *s
        };
        // tally[a][b] = index into `tallies`.
        let mut tally: Vec<Vec<u32>> = Vec::new();
        let mut tallies: Vec<Tally> = Vec::new();
        let mut at = |sa: u32, sb: u32, tallies: &mut Vec<Tally>| {
            let (sa, sb) = (sa as usize, sb as usize);
            if tally.len() <= sa {
                tally.resize(sa + 1, Vec::new());
            }
            let row = &mut tally[sa];
            if row.len() <= sb {
                row.resize(sb + 1, NONE);
            }
            if row[sb] == NONE {
                row[sb] = tallies.len() as u32;
                tallies.push(Tally::default());
            }
            row[sb] as usize
        };
        let mut last: Option<(Pull, u32)> = None;
        for (cell, counts) in &self.cells {
            let sa = match last {
                Some((p, sa)) if p == cell.pull => sa,
                _ => slot_a(&cell.pull),
            };
            last = Some((cell.pull, sa));
            let sb = slot_b(cell.profile);
            if sa != NONE && sb != NONE {
                let i = at(sa, sb, &mut tallies);
                tallies[i].counts.add(counts);
            }
        }
        // Distinct clients: per `a` slot, the union of its presence sets, each client once.
        let namespace = &world.namespaces[self.ns];
        let mut sets_of: BTreeMap<u32, Vec<&[u64]>> = BTreeMap::new();
        for (g, set) in self.presence.iter().enumerate() {
            let Some(set) = set else { continue };
            let (repo, tag, platform) = namespace.variants[g / 3];
            let sa = slot_a(&Pull { repo, tag, platform, by_tag: ACTIONS[g % 3].by_tag() });
            if sa != NONE {
                sets_of.entry(sa).or_default().push(set);
            }
        }
        let words = world.clients.len().div_ceil(64);
        for (sa, sets) in sets_of {
            for c in ClientSet::union(words, sets).iter() {
                let client = &world.clients[c as usize];
                let sb = slot_b(client.profile_id);
                if sb != NONE {
                    let i = at(sa, sb, &mut tallies);
                    tallies[i].clients += 1;
                    tallies[i].authenticated += u64::from(client.user().is_some());
                }
            }
        }
        // Slot -> key, for the result.
        fn named<K: Clone>(index: BTreeMap<K, u32>) -> Vec<Option<K>> {
            let mut by_slot = vec![None; index.len()];
            for (k, i) in index {
                by_slot[i as usize] = Some(k);
            }
            by_slot
        }
        let (a_by_slot, b_by_slot) = (named(a_index), named(b_index));
        let mut out = BTreeMap::new();
        for (sa, row) in tally.iter().enumerate() {
            for (sb, &i) in row.iter().enumerate().filter(|(_, &i)| i != NONE) {
                let key = (a_by_slot[sa].clone().expect("slot named"), b_by_slot[sb].clone().expect("slot named"));
                out.insert(key, std::mem::take(&mut tallies[i as usize]));
            }
        }
        out
    }

    /// The namespace total.
    pub(crate) fn total(&self, world: &World) -> Tally {
        self.group(world, |_| Some(()), |_| Some(())).remove(&((), ())).unwrap_or_default()
    }

    /// Per repository (only repositories with events).
    pub(crate) fn by_repo(&self, world: &World) -> BTreeMap<u16, Tally> {
        self.group(world, |p| Some(p.repo), |_| Some(())).into_iter().map(|((r, ()), t)| (r, t)).collect()
    }

    /// The distinct clients of the (repository, tag, platform, action) sets `pick` selects.
    pub(crate) fn clients_where(&self, world: &World, mut pick: impl FnMut(u16, u16, u8, Action) -> bool) -> ClientSet {
        let namespace = &world.namespaces[self.ns];
        let sets = self.presence.iter().enumerate().filter_map(|(g, set)| {
            let (repo, tag, platform) = namespace.variants[g / 3];
            set.as_deref().filter(|_| pick(repo, tag, platform, ACTIONS[g % 3]))
        });
        ClientSet::union(world.clients.len().div_ceil(64), sets)
    }
}

/// Merges sorted, merged `cells` into the sorted, merged `v`, from the back inside `v`'s one
/// buffer, so a month grows day by day without a second copy.
pub(crate) fn merge_cells(v: &mut Vec<(Cell, Counts)>, cells: &[(Cell, Counts)]) {
    let (a, b) = (v.len(), cells.len());
    if b == 0 {
        return;
    }
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

/// The cells of `events` into `out` (cleared first): sorted by key, equal keys merged. Sorting
/// then merging runs is much cheaper than a map insert per event.
pub(crate) fn cells_of(world: &World, events: &[Event], out: &mut Vec<(Cell, Counts)>) {
    out.clear();
    out.extend(events.iter().map(|e| {
        let profile = world.clients[e.client as usize].profile_id;
        let pull = Pull { repo: e.repo, tag: e.tag, platform: e.platform, by_tag: e.action.by_tag() };
        let key = Cell { pull, profile };
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
