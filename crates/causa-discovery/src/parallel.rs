//! Running an algorithm on a thread pool of a requested size.
//!
//! PC, FCI and the bootstrap take a `threads` parameter: `None` uses rayon's global pool, and a
//! number builds a pool of that size for the one run. Their results do not depend on it, because
//! the parallel steps collect their results in a fixed order; the pool only decides how fast.

use crate::error::{DiscoveryError, Result};

/// Fails unless `threads` is `None` or at least 1.
pub(crate) fn check_threads(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        return Err(DiscoveryError::InvalidParameter("threads must be at least 1".into()));
    }
    Ok(())
}

/// Runs `work` on a new pool of `threads` threads, or on the current pool for `None`.
pub(crate) fn install<T: Send>(threads: Option<usize>, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    match threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| DiscoveryError::InvalidParameter(format!("cannot start {threads} threads: {e}")))?
            .install(work),
        None => work(),
    }
}
