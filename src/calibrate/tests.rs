//! Readers and fit, file by file (the served series are checked against WireMock in
//! `tests/calibrate.rs`).
use super::series::DEFAULT_NAMESPACE;
use super::*;
use crate::config::volume::WeekVolume;
use chrono::NaiveDate;

fn calibrated(files: &[(&str, &str)]) -> Result<Config, Error> {
    let dir = std::env::temp_dir().join(format!("dvp-calibrate-unit-{}-{}", std::process::id(), files[0].0));
    std::fs::create_dir_all(&dir).unwrap();
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| {
            let (prefix, file) = name.split_once('=').map_or(("", *name), |(p, f)| (p, f));
            std::fs::write(dir.join(file), text).unwrap();
            let arg = if prefix.is_empty() {
                dir.join(file).display().to_string()
            } else {
                format!("{prefix}={}", dir.join(file).display())
            };
            Source::parse(&arg)
        })
        .collect();
    let text = calibrate(&sources, false)?;
    Ok(Config::parse(&text, "calibrated").unwrap())
}

fn weeks(c: &Config, ns: &str, repo: &str) -> Vec<(String, u64, u64)> {
    let n = c.namespaces.iter().find(|n| n.name == ns).unwrap();
    let r = n.repos.iter().find(|r| r.name == repo).unwrap();
    r.weeks.as_ref().unwrap().0.iter().map(|w: &WeekVolume| (w.week.to_string(), w.pulls, w.ips)).collect()
}

const TREND: &str = "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,IMAGE_REPOSITORY,NAMESPACE,IP_COUNTRY,CLOUD_SERVICE_PROVIDER,USER_AGENT,TAG,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS,UNIQUE_UNAUTHENTICATED_USERS\n";

#[test]
fn trend_report_gives_weeks_shares_tags_and_mixes() {
    let csv = format!(
        "{TREND}week,2025-09-01,Acme Inc,acmecorp/web,acmecorp,US,aws,docker,latest,60,10,70,5,15\n\
         week,2025-09-01,Acme Inc,acmecorp/web,acmecorp,DE,no csp,containerd,\\\\N,25,5,30,0,10\n\
         week,2025-09-08,Acme Inc,acmecorp/web,acmecorp,US,aws,docker,1.2,40,0,40,2,8\n"
    );
    let c = calibrated(&[("trend_weekly_2025_09_08.csv", &csv)]).unwrap();
    // ips: 80 % of the summed unique users (30 -> 24, 10 -> 8).
    assert_eq!(weeks(&c, "acmecorp", "web"), vec![("2025-09-01".into(), 100, 24), ("2025-09-08".into(), 40, 8)]);
    let r = &c.namespaces[0].repos[0];
    assert_eq!(r.by_digest, Some(0.1786));
    assert_eq!(r.version_checks, Some(0.1071));
    assert_eq!(r.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["latest", "1.2"]);
    assert_eq!(c.namespaces[0].publisher, "Acme Inc");
    // The mixes become the client population's.
    let p = c.population.as_ref().unwrap();
    let pairs =
        |m: &std::collections::BTreeMap<String, f64>| m.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>();
    assert_eq!(pairs(&p.countries), [("DE".to_string(), 30.0), ("US".to_string(), 110.0)]);
    assert_eq!(pairs(&p.clouds), [("aws".to_string(), 110.0), ("no csp".to_string(), 30.0)]);
    assert_eq!(pairs(&p.agents), [("containerd".to_string(), 30.0), ("docker".to_string(), 110.0)]);
}

#[test]
fn core_summary_keeps_repository_rows_and_estimates_ips() {
    let csv =
        "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,LEVEL,REFERENCE,DATA_DOWNLOADS,VERSION_CHECKS,EVENT_COUNT\n\
               week,2025-09-01,Acme,publisher,Acme,90,9,99\n\
               week,2025-09-01,Acme,namespace,acmecorp,90,9,99\n\
               week,2025-09-01,Acme,repository,acmecorp/web,90,9,99\n";
    let c = calibrated(&[("summary.csv", csv)]).unwrap();
    assert_eq!(weeks(&c, "acmecorp", "web"), vec![("2025-09-01".into(), 99, 33)]);
}

