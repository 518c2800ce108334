//! `dvp-mock preview`: the page shows the numbers the mock serves, renders in a real browser,
//! stays small, and is the same bytes for the same configuration.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use dvp_mock::bodies::PERIODS;
use dvp_mock::config::Config;
use dvp_mock::engine::model::Model;

use crate::support::{self, wiremock::WireMock};

const ANALYTICS: &str = "/api/publisher/analytics/v1";

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dvp-mock")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The default page, written by the command line into a fresh folder.
fn default_page(name: &str) -> (PathBuf, String) {
    let dir = support::scratch(name);
    let o = run(&["preview", "--out", "preview.html"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.join("preview.html");
    let html = std::fs::read_to_string(&path).unwrap();
    (path, html)
}

/// Text between each `open` and the next `close`.
fn between<'t>(text: &'t str, open: &str, close: &str) -> std::vec::IntoIter<&'t str> {
    let v: Vec<&str> = text.split(open).skip(1).filter_map(|s| s.split_once(close).map(|(inside, _)| inside)).collect();
    v.into_iter()
}

/// One row of a namespace's data table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    series: String,
    timespan: String,
    start: String,
    end: String,
    pulls: u64,
    by_tag: u64,
    by_digest: u64,
    checks: u64,
    ips: u64,
    windows: Vec<u32>,
}

/// The rows of `<table class="data" data-namespace="ns">`.
fn data_rows(html: &str, ns: &str) -> Vec<Row> {
    let table = between(html, &format!("<table class=\"data\" data-namespace=\"{ns}\">"), "</table>")
        .next()
        .unwrap_or_else(|| panic!("no data table for {ns}"));
    between(table, "<tr><td>", "</tr>")
        .map(|row| {
            // Plain cells: series, timespan, period, start, end, windows; numbers in between.
            let plain: Vec<&str> =
                std::iter::once(row.split("</td>").next().unwrap()).chain(between(row, "<td>", "</td>")).collect();
            let numbers: Vec<u64> = between(row, "<td class=\"n\">", "</td>").map(|n| n.parse().unwrap()).collect();
            assert_eq!((plain.len(), numbers.len()), (6, 5), "{row}");
            Row {
                series: plain[0].to_string(),
                timespan: plain[1].to_string(),
                start: plain[3].to_string(),
                end: plain[4].to_string(),
                pulls: numbers[0],
                by_tag: numbers[1],
                by_digest: numbers[2],
                checks: numbers[3],
                ips: numbers[4],
                windows: if plain[5] == "none" {
                    Vec::new()
                } else {
                    plain[5].split(',').map(|w| w.parse().unwrap()).collect()
                },
            }
        })
        .collect()
}

