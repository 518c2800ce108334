//! Sizes and counts as people read them, in every message that names one.

/// Bytes in decimal units, one decimal: `950 B`, `7.7 MB`, `78.1 GB`.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1000.0;
    let mut unit = 0;
    while v >= 999.95 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// `1234567` as `1,234,567`.
pub(crate) fn commas(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_read_as_people_write_them() {
        assert_eq!(human(950), "950 B");
        assert_eq!(human(100_000), "100.0 kB");
        assert_eq!(human(20_971_520), "21.0 MB");
        assert_eq!(human(999_960), "1.0 MB");
        assert_eq!(commas(0), "0");
        assert_eq!(commas(1_234_567), "1,234,567");
        assert_eq!(commas(100_000), "100,000");
    }
}
