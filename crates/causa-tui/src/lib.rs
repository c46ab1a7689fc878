//! The terminal chat of Causa (`causa chat`).
//!
//! A front end over the agent's event stream, built so that it can be tested without a terminal:
//! [`state::ChatState`] is a plain struct changed by agent events ([`state::ChatState::apply`]) and
//! key presses ([`state::ChatState::handle_key`]); [`view::draw`] renders it, purely, into any
//! ratatui frame (a `TestBackend` in the snapshot tests); [`app::run`] is the thin loop that joins
//! the real terminal, the keyboard and the agent task. [`markdown`] turns answers into styled
//! lines, [`input`] is the editor with history and slash commands, and [`bridge`] joins the agent's
//! events and sessions to all this.

pub mod app;
pub mod bridge;
pub mod input;
pub mod markdown;
pub mod state;
pub mod view;
pub mod wrap;

pub use app::{ChatBackend, EventSender, Request, run};
pub use state::{Action, ChatState, ColumnView, DatasetView, EffectView, Entry, Focus, GraphView, UiEvent};
