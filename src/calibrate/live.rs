//! `calibrate --from-api URL`: the walk through the live API that gathers what `calibrate`
//! reads from files, kept in memory only.
//!
//! ```text
//! log in                      POST /v2/auth/token (or /v2/users/login), 2FA if challenged
//! discovery                   GET  A/                      the namespaces the account may read
//! per namespace               GET  A/namespaces/{ns}       has it the pulls dataset, by week?
//!                             GET  A/namespaces/{ns}/pulls?timespan=weeks&period=last-12-months&group=repo
//!                             GET  A/namespaces/{ns}/pulls?timespan=months&period=last-12-months&group=repo
//!                             GET  P/namespaces/{ns}/reports   the DVP Core report catalogue
//! per trend report            GET  its URL (302) and the signed link: tags, actions, client mix
//! ```
//!
//! The weekly series give each repository's `pullCount` and `ipCount`; a week the API leaves
//! out inside a repository's series had no pull (the API leaves empty periods out), so it is a
//! zero, not a gap. The monthly series give the churn. The trend reports (the monthly ones,
//! else the weekly ones) give only what series lack: their points are dropped, their tags,
//! actions, countries, clouds, agents and publisher name kept.
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::{Arc, Mutex};

use chrono::Days;

use super::api_client::{detail, Client, Credentials, Hooks, Politeness};
use super::series::{Inputs, Names, Point};
use super::{csv_in, json, Shape};
use crate::Error;

/// The analytics root (series, discovery) and the proxylytics root (report catalogue).
const ANALYTICS: &str = "/api/publisher/analytics/v1";
const PROXYLYTICS: &str = "/api/publisher/proxylytics/v1";
/// The longest period the pull-series endpoints serve.
pub(crate) const PERIOD: &str = "last-12-months";

/// A finished calibration from the live API.
#[derive(Debug)]
pub struct Calibrated {
    /// The configuration (TOML text) and the repairs made on the way.
    pub config: super::Calibrated,
    /// How many namespaces, repositories and weeks the configuration holds.
    pub shape: Shape,
    /// Requests sent, retries included.
    pub requests: u32,
    /// Requests repeated after a 429 or 503.
    pub retries: u32,
    /// Trend reports read for the client mixes.
    pub reports: usize,
}

/// Logs in to the API at `url` with `creds`, reads every namespace the account may read, and
/// returns the calibrated configuration; `rename` as for files. Nothing is written anywhere.
pub fn calibrate(
    url: &str,
    creds: &Credentials,
    rename: bool,
    politeness: Politeness,
    hooks: Hooks,
) -> Result<Calibrated, Error> {
    let base = crate::http::base_url("--from-api", url)?;
    let mut walk = Walk { client: Client::new(&base, politeness, hooks), creds, relogged: false, rename };
    walk.client.plan(2);
    walk.client.log_in(creds)?;
    let namespaces = walk.discover()?;
    walk.client.plan(4 * namespaces.len());
    let mut inputs = Inputs::default();
    let mut report_files = BTreeSet::new();
    let mut reports = 0;
    for (i, ns) in namespaces.iter().enumerate() {
        if !walk.has_weekly_pulls(ns)? {
            continue;
        }
        for timespan in ["weeks", "months"] {
            walk.series(i, ns, timespan, &mut inputs)?;
        }
        // The reports repeat weeks and months of the series: not repeats the header should
        // count, since their points are dropped below.
        let repeated = inputs.repeated;
        let before = inputs.files.len();
        reports += walk.fetch_reports(i, ns, &mut inputs)?;
        report_files.extend(before..inputs.files.len());
        inputs.repeated = repeated;
    }
    if inputs.files.is_empty() {
        let step = walk.client.step("discovery", "GET", &format!("{ANALYTICS}/"));
        let why = format!("none of the namespaces {} has the pulls dataset by week", namespaces.join(", "));
        return Err(walk.client.fail(&step, Some(200), &why));
    }
    keep_series_points(&mut inputs, &report_files);
    fill_zero_weeks(&mut inputs);
    let (config, shape) = super::finish(&inputs, rename)?;
    Ok(Calibrated { config, shape, requests: walk.client.requests, retries: walk.client.retries, reports })
}

struct Walk<'a, 'h> {
    client: Client<'h>,
    creds: &'a Credentials,
    /// Logged in again after a 401 on a data route (once per walk).
    relogged: bool,
    rename: bool,
}

impl Walk<'_, '_> {
    /// GET with the token; a 401 logs in again once through `/v2/users/login` (a token the data
    /// routes refuse, or one that expired during a long walk) and repeats the request.
    fn get(&mut self, what: &str, target: &str) -> Result<(String, u16, Vec<u8>), Error> {
        let (step, status, body) = self.client.get(what, target)?;
        if status != 401 || self.relogged {
            return Ok((step, status, body));
        }
        self.relogged = true;
        self.client.plan(2);
        self.client.login_legacy(self.creds, None)?;
        self.client.get(what, target)
    }

