//! Export parts: rows split into files of at most `export_part_bytes`, each handed to the sink
//! as soon as it is full, so no period's rows are held longer than one part.
use crate::bodies;
use crate::corpus::fingerprint;
use crate::sink::Sink;

/// One rendered export part.
#[derive(Debug, Clone)]
pub struct Part {
    pub(crate) file: String,
    pub(crate) size: u64,
    pub(crate) fingerprint: u64,
}

/// Splits rows into part files of at most `max` bytes at row boundaries; every part starts
/// with the header. A single part is named `<stem>.csv`, several `<stem>_partNNN.csv`.
pub(crate) struct PartWriter<'a> {
    sink: &'a dyn Sink,
    dir: String,
    stem: String,
    max: u64,
    header: Vec<u8>,
    cur: Vec<u8>,
    first: Option<Vec<u8>>,
    count: usize,
    parts: Vec<Part>,
    /// Write each part as `.csv.gz` ([`super::gzip`]).
    gzip: bool,
}

impl<'a> PartWriter<'a> {
    pub(crate) fn new(sink: &'a dyn Sink, dir: String, stem: String, max: u64) -> PartWriter<'a> {
        PartWriter {
            sink,
            dir,
            stem,
            max,
            header: Vec::new(),
            cur: Vec::new(),
            first: None,
            count: 0,
            parts: Vec::new(),
            gzip: false,
        }
    }

    /// Parts are cut at `max` bytes of CSV, then each is gzipped on its own when `on`.
    pub(crate) fn gzipped(mut self, on: bool) -> PartWriter<'a> {
        self.gzip = on;
        self
    }

    /// A part buffer holding the header, allocated at its final size (up to 8 MiB): parts of
    /// one size, allocated and freed by the thousand, then reuse each other's memory instead of
    /// fragmenting the heap by growing step by step.
    fn fresh_part(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity((self.max as usize).min(8 << 20) + 4096);
        buf.extend_from_slice(&self.header);
        buf
    }

    fn emit(&mut self, mut file: String, mut bytes: Vec<u8>) -> std::io::Result<()> {
        if self.gzip {
            bytes = super::gzip::gzip(&bytes);
            file = format!("{}{}", file.trim_end_matches(".csv"), super::gzip::SUFFIX);
        }
        self.parts.push(Part { size: bytes.len() as u64, fingerprint: fingerprint(&bytes), file: file.clone() });
        self.sink.put(&format!("{}/{file}", self.dir), bytes)
    }

    fn close_part(&mut self) -> std::io::Result<()> {
        let fresh = self.fresh_part();
        let buf = std::mem::replace(&mut self.cur, fresh);
        self.count += 1;
        if self.count == 1 {
            self.first = Some(buf);
        } else {
            if let Some(first) = self.first.take() {
                self.emit(format!("{}_part001.csv", self.stem), first)?;
            }
            self.emit(format!("{}_part{:03}.csv", self.stem, self.count), buf)?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> std::io::Result<Vec<Part>> {
        if self.cur.len() > self.header.len() || self.count == 0 {
            self.close_part()?;
        }
        if let Some(only) = self.first.take() {
            self.emit(format!("{}.csv", self.stem), only)?;
        }
        Ok(self.parts)
    }
}

impl bodies::Rows for PartWriter<'_> {
    fn row(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.header.is_empty() {
            self.header = bytes.to_vec();
            self.cur = self.fresh_part();
            return Ok(());
        }
        if self.cur.len() > self.header.len() && (self.cur.len() + bytes.len()) as u64 > self.max {
            self.close_part()?;
        }
        self.cur.extend_from_slice(bytes);
        Ok(())
    }
}
