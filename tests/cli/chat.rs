//! `causa chat` end to end: the real program in a real terminal (tmux), driven by keystrokes and
//! read back from the screen. Each test runs its own tmux server (a private socket) and its own
//! sessions folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::Sandbox;

/// A tmux server with one window running a command, 120x40.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Starts `command` (a shell command line) in a new detached tmux session.
    fn start(sandbox: &Sandbox, name: &str, command: &str) -> Tmux {
        let socket = sandbox.path().join(format!("tmux-{name}.sock"));
        let tmux = Tmux { socket };
        tmux.run(&["new-session", "-d", "-x", "120", "-y", "50", "-s", name, command]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is installed (scripts/lib.sh installs it)");
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types literal text.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-l", text]);
    }

    /// Sends tmux key names (`Enter`, `C-c`, `Tab`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    /// Polls the screen until `ready` holds, failing with the screen after `timeout`.
    fn wait_for(&self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(start.elapsed() < timeout, "timed out waiting for {what}; the screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the process running in the window.
    fn pane_pid(&self) -> u32 {
        self.run(&["display-message", "-p", "#{pane_pid}"]).trim().parse().expect("a pid")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-S").arg(&self.socket).arg("kill-server").output();
    }
}

const WAIT: Duration = Duration::from_secs(120);

/// The shell command line that runs `causa ARGS` in `dir` with a private sessions folder, and
/// then reports how it exited (and keeps the window open to be read).
fn chat_command(dir: &Path, sessions: &Path, args: &str, exec: bool) -> String {
    let causa = env!("CARGO_BIN_EXE_causa");
    let run = format!(
        "cd '{}' && CAUSA_SESSIONS_DIR='{}' {}'{causa}' chat {args}",
        dir.display(),
        sessions.display(),
        if exec { "exec " } else { "" }
    );
    if exec { run } else { format!("{run}; echo \"EXITED $?\"; sleep 600") }
}

/// Simulates `data.csv` from a known graph in which x1 affects x3 directly and through x2.
fn simulate_data(sandbox: &Sandbox) {
    sandbox
        .run(&[
            "simulate",
            "x1 -> x2; x2 -> x3; x1 -> x3; x4 -> x3",
            "--samples",
            "1500",
            "--seed",
            "4",
            "--out",
            "data.csv",
        ])
        .ok();
}

/// Runs `causa ARGS` in `dir` with the sessions folder `sessions`.
fn causa_with_sessions(dir: &Path, sessions: &Path, args: &[&str]) -> crate::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_causa"))
        .args(args)
        .current_dir(dir)
        .env("CAUSA_SESSIONS_DIR", sessions)
        .output()
        .unwrap();
    crate::Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn chat_answers_a_question_with_the_graph_on_screen_and_exits_cleanly() {
    let sandbox = Sandbox::new("chat-answer");
    simulate_data(&sandbox);
    let sessions = sandbox.path().join("sessions");
    let command = chat_command(sandbox.path(), &sessions, "--model none --data data.csv", false);
    let tmux = Tmux::start(&sandbox, "answer", &command);
    let screen = tmux.wait_for("the chat with the data loaded", WAIT, |s| s.contains("loaded data.csv"));
    assert!(screen.contains("1500 rows"), "{screen}");
    assert!(screen.contains("model none"), "the status bar names the model:\n{screen}");

    tmux.type_text("What is the effect of x1 on x3?");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the answer", WAIT, |s| s.contains("● Answer") && s.contains("○ idle"));
    assert!(screen.contains("› What is the effect of x1 on x3?"), "{screen}");
    assert!(screen.contains("⚙ "), "the tool calls are traced:\n{screen}");
    // The graph pane shows the learned graph with its edges.
    assert!(screen.contains("Graph: "), "{screen}");
    assert!(screen.lines().any(|l| l.contains("x1") && (l.contains("->") || l.contains("--"))), "{screen}");
    // The effects pane has the estimate of x1 on x3.
    assert!(screen.contains("x1 → x3"), "{screen}");

    // The data pane describes the columns.
    assert!(
        screen.lines().any(|l| l.contains("x2") && l.contains("continuous") && l.contains("mean")),
        "{screen}"
    );

    // A multi-line draft (Alt-Enter), cleared by Ctrl-C without quitting.
    tmux.type_text("first line");
    tmux.keys(&["M-Enter"]);
    tmux.type_text("second line");
    let screen = tmux.wait_for("a two-line draft", WAIT, |s| s.contains("│second line"));
    assert!(screen.contains("│first line"), "{screen}");
    tmux.keys(&["C-c"]);
    tmux.wait_for("the draft cleared", WAIT, |s| !s.contains("first line"));

    // Switching models: a bad spec is an error on screen, a good one a notice.
    tmux.type_text("/model nonsense:x");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the bad model spec", WAIT, |s| {
        s.contains("✗ ") && s.contains("nonsense") && s.contains("○ idle")
    });
    tmux.type_text("/model none");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the model switch", WAIT, |s| s.contains("· model: none"));

    // A smaller terminal: the side panes collapse, Tab brings them one at a time.
    tmux.run(&["resize-window", "-x", "80", "-y", "24"]);
    tmux.wait_for("the narrow layout", WAIT, |s| s.contains("Conversation · Tab: data, graph, effects"));
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.wait_for("the graph pane alone", WAIT, |s| s.contains("┌ Graph: ") && !s.contains("Conversation"));
    tmux.keys(&["Escape"]);
    tmux.run(&["resize-window", "-x", "120", "-y", "40"]);
    tmux.wait_for("the wide layout again", WAIT, |s| s.contains("┌ Data ") && s.contains("┌ Conversation "));

    // `/report` writes the agent's report files, with the question and its events.
    tmux.type_text("/report");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the report", WAIT, |s| s.contains("report written"));
    let folders: Vec<PathBuf> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("causa-report-")))
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    let markdown = std::fs::read_to_string(folders[0].join("report.md")).unwrap();
    assert!(markdown.contains("x1") && markdown.contains("x3"), "{markdown}");
    let transcript = std::fs::read_to_string(folders[0].join("transcript.jsonl")).unwrap();
    assert!(transcript.contains(r#""type":"answer""#), "{transcript}");

    tmux.type_text("/quit");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the exit", WAIT, |s| s.contains("EXITED "));
    assert!(screen.contains("EXITED 0"), "{screen}");
    assert!(!screen.contains("Conversation"), "the terminal is restored (alternate screen left):\n{screen}");
}

#[test]
fn a_killed_chat_resumes_with_nothing_lost() {
    let sandbox = Sandbox::new("chat-resume");
    simulate_data(&sandbox);
    // A second, larger dataset whose analysis takes a few seconds: long enough to be killed in.
    sandbox
        .run(&[
            "simulate",
            "--nodes",
            "12",
            "--degree",
            "2",
            "--samples",
            "8000",
            "--seed",
            "5",
            "--out",
            "mid.csv",
        ])
        .ok();
    let sessions = sandbox.path().join("sessions");
    let command = chat_command(sandbox.path(), &sessions, "--model none --data data.csv", true);
    let tmux = Tmux::start(&sandbox, "first", &command);
    tmux.wait_for("the chat", WAIT, |s| s.contains("loaded data.csv"));
    tmux.type_text("What is the effect of x1 on x3?");
    tmux.keys(&["Enter"]);
    let first = tmux.wait_for("the first answer", WAIT, |s| s.contains("● Answer") && s.contains("○ idle"));
    let answer_line = first
        .lines()
        .skip_while(|l| !l.contains("● Answer"))
        .nth(1)
        .and_then(|l| l.split('│').nth(1))
        .unwrap_or("")
        .trim()
        .to_string();
    assert!(answer_line.contains("x1"), "{first}");

    // A second question, on the larger data, killed while it runs.
    tmux.type_text("/load mid.csv");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the second dataset", WAIT, |s| s.contains("loaded mid.csv") && s.contains("○ idle"));
    tmux.type_text("What is the effect of x1 on x12?");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the second run to be under way", WAIT, |s| {
        s.contains("› What is the effect of x1 on x12?") && s.contains("● running") && s.contains("⚙ ")
    });
    let pid = tmux.pane_pid();
    assert!(Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap().success());
    drop(tmux);

    let listed = causa_with_sessions(sandbox.path(), &sessions, &["chat", "--list", "--json"]).json();
    let all = listed["sessions"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{listed}");
    let id = all[0]["id"].as_str().unwrap().to_string();
    assert_eq!(all[0]["questions"], 2, "{listed}");
    let files: Vec<&str> =
        all[0]["data_files"].as_array().unwrap().iter().filter_map(|f| f.as_str()).collect();
    assert_eq!(files, ["data.csv", "mid.csv"], "{listed}");
    let text = causa_with_sessions(sandbox.path(), &sessions, &["chat", "--list"]);
    assert!(text.ok().contains(&id) && text.ok().contains("data.csv, mid.csv"), "{text:?}");

    let command = chat_command(sandbox.path(), &sessions, &format!("--model none --resume {id}"), false);
    let tmux = Tmux::start(&sandbox, "resumed", &command);
    let screen = tmux.wait_for("the resumed session", WAIT, |s| s.contains(&format!("resumed session {id}")));
    assert!(screen.contains("› What is the effect of x1 on x12?"), "{screen}");
    assert!(screen.contains("interrupted before an answer"), "the killed run had not answered:\n{screen}");
    assert!(screen.contains("mid.csv"), "the latest dataset is back in its pane:\n{screen}");
    // The first question and its answer are there too: collapse the tool calls, go to the top.
    tmux.keys(&["C-t", "Tab", "Home"]);
    let screen = tmux
        .wait_for("the top of the conversation", WAIT, |s| s.contains("› What is the effect of x1 on x3?"));
    assert!(screen.contains(&answer_line), "the earlier answer ({answer_line}) is shown:\n{screen}");

    // The resumed session goes on: it answers a new question.
    tmux.keys(&["Escape"]);
    tmux.type_text("What is the effect of x4 on x3?");
    tmux.keys(&["Enter"]);
    let screen =
        tmux.wait_for("the answer after resuming", WAIT, |s| s.contains("x4 → x3") && s.contains("○ idle"));
    assert!(screen.contains("● Answer"), "{screen}");
    tmux.keys(&["C-c"]);
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("the exit after two Ctrl-C", WAIT, |s| s.contains("EXITED "));
    assert!(screen.contains("EXITED 0"), "{screen}");
}

