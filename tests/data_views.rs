//! The data views of issue 11 (items 7-10): premium extension views, the opt-in benchmark
//! report, opt-in gzipped exports and public namespaces; each from the same model as the
//! views it restates, and served by the real WireMock jar.
use std::collections::BTreeMap;

use crate::consistency::{n, parse};
use crate::support;
use dvp_mock::bodies::reports::{self, ReportType};
use dvp_mock::bodies::{self, Dataview};
use dvp_mock::config::Config;
use dvp_mock::engine::model::Model;
use dvp_mock::wiremock::Target;

/// The default config with a short history: a cheap model for the opt-in settings.
fn short_config() -> Config {
    let mut c = Config::default_config();
    c.history_start = c.as_of - chrono::Days::new(70);
    c
}

/// The configuration of the opt-in settings, generated once per run: model, corpus and tree,
/// and the answers of the one WireMock serving that tree to the whole corpus (sent once,
/// holding the server alone: the corpus counts failed logins), with the base URL they came from.
pub struct OptIn {
    pub built: dvp_mock::Generated,
    pub tree: dvp_mock::wiremock::Tree,
    pub base: String,
    pub answers: Vec<dvp_mock::verify::Received>,
}

pub fn opt_in() -> &'static OptIn {
    static ONCE: std::sync::OnceLock<OptIn> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let (built, tree) = support::generate(&opt_in_config(), Target::Standalone, 2).unwrap();
        let wm = support::shared::shared_tree("opt-in", || tree.clone()).exclusive();
        let (agent, base) = (dvp_mock::verify::agent(), wm.base_url());
        let answers = built
            .corpus
            .iter()
            .map(|c| dvp_mock::verify::send(&agent, &base, c).unwrap_or_else(|e| panic!("{}: {e}", c.name)))
            .collect();
        OptIn { built, tree, base, answers }
    })
}

/// The one WireMock serving the tree of [`opt_in_config`] for the whole run (read access).
pub fn opt_in_wiremock() -> support::shared::Served {
    let tree = &opt_in().tree;
    support::shared::shared_tree("opt-in", || tree.clone()).read()
}

/// [`short_config`] with every opt-in setting on: benchmark reports and gzipped exports.
pub fn opt_in_config() -> Config {
    let mut c = short_config();
    c.reports.benchmark_companies = 3;
    c.export_gzip = true;
    c
}

