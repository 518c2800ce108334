//! Downloads: signed storage links to export parts and report CSVs (fresh, expired, tampered).
use super::Builder;
use crate::body_files::gzip;
use crate::corpus::Case;
use crate::dvp_api::{priority, CSV, EXPORT_DL, LINK_EXPIRED, REPORT_DL, SIGNATURE_MISMATCH, XML};
use crate::wiremock::request::{regex_escape, Matcher, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub, Variant};
use crate::wiremock::template::Template;

/// The query parameter of a signed link that holds the time it was signed.
const SIGNED_AT: &str = "X-Amz-Date";
/// How [`SIGNED_AT`] is written (a WireMock date format).
const SIGNED_AT_FORMAT: &str = "yyyyMMdd'T'HHmmss'Z'";
/// A link signed after this moment is fresh, one signed before it expired (six hours, as
/// `X-Amz-Expires=21600` says; a WireMock date-time expression).
const ISSUED_BEFORE_EXPIRY: &str = "now -6 hours";

/// The file name segment of a download path (`/<prefix>/<namespace>/<file>`), as a template.
fn file_segment() -> Template {
    Template::new().path_segment(2)
}

/// The `Content-Disposition` of a download of `file` (a template; a file name is its text).
fn attachment(file: &Template) -> String {
    Template::new().text("attachment; filename=\"").then(file).text("\"").build()
}

/// The name of the stub serving the files of namespace `name` under `prefix`.
pub(super) fn download_stub_name(prefix: &str, name: &str) -> String {
    format!("{}: signed download of {name} files", prefix.trim_start_matches('/'))
}

/// A downloadable file behind a signed link.
pub(super) struct Download {
    /// The file name, the last segment of its link.
    pub file: String,
    /// Its size in bytes (listed beside export links, checked by the corpus).
    pub size: u64,
    /// The fingerprint of its bytes, for the corpus case that downloads it.
    pub fingerprint: u64,
}

/// A signed-storage query string; `{{now}}` makes links expire six hours after issue.
pub(super) fn signed_query(signature: &str) -> Template {
    Template::new()
        .text("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIADVPMOCKEXAMPLE%2F")
        .expr("now format='yyyyMMdd' timezone='UTC'")
        .text("%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=")
        .expr("now format=\"yyyyMMdd'T'HHmmss'Z'\" timezone='UTC'")
        .text(&format!("&X-Amz-Expires=21600&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"))
}

/// Regex of a signed query string with this signature (dates free, order fixed).
fn signed_query_regex(signature: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIADVPMOCKEXAMPLE%2F[0-9]{{8}}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=[0-9]{{8}}T[0-9]{{6}}Z&X-Amz-Expires=21600&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )
}

/// A concrete, fresh signed query for corpus requests (a date far in the future never expires).
fn fresh_query(signature: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIADVPMOCKEXAMPLE%2F20991231%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20991231T000000Z&X-Amz-Expires=21600&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )
}

fn expired_query(signature: &str) -> String {
    fresh_query(signature).replace("20991231", "20200101")
}

pub(super) fn s3_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
}

