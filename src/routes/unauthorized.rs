//! Rejections under a root: a method other than GET with a valid token (405), and requests
//! without a valid token (401): a personal access token, none, or anything else.
use super::{root_pattern, Builder};
use crate::corpus::Case;
use crate::dvp_api::{
    priority, Root, BAD_CREDENTIALS, BEARER_REALM, JSON, METHOD_NOT_ALLOWED, RAW_TOKEN_REJECTED, UNAUTHENTICATED,
};
use crate::wiremock::request::{Matcher, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub};

impl Builder<'_> {
    pub(super) fn method_not_allowed(&mut self, r: Root) {
        let any = self.any_token();
        let (root, label) = (r.path(), r.label());
        self.stub(Stub::new(
            format!("{label}/method-not-allowed"),
            format!("{label}: method not allowed"),
            priority::METHOD_NOT_ALLOWED,
            Request::any(Url::path_pattern(root_pattern(root))).authorization(any),
            Response::detail(405, METHOD_NOT_ALLOWED).header("Allow", "GET, HEAD"),
        ));
        if let Some(t) = self.any_user_token() {
            self.case(
                Case::get(format!("{label} POST"), format!("{root}/namespaces"))
                    .bearer(&t)
                    .method("POST")
                    .expect_detail(405, METHOD_NOT_ALLOWED)
                    .expect_header("Allow", "GET, HEAD"),
            );
        }
    }

    pub(super) fn unauthorized(&mut self, r: Root) {
        let (root, label) = (r.path(), r.label());
        let all = root_pattern(root);
        self.stub(Stub::new(
            format!("{label}/pat-rejected"),
            format!("{label}: personal or organization access token used as bearer"),
            priority::NO_CREDENTIALS,
            Request::any(Url::path_pattern(&all)).authorization(Matcher::matches("^Bearer dckr_(?:pat|oat)_.*$")),
            Response::new(401, JSON, Body::Text(RAW_TOKEN_REJECTED.into())).header("WWW-Authenticate", BEARER_REALM),
        ));
        self.stub(Stub::new(
            format!("{label}/no-credentials"),
            format!("{label}: no credentials"),
            priority::NO_CREDENTIALS,
            Request::any(Url::path_pattern(&all)).authorization(Matcher::Absent),
            Response::detail(401, UNAUTHENTICATED),
        ));
        self.stub(Stub::new(
            format!("{label}/bad-credentials"),
            format!("{label}: invalid token"),
            priority::BAD_CREDENTIALS,
            Request::any(Url::path_pattern(all)),
            Response::detail(401, BAD_CREDENTIALS),
        ));
        self.case(
            Case::get(format!("{label} namespaces without token"), format!("{root}/namespaces"))
                .expect_detail(401, UNAUTHENTICATED)
                .expect_header("WWW-Authenticate", "*"),
        );
        for raw in ["dckr_pat_dvpmockDemoReadOnly000000000", "dckr_oat_dvpmockAcmeAnalytics00000000"] {
            self.case(
                Case::get(format!("{label} with a raw {}", &raw[..8]), format!("{root}/namespaces"))
                    .bearer(raw)
                    .expect(401, JSON, RAW_TOKEN_REJECTED),
            );
        }
        self.case(
            Case::get(format!("{label} with a forged token"), format!("{root}/namespaces"))
                .bearer("a.b.c")
                .expect_detail(401, BAD_CREDENTIALS),
        );
    }
}
