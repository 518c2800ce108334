//! Pull series: `GET /namespaces/{namespace}/pulls` and `.../repos/{repo}/pulls` on both roots,
//! one body file per parameter combination (defaults applied).
use serde_json::Value;

use super::{Builder, JSON_DIR};
use crate::bodies::{self, Group, DEFAULT_PERIOD_MONTHS, DEFAULT_TIMESPAN, PERIODS};
use crate::corpus::Case;
use crate::dvp_api::{period_value, priority, query_values, segment_after, Root, JSON, VALIDATED_QUERY};
use crate::engine::calendar::Granularity;
use crate::wiremock::request::{alternation, regex_escape, Matcher, MatcherMap, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub, Variant};
use crate::wiremock::template::Template;

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

/// The query matchers of one combination: each parameter equal to its value, or absent.
pub(super) fn query_matchers(t: Option<Granularity>, m: Option<u32>, g: Option<Group>) -> MatcherMap {
    let one = |v: Option<String>| v.map_or(Matcher::Absent, Matcher::EqualTo);
    MatcherMap::from_iter([
        ("timespan", one(t.map(|t| t.api().to_string()))),
        ("period", one(m.map(period_value))),
        ("group", one(g.map(|g| g.api().to_string()))),
    ])
}

/// The query matchers of a series stub that answers any valid combination: each validated
/// parameter absent or one of its values. Invalid values miss every series stub and meet the
/// guards' 400 ([`super::guards`]), which can then rank with the fallbacks.
pub(super) fn valid_query() -> MatcherMap {
    VALIDATED_QUERY.into_iter().map(|param| (param, valid_values(param))).collect()
}

/// Query parameter `param` absent or one of its valid values.
pub(super) fn valid_values(param: &str) -> Matcher {
    let mut any = vec![Matcher::Absent];
    any.extend(query_values(param).into_iter().map(Matcher::EqualTo));
    Matcher::Or(any)
}

/// File name of a pull series for one parameter combination (defaults applied).
pub(super) fn pulls_file_name(t: Granularity, m: u32, g: Group) -> String {
    format!("{}_{}_{}.json", t.api(), period_value(m), g.api())
}

/// The standalone template that picks [`pulls_file_name`] from the query, applying defaults.
pub(super) fn pulls_file_template(dir: &Template, default_group: Group) -> String {
    dir.clone()
        .text("/")
        .query_or("timespan", DEFAULT_TIMESPAN.api())
        .text("_")
        .query_or("period", &period_value(DEFAULT_PERIOD_MONTHS))
        .text("_")
        .query_or("group", default_group.api())
        .text(".json")
        .build()
}

/// The pull-series routes of one namespace under one root: the root, the tokens its series
/// require (`None` = public), and a token for the corpus cases.
pub(super) type SeriesRoot = (Root, Option<Matcher>, Option<String>);

