//! Not found (404): unknown repositories and paths inside a namespace a caller may see,
//! unknown or invisible namespaces, and unknown paths under a root.
use super::{root_pattern, Builder};
use crate::corpus::Case;
use crate::dvp_api::{priority, Root, JSON, NOT_FOUND, NS_404, PAGE_NOT_FOUND, REPO_404};
use crate::wiremock::request::{regex_escape, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub};

impl Builder<'_> {
    /// Inside namespace `ns`, for its members: an unknown repository, then any other path.
    pub(super) fn namespace_not_found(&mut self, ns: usize) {
        let name = self.model.world.namespaces[ns].name.clone();
        let auth = self.member_tokens(ns);
        for r in Root::ALL {
            let (root, label) = (r.path(), r.label());
            let prefix = format!("{}/namespaces/{}", regex_escape(root), regex_escape(&name));
            let req = Request::get(Url::path_pattern(format!("^{prefix}/repos/[^/]+/pulls$")))
                .authorization_if(r.series_need_token().then_some(&auth));
            self.stub(Stub::new(
                format!("{label}/{name}/unknown-repo"),
                format!("{label}: unknown repository in {name}"),
                priority::UNKNOWN_REPO,
                req,
                Response::detail(404, REPO_404),
            ));
            self.stub(Stub::new(
                format!("{label}/{name}/not-found"),
                format!("{label}: unknown path or period in {name}"),
                priority::MEMBER_NOT_FOUND,
                Request::get(Url::path_pattern(format!("^{prefix}/.+$"))).authorization(auth.clone()),
                Response::detail(404, NOT_FOUND),
            ));
            let mut c = Case::get(
                format!("{label} unknown repo in {name}"),
                format!("{root}/namespaces/{name}/repos/nope/pulls"),
            );
            if r.series_need_token() {
                match self.member_token(ns) {
                    Some(t) => c = c.bearer(&t),
                    None => continue,
                }
            }
            self.case(c.expect_detail(404, REPO_404));
            if let Some(t) = self.member_token(ns) {
                self.case(
                    Case::get(
                        format!("{label} unknown period in {name}"),
                        format!("{root}/namespaces/{name}/pulls/exports/years/1999/weeks"),
                    )
                    .bearer(&t)
                    .expect_detail(404, NOT_FOUND),
                );
            }
        }
    }

    /// Under `root`, with any valid token: a namespace the caller may not see or that does not
    /// exist (the same answer), public series of unmodelled namespaces, then any unknown path.
    pub(super) fn root_not_found(&mut self, r: Root) {
        let any = self.any_token();
        let (root, label) = (r.path(), r.label());
        let ns_pattern = format!("^{}/namespaces/[^/]+(?:/.*)?$", regex_escape(root));
        self.stub(Stub::new(
            format!("{label}/namespace-not-found"),
            format!("{label}: namespace unknown or not visible"),
            priority::NAMESPACE_NOT_FOUND,
            Request::get(Url::path_pattern(ns_pattern)).authorization(any.clone()),
            Response::detail(404, NS_404),
        ));
        if !r.series_need_token() {
            // Public pull series of namespaces or images the mock does not model.
            self.stub(Stub::new(
                format!("{label}/public-pulls-not-found"),
                format!("{label}: pull series of an unmodelled namespace"),
                priority::NAMESPACE_NOT_FOUND,
                Request::get(Url::path_pattern(format!(
                    "^{}/namespaces/[^/]+/(?:repos/[^/]+/)?pulls$",
                    regex_escape(root)
                ))),
                Response::detail(404, REPO_404),
            ));
            self.case(
                Case::get(
                    format!("{label} pulls of an unmodelled image"),
                    format!("{root}/namespaces/nosuchorg/repos/nginx/pulls"),
                )
                .expect_detail(404, REPO_404),
            );
        }
        self.stub(Stub::new(
            format!("{label}/not-found"),
            format!("{label}: unknown path"),
            priority::UNKNOWN_PATH,
            Request::get(Url::path_pattern(root_pattern(root))).authorization(any),
            Response::detail(404, NOT_FOUND),
        ));
        if let Some(t) = self.any_user_token() {
            self.case(
                Case::get(
                    format!("{label} unknown namespace"),
                    format!("{root}/namespaces/nosuchorg/pulls/exports/years"),
                )
                .bearer(&t)
                .expect_detail(404, NS_404),
            );
            self.case(
                Case::get(format!("{label} unknown path"), format!("{root}/no/such/path"))
                    .bearer(&t)
                    .expect_detail(404, NOT_FOUND),
            );
        }
    }

    /// Anything no other stub answers, on any path with any method and headers: the Hub's JSON
    /// 404 (observed for unknown `/v2` routes; INFERRED for every other path), never WireMock's
    /// "Request was not matched" page.
    pub(super) fn host_not_found(&mut self) {
        // INFERRED: another API path (`/api/publisher/analytics/v2`, ...) answers in the
        // publisher API's style.
        self.stub(Stub::new(
            "api/not-found",
            "any other /api path: 404 Not Found",
            priority::API_FALLBACK,
            Request::any(Url::path_pattern("^/api(?:/.*)?$")),
            Response::detail(404, NOT_FOUND),
        ));
        self.case(
            Case::get("another API version", "/api/publisher/analytics/v2/namespaces").expect_detail(404, NOT_FOUND),
        );
        self.stub(Stub::new(
            "host/not-found",
            "any other request: 404 Page Not Found",
            priority::HOST_FALLBACK,
            Request::any(Url::pattern(".*")),
            Response::new(404, JSON, Body::Text(PAGE_NOT_FOUND.into())),
        ));
        for (method, path) in [
            ("GET", "/"),
            ("GET", "/v2/anything"),
            ("GET", "/v2/users/nope"),
            ("POST", "/x"),
            ("OPTIONS", "/v2/repositories/acme/web"),
            ("PATCH", "/apis"),
            ("TRACE", "/x"),
            ("PROPFIND", "/x"),
        ] {
            self.case(Case::get(format!("host fallback {method} {path}"), path).method(method).expect(
                404,
                JSON,
                PAGE_NOT_FOUND,
            ));
        }
    }
}
