//! Parsing the specification table of docs/api.md into rows and checks (syntax documented there).
use serde_json::Value;

use crate::support::wiremock::HttpResponse;

/// The table of behaviours the mock must show.
pub const SPEC: &str = "spec";
/// The table of behaviours the public evidence calls for and the mock does not show yet.
pub const DISAGREEMENTS: &str = "spec-disagreements";
const ANALYTICS: &str = "/api/publisher/analytics/v1";
const PROXY: &str = "/api/publisher/proxylytics/v1";

#[derive(Debug)]
pub enum Target {
    /// A path and query (`A/` and `P/` already expanded; `$` symbols resolved when sent).
    Path(String),
    /// A URL (`/pointer`) or a header (`Name`) of an earlier row's response, with optionally
    /// one query parameter replaced.
    Ref { row: u32, what: String, set: Option<(String, String)> },
}

#[derive(Debug)]
pub enum Check {
    Equals(String, String),
    Starts(String, String),
    Type(String, String),
    Len(String, usize),
    Keys(String, Vec<String>),
    Header(String, String),
    HeaderStarts(String, String),
    Line(usize, String),
    LineStarts(usize, String),
    Text(String),
    Contains(String),
    BytesRef(u32, String),
}

#[derive(Debug)]
pub struct Row {
    pub number: u32,
    /// 1-based line in the document.
    pub line: usize,
    pub method: String,
    pub target: Target,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// `None`: no HTTP response at all (the connection is reset or closed).
    pub status: Option<u16>,
    /// `None`: no Content-Type header.
    pub content_type: Option<String>,
    pub checks: Vec<Check>,
}

impl Check {
    /// The check as the table spells it.
    pub fn source(&self) -> String {
        match self {
            Check::Equals(p, v) => format!("{} = {v}", show_ptr(p)),
            Check::Starts(p, v) => format!("{} ^= {v}", show_ptr(p)),
            Check::Type(p, t) => format!("{} : {t}", show_ptr(p)),
            Check::Len(p, n) => format!("len {} = {n}", show_ptr(p)),
            Check::Keys(p, k) => format!("keys {} = {}", show_ptr(p), k.join(", ")),
            Check::Header(h, v) => format!("header {h} = {v}"),
            Check::HeaderStarts(h, v) => format!("header {h} ^= {v}"),
            Check::Line(n, v) => format!("line {n} = {v}"),
            Check::LineStarts(n, v) => format!("line {n} ^= {v}"),
            Check::Text(v) => format!("text = {v}"),
            Check::Contains(v) => format!("text ~= {v}"),
            Check::BytesRef(r, w) => format!("bytes = @{r}{w}"),
        }
    }
}

fn show_ptr(p: &str) -> &str {
    if p.is_empty() {
        "body"
    } else {
        p
    }
}

/// What the response had where a failed check looked, for the failure message.
pub fn actual_hint(check: &Check, resp: &HttpResponse, json: Option<&Value>) -> String {
    let at = |p: &str| json.and_then(|j| j.pointer(p)).map_or("nothing".to_string(), Value::to_string);
    match check {
        Check::Equals(p, _) | Check::Starts(p, _) | Check::Type(p, _) => format!(": found {}", at(p)),
        Check::Len(p, _) | Check::Keys(p, _) => format!(": found {}", clip(&at(p))),
        Check::Header(h, _) | Check::HeaderStarts(h, _) => format!(": found {:?}", resp.header(h)),
        Check::Line(n, _) | Check::LineStarts(n, _) => format!(": found {:?}", resp.text().lines().nth(n - 1)),
        Check::BytesRef(..) => format!(": body has {} bytes", resp.body.len()),
        Check::Text(_) | Check::Contains(_) => String::new(),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

pub fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "string" => v.is_string(),
        "number" => v.is_u64() || v.is_i64() || v.is_f64(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        "bool" => v.is_boolean(),
        // Three base64url segments, the first one decoding to a JSON header with "alg".
        "jwt" => v.as_str().is_some_and(is_jwt),
        _ => false,
    }
}

fn is_jwt(s: &str) -> bool {
    use base64::Engine;
    let parts: Vec<&str> = s.split('.').collect();
    let b64 = |p: &str| p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    parts.len() == 3
        && parts.iter().all(|p| !p.is_empty() && b64(p))
        && base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[0])
            .ok()
            .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
            .is_some_and(|h| h.get("alg").is_some())
}

pub fn length(v: &Value) -> Option<usize> {
    v.as_array().map(Vec::len).or_else(|| v.as_object().map(|o| o.len()))
}

