//! Datasets for Causa.
//!
//! [`Dataset`] is the numeric table every analysis works on: named columns of `f64` values with a
//! kind per column (continuous, discrete with its number of levels, binary), stored as an
//! `ndarray` matrix with one row per sample. Loading files, handling missing values, profiling and
//! simulation all produce or read this type, so the discovery and estimation crates never see file
//! formats.

pub mod dataset;
pub mod error;
pub mod load;
pub mod profile;
pub mod simulate;
#[doc(hidden)]
pub mod test_support;

pub use dataset::{ColumnKind, Dataset};
pub use error::{DataError, Result};
pub use load::{ColumnType, KindHint, LoadOptions, LoadedData, MissingPolicy, load, load_delimited};
pub use profile::{
    Algorithm, CiTestName, DataModel, Profile, ProfileOptions, Recommendation, profile, profile_dataset,
    recommend,
};
pub use simulate::{
    Noise, SemModel, Simulation, VarOptions, random_dag, sample_bif, simulate_sem, simulate_var,
};
