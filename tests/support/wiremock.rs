//! Test harness: runs the real WireMock 3.13.2 standalone jar on a free loopback port.
//!
//! * The jar comes from env `WIREMOCK_JAR` if set, else from
//!   `<CARGO_TARGET_DIR or CARGO_MANIFEST_DIR/target>/wiremock/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar`,
//!   installed on demand with `npm install --prefix <target>/wiremock wiremock@3.13.2`
//!   (into a private temporary prefix first, then moved into place with an atomic rename, so
//!   concurrent test processes never see a half-written jar).
//! * Missing `java` (or Java < 11) or missing `npm` (when the jar is absent) is a hard failure:
//!   these tests never skip.
//! * The server binds 127.0.0.1 only, is started with `--disable-banner`, and is stopped on
//!   `Drop` (`POST /__admin/shutdown`, then kill after a grace period). It is started with
//!   `PR_SET_PDEATHSIG` ([`super::cleanup::spawn_tied`]), so it never outlives the test
//!   process; a server shared for the whole run ([`super::shared`]) is stopped at exit.
//!
//! ```ignore
//! mod support;
//! use support::wiremock::WireMock;
//!
//! #[test]
//! fn generated_mock_loads() {
//!     let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")); // contains mappings/ and __files/
//!     let wm = WireMock::start(out);
//!     assert!(wm.stub_count() > 0);
//!     let resp = wm.get("/__admin/mappings");
//!     assert_eq!(resp.status, 200);
//!     println!("{} (pid {})", wm.base_url(), wm.pid);
//! } // dropped here: shut down and reaped
//! ```
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The pinned WireMock version: the newest supported.
pub const WIREMOCK_VERSION: &str = "3.13.2";
/// The oldest WireMock version the mock supports (see docs/safety.md); CI runs `verify` on it
/// too. Its jar lives in `<target>/wiremock-3.2.0/` (installed with npm on demand).
pub const OLDEST_SUPPORTED: &str = "3.2.0";

const INSTALL_HINT: &str =
    "install Java 17 (apt-get install openjdk-17-jre-headless) and npm (apt-get install nodejs npm), \
     or set WIREMOCK_JAR to an existing wiremock-standalone-3.13.2.jar";
