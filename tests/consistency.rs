//! One model, many views: every view adds up to every other.
use std::collections::{BTreeMap, BTreeSet};

use crate::support;
use dvp_mock::bodies::reports::{self, ReportType};
use dvp_mock::bodies::{self, Dataview, Group};
use dvp_mock::engine::calendar::Granularity;
use dvp_mock::engine::events;

pub type Rows = Vec<BTreeMap<String, String>>;

pub fn parse(csv: &[u8]) -> Rows {
    let mut r = csv::Reader::from_reader(csv);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

pub fn n(row: &BTreeMap<String, String>, col: &str) -> u64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = {:?} is not an integer", row[col]))
}

#[test]
fn raw_rows_add_up_to_every_summary_and_pull_series() {
    let model = support::default_model();
    let mut checked_rows = 0usize;
    for (ns, namespace) in model.world.namespaces.iter().enumerate() {
        for p in model.world.calendar.all() {
            let raw = parse(&bodies::export_csv(model, ns, p, Dataview::Raw));
            checked_rows += raw.len();
            // (repo, action) counts from raw rows.
            let mut by_repo: BTreeMap<String, [u64; 3]> = BTreeMap::new();
            let mut by_ref: BTreeMap<(String, String, String), [u64; 3]> = BTreeMap::new();
            for row in &raw {
                let i = match row["action"].as_str() {
                    "pull_by_tag" => 0,
                    "pull_by_digest" => 1,
                    "version_check" => 2,
                    other => panic!("unknown action {other}"),
                };
                assert_eq!(row["tag"].is_empty(), i == 1, "tag is set exactly when the request used one");
                assert!(matches!(row["http_method"].as_str(), "GET" | "HEAD"));
                if i == 2 {
                    assert_eq!(row["http_method"], "HEAD", "a version check is a HEAD by tag");
                }
                by_repo.entry(row["repository"].clone()).or_default()[i] += 1;
                by_ref.entry((row["repository"].clone(), row["tag"].clone(), row["digest"].clone())).or_default()[i] +=
                    1;
            }
            let repo_summary = parse(&bodies::export_csv(model, ns, p, Dataview::RepoSummary));
            let from_summary: BTreeMap<String, [u64; 3]> = repo_summary
                .iter()
                .map(|r| {
                    (
                        r["repository"].clone(),
                        [n(r, "pull_by_tag_count"), n(r, "pull_by_digest_count"), n(r, "version_check_count")],
                    )
                })
                .collect();
            assert_eq!(by_repo, from_summary, "raw vs repo-summary, {} {}", namespace.name, p.label());
            let summary = parse(&bodies::export_csv(model, ns, p, Dataview::Summary));
            let from_tag_summary: BTreeMap<(String, String, String), [u64; 3]> = summary
                .iter()
                .map(|r| {
                    (
                        (r["repository"].clone(), r["tag"].clone(), r["digest"].clone()),
                        [n(r, "pull_by_tag_count"), n(r, "pull_by_digest_count"), n(r, "version_check_count")],
                    )
                })
                .collect();
            assert_eq!(by_ref, from_tag_summary, "raw vs tag/digest summary, {} {}", namespace.name, p.label());
            // Namespace summary = sum of repositories; unique IPs between max and sum.
            let ns_summary = parse(&bodies::export_csv(model, ns, p, Dataview::NamespaceSummary));
            let total: [u64; 3] = by_repo.values().fold([0; 3], |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
            if let Some(row) = ns_summary.first() {
                assert_eq!(
                    [n(row, "pull_by_tag_count"), n(row, "pull_by_digest_count"), n(row, "version_check_count")],
                    total
                );
                let uniques: Vec<u64> = repo_summary.iter().map(|r| n(r, "unique_ip_count")).collect();
                let u = n(row, "unique_ip_count");
                assert!(u >= uniques.iter().copied().max().unwrap_or(0) && u <= uniques.iter().sum::<u64>());
            }
            // Geo summary sums to the repo summary.
            let mut geo: BTreeMap<String, u64> = BTreeMap::new();
            for r in parse(&bodies::export_csv(model, ns, p, Dataview::GeoRepoSummary)) {
                *geo.entry(r["repository"].clone()).or_default() +=
                    n(&r, "pull_by_tag_count") + n(&r, "pull_by_digest_count") + n(&r, "version_check_count");
            }
            let repo_totals: BTreeMap<String, u64> = by_repo.iter().map(|(k, v)| (k.clone(), v.iter().sum())).collect();
            assert_eq!(geo, repo_totals);
            // Unique IP counts are real distinct counts of the clients behind the events.
            let mut clients: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
            for day in p.days() {
                for e in events::day_events(&model.world, ns, day) {
                    clients.entry(namespace.repos[e.repo as usize].name.clone()).or_default().insert(e.client);
                }
            }
            for r in &repo_summary {
                assert_eq!(n(r, "unique_ip_count"), clients[&r["repository"]].len() as u64);
            }
        }
        // Weekly and monthly pull series agree with the raw rows of each period.
        for g in [Granularity::Week, Granularity::Month] {
            let series = bodies::pull_data(model, ns, None, g, 12, Group::Repo);
            for item in series["pulls"].as_array().into_iter().flatten() {
                let start: chrono::NaiveDate = item["start"].as_str().unwrap()[..10].parse().unwrap();
                let p = model.periods(g).iter().find(|p| p.start == start).unwrap();
                let repo = item["repo"].as_str().unwrap();
                let raw = parse(&bodies::export_csv(model, ns, p, Dataview::Raw));
                let count = raw.iter().filter(|r| r["repository"] == repo).count() as u64;
                assert_eq!(item["pullCount"].as_u64().unwrap(), count, "{repo} {}", p.label());
                let rs = parse(&bodies::export_csv(model, ns, p, Dataview::RepoSummary));
                let ip = rs.iter().find(|r| r["repository"] == repo).map(|r| n(r, "unique_ip_count")).unwrap();
                assert_eq!(item["ipCount"].as_u64().unwrap(), ip);
            }
        }
    }
    assert!(checked_rows > 20_000, "the default model should have real volume, got {checked_rows} rows");
}

#[test]
fn reports_agree_with_each_other_and_with_the_legacy_exports() {
    let model = support::default_model();
    for (ns, namespace) in model.world.namespaces.iter().enumerate() {
        for p in reports::retained(&model.world) {
            let trend = parse(&reports::report_csv(&model.world, ns, ReportType::Trend, &p));
            let mut per_image: BTreeMap<String, [u64; 2]> = BTreeMap::new();
            let mut digest_downloads: BTreeMap<String, u64> = BTreeMap::new();
            for r in &trend {
                assert_eq!(n(r, "PULLS"), n(r, "DATA_DOWNLOADS") + n(r, "VERSION_CHECKS"));
                assert!(n(r, "UNIQUE_AUTHENTICATED_USERS") + n(r, "UNIQUE_UNAUTHENTICATED_USERS") >= 1);
                assert_eq!(r["DATE_GRANULARITY"], p.granularity.csv());
                assert_eq!(r["DATE_REFERENCE"], p.start.to_string());
                assert_eq!(r["NAMESPACE"], namespace.name);
                let e = per_image.entry(r["IMAGE_REPOSITORY"].clone()).or_default();
                e[0] += n(r, "DATA_DOWNLOADS");
                e[1] += n(r, "VERSION_CHECKS");
                if r["TAG"] == "\\\\N" {
                    *digest_downloads.entry(r["IMAGE_REPOSITORY"].clone()).or_default() += n(r, "DATA_DOWNLOADS");
                }
            }
            let summary = parse(&reports::report_csv(&model.world, ns, ReportType::Summary, &p));
            let repo_rows: BTreeMap<String, [u64; 2]> = summary
                .iter()
                .filter(|r| r["LEVEL"] == "repository")
                .map(|r| {
                    assert_eq!(n(r, "EVENT_COUNT"), n(r, "DATA_DOWNLOADS") + n(r, "VERSION_CHECKS"));
                    (r["REFERENCE"].clone(), [n(r, "DATA_DOWNLOADS"), n(r, "VERSION_CHECKS")])
                })
                .collect();
            assert_eq!(per_image, repo_rows, "trend vs summary report, {} {}", namespace.name, p.label());
            let legacy: BTreeMap<String, [u64; 2]> = parse(&bodies::export_csv(model, ns, &p, Dataview::RepoSummary))
                .iter()
                .map(|r| {
                    (
                        format!("{}/{}", namespace.name, r["repository"]),
                        [n(r, "pull_by_tag_count") + n(r, "pull_by_digest_count"), n(r, "version_check_count")],
                    )
                })
                .collect();
            assert_eq!(per_image, legacy, "trend vs legacy repo-summary, {} {}", namespace.name, p.label());
            for (image, d) in digest_downloads {
                let repo = image.split_once('/').unwrap().1;
                let rs = parse(&bodies::export_csv(model, ns, &p, Dataview::RepoSummary));
                let row = rs.iter().find(|r| r["repository"] == repo).unwrap();
                assert_eq!(d, n(row, "pull_by_digest_count"), "\\\\N rows are the pulls by digest");
            }
            // Each level restates the same total.
            let levels: BTreeMap<String, u64> = summary
                .iter()
                .filter(|r| r["LEVEL"] != "repository")
                .map(|r| (r["LEVEL"].clone(), n(r, "EVENT_COUNT")))
                .collect();
            let total: u64 = repo_rows.values().map(|v| v[0] + v[1]).sum();
            assert_eq!(levels.values().copied().collect::<Vec<_>>(), vec![total, total]);
            // Technographic: threshold, percentages consistent with counts.
            for r in parse(&reports::report_csv(&model.world, ns, ReportType::Technographic, &p)) {
                assert!(n(&r, "USERS") >= reports::MIN_PAIR_USERS as u64);
                let pct: f64 = r["PCT_USERS"].parse().unwrap();
                let expect = n(&r, "USERS") as f64 * 100.0 / n(&r, "TOTAL_PULLERS") as f64;
                assert!((pct - expect).abs() < 0.006, "{pct} vs {expect}");
                assert!(n(&r, "DOMAINS") <= n(&r, "TOTAL_DOMAINS"));
                assert_ne!(r["DVPP_IMAGE"], r["PAIRED_IMAGE"]);
            }
            for r in parse(&reports::report_csv(&model.world, ns, ReportType::TrackedCompanies, &p)) {
                assert_eq!(n(&r, "PULLS"), n(&r, "DATA_DOWNLOADS") + n(&r, "VERSION_CHECKS"));
                assert!(["Local Dev", "CI/CD", "Prod", "Unknown"].contains(&r["INFERRED_USE_CASE"].as_str()));
            }
        }
    }
}

#[test]
fn report_csvs_have_the_exact_documented_headers() {
    let model = support::default_model();
    let p = *reports::retained(&model.world).first().unwrap();
    let header =
        |t| String::from_utf8(reports::report_csv(&model.world, 0, t, &p)).unwrap().lines().next().unwrap().to_string();
    assert_eq!(header(ReportType::Trend), "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,IMAGE_REPOSITORY,NAMESPACE,IP_COUNTRY,CLOUD_SERVICE_PROVIDER,USER_AGENT,TAG,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS,UNIQUE_UNAUTHENTICATED_USERS");
    assert_eq!(
        header(ReportType::Summary),
        "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,LEVEL,REFERENCE,DATA_DOWNLOADS,VERSION_CHECKS,EVENT_COUNT"
    );
    assert_eq!(header(ReportType::Technographic), "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,DVPP_IMAGE,PAIRED_IMAGE,USERS,TOTAL_PULLERS,PCT_USERS,DOMAINS,TOTAL_DOMAINS,PCT_DOMAINS");
    assert_eq!(
        header(ReportType::TechnographicCompanies),
        "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,DOMAIN,DVPP_IMAGE,PAIRED_IMAGE"
    );
    assert_eq!(header(ReportType::TrackedCompanies), "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,DOMAIN,IP_COUNTRY,CLOUD_SERVICE_PROVIDER,USER_AGENT,INFERRED_USE_CASE,IMAGE_REPOSITORY,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS");
    // Technographic has pairings in the default data (the report is not empty).
    let any_pairs = reports::retained(&model.world)
        .iter()
        .any(|p| !reports::pairings(&model.world, &reports::ReportPeriod::new(&model.world, p), 0).is_empty());
    assert!(any_pairs);
}

#[test]
fn export_parts_concatenate_to_the_whole_export() {
    // The committed default tree splits large exports; each part starts with the header, is at
    // most export_part_bytes long, and the parts' rows after one header are the whole export.
    let model = support::default_model();
    let max = model.world.config.export_part_bytes as usize;
    let tree = support::default_tree();
    let mut split = 0;
    for ns in 0..model.world.namespaces.len() {
        for p in model.world.calendar.all() {
            let whole = bodies::export_csv(model, ns, p, Dataview::Raw);
            let stem = format!(
                "__files/dvp-mock/exports/{0}/{0}_raw_{1}_{2}{3:02}",
                model.world.namespaces[ns].name,
                p.path_year(),
                if p.granularity == Granularity::Week { "w" } else { "m" },
                p.path_number()
            );
            let parts: Vec<&Vec<u8>> =
                tree.range(format!("{stem}_part")..format!("{stem}_paru")).map(|(_, v)| v).collect();
            if parts.is_empty() {
                assert_eq!(tree.get(&format!("{stem}.csv")), Some(&whole), "{stem}");
                assert!(whole.len() <= max);
                continue;
            }
            split += 1;
            let header_len = whole.iter().position(|&b| b == b'\n').unwrap() + 1;
            let mut joined = whole[..header_len].to_vec();
            for part in &parts {
                assert!(part.len() <= max, "{stem}: part of {} bytes", part.len());
                assert_eq!(&part[..header_len], &whole[..header_len], "every part starts with the header");
                joined.extend_from_slice(&part[header_len..]);
            }
            assert_eq!(joined, whole, "{stem}");
            assert!(!tree.contains_key(&format!("{stem}.csv")));
        }
    }
    assert!(split > 0, "the default configuration exercises split exports");
}
