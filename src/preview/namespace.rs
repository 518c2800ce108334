//! One namespace's section: pull series charts (total and per repository), the action split,
//! who pulls, extension views and the data table of every period.
use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::NaiveDate;

use super::data::{Extension, NsPreview, Point, SeriesSet};
use super::escape::esc;
use super::svg::{self, int, percent, Bar, Row, TimeChart};
use crate::bodies::PERIODS;
use crate::engine::calendar::Granularity;
use crate::engine::model::Model;
use crate::engine::stats::Counts;

/// At most this many per-repository charts; the rest are in the data table.
const MAX_REPO_CHARTS: usize = 12;
/// Chart widths: the content is 1166 px wide (1240 less paddings), a figure adds 14 px and
/// figures are 10 px apart: one, two or four to a row.
const FULL_W: f64 = 1166.0;
const MAIN_W: f64 = 564.0;
const SMALL_W: f64 = 270.0;
/// Rows of the country list before "other".
const TOP_COUNTRIES: usize = 10;

/// The action split of a count, as stacked segments.
fn segments(c: &Counts) -> Vec<(u64, &'static str)> {
    vec![(u64::from(c.by_tag), "tag"), (u64::from(c.by_digest), "dig"), (u64::from(c.checks), "chk")]
}

/// The windows serving a period: `2,3,6,12`, or none.
fn windows_text(p: &Point) -> String {
    match p.window {
        Some(m) => PERIODS.iter().filter(|w| **w >= m).map(u32::to_string).collect::<Vec<_>>().join(","),
        None => "none".into(),
    }
}

/// The tooltip of one point: `acme total 2026-03-02..2026-03-08 (2026-W10): 123 pulls (…); 45 unique IPs; …`.
fn point_title(ns: &str, series: &str, p: &Point) -> String {
    let c = &p.counts;
    let served = match p.window {
        Some(m) => format!("in the pull series from period=last-{m}-months"),
        None => "exports only (older than the pull series windows)".into(),
    };
    format!(
        "{ns} {series} {}..{} ({}): {} pulls ({} by tag, {} by digest, {} version checks); {} unique IPs; {served}",
        p.period.start,
        p.period.last_day(),
        p.period.label(),
        int(c.total()),
        int(u64::from(c.by_tag)),
        int(u64::from(c.by_digest)),
        int(u64::from(c.checks)),
        int(p.unique),
    )
}

fn bars(ns: &str, series: &str, points: &[Point]) -> Vec<Bar> {
    points
        .iter()
        .map(|p| Bar {
            start: p.period.start,
            end: p.period.end_exclusive(),
            segments: segments(&p.counts),
            line: Some(p.unique),
            title: point_title(ns, series, p),
        })
        .collect()
}

/// The x axis of every chart of the page: from the first available period to as_of.
fn axis_start(model: &Model) -> NaiveDate {
    let cal = &model.world.calendar;
    cal.all().map(|p| p.start).min().unwrap_or(cal.history_start)
}

fn chart(model: &Model, set: &SeriesSet, bars: &[Bar], size: (f64, f64), compact: bool, label: &str) -> String {
    let windows: Vec<(u32, NaiveDate)> = set.windows.iter().map(|(m, p)| (*m, p.start)).collect();
    TimeChart {
        width: size.0,
        height: size.1,
        from: axis_start(model),
        as_of: model.world.calendar.as_of,
        bars,
        windows: &windows,
        served_end: model.periods(set.granularity).last().map(|p| p.end_exclusive()),
        compact,
        label,
    }
    .render()
}

fn sum(points: &[Point]) -> Counts {
    let mut c = Counts::default();
    points.iter().for_each(|p| c.add(&p.counts));
    c
}

