//! The input box: multi-line editing, history and slash commands.
//!
//! Kept free of terminal I/O (it takes key events and returns what the user submitted) so that
//! every editing rule is unit-tested. Enter sends; Alt-Enter, Shift-Enter and Ctrl-J insert a
//! newline (terminals differ in which of these they can report). Up and Down move between lines
//! of a multi-line draft and, from its first or last line, through the history of sent inputs;
//! the draft being written is kept while browsing.

use std::fmt;
use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The editable text, its cursor and the history of sent inputs.
#[derive(Debug, Clone, Default)]
pub struct InputBox {
    lines: Vec<String>,
    /// Cursor row (index into `lines`).
    row: usize,
    /// Cursor column, in characters.
    col: usize,
    history: Vec<String>,
    /// Which history entry is shown (None: the draft).
    browsing: Option<usize>,
    draft: String,
}

/// What a key did to the input box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputOutcome {
    /// The key was handled (the text or cursor may have changed).
    Edited,
    /// Enter on a non-empty text: the text, now cleared from the box and added to the history.
    Submitted(String),
    /// The key means nothing to the input box.
    Ignored,
}

impl InputBox {
    /// An empty input box with no history.
    pub fn new() -> Self {
        InputBox { lines: vec![String::new()], ..InputBox::default() }
    }

    /// An empty input box whose history holds `history` (oldest first).
    pub fn with_history(history: Vec<String>) -> Self {
        InputBox { history, ..InputBox::new() }
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The lines of the text (at least one).
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The cursor as (row, column in characters).
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    /// The inputs sent so far, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        self.lines = text.split('\n').map(str::to_string).collect();
        self.row = self.lines.len() - 1;
        self.col = self.current().chars().count();
    }

    /// Adds an input sent elsewhere (a resumed session's questions) to the history.
    pub fn remember(&mut self, text: &str) {
        if !text.trim().is_empty() && self.history.last().map(String::as_str) != Some(text) {
            self.history.push(text.to_string());
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, key: KeyEvent) -> InputOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let newline_modifier = key.modifiers.intersects(KeyModifiers::ALT | KeyModifiers::SHIFT);
        match key.code {
            KeyCode::Enter if newline_modifier => self.insert_newline(),
            KeyCode::Char('j') if ctrl => self.insert_newline(),
            KeyCode::Enter => return self.submit(),
            KeyCode::Char('a') if ctrl => self.col = 0,
            KeyCode::Char('e') if ctrl => self.col = self.current().chars().count(),
            KeyCode::Char('u') if ctrl => self.kill_to_start(),
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Char(c) if !ctrl => self.insert_char(c),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.col = 0,
            KeyCode::End => self.col = self.current().chars().count(),
            KeyCode::Up => self.up(),
            KeyCode::Down => self.down(),
            _ => return InputOutcome::Ignored,
        }
        InputOutcome::Edited
    }

