//! Public namespaces (`[[public_namespaces]]`, default `library`): their pull series on the
//! no-token proxylytics pull routes and in the public `/repos/pulls`, and nowhere else. Every
//! other path of theirs answers what an unknown namespace gets.
use super::Builder;
use crate::bodies::{self, Group};
use crate::corpus::Case;
use crate::dvp_api::{Root, ANALYTICS, NS_404, PROXY};
use crate::engine::calendar::Granularity;

impl Builder<'_> {
    /// The pull-series stubs of public namespace `i` (proxylytics only, no token), and corpus
    /// cases showing it is absent from the analytics root and from the reports.
    pub(super) fn public_pulls(&mut self, i: usize) {
        let world = &self.model.world;
        let public = &world.public[i];
        let repos: Vec<&str> = public.repos.iter().map(String::as_str).collect();
        let roots = [(Root::Proxylytics, None, None)];
        self.series_routes(&public.name, &repos, &roots, |repo, t, m, g| {
            bodies::public_series::pull_data(public, &world.calendar, repo, t, m, g)
        });
        let Some(token) = self.any_user_token() else { return };
        let name = &public.name;
        for path in [
            format!("{ANALYTICS}/namespaces/{name}"),
            format!("{ANALYTICS}/namespaces/{name}/repos/{}/pulls", repos[0]),
            format!("{PROXY}/namespaces/{name}/reports"),
        ] {
            self.case(Case::get(format!("public {path}"), path.clone()).bearer(&token).expect_detail(404, NS_404));
        }
    }

    /// `namespace/repository` of every public repository.
    pub(super) fn public_keys(&self) -> Vec<String> {
        self.model.world.public.iter().flat_map(|p| p.repos.iter().map(move |r| format!("{}/{r}", p.name))).collect()
    }

    /// `(namespace/repository, series body)` of every public repository, for `/repos/pulls`.
    pub(super) fn public_entries(&self, t: Granularity, m: u32, g: Group) -> Vec<(String, String)> {
        let world = &self.model.world;
        world
            .public
            .iter()
            .flat_map(|p| {
                p.repos.iter().enumerate().map(move |(r, repo)| {
                    (
                        format!("{}/{repo}", p.name),
                        bodies::public_series::pull_data(p, &world.calendar, Some(r as u16), t, m, g).to_string(),
                    )
                })
            })
            .collect()
    }
}
