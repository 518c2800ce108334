//! Request matchers as data: what a stub asks of a request (its method, one URL matcher, query
//! parameters, body patterns, headers) and the value patterns WireMock compares each part with
//! ([`Matcher`]: `equalTo`, `matches`, `absent`, `or`, `matchesJsonPath` ...). Only the parts
//! and patterns the routes use are modelled.
//!
//! Serialised with serde in WireMock's stub format (`swagger/schemas/request-pattern.yaml`),
//! keys in one fixed order: `method`, the URL matcher, `queryParameters`, `bodyPatterns`,
//! `headers`; a query parameter or header keeps the place where it was first set. The mapping
//! files and the Cloud file are compared byte for byte, so this order is part of the output.
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The HTTP method a stub matches (WireMock matches one method per stub, or any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: the API's reads.
    Get,
    /// `HEAD`: the twins of the GET stubs.
    Head,
    /// `POST`: the logins.
    Post,
    /// `ANY`: the fallbacks and faults, whatever the method.
    Any,
}

impl Method {
    /// The method as WireMock spells it (`GET`, `ANY`).
    pub fn api(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Any => "ANY",
        }
    }
}

/// How a stub matches the request's URL: exactly one of WireMock's URL matchers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Url {
    /// `url`: the path and query, exactly.
    Exact(String),
    /// `urlPath`: the path exactly, whatever the query.
    Path(String),
    /// `urlPathPattern`: the path by regex, whatever the query.
    PathPattern(String),
    /// `urlPattern`: the path and query by regex.
    Pattern(String),
}

impl Url {
    /// `url`: the path and query, exactly.
    pub fn exact(url: impl Into<String>) -> Url {
        Url::Exact(url.into())
    }

    /// `urlPath`: the path exactly.
    pub fn path(path: impl Into<String>) -> Url {
        Url::Path(path.into())
    }

    /// `urlPathPattern`: the path by regex.
    pub fn path_pattern(regex: impl Into<String>) -> Url {
        Url::PathPattern(regex.into())
    }

    /// `urlPattern`: the path and query by regex.
    pub fn pattern(regex: impl Into<String>) -> Url {
        Url::Pattern(regex.into())
    }

    /// The key of the stub format.
    fn key(&self) -> &'static str {
        match self {
            Url::Exact(_) => "url",
            Url::Path(_) => "urlPath",
            Url::PathPattern(_) => "urlPathPattern",
            Url::Pattern(_) => "urlPattern",
        }
    }

    /// The URL, path or regex the matcher compares with.
    pub fn as_str(&self) -> &str {
        match self {
            Url::Exact(s) | Url::Path(s) | Url::PathPattern(s) | Url::Pattern(s) => s,
        }
    }
}

/// A pattern for one value: a query parameter, a header, the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// `equalTo`: exactly this text.
    EqualTo(String),
    /// `matches`: the whole value matches this (Java) regex.
    Matches(String),
    /// `doesNotMatch`: the value is present and does not match this regex.
    DoesNotMatch(String),
    /// `absent`: the request has no such value.
    Absent,
    /// `or`: any of these.
    Or(Vec<Matcher>),
    /// `includes`: a multi-valued parameter has a value each of these matches.
    Includes(Vec<Matcher>),
    /// `not`: anything the inner pattern refuses.
    Not(Box<Matcher>),
    /// `matchesJsonSchema`: the body is JSON valid under this schema (given as JSON text).
    MatchesJsonSchema(String),
    /// `matchesJsonPath`: the body is JSON with a value at `expression`, matching `value` when given.
    MatchesJsonPath {
        /// The JSONPath of the value (`$.username`).
        expression: String,
        /// What the value must match; `None`: any value.
        value: Option<Box<Matcher>>,
    },
    /// `after`: a date-time later than `expected` (`now -6 hours`), read in `actual_format`.
    After {
        /// The moment to compare with, in WireMock's date-time expression syntax.
        expected: String,
        /// How the value is written (`yyyyMMdd'T'HHmmss'Z'`).
        actual_format: String,
    },
    /// `before`: a date-time earlier than `expected`, read in `actual_format`.
    Before {
        /// The moment to compare with, in WireMock's date-time expression syntax.
        expected: String,
        /// How the value is written.
        actual_format: String,
    },
}