    /// Inserts pasted text at the cursor (newlines included).
    pub fn paste(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                self.insert_newline();
            }
            for c in piece.chars() {
                self.insert_char(c);
            }
        }
    }

    fn current(&self) -> &str {
        self.lines.get(self.row).map_or("", String::as_str)
    }

    fn current_mut(&mut self) -> &mut String {
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        let row = self.row.min(self.lines.len() - 1);
        &mut self.lines[row]
    }

    fn byte_at(&self, col: usize) -> usize {
        let line = self.current();
        line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    fn insert_char(&mut self, c: char) {
        let at = self.byte_at(self.col);
        self.current_mut().insert(at, c);
        self.col += 1;
    }

    fn insert_newline(&mut self) {
        let at = self.byte_at(self.col);
        let tail = self.current_mut().split_off(at);
        self.lines.insert(self.row + 1, tail);
        self.row += 1;
        self.col = 0;
    }

    fn backspace(&mut self) {
        if self.col > 0 {
            let at = self.byte_at(self.col - 1);
            self.current_mut().remove(at);
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.current().chars().count();
            self.current_mut().push_str(&line);
        }
    }

    fn delete(&mut self) {
        if self.col < self.current().chars().count() {
            let at = self.byte_at(self.col);
            self.current_mut().remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.current_mut().push_str(&next);
        }
    }

    fn kill_to_start(&mut self) {
        let at = self.byte_at(self.col);
        self.current_mut().replace_range(..at, "");
        self.col = 0;
    }

    fn delete_word(&mut self) {
        let chars: Vec<char> = self.current().chars().collect();
        let mut start = self.col;
        while start > 0 && chars[start - 1] == ' ' {
            start -= 1;
        }
        while start > 0 && chars[start - 1] != ' ' {
            start -= 1;
        }
        let (from, to) = (self.byte_at(start), self.byte_at(self.col));
        self.current_mut().replace_range(from..to, "");
        self.col = start;
    }

    fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.current().chars().count();
        }
    }

    fn right(&mut self) {
        if self.col < self.current().chars().count() {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    fn up(&mut self) {
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(self.current().chars().count());
            return;
        }
        let target = match self.browsing {
            None if !self.history.is_empty() => {
                self.draft = self.text();
                self.history.len() - 1
            }
            Some(i) if i > 0 => i - 1,
            _ => return,
        };
        self.browsing = Some(target);
        let entry = self.history[target].clone();
        self.set_text(&entry);
    }

    fn down(&mut self) {
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(self.current().chars().count());
            return;
        }
        match self.browsing {
            Some(i) if i + 1 < self.history.len() => {
                self.browsing = Some(i + 1);
                let entry = self.history[i + 1].clone();
                self.set_text(&entry);
            }
            Some(_) => {
                self.browsing = None;
                let draft = std::mem::take(&mut self.draft);
                self.set_text(&draft);
            }
            None => {}
        }
    }

    fn submit(&mut self) -> InputOutcome {
        let text = self.text();
        if text.trim().is_empty() {
            return InputOutcome::Edited;
        }
        self.remember(&text);
        self.browsing = None;
        self.draft.clear();
        self.set_text("");
        InputOutcome::Submitted(text)
    }
}

/// A slash command typed in the input box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashCommand {
    /// `/load FILE`: load a data file into the session.
    Load(PathBuf),
    /// `/model SPEC`: switch the language model (`none`, `local`, `local:PATH`, `openai:NAME`).
    Model(String),
    /// `/graph`: show the graph pane.
    Graph,
    /// `/report`: write the session's report.
    Report,
    /// `/save`: save the session now.
    Save,
    /// `/clear`: clear the transcript on screen (the session keeps its history).
    Clear,
    /// `/help`: show the keys and commands.
    Help,
    /// `/quit`: leave.
    Quit,
}

/// The slash commands with their argument and what they do, for the help screen.
pub const COMMANDS: [(&str, &str); 8] = [
    ("/load FILE", "load data (CSV, TSV, Parquet, JSON)"),
    ("/model SPEC", "none, local, local:PATH, openai:NAME"),
    ("/graph", "show the current graph"),
    ("/report", "write the report (Markdown, HTML, JSON)"),
    ("/save", "save the session now"),
    ("/clear", "clear the transcript on screen"),
    ("/help", "show keys and commands"),
    ("/quit", "leave (the session is kept)"),
];

/// What the user sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// A question (or instruction) for the agent.
    Question(String),
    /// A slash command.
    Command(SlashCommand),
}

/// A slash command that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// The command name is not known.
    Unknown(String),
    /// The command needs an argument.
    MissingArgument {
        /// The command, with its slash.
        command: &'static str,
        /// What the argument is.
        argument: &'static str,
    },
    /// The command takes no argument, or fewer than given.
    UnexpectedArgument {
        /// The command, with its slash.
        command: &'static str,
        /// The text that was not expected.
        argument: String,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Unknown(name) => {
                let known: Vec<&str> =
                    COMMANDS.iter().map(|(c, _)| c.split(' ').next().unwrap_or(c)).collect();
                write!(f, "unknown command `/{name}`; the commands are {}", known.join(", "))
            }
            CommandError::MissingArgument { command, argument } => {
                write!(f, "`{command}` needs {argument}, e.g. `{command} {}`", example(command))
            }
            CommandError::UnexpectedArgument { command, argument } => {
                write!(f, "`{command}` takes no argument, but `{argument}` was given")
            }
        }
    }
}

impl std::error::Error for CommandError {}

fn example(command: &str) -> &'static str {
    if command == "/load" { "data.csv" } else { "none" }
}

