//! The paths real clients take, replayed against the real jar exactly as they run them:
//! mezmo's report sync (login, catalogue, redirect with bearer, parse by column index),
//! verdaccio's unauthenticated weekly series, and docker-trends' `library` lookup.
use std::collections::BTreeMap;

use serde_json::Value;

use crate::support;
use dvp_mock::bodies::reports::{self, ReportType};
use dvp_mock::bodies::{self, Dataview};

fn get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut req = agent.get(url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{url}: {e}"),
    };
    let status = resp.status();
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).unwrap();
    (status, body)
}

#[test]
fn mezmo_verdaccio_and_docker_trends_paths() {
    let model = support::default_model();
    let wm = support::default_wiremock();
    let host = wm.base_url();
    // Like `curl --location`: follows the 302 to the signed file URL, keeping the header
    // (same host), as mezmo's script does.
    let agent = ureq::AgentBuilder::new().redirects(3).build();

    // 1. Login with username + password, read `.token`.
    let resp = agent
        .post(&format!("{host}/v2/users/login"))
        .set("Content-Type", "application/json")
        .send_string(r#"{"username":"demo","password":"demo"}"#)
        .unwrap();
    assert_eq!(resp.status(), 200);
    let login: Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
    let token = login["token"].as_str().unwrap().to_string();

    // 2. Catalogue with the bearer; pick the weekly trend reports by file name.
    let (status, body) =
        get(&agent, &format!("{host}/api/publisher/proxylytics/v1/namespaces/acme/reports"), Some(&token));
    assert_eq!(status, 200);
    let catalogue: Value = serde_json::from_slice(&body).unwrap();
    let mut weekly: Vec<(String, String)> = catalogue["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "trend")
        .map(|r| r["url"].as_str().unwrap().to_string())
        .filter(|u| u.contains("_weekly_"))
        .map(|u| {
            let name = u.rsplit('/').next().unwrap().to_string();
            let date = name.trim_end_matches(".csv").rsplitn(4, '_').take(3).collect::<Vec<_>>();
            (format!("{}-{}-{}", date[2], date[1], date[0]), u)
        })
        .collect();
    weekly.sort();
    assert_eq!(weekly.len(), model.world.config.reports.weeks as usize);

    for (date, url) in weekly {
        assert!(url.starts_with(&host), "catalogue URLs point back at the mock: {url}");
        let (status, csv) = get(&agent, &url, Some(&token));
        assert_eq!(status, 200, "{url}");
        let text = String::from_utf8(csv).unwrap();
        assert!(!text.starts_with('\u{feff}') && !text.contains('\r'), "plain LF CSV without BOM");
        // 3. Parse like the script: drop the header, split on commas, read by index.
        let mut per_image: BTreeMap<String, [u64; 3]> = BTreeMap::new();
        for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
            let cols: Vec<&str> = line.split(',').collect();
            assert_eq!(cols.len(), 14, "{line}");
            let (image, _agent, _csp, tag) = (cols[3], cols[7], cols[6], cols[8]);
            assert!(image.starts_with("acme/"));
            // TAG: the two-backslash literal `\\N` for a digest pull (docs/csv-formats.md), else a
            // tag name (which never holds a backslash).
            let tag_name = !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            assert!(tag == "\\\\N" || tag_name, "{line}");
            let n =
                |i: usize| cols[i].parse::<u64>().unwrap_or_else(|_| panic!("column {i} of {line} is not an integer"));
            assert_eq!(n(11), n(9) + n(10));
            let e = per_image.entry(image.to_string()).or_default();
            e[0] += n(9);
            e[1] += n(10);
            e[2] += n(11);
        }
        // 4. The sums agree with the summary report and the legacy repo-summary export.
        let start: chrono::NaiveDate = date.parse().unwrap();
        let p = model.world.calendar.weeks.iter().find(|p| p.start == start).unwrap();
        let summary = String::from_utf8(reports::report_csv(&model.world, 0, ReportType::Summary, p)).unwrap();
        for line in summary.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            if c[3] == "repository" {
                let e = per_image[c[4]];
                assert_eq!([c[5], c[6], c[7]].map(|x| x.parse::<u64>().unwrap()), e, "{line}");
            }
        }
        let legacy = String::from_utf8(bodies::export_csv(model, 0, p, Dataview::RepoSummary)).unwrap();
        for line in legacy.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            let nums: Vec<u64> = c[3..6].iter().map(|x| x.parse().unwrap()).collect();
            assert_eq!(per_image[&format!("acme/{}", c[1])], [nums[0] + nums[1], nums[2], nums.iter().sum()]);
        }
    }

    // verdaccio: unauthenticated weekly series keyed by `end`, numbers for pullCount/ipCount.
    let (status, body) = get(&agent, &format!("{host}/api/publisher/proxylytics/v1/repos/pulls?repos=acme/web"), None);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let pulls = v["repos"]["acme/web"]["pulls"].as_array().expect("an array of weekly points");
    assert!(pulls.len() >= 20);
    for p in pulls {
        let end: chrono::NaiveDate = p["end"].as_str().unwrap()[..10].parse().unwrap();
        assert_eq!(chrono::Datelike::weekday(&end), chrono::Weekday::Sun);
        assert!(p["pullCount"].is_u64() && p["ipCount"].is_u64());
    }
    // docker-trends: namespace/repo series, and `library` for official images.
    let (status, body) =
        get(&agent, &format!("{host}/api/publisher/proxylytics/v1/namespaces/acme/repos/web/pulls"), None);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(v["pulls"].as_array().unwrap().iter().all(|p| p["start"].as_str().unwrap().ends_with("T00:00:00Z")));
    // docker-trends charts official images through `library`: a public namespace of the world.
    let (status, body) =
        get(&agent, &format!("{host}/api/publisher/proxylytics/v1/namespaces/library/repos/nginx/pulls"), None);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    for p in v["pulls"].as_array().unwrap() {
        let start: chrono::NaiveDate = p["start"].as_str().unwrap()[..10].parse().unwrap();
        assert_eq!(chrono::Datelike::weekday(&start), chrono::Weekday::Mon);
        assert!(p["pullCount"].as_u64().unwrap() > 0);
    }
    // An image the world does not hold keeps the 404.
    let (status, body) =
        get(&agent, &format!("{host}/api/publisher/proxylytics/v1/namespaces/library/repos/busybox/pulls"), None);
    assert_eq!(status, 404);
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["detail"].is_string());
}
