//! Pull series: `GET /namespaces/{namespace}/pulls` and `.../repos/{repo}/pulls` on both roots,
//! one body file per parameter combination (defaults applied).
use serde_json::{json, Value};

use super::api::{period_value, priority, Root, JSON};
use super::{require_auth, Builder, JSON_DIR};
use crate::calendar::Granularity;
use crate::corpus::Case;
use crate::views::{self, Group, DEFAULT_PERIOD_MONTHS, DEFAULT_TIMESPAN, PERIODS};
use crate::wiremock::{alternation, Body, Response, Stub, Variant};

pub(super) fn query_of(t: Option<Granularity>, months: Option<u32>, group: Option<Group>) -> String {
    let mut q = Vec::new();
    if let Some(t) = t {
        q.push(format!("timespan={}", t.api()));
    }
    if let Some(m) = months {
        q.push(format!("period={}", period_value(m)));
    }
    if let Some(g) = group {
        q.push(format!("group={}", g.api()));
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

/// Every (timespan, period, group) a client can send, each possibly absent.
pub(super) fn param_combinations() -> Vec<(Option<Granularity>, Option<u32>, Option<Group>)> {
    let mut out = Vec::new();
    for t in [None, Some(Granularity::Week), Some(Granularity::Month)] {
        for m in std::iter::once(None).chain(PERIODS.iter().map(|m| Some(*m))) {
            for g in [None, Some(Group::Repo), Some(Group::Namespace)] {
                out.push((t, m, g));
            }
        }
    }
    out
}

pub(super) fn query_matchers(t: Option<Granularity>, m: Option<u32>, g: Option<Group>) -> Value {
    let one = |v: Option<String>| match v {
        Some(v) => json!({ "equalTo": v }),
        None => json!({ "absent": true }),
    };
    json!({
        "timespan": one(t.map(|t| t.api().to_string())),
        "period": one(m.map(period_value)),
        "group": one(g.map(|g| g.api().to_string())),
    })
}

/// File name of a pull series for one parameter combination (defaults applied).
pub(super) fn pulls_file_name(t: Granularity, m: u32, g: Group) -> String {
    format!("{}_{}_{}.json", t.api(), period_value(m), g.api())
}

/// The standalone template that picks [`pulls_file_name`] from the query, applying defaults.
pub(super) fn pulls_file_template(dir: &str, default_group: Group) -> String {
    format!(
        "{dir}/{{{{#if request.query.timespan}}}}{{{{request.query.timespan}}}}{{{{else}}}}{}{{{{/if}}}}_{{{{#if request.query.period}}}}{{{{request.query.period}}}}{{{{else}}}}{}{{{{/if}}}}_{{{{#if request.query.group}}}}{{{{request.query.group}}}}{{{{else}}}}{}{{{{/if}}}}.json",
        DEFAULT_TIMESPAN.api(),
        period_value(DEFAULT_PERIOD_MONTHS),
        default_group.api()
    )
}

impl Builder<'_> {
    pub(super) fn namespace_pulls(&mut self, ns: usize) {
        let model = self.model;
        let n = &model.world.namespaces[ns];
        let name = n.name.clone();
        // Files: one per parameter combination (defaults applied) for the namespace and each repo.
        let write_set = |b: &mut Self, dir: &str, repo: Option<u16>| {
            for t in [Granularity::Week, Granularity::Month] {
                for m in PERIODS {
                    for g in [Group::Repo, Group::Namespace] {
                        let v = views::pull_data(model, ns, repo, t, m, g);
                        b.add_file(format!("{dir}/{}", pulls_file_name(t, m, g)), v.to_string().into_bytes());
                    }
                }
            }
        };
        let ns_dir = format!("{JSON_DIR}/{name}/pulls/namespace");
        write_set(self, &ns_dir, None);
        for (r, repo) in n.repos.iter().enumerate() {
            write_set(self, &format!("{JSON_DIR}/{name}/pulls/repo/{}", repo.name), Some(r as u16));
        }
        let repo_names: Vec<&str> = n.repos.iter().map(|r| r.name.as_str()).collect();
        let repo_alt = format!("^{}$", alternation(repo_names.iter().copied()));
        for r in Root::ALL {
            let (root, label) = (r.path(), r.label());
            let auth = r.series_need_token().then(|| self.member_tokens(ns));
            // Namespace series.
            let path = format!("{root}/namespaces/{name}/pulls");
            let variants = param_combinations()
                .into_iter()
                .map(|(t, m, g)| {
                    let file = format!(
                        "{ns_dir}/{}",
                        pulls_file_name(
                            t.unwrap_or(DEFAULT_TIMESPAN),
                            m.unwrap_or(DEFAULT_PERIOD_MONTHS),
                            g.unwrap_or(Group::Namespace)
                        )
                    );
                    let mut req =
                        json!({ "method": "GET", "urlPath": path, "queryParameters": query_matchers(t, m, g) });
                    require_auth(&mut req, auth.as_ref());
                    Variant::new(query_of(t, m, g), req, file)
                })
                .collect::<Vec<_>>();
            let mut req = json!({ "method": "GET", "urlPath": path });
            require_auth(&mut req, auth.as_ref());
            self.stub(Stub::new(
                format!("{label}/pulls/{name}"),
                format!("{label}: GET /namespaces/{name}/pulls"),
                priority::PULLS,
                req,
                Response::new(
                    200,
                    JSON,
                    Body::FileSet {
                        template: pulls_file_template(&ns_dir, Group::Namespace),
                        variants: variants.clone(),
                    },
                )
                .templated(),
            ));
            for v in &variants {
                let c = Case::get(format!("{label} namespace pulls {name}{}", v.label), format!("{path}{}", v.label));
                self.series_case(c, r, ns, &v.file);
            }
            // Repository series: one stub per namespace, repo restricted to known names.
            let tpl_dir = format!("{JSON_DIR}/{name}/pulls/repo/{{{{request.path.repo}}}}");
            let mut variants = Vec::new();
            for repo in &n.repos {
                for (t, m, g) in param_combinations() {
                    let file = format!(
                        "{JSON_DIR}/{name}/pulls/repo/{}/{}",
                        repo.name,
                        pulls_file_name(
                            t.unwrap_or(DEFAULT_TIMESPAN),
                            m.unwrap_or(DEFAULT_PERIOD_MONTHS),
                            g.unwrap_or(Group::Repo)
                        )
                    );
                    let mut req = json!({ "method": "GET", "urlPath": format!("{root}/namespaces/{name}/repos/{}/pulls", repo.name), "queryParameters": query_matchers(t, m, g) });
                    require_auth(&mut req, auth.as_ref());
                    variants.push(Variant::new(format!("{}{}", repo.name, query_of(t, m, g)), req, file));
                }
            }
            let mut req = json!({
                "method": "GET",
                "urlPathTemplate": format!("{root}/namespaces/{{namespace}}/repos/{{repo}}/pulls"),
                "pathParameters": { "namespace": { "equalTo": name }, "repo": { "matches": repo_alt } },
            });
            require_auth(&mut req, auth.as_ref());
            self.stub(Stub::new(
                format!("{label}/repo-pulls/{name}"),
                format!("{label}: GET /namespaces/{name}/repos/{{repo}}/pulls"),
                priority::REPO_PULLS,
                req,
                Response::new(
                    200,
                    JSON,
                    Body::FileSet { template: pulls_file_template(&tpl_dir, Group::Repo), variants: variants.clone() },
                )
                .templated(),
            ));
            // Corpus: every combination for the first repo, the default for every repo.
            for v in variants
                .iter()
                .filter(|v| v.label.starts_with(&format!("{}?", n.repos[0].name)) || !v.label.contains('?'))
            {
                let (repo, q) =
                    v.label.split_once('?').map_or((v.label.as_str(), String::new()), |(r, q)| (r, format!("?{q}")));
                let c = Case::get(
                    format!("{label} repo pulls {name}/{}", v.label),
                    format!("{root}/namespaces/{name}/repos/{repo}/pulls{q}"),
                );
                self.series_case(c, r, ns, &v.file);
            }
        }
    }

    /// A corpus case expecting the series in `file`, with a member's token where the root
    /// needs one (none when the namespace has no member).
    fn series_case(&mut self, c: Case, r: Root, ns: usize, file: &str) {
        let c = match (r.series_need_token(), self.member_token(ns)) {
            (false, _) => c,
            (true, Some(t)) => c.bearer(&t),
            (true, None) => return,
        };
        let body = self.mock.files[file].clone();
        self.case(c.expect(200, JSON, body));
    }
}
