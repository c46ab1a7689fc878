//! Finding the shared benchmark data from tests, in this crate and in the crates above it.
//!
//! Tests check algorithms against the bnlearn networks and datasets in `shared/benchdata`. That
//! folder sits beside the repository in CI and higher up in a git worktree, so it is looked for in
//! every parent of this crate; the tests of several crates (and the end-to-end CLI tests) do this,
//! and do it here once. Not part of the supported API: hidden from the documentation.

use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// The file or folder `relative` inside `shared/benchdata`, e.g. `bnlearn/bif/asia.bif`.
///
/// Fails (for the calling test to report) when no parent of this crate has a `shared/benchdata`
/// folder, naming the folders tried, or when that folder lacks `relative`.
pub fn benchdata(relative: &str) -> Result<PathBuf> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tried: Vec<PathBuf> = crate_dir.ancestors().skip(1).map(|dir| dir.join("shared/benchdata")).collect();
    let Some(root) = tried.iter().find(|dir| dir.is_dir()) else {
        return Err(DataError::File {
            path: PathBuf::from("shared/benchdata"),
            message: format!(
                "benchmark data missing: no shared/benchdata folder; looked at {tried:?} \
                 (see shared/benchdata/README.md)"
            ),
        });
    };
    let path = root.join(relative);
    if path.exists() {
        Ok(path)
    } else {
        Err(DataError::File {
            path,
            message: "benchmark data missing: no such file in shared/benchdata".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_files_and_names_missing_ones() {
        let asia = benchdata("bnlearn/bif/asia.bif").unwrap();
        assert!(asia.is_file() && asia.ends_with("shared/benchdata/bnlearn/bif/asia.bif"), "{asia:?}");
        let err = benchdata("bnlearn/bif/no-such-network.bif").unwrap_err().to_string();
        assert!(err.contains("no-such-network.bif") && err.contains("missing"), "{err}");
    }
}