impl Matcher {
    /// `equalTo`: the value is exactly `text` (a query value, one principal's fixed token).
    pub fn equal_to(text: impl Into<String>) -> Matcher {
        Matcher::EqualTo(text.into())
    }

    /// `matches`: the whole value matches `regex` (the bearer tokens of a set of users).
    pub fn matches(regex: impl Into<String>) -> Matcher {
        Matcher::Matches(regex.into())
    }

    /// `doesNotMatch`: the value is present and `regex` does not match it (the fault gate).
    pub fn does_not_match(regex: impl Into<String>) -> Matcher {
        Matcher::DoesNotMatch(regex.into())
    }

    /// Any of `matchers`: one as it is, several as an `or` (merged file-set variants, the
    /// fixed tokens of several principals).
    pub fn any_of(mut matchers: Vec<Matcher>) -> Matcher {
        if matchers.len() == 1 {
            matchers.remove(0)
        } else {
            Matcher::Or(matchers)
        }
    }

    /// `not`: whatever `inner` refuses (a login body that breaks the schema).
    pub fn not_matching(inner: Matcher) -> Matcher {
        Matcher::Not(Box::new(inner))
    }

    /// `matchesJsonSchema`, the schema as JSON text.
    pub fn json_schema(schema: impl Into<String>) -> Matcher {
        Matcher::MatchesJsonSchema(schema.into())
    }

    /// `matchesJsonPath`: any value at `expression`.
    pub fn json_path(expression: impl Into<String>) -> Matcher {
        Matcher::MatchesJsonPath { expression: expression.into(), value: None }
    }

    /// `matchesJsonPath`: the value at `expression` matches `value`.
    pub fn json_path_with(expression: impl Into<String>, value: Matcher) -> Matcher {
        Matcher::MatchesJsonPath { expression: expression.into(), value: Some(Box::new(value)) }
    }

    /// `after`: a date-time later than `expected`, written in `actual_format`.
    pub fn after(expected: impl Into<String>, actual_format: impl Into<String>) -> Matcher {
        Matcher::After { expected: expected.into(), actual_format: actual_format.into() }
    }

    /// `before`: a date-time earlier than `expected`, written in `actual_format`.
    pub fn before(expected: impl Into<String>, actual_format: impl Into<String>) -> Matcher {
        Matcher::Before { expected: expected.into(), actual_format: actual_format.into() }
    }

    /// Writes the pattern's keys into `map` (a `matchesJsonPath` object holds its value's keys
    /// beside `expression`).
    fn entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        match self {
            Matcher::EqualTo(s) => map.serialize_entry("equalTo", s),
            Matcher::Matches(s) => map.serialize_entry("matches", s),
            Matcher::DoesNotMatch(s) => map.serialize_entry("doesNotMatch", s),
            Matcher::Absent => map.serialize_entry("absent", &true),
            Matcher::Or(all) => map.serialize_entry("or", all),
            Matcher::Includes(all) => map.serialize_entry("includes", all),
            Matcher::Not(inner) => map.serialize_entry("not", inner),
            Matcher::MatchesJsonSchema(s) => map.serialize_entry("matchesJsonSchema", s),
            Matcher::MatchesJsonPath { expression, value: None } => map.serialize_entry("matchesJsonPath", expression),
            Matcher::MatchesJsonPath { expression, value: Some(value) } => {
                map.serialize_entry("matchesJsonPath", &JsonPathWith { expression, value })
            }
            Matcher::After { expected, actual_format } => {
                map.serialize_entry("after", expected)?;
                map.serialize_entry("actualFormat", actual_format)
            }
            Matcher::Before { expected, actual_format } => {
                map.serialize_entry("before", expected)?;
                map.serialize_entry("actualFormat", actual_format)
            }
        }
    }
}

impl Serialize for Matcher {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.entries(&mut map)?;
        map.end()
    }
}

/// `{"expression": ..., <the value's pattern>}`.
struct JsonPathWith<'a> {
    expression: &'a str,
    value: &'a Matcher,
}

