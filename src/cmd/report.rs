//! Short reports: a count by kind and the first few items, the whole list behind `--verbose`.
//! A default report of `check` or `verify` stays within 20 lines.
use std::collections::BTreeMap;

/// Items listed without `--verbose`.
pub const FIRST: usize = 10;

/// The items to print: all with `verbose`, else the first [`FIRST`] and a line saying how many
/// more there are.
pub fn listing(items: &[String], verbose: bool) -> Vec<String> {
    if verbose || items.len() <= FIRST {
        return items.to_vec();
    }
    let mut out = items[..FIRST].to_vec();
    out.push(format!("... and {} more (--verbose lists every one)", items.len() - FIRST));
    out
}

/// "3 differs, 1 missing": how many items of each kind, most frequent first, then by name.
pub fn counts<'a>(kinds: impl IntoIterator<Item = &'a str>) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for k in kinds {
        *by.entry(k).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = by.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")
}