/// Reads a submitted text: a slash command when it starts with `/` (`//` escapes a question that
/// starts with a slash), otherwise a question. Returns `Ok(None)` for blank text.
pub fn parse_submission(text: &str) -> Result<Option<Submission>, CommandError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if let Some(escaped) = trimmed.strip_prefix("//") {
        return Ok(Some(Submission::Question(format!("/{escaped}"))));
    }
    let Some(command) = trimmed.strip_prefix('/') else {
        return Ok(Some(Submission::Question(trimmed.to_string())));
    };
    let (name, argument) = match command.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (command, ""),
    };
    let no_argument = |command: &'static str, parsed: SlashCommand| {
        if argument.is_empty() {
            Ok(parsed)
        } else {
            Err(CommandError::UnexpectedArgument { command, argument: argument.to_string() })
        }
    };
    let parsed = match name {
        "load" if argument.is_empty() => {
            return Err(CommandError::MissingArgument { command: "/load", argument: "a data file" });
        }
        "load" => SlashCommand::Load(PathBuf::from(unquote(argument))),
        "model" if argument.is_empty() => {
            return Err(CommandError::MissingArgument { command: "/model", argument: "a model spec" });
        }
        "model" if argument.contains(char::is_whitespace) => {
            return Err(CommandError::UnexpectedArgument {
                command: "/model",
                argument: argument.split_once(char::is_whitespace).map_or("", |(_, r)| r).trim().to_string(),
            });
        }
        "model" => SlashCommand::Model(argument.to_string()),
        "graph" => no_argument("/graph", SlashCommand::Graph)?,
        "report" => no_argument("/report", SlashCommand::Report)?,
        "save" => no_argument("/save", SlashCommand::Save)?,
        "clear" => no_argument("/clear", SlashCommand::Clear)?,
        "help" | "?" => no_argument("/help", SlashCommand::Help)?,
        "quit" | "exit" | "q" => no_argument("/quit", SlashCommand::Quit)?,
        other => return Err(CommandError::Unknown(other.to_string())),
    };
    Ok(Some(Submission::Command(parsed)))
}