impl Serialize for JsonPathWith<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("expression", self.expression)?;
        self.value.entries(&mut map)?;
        map.end()
    }
}

/// Matchers by name (query parameters, headers), in the order each name was first set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatcherMap(Vec<(String, Matcher)>);

impl MatcherMap {
    /// Sets `name`'s matcher: in its place when it has one, else after the others.
    pub fn set(&mut self, name: &str, matcher: Matcher) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, m)) => *m = matcher,
            None => self.0.push((name.to_string(), matcher)),
        }
    }

    /// `name`'s matcher.
    pub fn get(&self, name: &str) -> Option<&Matcher> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// `name`'s matcher, to change it in place.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Matcher> {
        self.0.iter_mut().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// Removes `name`'s matcher; the others keep their order.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| n != name);
    }

    /// The names and their matchers, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Matcher)> {
        self.0.iter().map(|(n, m)| (n.as_str(), m))
    }

    /// How many names have a matcher.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no name has a matcher (the key is then left out of the stub).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: Into<String>> FromIterator<(S, Matcher)> for MatcherMap {
    fn from_iter<I: IntoIterator<Item = (S, Matcher)>>(iter: I) -> MatcherMap {
        let mut map = MatcherMap::default();
        for (name, m) in iter {
            map.set(&name.into(), m);
        }
        map
    }
}

impl Serialize for MatcherMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, m) in &self.0 {
            map.serialize_entry(name, m)?;
        }
        map.end()
    }
}

/// What a stub asks of a request; built with [`Request::get`] (or `post`, `any`, `new`) and
/// the part methods: `Request::get(Url::path(p)).query("period", m).authorization(bearer)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method it must use.
    pub method: Method,
    /// What its URL must be: a path or the whole URL, exactly or by regex.
    pub url: Url,
    /// `queryParameters`: a matcher per parameter.
    pub query: MatcherMap,
    /// `bodyPatterns`: every one must match the body.
    pub body: Vec<Matcher>,
    /// `headers`: a matcher per header.
    pub headers: MatcherMap,
}

impl Request {
    /// A request of `method` whose URL matches `url`, nothing else asked.
    pub fn new(method: Method, url: Url) -> Request {
        Request { method, url, query: MatcherMap::default(), body: Vec::new(), headers: MatcherMap::default() }
    }

    /// A `GET` of `url`.
    pub fn get(url: Url) -> Request {
        Request::new(Method::Get, url)
    }

    /// A `POST` to `url`.
    pub fn post(url: Url) -> Request {
        Request::new(Method::Post, url)
    }

    /// Any method on `url`.
    pub fn any(url: Url) -> Request {
        Request::new(Method::Any, url)
    }

    /// Query parameter `name` must match `matcher` (replacing its matcher, in place, if it had one).
    pub fn query(mut self, name: &str, matcher: Matcher) -> Request {
        self.query.set(name, matcher);
        self
    }

    /// Every parameter of `params` must match its matcher (see [`Request::query`]).
    pub fn queries(mut self, params: MatcherMap) -> Request {
        for (name, m) in params.0 {
            self.query.set(&name, m);
        }
        self
    }

    /// The body must (also) match `pattern`.
    pub fn body(mut self, pattern: Matcher) -> Request {
        self.body.push(pattern);
        self
    }

    /// The body must match every one of `patterns` (after any already asked).
    pub fn body_patterns(mut self, patterns: impl IntoIterator<Item = Matcher>) -> Request {
        self.body.extend(patterns);
        self
    }

    /// Header `name` must match `matcher` (see [`Request::query`] for the order).
    pub fn header(mut self, name: &str, matcher: Matcher) -> Request {
        self.headers.set(name, matcher);
        self
    }

    /// The `Authorization` header must match `matcher` (the bearer tokens a route accepts).
    pub fn authorization(self, matcher: Matcher) -> Request {
        self.header("Authorization", matcher)
    }