pub(crate) fn section(model: &Model, ns: &NsPreview) -> String {
    let n = &model.world.namespaces[ns.ns];
    let name = n.name.as_str();
    let mut s = String::new();
    let _ = write!(
        s,
        "<section id=\"ns-{}\"><h2>{} <span class=\"sub\">{} · {}{} · {} repositories</span></h2>",
        esc(name),
        esc(name),
        esc(&n.publisher),
        esc(&n.publisher_type),
        if n.extension_publisher { " · extension publisher" } else { "" },
        n.repos.len()
    );
    kpis(&mut s, ns);
    let all = sum(&ns.weeks.total);
    let parts = [
        ("by tag", u64::from(all.by_tag), "tag"),
        ("by digest", u64::from(all.by_digest), "dig"),
        ("version checks", u64::from(all.checks), "chk"),
    ];
    let _ = write!(
        s,
        "<h3>Tag vs digest vs version check <span class=\"muted\">{} events over all weeks</span></h3>{}",
        int(all.total()),
        svg::share_bar(FULL_W, &parts, &format!("{name}: action split"))
    );
    s.push_str("<div class=\"row\" style=\"margin-top:10px\">");
    for set in [&ns.weeks, &ns.months] {
        let what = if set.granularity == Granularity::Week { "Weekly" } else { "Monthly" };
        let label = format!("{name}: {} pulls and unique IPs", what.to_lowercase());
        let _ = write!(
            s,
            "<figure><figcaption>{what} pulls and unique IPs <span>namespace total</span></figcaption>{}</figure>",
            chart(model, set, &bars(name, "total", &set.total), (MAIN_W, 240.0), false, &label)
        );
    }
    s.push_str("</div>");
    repo_charts(&mut s, model, ns);
    mix(&mut s, ns, all.total());
    for e in &ns.extensions {
        extension(&mut s, model, name, e);
    }
    data_table(&mut s, ns, name);
    s.push_str("</section>");
    s
}

fn kpis(s: &mut String, ns: &NsPreview) {
    s.push_str("<div class=\"kpis\">");
    let all = sum(&ns.weeks.total);
    let (first, last) = (ns.weeks.total.first(), ns.weeks.total.last());
    if let (Some(f), Some(l)) = (first, last) {
        let _ = write!(
            s,
            "<div class=\"kpi\"><b>{}</b>pulls in {} weeks, {} to {}</div>",
            int(all.total()),
            ns.weeks.total.len(),
            f.period.start,
            l.period.last_day()
        );
    }
    for (what, set) in [("last week", &ns.weeks), ("last month", &ns.months)] {
        if let Some(p) = set.total.last() {
            let _ = write!(
                s,
                "<div class=\"kpi\"><b>{}</b>pulls, {} unique IPs in the {what}, {}</div>",
                int(p.counts.total()),
                int(p.unique),
                p.period.label()
            );
        }
    }
    s.push_str("</div>");
}

