//! Guards: invalid query parameters and export path segments (400), on both roots.
use super::Builder;
use crate::bodies::Dataview;
use crate::corpus::Case;
use crate::dvp_api::{
    invalid_dataview, invalid_query, one_of, priority, query_values, timespan_alternatives, timespans_listed, Root,
    MAX_REPOS, VALIDATED_QUERY,
};
use crate::wiremock::request::{regex_escape, Matcher, Request, Url};
use crate::wiremock::stub::{Response, Stub};

/// What every guard of one root shares: the root, the tokens its series need (`None`:
/// public) and a token for the corpus cases.
struct Guard {
    root: Root,
    auth: Option<Matcher>,
    token: Option<String>,
}

impl Guard {
    /// `req` with the root's `Authorization` matcher, where its series need one.
    fn with_auth(&self, req: Request) -> Request {
        req.authorization_if(self.auth.as_ref())
    }

    /// A corpus case expecting a 400-style `{"detail": ...}` (none without a token where one is needed).
    fn case(&self, b: &mut Builder<'_>, name: String, path: String, status: u16, detail: &str) {
        let mut c = Case::get(name, path);
        if self.root.series_need_token() {
            match &self.token {
                Some(t) => c = c.bearer(t),
                None => return,
            }
        }
        b.case(c.expect_detail(status, detail));
    }
}

