//! Writing results: to stdout, or atomically to a file that is never overwritten unless asked.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::exit::InputError;

/// Prints `value` as pretty JSON followed by a newline.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).context("cannot encode the result as JSON")?;
    println!("{text}");
    Ok(())
}

/// Fails, before any work is done, when `path` cannot receive an output file: it is a folder
/// (which `--force` cannot replace), or it exists and `overwrite` is not set.
pub fn refuse_existing(path: &Path, overwrite: bool) -> Result<()> {
    if path.is_dir() {
        bail!(InputError(format!("`{}` is a folder; give a file name to write to", path.display())));
    }
    if path.exists() && !overwrite {
        bail!(InputError(format!("`{}` already exists; pass --force to overwrite it", path.display())));
    }
    Ok(())
}

/// Writes `contents` to `path` atomically (a temporary file in the same folder, then a rename).
/// Refuses to replace an existing file unless `overwrite` is set.
pub fn write_file_atomically(path: &Path, contents: &str, overwrite: bool) -> Result<()> {
    refuse_existing(path, overwrite)?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(InputError(format!("the folder `{}` does not exist", dir.display())));
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|err| {
        let _ = std::fs::remove_file(&temp);
        anyhow::Error::new(err).context(format!("cannot write `{}`", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = std::env::temp_dir().join(format!("causa-output-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.txt");
        write_file_atomically(&path, "first", false).unwrap();
        let err = write_file_atomically(&path, "second", false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        write_file_atomically(&path, "second", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