#[test]
fn premium_views_restate_ext_summary_and_the_raw_rows() {
    let model = support::default_model();
    let (ns, namespace) = model.world.namespace("betalabs").unwrap();
    assert!(namespace.premium_extensions && namespace.extension_publisher);
    let mut active = 0;
    for p in model.world.calendar.all() {
        let ext = parse(&bodies::export_csv(model, ns, p, Dataview::ExtSummary));
        let premium = parse(&bodies::export_csv(model, ns, p, Dataview::ExtPremiumSummary));
        let geo = parse(&bodies::export_csv(model, ns, p, Dataview::ExtPremiumGeo));
        let raw = parse(&bodies::export_csv(model, ns, p, Dataview::Raw));
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
            for col in dvp_mock::bodies::premium::DATA_POINTS {
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
    let model = &model;
    assert_eq!(*ReportType::catalogue(&model.world.config).last().unwrap(), ReportType::Benchmark);
    let mut rows_seen = 0;
    for (ns, namespace) in model.world.namespaces.iter().enumerate() {
        for p in reports::retained(&model.world) {
            let csv = reports::report_csv(&model.world, ns, ReportType::Benchmark, &p);
            let header = String::from_utf8_lossy(&csv).lines().next().unwrap().to_string();
            assert_eq!(header, "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,DOMAIN,IMAGE_REPOSITORY,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS,PCT_REPOSITORY_PULLS,RANK");
            let bench = parse(&csv);
            // The tracked companies (10) include the 3 benchmark companies: same cells, summed
            // over country, cloud, agent and use case.
            let mut tracked: BTreeMap<(String, String), [u64; 4]> = BTreeMap::new();
            for r in parse(&reports::report_csv(&model.world, ns, ReportType::TrackedCompanies, &p)) {
                let e = tracked.entry((r["DOMAIN"].clone(), r["IMAGE_REPOSITORY"].clone())).or_default();
                for (i, col) in
                    ["DATA_DOWNLOADS", "VERSION_CHECKS", "PULLS", "UNIQUE_AUTHENTICATED_USERS"].iter().enumerate()
                {
                    e[i] += n(&r, col);
                }
            }
            let repo_pulls: BTreeMap<String, u64> = parse(&bodies::export_csv(model, ns, &p, Dataview::RepoSummary))
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

// ------------------------------------------------------------ served by the real WireMock

use crate::support::wiremock::HttpResponse;
use dvp_mock::dvp_api::{ANALYTICS, PROXY};
use serde_json::Value;

fn json(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

/// The path and query of an absolute URL the mock rendered with its own base URL.
fn local(url: &str, base: &str) -> String {
    url.strip_prefix(base).unwrap_or_else(|| panic!("{url} is not under {base}")).to_string()
}

/// The default tree: premium views listed, listed and downloadable; `library` only on the
/// proxylytics pull routes; no benchmark report in the catalogue.
#[test]
fn default_tree_serves_premium_views_and_public_series_only_where_they_belong() {
    let model = support::default_model();
    let wm = support::default_wiremock();
    let base = wm.base_url();
    let token = &model.world.users.iter().find(|u| u.username == "demo").unwrap().token;
    let auth = format!("Bearer {token}");
    let get = |path: &str| wm.request("GET", path, &[("Authorization", &auth)], None);

    // Premium views: listed in the extensions dataset, served through listing + signed link.
    let meta = json(&get(&format!("{ANALYTICS}/namespaces/betalabs")));
    assert_eq!(
        meta["datasets"][1]["views"],
        serde_json::json!(["ext-summary", "ext-premium-summary", "ext-premium-geo"])
    );
    let acme = json(&get(&format!("{ANALYTICS}/namespaces/acme")));
    assert_eq!(acme["datasets"].as_array().unwrap().len(), 1, "acme has no extensions dataset");
    let (ns, _) = model.world.namespace("betalabs").unwrap();
    let p = *model.world.calendar.weeks.last().unwrap();
    for view in [Dataview::ExtPremiumSummary, Dataview::ExtPremiumGeo] {
        let listing = json(&get(&format!(
            "{ANALYTICS}/namespaces/betalabs/pulls/exports/years/{}/weeks/{}/{}",
            p.path_year(),
            p.path_number(),
            view.api()
        )));
        let item = &listing["data"][0];
        let file = wm.request("GET", &local(item["url"].as_str().unwrap(), &base), &[], None);
        assert_eq!(file.status, 200, "{}", file.text());
        assert_eq!(file.header("Content-Type"), Some("text/csv; charset=utf-8"));
        assert_eq!(file.body.len() as u64, item["size"].as_u64().unwrap());
        assert_eq!(file.body, bodies::export_csv(model, ns, &p, view), "{}", view.api());
    }
    // Premium views on a namespace without the entitlement: 404, like any unknown period path.
    let not_premium = get(&format!(
        "{ANALYTICS}/namespaces/acme/pulls/exports/years/{}/weeks/{}/ext-premium-geo",
        p.path_year(),
        p.path_number()
    ));
    assert_eq!(not_premium.status, 404, "{}", not_premium.text());
    // The dataview enum of the 400 names them.
    let bad = get(&format!("{ANALYTICS}/namespaces/acme/pulls/exports/years/2026/weeks/10/everything"));
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("ext-summary, ext-premium-summary, ext-premium-geo"), "{}", bad.text());

    // Public namespace: both public pull routes, no token, realistic volumes.
    let series = wm.request("GET", &format!("{PROXY}/namespaces/library/repos/nginx/pulls"), &[], None);
    assert_eq!(series.status, 200, "{}", series.text());
    let series = json(&series);
    let points = series["pulls"].as_array().unwrap();
    assert!(points.len() >= 20, "weekly points over the last 6 months: {}", points.len());
    assert!(points.iter().all(|x| x["repo"] == "nginx" && x["pullCount"].as_u64().unwrap() > 10_000_000));
    assert!(points.iter().all(|x| x["ipCount"].as_u64().unwrap() < x["pullCount"].as_u64().unwrap()));
    let repos = json(&wm.request("GET", &format!("{PROXY}/repos/pulls?repos=library/nginx,acme/web"), &[], None));
    assert_eq!(repos["repos"]["library/nginx"], series, "/repos/pulls restates the repository route");
    let ns_series = json(&wm.request("GET", &format!("{PROXY}/namespaces/library/pulls?timespan=months"), &[], None));
    let month_sum: u64 = ["nginx", "redis", "postgres"]
        .iter()
        .map(|r| {
            let s = json(&wm.request(
                "GET",
                &format!("{PROXY}/namespaces/library/repos/{r}/pulls?timespan=months"),
                &[],
                None,
            ));
            s["pulls"].as_array().unwrap().last().unwrap()["pullCount"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(ns_series["pulls"].as_array().unwrap().last().unwrap()["pullCount"].as_u64(), Some(month_sum));
    // Names not in the world keep the 404 of an unknown repository.
    for path in ["namespaces/library/repos/busybox/pulls", "namespaces/nosuchorg/repos/x/pulls"] {
        let r = wm.request("GET", &format!("{PROXY}/{path}"), &[], None);
        assert_eq!(r.status, 404, "{path}");
        assert!(json(&r)["detail"].as_str().unwrap().starts_with("Not found - repo"), "{path}");
    }
    // Never on the analytics root, in a namespace list, or with exports and reports.
    let root = json(&get(&format!("{ANALYTICS}/")));
    assert!(!root["namespaces"].as_array().unwrap().iter().any(|n| n == "library"));
    for path in [
        format!("{ANALYTICS}/namespaces/library"),
        format!("{ANALYTICS}/namespaces/library/pulls"),
        format!("{ANALYTICS}/namespaces/library/repos/nginx/pulls"),
        format!("{ANALYTICS}/namespaces/library/pulls/exports/years"),
        format!("{PROXY}/namespaces/library/reports"),
    ] {
        let r = get(&path);
        assert_eq!(r.status, 404, "{path}: {}", r.text());
        assert!(json(&r)["detail"].as_str().unwrap().starts_with("Not found - namespace"), "{path}");
    }
    let analytics_repos = json(&get(&format!("{ANALYTICS}/repos/pulls?repos=library/nginx")));
    assert_eq!(analytics_repos["repos"]["library/nginx"], serde_json::json!({ "pulls": [] }));

    // Benchmark reports are opt-in: the default catalogue has the five observed types.
    let catalogue = json(&get(&format!("{PROXY}/namespaces/acme/reports")));
    let types: std::collections::BTreeSet<&str> =
        catalogue["reports"].as_array().unwrap().iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types.len(), 5);
    assert!(!types.contains("benchmark"));
}

/// The opt-in settings together on a short history: benchmark reports in the catalogue and
/// gzipped export parts, served by the real jar; every gzipped part unpacks to the plain part.
#[test]
fn opt_in_benchmark_reports_and_gzip_exports_are_served() {
    use std::io::Read;
    let plain = support::tree_of(&short_config(), 2);
    let OptIn { built, tree, base, answers } = opt_in();
    let model = &built.model;
    // The whole corpus of this configuration (what `dvp-mock verify` replays) passes.
    let failures: Vec<String> = built
        .corpus
        .iter()
        .zip(answers)
        .filter_map(|(case, got)| {
            dvp_mock::verify::compare(case, base, got).err().map(|why| format!("{}: {why}", case.name))
        })
        .collect();
    assert!(failures.is_empty(), "{} corpus failures:\n{}", failures.len(), failures.join("\n"));
    let wm = opt_in_wiremock();
    assert_eq!(&wm.base_url(), base);
    assert!(built.corpus.iter().any(|c| c.path.contains(".csv.gz?")), "the corpus downloads gzipped parts");
    assert!(built.corpus.iter().any(|c| c.path.contains("_benchmark_")), "the corpus fetches benchmark reports");
    let auth = format!("Bearer {}", model.world.users[0].token);
    let get = |path: &str| wm.request("GET", path, &[("Authorization", &auth)], None);

    // Benchmark: one entry per retained period, redirect to a signed CSV.
    let catalogue = json(&get(&format!("{PROXY}/namespaces/acme/reports")));
    let bench: Vec<&Value> =
        catalogue["reports"].as_array().unwrap().iter().filter(|r| r["type"] == "benchmark").collect();
    assert_eq!(bench.len(), reports::retained(&model.world).len());
    let (ns, _) = model.world.namespace("acme").unwrap();
    for (entry, p) in bench.iter().zip(reports::retained(&model.world)) {
        let redirect = get(&local(entry["url"].as_str().unwrap(), base));
        assert_eq!(redirect.status, 302);
        let csv = wm.request("GET", &local(redirect.header("Location").unwrap(), base), &[], None);
        assert_eq!(csv.status, 200);
        assert_eq!(csv.body, reports::report_csv(&model.world, ns, ReportType::Benchmark, &p));
        assert!(csv.text().lines().count() > 1, "rows in {}", p.label());
    }

    // Gzip: every listed part of every view of the last week and month.
    let mut parts = 0;
    for ns_name in ["acme", "betalabs"] {
        for p in [model.world.calendar.weeks.last().unwrap(), model.world.calendar.months.last().unwrap()] {
            let (_, namespace) = model.world.namespace(ns_name).unwrap();
            let views = Dataview::PULLS.iter().chain(
                Dataview::extensions(namespace.premium_extensions).iter().filter(|_| namespace.extension_publisher),
            );
            for view in views {
                let listing = json(&get(&format!(
                    "{ANALYTICS}/namespaces/{ns_name}/pulls/exports/years/{}/{}/{}/{}",
                    p.path_year(),
                    p.granularity.api(),
                    p.path_number(),
                    view.api()
                )));
                for item in listing["data"].as_array().unwrap() {
                    let url = item["url"].as_str().unwrap();
                    let file_name = url.split('?').next().unwrap().rsplit('/').next().unwrap();
                    assert!(file_name.ends_with(".csv.gz"), "{file_name}");
                    let r = wm.request("GET", &local(url, base), &[("Accept-Encoding", "gzip")], None);
                    assert_eq!(r.status, 200, "{url}");
                    assert_eq!(r.header("Content-Type"), Some("application/gzip"));
                    assert_eq!(r.header("Content-Encoding"), None, "the body is the .gz file itself");
                    assert_eq!(
                        r.header("Content-Disposition"),
                        Some(format!("attachment; filename=\"{file_name}\"").as_str())
                    );
                    assert_eq!(r.body.len() as u64, item["size"].as_u64().unwrap(), "listed size is exact");
                    let mut csv = Vec::new();
                    flate2::read::GzDecoder::new(&r.body[..]).read_to_end(&mut csv).unwrap();
                    let plain_file =
                        format!("__files/dvp-mock/exports/{ns_name}/{}", file_name.trim_end_matches(".gz"));
                    assert_eq!(Some(&csv), plain.get(&plain_file), "{file_name} unpacks to the plain part");
                    parts += 1;
                }
            }
        }
    }
    assert!(parts >= 20, "{parts} parts checked");
    assert!(!tree.keys().any(|k| k.starts_with("__files/dvp-mock/exports/") && k.ends_with(".csv")));
}
