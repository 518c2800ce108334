//! The calibrated case of the generator benchmark: the real verdaccio series, calibrated, and
//! an output digest to compare generations across job counts.
use dvp_mock::config::Config;

/// A fast 64-bit hash of `bytes` (8 bytes a step, multiply-xorshift), for output digests.
fn hash(bytes: &[u8], seed: u64) -> u64 {
    let mix = |h: u64, v: u64| (h ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    let mut h = seed ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(h, u64::from_le_bytes(last))
}

/// Events of the calibrated `weeks` that fall in the history window.
pub fn profiled_week_events(config: &Config) -> f64 {
    let (from, to) = (config.history_start, config.as_of);
    config
        .namespaces
        .iter()
        .flat_map(|ns| &ns.repos)
        .filter_map(|r| r.weeks.as_ref())
        .flat_map(|w| &w.0)
        .filter(|w| w.week >= from && w.week + chrono::Days::new(7) <= to)
        .map(|w| w.pulls as f64)
        .sum()
}

/// Calibrates the real verdaccio series into a configuration file under the target dir.
pub fn calibrated_verdaccio() -> String {
    let data = format!("{}/tests/data/verdaccio-docker_pull-5124d5f.json", env!("CARGO_MANIFEST_DIR"));
    let source = dvp_mock::calibrate::Source::parse(&format!("verdaccio/verdaccio={data}"));
    let text = dvp_mock::calibrate::calibrate(&[source], false).expect("the verdaccio series calibrates");
    let path = std::env::temp_dir().join(format!("dvp-bench-verdaccio-{}.toml", std::process::id()));
    std::fs::write(&path, text).expect("writing the calibrated configuration");
    path.display().to_string()
}

/// The digest of one output file (summed over files: any order gives the same total).
pub fn file_digest(path: &str, bytes: &[u8]) -> u64 {
    hash(&hash(path.as_bytes(), 0).to_le_bytes(), 0) ^ hash(bytes, 1)
}

/// Calibrated repositories of a volume sweep: the same weeks and clients, `scale` times the events.
pub fn scale_weeks(config: &mut Config, scale: f64) {
    for weeks in config.namespaces.iter_mut().flat_map(|ns| ns.repos.iter_mut()).filter_map(|r| r.weeks.as_mut()) {
        for w in &mut weeks.0 {
            w.pulls = (w.pulls as f64 * scale).round() as u64;
        }
    }
}

/// Whether the full generations of every job count wrote the same output: (digest, bytes) each.
pub fn digest_line(runs: &[(u64, u64)]) -> String {
    let same = runs.windows(2).all(|w| w[0] == w[1]);
    format!(
        "  output digest {:016x} over {} job counts: {}",
        runs.first().map_or(0, |r| r.0),
        runs.len(),
        if same { "identical (deterministic)" } else { "DIFFERENT" }
    )
}
