//! Atomic file writes: a temporary file beside the target, flushed, then renamed over it, so a
//! reader (or a crash) never sees half a file.

use std::io::Write;
use std::path::Path;

use crate::error::{AgentError, Result};

/// Writes `bytes` to `path` atomically, replacing any existing file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(AgentError::io(path, e));
    }
    Ok(())
}
