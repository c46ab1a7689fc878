//! The analysis plan.
