//! Where every random number comes from: one ChaCha8 stream per (seed, key).
//!
//! A key is a short list of labels (`["events", "acme", "2025-09-01"]`). The stream's 32-byte
//! seed is a fixed function of the global seed and the labels (FNV-1a over the labels, spread
//! with SplitMix64), so each namespace/day/entity has its own independent stream: changing one
//! namespace or adding a week does not shift any other stream, and streams can be drawn in any
//! order or on any thread. Samplers are hand-written, and the floating-point functions they
//! use (ln, exp, cos, sqrt, pow) come from `libm`, so draws are the same on every platform.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The RNG type used everywhere.
pub(crate) type Stream = ChaCha8Rng;

/// The stream for `labels` under `seed`.
pub(crate) fn stream(seed: u64, labels: &[&str]) -> Stream {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for label in labels {
        for b in label.as_bytes().iter().chain(std::iter::once(&0xffu8)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut state = seed ^ h.rotate_left(17);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    ChaCha8Rng::from_seed(bytes)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform float in [0, 1).
pub(crate) fn unit(rng: &mut Stream) -> f64 {
    rng.random::<f64>()
}

/// Lower-case hex of `n` random bytes.
pub(crate) fn hex(rng: &mut Stream, n: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(n * 2);
    for _ in 0..n {
        let b: u8 = rng.random();
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// A Poisson-distributed count (Knuth for small means, normal approximation above 60).
pub(crate) fn poisson(rng: &mut Stream, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 60.0 {
        // Box-Muller normal approximation, rounded and clamped at zero.
        let u1 = unit(rng).max(1e-12);
        let u2 = unit(rng);
        let z = libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2);
        return (mean + z * libm::sqrt(mean)).round().max(0.0) as u32;
    }
    let limit = libm::exp(-mean);
    let mut k = 0u32;
    let mut p = 1.0;
    loop {
        p *= unit(rng);
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

/// Picks an index with probability proportional to its weight in O(1) (Vose's alias method),
/// from one uniform draw. Zero weights are never picked.
#[derive(Debug, Clone)]
pub struct Weighted {
    prob: Vec<f64>,
    alias: Vec<u32>,
    total: f64,
}

impl Weighted {
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let w: Vec<f64> = weights.into_iter().map(|x| x.max(0.0)).collect();
        let n = w.len();
        let total: f64 = w.iter().sum();
        let mut prob = vec![0.0; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        if total > 0.0 {
            let first_positive = w.iter().position(|&x| x > 0.0).expect("total > 0") as u32;
            let mut scaled: Vec<f64> = w.iter().map(|&x| x * n as f64 / total).collect();
            let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
            while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
                prob[s] = scaled[s];
                alias[s] = l as u32;
                scaled[l] -= 1.0 - scaled[s];
                if scaled[l] < 1.0 {
                    large.pop();
                    small.push(l);
                }
            }
            for i in large {
                prob[i] = 1.0;
            }
            // Rounding leftovers: keep real items, send zero-weight ones elsewhere.
            for i in small {
                if w[i] > 0.0 {
                    prob[i] = 1.0;
                } else {
                    prob[i] = 0.0;
                    alias[i] = first_positive;
                }
            }
        }
        Weighted { prob, alias, total }
    }

    pub(crate) fn total(&self) -> f64 {
        self.total
    }

    pub(crate) fn pick(&self, rng: &mut Stream) -> usize {
        let n = self.prob.len();
        let u = unit(rng) * n as f64;
        let i = (u as usize).min(n - 1);
        if u - (i as f64) < self.prob[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_keyed_and_stable() {
        let a: u64 = stream(42, &["events", "acme", "2025-09-01"]).random();
        let b: u64 = stream(42, &["events", "acme", "2025-09-01"]).random();
        let c: u64 = stream(42, &["events", "acme", "2025-09-02"]).random();
        let d: u64 = stream(43, &["events", "acme", "2025-09-01"]).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        // Labels are delimited: ["ab","c"] differs from ["a","bc"].
        let e: u64 = stream(1, &["ab", "c"]).random();
        let f: u64 = stream(1, &["a", "bc"]).random();
        assert_ne!(e, f);
    }

    #[test]
    fn value_stability_of_the_first_draws() {
        // Fails loudly if a dependency update changes the bytes (rand, rand_chacha are pinned).
        let mut s = stream(42, &["stability"]);
        let draws: Vec<u32> = (0..4).map(|_| s.random()).collect();
        assert_eq!(draws, STABLE_DRAWS);
    }

    const STABLE_DRAWS: [u32; 4] = [219_665_884, 3_859_786_747, 1_048_992_950, 3_347_536_161];

    #[test]
    fn weighted_follows_the_weights() {
        let w = Weighted::new([1.0, 2.0, 7.0]);
        let mut s = stream(3, &["w"]);
        let mut n = [0u32; 3];
        for _ in 0..100_000 {
            n[w.pick(&mut s)] += 1;
        }
        for (i, expect) in [0.1, 0.2, 0.7].iter().enumerate() {
            let got = f64::from(n[i]) / 100_000.0;
            assert!((got - expect).abs() < 0.01, "index {i}: {got} vs {expect}");
        }
    }

    #[test]
    fn weighted_never_picks_zero_weight() {
        let w = Weighted::new([0.0, 1.0, 0.0, 3.0]);
        let mut s = stream(1, &["w"]);
        for _ in 0..1000 {
            let i = w.pick(&mut s);
            assert!(i == 1 || i == 3);
        }
    }
}