    /// How a source is named in the configuration's header and in errors.
    fn label(&self, i: usize, ns: &str, what: &str, target: &str) -> String {
        if self.rename {
            format!("live API: {what} of namespace {}", i + 1)
        } else {
            self.client.step(&format!("live API: {what} of {ns}"), "GET", target)
        }
    }

    /// `GET A/`: the namespaces the account may read.
    fn discover(&mut self) -> Result<Vec<String>, Error> {
        let (step, status, body) = self.get("discovery", &format!("{ANALYTICS}/"))?;
        let not_api = |c: &Client, why: &str| {
            c.fail(&step, Some(status), &format!("{why}: not the DVP API; pass its host, e.g. https://hub.docker.com"))
        };
        if status != 200 {
            return Err(not_api(&self.client, &detail(&body)));
        }
        let v: serde_json::Value =
            serde_json::from_slice(&body).map_err(|_| not_api(&self.client, "the answer is not JSON"))?;
        let list = v["namespaces"].as_array().ok_or_else(|| not_api(&self.client, "no `namespaces` list"))?;
        let names: Vec<String> = list.iter().filter_map(|n| n.as_str().map(str::to_string)).collect();
        if names.len() != list.len() {
            return Err(not_api(&self.client, "`namespaces` holds something other than names"));
        }
        if names.is_empty() {
            let why = format!("the account {} may read no namespace's analytics", self.creds.username);
            return Err(self.client.refuse(&step, status, &why));
        }
        Ok(names)
    }

    /// `GET A/namespaces/{ns}`: whether the namespace has the `pulls` dataset by week.
    fn has_weekly_pulls(&mut self, ns: &str) -> Result<bool, Error> {
        let (step, status, body) = self.get(&format!("namespace {ns}"), &format!("{ANALYTICS}/namespaces/{ns}"))?;
        if status != 200 {
            return Err(self.client.fail(&step, Some(status), &detail(&body)));
        }
        let v: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|_| self.client.fail(&step, Some(status), "the answer is not JSON"))?;
        let datasets = v["datasets"].as_array().ok_or_else(|| self.client.fail(&step, Some(200), "no `datasets`"))?;
        Ok(datasets
            .iter()
            .any(|d| d["name"] == "pulls" && d["timespans"].as_array().is_some_and(|t| t.iter().any(|x| x == "weeks"))))
    }

    /// One namespace's pull series by repository, weekly or monthly, over [`PERIOD`].
    fn series(&mut self, i: usize, ns: &str, timespan: &str, inputs: &mut Inputs) -> Result<(), Error> {
        let target = format!("{ANALYTICS}/namespaces/{ns}/pulls?timespan={timespan}&period={PERIOD}&group=repo");
        let what = if timespan == "weeks" { "weekly pulls" } else { "monthly pulls" };
        let (step, status, body) = self.get(&format!("{what} of {ns}"), &target)?;
        if status != 200 {
            return Err(self.client.fail(&step, Some(status), &detail(&body)));
        }
        let v: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| self.client.fail(&step, Some(status), &format!("a partial or broken answer ({e})")))?;
        if !(v["pulls"].is_array() || v.get("pulls").is_some_and(|p| p.is_null())) {
            return Err(self.client.fail(&step, Some(status), "a partial answer: no `pulls` list"));
        }
        inputs.files.push(self.label(i, ns, what, &target));
        let names = Names { ns: Some(ns.to_string()), repo: None, stem: String::new() };
        json::read(&body[..], &names, inputs)
            .map_err(|e| self.client.fail(&step, Some(status), &format!("not a pull series: {e}")))
    }

    /// The namespace's trend reports (monthly if any, else weekly), read for their mixes;
    /// returns how many. A namespace without a catalogue (404) has none.
    fn fetch_reports(&mut self, i: usize, ns: &str, inputs: &mut Inputs) -> Result<usize, Error> {
        let target = format!("{PROXYLYTICS}/namespaces/{ns}/reports");
        let (step, status, body) = self.get(&format!("report catalogue of {ns}"), &target)?;
        if status == 404 {
            return Ok(0);
        }
        if status != 200 {
            return Err(self.client.fail(&step, Some(status), &detail(&body)));
        }
        let v: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| self.client.fail(&step, Some(status), &format!("a partial or broken answer ({e})")))?;
        let list = v["reports"].as_array().ok_or_else(|| self.client.fail(&step, Some(200), "no `reports` list"))?;
        let trend: Vec<&str> = list.iter().filter(|r| r["type"] == "trend").filter_map(|r| r["url"].as_str()).collect();
        let monthly: Vec<&str> = trend.iter().copied().filter(|u| u.contains("_monthly_")).collect();
        let chosen: Vec<String> =
            if monthly.is_empty() { trend } else { monthly }.into_iter().map(str::to_string).collect();
        self.client.plan(2 * chosen.len());
        for (k, url) in chosen.iter().enumerate() {
            self.report(i, ns, k, url, inputs)?;
        }
        Ok(chosen.len())
    }

    /// One trend report: its URL (a redirect to a signed link, fetched without the token, or
    /// the CSV itself), streamed into the CSV reader.
    fn report(&mut self, i: usize, ns: &str, k: usize, url: &str, inputs: &mut Inputs) -> Result<(), Error> {
        let name = url.split('?').next().unwrap_or(url).rsplit('/').next().unwrap_or("report").to_string();
        let what = format!("trend report {name} of {ns}");
        let step = self.client.step(&what, "GET", url);
        let mut resp = self.client.send(&step, "GET", url, None, true)?;
        let mut step = step;
        if (300..400).contains(&resp.status()) {
            let status = resp.status();
            let location = resp.header("Location").map(str::to_string);
            let Some(link) = location else {
                return Err(self.client.fail(&step, Some(status), "a redirect without a Location"));
            };
            step = self.client.step(&format!("download of {what}"), "GET", &link);
            resp = self.client.send(&step, "GET", &link, None, false)?;
        }
        let status = resp.status();
        if status != 200 {
            let (_, body) = self.client.body(&step, resp)?;
            return Err(self.client.fail(&step, Some(status), &detail(&body)));
        }
        let label = if self.rename {
            format!("live API: trend report {} of namespace {}", k + 1, i + 1)
        } else {
            self.client.step(&format!("live API: trend report {name}"), "GET", url)
        };
        inputs.files.push(label);
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s).to_string();
        let names = Names { ns: Some(ns.to_string()), repo: None, stem };
        let cut = Arc::new(Mutex::new(None));
        let reader = Watched { inner: resp.into_reader(), cut: cut.clone() };
        let read = csv_in::read(reader, &names, inputs);
        if let Some(e) = cut.lock().expect("not poisoned").take() {
            return Err(self.client.fail(&step, Some(status), &format!("the answer was cut short ({e})")));
        }
        read.map_err(|e| self.client.fail(&step, Some(status), &format!("not a trend report: {e}")))
    }
}

