//! End-to-end tests of the real `causa` binary. Each test gets its own sandbox folder.

// A failed assertion is how a test reports; unwrapping is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ask;
mod attribute;
mod bad_input;
mod bench;
mod chat;
mod data;
mod discover;
mod estimate;
mod graph;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh folder for one test, removed when the test ends.
pub struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    /// Creates an empty folder named after the test.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("causa-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Sandbox { dir }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes a file into the folder and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Runs `causa ARGS` inside the folder.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// Runs `causa ARGS` inside the folder with extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_causa"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(&self.dir)
            .output()
            .unwrap();
        Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Output {
    /// Exit code (None if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "expected success: {self:#?}");
        &self.stdout
    }

    /// Asserts exit code 2 (invalid input) and returns stderr.
    pub fn invalid_input(&self) -> &str {
        assert_eq!(self.code, Some(2), "expected exit code 2: {self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        &self.stderr
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }
}

/// The file or folder `relative` inside the shared benchmark data (`shared/benchdata` in a parent
/// folder); a clear failure if it is missing.
pub fn benchdata(relative: &str) -> PathBuf {
    causa_data::test_support::benchdata(relative).unwrap_or_else(|e| panic!("{e}"))
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

#[test]
fn version_is_printed() {
    let sandbox = Sandbox::new("version");
    let out = sandbox.run(&["--version"]);
    assert_eq!(out.ok().trim(), format!("causa {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // A reader that stops after the first bytes, like `causa ... | head -c 10`.
    let sandbox = Sandbox::new("pipe");
    let edges: Vec<String> = (0..20_000).map(|i| format!("n{i} -> n{}", i + 1)).collect();
    let path = sandbox.write("long.txt", &edges.join("\n"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_causa"))
        .args(["graph", "convert", path.to_str().unwrap(), "--format", "text"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
