//! Word wrapping of styled text into terminal lines.
//!
//! The transcript needs to know how many rows each entry takes before it draws (to scroll and to
//! stick to the bottom while tokens stream in), so it wraps text itself instead of leaving that to
//! the `Paragraph` widget. Continuation lines get a prefix of their own, which is how list items
//! and quotes keep their hanging indent.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A run of text in one style.
pub type Segment = (String, Style);

/// Flows `segments` into lines at most `width` columns wide, breaking between words (and inside
/// a word only when it is wider than a line). The first line starts with `first`, later ones with
/// `rest`; both prefixes count towards the width. A `'\n'` in the text forces a break.
pub fn flow(
    segments: &[Segment],
    first: &[Span<'static>],
    rest: &[Span<'static>],
    width: usize,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut builder = LineBuilder::new(first, rest, width);
    for (text, style) in segments {
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                builder.finish(&mut out);
            }
            for token in tokens(piece) {
                builder.push(token, *style, &mut out);
            }
        }
    }
    builder.finish_last(&mut out);
    out
}

/// Wraps plain text in one style (newlines kept) with a prefix on every line.
pub fn wrap_plain(text: &str, style: Style, prefix: &str, width: usize) -> Vec<Line<'static>> {
    let first = [Span::styled(prefix.to_string(), style)];
    let rest = [Span::raw(" ".repeat(prefix.width()))];
    flow(&[(text.to_string(), style)], &first, &rest, width)
}

/// Splits text into alternating runs of spaces and of other characters.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in text.char_indices() {
        let space = c == ' ';
        if in_space.is_some_and(|s| s != space) {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = Some(space);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

struct LineBuilder<'p> {
    first: &'p [Span<'static>],
    rest: &'p [Span<'static>],
    width: usize,
    spans: Vec<Span<'static>>,
    used: usize,
    lines_made: usize,
    has_text: bool,
}

impl<'p> LineBuilder<'p> {
    fn new(first: &'p [Span<'static>], rest: &'p [Span<'static>], width: usize) -> Self {
        let mut builder = LineBuilder {
            first,
            rest,
            width: width.max(1),
            spans: Vec::new(),
            used: 0,
            lines_made: 0,
            has_text: false,
        };
        builder.start_line();
        builder
    }

    fn start_line(&mut self) {
        let prefix = if self.lines_made == 0 { self.first } else { self.rest };
        self.spans = prefix.to_vec();
        self.used = prefix.iter().map(Span::width).sum();
        self.has_text = false;
    }

    fn finish(&mut self, out: &mut Vec<Line<'static>>) {
        let spans = std::mem::take(&mut self.spans);
        out.push(Line::from(trim_trailing_spaces(spans)));
        self.lines_made += 1;
        self.start_line();
    }

    fn finish_last(&mut self, out: &mut Vec<Line<'static>>) {
        if self.has_text || self.lines_made == 0 {
            self.finish(out);
        }
    }

    fn push(&mut self, token: &str, style: Style, out: &mut Vec<Line<'static>>) {
        let token_width = token.width();
        let is_space = token.starts_with(' ');
        if self.used + token_width <= self.width {
            self.append(token, style, token_width);
            return;
        }
        if is_space {
            // A break swallows the spaces at which it happens.
            if self.has_text {
                self.finish(out);
            }
            return;
        }
        if self.has_text {
            self.finish(out);
            if self.used + token_width <= self.width {
                self.append(token, style, token_width);
                return;
            }
        }
        self.split_long(token, style, out);
    }

    /// Places a word wider than the free space, character by character.
    fn split_long(&mut self, token: &str, style: Style, out: &mut Vec<Line<'static>>) {
        let mut chunk = String::new();
        let mut chunk_width = 0;
        for c in token.chars() {
            let w = c.width().unwrap_or(0);
            if self.used + chunk_width + w > self.width && (self.has_text || !chunk.is_empty()) {
                let done = std::mem::take(&mut chunk);
                self.append(&done, style, chunk_width);
                chunk_width = 0;
                self.finish(out);
            }
            chunk.push(c);
            chunk_width += w;
        }
        if !chunk.is_empty() {
            self.append(&chunk, style, chunk_width);
        }
    }

    fn append(&mut self, text: &str, style: Style, width: usize) {
        if text.is_empty() {
            return;
        }
        if !self.has_text && text.starts_with(' ') && self.lines_made > 0 {
            // Leading spaces of a continuation line come from the break, not the text.
            return;
        }
        match self.spans.last_mut() {
            Some(last) if last.style == style && self.has_text => last.content.to_mut().push_str(text),
            _ => self.spans.push(Span::styled(text.to_string(), style)),
        }
        self.used += width;
        self.has_text = true;
    }
}

/// Removes the spaces at the end of a line (and the spans left empty by that).
pub(crate) fn trim_trailing_spaces(mut spans: Vec<Span<'static>>) -> Vec<Span<'static>> {
    loop {
        let count = spans.len();
        let Some(last) = spans.last_mut() else { break };
        let trimmed = last.content.trim_end_matches(' ').len();
        if trimmed == 0 && count > 1 {
            spans.pop();
            continue;
        }
        last.content.to_mut().truncate(trimmed);
        break;
    }
    spans
}

/// The text of a line without styles (for tests and measurements).
pub fn line_text(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(line_text).collect()
    }

    #[test]
    fn breaks_between_words_within_the_width() {
        let lines = wrap_plain("the quick brown fox jumps", Style::default(), "", 10);
        assert_eq!(texts(&lines), ["the quick", "brown fox", "jumps"]);
        assert!(lines.iter().all(|l| l.width() <= 10));
    }

    #[test]
    fn continuation_lines_get_the_hanging_prefix() {
        let lines = wrap_plain("one two three four", Style::default(), "- ", 9);
        assert_eq!(texts(&lines), ["- one two", "  three", "  four"]);
    }

    #[test]
    fn long_words_are_split_and_newlines_kept() {
        let lines = wrap_plain("abcdefghij\nxy", Style::default(), "", 4);
        assert_eq!(texts(&lines), ["abcd", "efgh", "ij", "xy"]);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(texts(&wrap_plain("", Style::default(), "", 5)), [""]);
    }

    #[test]
    fn wide_characters_count_double() {
        let lines = wrap_plain("日本語 テキスト", Style::default(), "", 7);
        assert_eq!(texts(&lines), ["日本語", "テキス", "ト"]);
    }
}
