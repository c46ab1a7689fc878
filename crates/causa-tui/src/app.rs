//! The terminal runtime: raw mode, the event loop, and the task that runs the agent.
//!
//! The agent works in a tokio task and reports over a channel, so a long step never freezes the
//! screen: the loop here polls the keyboard briefly, drains the channel into the state, and
//! redraws. Requests run one at a time, each with its own cancellation token (Ctrl-C cancels the
//! step, not the session). The terminal is restored on every way out: a normal return, an error,
//! a panic (ratatui's panic hook), and SIGINT, SIGTERM or SIGHUP.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind};
use ratatui::crossterm::execute;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::state::{Action, ChatState, UiEvent};
use crate::view::draw;

/// A request for the agent, made by the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Answer a question.
    Ask(String),
    /// Load a data file.
    Load(PathBuf),
    /// Switch the language model.
    SetModel(String),
    /// Write the session report.
    Report,
    /// Save the session.
    Save,
}

/// Where the agent's events go.
pub type EventSender = mpsc::UnboundedSender<UiEvent>;

/// The agent side of the chat: carries out one request at a time, reporting as it goes.
pub trait ChatBackend: Send + 'static {
    /// Carries out `request`, sending events to `events`, and returns when it is done (or
    /// cancelled through `cancel`). The runtime sends [`UiEvent::RunFinished`] afterwards.
    fn handle(
        &mut self,
        request: Request,
        events: EventSender,
        cancel: CancellationToken,
    ) -> impl Future<Output = ()> + Send;
}

/// How often the screen refreshes while nothing happens (clocks of running steps).
const TICK: Duration = Duration::from_millis(50);

/// Runs the chat in the terminal until the user quits. The backend runs on `runtime`.
pub fn run<B: ChatBackend>(
    backend: B,
    mut state: ChatState,
    runtime: &tokio::runtime::Handle,
) -> io::Result<()> {
    let (request_tx, request_rx) = mpsc::unbounded_channel::<(Request, CancellationToken)>();
    let (event_tx, mut event_rx) = mpsc::unbounded_channel::<UiEvent>();
    let worker = runtime.spawn(serve(backend, request_rx, event_tx));
    let stop = Arc::new(AtomicBool::new(false));
    let signals = runtime.spawn(watch_signals(Arc::clone(&stop)));

    let mut terminal = ratatui::try_init()?;
    let result = (|| -> io::Result<()> {
        execute!(io::stdout(), EnableBracketedPaste)?;
        let mut current: Option<CancellationToken> = None;
        // Redraw only when something changed, or while a request runs (its clocks move): an idle
        // chat then costs no CPU on a shared machine.
        let mut dirty = true;
        while !stop.load(Ordering::Relaxed) {
            if worker.is_finished() {
                // Only a panic ends the worker while the loop runs; the panic hook has already
                // left the alternate screen, so the chat cannot go on.
                return Err(io::Error::other(
                    "the agent stopped unexpectedly; the session is saved up to its last step",
                ));
            }
            while let Ok(event) = event_rx.try_recv() {
                if matches!(event, UiEvent::RunFinished { .. }) {
                    current = None;
                }
                state.apply(event);
                dirty = true;
            }
            if dirty || state.running {
                state.tick(Instant::now());
                terminal.draw(|frame| draw(frame, &state))?;
                dirty = false;
            }
            if !event::poll(TICK)? {
                continue;
            }
            dirty = true;
            let action = match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => state.handle_key(key),
                Event::Paste(text) => {
                    state.paste(&text);
                    None
                }
                _ => None,
            };
            let request = match action {
                None => continue,
                Some(Action::Quit) => break,
                Some(Action::Cancel) => {
                    if let Some(token) = &current {
                        token.cancel();
                    }
                    continue;
                }
                Some(Action::Ask(question)) => Request::Ask(question),
                Some(Action::Load(path)) => Request::Load(path),
                Some(Action::SetModel(spec)) => Request::SetModel(spec),
                Some(Action::Report) => Request::Report,
                Some(Action::Save) => Request::Save,
            };
            let token = CancellationToken::new();
            current = Some(token.clone());
            if request_tx.send((request, token)).is_err() {
                state.apply(UiEvent::Error("the agent stopped; restart the chat".into()));
                state.apply(UiEvent::RunFinished { cancelled: false });
            }
        }
        if let Some(token) = current {
            token.cancel();
        }
        Ok(())
    })();
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    drop(request_tx);
    worker.abort();
    signals.abort();
    result
}

/// Sets `stop` on SIGINT or SIGTERM, so that the loop ends and restores the terminal, and ends the
/// process on SIGHUP (a closed terminal); in raw mode Ctrl-C is a key, but `kill` sends signals.
#[cfg(unix)]
async fn watch_signals(stop: Arc<AtomicBool>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) =
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()), signal(SignalKind::hangup()))
    else {
        return;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
        _ = hup.recv() => {
            // The terminal is gone: there is nothing left to restore or draw on, and reading
            // from the closed terminal can keep the input poll from ever returning. The session
            // was saved after its last step, so ending here loses nothing already computed.
            std::process::exit(129);
        }
    }
    stop.store(true, Ordering::Relaxed);
}

/// Sets `stop` on Ctrl-C delivered as a signal.
#[cfg(not(unix))]
async fn watch_signals(stop: Arc<AtomicBool>) {
    if tokio::signal::ctrl_c().await.is_ok() {
        stop.store(true, Ordering::Relaxed);
    }
}

/// The worker task: runs requests in order and marks the end of each.
async fn serve<B: ChatBackend>(
    mut backend: B,
    mut requests: mpsc::UnboundedReceiver<(Request, CancellationToken)>,
    events: EventSender,
) {
    while let Some((request, cancel)) = requests.recv().await {
        backend.handle(request, events.clone(), cancel.clone()).await;
        let _ = events.send(UiEvent::RunFinished { cancelled: cancel.is_cancelled() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers questions at once, but waits for cancellation on `slow`.
    struct Fake;

    impl ChatBackend for Fake {
        async fn handle(&mut self, request: Request, events: EventSender, cancel: CancellationToken) {
            match request {
                Request::Ask(q) if q == "slow" => cancel.cancelled().await,
                other => {
                    let _ = events.send(UiEvent::Answer(format!("{other:?}")));
                }
            }
        }
    }

    #[tokio::test]
    async fn requests_run_in_order_and_a_cancelled_one_is_reported_as_such() {
        let (request_tx, request_rx) = mpsc::unbounded_channel();
        let (event_tx, mut event_rx) = mpsc::unbounded_channel();
        let worker = tokio::spawn(serve(Fake, request_rx, event_tx));
        let slow = CancellationToken::new();
        request_tx.send((Request::Ask("slow".into()), slow.clone())).unwrap();
        request_tx.send((Request::Save, CancellationToken::new())).unwrap();
        slow.cancel();
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(format!("{:?}", event_rx.recv().await.unwrap()));
        }
        assert_eq!(
            seen,
            ["RunFinished { cancelled: true }", "Answer(\"Save\")", "RunFinished { cancelled: false }"]
        );
        drop(request_tx);
        worker.await.unwrap();
    }
}