/// (label, start, end, pullCount, ipCount) of each item of a served pull series.
fn served(wm: &WireMock, token: &str, path: &str) -> Vec<(String, String, String, u64, u64)> {
    let r = wm.request("GET", path, &[("Authorization", &format!("Bearer {token}"))], None);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let Some(items) = v["pulls"].as_array() else {
        assert!(v["pulls"].is_null(), "{path}: {v}");
        return Vec::new();
    };
    let date = |s: &serde_json::Value| s.as_str().unwrap().trim_end_matches("T00:00:00Z").to_string();
    items
        .iter()
        .map(|i| {
            let label = i.get("repo").or(i.get("namespace")).unwrap().as_str().unwrap().to_string();
            (
                label,
                date(&i["start"]),
                date(&i["end"]),
                i["pullCount"].as_u64().unwrap(),
                i["ipCount"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The namespace-total tooltips of the charts: (start, end) -> (pulls, unique IPs).
fn total_tooltips(html: &str, ns: &str) -> BTreeMap<(String, String), (u64, u64)> {
    let num = |s: &str| s.replace(',', "").parse::<u64>().unwrap();
    between(html, &format!("<title>{ns} total "), "</title>")
        .map(|t| {
            let (dates, rest) = t.split_once(" (").unwrap();
            let (start, end) = dates.split_once("..").unwrap();
            let pulls = rest.split_once("): ").unwrap().1.split_once(" pulls").unwrap().0;
            let ips = rest.split_once("; ").unwrap().1.split_once(" unique IPs").unwrap().0;
            ((start.to_string(), end.to_string()), (num(pulls), num(ips)))
        })
        .collect()
}

/// The page's numbers are the ones recomputed from the raw exports the mock serves (pulls by
/// action), and the pull series the real WireMock serves from the committed tree (unique IPs,
/// windows), for every namespace, both timespans, every `period` window and both groupings.
#[test]
fn page_numbers_equal_the_pull_series_the_mock_serves() {
    let (_, html) = default_page("preview-numbers");
    let model = support::default_model();
    // First, while this test holds no lock of the shared server: it takes one of its own, and
    // a second read lock in one thread can deadlock behind a waiting writer.
    let recomputed = crate::oracle::recomputed();
    let wm = support::default_wiremock();
    let mut compared = 0;
    for (ns, n) in model.world.namespaces.iter().enumerate() {
        let token = &model.world.members(ns).next().expect("every default namespace has a member").token;
        let rows = data_rows(&html, &n.name);
        let tooltips = total_tooltips(&html, &n.name);
        // The independent check: every row's action split is the one recomputed from the raw
        // exports the mock serves (tests/oracle.rs); unique IPs are not in raw rows, so they are
        // compared with the served series below.
        for row in &rows {
            let start: chrono::NaiveDate = row.start.parse().unwrap();
            let span = if row.timespan == "weeks" { "weeks" } else { "months" };
            let (total, by_repo) = &recomputed[&(n.name.clone(), span, start)];
            let want = if row.series == "total" { total } else { &by_repo[&row.series] };
            assert_eq!([row.by_tag, row.by_digest, row.checks], *want, "{row:?} vs the raw exports");
            assert_eq!(row.pulls, row.by_tag + row.by_digest + row.checks, "{row:?}");
            assert!(row.ips <= row.pulls && row.pulls > 0, "{row:?}");
        }
        for timespan in ["weeks", "months"] {
            for m in PERIODS {
                let listed = |total: bool| -> Vec<(String, String, String, u64, u64)> {
                    let mut v: Vec<_> = rows
                        .iter()
                        .filter(|r| r.timespan == timespan && r.windows.contains(&m) && (r.series == "total") == total)
                        .map(|r| {
                            let label = if total { n.name.clone() } else { r.series.clone() };
                            (label, r.start.clone(), r.end.clone(), r.pulls, r.ips)
                        })
                        .collect();
                    v.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
                    v
                };
                let q = format!("timespan={timespan}&period=last-{m}-months");
                let path = format!("{ANALYTICS}/namespaces/{}/pulls?{q}&group=namespace", n.name);
                let ns_series = served(&wm, token, &path);
                assert!(!ns_series.is_empty(), "{path}");
                assert_eq!(listed(true), ns_series, "{path}");
                for (_, start, end, pulls, ips) in &ns_series {
                    assert_eq!(tooltips.get(&(start.clone(), end.clone())), Some(&(*pulls, *ips)), "{path} {start}");
                }
                let path = format!("{ANALYTICS}/namespaces/{}/pulls?{q}&group=repo", n.name);
                let mut repo_series = served(&wm, token, &path);
                repo_series.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
                assert_eq!(listed(false), repo_series, "{path}");
                compared += ns_series.len() + repo_series.len();
            }
            // Each repository's own endpoint, over the longest window.
            for repo in &n.repos {
                let path = format!(
                    "{ANALYTICS}/namespaces/{}/repos/{}/pulls?timespan={timespan}&period=last-12-months",
                    n.name, repo.name
                );
                let page: Vec<_> = rows
                    .iter()
                    .filter(|r| r.timespan == timespan && r.series == repo.name && r.windows.contains(&12))
                    .map(|r| (repo.name.clone(), r.start.clone(), r.end.clone(), r.pulls, r.ips))
                    .collect();
                assert_eq!(page, served(&wm, token, &path), "{path}");
            }
        }
    }
    assert!(compared > 200, "only {compared} items compared");
}

/// Headless Chromium (Debian package `chromium`) renders the page: the screenshot is not blank
/// and the three action colours of the charts are on it.
#[test]
fn a_real_browser_renders_the_page() {
    let (path, _) = default_page("preview-browser");
    let dir = path.parent().unwrap().to_path_buf();
    let shot = dir.join("shot.png");
    let mut child = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--window-size=1280,1400")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", path.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run chromium ({e}): apt-get install chromium"));
    // A hung browser must not hang the suite (a guard, not a speed assertion).
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "chromium: {status}");
    let decoder = png::Decoder::new(std::fs::File::open(&shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 1400));
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let mut colours = std::collections::BTreeSet::new();
    let (mut not_white, mut tag, mut digest, mut check) = (0usize, 0usize, 0usize, 0usize);
    for px in buf[..info.buffer_size()].chunks(channels) {
        let rgb = (px[0], px[1], px[2]);
        colours.insert(rgb);
        not_white += usize::from(rgb != (255, 255, 255));
        tag += usize::from(rgb == (0x2f, 0x6f, 0xdb));
        digest += usize::from(rgb == (0x14, 0xa3, 0x8b));
        check += usize::from(rgb == (0xf0, 0xa0, 0x20));
    }
    let total = (info.width * info.height) as usize;
    assert!(colours.len() >= 200, "{} distinct colours", colours.len());
    assert!(not_white * 10 >= total, "{not_white} of {total} pixels are not white");
    for (name, n) in [("by tag", tag), ("by digest", digest), ("version check", check)] {
        assert!(n >= 5_000, "{name}: {n} pixels of its colour");
    }
}

/// The default page is at most 5 MB, and sixteen times the events do not make it grow: it
/// summarises.
#[test]
fn the_page_is_small_and_does_not_grow_with_events() {
    let page = |scale: f64| {
        let mut config = Config::default_config();
        config.namespaces.iter_mut().for_each(|n| n.weekly_pulls *= scale);
        let page = dvp_mock::preview::render(&config, 2);
        let model = Model::build(config, 2);
        let events: u64 = model
            .world
            .calendar
            .weeks
            .iter()
            .flat_map(|p| (0..model.world.namespaces.len()).map(move |ns| (ns, *p)))
            .map(|(ns, p)| model.summary(ns, &p).total.total())
            .sum();
        (page.html.len(), events)
    };
    let (size, events) = page(1.0);
    let (big_size, big_events) = page(16.0);
    assert!(size <= 5_000_000, "{size} bytes");
    assert!(big_events >= 12 * events, "{events} -> {big_events} events");
    // Only the numbers get longer (a digit or two each).
    assert!(big_size * 100 <= size * 105, "{size} -> {big_size} bytes for {events} -> {big_events} events");
}

/// Same configuration and seed, same bytes: from the command line twice and from the library on
/// one or two threads; another seed changes the page.
#[test]
fn the_page_is_deterministic() {
    let (_, first) = default_page("preview-det-1");
    let (_, second) = default_page("preview-det-2");
    assert!(first == second, "two runs differ");
    let one = dvp_mock::preview::render(&Config::default_config(), 1).html;
    let two = dvp_mock::preview::render(&Config::default_config(), 2).html;
    assert!(one == first && two == first, "threads or the library change the page");
    let mut config = Config::default_config();
    config.seed += 1;
    assert!(dvp_mock::preview::render(&config, 2).html != first, "the seed is not shown");
}

/// Bad flags and an unwritable --out: one `error:` line, exit 2 or 3, nothing written, and an
/// existing page is replaced whole.
#[test]
fn preview_errors_are_one_line_and_write_nothing() {
    let dir = support::temp_dir("preview-errors");
    for (args, code, needle) in [
        (&["preview", "--bogus", "--out", "p.html"][..], 2, "'--bogus'"),
        (&["preview"][..], 2, "--out"),
        (&["preview", "--as-of", "2026-02-30", "--out", "p.html"][..], 2, "--as-of"),
        (&["preview", "--seed", "x", "--out", "p.html"][..], 2, "--seed"),
        (&["preview", "--config", "nope.toml", "--out", "p.html"][..], 2, "nope.toml"),
        (&["preview", "--out", "missing/p.html"][..], 3, "missing"),
        (&["preview", "--out", "."][..], 3, "folder"),
    ] {
        let o = run(args, &dir);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
    std::fs::write(dir.join("p.html"), "old").unwrap();
    let o = run(&["preview", "--seed", "7", "--as-of", "2026-01-05", "--out", "p.html"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.join("p.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("seed <b>7</b> · as_of <b>2026-01-05</b>"));
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["p.html"], "no temporary file left");
}

/// Nothing is loaded from anywhere: no script, no source, no link or URL out of the page.
#[test]
fn the_page_is_self_contained() {
    let html = dvp_mock::preview::render(&Config::default_config(), 2).html;
    for needle in ["<script", "src=", "http:", "https:", "@import", "<link", "<img"] {
        assert!(!html.contains(needle), "the page holds {needle}");
    }
    assert!(html.matches("<svg class=\"chart\"").count() >= 20);
}

/// A history without any complete period still previews (empty charts, no table rows).
#[test]
fn a_history_without_complete_periods_previews() {
    let mut config = Config::default_config();
    config.as_of = config.history_start + chrono::Days::new(2);
    let page = dvp_mock::preview::render(&config, 2);
    assert_eq!((page.weeks, page.months), (0, 0));
    assert!(page.html.ends_with("</html>\n") && !page.html.contains("<tr><td>total"));
}