#[test]
fn chat_input_errors_exit_with_code_2_before_the_screen_opens() {
    let sandbox = Sandbox::new("chat-errors");
    let sessions = sandbox.path().join("sessions");
    let run = |args: &[&str]| causa_with_sessions(sandbox.path(), &sessions, args);
    let err = run(&["chat", "--model", "none", "--data", "missing.csv"]);
    assert!(err.invalid_input().contains("missing.csv"), "{err:?}");
    let err = run(&["chat", "--model", "none", "--resume", "nope"]);
    assert!(err.invalid_input().contains("nope"), "{err:?}");
    let err = run(&["chat", "--model", "nonsense:x"]);
    assert!(err.invalid_input().contains("nonsense"), "{err:?}");
    // The agent settings are checked as `causa ask` checks them.
    let err = run(&["chat", "--model", "none", "--max-steps", "0"]);
    assert!(err.invalid_input().contains("--max-steps must be at least 1"), "{err:?}");
    let err = run(&["chat", "--model", "none", "--prompts", "no-such-folder"]);
    assert!(err.invalid_input().contains("no-such-folder"), "{err:?}");
    // Without a terminal the chat refuses to start.
    let err = run(&["chat", "--model", "none"]);
    assert!(err.invalid_input().contains("needs a terminal"), "{err:?}");
    // An empty sessions folder lists as such.
    assert!(run(&["chat", "--list"]).ok().contains("No saved sessions"));
}

#[test]
fn closing_the_terminal_ends_the_chat() {
    let sandbox = Sandbox::new("chat-hangup");
    simulate_data(&sandbox);
    let sessions = sandbox.path().join("sessions");
    let command = chat_command(sandbox.path(), &sessions, "--model none --data data.csv", true);
    let tmux = Tmux::start(&sandbox, "hangup", &command);
    tmux.wait_for("the chat", WAIT, |s| s.contains("loaded data.csv"));
    let pid = tmux.pane_pid();
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists(), "the chat runs as pid {pid}");
    // Closing the terminal (the whole tmux server) sends SIGHUP; the chat must end rather than
    // keep polling a terminal that is gone.
    tmux.run(&["kill-server"]);
    let start = Instant::now();
    while proc_dir.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!proc_dir.exists(), "the chat (pid {pid}) still runs 30 s after its terminal closed");
}