/// JVM options of every test server. The servers of a test run live for seconds to a minute
/// and answer a few thousand requests each: the optimising JIT compiler (C2) and the parallel
/// collector cost more CPU than they ever pay back there (measured on the committed tree: one
/// start plus two replays of the request corpus took 23.6 CPU-seconds of the JVM with the
/// defaults, 9.4 with these). Same jar, same answers; only how the JVM runs it.
const JVM_OPTIONS: [&str; 2] = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Per read or write: a guard against a hung server, not a speed assertion (importing a large
/// Cloud file into a busy JVM has taken over 30 s).
const IO_TIMEOUT: Duration = Duration::from_secs(180);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running WireMock standalone server.
pub struct WireMock {
    /// OS process id of the `java` process.
    pub pid: u32,
    port: u16,
    child: Option<Child>,
    /// Private directory holding stdout.log / stderr.log (and the root dir for `start_empty`).
    work_dir: PathBuf,
}

/// A minimal HTTP response (body already de-chunked; no content decoding is requested).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names as sent by the server; look up with [`HttpResponse::header`].
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Body as UTF-8 (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl WireMock {
    /// Starts WireMock with `--root-dir <root>` (a directory holding `mappings/` and `__files/`).
    pub fn start(root: &Path) -> WireMock {
        assert!(root.is_dir(), "WireMock root dir {} does not exist", root.display());
        Self::start_with(Some(root), &[])
    }

    /// Starts WireMock on a fresh, empty root dir (no stubs; nothing loaded from the cwd).
    pub fn start_empty() -> WireMock {
        Self::start_with(None, &[])
    }

    /// Starts WireMock with an optional root dir (`None` = a fresh empty one) and extra CLI
    /// arguments (e.g. `&["--global-response-templating"]`, `&["--disable-gzip"]`).
    pub fn start_with(root: Option<&Path>, extra_args: &[&str]) -> WireMock {
        Self::start_jar(&wiremock_jar(), root, extra_args)
    }

    /// Starts another WireMock `version` (its jar installed with npm into
    /// `<target>/wiremock-<version>/` if missing) with `--root-dir <root>`.
    pub fn start_version(version: &str, root: &Path) -> WireMock {
        Self::start_jar(&jar_of_version(version), Some(root), &[])
    }

    fn start_jar(jar: &Path, root: Option<&Path>, extra_args: &[&str]) -> WireMock {
        check_java();
        let mut jvm: Vec<String> = JVM_OPTIONS.iter().map(|o| o.to_string()).collect();
        if let Some(archive) = class_archive(jar) {
            jvm.push(format!("-XX:SharedArchiveFile={}", archive.display()));
        }
        Self::spawn(jar, &jvm, root, extra_args)
    }

    /// Starts `java <jvm> -jar <jar>` on a free port and waits until it answers.
    fn spawn(jar: &Path, jvm: &[String], root: Option<&Path>, extra_args: &[&str]) -> WireMock {
        let mut last_logs = String::new();
        // A port picked from a just-closed listener can be grabbed by someone else before
        // Java binds it; retry a couple of times on "Address already in use".
        for _attempt in 0..3 {
            let work_dir = unique_dir("wiremock");
            let root_dir = match root {
                Some(r) => fs::canonicalize(r).unwrap_or_else(|e| panic!("cannot resolve root {}: {e}", r.display())),
                None => {
                    let r = work_dir.join("root");
                    fs::create_dir_all(r.join("mappings")).unwrap();
                    fs::create_dir_all(r.join("__files")).unwrap();
                    r
                }
            };
            let port = free_port();
            let stdout = fs::File::create(work_dir.join("stdout.log")).unwrap();
            let stderr = fs::File::create(work_dir.join("stderr.log")).unwrap();
            let mut cmd = Command::new("java");
            cmd.args(jvm)
                .arg("-jar")
                .arg(jar)
                .arg("--port")
                .arg(port.to_string())
                .arg("--bind-address")
                .arg("127.0.0.1")
                .arg("--root-dir")
                .arg(&root_dir)
                .arg("--disable-banner")
                .args(extra_args)
                .stdin(Stdio::null())
                .stdout(Stdio::from(stdout))
                .stderr(Stdio::from(stderr));
            let child = super::cleanup::spawn_tied(cmd)
                .unwrap_or_else(|e| panic!("failed to run `java -jar {}`: {e}; {INSTALL_HINT}", jar.display()));
            let mut wm = WireMock { pid: child.id(), port, child: Some(child), work_dir };
            match wm.wait_ready() {
                Ok(()) => return wm,
                Err(Exited(logs)) if logs.contains("Address already in use") => {
                    last_logs = logs;
                    continue; // Drop cleans up.
                }
                Err(Exited(logs)) => panic!(
                    "WireMock exited during startup (root {}, args {:?}):\n{logs}",
                    root_dir.display(),
                    extra_args
                ),
                Err(TimedOut(logs)) => {
                    drop(wm); // kills it
                    panic!(
                        "WireMock did not answer GET /__admin/mappings within {:?} (root {}):\n{logs}",
                        STARTUP_TIMEOUT,
                        root_dir.display()
                    );
                }
            }
        }
        panic!("WireMock could not bind a free port after 3 attempts:\n{last_logs}");
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Number of loaded stubs (`meta.total` of `GET /__admin/mappings`).
    pub fn stub_count(&self) -> usize {
        let resp = self.get("/__admin/mappings");
        assert_eq!(resp.status, 200, "GET /__admin/mappings: {}", resp.text());
        let v: serde_json::Value = serde_json::from_slice(&resp.body)
            .unwrap_or_else(|e| panic!("admin mappings not JSON ({e}): {}", resp.text()));
        v["meta"]["total"].as_u64().unwrap_or_else(|| panic!("no meta.total in {}", resp.text())) as usize
    }

    /// GET `path_and_query` (must start with `/`; sent as is, so percent-encode yourself).
    pub fn get(&self, path_and_query: &str) -> HttpResponse {
        self.request("GET", path_and_query, &[], None)
    }

    /// Any request; panics on I/O errors (connection reset, e.g. by a `fault` stub, included;
    /// use [`http_request`] to observe those).
    pub fn request(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> HttpResponse {
        http_request(self.port, method, path_and_query, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path_and_query} failed: {e}\n{}", self.logs()))
    }

    /// Captured stdout + stderr of the server so far.
    pub fn logs(&self) -> String {
        read_logs(&self.work_dir)
    }

    /// Stops the server now (same as dropping it).
    pub fn shutdown(self) {
        drop(self)
    }

    /// For a server that is never dropped (shared for the whole run): stop it, and remove its
    /// log folder, when the test process exits.
    pub fn stop_at_exit(&self) {
        super::cleanup::stop_at_exit(self.pid);
        super::cleanup::remove_at_exit(&self.work_dir);
    }

    fn wait_ready(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(Exited(format!("{status}\n{}", read_logs(&self.work_dir))));
                }
            }
            if let Ok(resp) = http_request(self.port, "GET", "/__admin/mappings", &[], None) {
                if resp.status == 200 {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(TimedOut(read_logs(&self.work_dir)));
            }
            sleep(Duration::from_millis(200));
        }
    }
}

enum StartError {
    Exited(String),
    TimedOut(String),
}
use StartError::{Exited, TimedOut};

impl Drop for WireMock {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = http_request(self.port, "POST", "/__admin/shutdown", &[], None);
            let deadline = Instant::now() + SHUTDOWN_GRACE;
            let mut exited = false;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    exited = true;
                    break;
                }
                sleep(Duration::from_millis(100));
            }
            if !exited {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if std::thread::panicking() {
            let logs = read_logs(&self.work_dir);
            let tail = &logs[logs.char_indices().rev().nth(4000).map_or(0, |(i, _)| i)..];
            eprintln!("WireMock (pid {}, port {}) logs, last 4000 characters:\n{tail}", self.pid, self.port);
        }
        let _ = fs::remove_dir_all(&self.work_dir);
    }
}