impl Builder<'_> {
    pub(super) fn guards(&mut self) {
        let any = self.any_token();
        let token = self.any_user_token();
        for root in Root::ALL {
            let g = Guard { root, auth: root.series_need_token().then(|| any.clone()), token: token.clone() };
            self.query_guards(&g);
            self.repos_guards(&g);
            if root == Root::Analytics {
                self.export_path_guards(&g);
            }
        }
    }

    /// Invalid values of the validated query parameters of the pull series (400).
    fn query_guards(&mut self, g: &Guard) {
        let (root, label) = (g.root.path(), g.root.label());
        let pulls_paths = format!("^{}/(?:namespaces/[^/]+(?:/repos/[^/]+)?/pulls|repos/pulls)$", regex_escape(root));
        for param in VALIDATED_QUERY {
            let valid = query_values(param).join("|");
            let detail = &invalid_query(param);
            // A fallback: every series success accepts only the valid values
            // ([`super::pulls::valid_query`]), so an invalid one misses them all.
            self.stub(Stub::new(
                format!("{label}/guard/{param}"),
                format!("{label}: invalid {param}"),
                priority::VALIDATION,
                g.with_auth(
                    Request::get(Url::path_pattern(&pulls_paths))
                        .query(param, Matcher::matches(format!("^(?!(?:{valid})$).*$"))),
                ),
                Response::detail(400, detail),
            ));
            g.case(
                self,
                format!("{label} invalid {param}"),
                format!("{root}/repos/pulls?repos=a/b&{param}=bogus"),
                400,
                detail,
            );
            g.case(
                self,
                format!("{label} empty {param}"),
                format!("{root}/namespaces/acme/pulls?{param}="),
                400,
                detail,
            );
        }
    }

    /// `/repos/pulls`: names, count and presence of `repos` (400).
    fn repos_guards(&mut self, g: &Guard) {
        let (root, label) = (g.root.path(), g.root.label());
        // /repos/pulls: names, count and presence of `repos`.
        let repos_path = format!("{root}/repos/pulls");
        let bad_name = "Invalid value for 'repos': expected namespace/repository names";
        self.stub(Stub::new(
            format!("{label}/guard/repos-names"),
            format!("{label}: /repos/pulls with an invalid name"),
            priority::GUARD,
            g.with_auth(
                Request::get(Url::path(&repos_path))
                    .query("repos", Matcher::Includes(vec![Matcher::does_not_match("^[a-z0-9._/,-]+$")])),
            ),
            Response::detail(400, bad_name),
        ));
        g.case(self, format!("{label} repos with a quote"), format!("{repos_path}?repos=%22x"), 400, bad_name);
        let too_many = format!("A maximum of {MAX_REPOS} repositories can be requested at once");
        let rp = regex_escape(&repos_path);
        self.stub(Stub::new(
            format!("{label}/guard/repos-max"),
            format!("{label}: /repos/pulls with more than {MAX_REPOS} repositories"),
            priority::GUARD,
            g.with_auth(Request::get(Url::pattern(format!(
                "{rp}\\?(?:[^&]*+&)*?repos=(?:[^&]*+&repos=){{{MAX_REPOS}}}+.*|{rp}\\?(?:[^&]*+&)*?repos=(?:[^,&]*+,){{{MAX_REPOS},}}+.*"
            )))),
            Response::detail(400, &too_many),
        ));
        let many: Vec<String> = (0..=MAX_REPOS).map(|i| format!("acme/r{i}")).collect();
        g.case(
            self,
            format!("{label} 51 repeated repos"),
            format!("{repos_path}?repos={}", many.join("&repos=")),
            400,
            &too_many,
        );
        g.case(
            self,
            format!("{label} 51 comma repos"),
            format!("{repos_path}?timespan=weeks&repos={}", many.join(",")),
            400,
            &too_many,
        );
        let missing = "The 'repos' query parameter is required";
        self.stub(Stub::new(
            format!("{label}/guard/repos-missing"),
            format!("{label}: /repos/pulls without repos"),
            priority::REPOS_MISSING,
            g.with_auth(Request::get(Url::path(&repos_path))),
            Response::detail(400, missing),
        ));
        g.case(self, format!("{label} repos missing"), repos_path.clone(), 400, missing);
    }

    /// Invalid export path segments: year, timespan type, week, month, dataview (400).
    fn export_path_guards(&mut self, g: &Guard) {
        let root = g.root.path();
        let pfx = format!("^{}/namespaces/[^/]+/pulls/exports/years/", regex_escape(root));
        let views = Dataview::ALL.map(Dataview::api).join("|");
        let timespans = timespan_alternatives();
        let invalid_timespantype = format!("Invalid timespantype: {}", one_of(timespans_listed()));
        let invalid_dataview = invalid_dataview();
        for (what, pattern, detail, example) in [
            (
                "year",
                format!("{pfx}(?![0-9]++(?:/|$))[^/]*+(?:/.*)?$"),
                "Invalid year: expected an integer",
                "abc/weeks",
            ),
            (
                "timespantype",
                format!("{pfx}[0-9]++/(?!(?:{timespans})(?:/|$))[^/]*+(?:/.*)?$"),
                &invalid_timespantype,
                "2025/days",
            ),
            (
                "week",
                format!("{pfx}[0-9]++/weeks/(?!(?:[1-9]|[1-4][0-9]|5[0-3])(?:/|$))[^/]*+(?:/.*)?$"),
                "Invalid timespan: expected a week number from 1 to 53",
                "2025/weeks/54",
            ),
            (
                "month",
                format!("{pfx}[0-9]++/months/(?!(?:[1-9]|1[0-2])(?:/|$))[^/]*+(?:/.*)?$"),
                "Invalid timespan: expected a month number from 1 to 12",
                "2025/months/13",
            ),
            (
                "dataview",
                format!("{pfx}[0-9]++/(?:{timespans})/[0-9]++/(?!(?:{views})(?:/|$))[^/]*+(?:/.*)?$"),
                &invalid_dataview,
                "2025/weeks/40/everything",
            ),
        ] {
            self.stub(Stub::new(
                format!("analytics/guard/{what}"),
                format!("analytics: invalid {what} in an export path"),
                priority::VALIDATION,
                g.with_auth(Request::get(Url::path_pattern(pattern))),
                Response::detail(400, detail),
            ));
            g.case(
                self,
                format!("analytics invalid {what}"),
                format!("{root}/namespaces/acme/pulls/exports/years/{example}"),
                400,
                detail,
            );
        }
    }
}
