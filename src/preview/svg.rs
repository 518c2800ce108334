//! Plain SVG charts, written as text: a time chart of stacked bars (one per week or month)
//! with an optional line, and horizontal bar lists. Every chart has a fixed size whatever the
//! data, coordinates are rounded to a tenth of a pixel, and every mark carries its exact
//! numbers in a `<title>` (a tooltip), so the output is small, exact and deterministic.
use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use super::escape::esc;

/// One bar: a period (`start`..`end`, end exclusive), its stacked segments bottom-up (value,
/// CSS class) and its tooltip.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    pub(crate) segments: Vec<(u64, &'static str)>,
    /// Drawn as a line through the bars' centres (unique IPs), on the same scale.
    pub(crate) line: Option<u64>,
    pub(crate) title: String,
}

/// A chart over time: the x axis runs from `from` to the day after `as_of`.
#[derive(Debug)]
pub(crate) struct TimeChart<'a> {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) from: NaiveDate,
    pub(crate) as_of: NaiveDate,
    pub(crate) bars: &'a [Bar],
    /// Pull-series windows: (months, first day of the first period served).
    pub(crate) windows: &'a [(u32, NaiveDate)],
    /// The day after the last available period (periods after it are incomplete).
    pub(crate) served_end: Option<NaiveDate>,
    /// Fewer labels (small multiples).
    pub(crate) compact: bool,
    /// The chart's accessible name.
    pub(crate) label: &'a str,
}

/// Space around the plot: left (axis labels), right, top (window bracket), bottom (months).
const LEFT: f64 = 40.0;
const RIGHT: f64 = 8.0;
const BOTTOM: f64 = 26.0;

fn top(compact: bool) -> f64 {
    if compact {
        8.0
    } else {
        32.0
    }
}