/// Path of the WireMock standalone jar, installing it with npm if needed (once per process).
pub fn wiremock_jar() -> PathBuf {
    static JAR: OnceLock<PathBuf> = OnceLock::new();
    JAR.get_or_init(resolve_jar).clone()
}

fn jar_in(prefix: &Path, version: &str) -> PathBuf {
    prefix.join("node_modules/wiremock/build").join(format!("wiremock-standalone-{version}.jar"))
}

/// The jar of WireMock `version` other than the pinned one, installed on demand.
pub fn jar_of_version(version: &str) -> PathBuf {
    static JARS: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut jars = JARS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, j)) = jars.iter().find(|(v, _)| v == version) {
        return j.clone();
    }
    let j = install(version, &target_dir().join(format!("wiremock-{version}")));
    jars.push((version.to_string(), j.clone()));
    j
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(d)
            }
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

fn resolve_jar() -> PathBuf {
    if let Some(j) = std::env::var_os("WIREMOCK_JAR") {
        let j = PathBuf::from(j);
        assert!(
            j.is_file(),
            "WIREMOCK_JAR={} does not exist; unset it to install with npm, or {INSTALL_HINT}",
            j.display()
        );
        return j;
    }
    install(WIREMOCK_VERSION, &target_dir().join("wiremock"))
}

/// The jar of `version` under npm prefix `prefix`, installed there if missing.
fn install(version: &str, prefix: &Path) -> PathBuf {
    let target = prefix.parent().expect("a prefix inside the target dir").to_path_buf();
    let jar = jar_in(prefix, version);
    if jar.is_file() {
        return jar;
    }

    // Install into a private prefix, then atomically rename it into place. If another process
    // won the race, its (complete) install is used and ours is discarded.
    fs::create_dir_all(&target).unwrap();
    let tmp = target.join(format!("wiremock.tmp-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst)));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).unwrap();
    let spec = format!("wiremock@{version}");
    eprintln!("installing WireMock: npm install --prefix {} {spec}", tmp.display());
    let out = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&tmp)
        .arg("--no-audit")
        .arg("--no-fund")
        .arg(&spec)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            let _ = fs::remove_dir_all(&tmp);
            panic!("cannot run npm ({e}): WireMock jar {} is missing; {INSTALL_HINT}", jar.display())
        });
    if !out.status.success() {
        let _ = fs::remove_dir_all(&tmp);
        panic!(
            "`npm install {spec}` failed ({}):\n{}\n{}\n{INSTALL_HINT}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let tmp_jar = jar_in(&tmp, version);
    assert!(tmp_jar.is_file(), "npm installed {spec} but {} is missing", tmp_jar.display());
    match fs::rename(&tmp, prefix) {
        Ok(()) => jar,
        Err(_) if jar.is_file() => {
            // Lost the race to a concurrent installer: use theirs.
            let _ = fs::remove_dir_all(&tmp);
            jar
        }
        Err(e) => {
            // `prefix` exists but holds no jar (e.g. a broken earlier install): use our copy.
            eprintln!("warning: cannot move {} to {} ({e}); using the private copy", tmp.display(), prefix.display());
            tmp_jar
        }
    }
}

/// The class-data-sharing archive of `jar` for this Java, made once and kept in the target dir
/// (`wiremock-class-archives/<jar>.<digest of java -version>.jsa`; never beside a jar that
/// `WIREMOCK_JAR` names, which may be the user's): every later server, of this run and the next, maps
/// WireMock's classes from it instead of loading and verifying them again (measured: a start
/// took 1.5 instead of 2.3 CPU-seconds, 3.1-3.7 instead of 5.4-6.3 s on the busy development
/// machine). The first server of a fresh target directory makes it: a throwaway server on an
/// empty root, stopped through the admin API, whose JVM writes the archive as it exits.
/// `None` when that fails: servers then start without an archive.
fn class_archive(jar: &Path) -> Option<PathBuf> {
    static ARCHIVES: std::sync::Mutex<Vec<(PathBuf, Option<PathBuf>)>> = std::sync::Mutex::new(Vec::new());
    let mut archives = ARCHIVES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, archive)) = archives.iter().find(|(j, _)| j == jar) {
        return archive.clone();
    }
    let name = format!("{}.{:016x}.jsa", jar.file_name()?.to_string_lossy(), digest(java_version_text().as_bytes()));
    let dir = target_dir().join("wiremock-class-archives");
    let _ = fs::create_dir_all(&dir);
    let archive = dir.join(name);
    let made = archive.is_file() || make_class_archive(jar, &archive);
    let archive = made.then_some(archive);
    archives.push((jar.to_path_buf(), archive.clone()));
    archive
}

