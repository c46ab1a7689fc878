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
    eprintln!("error: {}", message(err));
    if is_input_error(err) { ExitCode::from(INVALID_INPUT) } else { ExitCode::from(FAILURE) }
}

/// The error chain joined by `: `. Some errors already show their source in their own message
/// (`cannot access `g.json`: no such file`); such a cause is not repeated.
fn message(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !message.ends_with(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = anyhow::Error::new(causa_graph::GraphError::Io { path: "g.json".into(), source: io });
        assert_eq!(message(&err), "cannot access `g.json`: no such file");
        let err = anyhow::Error::new(std::io::Error::other("disk full")).context("cannot write `out.csv`");
        assert_eq!(message(&err), "cannot write `out.csv`: disk full");
    }
}
