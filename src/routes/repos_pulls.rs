//! `GET /repos/pulls`: the series of several repositories at once, per user (analytics) and
//! public (proxylytics), answered by a template from the embedded series: one body file per
//! timespan and period, so the stubs can pick it by the query (one stub per file in a
//! standalone tree) and each template stays small.
use std::collections::BTreeMap;

use super::pulls::{param_combinations, pulls_file_name, query_matchers, query_of, valid_query, valid_values};
use super::{bearer_of, Builder, JSON_DIR};
use crate::bodies::{self, Group, DEFAULT_PERIOD_MONTHS, DEFAULT_TIMESPAN, PERIODS};
use crate::corpus::Case;
use crate::dvp_api::{period_value, priority, Root, JSON};
use crate::engine::calendar::Granularity;
use crate::wiremock::request::{Matcher, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub, Variant};
use crate::wiremock::template::{pick_by, Template};

/// (key, series JSON) per repository the caller may ask for, for one parameter combination.
type Entries = Vec<(String, String)>;

const EMPTY: &str = "{\"pulls\":[]}";

/// Who asks `/repos/pulls`: one user, with a token, on the analytics root; or anyone, on
/// proxylytics.
struct Scope {
    /// Names its stubs and files: the username, or `_public`.
    name: String,
    /// The namespaces whose repositories it may ask for.
    visible: Vec<usize>,
    /// The user's token, for the corpus cases (`None`: anyone, no token).
    token: Option<String>,
    /// What its stubs ask of the `Authorization` header (`None`: nothing).
    auth: Option<Matcher>,
}