/// A tenth of a pixel is enough and keeps the bytes short.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// `12345` -> `12,345`.
pub(crate) fn int(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Axis labels: `900`, `1.5k`, `20k`, `1.2M`.
fn short(v: u64) -> String {
    let unit = |v: u64, d: u64, s: &str| {
        if v.is_multiple_of(d) {
            format!("{}{s}", v / d)
        } else {
            format!("{}.{}{s}", v / d, v % d * 10 / d)
        }
    };
    match v {
        0..=999 => v.to_string(),
        1_000..=999_999 => unit(v, 1_000, "k"),
        _ => unit(v, 1_000_000, "M"),
    }
}

/// A 1-2-5 step giving about four grid lines up to `max`, and the axis top.
fn scale(max: u64) -> (u64, u64) {
    let raw = max.div_ceil(4).max(1);
    let mut mag = 1u64;
    while mag * 10 <= raw {
        mag *= 10;
    }
    let step = [1, 2, 5, 10].iter().map(|k| k * mag).find(|s| *s >= raw).unwrap_or(10 * mag);
    (step, max.div_ceil(step).max(1) * step)
}

/// The opening tag of a chart of `w` x `h` pixels named `label`.
fn open_svg(w: f64, h: f64, label: &str) -> String {
    format!(
        r#"<svg class="chart" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">"#,
        n(w),
        n(h),
        n(w),
        n(h),
        esc(label)
    )
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl TimeChart<'_> {
    pub(crate) fn render(&self) -> String {
        let (w, h, t) = (self.width, self.height, top(self.compact));
        let (x0, x1, y0, y1) = (LEFT, w - RIGHT, t, h - BOTTOM);
        let end = self.as_of.succ_opt().expect("as_of is far from the end of time");
        let days = (end - self.from).num_days().max(1) as f64;
        let x = |d: NaiveDate| x0 + (d - self.from).num_days() as f64 / days * (x1 - x0);
        let max = self
            .bars
            .iter()
            .map(|b| b.segments.iter().map(|s| s.0).sum::<u64>().max(b.line.unwrap_or(0)))
            .max()
            .unwrap_or(0);
        // Headroom for the totals written above wide bars.
        let (step, top_value) = scale(if self.compact { max } else { max + max / 12 });
        let y = |v: u64| y1 - v as f64 / top_value as f64 * (y1 - y0);
        let mut s = open_svg(w, h, self.label);
        // Incomplete periods up to as_of: not served yet.
        if let Some(e) = self.served_end.filter(|e| *e < end) {
            let _ = write!(
                s,
                r#"<rect class="pending" x="{}" y="{}" width="{}" height="{}"><title>{} to {}: not complete as of {}, not served</title></rect>"#,
                n(x(e)),
                n(y0),
                n(x(end) - x(e)),
                n(y1 - y0),
                e,
                self.as_of,
                self.as_of
            );
        }
        // Grid and value axis.
        let mut v = 0;
        while v <= top_value {
            let _ =
                write!(s, r#"<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>"#, n(x0), n(x1), n(y(v)), n(y(v)));
            let _ = write!(
                s,
                r#"<text class="ax" x="{}" y="{}" text-anchor="end">{}</text>"#,
                n(x0 - 4.0),
                n(y(v) + 3.5),
                short(v)
            );
            v += step;
        }
        self.month_ticks(&mut s, &x, y1, end);
        for b in self.bars {
            self.bar(&mut s, b, (&x, &y), (y0, y1));
        }
        // The line through the bars' centres.
        let points: Vec<String> = self
            .bars
            .iter()
            .filter_map(|b| b.line.map(|v| format!("{},{}", n((x(b.start) + x(b.end)) / 2.0), n(y(v)))))
            .collect();
        if points.len() > 1 && max > 0 {
            let points = points.join(" ");
            let _ = write!(s, r#"<polyline class="halo" points="{points}"/><polyline class="ips" points="{points}"/>"#);
        }
        if max == 0 {
            let _ = write!(
                s,
                r#"<text class="ax" x="{}" y="{}" text-anchor="middle">no events</text>"#,
                n((x0 + x1) / 2.0),
                n((y0 + y1) / 2.0)
            );
        }
        let _ = write!(s, r#"<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>"#, n(x0), n(x1), n(y1), n(y1));
        // as_of.
        let xa = x(self.as_of);
        let _ = write!(s, r#"<line class="asof" x1="{}" x2="{}" y1="{}" y2="{}"/>"#, n(xa), n(xa), n(y0 - 2.0), n(y1));
        if !self.compact {
            self.window_bracket(&mut s, &x, y0);
            let _ = write!(
                s,
                r#"<text class="asof-l" x="{}" y="{}" text-anchor="end">as_of {}</text>"#,
                n(xa),
                n(y0 - 22.0),
                self.as_of
            );
        }
        s.push_str("</svg>");
        s
    }

    /// Month ticks along the time axis at `y1`, labels spaced at least 30 px apart, the year
    /// under January and under the first label.
    fn month_ticks(&self, s: &mut String, x: &impl Fn(NaiveDate) -> f64, y1: f64, end: NaiveDate) {
        let w = self.width;
        let mut last_label = f64::NEG_INFINITY;
        let mut d = self.from.with_day(1).expect("day 1 exists");
        while d <= end {
            if d >= self.from {
                let xd = x(d);
                let _ = write!(
                    s,
                    r#"<line class="tick" x1="{}" x2="{}" y1="{}" y2="{}"/>"#,
                    n(xd),
                    n(xd),
                    n(y1),
                    n(y1 + 3.0)
                );
                if xd - last_label >= 30.0 && xd + 12.0 <= w {
                    let name = MONTHS[d.month0() as usize];
                    let _ = write!(
                        s,
                        r#"<text class="ax" x="{}" y="{}" text-anchor="middle">{name}</text>"#,
                        n(xd),
                        n(y1 + 12.0)
                    );
                    // The year under January and under the first label.
                    if d.month() == 1 || last_label.is_infinite() {
                        let _ = write!(
                            s,
                            r#"<text class="ax" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                            n(xd),
                            n(y1 + 22.0),
                            d.year()
                        );
                    }
                    last_label = xd;
                }
            }
            d = d.checked_add_months(chrono::Months::new(1)).expect("dates stay in range");
        }
    }

    /// One bar: its stacked segments, its total above it when wide enough, its tooltip.
    fn bar(
        &self,
        s: &mut String,
        b: &Bar,
        (x, y): (&impl Fn(NaiveDate) -> f64, &impl Fn(u64) -> f64),
        (y0, y1): (f64, f64),
    ) {
        let (bx0, bx1) = (x(b.start), x(b.end));
        let gap = ((bx1 - bx0) * 0.12).min(2.0);
        let _ = write!(s, "<g><title>{}</title>", esc(&b.title));
        let mut base = 0;
        for (value, class) in &b.segments {
            if *value > 0 {
                let _ = write!(
                    s,
                    r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}"/>"#,
                    n(bx0 + gap / 2.0),
                    n(y(base + value)),
                    n(bx1 - bx0 - gap),
                    n(y(base) - y(base + value))
                );
            }
            base += value;
        }
        // Wide bars carry their total above them.
        // About 6 px a character at 10 px.
        let label = int(base);
        if !self.compact && base > 0 && bx1 - bx0 >= label.len() as f64 * 6.0 + 4.0 {
            let _ = write!(
                s,
                r#"<text class="val" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                n((bx0 + bx1) / 2.0),
                n(y(base) - 3.0),
                label
            );
        }
        // An empty period still answers its tooltip.
        if base == 0 {
            let _ = write!(
                s,
                r#"<rect class="hit" x="{}" y="{}" width="{}" height="{}"/>"#,
                n(bx0),
                n(y0),
                n(bx1 - bx0),
                n(y1 - y0)
            );
        }
        s.push_str("</g>");
    }

    /// The pull-series windows: a bracket over the periods served by `period=last-12-months`,
    /// a tick where each shorter window starts.
    fn window_bracket(&self, s: &mut String, x: &impl Fn(NaiveDate) -> f64, y0: f64) {
        let (Some(end), Some((_, first))) = (self.served_end, self.windows.iter().max_by_key(|w| w.0)) else {
            return;
        };
        let yb = y0 - 6.0;
        let _ = write!(
            s,
            r#"<g class="win"><title>periods served by the pull series (period=last-N-months)</title><line x1="{}" x2="{}" y1="{}" y2="{}"/>"#,
            n(x(*first)),
            n(x(end)),
            n(yb),
            n(yb)
        );
        let mut placed: Vec<f64> = Vec::new();
        let mut windows = self.windows.to_vec();
        windows.sort_by_key(|w| std::cmp::Reverse(w.0));
        for (months, start) in windows {
            let xs = x(start);
            let _ = write!(s, r#"<line x1="{}" x2="{}" y1="{}" y2="{}"/>"#, n(xs), n(xs), n(yb - 3.0), n(yb + 3.0));
            if placed.iter().all(|p| (p - xs).abs() >= 22.0) {
                let _ = write!(s, r#"<text x="{}" y="{}">{months}m</text>"#, n(xs + 2.0), n(yb - 3.0));
                placed.push(xs);
            }
        }
        s.push_str("</g>");
    }
}

/// One row of a horizontal bar list.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) value: u64,
    /// Shown after the bar (exact value, share).
    pub(crate) note: String,
    pub(crate) title: String,
}

/// A list of labelled horizontal bars, longest first as given.
pub(crate) fn hbars(width: f64, rows: &[Row], class: &str, label: &str) -> String {
    const ROW: f64 = 17.0;
    const LABEL: f64 = 112.0;
    const NOTE: f64 = 96.0;
    let h = rows.len() as f64 * ROW + 4.0;
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    let bar_w = width - LABEL - NOTE;
    let mut s = open_svg(width, h, label);
    for (i, r) in rows.iter().enumerate() {
        let yt = i as f64 * ROW + 2.0;
        let bw = (r.value as f64 / max as f64 * bar_w).max(if r.value > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<g><title>{}</title><text class="lab" x="{}" y="{}" text-anchor="end">{}</text><rect class="{class}" x="{}" y="{}" width="{}" height="{}"/><text class="val" x="{}" y="{}">{}</text></g>"#,
            esc(&r.title),
            n(LABEL - 6.0),
            n(yt + 11.5),
            esc(&r.label),
            n(LABEL),
            n(yt + 2.0),
            n(bw),
            n(ROW - 5.0),
            n(LABEL + bw + 4.0),
            n(yt + 11.5),
            esc(&r.note)
        );
    }
    s.push_str("</svg>");
    s
}

/// One bar split in shares (e.g. tag / digest / version check), labelled underneath.
pub(crate) fn share_bar(width: f64, parts: &[(&str, u64, &'static str)], label: &str) -> String {
    let total: u64 = parts.iter().map(|p| p.1).sum();
    let mut s = open_svg(width, 34.0, label);
    let mut x = 0.0;
    for (name, value, class) in parts {
        let w = if total == 0 { 0.0 } else { *value as f64 / total as f64 * width };
        let share = percent(*value, total);
        let _ = write!(
            s,
            r#"<g><title>{}: {} events ({share})</title><rect class="{class}" x="{}" y="0" width="{}" height="14"/>"#,
            esc(name),
            int(*value),
            n(x),
            n(w)
        );
        if w >= 70.0 {
            let _ = write!(s, r#"<text class="lab" x="{}" y="28">{} {share}</text>"#, n(x + 2.0), esc(name));
        }
        s.push_str("</g>");
        x += w;
    }
    s.push_str("</svg>");
    s
}

/// `part` of `whole` as `12.3%`.
pub(crate) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0.0%".into();
    }
    let tenths = (part as u128 * 1000 + whole as u128 / 2) / whole as u128;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(int(0), "0");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(short(1500), "1.5k");
        assert_eq!(short(2_000_000), "2M");
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(95), (50, 100));
        assert_eq!(scale(1234), (500, 1500));
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(n(1.25), "1.3");
        assert_eq!(n(3.0), "3");
    }
}
