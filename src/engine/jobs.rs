//! The one way work runs on threads: scoped threads taking items from a shared counter, each
//! worker with its own reusable state. Results come back in item order, whatever the thread
//! count or the order items finish in, so threads never change output bytes.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f(state, item)` for every item on up to `jobs` threads (each worker's `state` made by
/// `init` and reused from item to item); the results in item order. Items are started in
/// order, so put the largest first.
pub(crate) fn map_with<T, S, R>(
    jobs: usize,
    items: Vec<T>,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, T) -> R + Sync,
) -> Vec<R>
where
    T: Send,
    R: Send,
{
    let n = items.len();
    let items: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..n).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            scope.spawn(|| {
                let mut state = init();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = items.get(k) else { break };
                    let item = slot.lock().expect("no worker panicked").take().expect("each item is taken once");
                    let out = f(&mut state, item);
                    results.lock().expect("no worker panicked")[k] = Some(out);
                }
            });
        }
    });
    results.into_inner().expect("no worker panicked").into_iter().map(|r| r.expect("every item ran")).collect()
}

/// [`map_with`] without per-worker state.
pub(crate) fn map<T: Send, R: Send>(jobs: usize, items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    map_with(jobs, items, || (), |(), t| f(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_item_order_for_any_thread_count() {
        let items: Vec<u64> = (0..100).collect();
        let expected: Vec<u64> = items.iter().map(|i| i * i).collect();
        for jobs in [1, 2, 7, 200] {
            assert_eq!(map(jobs, items.clone(), |i| i * i), expected, "jobs={jobs}");
        }
    }

    #[test]
    fn each_worker_reuses_its_own_state() {
        // Every worker counts the items it ran; together they ran each item once.
        let counts = Mutex::new(Vec::new());
        struct Count<'a>(usize, &'a Mutex<Vec<usize>>);
        impl Drop for Count<'_> {
            fn drop(&mut self) {
                self.1.lock().unwrap().push(self.0);
            }
        }
        let out = map_with(
            3,
            (0..50).collect(),
            || Count(0, &counts),
            |c, i: usize| {
                c.0 += 1;
                i
            },
        );
        assert_eq!(out, (0..50).collect::<Vec<_>>());
        assert_eq!(counts.into_inner().unwrap().iter().sum::<usize>(), 50);
    }
}