impl Builder<'_> {
    pub(super) fn namespace_pulls(&mut self, ns: usize) {
        let model = self.model;
        let n = &model.world.namespaces[ns];
        let repos: Vec<&str> = n.repos.iter().map(|r| r.name.as_str()).collect();
        let roots: Vec<SeriesRoot> = Root::ALL
            .into_iter()
            .map(|r| {
                if r.series_need_token() {
                    (r, Some(self.member_tokens(ns)), self.member_token(ns))
                } else {
                    (r, None, None)
                }
            })
            .collect();
        self.series_routes(&n.name, &repos, &roots, |repo, t, m, g| bodies::pull_data(model, ns, repo, t, m, g));
    }

    /// The namespace and repository pull-series stubs of the namespace `name` with
    /// repositories `repos` under `roots`; `series` renders one body.
    pub(super) fn series_routes(
        &mut self,
        name: &str,
        repos: &[&str],
        roots: &[SeriesRoot],
        series: impl Fn(Option<u16>, Granularity, u32, Group) -> Value,
    ) {
        let name = name.to_string();
        // Files: one per parameter combination (defaults applied) for the namespace and each repo.
        let write_set = |b: &mut Self, dir: &str, repo: Option<u16>| {
            for t in [Granularity::Week, Granularity::Month] {
                for m in PERIODS {
                    for g in [Group::Repo, Group::Namespace] {
                        let v = series(repo, t, m, g);
                        b.add_file(format!("{dir}/{}", pulls_file_name(t, m, g)), v.to_string().into_bytes());
                    }
                }
            }
        };
        let ns_dir = format!("{JSON_DIR}/{name}/pulls/namespace");
        write_set(self, &ns_dir, None);
        for (r, repo) in repos.iter().enumerate() {
            write_set(self, &format!("{JSON_DIR}/{name}/pulls/repo/{repo}"), Some(r as u16));
        }
        let repo_alt = alternation(repos.iter().copied());
        for root in roots {
            self.namespace_series(&name, &ns_dir, root);
            self.repo_series(&name, repos, &repo_alt, root);
        }
    }

    /// The namespace series of `name` under one root: one stub, a file per combination.
    fn namespace_series(&mut self, name: &str, ns_dir: &str, (r, auth, token): &SeriesRoot) {
        let (root, label) = (r.path(), r.label());
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
                let req =
                    Request::get(Url::path(&path)).queries(query_matchers(t, m, g)).authorization_if(auth.as_ref());
                Variant::new(query_of(t, m, g), req, file)
            })
            .collect::<Vec<_>>();
        let req = Request::get(Url::path(&path)).queries(valid_query()).authorization_if(auth.as_ref());
        self.stub(Stub::new(
            format!("{label}/pulls/{name}"),
            format!("{label}: GET /namespaces/{name}/pulls"),
            priority::SERIES,
            req,
            Response::new(
                200,
                JSON,
                Body::FileSet {
                    template: pulls_file_template(&Template::new().text(ns_dir), Group::Namespace),
                    variants: variants.clone(),
                },
            )
            .templated(),
        ));
        for v in &variants {
            let c = Case::get(format!("{label} namespace pulls {name}{}", v.label), format!("{path}{}", v.label));
            self.series_case(c, auth.is_some(), token.as_deref(), &v.file);
        }
    }

    /// The repository series of `name` under one root: one stub for every repository.
    fn repo_series(&mut self, name: &str, repos: &[&str], repo_alt: &str, (r, auth, token): &SeriesRoot) {
        let (root, label) = (r.path(), r.label());
        // Repository series: one stub per namespace, repo restricted to known names.
        // `urlPathPattern` (not `urlPathTemplate`, which WireMock 3.2 and older do not match
        // with a query string): the repository is the path segment after `repos`.
        let repo_segment = segment_after(root, 3);
        let tpl_dir = Template::new().text(&format!("{JSON_DIR}/{name}/pulls/repo/")).path_segment(repo_segment);
        let mut variants = Vec::new();
        for repo in repos {
            for (t, m, g) in param_combinations() {
                let file = format!(
                    "{JSON_DIR}/{name}/pulls/repo/{}/{}",
                    repo,
                    pulls_file_name(
                        t.unwrap_or(DEFAULT_TIMESPAN),
                        m.unwrap_or(DEFAULT_PERIOD_MONTHS),
                        g.unwrap_or(Group::Repo)
                    )
                );
                let req = Request::get(Url::path(format!("{root}/namespaces/{name}/repos/{repo}/pulls")))
                    .queries(query_matchers(t, m, g))
                    .authorization_if(auth.as_ref());
                variants.push(Variant::new(format!("{repo}{}", query_of(t, m, g)), req, file));
            }
        }
        let req = Request::get(Url::path_pattern(format!(
            "^{}/namespaces/{}/repos/{repo_alt}/pulls$",
            regex_escape(root),
            regex_escape(name)
        )))
        .queries(valid_query())
        .authorization_if(auth.as_ref());
        self.stub(Stub::new(
            format!("{label}/repo-pulls/{name}"),
            format!("{label}: GET /namespaces/{name}/repos/{{repo}}/pulls"),
            priority::SERIES,
            req,
            Response::new(
                200,
                JSON,
                Body::FileSet { template: pulls_file_template(&tpl_dir, Group::Repo), variants: variants.clone() },
            )
            .templated(),
        ));
        // Corpus: every combination for the first repo, the default for every repo.
        for v in variants.iter().filter(|v| v.label.starts_with(&format!("{}?", repos[0])) || !v.label.contains('?')) {
            let (repo, q) =
                v.label.split_once('?').map_or((v.label.as_str(), String::new()), |(r, q)| (r, format!("?{q}")));
            let c = Case::get(
                format!("{label} repo pulls {name}/{}", v.label),
                format!("{root}/namespaces/{name}/repos/{repo}/pulls{q}"),
            );
            self.series_case(c, auth.is_some(), token.as_deref(), &v.file);
        }
    }

    /// A corpus case expecting the series in `file`, with `token` where the root needs one
    /// (no case when there is none, e.g. a namespace without members).
    fn series_case(&mut self, c: Case, needs_token: bool, token: Option<&str>, file: &str) {
        let c = match (needs_token, token) {
            (false, _) => c,
            (true, Some(t)) => c.bearer(t),
            (true, None) => return,
        };
        let body = self.mock.files[file].clone();
        self.case(c.expect(200, JSON, body));
    }
}