/// `{N×TEXT}` becomes N comma-separated copies of TEXT, `#` in TEXT numbered from 1.
pub fn expand_repeats(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some((n, text, after)) = rest[open + 1..].split_once('}').and_then(|(inner, after)| {
            let (n, text) = inner.split_once('×')?;
            Some((n.parse::<usize>().ok()?, text, after))
        }) else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        out.push_str(&rest[..open]);
        out.push_str(&(1..=n).map(|i| text.replace('#', &i.to_string())).collect::<Vec<_>>().join(","));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `url` with the value of query parameter `name` replaced by `value`.
pub fn set_query_param(url: &str, name: &str, value: &str) -> Option<String> {
    let (base, query) = url.split_once('?')?;
    let mut found = false;
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k == name => {
                found = true;
                format!("{k}={value}")
            }
            _ => p.to_string(),
        })
        .collect();
    found.then(|| format!("{base}?{}", params.join("&")))
}

/// Splits a table line into trimmed cells (`\|` is a literal pipe).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => out.last_mut().unwrap().push(chars.next().unwrap()),
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// The `<br>`-separated items of a cell, each without its enclosing backticks.
fn items(cell: &str) -> Vec<String> {
    cell.split("<br>")
        .map(|i| i.trim())
        .filter(|i| !i.is_empty() && *i != "—")
        .map(|i| i.strip_prefix('`').and_then(|i| i.strip_suffix('`')).unwrap_or(i).to_string())
        .collect()
}

fn one(cell: &str) -> Option<String> {
    items(cell).into_iter().next()
}

fn pointer(p: &str) -> Result<String, String> {
    match p {
        "body" => Ok(String::new()),
        p if p.starts_with('/') => Ok(p.to_string()),
        p => Err(format!("`{p}` is neither `body` nor a JSON pointer")),
    }
}

fn parse_check(item: &str) -> Result<Check, String> {
    let two = |s: &str, sep: &str| s.split_once(sep).map(|(a, b)| (a.trim().to_string(), b.trim().to_string()));
    if let Some(rest) = item.strip_prefix("len ") {
        let (p, n) = two(rest, "=").ok_or("len needs `= N`")?;
        return Ok(Check::Len(pointer(&p)?, n.parse().map_err(|_| format!("bad length {n}"))?));
    }
    if let Some(rest) = item.strip_prefix("keys ") {
        let (p, k) = two(rest, "=").ok_or("keys needs `= a, b`")?;
        return Ok(Check::Keys(pointer(&p)?, k.split(',').map(|s| s.trim().to_string()).collect()));
    }
    if let Some(rest) = item.strip_prefix("header ") {
        if let Some((h, v)) = two(rest, "^=") {
            return Ok(Check::HeaderStarts(h, v));
        }
        let (h, v) = two(rest, "=").ok_or("header needs `= value`")?;
        return Ok(Check::Header(h, v));
    }
    if let Some(rest) = item.strip_prefix("line ") {
        if let Some((n, v)) = rest.split_once(" ^= ") {
            return Ok(Check::LineStarts(n.trim().parse().map_err(|_| format!("bad line number {n}"))?, v.to_string()));
        }
        let (n, v) = rest.split_once(" = ").ok_or("line needs ` = text` or ` ^= prefix`")?;
        return Ok(Check::Line(n.trim().parse().map_err(|_| format!("bad line number {n}"))?, v.to_string()));
    }
    if let Some(v) = item.strip_prefix("text = ") {
        return Ok(Check::Text(v.to_string()));
    }
    if let Some(v) = item.strip_prefix("text ~= ") {
        return Ok(Check::Contains(v.to_string()));
    }
    if let Some(v) = item.strip_prefix("bytes = @") {
        let split = v.find(['/', ' ']).ok_or("bytes needs `@N/pointer`")?;
        return Ok(Check::BytesRef(v[..split].parse().map_err(|_| "bad row")?, v[split..].trim().to_string()));
    }
    let (p, rest) = item.split_once(' ').ok_or_else(|| format!("cannot read check `{item}`"))?;
    let p = pointer(p)?;
    if let Some(v) = rest.strip_prefix("^= ") {
        Ok(Check::Starts(p, v.to_string()))
    } else if let Some(v) = rest.strip_prefix("= ") {
        Ok(Check::Equals(p, v.to_string()))
    } else if let Some(t) = rest.strip_prefix(": ") {
        Ok(Check::Type(p, t.to_string()))
    } else {
        Err(format!("cannot read check `{item}`"))
    }
}

fn parse_target(t: &str) -> Result<Target, String> {
    if let Some(r) = t.strip_prefix('@') {
        let split = r.find(['/', ' ']).ok_or("a reference is `@N/pointer` or `@N Header`")?;
        let row = r[..split].parse().map_err(|_| format!("bad row in {t}"))?;
        let (what, set) = match r[split..].split_once(" with ") {
            Some((w, s)) => {
                let (k, v) = s.split_once('=').ok_or("`with` needs NAME=VALUE")?;
                (w, Some((k.trim().to_string(), v.trim().to_string())))
            }
            None => (&r[split..], None),
        };
        return Ok(Target::Ref { row, what: what.trim().to_string(), set });
    }
    let path = if let Some(p) = t.strip_prefix("A/") {
        format!("{ANALYTICS}/{p}")
    } else if let Some(p) = t.strip_prefix("P/") {
        format!("{PROXY}/{p}")
    } else if t.starts_with('/') {
        t.to_string()
    } else {
        return Err(format!("request target `{t}` must start with /, A/, P/ or @"));
    };
    Ok(Target::Path(path))
}

