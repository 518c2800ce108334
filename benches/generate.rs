//! Generator benchmark: the full generator, the raw-export path, a ChaCha8 + csv baseline, and
//! peak memory.
//!
//! Run with `cargo bench --bench generate`. Environment:
//! - `DVP_BENCH_CONFIG`: configuration file (default `examples/large.toml`; `default` = the
//!   embedded default configuration). The embedded default is always measured too;
//! - `DVP_BENCH_JOBS`: comma-separated thread counts (default `1,2`), used for the full
//!   generator (`--jobs`), `World::build` and the threads streaming raw exports;
//! - `DVP_BENCH_REPEAT`: runs per measurement (default 3); the fastest is reported, since
//!   other tenants of a shared machine only ever add time;
//! - `DVP_BENCH_VOLUMES`: `weekly_pulls` multipliers (default `1,2,4`) for a volume sweep of the
//!   configuration (one full generation each, most threads, own process): peak memory should stay
//!   flat as the volume grows.
//! - `DVP_BENCH_CALIBRATED`: `0` skips the calibrated case: the real verdaccio series (tests/data,
//!   ~150k pulls a week) calibrated and measured like the others (see `calibrated.rs`).
//!
//! Each full generation runs in a fresh process (the bench re-executes itself with
//! `DVP_BENCH_CHILD=<config>`), so its peak memory (VmHWM) is its own; the child prints
//! `DVPBENCH key=value` lines. Nothing is written to disk: files go to a counting sink.
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dvp_mock::bodies::{RawRenderer, RawRows, Rows};
use dvp_mock::config::Config;
use dvp_mock::engine::calendar::{Granularity, Period};
use dvp_mock::engine::events;
use dvp_mock::engine::world::World;
use dvp_mock::sink::Sink;
use dvp_mock::wiremock::Target;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod calibrated;
use calibrated::{calibrated_verdaccio, digest_line, file_digest, profiled_week_events, scale_weeks};

const CHILD_ENV: &str = "DVP_BENCH_CHILD";
/// Multiplies every namespace's `weekly_pulls` in a child (the volume sweep).
const SCALE_ENV: &str = "DVP_BENCH_SCALE";
/// Small workloads are repeated until at least this much time has passed, then averaged.
const MIN_MEASURE: Duration = Duration::from_millis(500);

/// A `Write` that counts bytes and line ends and discards everything.
#[derive(Default)]
struct CountingSink {
    bytes: u64,
    newlines: u64,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.newlines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Rows for CountingSink {
    fn row(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.bytes += bytes.len() as u64;
        self.newlines += 1;
        Ok(())
    }
}

/// A [`Sink`] for whole export parts: counts bytes and rows, keeps nothing.
#[derive(Default)]
struct CountingFiles {
    bytes: AtomicUsize,
    rows: AtomicUsize,
    /// Sum of a hash of each (path, bytes): equal outputs give equal digests, in any order.
    digest: std::sync::atomic::AtomicU64,
}

impl Sink for CountingFiles {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        self.bytes.fetch_add(bytes.len(), Ordering::Relaxed);
        // Every part starts with a header row.
        let lines = bytes.iter().filter(|&&b| b == b'\n').count();
        self.rows.fetch_add(lines.saturating_sub(1), Ordering::Relaxed);
        self.digest.fetch_add(file_digest(path, &bytes), Ordering::Relaxed);
        Ok(())
    }
}

/// One timed streaming run (averaged over `iterations`).
#[derive(Debug, Default, Clone, Copy)]
struct Run {
    secs: f64,
    rows: u64,
    bytes: u64,
    /// Digest of the output files of a full generation (0 elsewhere).
    digest: u64,
}

impl Run {
    fn rows_per_s(&self) -> f64 {
        self.rows as f64 / self.secs
    }
    fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.secs
    }
    fn bytes_per_row(&self) -> f64 {
        self.bytes as f64 / self.rows.max(1) as f64
    }
}