/// Runs a throwaway server of `jar` that writes its classes to `archive` when it exits.
fn make_class_archive(jar: &Path, archive: &Path) -> bool {
    let tmp = archive.with_extension(format!("tmp-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst)));
    let mut jvm: Vec<String> = JVM_OPTIONS.iter().map(|o| o.to_string()).collect();
    jvm.push(format!("-XX:ArchiveClassesAtExit={}", tmp.display()));
    let wm = WireMock::spawn(jar, &jvm, None, &[]);
    // A request no stub matches loads the matching and templating classes too.
    let _ = http_request(wm.port, "GET", "/class-archive/warm-up", &[], None);
    drop(wm); // shut down through the admin API: the JVM writes the archive on its way out
    let made = tmp.is_file() && (fs::rename(&tmp, archive).is_ok() || archive.is_file());
    let _ = fs::remove_file(&tmp);
    made
}

/// FNV-1a of `bytes`: names an archive after the Java that made it.
fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Panics (with an install hint) unless `java -version` runs and reports Java 11 or newer.
fn check_java() {
    java_version_text();
}

/// What `java -version` prints (checked once: Java 11 or newer).
fn java_version_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let out = Command::new("java")
            .arg("-version")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("`java` not found ({e}); {INSTALL_HINT}"));
        let text = format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
        assert!(out.status.success(), "`java -version` failed: {text}\n{INSTALL_HINT}");
        if let Some(major) = java_major(&text) {
            assert!(
                major >= 11,
                "WireMock {WIREMOCK_VERSION} needs Java 11+, found Java {major}: {text}\n{INSTALL_HINT}"
            );
        }
        text
    })
}

/// Major version from `java -version` output: `"17.0.15"` → 17, `"1.8.0_392"` → 8.
fn java_major(text: &str) -> Option<u32> {
    let start = text.find('"')? + 1;
    let rest = &text[start..];
    let version = &rest[..rest.find('"')?];
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("cannot bind a loopback port")
}

fn unique_dir(tag: &str) -> PathBuf {
    // In the scratch root, named like the other scratch folders (`-<pid>.<n>`), so a
    // run killed before its exit hook is swept by the next one.
    let dir = super::cleanup::scratch_root().join(format!(
        "{tag}-{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    super::cleanup::remove_at_exit(&dir);
    dir
}

fn read_logs(dir: &Path) -> String {
    let out = fs::read_to_string(dir.join("stdout.log")).unwrap_or_default();
    let err = fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
    format!("--- stdout ---\n{out}\n--- stderr ---\n{err}")
}

/// One HTTP/1.1 request to 127.0.0.1:`port` with `Connection: close` (plain std, no gzip).
pub fn http_request(
    port: u16,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> std::io::Result<HttpResponse> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut req = format!("{method} {path_and_query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    } else if matches!(method, "POST" | "PUT" | "PATCH") {
        req.push_str("Content-Length: 0\r\n");
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if let Some(b) = body {
        bytes.extend_from_slice(b);
    }
    stream.write_all(&bytes)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> std::io::Result<HttpResponse> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no end of headers"))?;
    let head_text = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().ok_or_else(|| bad("empty response"))?;
    let status: u16 =
        status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked"));
    if chunked && !head {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    Ok(HttpResponse { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
