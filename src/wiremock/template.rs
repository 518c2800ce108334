//! Handlebars templates for WireMock's `response-template` transformer, built from typed parts
//! instead of `format!` strings of `{{{{` escapes: the braces of an expression are written in
//! one place ([`Template::expr`] and the block methods), literal text goes in as it is.
//!
//! Two mistakes a hand-written template makes silently are refused here: a literal `{` right
//! before an expression reads as a triple-stash `{{{`, and a literal `}` right after one as
//! `}}}`; both panic while the generator builds its stubs (a template with a space or a `~`
//! between them is what WireMock parses as meant). A `{{` inside literal text is escaped for
//! Handlebars (`\{{`), so text never turns into an expression.
use std::fmt;

/// A Handlebars template under construction; [`Template::build`] (or `Display`) gives its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template(String);

impl Template {
    /// An empty template.
    pub fn new() -> Template {
        Template::default()
    }

    /// Literal text, sent as it is.
    pub fn text(mut self, text: &str) -> Template {
        if text.starts_with('}') {
            assert!(!self.0.ends_with("}}"), "a literal '}}' after an expression reads as '}}}}}}': {text:?}");
        }
        self.0.push_str(&text.replace("{{", "\\{{"));
        self
    }

    /// `{{expression}}`: a value (`request.path`), a helper call (`now format='unix'`), a
    /// block's opening (`#if x`) or closing (`/if`), with Handlebars' `~` trims if wanted.
    pub fn expr(mut self, expression: &str) -> Template {
        assert!(!self.0.ends_with('{'), "a literal '{{' before an expression reads as '{{{{{{': {:?}", self.0);
        self.0.push_str("{{");
        self.0.push_str(expression);
        self.0.push_str("}}");
        self
    }

    /// Another template's text, appended.
    pub fn then(self, other: &Template) -> Template {
        if other.0.is_empty() {
            return self;
        }
        if other.0.starts_with("{{") {
            assert!(!self.0.ends_with('{'), "a literal '{{' before an expression reads as '{{{{{{'");
        }
        if other.0.starts_with('}') {
            assert!(!self.0.ends_with("}}"), "a literal '}}' after an expression reads as '}}}}}}'");
        }
        let mut out = self;
        out.0.push_str(&other.0);
        out
    }

    /// `{{#helper args}}body{{/helper}}`: `open` is the helper and its arguments
    /// (`if request.query.group`, `assign 'gk'`, `each keys as |k|`).
    pub fn block(self, open: &str, body: &Template) -> Template {
        let helper = open.split_whitespace().next().expect("a block names its helper");
        self.expr(&format!("#{open}")).then(body).expr(&format!("/{helper}"))
    }

    /// `{{#if condition}}then{{else}}otherwise{{/if}}`.
    pub fn if_else(self, condition: &str, then: &Template, otherwise: &Template) -> Template {
        self.expr(&format!("#if {condition}")).then(then).expr("else").then(otherwise).expr("/if")
    }

    /// The value of query parameter `name`, or `default` when the request has none.
    pub fn query_or(self, name: &str, default: &str) -> Template {
        let value = format!("request.query.{name}");
        self.if_else(&value, &Template::new().expr(&value), &Template::new().text(default))
    }

    /// The request's path segment at `index` (0 is the first after the host).
    pub fn path_segment(self, index: usize) -> Template {
        self.expr(&format!("request.pathSegments.[{index}]"))
    }

    /// The server's base URL as the request reached it (`http://localhost:8080`).
    pub fn base_url(self) -> Template {
        self.expr("request.baseUrl")
    }

    /// The templates of `items` with `separator` between them.
    pub fn join<'a>(items: impl IntoIterator<Item = &'a Template>, separator: &str) -> Template {
        let mut out = Template::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out = out.text(separator);
            }
            out = out.then(item);
        }
        out
    }

    /// The template's text.
    pub fn build(self) -> String {
        self.0
    }

    /// The template's text, borrowed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Template> for String {
    fn from(t: Template) -> String {
        t.0
    }
}

/// Whether `text` holds a Handlebars expression (a header or file name the transformer must
/// render); literal text never does, as [`Template::text`] escapes `{{`.
pub fn has_expression(text: &str) -> bool {
    text.contains("{{")
}

/// A template that picks by value: `{{#if (eq VAR 'a')}}A{{/if}}{{#if (eq VAR 'b')}}B
/// {{/if}}...`, one flat block per branch (no branch matching gives nothing). WireMock compiles
/// the template of an inline body, a body file or a header once and keeps it, where a
/// templated `bodyFileName` is compiled again on every request. Flat, not an `else if` chain:
/// WireMock sizes its output buffer with the template's source text, which Handlebars
/// rebuilds on every request, and a chain nests every branch in the one before, so its text
/// costs about its size times its length. Values must not contain `'`.
pub fn pick_by(var: &str, branches: &[(String, Template)]) -> Template {
    let mut out = Template::new();
    for (value, body) in branches {
        assert!(!value.contains('\''), "{value}");
        out = out.block(&format!("if (eq {var} '{value}')"), body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_get_their_braces_once_and_text_stays_as_it_is() {
        let t = Template::new().text("dvp-mock/json").expr("request.path").text(".json");
        assert_eq!(t.build(), "dvp-mock/json{{request.path}}.json");
        let t = Template::new().text("{\"url\":\"").base_url().text("/x\",\"n\":{\"a\":1}}");
        assert_eq!(t.to_string(), "{\"url\":\"{{request.baseUrl}}/x\",\"n\":{\"a\":1}}");
    }

    #[test]
    fn blocks_close_with_their_helper() {
        let t = Template::new().block("assign 'gk'", &Template::new().expr("group").text(":").expr("k"));
        assert_eq!(t.build(), "{{#assign 'gk'}}{{group}}:{{k}}{{/assign}}");
        let t = Template::new().text("d/").query_or("period", "last-6-months").text(".json");
        assert_eq!(
            t.build(),
            "d/{{#if request.query.period}}{{request.query.period}}{{else}}last-6-months{{/if}}.json"
        );
        assert_eq!(Template::new().path_segment(3).build(), "{{request.pathSegments.[3]}}");
    }

    #[test]
    fn pick_by_writes_one_flat_block_per_branch() {
        let branches =
            [("a".to_string(), Template::new().text("{\"x\":1}")), ("b".to_string(), Template::new().expr("b"))];
        assert_eq!(pick_by("v", &branches).build(), "{{#if (eq v 'a')}}{\"x\":1}{{/if}}{{#if (eq v 'b')}}{{b}}{{/if}}");
        assert_eq!(pick_by("v", &[]).build(), "");
    }

    #[test]
    fn join_separates_and_literal_braces_are_escaped() {
        let items = [Template::new().expr("a"), Template::new().text("b")];
        assert_eq!(Template::join(&items, ",").build(), "{{a}},b");
        assert_eq!(Template::new().text("x{{y}}").build(), "x\\{{y}}");
    }

    #[test]
    #[should_panic(expected = "reads as '{{{'")]
    fn a_brace_before_an_expression_is_refused() {
        let _ = Template::new().text("{\"repos\":{").expr("k");
    }

    #[test]
    #[should_panic(expected = "reads as '}}}'")]
    fn a_brace_after_an_expression_is_refused() {
        let _ = Template::new().expr("k").text("}");
    }

    #[test]
    fn a_trimmed_space_between_braces_is_accepted() {
        let t = Template::new().text("{ ").expr("~k~").text(" }");
        assert_eq!(t.build(), "{ {{~k~}} }");
    }
}
