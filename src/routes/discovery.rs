//! Discovery: `GET /` and `GET /namespaces` per user, `GET /namespaces/{namespace}`.
use serde_json::{json, Value};

use super::{bearer_of, Builder};
use crate::bodies::Dataview;
use crate::corpus::Case;
use crate::dvp_api::{priority, ANALYTICS, JSON, NS_404};
use crate::wiremock::request::{regex_escape, Request, Url};
use crate::wiremock::stub::{Response, Stub};

impl Builder<'_> {
    pub(super) fn namespace_metadata(&self, ns: usize) -> Value {
        let n = &self.model.world.namespaces[ns];
        let mut datasets = vec![json!({
            "name": "pulls",
            "views": Dataview::PULLS.iter().map(|v| v.api()).collect::<Vec<_>>(),
            "timespans": ["months", "weeks"],
        })];
        if n.extension_publisher {
            let views: Vec<&str> = Dataview::extensions(n.premium_extensions).iter().map(|v| v.api()).collect();
            datasets.push(json!({ "name": "extensions", "views": views, "timespans": ["months", "weeks"] }));
        }
        json!({
            "namespace": n.name,
            "publisherType": n.publisher_type,
            "extensionPublisher": n.extension_publisher,
            "extraRepos": null,
            "datasets": datasets,
        })
    }

    pub(super) fn discovery(&mut self) {
        let users = self.model.world.users.clone();
        for u in &users {
            let names: Vec<&str> = u.namespaces.iter().map(|&i| self.model.world.namespaces[i].name.as_str()).collect();
            let root = json!({ "namespaces": names });
            let list = Value::Array(u.namespaces.iter().map(|&i| self.namespace_metadata(i)).collect());
            let auth = bearer_of([u]);
            self.stub(Stub::new(
                format!("analytics/root/{}", u.username),
                format!("analytics: GET / for {}", u.username),
                priority::SUCCESS,
                Request::get(Url::path_pattern(format!("^{}/?$", regex_escape(ANALYTICS)))).authorization(auth.clone()),
                Response::json(200, &root),
            ));
            self.stub(Stub::new(
                format!("analytics/namespaces/{}", u.username),
                format!("analytics: GET /namespaces for {}", u.username),
                priority::SUCCESS,
                Request::get(Url::path(format!("{ANALYTICS}/namespaces"))).authorization(auth),
                Response::json(200, &list),
            ));
            self.case(Case::get(format!("GET / as {}", u.username), format!("{ANALYTICS}/")).bearer(&u.token).expect(
                200,
                JSON,
                root.to_string(),
            ));
            self.case(
                Case::get(format!("GET /namespaces as {}", u.username), format!("{ANALYTICS}/namespaces"))
                    .bearer(&u.token)
                    .expect(200, JSON, list.to_string()),
            );
        }
        for ns in 0..self.model.world.namespaces.len() {
            let name = self.model.world.namespaces[ns].name.clone();
            let meta = self.namespace_metadata(ns);
            self.stub(Stub::new(
                format!("analytics/namespace/{name}"),
                format!("analytics: GET /namespaces/{name}"),
                priority::SUCCESS,
                Request::get(Url::path(format!("{ANALYTICS}/namespaces/{name}"))).authorization(self.member_tokens(ns)),
                Response::json(200, &meta),
            ));
            if let Some(t) = self.member_token(ns) {
                self.case(
                    Case::get(format!("GET /namespaces/{name}"), format!("{ANALYTICS}/namespaces/{name}"))
                        .bearer(&t)
                        .expect(200, JSON, meta.to_string()),
                );
            }
            if let Some(t) = self.outsider_token(ns) {
                self.case(
                    Case::get(format!("GET /namespaces/{name} as outsider"), format!("{ANALYTICS}/namespaces/{name}"))
                        .bearer(&t)
                        .expect_detail(404, NS_404),
                );
            }
        }
    }
}
