//! The mock's fingerprint: how it was made, served under a path the DVP API does not use, so
//! `verify` can tell a mock of another configuration from a broken one before replaying.
//! JSON like every answer of the host; behind the fault gate like every success (during a
//! whole-run fault it is not served, and `verify` replays with a warning). It holds no tool
//! version: a release that changes no output byte changes no fingerprint (see
//! `config::canonical`).
use serde_json::json;

use super::Builder;
use crate::config::canonical;
use crate::corpus::Case;
use crate::dvp_api::{priority, FINGERPRINT, JSON};
use crate::wiremock::request::{Request, Url};
use crate::wiremock::stub::{Response, Stub};

impl Builder<'_> {
    /// `GET /__dvp-mock/fingerprint`: `{"generator", "seed", "as_of", "config"}`.
    pub(super) fn fingerprint(&mut self) {
        let f = canonical::fingerprint(&self.model.world.config);
        let body = json!({ "generator": "dvp-mock", "seed": f.seed, "as_of": f.as_of, "config": f.config });
        self.stub(Stub::new(
            "dvp-mock/fingerprint",
            "dvp-mock: how this mock was made",
            priority::SUCCESS,
            Request::get(Url::path(FINGERPRINT)),
            Response::json(200, &body),
        ));
        self.case(Case::get("the mock's fingerprint", FINGERPRINT).expect(200, JSON, body.to_string()));
    }
}