#[test]
fn raw_export_rows_add_up_per_week() {
    let header = crate::bodies::csv_layout::RAW.join(",");
    let row = |action: &str, day: &str, country: &str| {
        format!("{action},{day},{country},sha256:ab,GET,,acmecorp,latest,web,latest,{day} 00:00:01,isp,docker,28.0.4,,acmecorp\n")
    };
    let csv = format!(
        "{header}\n{}{}{}{}",
        row("pull_by_tag", "2025-09-01", "US"),
        row("pull_by_tag", "2025-09-02", "US"),
        row("version_check", "2025-09-07", "FR"),
        row("pull_by_digest", "2025-09-08", "US")
    );
    let c = calibrated(&[("acmecorp_raw_2025_m09.csv", &csv)]).unwrap();
    assert_eq!(weeks(&c, "acmecorp", "web"), vec![("2025-09-01".into(), 3, 2), ("2025-09-08".into(), 1, 1)]);
}

fn item(start: &str, end: &str, extra: &str, pulls: u64, ips: u64) -> String {
    format!("{{\"start\":\"{start}T00:00:00Z\",\"end\":\"{end}T00:00:00Z\",{extra}\"pullCount\":{pulls},\"ipCount\":{ips}}}")
}

#[test]
fn monthly_series_become_weeks_and_fit_churn_next_to_weeks() {
    let months = format!(
        "{{\"pulls\":[{},{}]}}",
        item("2025-09-01", "2025-09-30", "\"repo\":\"web\",", 3000, 500),
        item("2025-10-01", "2025-10-31", "\"repo\":\"web\",", 3100, 520)
    );
    let c = calibrated(&[("acmecorp=months.json", &months)]).unwrap();
    let w = weeks(&c, "acmecorp", "web");
    assert_eq!(w.first().unwrap().0, "2025-09-01");
    assert_eq!(w.last().unwrap().0, "2025-10-20", "the last week wholly inside October");
    assert_eq!(w[1].1, 700, "30 days of 100 pulls");
    // Weeks and months together: churn from the monthly distinct counts.
    let days = ["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22"];
    let items: Vec<String> = days
        .iter()
        .map(|d| {
            let s: NaiveDate = d.parse().unwrap();
            item(d, &(s + chrono::Days::new(6)).to_string(), "\"repo\":\"web\",", 700, 100)
        })
        .collect();
    let weekly = format!("{{\"pulls\":[{}]}}", items.join(","));
    let monthly = format!("{{\"pulls\":[{}]}}", item("2025-09-01", "2025-09-30", "\"repo\":\"web\",", 3000, 200));
    let c = calibrated(&[("acmecorp=weeks.json", &weekly), ("acmecorp=month.json", &monthly)]).unwrap();
    // 200 = 100 x (1 + churn x 3.348)  ->  churn 0.299.
    assert_eq!(c.namespaces[0].repos[0].churn, Some(0.299));
}

#[test]
fn namespace_totals_country_items_and_store_keys() {
    let ns = format!(
        "{{\"pulls\":[{},{}]}}",
        item("2025-09-01", "2025-09-07", "\"namespace\":\"acmecorp\",\"country\":\"US\",", 50, 10),
        item("2025-09-01", "2025-09-07", "\"namespace\":\"acmecorp\",\"country\":\"DE\",", 20, 5)
    );
    let c = calibrated(&[("ns.json", &ns)]).unwrap();
    assert_eq!(weeks(&c, "acmecorp", "acmecorp"), vec![("2025-09-01".into(), 70, 15)]);
    let store = "{\"2025-09-07T00:00:00Z\":{\"pullCount\":9,\"ipCount\":3}}";
    let c = calibrated(&[("my_store.json", store)]).unwrap();
    assert_eq!(weeks(&c, DEFAULT_NAMESPACE, "my-store"), vec![("2025-09-01".into(), 9, 3)]);
}
