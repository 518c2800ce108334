//! Opt-in gzipped exports (`export_gzip = true`): every export part is written as
//! `<name>.csv.gz`, the 2022 docs' "downloadable GZipped CSV file".
//!
//! Deterministic: a fixed gzip header (no file name, no comment, mtime 0, OS byte 255
//! "unknown") and a fixed compression level, so the bytes depend only on the CSV (and on the
//! locked `flate2`/`miniz_oxide` versions). Parts are cut at `export_part_bytes` of CSV, then
//! each part is compressed on its own; the listing gives the compressed size.

use std::io::Write;

/// File name suffix of a gzipped export part.
pub(crate) const SUFFIX: &str = ".csv.gz";

/// Content-Type of a gzipped export download. INFERRED: storage serves the object as the
/// gzip file it is (`application/gzip`, no `Content-Encoding`), so a client saves exactly the
/// listed number of bytes and gunzips it itself; a `Content-Encoding: gzip` would make HTTP
/// clients decode it silently and break the listed size.
pub(crate) const CONTENT_TYPE: &str = "application/gzip";

/// Compression level: fixed, so output bytes never depend on a library default.
const LEVEL: u32 = 6;

/// `csv` as a deterministic gzip member.
pub(crate) fn gzip(csv: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::with_capacity(csv.len() / 4 + 64), flate2::Compression::new(LEVEL));
    enc.write_all(csv).expect("writing to memory cannot fail");
    enc.finish().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_header_is_fixed_and_the_body_round_trips() {
        let csv = b"a,b\n1,2\n".repeat(1000);
        let gz = gzip(&csv);
        // ID1 ID2 CM=deflate FLG=0 (no name/comment/extra) MTIME=0 XFL OS=255.
        assert_eq!(&gz[..8], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
        assert_eq!(gz[9], 255);
        assert_eq!(gz, gzip(&csv), "same input, same bytes");
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, csv);
        assert!(gz.len() < csv.len() / 10);
    }
}