/// A reader that remembers its I/O error, so a body cut short is told from a bad CSV.
struct Watched<R> {
    inner: R,
    cut: Arc<Mutex<Option<String>>>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            *self.cut.lock().expect("not poisoned") = Some(e.to_string());
        })
    }
}

/// Drops the points the reports gave (the series give every week and month); keeps their mixes.
fn keep_series_points(inputs: &mut Inputs, reports: &BTreeSet<usize>) {
    let keep = |m: &mut BTreeMap<chrono::NaiveDate, Point>| m.retain(|_, p| !reports.contains(&p.file));
    for acc in inputs.series.values_mut() {
        keep(&mut acc.weeks);
        keep(&mut acc.months);
        // Months alone are no series here: the monthly window reaches further back than the
        // weekly one, so a repository pulled only there has no week to follow.
        if acc.weeks.is_empty() {
            acc.months.clear();
        }
    }
}

/// A week the API leaves out inside a repository's weekly series had no pull: a zero.
fn fill_zero_weeks(inputs: &mut Inputs) {
    for acc in inputs.series.values_mut() {
        let (Some((&first, p)), Some((&last, _))) = (acc.weeks.first_key_value(), acc.weeks.last_key_value()) else {
            continue;
        };
        let file = p.file;
        let mut week = first;
        while week < last {
            acc.weeks.entry(week).or_insert(Point { pulls: 0, ips: Some(0), file });
            week = week + Days::new(7);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn report_points_go_series_points_stay_and_inner_missing_weeks_are_zeros() {
        let files = vec!["weekly".into(), "monthly".into(), "trend".into()];
        let mut inputs = Inputs { files, ..Inputs::default() };
        let point = |pulls, file| Point { pulls, ips: Some(pulls / 2), file };
        let web = inputs.acc("acme", "web");
        web.weeks.insert(d("2026-01-05"), point(10, 0));
        web.weeks.insert(d("2026-01-26"), point(12, 0));
        web.weeks.insert(d("2026-02-02"), point(8, 2));
        web.months.insert(d("2026-01-01"), point(40, 1));
        web.months.insert(d("2025-12-01"), point(30, 2));
        // Pulled only before the weekly window: monthly points alone.
        inputs.acc("acme", "old").months.insert(d("2025-03-01"), point(5, 1));
        keep_series_points(&mut inputs, &BTreeSet::from([2]));
        fill_zero_weeks(&mut inputs);
        let web = &inputs.series[&("acme".to_string(), "web".to_string())];
        let weeks: Vec<(String, u64)> = web.weeks.iter().map(|(w, p)| (w.to_string(), p.pulls)).collect();
        assert_eq!(
            weeks,
            [("2026-01-05".into(), 10), ("2026-01-12".into(), 0), ("2026-01-19".into(), 0), ("2026-01-26".into(), 12)]
        );
        assert_eq!(web.months.keys().copied().collect::<Vec<_>>(), [d("2026-01-01")]);
        let old = &inputs.series[&("acme".to_string(), "old".to_string())];
        assert!(old.weeks.is_empty() && old.months.is_empty());
    }
}