/// Everything measured for one configuration.
#[derive(Debug, Default)]
struct Figures {
    label: String,
    namespaces: usize,
    clients: u32,
    weeks: usize,
    months: usize,
    expected_week_events: f64,
    /// (jobs, seconds of `World::build`).
    builds: Vec<(usize, f64)>,
    /// Full generation, each in a fresh process: (jobs, run, that process's VmHWM in MB).
    generates: Vec<(usize, Run, f64)>,
    /// Raw-export path: (threads, run).
    exports: Vec<(usize, Run)>,
    baseline: Run,
    /// Volume sweep on the most threads: (weekly_pulls multiplier, run, peak MB).
    volumes: Vec<(f64, Run, f64)>,
}

fn proc_status_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.trim_start_matches(':').trim().strip_suffix("kB")))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn load_config(spec: &str) -> Config {
    if spec == "default" {
        return Config::default_config();
    }
    let text = std::fs::read_to_string(spec).unwrap_or_else(|e| panic!("cannot read {spec}: {e}"));
    Config::parse(&text, spec).unwrap_or_else(|e| panic!("{e}"))
}

/// Expected number of raw events over every available week, from `events::daily_mean`.
fn expected_week_events(w: &World) -> f64 {
    w.namespaces
        .iter()
        .map(|ns| {
            w.calendar
                .periods(Granularity::Week)
                .iter()
                .flat_map(Period::days)
                .map(|d| events::daily_mean(ns, w.config.history_start, d))
                .sum::<f64>()
        })
        .sum::<f64>()
        + profiled_week_events(&w.config)
}

/// Streams the raw export of every (namespace, week) on `threads` threads (work queue ordered by
/// expected size, largest first). Returns one pass's figures.
fn raw_exports_pass(world: &World, work: &[(usize, Period)], threads: usize) -> Run {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let sinks: Vec<CountingSink> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut sink = CountingSink::default();
                    let mut buf = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((ns, period)) = work.get(i) else {
                            break;
                        };
                        let renderer = RawRenderer::new(world, *ns);
                        let mut day = RawRows::default();
                        sink.row(b"header\n").expect("counting sink never fails");
                        for d in period.days() {
                            events::day_events_into(world, *ns, d, &mut buf);
                            renderer.render(&buf, &mut day);
                            sink.write_all(&day.bytes).expect("counting sink never fails");
                        }
                    }
                    sink
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("export thread panicked")).collect()
    });
    let secs = start.elapsed().as_secs_f64();
    let bytes = sinks.iter().map(|s| s.bytes).sum();
    let newlines: u64 = sinks.iter().map(|s| s.newlines).sum();
    Run { secs, rows: newlines - work.len() as u64, bytes, digest: 0 }
}

fn raw_exports(w: &World, threads: usize) -> Run {
    let mut work: Vec<(usize, Period, f64)> = (0..w.namespaces.len())
        .flat_map(|ns| w.calendar.periods(Granularity::Week).iter().map(move |p| (ns, *p)))
        .map(|(ns, p)| {
            let cost = p.days().map(|d| events::daily_mean(&w.namespaces[ns], w.config.history_start, d)).sum();
            (ns, p, cost)
        })
        .collect();
    work.sort_by(|a, b| b.2.total_cmp(&a.2));
    let work: Vec<(usize, Period)> = work.into_iter().map(|(ns, p, _)| (ns, p)).collect();
    repeat(|| raw_exports_pass(w, &work, threads))
}

/// Runs `f` at least `repeats()` times and until `MIN_MEASURE` has passed, and keeps the fastest
/// run: other tenants of a shared machine only ever add time, so the minimum is the estimate
/// least disturbed by them.
fn repeat(mut f: impl FnMut() -> Run) -> Run {
    let mut best = f();
    let (mut total, mut n) = (best.secs, 1);
    while n < repeats() || total < MIN_MEASURE.as_secs_f64() {
        let r = f();
        total += r.secs;
        n += 1;
        if r.secs < best.secs {
            best = r;
        }
    }
    best
}

