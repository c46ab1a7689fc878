//! The agent settings shared by `causa ask` and `causa chat`: step and time limits, the seed of
//! the randomised steps and prompt overrides.

use std::path::PathBuf;
use std::time::Duration;

use causa_agent::SessionConfig;
use clap::Args;

use crate::exit::InputError;

/// How the agent runs each question.
#[derive(Args, Debug, Clone)]
pub struct AgentArgs {
    /// Most tool calls the agent may make per question.
    #[arg(long, default_value_t = 12)]
    pub max_steps: usize,
    /// Time limit of the model's calls per question, in seconds (the remaining steps then run
    /// without the model; a run still going at twice the limit stops).
    #[arg(long, default_value_t = 600)]
    pub time_limit: u64,
    /// Seed of the randomised steps (refuters).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A folder of prompt overrides (`agent/system.md`, `agent/task.md`).
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
}

impl AgentArgs {
    /// The session settings, or an input error naming the bad flag.
    pub fn session_config(&self) -> Result<SessionConfig, InputError> {
        if self.max_steps == 0 {
            return Err(InputError("--max-steps must be at least 1".into()));
        }
        if let Some(dir) = &self.prompts
            && !dir.is_dir()
        {
            return Err(InputError(format!("--prompts `{}` is not a folder", dir.display())));
        }
        Ok(SessionConfig {
            max_steps: self.max_steps,
            time_limit: Some(Duration::from_secs(self.time_limit.max(1))),
            prompts_dir: self.prompts.clone(),
            seed: self.seed,
            ..SessionConfig::default()
        })
    }
}
