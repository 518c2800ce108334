//! One error type for the library; the binary maps [`Error::exit_code`] to the process status.
use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong before or while output is written.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid.
    Config {
        /// The configuration file, or `<default>` for the embedded one.
        file: String,
        /// What is wrong and where (line, column, key path).
        message: String,
    },
    /// A command-line value is invalid.
    Usage(String),
    /// An I/O failure on a path.
    Io {
        /// The file or folder the operation was on.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The output folder holds files this tool did not generate.
    Foreign {
        /// The output folder.
        path: PathBuf,
        /// The foreign files, relative to `path`.
        files: Vec<String>,
    },
    /// A generated Cloud file would exceed the configured budget, or the tree `--max-bytes`.
    Budget(String),
    /// A server named on the command line cannot be reached, is not what it should be (a
    /// WireMock, the DVP API), or failed a step (`calibrate --from-api`).
    Unreachable(String),
}

impl Error {
    /// Exit code: 2 for usage and configuration errors, 3 for I/O and refusal to overwrite.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config { .. } | Error::Usage(_) | Error::Budget(_) => 2,
            Error::Io { .. } | Error::Foreign { .. } | Error::Unreachable(_) => 3,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config { file, message } => write!(f, "{file}: {message}"),
            Error::Usage(m) => write!(f, "{m}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Foreign { path, files } => write!(
                f,
                "{} holds {} file(s) that dvp-mock did not generate (first: {}); \
                 move them away or pass --force to replace them",
                path.display(),
                files.len(),
                files.first().map(String::as_str).unwrap_or("?")
            ),
            Error::Budget(m) | Error::Unreachable(m) => write!(f, "{m}"),
        }
    }
}

/// The wrapped error of a variant that has one (I/O); the others carry their whole message.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn an_io_error_is_the_source_and_a_message_has_none() {
        let e = Error::io("out/x", std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"));
        let source = e.source().expect("an I/O error wraps its cause");
        assert_eq!(source.to_string(), "denied");
        assert_eq!(e.to_string(), "out/x: denied");
        assert!(Error::Usage("bad flag".into()).source().is_none());
    }
}
