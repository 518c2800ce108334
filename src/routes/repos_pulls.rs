//! `GET /repos/pulls`: the series of several repositories at once, per user (analytics) and
//! public (proxylytics), answered by a template from the embedded series.
use serde_json::{json, Value};

use super::api::{priority, Root, JSON};
use super::pulls::{param_combinations, pulls_file_name, pulls_file_template, query_matchers, query_of};
use super::{bearer_of, Builder, JSON_DIR};
use crate::corpus::Case;
use crate::views::{self, Group, DEFAULT_PERIOD_MONTHS, DEFAULT_TIMESPAN};
use crate::wiremock::{Body, Response, Stub, Variant};

impl Builder<'_> {
    /// The body template of `/repos/pulls`: parses the requested keys (repeated or
    /// comma-separated) and answers each from the pre-rendered series, chosen by a chain of
    /// `eq` (no per-request parsing of the series: the template engine caches the chain once,
    /// where an embedded JSON map was parsed again on every request).
    pub(super) fn repos_pulls_template(entries: &[(String, String)]) -> String {
        let empty = "{\"pulls\":[]}";
        let mut pick = String::new();
        for (i, (k, v)) in entries.iter().enumerate() {
            let open = if i == 0 { "{{#if" } else { "{{else if" };
            pick.push_str(&format!("{open} (eq k '{k}')}}}}{v}"));
        }
        pick = if entries.is_empty() { empty.to_string() } else { format!("{pick}{{{{else}}}}{empty}{{{{/if}}}}") };
        format!(
            "{{{{#parseJson 'keys'}}}}[{{{{#each request.query.repos as |r|}}}}{{{{#unless @first}}}},{{{{/unless}}}}\"{{{{replace r ',' '\",\"'}}}}\"{{{{/each}}}}]{{{{/parseJson}}}}{{\"repos\":{{ {{{{~#each keys as |k|~}}}}{{{{#unless @first}}}},{{{{/unless}}}}\"{{{{k}}}}\":{pick}{{{{~/each~}}}} }}}}"
        )
    }

    /// What the template answers for `keys`, computed directly (corpus expectation).
    pub(super) fn repos_pulls_expected(entries: &[(String, String)], keys: &[&str]) -> String {
        let parts: Vec<String> = keys
            .iter()
            .map(|k| {
                let v = entries.iter().find(|(e, _)| e == k).map_or("{\"pulls\":[]}", |(_, v)| v.as_str());
                format!("\"{k}\":{v}")
            })
            .collect();
        format!("{{\"repos\":{{{}}}}}", parts.join(","))
    }

    pub(super) fn repos_pulls(&mut self) {
        let model = self.model;
        let world = &model.world;
        // (scope label, visible namespaces, token, its Authorization matcher)
        let mut scopes: Vec<(String, Vec<usize>, Option<String>, Value)> = world
            .users
            .iter()
            .map(|u| (u.username.clone(), u.namespaces.clone(), Some(u.token.clone()), bearer_of([u])))
            .collect();
        scopes.push(("_public".into(), (0..world.namespaces.len()).collect(), None, Value::Null));
        for (scope, visible, token, auth) in scopes {
            // Users ask the analytics root with their token; anyone may ask proxylytics.
            let r = if token.is_some() { Root::Analytics } else { Root::Proxylytics };
            let (root, label) = (r.path(), r.label());
            let dir = format!("{JSON_DIR}/repos-pulls/{scope}");
            let mut variants = Vec::new();
            let mut templates = std::collections::BTreeMap::new();
            for (t, m, g) in param_combinations() {
                let (t0, m0, g0) =
                    (t.unwrap_or(DEFAULT_TIMESPAN), m.unwrap_or(DEFAULT_PERIOD_MONTHS), g.unwrap_or(Group::Repo));
                let file = format!("{dir}/{}", pulls_file_name(t0, m0, g0));
                if !templates.contains_key(&file) {
                    let entries: Vec<(String, String)> = visible
                        .iter()
                        .flat_map(|&ns| {
                            let n = &world.namespaces[ns];
                            (0..n.repos.len()).map(move |r| (ns, r))
                        })
                        .map(|(ns, r)| {
                            let n = &world.namespaces[ns];
                            (
                                format!("{}/{}", n.name, n.repos[r].name),
                                views::pull_data(model, ns, Some(r as u16), t0, m0, g0).to_string(),
                            )
                        })
                        .collect();
                    let tpl = Self::repos_pulls_template(&entries);
                    self.add_file(file.clone(), tpl.into_bytes());
                    templates.insert(file.clone(), entries);
                }
                let mut q = query_matchers(t, m, g);
                q["repos"] = json!({ "matches": ".+" });
                let mut req =
                    json!({ "method": "GET", "urlPath": format!("{root}/repos/pulls"), "queryParameters": q });
                if token.is_some() {
                    req["headers"] = json!({ "Authorization": auth });
                }
                variants.push(Variant::new(query_of(t, m, g), req, file));
            }
            // Corpus: several subsets, both spellings, one unknown repo, for the default query
            // and every explicit combination.
            let visible_keys: Vec<String> = visible
                .iter()
                .flat_map(|&ns| {
                    world.namespaces[ns].repos.iter().map(move |r| format!("{}/{}", world.namespaces[ns].name, r.name))
                })
                .collect();
            for v in &variants {
                let entries = &templates[&v.file];
                let sep = if v.label.is_empty() { "?" } else { "&" };
                let mut subsets: Vec<Vec<&str>> = vec![visible_keys.iter().take(1).map(String::as_str).collect()];
                if v.label.is_empty() {
                    subsets.push(visible_keys.iter().map(String::as_str).collect());
                    subsets.push(vec![visible_keys[0].as_str(), "nobody/nothing"]);
                }
                for (k, keys) in subsets.iter().enumerate() {
                    let repeated = keys.iter().map(|k| format!("repos={k}")).collect::<Vec<_>>().join("&");
                    let comma = format!("repos={}", keys.join(","));
                    for q in if k == 0 { vec![repeated] } else { vec![repeated, comma] } {
                        let mut c = Case::get(
                            format!("{label} repos/pulls as {scope} {}{sep}{q}", v.label),
                            format!("{root}/repos/pulls{}{sep}{q}", v.label),
                        );
                        if let Some(tk) = &token {
                            c = c.bearer(tk);
                        }
                        self.case(c.expect(200, JSON, Self::repos_pulls_expected(entries, keys)));
                    }
                }
            }
            let mut req = json!({
                "method": "GET",
                "urlPath": format!("{root}/repos/pulls"),
                "queryParameters": { "repos": { "matches": ".+" } },
            });
            if token.is_some() {
                req["headers"] = json!({ "Authorization": auth });
            }
            let response =
                Response::new(200, JSON, Body::FileSet { template: pulls_file_template(&dir, Group::Repo), variants })
                    .templated()
                    .body_templated();
            self.stub(Stub::new(
                format!("{label}/repos-pulls/{scope}"),
                format!("{label}: GET /repos/pulls as {scope}"),
                priority::REPOS_PULLS,
                req,
                response,
            ));
        }
    }
}
