//! Reports (proxylytics): the catalogue of a namespace and the redirect of each report URL to
//! its signed download.
use super::downloads::{signed_query, Download};
use super::{Builder, JSON_DIR};
use crate::bodies::reports::{self, ReportType};
use crate::body_files::{ReportFiles, REPORTS_DIR};
use crate::corpus::Case;
use crate::dvp_api::{priority, segment_after, JSON, NS_404, PROXY, REPORT_DL, TEXT, UNAUTHENTICATED};
use crate::wiremock::request::{alternation, regex_escape, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub};
use crate::wiremock::template::{pick_by, Template};

impl Builder<'_> {
    pub(super) fn reports(&mut self, ns: usize, files: &ReportFiles) {
        let model = self.model;
        let name = model.world.namespaces[ns].name.clone();
        let auth = self.member_tokens(ns);
        let member = self.member_token(ns);
        let mut entries = Vec::new();
        let mut downloads = Vec::new();
        let mut locations: Vec<(String, Template)> = Vec::new();
        for p in reports::retained(&model.world) {
            for t in ReportType::catalogue(&model.world.config) {
                let file = reports::file_name(&name, t, &p);
                let (size, fp) = files[&(ns, p, t)];
                entries.push(
                    Template::new()
                        .text(&format!("{{\"type\":\"{}\",\"url\":\"", t.api()))
                        .base_url()
                        .text(&format!("{PROXY}/namespaces/{name}/reports/{file}\"}}")),
                );
                let sig = self.signature(&name, &file);
                locations.push((
                    file.clone(),
                    Template::new().base_url().text(&format!("{REPORT_DL}/{name}/{file}?")).then(&signed_query(&sig)),
                ));
                if let Some(tk) = &member {
                    self.case(
                        Case::get(
                            format!("report redirect {file}"),
                            format!("{PROXY}/namespaces/{name}/reports/{file}"),
                        )
                        .bearer(tk)
                        .expect_status(302)
                        .expect_header("Location", "*"),
                    );
                }
                downloads.push(Download { file, size, fingerprint: fp });
            }
        }
        // One stub for every report link of the namespace: the file segment picks its
        // signed location.
        let files: Vec<&str> = locations.iter().map(|(f, _)| f.as_str()).collect();
        let segment = segment_after(PROXY, 3);
        let pattern =
            format!("^{}/{}$", regex_escape(&format!("{PROXY}/namespaces/{name}/reports")), alternation(files));
        self.stub(Stub::new(
            format!("proxylytics/report/{name}"),
            format!("proxylytics: report links of {name}"),
            priority::SERIES,
            Request::get(Url::path_pattern(pattern)).authorization(auth.clone()),
            Response::new(302, TEXT, Body::Empty)
                .header("Location", pick_by(&format!("request.pathSegments.[{segment}]"), &locations).as_str())
                .templated(),
        ));
        let catalogue = Template::new().text("{\"reports\":[").then(&Template::join(&entries, ",")).text("]}").build();
        let file = self.add_file(format!("{JSON_DIR}/{name}/reports.json"), catalogue.clone().into_bytes());
        let path = format!("{PROXY}/namespaces/{name}/reports");
        self.stub(Stub::new(
            format!("proxylytics/reports/{name}"),
            format!("proxylytics: GET /namespaces/{name}/reports"),
            priority::SUCCESS,
            Request::get(Url::path(&path)).authorization(auth),
            Response::new(200, JSON, Body::File(file)).templated().body_templated(),
        ));
        if let Some(tk) = &member {
            self.case(
                Case::get(format!("reports catalogue {name}"), path.clone())
                    .bearer(tk)
                    .expect_template(200, JSON, catalogue),
            );
        }
        // A caller who may not see the namespace gets the same 404 as for one that does not exist,
        // on the catalogue and on every report URL.
        if let (Some(tk), Some(first)) = (self.outsider_token(ns), downloads.first()) {
            self.case(
                Case::get(format!("reports catalogue {name} as outsider"), path.clone())
                    .bearer(&tk)
                    .expect_detail(404, NS_404),
            );
            self.case(
                Case::get(format!("report {} as outsider", first.file), format!("{path}/{}", first.file))
                    .bearer(&tk)
                    .expect_detail(404, NS_404),
            );
        }
        self.case(
            Case::get(format!("reports catalogue {name} without token"), path).expect_detail(401, UNAUTHENTICATED),
        );
        self.download_stubs(&name, REPORT_DL, REPORTS_DIR, &downloads);
    }
}
