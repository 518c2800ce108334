//! Exports: the years, timespans and periods of a namespace, and the listing of every
//! dataview's parts (signed links to the files behind them, see [`super::downloads`]).
use serde_json::{json, Value};

use super::downloads::{signed_query, Download};
use super::{Builder, JSON_DIR};
use crate::body_files::{export_views, ExportParts, EXPORTS_DIR};
use crate::corpus::Case;
use crate::dvp_api::{priority, timespan_alternatives, ANALYTICS, EXPORT_DL, JSON, NS_404};
use crate::engine::calendar::Granularity;
use crate::wiremock::request::{alternation, regex_escape, Matcher, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub, Variant};
use crate::wiremock::template::Template;

impl Builder<'_> {
    /// Takes the namespace's rendered parts out of `rendered` (their names move into the
    /// download list).
    pub(super) fn exports(&mut self, ns: usize, rendered: &mut ExportParts) {
        let model = self.model;
        let n = &model.world.namespaces[ns];
        let name = n.name.clone();
        let auth = self.member_tokens(ns);
        let member = self.member_token(ns);
        let cal = &model.world.calendar;
        let base = format!("{ANALYTICS}/namespaces/{name}/pulls/exports/years");
        // Period lists and listings are files named after their request path, so one
        // template token names them all (WireMock compiles a templated `bodyFileName` on every
        // request, and its cost grows with the number of tokens).
        let path_file = |path: &str| format!("{JSON_DIR}{path}.json");
        let path_template = Template::new().text(JSON_DIR).expr("request.path").text(".json").build();
        let views = export_views(&model.world, ns);

        // years
        let years = json!({ "years": cal.years().iter().map(|y| json!({ "year": y })).collect::<Vec<_>>() });
        self.stub(Stub::new(
            format!("analytics/exports/{name}/years"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years"),
            priority::SUCCESS,
            Request::get(Url::path(&base)).authorization(auth.clone()),
            Response::json(200, &years),
        ));
        if let Some(t) = &member {
            self.case(Case::get(format!("export years {name}"), base.clone()).bearer(t).expect(
                200,
                JSON,
                years.to_string(),
            ));
        }
        if let (Some(t), Some(p)) = (self.outsider_token(ns), cal.weeks.last()) {
            let listing = format!("{base}/{}/weeks/{}/raw", p.path_year(), p.path_number());
            self.case(
                Case::get(format!("export listing {name} as outsider"), listing).bearer(&t).expect_detail(404, NS_404),
            );
        }

        // years/{year}/{timespantype}
        let mut variants = Vec::new();
        for y in cal.years() {
            for g in [Granularity::Week, Granularity::Month] {
                let (key, item) = (g.api(), g.item());
                let list: Vec<Value> = cal
                    .periods(g)
                    .iter()
                    .filter(|p| p.path_year() == y)
                    .map(|p| json!({ item: p.path_number() }))
                    .collect();
                let path = format!("{base}/{y}/{key}");
                let file = self.add_file(path_file(&path), json!({ key: list }).to_string().into_bytes());
                let request = Request::get(Url::path(path)).authorization(auth.clone());
                variants.push(Variant::new(format!("{y}/{key}"), request, file));
            }
        }
        let year_alt =
            alternation(cal.years().iter().map(|y| y.to_string()).collect::<Vec<_>>().iter().map(String::as_str));
        self.file_set_stub(
            format!("analytics/exports/{name}/timespans"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years/{{year}}/{{timespantype}}"),
            Request::get(Url::path_pattern(format!(
                "^{}/{year_alt}/(?:{})$",
                regex_escape(&base),
                timespan_alternatives()
            )))
            .authorization(auth.clone()),
            path_template.clone(),
            variants,
            member.as_deref(),
            false,
        );

        // years/{year}/{timespantype}/{timespan}
        let mut variants = Vec::new();
        let mut alts = Vec::new();
        for p in cal.all() {
            let (y, tt, num) = (p.path_year(), p.granularity.api(), p.path_number());
            let item = p.granularity.item();
            let path = format!("{base}/{y}/{tt}/{num}");
            let file = self.add_file(path_file(&path), json!({ item: num }).to_string().into_bytes());
            alts.push(format!("{y}/{tt}/{num}"));
            let request = Request::get(Url::path(path)).authorization(auth.clone());
            variants.push(Variant::new(format!("{y}/{tt}/{num}"), request, file));
        }
        let period_alt = alternation(alts.iter().map(String::as_str));
        self.file_set_stub(
            format!("analytics/exports/{name}/timespan"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years/{{year}}/{{timespantype}}/{{timespan}}"),
            Request::get(Url::path_pattern(format!("^{}/{period_alt}$", regex_escape(&base))))
                .authorization(auth.clone()),
            path_template.clone(),
            variants,
            member.as_deref(),
            false,
        );

        // years/{year}/{timespantype}/{timespan}/{dataview}, and the files behind the links.
        let (variants, downloads) = self.listings(ns, &base, &auth, rendered);
        let view_alt = alternation(views.iter().map(|v| v.api()));
        self.file_set_stub(
            format!("analytics/exports/{name}/dataview"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years/{{year}}/{{timespantype}}/{{timespan}}/{{dataview}}"),
            Request::get(Url::path_pattern(format!("^{}/{period_alt}/{view_alt}$", regex_escape(&base))))
                .authorization(auth),
            path_template,
            variants,
            member.as_deref(),
            true,
        );
        self.download_stubs(&name, EXPORT_DL, EXPORTS_DIR, &downloads);
    }

    /// The export listings of namespace `ns` (one file per period and view, its parts' signed
    /// links inside) as file-set variants under `base`, and the parts behind the links.
    fn listings(
        &mut self,
        ns: usize,
        base: &str,
        auth: &Matcher,
        rendered: &mut ExportParts,
    ) -> (Vec<Variant>, Vec<Download>) {
        let name = self.model.world.namespaces[ns].name.clone();
        let path_file = |path: &str| format!("{JSON_DIR}{path}.json");
        let mut variants = Vec::new();
        let mut downloads: Vec<Download> = Vec::new();
        for p in self.model.world.calendar.all() {
            for (view, parts) in rendered.remove(&(ns, *p)).expect("every period was rendered") {
                let mut data = Vec::new();
                for part in parts {
                    let sig = self.signature(&name, &part.file);
                    data.push(
                        Template::new()
                            .text("{\"url\":\"")
                            .base_url()
                            .text(&format!("{EXPORT_DL}/{name}/{}?", part.file))
                            .then(&signed_query(&sig))
                            .text(&format!("\",\"size\":{}}}", part.size)),
                    );
                    downloads.push(Download { file: part.file, size: part.size, fingerprint: part.fingerprint });
                }
                let (y, tt, num) = (p.path_year(), p.granularity.api(), p.path_number());
                let listing = Template::new().text("{\"data\":[").then(&Template::join(&data, ",")).text("]}").build();
                let path = format!("{base}/{y}/{tt}/{num}/{}", view.api());
                let file = self.stream_file(path_file(&path), listing.into_bytes());
                let request = Request::get(Url::path(path)).authorization(auth.clone());
                variants.push(Variant::new(format!("{y}/{tt}/{num}/{}", view.api()), request, file));
            }
        }
        (variants, downloads)
    }

    /// A stub answering a file set, plus one corpus case per variant.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn file_set_stub(
        &mut self,
        key: String,
        name: String,
        request: Request,
        template: String,
        variants: Vec<Variant>,
        token: Option<&str>,
        body_templated: bool,
    ) {
        let with_cases = self.corpus_enabled;
        for v in variants.iter().filter(|_| with_cases) {
            let Url::Path(path) = &v.request.url else { panic!("the variants of a file set name their path") };
            let path = path.clone();
            if let Some(t) = token {
                let body = String::from_utf8(self.file_body(&v.file)).expect("JSON is UTF-8");
                let c = Case::get(format!("{name} [{}]", v.label), path).bearer(t);
                self.case(if body_templated { c.expect_template(200, JSON, body) } else { c.expect(200, JSON, body) });
            }
        }
        let mut response = Response::new(200, JSON, Body::FileSet { template, variants }).templated();
        if body_templated {
            response = response.body_templated();
        }
        self.stub(Stub::new(key, name, priority::SUCCESS, request, response));
    }
}