impl Builder<'_> {
    /// Every file of `files` with its own signature, checked by a lookahead so the query regex
    /// is written once; the parts of one export share their stem. About 80 bytes per file,
    /// written straight into one string (for large histories this is the biggest stub).
    pub(super) fn files_alternation(&self, name: &str, files: &[Download], out: &mut String) {
        fn split(f: &str) -> (&str, &str) {
            match f.rfind("_part") {
                Some(i) => f.split_at(i + "_part".len()),
                None => ("", f),
            }
        }
        // Whole files first, then parts grouped by stem in stem order; files keep their order.
        let mut order: Vec<usize> = (0..files.len()).collect();
        order.sort_by_key(|&i| split(&files[i].file).0);
        out.reserve(files.len() * 90);
        let entry = |out: &mut String, file: &str, rest: &str| {
            out.push_str(&regex_escape(rest));
            out.push_str("(?=.*=");
            out.push_str(&self.signature(name, file));
            out.push_str("$)");
        };
        let mut k = 0;
        while k < order.len() {
            let (stem, _) = split(&files[order[k]].file);
            let end = k + order[k..].iter().take_while(|&&i| split(&files[i].file).0 == stem).count();
            let group = &order[k..end];
            if stem.is_empty() {
                for (n, &i) in group.iter().enumerate() {
                    if k + n > 0 {
                        out.push('|');
                    }
                    entry(out, &files[i].file, &files[i].file);
                }
            } else {
                if k > 0 {
                    out.push('|');
                }
                out.push_str(&regex_escape(stem));
                if group.len() > 1 {
                    out.push_str("(?:");
                }
                for (n, &i) in group.iter().enumerate() {
                    if n > 0 {
                        out.push('|');
                    }
                    entry(out, &files[i].file, split(&files[i].file).1);
                }
                if group.len() > 1 {
                    out.push(')');
                }
            }
            k = end;
        }
    }

    /// Signed download stubs for one namespace's files under `prefix`: valid and fresh → the
    /// file; valid but older than six hours → 403 expired; anything else → 403 (generic stub).
    pub(super) fn download_stubs(&mut self, name: &str, prefix: &str, dir: &str, files: &[Download]) {
        if files.is_empty() {
            return;
        }
        let kind = prefix.trim_start_matches('/');
        // One namespace's exports are all gzipped or all plain.
        let content_type = if files[0].file.ends_with(gzip::SUFFIX) { gzip::CONTENT_TYPE } else { CSV };
        // Each file with its own signature, checked by a lookahead so the query regex is written
        // once; parts share their stem. About 80 bytes per file.
        // A signed link to a file matching `files` (a regex), any signature and date.
        let head = format!("^{}/{}/", regex_escape(prefix), regex_escape(name));
        let tail = format!("\\?{}$", signed_query_regex("[0-9a-f]{64}"));
        let link = |files: &str| format!("{head}{files}{tail}");
        // Written in place: for large histories this is the biggest string the build makes.
        let mut pattern = format!("{head}(?:");
        self.files_alternation(name, files, &mut pattern);
        pattern.push(')');
        pattern.push_str(&tail);
        let fresh = Matcher::after(ISSUED_BEFORE_EXPIRY, SIGNED_AT_FORMAT);
        let variants = files
            .iter()
            .filter(|_| self.download_variants)
            .map(|Download { file: f, .. }| (f, self.signature(name, f)))
            .map(|(f, sig)| {
                let request = Request::get(Url::pattern(format!(
                    "^{}/{}/{}\\?{}$",
                    regex_escape(prefix),
                    regex_escape(name),
                    regex_escape(f),
                    signed_query_regex(&sig)
                )))
                .query(SIGNED_AT, fresh.clone());
                Variant::new(f.clone(), request, format!("{dir}/{name}/{f}"))
                    .header("Content-Disposition", &attachment(&Template::new().text(f)))
            })
            .collect::<Vec<_>>();
        let with_cases = self.corpus_enabled;
        for Download { file: f, size, fingerprint } in files.iter().filter(|_| with_cases) {
            let sig = self.signature(name, f);
            self.case(
                Case::get(format!("download {kind} {name}/{f}"), format!("{prefix}/{name}/{f}?{}", fresh_query(&sig)))
                    .expect_fingerprint(200, content_type, *size, *fingerprint)
                    .expect_header("Content-Disposition", &attachment(&Template::new().text(f))),
            );
        }
        let response = Response::new(
            200,
            content_type,
            Body::FileSet {
                template: Template::new().text(&format!("{dir}/{name}/")).then(&file_segment()).build(),
                variants,
            },
        )
        .header("Content-Disposition", &attachment(&file_segment()))
        .templated()
        .raw_body_file();
        self.stub(Stub::new(
            format!("{kind}/{name}/download"),
            download_stub_name(prefix, name),
            priority::SPECIFIC,
            Request::get(Url::pattern(pattern)).query(SIGNED_AT, fresh),
            response,
        ));
        // INFERRED: expiry is judged before the signature, so any well-formed link older than
        // six hours is "expired" (one small stub, whatever the number of files).
        let expired = s3_error(LINK_EXPIRED.0, LINK_EXPIRED.1);
        let any_file = link("[^/?]+");
        let stale = Matcher::before(ISSUED_BEFORE_EXPIRY, SIGNED_AT_FORMAT);
        self.stub(Stub::new(
            format!("{kind}/{name}/expired"),
            format!("{kind}: expired link to a {name} file"),
            priority::EXPIRED,
            Request::get(Url::pattern(any_file)).query(SIGNED_AT, stale),
            Response::new(403, XML, Body::Text(expired.clone())),
        ));
        let f = &files[0].file;
        let sig = &self.signature(name, f);
        self.case(
            Case::get(format!("expired {kind} link {name}/{f}"), format!("{prefix}/{name}/{f}?{}", expired_query(sig)))
                .expect(403, XML, expired),
        );
        let tampered = s3_error(SIGNATURE_MISMATCH.0, SIGNATURE_MISMATCH.1);
        self.case(
            Case::get(
                format!("tampered {kind} link {name}/{f}"),
                format!("{prefix}/{name}/{f}?{}", fresh_query(&"0".repeat(64))),
            )
            .expect(403, XML, tampered),
        );
    }

    /// Storage: any other request under the download prefixes is a bad signature.
    pub(super) fn unsigned_downloads(&mut self) {
        for prefix in [EXPORT_DL, REPORT_DL] {
            let kind = prefix.trim_start_matches('/');
            let body = s3_error(SIGNATURE_MISMATCH.0, SIGNATURE_MISMATCH.1);
            self.stub(Stub::new(
                format!("{kind}/signature-mismatch"),
                format!("{kind}: missing or tampered signature"),
                priority::BAD_SIGNATURE,
                Request::any(Url::path_pattern(format!("^{}(?:/.*)?$", regex_escape(prefix)))),
                Response::new(403, XML, Body::Text(body.clone())),
            ));
            self.case(Case::get(format!("{kind} unsigned"), format!("{prefix}/x/y.csv")).expect(403, XML, body));
        }
    }
}
