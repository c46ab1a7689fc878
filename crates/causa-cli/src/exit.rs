//! How errors become messages and exit codes.
//!
//! Errors about what the user gave (arguments, graph files, node names) exit with code 2; every
//! other failure (for example an output file that cannot be written) exits with code 1.

use std::process::ExitCode;

/// Exit code for invalid input.
pub const INVALID_INPUT: u8 = 2;
/// Exit code for failures that are not the input's fault.
pub const FAILURE: u8 = 1;

/// Marks an error as caused by the user's input.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Prints the error chain to stderr and picks the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        message.push_str(": ");
        message.push_str(&cause.to_string());
    }
    eprintln!("error: {message}");
    if is_input_error(err) { ExitCode::from(INVALID_INPUT) } else { ExitCode::from(FAILURE) }
}

/// The library errors all concern what the user gave: graphs, data files, parameters (a
/// `DiscoveryError::Singular` means collinear columns in the user's data).
fn is_input_error(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.is::<InputError>()
            || cause.is::<causa_graph::GraphError>()
            || cause.is::<causa_data::DataError>()
            || cause.is::<causa_discovery::DiscoveryError>()
            || cause.is::<causa_estimate::EstimateError>()
            || cause
                .downcast_ref::<causa_agent::AgentError>()
                .is_some_and(causa_agent::AgentError::is_input_error)
            || cause
                .downcast_ref::<causa_attribution::AttributionError>()
                .is_some_and(causa_attribution::AttributionError::is_input_error)
    })
}