fn parse_row(c: &[String], line: usize) -> Result<Row, String> {
    let [number, request, headers, body, status, content_type, expect] = c else {
        return Err(format!("expected 7 cells, found {}", c.len()));
    };
    let request = one(request).ok_or("no request")?;
    let (method, target) = request.split_once(' ').ok_or("request is `METHOD target`")?;
    let headers = items(headers)
        .iter()
        .map(|h| h.split_once(": ").map(|(k, v)| (k.to_string(), v.to_string())).ok_or(format!("bad header `{h}`")))
        .collect::<Result<_, _>>()?;
    let status = match one(status).as_deref() {
        Some("none") => None,
        Some(s) => Some(s.parse().map_err(|_| format!("bad status {s}"))?),
        None => return Err("no status".into()),
    };
    let content_type = match one(content_type).ok_or("no Content-Type (write none)")? {
        s if s == "none" => None,
        s => Some(s),
    };
    Ok(Row {
        number: number.parse().map_err(|_| format!("bad row number {number}"))?,
        line,
        method: method.to_string(),
        target: parse_target(target.trim())?,
        headers,
        body: one(body),
        status,
        content_type,
        checks: items(expect).iter().map(|i| parse_check(i)).collect::<Result<_, _>>()?,
    })
}

/// Every row between the `<!-- {section}:begin -->` and `<!-- {section}:end -->` markers,
/// numbered `first`, `first + 1`, ... in order.
pub fn parse_table(doc: &str, section: &str, first: u32) -> Result<Vec<Row>, String> {
    let (begin, end) = (format!("<!-- {section}:begin -->"), format!("<!-- {section}:end -->"));
    let start = doc.find(&begin).ok_or(format!("no {begin} marker"))?;
    let end = doc.find(&end).ok_or(format!("no {end} marker"))?;
    let first_line = doc[..start].lines().count() + 1;
    let mut rows = Vec::new();
    for (i, line) in doc[start..end].lines().enumerate() {
        let line_no = first_line + i;
        let c = cells(line);
        if !line.trim_start().starts_with('|') || c[0] == "#" || c[0].starts_with("--") {
            continue;
        }
        let row = parse_row(&c, line_no).map_err(|e| format!("line {line_no}: {e}"))?;
        let expected = first + rows.len() as u32;
        if row.number != expected {
            return Err(format!("line {line_no}: row {} should be numbered {expected}", row.number));
        }
        rows.push(row);
    }
    Ok(rows)
}

#[test]
fn the_table_syntax_reads_as_documented() {
    let doc = "x\n<!-- spec:begin -->\n| # | Request | Headers | Body | Status | Content-Type | Expect |\n\
        | --- | --- | --- | --- | --- | --- | --- |\n\
        | 1 | `GET A/namespaces?x=1` | `Authorization: Bearer $DEMO` | — | 200 | `application/json` | `len body = 2`<br>`/0/namespace = \"acme\"`<br>`header Allow = GET, HEAD` |\n\
        | 2 | `GET @1/data/0/url with X-Amz-Signature=00` | — | — | none | none | `text ~= a\\|b` |\n<!-- spec:end -->\n";
    let rows = parse_table(doc, SPEC, 1).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(matches!(&rows[0].target, Target::Path(p) if p == "/api/publisher/analytics/v1/namespaces?x=1"));
    assert_eq!(rows[0].headers, vec![("Authorization".to_string(), "Bearer $DEMO".to_string())]);
    assert_eq!(rows[0].line, 5);
    assert_eq!(rows[0].checks.len(), 3);
    assert!(matches!(&rows[0].checks[2], Check::Header(h, v) if h == "Allow" && v == "GET, HEAD"));
    assert!(
        matches!(&rows[1].target, Target::Ref { row: 1, what, set: Some((k, v)) } if what == "/data/0/url" && k == "X-Amz-Signature" && v == "00")
    );
    assert_eq!((rows[1].status, rows[1].content_type.as_deref()), (None, None));
    assert!(matches!(&rows[1].checks[0], Check::Contains(v) if v == "a|b"));
    let bad = doc.replace("| 2 |", "| 3 |");
    assert!(parse_table(&bad, SPEC, 1).unwrap_err().contains("should be numbered 2"));
}

#[test]
fn repeats_and_query_replacement_expand_as_documented() {
    assert_eq!(expand_repeats("repos={3×a/r#}&x={y}"), "repos=a/r1,a/r2,a/r3&x={y}");
    assert_eq!(set_query_param("http://h/p?a=1&b=2", "b", "9").as_deref(), Some("http://h/p?a=1&b=9"));
    assert_eq!(set_query_param("http://h/p?a=1", "c", "9"), None);
    assert!(is_jwt("eyJhbGciOiJIUzI1NiJ9.e30.c2ln"));
    assert!(!is_jwt("dckr_pat_abc") && !is_jwt("a.b.c"));
}
