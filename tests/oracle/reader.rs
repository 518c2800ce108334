//! A CSV reader of the oracle's own (RFC 4180: commas, LF or CRLF line ends, double quotes
//! around a field that holds a comma, quote or line end, `""` for a quote inside one), so the
//! oracle shares no parsing code with the generator or its tests.
use std::collections::BTreeMap;

/// A header and its rows, every row as long as the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Each row as column name -> value.
    pub fn records(&self) -> impl Iterator<Item = BTreeMap<&str, &str>> {
        self.rows.iter().map(|r| self.header.iter().map(String::as_str).zip(r.iter().map(String::as_str)).collect())
    }
}

/// Parses `text`; panics on a row whose field count differs from the header's.
pub fn read_csv(text: &str) -> Table {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "an unterminated quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    let mut records = records.into_iter();
    let header = records.next().expect("a header row");
    let rows: Vec<Vec<String>> = records.collect();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), header.len(), "row {} has {} fields, the header {}", i + 2, r.len(), header.len());
    }
    Table { header, rows }
}

#[cfg(test)]
mod tests {
    use super::read_csv;

    #[test]
    fn quotes_commas_and_line_ends() {
        let t = read_csv("a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n,,\"two\nlines\"\n");
        assert_eq!(t.header, ["a", "b", "c"]);
        assert_eq!(t.rows, [vec!["1", "x,y", "say \"hi\""], vec!["", "", "two\nlines"]]);
        assert_eq!(read_csv("h\nv").rows, [vec!["v"]]);
        assert_eq!(read_csv("h1,h2\n").rows.len(), 0);
    }
}
