//! Every CSV header the mock emits, in one table.
//!
//! Legacy export headers (`raw`, `summary`, `repo-summary`, `namespace-summary`,
//! `geo-repo-summary`, `ext-summary`) are INFERRED: Docker documents the data points but never
//! published the header spellings. We use the documented data-point names in lower snake case,
//! in the documented order. The DVP Core report headers are the exact, documented names and
//! order (the trend header is confirmed by a real parser).

/// `raw`: one row per pull event (16 data points, documentation order).
pub const RAW: &[&str] = &[
    "action",
    "action_day",
    "country",
    "digest",
    "http_method",
    "host",
    "namespace",
    "reference",
    "repository",
    "tag",
    "timestamp",
    "type",
    "user_agent_tool",
    "user_agent_version",
    "domain",
    "owner",
];

/// `summary`: one row per (repository, tag used, digest).
pub(crate) const SUMMARY: &[&str] = &[
    "namespace",
    "repository",
    "tag",
    "digest",
    "unique_ip_count",
    "pull_by_tag_count",
    "pull_by_digest_count",
    "version_check_count",
    "owner",
];

/// `repo-summary`: one row per repository.
pub(crate) const REPO_SUMMARY: &[&str] = &[
    "namespace",
    "repository",
    "unique_ip_count",
    "pull_by_tag_count",
    "pull_by_digest_count",
    "version_check_count",
    "owner",
];

/// `namespace-summary`: one row for the namespace.
pub(crate) const NAMESPACE_SUMMARY: &[&str] =
    &["namespace", "unique_ip_count", "pull_by_tag_count", "pull_by_digest_count", "version_check_count", "owner"];

/// `geo-repo-summary`: one row per (repository, country).
pub(crate) const GEO_REPO_SUMMARY: &[&str] = &[
    "namespace",
    "repository",
    "country",
    "unique_ip_count",
    "pull_by_tag_count",
    "pull_by_digest_count",
    "version_check_count",
    "owner",
];

/// `ext-summary` (extensions dataset): one row per extension repository.
pub(crate) const EXT_SUMMARY: &[&str] =
    &["namespace", "extension", "installs", "total_installs", "uninstalls", "total_uninstalls", "updates"];

/// DVP Core summary report (docs order).
pub(crate) const REPORT_SUMMARY: &[&str] = &[
    "DATE_GRANULARITY",
    "DATE_REFERENCE",
    "PUBLISHER_NAME",
    "LEVEL",
    "REFERENCE",
    "DATA_DOWNLOADS",
    "VERSION_CHECKS",
    "EVENT_COUNT",
];

/// DVP Core trend report (14 columns, confirmed order).
pub(crate) const REPORT_TREND: &[&str] = &[
    "DATE_GRANULARITY",
    "DATE_REFERENCE",
    "PUBLISHER_NAME",
    "IMAGE_REPOSITORY",
    "NAMESPACE",
    "IP_COUNTRY",
    "CLOUD_SERVICE_PROVIDER",
    "USER_AGENT",
    "TAG",
    "DATA_DOWNLOADS",
    "VERSION_CHECKS",
    "PULLS",
    "UNIQUE_AUTHENTICATED_USERS",
    "UNIQUE_UNAUTHENTICATED_USERS",
];

/// DVP Core technographic report: the docs' 12 columns minus `PUBLISHER_ID`, because the real
/// parser reads the DVP image at index 3 (INFERRED resolution of the 11-vs-12 conflict).
pub(crate) const REPORT_TECHNOGRAPHIC: &[&str] = &[
    "DATE_GRANULARITY",
    "DATE_REFERENCE",
    "PUBLISHER_NAME",
    "DVPP_IMAGE",
    "PAIRED_IMAGE",
    "USERS",
    "TOTAL_PULLERS",
    "PCT_USERS",
    "DOMAINS",
    "TOTAL_DOMAINS",
    "PCT_DOMAINS",
];

/// DVP Core technographic companies report (docs order).
pub(crate) const REPORT_TECHNOGRAPHIC_COMPANIES: &[&str] =
    &["DATE_GRANULARITY", "DATE_REFERENCE", "PUBLISHER_NAME", "DOMAIN", "DVPP_IMAGE", "PAIRED_IMAGE"];

/// DVP Core tracked companies report (docs order).
pub(crate) const REPORT_TRACKED_COMPANIES: &[&str] = &[
    "DATE_GRANULARITY",
    "DATE_REFERENCE",
    "PUBLISHER_NAME",
    "DOMAIN",
    "IP_COUNTRY",
    "CLOUD_SERVICE_PROVIDER",
    "USER_AGENT",
    "INFERRED_USE_CASE",
    "IMAGE_REPOSITORY",
    "DATA_DOWNLOADS",
    "VERSION_CHECKS",
    "PULLS",
    "UNIQUE_AUTHENTICATED_USERS",
];

/// The CSV writer every file uses: LF line ends, quote only when necessary, no BOM.
pub fn writer<W: std::io::Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .has_headers(false)
        .from_writer(w)
}

/// `TAG` value in reports for a pull without a tag: the two-backslash literal `\\N`.
pub(crate) const NO_TAG: &str = "\\\\N";
/// `CLOUD_SERVICE_PROVIDER` in reports for an IP outside any cloud.
pub(crate) const NO_CSP: &str = "no csp";

/// Appends one field as [`writer`] would write it inside a record of two or more fields: as is,
/// or quoted with inner quotes doubled when it holds a comma, a quote, CR or LF. The raw export
/// renders its rows with this (no per-row writer state); a test holds it to the csv crate.
pub(crate) fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if field.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `push_field` + separators give the bytes of the csv crate's writer, for every mix of the
    /// bytes that matter.
    #[test]
    fn push_field_matches_the_csv_writer() {
        let alphabet: &[&[u8]] = &[b"", b"a", b",", b"\"", b"\r", b"\n", b" ", b"#", b"\\N", b"\xc3\xa9", b"'"];
        let mut fields: Vec<Vec<u8>> = Vec::new();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    fields.push([*a, *b, *c].concat());
                }
            }
        }
        for pair in fields.chunks(3) {
            let mut expected = Vec::new();
            let mut w = writer(&mut expected);
            w.write_record(pair).unwrap();
            w.flush().unwrap();
            drop(w);
            let mut got = Vec::new();
            for (i, f) in pair.iter().enumerate() {
                if i > 0 {
                    got.push(b',');
                }
                push_field(&mut got, f);
            }
            got.push(b'\n');
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&expected), "{pair:?}");
        }
    }
}