impl Builder<'_> {
    /// The body template of `/repos/pulls` for one timespan and period: applies the default
    /// group, then answers each requested key (repeated or comma-separated) from the
    /// pre-rendered series of that group (`by_group`), `{"pulls":[]}` for a key it does not
    /// know. One flat block per series, picked by "group:key" (see [`pick_by`]: nesting would
    /// multiply the template's cost per request); nothing but the requested keys is parsed.
    fn repos_pulls_template(by_group: &[(Group, Entries)]) -> String {
        let mut known = Vec::new();
        let mut branches = Vec::new();
        for (g, entries) in by_group {
            for (k, series) in entries {
                known.push(format!("{}:{k}", g.api()));
                branches.push((format!("{}:{k}", g.api()), Template::new().text(series)));
            }
        }
        let group = Template::new().query_or("group", Group::Repo.api());
        // The requested keys, repeated (`repos=a&repos=b`) or comma-separated, as a JSON list.
        let key_list = Template::new()
            .text("[")
            .block(
                "each request.query.repos as |r|",
                &Template::new()
                    .block("unless @first", &Template::new().text(","))
                    .text("\"")
                    .expr("replace r ',' '\",\"'")
                    .text("\""),
            )
            .text("]");
        let answer = Template::new()
            .block("unless @first", &Template::new().text(","))
            .text("\"")
            .expr("k")
            .text("\":")
            .block("assign 'gk'", &Template::new().expr("group").text(":").expr("k"))
            .block("assign 'needle'", &Template::new().text(",").expr("gk").text(","))
            .block(&format!("unless (contains ',{},' needle)", known.join(",")), &Template::new().text(EMPTY))
            .then(&pick_by("gk", &branches));
        Template::new()
            .block("assign 'group'", &group)
            .block("parseJson 'keys'", &key_list)
            .text("{\"repos\":{ ")
            .expr("~#each keys as |k|~")
            .then(&answer)
            .expr("~/each~")
            .text(" }}")
            .build()
    }

    /// What the template answers for `keys`, computed directly (corpus expectation).
    pub(super) fn repos_pulls_expected(entries: &[(String, String)], keys: &[&str]) -> String {
        let parts: Vec<String> = keys
            .iter()
            .map(|k| {
                let v = entries.iter().find(|(e, _)| e == k).map_or(EMPTY, |(_, v)| v.as_str());
                format!("\"{k}\":{v}")
            })
            .collect();
        format!("{{\"repos\":{{{}}}}}", parts.join(","))
    }

    pub(super) fn repos_pulls(&mut self) {
        let model = self.model;
        let world = &model.world;
        let mut scopes: Vec<Scope> = world
            .users
            .iter()
            .map(|u| Scope {
                name: u.username.clone(),
                visible: u.namespaces.clone(),
                token: Some(u.token.clone()),
                auth: Some(bearer_of([u])),
            })
            .collect();
        scopes.push(Scope {
            name: "_public".into(),
            visible: (0..world.namespaces.len()).collect(),
            token: None,
            auth: None,
        });
        for Scope { name: scope, visible, token, auth } in scopes {
            // Users ask the analytics root with their token; anyone may ask proxylytics.
            let r = if token.is_some() { Root::Analytics } else { Root::Proxylytics };
            let (root, label) = (r.path(), r.label());
            let dir = format!("{JSON_DIR}/repos-pulls/{scope}");
            let entries = |b: &Self, t: Granularity, m: u32, g: Group| -> Entries {
                let mut e: Entries = visible
                    .iter()
                    .flat_map(|&ns| (0..world.namespaces[ns].repos.len()).map(move |r| (ns, r)))
                    .map(|(ns, r)| {
                        let n = &world.namespaces[ns];
                        (
                            format!("{}/{}", n.name, n.repos[r].name),
                            bodies::pull_data(model, ns, Some(r as u16), t, m, g).to_string(),
                        )
                    })
                    .collect();
                if token.is_none() {
                    e.extend(b.public_entries(t, m, g));
                }
                e
            };
            // One file per timespan and period, both groups inside.
            let mut sets: BTreeMap<String, Entries> = BTreeMap::new();
            let mut files: BTreeMap<(Granularity, u32), String> = BTreeMap::new();
            for t in [Granularity::Week, Granularity::Month] {
                for m in PERIODS {
                    let by_group: Vec<(Group, Entries)> =
                        [Group::Repo, Group::Namespace].into_iter().map(|g| (g, entries(self, t, m, g))).collect();
                    let file = format!("{dir}/{}_{}.json", t.api(), period_value(m));
                    let file = self.add_file(file, Self::repos_pulls_template(&by_group).into_bytes());
                    for (g, e) in by_group {
                        sets.insert(pulls_file_name(t, m, g), e);
                    }
                    files.insert((t, m), file);
                }
            }
            // Requests: every timespan and period, present or absent (the default); any valid
            // group, picked by the template.
            let mut variants = Vec::new();
            for (t, m, _) in param_combinations().into_iter().filter(|(_, _, g)| g.is_none()) {
                let file = &files[&(t.unwrap_or(DEFAULT_TIMESPAN), m.unwrap_or(DEFAULT_PERIOD_MONTHS))];
                let req = Request::get(Url::path(format!("{root}/repos/pulls")))
                    .queries(query_matchers(t, m, None))
                    .query("group", valid_values("group"))
                    .query("repos", Matcher::matches(".+"))
                    .authorization_if(auth.as_ref());
                variants.push(Variant::new(query_of(t, m, None), req, file.clone()));
            }
            let req = Request::get(Url::path(format!("{root}/repos/pulls")))
                .queries(valid_query())
                .query("repos", Matcher::matches(".+"))
                .authorization_if(auth.as_ref());
            let template = Template::new()
                .text(&format!("{dir}/"))
                .query_or("timespan", DEFAULT_TIMESPAN.api())
                .text("_")
                .query_or("period", &period_value(DEFAULT_PERIOD_MONTHS))
                .text(".json")
                .build();
            self.stub(Stub::new(
                format!("{label}/repos-pulls/{scope}"),
                format!("{label}: GET /repos/pulls as {scope}"),
                priority::REPOS_PULLS,
                req,
                Response::new(200, JSON, Body::FileSet { template, variants }).templated().body_templated(),
            ));
            self.repos_pulls_cases(label, root, &scope, &visible, token.as_deref(), &sets);
        }
    }

    /// Corpus: several subsets, both spellings, one unknown repo, for the default query and
    /// every explicit combination. `sets` holds the entries by [`pulls_file_name`].
    fn repos_pulls_cases(
        &mut self,
        label: &str,
        root: &str,
        scope: &str,
        visible: &[usize],
        token: Option<&str>,
        sets: &BTreeMap<String, Entries>,
    ) {
        let world = &self.model.world;
        let mut visible_keys: Vec<String> = visible
            .iter()
            .flat_map(|&ns| {
                world.namespaces[ns].repos.iter().map(move |r| format!("{}/{}", world.namespaces[ns].name, r.name))
            })
            .collect();
        if token.is_none() {
            visible_keys.extend(self.public_keys());
        }
        // An account that may read no namespace (no publisher rights) asks for a repository it
        // cannot see: every key answers an empty list, as for an unknown repository.
        // (A configuration has at least one namespace, each with a repository.)
        if visible_keys.is_empty() {
            let ns = &world.namespaces[0];
            visible_keys.push(format!("{}/{}", ns.name, ns.repos[0].name));
        }
        for (t, m, g) in param_combinations() {
            let (t0, m0, g0) =
                (t.unwrap_or(DEFAULT_TIMESPAN), m.unwrap_or(DEFAULT_PERIOD_MONTHS), g.unwrap_or(Group::Repo));
            let entries = &sets[&pulls_file_name(t0, m0, g0)];
            let query = query_of(t, m, g);
            let sep = if query.is_empty() { "?" } else { "&" };
            let mut subsets: Vec<Vec<&str>> = vec![visible_keys.iter().take(1).map(String::as_str).collect()];
            if query.is_empty() {
                subsets.push(visible_keys.iter().map(String::as_str).collect());
                subsets.push(vec![visible_keys[0].as_str(), "nobody/nothing"]);
            }
            for (k, keys) in subsets.iter().enumerate() {
                let repeated = keys.iter().map(|k| format!("repos={k}")).collect::<Vec<_>>().join("&");
                let comma = format!("repos={}", keys.join(","));
                for q in if k == 0 { vec![repeated] } else { vec![repeated, comma] } {
                    let mut c = Case::get(
                        format!("{label} repos/pulls as {scope} {query}{sep}{q}"),
                        format!("{root}/repos/pulls{query}{sep}{q}"),
                    );
                    if let Some(tk) = token {
                        c = c.bearer(tk);
                    }
                    self.case(c.expect(200, JSON, Self::repos_pulls_expected(entries, keys)));
                }
            }
        }
    }
}
