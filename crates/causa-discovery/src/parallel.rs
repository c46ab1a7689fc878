//! Running an algorithm on a thread pool of a requested size.
//!
//! PC, FCI and the bootstrap take a `threads` parameter: `None` uses rayon's global pool, and a
//! number builds a pool of that size for the one run. Their results do not depend on it, because
//! the parallel steps collect their results in a fixed order; the pool only decides how fast.

use crate::error::{DiscoveryError, Result};

/// The most threads one pool may have. Far beyond any useful count, it stops a typo such as
/// `--threads 100000` from spending minutes starting threads (or failing when the system runs out).
pub const MAX_THREADS: usize = 1024;

/// Fails unless `threads` is `None` or between 1 and [`MAX_THREADS`].
pub(crate) fn check_threads(threads: Option<usize>) -> Result<()> {
    match threads {
        Some(0) => Err(DiscoveryError::InvalidParameter("threads must be at least 1".into())),
        Some(n) if n > MAX_THREADS => {
            Err(DiscoveryError::InvalidParameter(format!("threads must be at most {MAX_THREADS}, got {n}")))
        }
        _ => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_outside_1_to_max_are_refused() {
        assert!(check_threads(None).is_ok());
        assert!(check_threads(Some(1)).is_ok());
        assert!(check_threads(Some(MAX_THREADS)).is_ok());
        assert!(check_threads(Some(0)).is_err());
        let err = check_threads(Some(100_000)).unwrap_err().to_string();
        assert!(err.contains("at most 1024, got 100000"), "{err}");
    }
}
