//! The calibrated configuration as commented TOML (names are validated Docker Hub names, so
//! they need no escaping; the publisher is stripped of quotes and commas).
use std::fmt::Write;

use super::fit::{Plan, RepoPlan};
use crate::config::volume::DEFAULT_CHURN;

pub(crate) fn write(plan: &Plan) -> String {
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "# dvp-mock configuration written by `dvp-mock calibrate` from:");
    for f in &plan.files {
        let _ = writeln!(w, "#   {f}");
    }
    let _ = writeln!(
        w,
        "# Each repository's `weeks` are its input series: the mock serves exactly `pulls` events\n\
         # (pullCount) from exactly `ips` distinct clients (ipCount) in each ISO week. Monthly series\n\
         # follow from the same events. No IP address, company or user of the input is copied: clients\n\
         # are synthetic, drawn from the client population below. Schema: `dvp-mock config`."
    );
    if plan.repeated > 0 {
        let _ = writeln!(w, "# {} week(s) given by more than one input were taken from the first.", plan.repeated);
    }
    let _ = writeln!(w, "\nseed = 42");
    let _ = writeln!(w, "# The Monday after the last input week: every input week is complete and served.");
    let _ = writeln!(w, "as_of = \"{}\"", plan.as_of);
    let _ = writeln!(w, "# The Monday of the first input week.");
    let _ = writeln!(w, "history_start = \"{}\"", plan.history_start);
    let _ = writeln!(w, "export_part_bytes = 262144");
    let _ = writeln!(w, "# Client population: the largest week's distinct clients, with room for churn.");
    let _ = writeln!(w, "clients = {}", plan.clients);
    let _ = writeln!(w, "\n[reports]\nweeks = 4\nmonths = 3\ntracked_companies = 10");
    population(w, plan);
    for ns in &plan.namespaces {
        let _ = writeln!(
            w,
            "\n[[namespaces]]\nname = \"{}\"\npublisher = \"{}\"\npublisher_type = \"DVP\"",
            ns.name, ns.publisher
        );
        if ns.from_namespace_series {
            let _ = writeln!(w, "# The input has this namespace's totals only: one repository carries them.");
        }
        let _ = writeln!(
            w,
            "# Every pulled repository follows its `weeks`; weekly_pulls would add Poisson traffic\n\
             # to repositories without weeks (there are none).\nweekly_pulls = 0\ngrowth = 0\nreach = 1.0"
        );
        for r in &ns.repos {
            repo(w, r);
        }
    }
    let names: Vec<String> = plan.namespaces.iter().map(|n| format!("\"{}\"", n.name)).collect();
    let _ = writeln!(
        w,
        "\n# A login for the authenticated roots (not from the input).\n[[users]]\nusername = \"demo\"\npassword = \"demo\"\nnamespaces = [{}]",
        names.join(", ")
    );
    o
}

/// `[population]`: the input's country, cloud and agent mixes (all repositories, by events).
fn population(w: &mut String, plan: &Plan) {
    let mut parts: Vec<(&str, Vec<String>, Vec<&str>)> = Vec::new();
    let known_countries: Vec<&str> = crate::config::population::COUNTRY_CODES.to_vec();
    let known_clouds: Vec<&str> =
        crate::config::population::CLOUD_NAMES.iter().copied().chain([crate::config::population::NO_CLOUD]).collect();
    let known_agents: Vec<&str> = crate::config::population::AGENT_NAMES.to_vec();
    for (key, known, pick) in [
        ("countries", &known_countries, (|r: &RepoPlan| &r.countries) as fn(&RepoPlan) -> &Vec<(String, u64)>),
        ("clouds", &known_clouds, |r: &RepoPlan| &r.clouds),
        ("agents", &known_agents, |r: &RepoPlan| &r.agents),
    ] {
        let mut sum: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        for r in plan.namespaces.iter().flat_map(|n| &n.repos) {
            for (k, n) in pick(r) {
                *sum.entry(k.as_str()).or_default() += n;
            }
        }
        let kept: Vec<String> = sum
            .iter()
            .filter(|(k, _)| known.contains(k))
            .map(|(k, n)| {
                if k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    format!("{k} = {n}")
                } else {
                    format!("\"{k}\" = {n}")
                }
            })
            .collect();
        let dropped: Vec<&str> = sum.keys().filter(|k| !known.contains(k)).copied().collect();
        if !kept.is_empty() {
            parts.push((key, kept, dropped));
        }
    }
    if parts.is_empty() {
        return;
    }
    let _ = writeln!(w, "\n# The input's client mixes, by events (`no csp` = outside any cloud).\n[population]");
    for (key, kept, dropped) in parts {
        if !dropped.is_empty() {
            let _ = writeln!(w, "# Not modelled, left out of {key}: {}", dropped.join(", "));
        }
        let _ = writeln!(w, "{key} = {{ {} }}", kept.join(", "));
    }
}

fn repo(w: &mut String, r: &RepoPlan) {
    let _ = writeln!(w, "\n[[namespaces.repos]]\nname = \"{}\"\npopularity = 1", r.name);
    if let Some((digest, checks)) = r.actions {
        let _ = writeln!(w, "# Shares of all events in the input: pulls by digest and version checks.");
        let _ = writeln!(w, "by_digest = {digest:.4}\nversion_checks = {checks:.4}");
    }
    if r.churn_fitted {
        let _ = writeln!(w, "# Share of a week's clients replaced the next week, fitted to the monthly IP counts.");
    } else {
        let _ = writeln!(
            w,
            "# Share of a week's clients replaced the next week (INFERRED default {DEFAULT_CHURN}: the input has\n# no monthly IP counts to fit it to)."
        );
    }
    let _ = writeln!(w, "churn = {}", r.churn);
    if r.tags.is_empty() {
        let _ = writeln!(w, "# The input names no tags.");
        let _ = writeln!(
            w,
            "tags = [{{ name = \"latest\", popularity = 1, platforms = [\"linux/amd64\", \"linux/arm64\"] }}]"
        );
    } else {
        let _ = writeln!(w, "# Tags by downloads in the input.\ntags = [");
        for (t, n) in &r.tags {
            let _ = writeln!(
                w,
                "  {{ name = \"{t}\", popularity = {}, platforms = [\"linux/amd64\", \"linux/arm64\"] }},",
                (*n).max(1)
            );
        }
        let _ = writeln!(w, "]");
    }
    if r.from_months {
        let _ = writeln!(w, "# The input is monthly: weeks spread each month's events evenly over its days, and its\n# distinct clients over its weeks under the churn (INFERRED).");
    }
    if r.estimated_ips > 0 {
        let _ = writeln!(
            w,
            "# {} week(s) had no IP count in the input; `ips` there is an estimate (INFERRED).",
            r.estimated_ips
        );
    }
    let _ = writeln!(w, "weeks = [");
    for wk in &r.weeks {
        let note =
            if r.filled.contains(&wk.week) { "  # not in the input: interpolated between its neighbours" } else { "" };
        let _ = writeln!(w, "  {{ week = \"{}\", pulls = {}, ips = {} }},{note}", wk.week, wk.pulls, wk.ips);
    }
    let _ = writeln!(w, "]");
}
