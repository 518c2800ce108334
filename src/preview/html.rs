//! The page: one HTML document with its CSS inline and every chart as inline SVG; nothing is
//! loaded from anywhere, and no script runs.
use std::fmt::Write;

use super::data::{self, Preview};
use super::escape::esc;
use super::namespace;
use crate::dvp_api::{ANALYTICS, PROXY};
use crate::engine::calendar::Granularity;
use crate::engine::model::Model;

/// Bar colours: pulls by tag, by digest, version checks, unique IPs, extension metrics.
const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1d2330;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:18px 20px 40px}
h1{font-size:22px;margin:0 0 2px}
h2{font-size:18px;margin:0 0 6px}
h2 .sub,.muted{color:#5b6475;font-weight:400;font-size:13px}
h3{font-size:14px;margin:16px 0 6px}
header,section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:14px 16px;margin:0 0 14px}
nav a{margin-right:12px}
a{color:#2356b8;text-decoration:none}
code{font:12px ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace;background:#f0f2f5;padding:0 3px;border-radius:3px}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin-top:8px;color:#3a4254}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;margin-right:4px}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.kpi{background:#f7f8fa;border:1px solid #e6e9ef;border-radius:6px;padding:6px 10px;min-width:180px}
.kpi b{display:block;font-size:18px}
.row,.grid{display:flex;flex-wrap:wrap;gap:10px}
figure{margin:0;background:#fbfcfd;border:1px solid #eceef2;border-radius:6px;padding:6px 6px 2px}
figcaption{font-weight:600;margin:0 0 2px 2px}
figcaption span{font-weight:400;color:#5b6475}
svg.chart{display:block;font:10px system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
.grid line,.chart .grid{stroke:#e7e9ee}
.chart .axis{stroke:#9aa1ad}
.chart .tick{stroke:#9aa1ad}
.chart .ax{fill:#6b7384}
.chart .lab{fill:#2b3140}
.chart .val{fill:#5b6475}
.chart .asof{stroke:#c2410c;stroke-dasharray:3 2}
.chart .asof-l{fill:#c2410c;font-weight:600}
.chart .win line{stroke:#334155}
.chart .win text{fill:#334155}
.chart .pending{fill:url(#hatch)}
.chart .hit{fill:transparent}
.chart .halo{fill:none;stroke:#fff;stroke-width:4;stroke-linejoin:round;opacity:.85}
.chart .ips{fill:none;stroke:#6d28d9;stroke-width:2;stroke-linejoin:round}
.tag{fill:#2f6fdb;background:#2f6fdb}
.dig{fill:#14a38b;background:#14a38b}
.chk{fill:#f0a020;background:#f0a020}
.ipl{background:#6d28d9}
.bar{fill:#4b6a9b;background:#4b6a9b}
.ins{fill:#2f6fdb;background:#2f6fdb}
.upd{fill:#14a38b;background:#14a38b}
.uni{fill:#d9485f;background:#d9485f}
table{border-collapse:collapse;margin:6px 0}
th,td{border-bottom:1px solid #eceef2;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f7f8fa;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.data td{font-variant-numeric:tabular-nums}
details{margin-top:10px}
summary{cursor:pointer;color:#2356b8}
.tok{word-break:break-all;font-size:11px}
"#;

/// The whole page.
pub(crate) fn page(model: &Model, preview: &Preview) -> String {
    let world = &model.world;
    let c = &world.config;
    let cal = &world.calendar;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(s, "<title>dvp-mock preview: seed {}, as_of {}</title>", c.seed, c.as_of);
    let _ = write!(s, "<style>{}</style></head><body>", CSS.trim());
    // Shared SVG definitions (the hatching of incomplete periods).
    s.push_str(r##"<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6efe9"/><line x1="0" y1="0" x2="0" y2="6" stroke="#e8c9b5" stroke-width="2"/></pattern></defs></svg>"##);
    s.push_str("<main><header>");
    s.push_str("<h1>dvp-mock preview</h1>");
    let weeks = cal.weeks.len();
    let months = cal.months.len();
    let _ = write!(
        s,
        "<div class=\"muted\">seed <b>{}</b> · as_of <b>{}</b> · history from {} · {} weeks and {} months available · {} clients · {} namespaces · {} users</div>",
        c.seed,
        c.as_of,
        c.history_start,
        weeks,
        months,
        super::svg::int(u64::from(c.clients)),
        world.namespaces.len(),
        world.users.len()
    );
    s.push_str("<nav style=\"margin-top:6px\">");
    for n in &world.namespaces {
        let _ = write!(s, "<a href=\"#ns-{}\">{}</a>", esc(&n.name), esc(&n.name));
    }
    s.push_str("<a href=\"#reports\">report catalogue</a><a href=\"#users\">users and tokens</a></nav>");
    s.push_str("<div class=\"legend\">");
    for (class, text) in
        [("tag", "pull by tag"), ("dig", "pull by digest"), ("chk", "version check"), ("ipl", "unique IPs (line)")]
    {
        let _ = write!(s, "<span><span class=\"sw {class}\"></span>{text}</span>");
    }
    s.push_str("<span><span class=\"sw\" style=\"background:#c2410c\"></span>as_of</span>");
    s.push_str("<span><span class=\"sw\" style=\"background:#e8c9b5\"></span>incomplete, not served</span>");
    s.push_str(
        "<span><b>2m 3m 6m 12m</b>: first period of the pull series for <code>period=last-N-months</code></span>",
    );
    s.push_str("</div>");
    s.push_str("<div class=\"muted\" style=\"margin-top:6px\">Each bar is an available period: the mock serves its exports. \
        <i>pulls</i> is the API's <code>pullCount</code> (every event, version checks included); \
        <i>unique IPs</i> is <code>ipCount</code>. Hover a bar for its exact numbers; every number is also in the data tables.</div>");
    s.push_str("</header>");
    for ns in &preview.namespaces {
        s.push_str(&namespace::section(model, ns));
    }
    reports_section(&mut s, model, preview);
    users_section(&mut s, model);
    s.push_str("</main></body></html>\n");
    s
}

fn reports_section(s: &mut String, model: &Model, preview: &Preview) {
    let world = &model.world;
    let periods = &preview.report_periods;
    s.push_str(
        "<section id=\"reports\"><h2>Report catalogue <span class=\"sub\">DVP Core reports (proxylytics)</span></h2>",
    );
    let _ = write!(
        s,
        "<div class=\"muted\">Every namespace lists the same report types for the last {} weeks and {} months \
         (<code>GET {PROXY}/namespaces/{{namespace}}/reports</code>, token of a member). \
         Hover a cell for its file name.</div>",
        world.config.reports.weeks, world.config.reports.months
    );
    for (ns, n) in world.namespaces.iter().enumerate() {
        let files = data::report_files(model, ns, periods);
        let _ = write!(
            s,
            "<h3>{} <span class=\"muted\">{} files</span></h3><table><tr><th rowspan=\"2\">type</th>",
            esc(&n.name),
            files.len() * periods.len()
        );
        for g in [Granularity::Week, Granularity::Month] {
            let k = periods.iter().filter(|p| p.granularity == g).count();
            if k > 0 {
                let _ = write!(s, "<th colspan=\"{k}\">{}</th>", g.report());
            }
        }
        s.push_str("</tr><tr>");
        for p in periods {
            let _ = write!(s, "<th>{}</th>", p.label());
        }
        s.push_str("</tr>");
        for (t, names) in &files {
            let _ = write!(s, "<tr><td><code>{}</code></td>", t.api());
            for f in names {
                let _ = write!(s, "<td title=\"{}\">&#10003;</td>", esc(f));
            }
            s.push_str("</tr>");
        }
        s.push_str("</table>");
        s.push_str("<details><summary>file names</summary><ul>");
        for (_, names) in &files {
            for f in names {
                let _ = write!(s, "<li><code>{}</code></li>", esc(f));
            }
        }
        s.push_str("</ul></details>");
    }
    s.push_str("</section>");
}

/// What a principal logs in with: the password (accounts), then each PAT or OAT.
fn secrets(u: &crate::engine::world::User) -> String {
    let password = (!u.organization).then_some(u.password.as_str());
    password.into_iter().chain(u.credentials.iter().filter_map(|c| c.secret.as_deref())).collect::<Vec<_>>().join(" ")
}

fn users_section(s: &mut String, model: &Model) {
    let world = &model.world;
    s.push_str("<section id=\"users\"><h2>Users and tokens <span class=\"sub\">log in with <code>POST /v2/users/login</code> or <code>POST /v2/auth/token</code></span></h2>");
    s.push_str("<table><tr><th>user</th><th>password, PATs, OATs</th><th>2FA code</th><th>sees (analytics, reports)</th><th>gets 404 for</th><th>access token</th></tr>");
    for u in &world.users {
        let sees: Vec<&str> = u.namespaces.iter().map(|&i| world.namespaces[i].name.as_str()).collect();
        let hidden: Vec<&str> = world
            .namespaces
            .iter()
            .enumerate()
            .filter(|(i, _)| !u.namespaces.contains(i))
            .map(|(_, n)| n.name.as_str())
            .collect();
        let _ = write!(
            s,
            "<tr><td><b>{}</b></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td title=\"{}\"><code>{}…</code></td></tr>",
            esc(&u.username),
            esc(&secrets(u)),
            u.totp.as_deref().map_or("none".to_string(), |t| format!("<code>{}</code>", esc(t))),
            esc(&sees.join(", ")),
            if hidden.is_empty() { "nothing".to_string() } else { esc(&hidden.join(", ")) },
            esc(&u.token),
            esc(&u.token[..u.token.len().min(24)])
        );
    }
    s.push_str("</table>");
    let _ = write!(
        s,
        "<div class=\"muted\">A member's token opens <code>{ANALYTICS}</code> for its namespaces (listing, pull series, exports) \
         and the report catalogue on <code>{PROXY}</code>. Without a token, only the proxylytics pull series answer.</div>"
    );
    s.push_str("<details><summary>full tokens</summary><table><tr><th>user</th><th>purpose</th><th>token</th></tr>");
    for u in &world.users {
        let mut tokens = vec![("access", &u.token), ("refresh", &u.refresh_token)];
        if let Some(t) = &u.login_2fa_token {
            tokens.push(("login_2fa", t));
        }
        for (purpose, t) in tokens {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{purpose}</td><td class=\"tok\"><code>{}</code></td></tr>",
                esc(&u.username),
                esc(t)
            );
        }
    }
    s.push_str("</table></details></section>");
}