/// `DVP_BENCH_VOLUMES` (default `1,2,4`): `weekly_pulls` multipliers of the volume sweep.
fn volume_scales() -> Vec<f64> {
    std::env::var("DVP_BENCH_VOLUMES")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .filter(|&v: &f64| v > 0.0)
        .collect()
}

/// `DVP_BENCH_REPEAT` (default 3): runs per measurement, the fastest kept.
fn repeats() -> usize {
    std::env::var("DVP_BENCH_REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1)
}

const ACTIONS: [&str; 3] = ["pull_by_tag", "pull_by_digest", "version_check"];
const COUNTRIES: [&str; 8] = ["US", "DE", "IN", "GB", "CN", "FR", "JP", "BR"];
const METHODS: [&str; 2] = ["GET", "HEAD"];
const HOSTS: [&str; 4] = ["", "aws", "gcp", "azure"];
const REPOS: [&str; 4] = ["server", "agent", "operator", "cli"];
const TAGS: [&str; 4] = ["latest", "8.4.2", "v3.1.0", "8.4.2-alpine"];
const TYPES: [&str; 4] = ["business", "isp", "hosting", "education"];
const TOOLS: [&str; 4] = ["docker", "containerd", "buildkit", "podman"];
const VERSIONS: [&str; 4] = ["28.0.4", "2.0.2", "0.18.2", "5.3.1"];
const DOMAINS: [&str; 4] = ["contoso.com", "comcast.net", "amazonaws.com", "mit.edu"];

fn hex_digest(rng: &mut ChaCha8Rng, out: &mut [u8; 71]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out[..7].copy_from_slice(b"sha256:");
    for chunk in 0..4 {
        let v: u64 = rng.random();
        for (i, b) in v.to_le_bytes().iter().enumerate() {
            let at = 7 + (chunk * 8 + i) * 2;
            out[at] = HEX[(b >> 4) as usize];
            out[at + 1] = HEX[(b & 15) as usize];
        }
    }
}

/// The baseline: `rows` 16-column rows of ChaCha8 draws (two fresh sha256-like digests per row)
/// written with the csv crate, configured as the generator's writer, into a counting sink.
fn baseline_pass(rows: u64) -> Run {
    let start = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut sink = CountingSink::default();
    {
        let mut w = dvp_mock::bodies::csv_layout::writer(&mut sink);
        w.write_record(dvp_mock::bodies::csv_layout::RAW).expect("sink");
        let (mut d1, mut d2) = ([0u8; 71], [0u8; 71]);
        let mut ts = *b"2025-03-03 00:00:00";
        for _ in 0..rows {
            hex_digest(&mut rng, &mut d1);
            hex_digest(&mut rng, &mut d2);
            let pick: u64 = rng.random();
            let second: u32 = rng.random_range(0..86_400);
            let (h, m, s) = (second / 3600, second / 60 % 60, second % 60);
            for (at, v) in [(11, h), (14, m), (17, s)] {
                ts[at] = b'0' + (v / 10) as u8;
                ts[at + 1] = b'0' + (v % 10) as u8;
            }
            let k = |shift: u32, n: usize| (pick >> shift) as usize % n;
            w.write_record([
                ACTIONS[k(0, 3)].as_bytes(),
                &ts[..10],
                COUNTRIES[k(4, 8)].as_bytes(),
                &d1,
                METHODS[k(8, 2)].as_bytes(),
                HOSTS[k(12, 4)].as_bytes(),
                b"megacorp",
                &d2,
                REPOS[k(16, 4)].as_bytes(),
                TAGS[k(20, 4)].as_bytes(),
                &ts,
                TYPES[k(24, 4)].as_bytes(),
                TOOLS[k(28, 4)].as_bytes(),
                VERSIONS[k(32, 4)].as_bytes(),
                DOMAINS[k(36, 4)].as_bytes(),
                b"megacorp",
            ])
            .expect("sink");
        }
        w.flush().expect("sink");
    }
    let secs = start.elapsed().as_secs_f64();
    Run { secs, rows: sink.newlines - 1, bytes: sink.bytes, digest: 0 }
}

/// The whole generator as `dvp-mock generate` runs it (model, every export view of weeks and
/// months, reports, stubs), with parts going to a counting sink instead of the disk.
fn full_generate(config: Config, jobs: usize) -> Run {
    let files = CountingFiles::default();
    let start = Instant::now();
    let options = dvp_mock::Options { target: Target::Standalone, jobs, corpus: false };
    let generated = dvp_mock::generate(&config, &options, &files, None).expect("counting sink never fails");
    let secs = start.elapsed().as_secs_f64();
    // The mappings and small bodies join the digest too.
    for (path, bytes) in &generated.tree {
        files.digest.fetch_add(file_digest(path, bytes), Ordering::Relaxed);
    }
    Run {
        secs,
        rows: files.rows.load(Ordering::Relaxed) as u64,
        bytes: files.bytes.load(Ordering::Relaxed) as u64,
        digest: files.digest.load(Ordering::Relaxed),
    }
}

/// Child process: one full generation of `spec` on `jobs` threads; prints `DVPBENCH` lines.
fn child(spec: &str, jobs: usize) {
    let mut config = load_config(spec);
    let scale: f64 = std::env::var(SCALE_ENV).ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    for ns in &mut config.namespaces {
        ns.weekly_pulls *= scale;
    }
    scale_weeks(&mut config, scale);
    let run = full_generate(config, jobs);
    println!("DVPBENCH run={},{},{},{}", run.secs, run.rows, run.bytes, run.digest);
    println!("DVPBENCH vmhwm={}", proc_status_mb("VmHWM"));
}

/// Runs [`child`] in a fresh process, so the peak memory is that generation's own.
fn generate_in_child(spec: &str, jobs: usize, scale: f64) -> (Run, f64) {
    let exe = std::env::current_exe().expect("current executable");
    let out = std::process::Command::new(exe)
        .env(CHILD_ENV, spec)
        .env(SCALE_ENV, scale.to_string())
        .env("DVP_BENCH_JOBS", jobs.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("re-executing the bench");
    assert!(out.status.success(), "bench child for {spec} jobs={jobs} failed: {}", out.status);
    let text = String::from_utf8_lossy(&out.stdout);
    let kv: BTreeMap<&str, &str> =
        text.lines().filter_map(|l| l.strip_prefix("DVPBENCH ")).filter_map(|l| l.split_once('=')).collect();
    let run: Vec<&str> = kv["run"].split(',').collect();
    let run = Run {
        secs: run[0].parse().unwrap(),
        rows: run[1].parse().unwrap(),
        bytes: run[2].parse().unwrap(),
        digest: run[3].parse().unwrap(),
    };
    (run, kv["vmhwm"].parse().unwrap())
}

fn measure(spec: &str, label: &str, jobs: &[usize]) -> Figures {
    let config = load_config(spec);
    let mut f = Figures {
        label: label.to_string(),
        namespaces: config.namespaces.len(),
        clients: config.clients,
        ..Default::default()
    };
    // Fastest of `repeats()` fresh processes per thread count; the rounds interleave the thread
    // counts, so a noisy spell on a shared machine hits them alike. The peak is the largest any
    // run reached.
    let mut runs: Vec<Vec<(Run, f64)>> = vec![Vec::new(); jobs.len()];
    for _ in 0..repeats() {
        for (k, &j) in jobs.iter().enumerate() {
            runs[k].push(generate_in_child(spec, j, 1.0));
        }
    }
    for (&j, runs) in jobs.iter().zip(&mut runs) {
        let vmhwm = runs.iter().map(|r| r.1).fold(0.0, f64::max);
        runs.sort_by(|a, b| a.0.secs.total_cmp(&b.0.secs));
        let run = runs[0].0;
        eprintln!(
            "[{label}] full generate jobs={j}: {} rows, {} bytes in {:.3} s, peak memory (VmHWM) {vmhwm:.0} MB",
            run.rows, run.bytes, run.secs
        );
        f.generates.push((j, run, vmhwm));
    }
    for &j in jobs {
        // Small configurations are rebuilt until MIN_MEASURE has passed; the mean is reported.
        let (mut total, mut n) = (0.0, 0u32);
        while n == 0 || total < MIN_MEASURE.as_secs_f64() {
            let config = config.clone();
            let start = Instant::now();
            drop(World::build(config));
            total += start.elapsed().as_secs_f64();
            n += 1;
        }
        f.builds.push((j, total / f64::from(n)));
    }
    if spec != "default" {
        let j = jobs.iter().copied().max().unwrap_or(1);
        for scale in volume_scales() {
            let (run, vmhwm) = generate_in_child(spec, j, scale);
            eprintln!(
                "[{label}] volume x{scale}, jobs={j}: {} rows in {:.3} s, peak memory (VmHWM) {vmhwm:.0} MB",
                run.rows, run.secs
            );
            f.volumes.push((scale, run, vmhwm));
        }
    }
    let world = World::build(config);
    f.weeks = world.calendar.periods(Granularity::Week).len();
    f.months = world.calendar.periods(Granularity::Month).len();
    f.expected_week_events = expected_week_events(&world);
    eprintln!(
        "[{label}] {} namespaces, {} clients, {} weeks, {} months, expected raw events over weeks {:.0}",
        f.namespaces, f.clients, f.weeks, f.months, f.expected_week_events
    );
    for &t in jobs {
        let run = raw_exports(&world, t);
        eprintln!(
            "[{label}] raw exports, {t} thread(s): {} rows, {} bytes in {:.3} s = {:.0} rows/s, {:.1} MB/s",
            run.rows,
            run.bytes,
            run.secs,
            run.rows_per_s(),
            run.mb_per_s()
        );
        f.exports.push((t, run));
    }
    let rows = f.exports[0].1.rows;
    f.baseline = repeat(|| baseline_pass(rows));
    eprintln!(
        "[{label}] baseline ChaCha8+csv, 1 thread: {} rows, {} bytes in {:.3} s = {:.0} rows/s, {:.1} MB/s",
        f.baseline.rows,
        f.baseline.bytes,
        f.baseline.secs,
        f.baseline.rows_per_s(),
        f.baseline.mb_per_s()
    );
    f
}

// --- summary ---

fn human(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.2} M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1} k", n / 1e3)
    } else {
        format!("{n:.0} ")
    }
}

