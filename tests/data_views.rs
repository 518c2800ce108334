//! The data views of issue 11 (items 7-10): premium extension views, the opt-in benchmark
//! report, opt-in gzipped exports and public namespaces; each from the same model as the
//! views it restates, and served by the real WireMock jar.
use std::collections::BTreeMap;

use crate::support;
use dvp_mock::config::Config;
use dvp_mock::model::Model;
use dvp_mock::reports::{self, ReportType};
use dvp_mock::views::{self, Dataview};

type Rows = Vec<BTreeMap<String, String>>;

fn parse(csv: &[u8]) -> Rows {
    let mut r = csv::Reader::from_reader(csv);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

fn n(row: &BTreeMap<String, String>, col: &str) -> u64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = {:?} is not an integer", row[col]))
}

const PREMIUM_COLUMNS: [&str; 6] =
    ["installs", "unique_installs", "uninstalls", "unique_uninstalls", "usage", "unique_users"];

/// The default config with a short history: a cheap model for the opt-in settings.
fn short_config() -> Config {
    let mut c = Config::default_config();
    c.history_start = c.as_of - chrono::Days::new(70);
    c
}

#[test]
fn premium_views_restate_ext_summary_and_the_raw_rows() {
    let model = support::default_model();
    let (ns, namespace) = model.world.namespace("betalabs").unwrap();
    assert!(namespace.premium_extensions && namespace.extension_publisher);
    let mut active = 0;
    for p in model.world.calendar.all() {
        let ext = parse(&views::export_csv(model, ns, p, Dataview::ExtSummary));
        let premium = parse(&views::export_csv(model, ns, p, Dataview::ExtPremiumSummary));
        let geo = parse(&views::export_csv(model, ns, p, Dataview::ExtPremiumGeo));
        let raw = parse(&views::export_csv(model, ns, p, Dataview::Raw));
        assert_eq!(ext.len(), premium.len(), "one row per extension, {}", p.label());
        for (e, r) in ext.iter().zip(&premium) {
            assert_eq!((&e["namespace"], &e["extension"]), (&r["namespace"], &r["extension"]));
            // The data points both views name.
            assert_eq!(n(e, "installs"), n(r, "installs"), "installs {}", p.label());
            assert_eq!(n(e, "uninstalls"), n(r, "uninstalls"), "uninstalls {}", p.label());
            // Usage = every event on the extension repository.
            let usage = raw.iter().filter(|x| x["repository"] == r["extension"]).count() as u64;
            assert_eq!(n(r, "usage"), usage, "usage {}", p.label());
            // Signed-in users are a subset of the clients.
            assert!(n(r, "unique_installs") <= n(r, "installs"));
            assert!(n(r, "unique_uninstalls") <= n(r, "uninstalls"));
            assert_eq!(n(r, "unique_users"), n(r, "unique_installs") + n(r, "unique_uninstalls"));
            // Geo rows add up to the summary row, column by column.
            let rows: Vec<_> = geo.iter().filter(|g| g["extension"] == r["extension"]).collect();
            for col in PREMIUM_COLUMNS {
                assert_eq!(rows.iter().map(|g| n(g, col)).sum::<u64>(), n(r, col), "{col} by country {}", p.label());
            }
            active += u64::from(n(r, "usage") > 0);
        }
    }
    assert!(active > 10, "the default model has extension activity in most periods: {active}");
}

#[test]
fn premium_views_are_listed_only_for_premium_namespaces() {
    let model = support::default_model();
    let names = |ns: &str| {
        let (_, n) = model.world.namespace(ns).unwrap();
        if n.extension_publisher {
            Dataview::extensions(n.premium_extensions).iter().map(|v| v.api()).collect::<Vec<_>>()
        } else {
            Vec::new()
        }
    };
    assert_eq!(names("betalabs"), ["ext-summary", "ext-premium-summary", "ext-premium-geo"]);
    assert!(names("acme").is_empty());
    assert_eq!(Dataview::extensions(false).iter().map(|v| v.api()).collect::<Vec<_>>(), ["ext-summary"]);
    let text = Config::default_config();
    let mut bad = text.clone();
    bad.namespaces[0].premium_extensions = true;
    let err = bad.validate().unwrap_err();
    assert_eq!(err, "key `namespaces[0].premium_extensions`: needs `extension_publisher = true`");
}

#[test]
fn benchmark_report_is_off_by_default_and_sums_the_tracked_companies_cells() {
    assert_eq!(ReportType::catalogue(&Config::default_config()), ReportType::ALL.to_vec());
    let mut config = short_config();
    config.reports.benchmark_companies = 3;
    let model = Model::build(config, 2);
    assert_eq!(*ReportType::catalogue(&model.world.config).last().unwrap(), ReportType::Benchmark);
    let mut rows_seen = 0;
    for (ns, namespace) in model.world.namespaces.iter().enumerate() {
        for p in reports::retained(&model) {
            let csv = reports::report_csv(&model, ns, ReportType::Benchmark, &p);
            let header = String::from_utf8_lossy(&csv).lines().next().unwrap().to_string();
            assert_eq!(header, "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,DOMAIN,IMAGE_REPOSITORY,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS,PCT_REPOSITORY_PULLS,RANK");
            let bench = parse(&csv);
            // The tracked companies (10) include the 3 benchmark companies: same cells, summed
            // over country, cloud, agent and use case.
            let mut tracked: BTreeMap<(String, String), [u64; 4]> = BTreeMap::new();
            for r in parse(&reports::report_csv(&model, ns, ReportType::TrackedCompanies, &p)) {
                let e = tracked.entry((r["DOMAIN"].clone(), r["IMAGE_REPOSITORY"].clone())).or_default();
                for (i, col) in
                    ["DATA_DOWNLOADS", "VERSION_CHECKS", "PULLS", "UNIQUE_AUTHENTICATED_USERS"].iter().enumerate()
                {
                    e[i] += n(&r, col);
                }
            }
            let repo_pulls: BTreeMap<String, u64> = parse(&views::export_csv(&model, ns, &p, Dataview::RepoSummary))
                .iter()
                .map(|r| {
                    let pulls = n(r, "pull_by_tag_count") + n(r, "pull_by_digest_count") + n(r, "version_check_count");
                    (format!("{}/{}", namespace.name, r["repository"]), pulls)
                })
                .collect();
            let mut companies = std::collections::BTreeSet::new();
            for r in &bench {
                let key = (r["DOMAIN"].clone(), r["IMAGE_REPOSITORY"].clone());
                let got =
                    [n(r, "DATA_DOWNLOADS"), n(r, "VERSION_CHECKS"), n(r, "PULLS"), n(r, "UNIQUE_AUTHENTICATED_USERS")];
                assert_eq!(Some(&got), tracked.get(&key), "{key:?} {}", p.label());
                let pct: f64 = r["PCT_REPOSITORY_PULLS"].parse().unwrap();
                let expect = n(r, "PULLS") as f64 * 100.0 / repo_pulls[&r["IMAGE_REPOSITORY"]] as f64;
                assert!((pct - expect).abs() < 0.006, "{pct} vs {expect}");
                assert!((1..=3).contains(&n(r, "RANK")));
                companies.insert(r["DOMAIN"].clone());
            }
            assert!(companies.len() <= 3, "{companies:?}");
            rows_seen += bench.len();
        }
    }
    assert!(rows_seen > 0, "the benchmark report has rows");
}