fn repo_charts(s: &mut String, model: &Model, ns: &NsPreview) {
    let name = &model.world.namespaces[ns.ns].name;
    let total = sum(&ns.weeks.total).total();
    let mut order: Vec<(u64, usize)> =
        ns.weeks.repos.iter().enumerate().map(|(i, (_, pts))| (sum(pts).total(), i)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let _ = write!(s, "<h3>Per repository <span class=\"muted\">weekly pulls and unique IPs, busiest first</span></h3><div class=\"grid\">");
    for (events, i) in order.iter().take(MAX_REPO_CHARTS) {
        let (repo, points) = &ns.weeks.repos[*i];
        let series = format!("repo {repo}");
        let label = format!("{name}/{repo}: weekly pulls and unique IPs");
        let _ = write!(
            s,
            "<figure><figcaption>{} <span>{} pulls · {}</span></figcaption>{}</figure>",
            esc(repo),
            int(*events),
            percent(*events, total),
            chart(model, &ns.weeks, &bars(name, &series, points), (SMALL_W, 124.0), true, &label)
        );
    }
    s.push_str("</div>");
    if order.len() > MAX_REPO_CHARTS {
        let _ = write!(
            s,
            "<div class=\"muted\">{} more repositories: see the data table.</div>",
            order.len() - MAX_REPO_CHARTS
        );
    }
}

/// Rows of a client-mix list, largest first (ties by name), with an "other" row past `top`.
fn mix_rows(map: &BTreeMap<&'static str, Counts>, total: u64, top: usize, what: &str) -> Vec<Row> {
    let mut items: Vec<(&str, u64)> = map.iter().map(|(k, c)| (*k, c.total())).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let row = |label: String, value: u64| Row {
        title: format!("{what} {label}: {} events, {} of {}", int(value), percent(value, total), int(total)),
        note: format!("{} · {}", int(value), percent(value, total)),
        label,
        value,
    };
    let mut rows: Vec<Row> = items.iter().take(top).map(|(k, v)| row(k.to_string(), *v)).collect();
    if items.len() > top {
        let rest = &items[top..];
        rows.push(row(format!("{} others", rest.len()), rest.iter().map(|x| x.1).sum()));
    }
    rows
}

fn mix(s: &mut String, ns: &NsPreview, total: u64) {
    let _ = write!(s, "<h3>Who pulls <span class=\"muted\">events over all weeks, by client attribute</span></h3><div class=\"grid\">");
    let m = &ns.mix;
    for (title, map, top) in [
        ("Top countries", &m.countries, TOP_COUNTRIES),
        ("Cloud providers", &m.clouds, usize::MAX),
        ("User agents", &m.agents, usize::MAX),
        ("IP types", &m.ip_types, usize::MAX),
    ] {
        let rows = mix_rows(map, total, top, title.trim_start_matches("Top "));
        let _ =
            write!(s, "<figure><figcaption>{title}</figcaption>{}</figure>", svg::hbars(SMALL_W, &rows, "bar", title));
    }
    s.push_str("</div>");
}

fn extension(s: &mut String, model: &Model, ns: &str, e: &Extension) {
    let _ = write!(
        s,
        "<h3>Extension {} <span class=\"muted\">ext-summary: installs and updates (downloads), uninstalls; INFERRED from pulls</span></h3><div class=\"row\">",
        esc(&e.repo)
    );
    for (g, rows) in [(Granularity::Week, &e.weeks), (Granularity::Month, &e.months)] {
        let bars: Vec<Bar> = rows
            .iter()
            .map(|(p, c)| Bar {
                start: p.start,
                end: p.end_exclusive(),
                segments: vec![(c.installs, "ins"), (c.updates, "upd"), (c.uninstalls, "uni")],
                line: None,
                title: format!(
                    "{ns}/{} {}..{} ({}): {} installs (total {}), {} updates, {} uninstalls (total {})",
                    e.repo,
                    p.start,
                    p.last_day(),
                    p.label(),
                    int(c.installs),
                    int(c.total_installs),
                    int(c.updates),
                    int(c.uninstalls),
                    int(c.total_uninstalls)
                ),
            })
            .collect();
        let set = SeriesSet { granularity: g, total: Vec::new(), repos: Vec::new(), windows: Vec::new() };
        let what = if g == Granularity::Week { "Weekly" } else { "Monthly" };
        let _ = write!(
            s,
            "<figure><figcaption>{what} <span><span class=\"sw ins\"></span>installs <span class=\"sw upd\"></span>updates <span class=\"sw uni\"></span>uninstalls</span></figcaption>{}</figure>",
            chart(model, &set, &bars, (MAIN_W, 200.0), false, &format!("{ns}/{}: {} extension metrics", e.repo, what.to_lowercase()))
        );
    }
    s.push_str("</div>");
}

/// Every period of every series the pull series list, with exact numbers: the page's data.
fn data_table(s: &mut String, ns: &NsPreview, name: &str) {
    let _ = write!(
        s,
        "<details><summary>Data table: every period of the namespace and repository pull series</summary>\
         <div class=\"muted\">Periods without events are left out, as the API leaves them out. \
         <i>windows</i>: the <code>period=last-N-months</code> values whose pull series list the period.</div>\
         <table class=\"data\" data-namespace=\"{}\"><tr><th>series</th><th>timespan</th><th>period</th><th>start</th><th>end</th>\
         <th>pullCount</th><th>by tag</th><th>by digest</th><th>version checks</th><th>ipCount</th><th>windows</th></tr>",
        esc(name)
    );
    for set in [&ns.weeks, &ns.months] {
        let series = std::iter::once(("total", &set.total)).chain(set.repos.iter().map(|(r, p)| (r.as_str(), p)));
        for (label, points) in series {
            for p in points.iter().filter(|p| p.listed) {
                let c = &p.counts;
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    esc(label),
                    set.granularity.api(),
                    p.period.label(),
                    p.period.start,
                    p.period.last_day(),
                    c.total(),
                    c.by_tag,
                    c.by_digest,
                    c.checks,
                    p.unique,
                    windows_text(p)
                );
            }
        }
    }
    s.push_str("</table>");
    if !ns.extensions.is_empty() {
        s.push_str("<table class=\"ext\"><tr><th>extension</th><th>timespan</th><th>period</th><th>installs</th><th>total installs</th><th>uninstalls</th><th>total uninstalls</th><th>updates</th></tr>");
        for e in &ns.extensions {
            for (g, rows) in [(Granularity::Week, &e.weeks), (Granularity::Month, &e.months)] {
                for (p, c) in rows.iter() {
                    let _ = writeln!(
                        s,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                        esc(&e.repo),
                        g.api(),
                        p.label(),
                        c.installs,
                        c.total_installs,
                        c.uninstalls,
                        c.total_uninstalls,
                        c.updates
                    );
                }
            }
        }
        s.push_str("</table>");
    }
    s.push_str("</details>");
}
