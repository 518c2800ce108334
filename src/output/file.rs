//! One file written atomically: the preview page, a calibrated configuration, any single file a
//! command writes. A temporary file beside the target is renamed over it, so a reader sees the
//! old file or the new one, never a part.
use std::path::Path;

use crate::Error;

/// Fails early (before any work) when `out` cannot be written: its folder is missing, or it is
/// a folder.
pub fn check_target(out: &Path) -> Result<(), Error> {
    let dir = parent(out);
    if !dir.is_dir() {
        let e = std::io::Error::new(std::io::ErrorKind::NotFound, "folder does not exist");
        return Err(Error::io(dir, e));
    }
    if out.is_dir() {
        return Err(Error::io(out, std::io::Error::other("is a folder, expected a file name")));
    }
    Ok(())
}

fn parent(out: &Path) -> &Path {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `out` atomically: a temporary file beside it, renamed over it. On error
/// nothing is left behind and an existing `out` is untouched.
pub fn write(out: &Path, bytes: &[u8]) -> Result<(), Error> {
    check_target(out)?;
    let name = out.file_name().map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent(out).join(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes)
        .map_err(|e| Error::io(&tmp, e))
        .and_then(|()| std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