    /// [`Request::authorization`] when there is a matcher (a route that needs a token), else
    /// the request as it is (a public route).
    pub fn authorization_if(self, matcher: Option<&Matcher>) -> Request {
        match matcher {
            Some(m) => self.authorization(m.clone()),
            None => self,
        }
    }
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("method", self.method.api())?;
        map.serialize_entry(self.url.key(), self.url.as_str())?;
        if !self.query.is_empty() {
            map.serialize_entry("queryParameters", &self.query)?;
        }
        if !self.body.is_empty() {
            map.serialize_entry("bodyPatterns", &self.body)?;
        }
        if !self.headers.is_empty() {
            map.serialize_entry("headers", &self.headers)?;
        }
        map.end()
    }
}

/// Escapes regex metacharacters (names are already restricted, but `.` must be literal).
pub fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A regex alternation of literal strings: `(?:a|b\.c)`; for no strings, `(?!)`, which never
/// matches (an empty `(?:)` would match the empty string, e.g. a `//` in a path).
pub fn alternation<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let parts: Vec<String> = items.into_iter().map(regex_escape).collect();
    if parts.is_empty() {
        return "(?!)".to_string();
    }
    format!("(?:{})", parts.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: &impl Serialize) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn keys_come_in_the_stub_format_order_whatever_the_order_of_the_calls() {
        let r = Request::post(Url::path("/login"))
            .authorization(Matcher::matches("^Bearer .+$"))
            .body(Matcher::json_path("$.password"))
            .query("refresh_token", Matcher::equal_to("true"));
        assert_eq!(
            json(&r),
            r#"{"method":"POST","urlPath":"/login","queryParameters":{"refresh_token":{"equalTo":"true"}},"bodyPatterns":[{"matchesJsonPath":"$.password"}],"headers":{"Authorization":{"matches":"^Bearer .+$"}}}"#
        );
        assert_eq!(json(&Request::any(Url::pattern(".*"))), r#"{"method":"ANY","urlPattern":".*"}"#);
        assert_eq!(json(&Request::get(Url::exact("/a?b=c"))), r#"{"method":"GET","url":"/a?b=c"}"#);
    }

    #[test]
    fn a_parameter_set_again_keeps_its_place() {
        let r = Request::get(Url::path_pattern("^/p$"))
            .query("timespan", Matcher::Absent)
            .query("group", Matcher::Absent)
            .query("timespan", Matcher::equal_to("weeks"))
            .header("X-B", Matcher::Absent)
            .header("X-A", Matcher::Absent);
        assert_eq!(
            json(&r),
            r#"{"method":"GET","urlPathPattern":"^/p$","queryParameters":{"timespan":{"equalTo":"weeks"},"group":{"absent":true}},"headers":{"X-B":{"absent":true},"X-A":{"absent":true}}}"#
        );
        let mut r = r;
        r.headers.remove("X-B");
        r.headers.remove("X-A");
        assert!(!json(&r).contains("headers"), "no empty headers object");
    }

    #[test]
    fn patterns_serialise_as_wiremock_spells_them() {
        let or = Matcher::any_of(vec![Matcher::Absent, Matcher::equal_to("w")]);
        assert_eq!(json(&or), r#"{"or":[{"absent":true},{"equalTo":"w"}]}"#);
        assert_eq!(Matcher::any_of(vec![Matcher::Absent]), Matcher::Absent, "one matcher stays itself");
        assert_eq!(
            json(&Matcher::json_path_with("$.code", Matcher::matches("^1$"))),
            r#"{"matchesJsonPath":{"expression":"$.code","matches":"^1$"}}"#
        );
        assert_eq!(json(&Matcher::not_matching(Matcher::json_schema("{}"))), r#"{"not":{"matchesJsonSchema":"{}"}}"#);
        assert_eq!(
            json(&Matcher::Includes(vec![Matcher::does_not_match("^a$")])),
            r#"{"includes":[{"doesNotMatch":"^a$"}]}"#
        );
        assert_eq!(json(&Matcher::after("now -6 hours", "yyyy")), r#"{"after":"now -6 hours","actualFormat":"yyyy"}"#);
        assert_eq!(json(&Matcher::before("now", "yyyy")), r#"{"before":"now","actualFormat":"yyyy"}"#);
    }

    #[test]
    fn alternations_escape_and_an_empty_one_never_matches() {
        assert_eq!(alternation(["a", "b.c"]), "(?:a|b\\.c)");
        assert_eq!(alternation([]), "(?!)");
    }
}
