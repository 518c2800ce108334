//! Transcripts in Markdown: parsing ```console blocks, matching output against the expected
//! lines (`...` = any number of lines), a small line diff, and rewriting expected outputs.
//! Pure functions; `tests/docs.rs` runs them. The convention is described in docs/contributing.md.

/// One `$ ` command of a transcript and the output the doc expects from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// 1-based line of the `$ ` line in the file.
    pub line: usize,
    /// The command as bash receives it (continuation lines joined with a newline).
    pub text: String,
    /// Expected output lines (fence indentation removed).
    pub expected: Vec<String>,
    /// 0-based file lines `[start, end)` holding the expected output.
    pub output_lines: (usize, usize),
    /// Indentation of the block, re-applied when the output is rewritten.
    pub indent: String,
}

/// One ```console block.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    pub commands: Vec<Command>,
}

/// The line that stands for any number of lines (zero included).
pub const ANY: &str = "...";

/// Finds every ```console block of `text`. A console block without a `$ ` line, or an
/// unclosed fence, is an error naming the line.
pub fn parse(text: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, ticks, info)) = fence(lines[i]) else {
            i += 1;
            continue;
        };
        let open = i;
        // As in CommonMark, a fence closes with at least as many backticks and no info string.
        let close = (open + 1..lines.len())
            .find(|&j| fence(lines[j]).is_some_and(|(ind, n, rest)| ind == indent && n >= ticks && rest.is_empty()))
            .ok_or_else(|| format!("line {}: code fence is never closed", open + 1))?;
        if info.split_whitespace().next() == Some("console") {
            blocks.push(parse_block(&lines, open, close, indent)?);
        }
        i = close + 1;
    }
    Ok(blocks)
}

/// `Some((indentation, number of backticks, info string))` if `line` is a ``` fence.
fn fence(line: &str) -> Option<(&str, usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
    (ticks >= 3).then(|| (&line[..line.len() - trimmed.len()], ticks, trimmed[ticks..].trim()))
}

fn parse_block(lines: &[&str], open: usize, close: usize, indent: &str) -> Result<Block, String> {
    let mut commands: Vec<Command> = Vec::new();
    let mut j = open + 1;
    while j < close {
        let line = lines[j].strip_prefix(indent).unwrap_or(lines[j].trim_start());
        if let Some(cmd) = line.strip_prefix("$ ") {
            let first = j;
            let mut text = cmd.to_string();
            // A command line ending in `\` continues on the next line, as in a shell.
            while text.ends_with('\\') && j + 1 < close {
                j += 1;
                text.push('\n');
                text.push_str(lines[j].strip_prefix(indent).unwrap_or(lines[j].trim_start()));
            }
            commands.push(Command {
                line: first + 1,
                text,
                expected: Vec::new(),
                output_lines: (j + 1, j + 1),
                indent: indent.to_string(),
            });
        } else if let Some(last) = commands.last_mut() {
            last.expected.push(line.to_string());
            last.output_lines.1 = j + 1;
        } else {
            return Err(format!(
                "line {}: console block has output (line {}) before any `$ ` command line",
                open + 1,
                j + 1
            ));
        }
        j += 1;
    }
    if commands.is_empty() {
        return Err(format!(
            "line {}: console block has no `$ ` command line (use ```sh or ```text for code that is not run)",
            open + 1
        ));
    }
    Ok(Block { line: open + 1, commands })
}

/// Does `actual` match `expected`, where an expected line `...` matches any number of lines?
/// Every other line must be equal.
pub fn matches(expected: &[String], actual: &[String]) -> bool {
    // Classic wildcard matching with backtracking to the last `...`.
    let (mut e, mut a) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while a < actual.len() {
        if e < expected.len() && expected[e] == ANY {
            star = Some((e, a));
            e += 1;
        } else if e < expected.len() && expected[e] == actual[a] {
            e += 1;
            a += 1;
        } else if let Some((se, sa)) = star {
            e = se + 1;
            a = sa + 1;
            star = Some((se, sa + 1));
        } else {
            return false;
        }
    }
    expected[e..].iter().all(|l| l == ANY)
}

/// A line diff (`-` expected, `+` actual, ` ` common), at most `max` lines shown.
pub fn diff(expected: &[String], actual: &[String], max: usize) -> String {
    let (n, m) = (expected.len(), actual.len());
    let mut out = Vec::new();
    if n * m > 4_000_000 {
        out.extend(expected.iter().map(|l| format!("-{l}")));
        out.extend(actual.iter().map(|l| format!("+{l}")));
    } else {
        // Longest common subsequence table, filled from the end.
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] =
                    if expected[i] == actual[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && expected[i] == actual[j] {
                out.push(format!(" {}", expected[i]));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
                out.push(format!("+{}", actual[j]));
                j += 1;
            } else {
                out.push(format!("-{}", expected[i]));
                i += 1;
            }
        }
    }
    if out.len() > max {
        let more = out.len() - max;
        out.truncate(max);
        out.push(format!("[... {more} more diff lines]"));
    }
    out.join("\n")
}

/// The new expected output for a command whose output no longer matches: the actual lines,
/// except that an expectation with exactly one `...` keeps its shape (as many literal lines
/// before and after it as before).
pub fn refreshed(expected: &[String], actual: &[String]) -> Vec<String> {
    let anys: Vec<usize> = expected.iter().enumerate().filter(|(_, l)| *l == ANY).map(|(i, _)| i).collect();
    if let [k] = anys[..] {
        let (head, tail) = (k, expected.len() - k - 1);
        if actual.len() > head + tail {
            let mut out = actual[..head].to_vec();
            out.push(ANY.to_string());
            out.extend_from_slice(&actual[actual.len() - tail..]);
            return out;
        }
    }
    actual.to_vec()
}

/// Rewrites `text`, replacing the expected output of each `(command, actual output)` by
/// [`refreshed`]. Refuses actual lines that would not read back as the same output (`$ ` or
/// fence lines, or a literal `...`, which would become a wildcard).
pub fn rewrite(text: &str, updates: &[(&Command, Vec<String>)]) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut sorted: Vec<&(&Command, Vec<String>)> = updates.iter().collect();
    sorted.sort_by_key(|(c, _)| std::cmp::Reverse(c.output_lines.0));
    for (cmd, actual) in sorted {
        if let Some(bad) = actual.iter().find(|l| l.starts_with("$ ") || l.trim_start().starts_with("```") || *l == ANY)
        {
            return Err(format!(
                "line {}: `{}` printed a line a transcript cannot hold as output: {bad:?}",
                cmd.line, cmd.text
            ));
        }
        let new = refreshed(&cmd.expected, actual);
        let replacement = new.iter().map(|l| if l.is_empty() { String::new() } else { format!("{}{l}", cmd.indent) });
        lines.splice(cmd.output_lines.0..cmd.output_lines.1, replacement);
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}