/// Seconds, rows, MB, rows/s and MB/s of one run, in fixed-width columns.
fn run_columns(r: &Run) -> String {
    format!(
        "{:>9.3} s   {:>11} rows  {:>9.1} MB  {:>9}rows/s  {:>7.1} MB/s",
        r.secs,
        r.rows,
        r.bytes as f64 / 1e6,
        human(r.rows_per_s()),
        r.mb_per_s()
    )
}

fn summary(figs: &[&Figures]) -> String {
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    line("```".into());
    line(format!(
        "dvp-mock generator benchmark ({}; {} CPUs; release profile)",
        std::env::consts::ARCH,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    ));
    for f in figs {
        line(String::new());
        line(format!(
            "config {}: {} namespaces, {} clients, {} weeks + {} months; expected raw events over weeks (daily_mean) {:.0}",
            f.label, f.namespaces, f.clients, f.weeks, f.months, f.expected_week_events
        ));
        for (j, secs) in &f.builds {
            line(format!("  World::build, jobs={j:<2}          {secs:>9.3} s"));
        }
        // The goals are about volume; on the small default, fixed costs (stubs) dominate.
        let goal = |g: &'static str| if f.label == "default" { "" } else { g };
        let base_gen = f.generates.first().map_or(f64::NAN, |e| e.1.secs);
        for (j, r, vmhwm) in &f.generates {
            line(format!(
                "  full generate, jobs={j:<2}        {}  (x{:.2})  peak {vmhwm:.0} MB",
                run_columns(r),
                base_gen / r.secs
            ));
        }
        let base_export = f.exports.first().map_or(f64::NAN, |e| e.1.secs);
        for (t, r) in &f.exports {
            line(format!(
                "  raw exports, {t} thread(s)        {}  {:.0} B/row  (x{:.2})",
                run_columns(r),
                r.bytes_per_row(),
                base_export / r.secs
            ));
        }
        let b = f.baseline;
        line(format!("  baseline ChaCha8+csv, 1 thread {}  {:.0} B/row", run_columns(&b), b.bytes_per_row()));
        if let Some((_, g, _)) = f.generates.first() {
            line(format!(
                "  full generator/baseline (1 thread): rows/s {:.3}, MB/s {:.3}{}",
                g.rows_per_s() / b.rows_per_s(),
                g.mb_per_s() / b.mb_per_s(),
                goal("   (goal >= 0.5)")
            ));
        }
        if let Some((_, g)) = f.exports.first() {
            line(format!(
                "  raw-export path/baseline (1 thread): rows/s {:.3}, MB/s {:.3}",
                g.rows_per_s() / b.rows_per_s(),
                g.mb_per_s() / b.mb_per_s()
            ));
        }
        if let [(j1, g1, _), .., (jn, gn, _)] = f.generates.as_slice() {
            let speedup = g1.secs / gn.secs;
            let ideal = *jn as f64 / *j1 as f64;
            line(format!(
                "  full generator scaling jobs={j1} -> jobs={jn}: x{speedup:.2} = {:.0}% of linear{}",
                speedup / ideal * 100.0,
                goal("   (goal >= 90%)")
            ));
        }
        let digests: Vec<(u64, u64)> = f.generates.iter().map(|(_, r, _)| (r.digest, r.bytes)).collect();
        line(digest_line(&digests));
        for (scale, r, vmhwm) in &f.volumes {
            line(format!("  volume x{scale:<4} (weekly_pulls)  {}  peak {vmhwm:.0} MB", run_columns(r)));
        }
        let peak = f.generates.iter().map(|g| g.2).chain(f.volumes.iter().map(|v| v.2)).fold(0.0, f64::max);
        line(format!(
            "  peak memory of a full generation (VmHWM, any jobs): {peak:.0} MB{}",
            goal("   (goal <= ~100 MB)")
        ));
    }
    line(format!("load average at the end (other processes share the CPUs): {}", loadavg()));
    line("```".into());
    s
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn main() {
    let jobs: Vec<usize> = std::env::var("DVP_BENCH_JOBS")
        .unwrap_or_else(|_| "1,2".into())
        .split(',')
        .map(|j| j.trim().parse().expect("DVP_BENCH_JOBS: comma-separated thread counts"))
        .filter(|&j| j > 0)
        .collect();
    assert!(!jobs.is_empty(), "DVP_BENCH_JOBS: expected at least one positive count");

    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child(&spec, jobs[0]);
        return;
    }

    let spec = std::env::var("DVP_BENCH_CONFIG")
        .unwrap_or_else(|_| format!("{}/examples/large.toml", env!("CARGO_MANIFEST_DIR")));
    let label = std::path::Path::new(&spec)
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .map_or(spec.clone(), |p| p.display().to_string());
    eprintln!("load average at the start: {}", loadavg());
    let mut figs = vec![measure(&spec, &label, &jobs)];
    if std::env::var("DVP_BENCH_CALIBRATED").map_or(true, |v| v != "0") {
        let path = calibrated_verdaccio();
        figs.push(measure(&path, "calibrated verdaccio (tests/data)", &jobs));
    }
    if spec != "default" {
        figs.push(measure("default", "default", &jobs));
    }
    println!("{}", summary(&figs.iter().collect::<Vec<_>>()));
}