/// Strips one pair of matching quotes, so that paths with spaces can be given.
fn unquote(text: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(input: &mut InputBox, text: &str) {
        for c in text.chars() {
            assert_eq!(input.handle_key(key(KeyCode::Char(c))), InputOutcome::Edited);
        }
    }

    #[test]
    fn enter_submits_and_clears_and_blank_input_is_not_sent() {
        let mut input = InputBox::new();
        assert_eq!(input.handle_key(key(KeyCode::Enter)), InputOutcome::Edited);
        typed(&mut input, "effect of x on y?");
        assert_eq!(
            input.handle_key(key(KeyCode::Enter)),
            InputOutcome::Submitted("effect of x on y?".into())
        );
        assert_eq!(input.text(), "");
        assert_eq!(input.history(), ["effect of x on y?"]);
    }

    #[test]
    fn alt_enter_shift_enter_and_ctrl_j_insert_newlines() {
        let mut input = InputBox::new();
        typed(&mut input, "a");
        input.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
        typed(&mut input, "b");
        input.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::SHIFT));
        typed(&mut input, "c");
        input.handle_key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL));
        typed(&mut input, "d");
        assert_eq!(input.lines(), ["a", "b", "c", "d"]);
        assert_eq!(input.cursor(), (3, 1));
        assert_eq!(input.handle_key(key(KeyCode::Enter)), InputOutcome::Submitted("a\nb\nc\nd".into()));
    }

    #[test]
    fn editing_in_the_middle_of_lines() {
        let mut input = InputBox::new();
        typed(&mut input, "héllo");
        input.handle_key(key(KeyCode::Left));
        input.handle_key(key(KeyCode::Left));
        input.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
        assert_eq!(input.lines(), ["hél", "lo"]);
        input.handle_key(key(KeyCode::Backspace));
        assert_eq!(input.lines(), ["héllo"]);
        assert_eq!(input.cursor(), (0, 3));
        input.handle_key(key(KeyCode::Backspace));
        input.handle_key(key(KeyCode::Delete));
        assert_eq!(input.text(), "héo");
        input.handle_key(key(KeyCode::Home));
        typed(&mut input, ">");
        input.handle_key(key(KeyCode::End));
        typed(&mut input, "<");
        assert_eq!(input.text(), ">héo<");
        typed(&mut input, " two words");
        input.handle_key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), ">héo< two ");
        input.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "");
    }

    #[test]
    fn up_and_down_walk_the_history_and_keep_the_draft() {
        let mut input = InputBox::with_history(vec!["first".into(), "second".into()]);
        typed(&mut input, "draft");
        input.handle_key(key(KeyCode::Up));
        assert_eq!(input.text(), "second");
        input.handle_key(key(KeyCode::Up));
        assert_eq!(input.text(), "first");
        input.handle_key(key(KeyCode::Up));
        assert_eq!(input.text(), "first", "stops at the oldest");
        input.handle_key(key(KeyCode::Down));
        assert_eq!(input.text(), "second");
        input.handle_key(key(KeyCode::Down));
        assert_eq!(input.text(), "draft");
        input.handle_key(key(KeyCode::Down));
        assert_eq!(input.text(), "draft");
    }

    #[test]
    fn up_and_down_move_between_lines_before_the_history() {
        let mut input = InputBox::with_history(vec!["old".into()]);
        input.paste("line one\nline two");
        assert_eq!(input.cursor(), (1, 8));
        input.handle_key(key(KeyCode::Up));
        assert_eq!((input.cursor(), input.text().as_str()), ((0, 8), "line one\nline two"));
        input.handle_key(key(KeyCode::Up));
        assert_eq!(input.text(), "old");
        input.handle_key(key(KeyCode::Down));
        assert_eq!(input.text(), "line one\nline two");
    }

    #[test]
    fn a_repeated_input_is_stored_once_and_a_sent_history_entry_is_resent() {
        let mut input = InputBox::new();
        for _ in 0..2 {
            typed(&mut input, "same");
            input.handle_key(key(KeyCode::Enter));
        }
        assert_eq!(input.history(), ["same"]);
        input.handle_key(key(KeyCode::Up));
        assert_eq!(input.handle_key(key(KeyCode::Enter)), InputOutcome::Submitted("same".into()));
    }

    #[test]
    fn paste_normalises_line_endings() {
        let mut input = InputBox::new();
        input.paste("a\r\nb\rc");
        assert_eq!(input.lines(), ["a", "b", "c"]);
    }

    #[test]
    fn keys_the_box_does_not_use_are_ignored() {
        let mut input = InputBox::new();
        assert_eq!(input.handle_key(key(KeyCode::Tab)), InputOutcome::Ignored);
        assert_eq!(input.handle_key(key(KeyCode::PageUp)), InputOutcome::Ignored);
        assert_eq!(
            input.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            InputOutcome::Ignored
        );
    }

    fn command(text: &str) -> SlashCommand {
        match parse_submission(text) {
            Ok(Some(Submission::Command(c))) => c,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn slash_commands_parse() {
        assert_eq!(command("/load data.csv"), SlashCommand::Load("data.csv".into()));
        assert_eq!(command("  /load   \"my data.csv\" "), SlashCommand::Load("my data.csv".into()));
        assert_eq!(command("/model openai:gpt-4o"), SlashCommand::Model("openai:gpt-4o".into()));
        assert_eq!(command("/graph"), SlashCommand::Graph);
        assert_eq!(command("/report"), SlashCommand::Report);
        assert_eq!(command("/save"), SlashCommand::Save);
        assert_eq!(command("/clear"), SlashCommand::Clear);
        assert_eq!(command("/help"), SlashCommand::Help);
        assert_eq!(command("/quit"), SlashCommand::Quit);
        assert_eq!(command("/exit"), SlashCommand::Quit);
    }

    #[test]
    fn questions_blank_text_and_escaped_slashes() {
        assert_eq!(
            parse_submission("  does x cause y? "),
            Ok(Some(Submission::Question("does x cause y?".into())))
        );
        assert_eq!(parse_submission(" \n "), Ok(None));
        assert_eq!(
            parse_submission("//etc is a path"),
            Ok(Some(Submission::Question("/etc is a path".into())))
        );
    }

    #[test]
    fn slash_command_errors_name_the_problem() {
        let err = parse_submission("/lod x.csv").unwrap_err();
        assert_eq!(err, CommandError::Unknown("lod".into()));
        assert!(err.to_string().contains("`/lod`") && err.to_string().contains("/load"), "{err}");
        let err = parse_submission("/load").unwrap_err();
        assert_eq!(err.to_string(), "`/load` needs a data file, e.g. `/load data.csv`");
        let err = parse_submission("/model").unwrap_err();
        assert!(matches!(err, CommandError::MissingArgument { command: "/model", .. }));
        let err = parse_submission("/graph big").unwrap_err();
        assert_eq!(err.to_string(), "`/graph` takes no argument, but `big` was given");
        let err = parse_submission("/model local extra").unwrap_err();
        assert_eq!(err, CommandError::UnexpectedArgument { command: "/model", argument: "extra".into() });
    }
}
