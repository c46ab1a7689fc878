//! Markdown to terminal lines.
//!
//! Answers and reports come as Markdown (headings, lists, tables of estimates, code blocks of
//! graphs). Shown raw, the `|` and `**` noise hides the content, so this renders the common subset
//! to styled ratatui lines at a given width: headings in bold colour, bullets with hanging indents,
//! tables with aligned columns, code blocks verbatim in a gutter, emphasis as styles. Anything
//! else (HTML, footnotes) falls back to its text. Partial Markdown (a stream cut mid-table) renders
//! as far as it goes, which is what a streaming transcript needs.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::wrap::{Segment, flow, trim_trailing_spaces};

/// Style of inline code and code blocks.
const CODE: Style = Style::new().fg(Color::Yellow);

/// Renders Markdown `text` into lines at most `width` columns wide.
pub fn render_markdown(text: &str, width: usize) -> Vec<Line<'static>> {
    let mut renderer = Renderer::new(width.max(8));
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        renderer.event(event);
    }
    renderer.finish()
}

struct ListLevel {
    next_number: Option<u64>,
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    header_rows: usize,
    in_head: bool,
}

struct Renderer {
    width: usize,
    out: Vec<Line<'static>>,
    /// Inline text of the block being built.
    inline: Vec<Segment>,
    bold: usize,
    italic: usize,
    strike: usize,
    heading: Option<HeadingLevel>,
    lists: Vec<ListLevel>,
    /// The bullet of the list item whose first line has not been written yet.
    pending_marker: Option<String>,
    /// Prefix of continuation lines (list indents and quote bars).
    indent: String,
    quote_depth: usize,
    code: Option<String>,
    table: Option<Table>,
    cell: String,
}

impl Renderer {
    fn new(width: usize) -> Self {
        Renderer {
            width,
            out: Vec::new(),
            inline: Vec::new(),
            bold: 0,
            italic: 0,
            strike: 0,
            heading: None,
            lists: Vec::new(),
            pending_marker: None,
            indent: String::new(),
            quote_depth: 0,
            code: None,
            table: None,
            cell: String::new(),
        }
    }

    fn style(&self) -> Style {
        let mut style = Style::default();
        if let Some(level) = self.heading {
            style = heading_style(level);
        }
        if self.bold > 0 {
            style = style.add_modifier(Modifier::BOLD);
        }
        if self.italic > 0 {
            style = style.add_modifier(Modifier::ITALIC);
        }
        if self.strike > 0 {
            style = style.add_modifier(Modifier::CROSSED_OUT);
        }
        style
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                if self.table.is_some() {
                    self.cell.push_str(&code);
                } else {
                    self.inline.push((code.to_string(), CODE));
                }
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.text("\n"),
            Event::Rule => {
                self.flush_inline();
                let width = self.width.saturating_sub(self.indent.width());
                self.out.push(Line::styled(
                    format!("{}{}", self.indent, "─".repeat(width)),
                    Style::new().fg(Color::DarkGray),
                ));
                self.blank();
            }
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html),
            Event::InlineMath(math) | Event::DisplayMath(math) => self.text(&math),
            Event::FootnoteReference(name) => self.text(&format!("[{name}]")),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush_inline();
                self.heading = Some(level);
            }
            Tag::List(start) => {
                self.flush_inline();
                if self.lists.is_empty() && self.quote_depth == 0 {
                    self.separate();
                }
                self.lists.push(ListLevel { next_number: start });
            }
            Tag::Item => {
                self.flush_inline();
                let level = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut().and_then(|l| l.next_number.as_mut()) {
                    Some(n) => {
                        let marker = format!("{n}. ");
                        *n += 1;
                        marker
                    }
                    None => ["• ", "◦ ", "▪ "][level % 3].to_string(),
                };
                self.pending_marker = Some(marker);
            }
            Tag::BlockQuote(_) => {
                self.flush_inline();
                self.quote_depth += 1;
                self.indent.push_str("│ ");
            }
            Tag::CodeBlock(_) => {
                self.flush_inline();
                self.code = Some(String::new());
            }
            Tag::Table(_) => {
                self.flush_inline();
                self.separate();
                self.table = Some(Table::default());
            }
            Tag::TableHead => {
                if let Some(table) = &mut self.table {
                    table.in_head = true;
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.cell.clear(),
            Tag::Strong => self.bold += 1,
            Tag::Emphasis => self.italic += 1,
            Tag::Strikethrough => self.strike += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush_inline();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Heading(_) => {
                self.flush_inline();
                self.heading = None;
                self.blank();
            }
            TagEnd::List(_) => {
                self.flush_inline();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => {
                self.flush_inline();
                self.pending_marker = None;
                self.indent = self.list_indent();
            }
            TagEnd::BlockQuote(_) => {
                self.flush_inline();
                self.quote_depth = self.quote_depth.saturating_sub(1);
                self.indent = self.list_indent();
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.code_block(&code);
                }
            }
            TagEnd::TableCell => {
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(self.cell.trim().to_string());
                }
                self.cell.clear();
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.in_head = false;
                    table.header_rows = table.rows.len();
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.render_table(&table);
                    self.blank();
                }
            }
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.push_str(text);
        } else if self.table.is_some() {
            self.cell.push_str(text);
        } else {
            let style = self.style();
            self.inline.push((text.to_string(), style));
        }
    }

    /// The continuation prefix for the current nesting: quote bars, then list indents.
    fn list_indent(&self) -> String {
        let mut indent = "│ ".repeat(self.quote_depth);
        for _ in 1..self.lists.len() {
            indent.push_str("  ");
        }
        indent
    }

    /// Writes the inline text gathered so far as a wrapped block.
    fn flush_inline(&mut self) {
        let marker = self.pending_marker.take();
        if self.inline.is_empty() {
            if let Some(marker) = marker {
                // An item whose content starts with a nested block: the marker stands alone.
                self.out.push(Line::from(format!("{}{}", self.list_indent(), marker.trim_end())));
                self.indent = format!("{}{}", self.list_indent(), " ".repeat(marker.width()));
            }
            return;
        }
        let base = self.list_indent();
        let (first, rest) = match &marker {
            Some(marker) => {
                let rest = format!("{base}{}", " ".repeat(marker.width()));
                self.indent = rest.clone();
                (format!("{base}{marker}"), rest)
            }
            None => (self.indent.clone(), self.indent.clone()),
        };
        let first = [Span::styled(first, Style::new().fg(Color::Cyan))];
        let rest = [Span::raw(rest)];
        let segments = std::mem::take(&mut self.inline);
        self.out.extend(flow(&segments, &first, &rest, self.width));
    }

    fn code_block(&mut self, code: &str) {
        let gutter = format!("{}  ", self.indent);
        for line in code.trim_end_matches('\n').split('\n') {
            let text = truncate(line, self.width.saturating_sub(gutter.width()));
            self.out.push(Line::from(vec![Span::raw(gutter.clone()), Span::styled(text, CODE)]));
        }
        if self.lists.is_empty() {
            self.blank();
        }
    }

    fn render_table(&mut self, table: &Table) {
        let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let mut widths = vec![0usize; columns];
        for row in &table.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let available = self.width.saturating_sub(self.indent.width() + 3 * (columns - 1));
        shrink_to_fit(&mut widths, available);
        let border = Style::new().fg(Color::DarkGray);
        for (r, row) in table.rows.iter().enumerate() {
            let header = r < table.header_rows;
            let style = if header { Style::new().add_modifier(Modifier::BOLD) } else { Style::default() };
            let mut spans = vec![Span::raw(self.indent.clone())];
            for (i, width) in widths.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" │ ", border));
                }
                let cell = row.get(i).map_or("", String::as_str);
                spans.push(Span::styled(pad(&truncate(cell, *width), *width), style));
            }
            self.out.push(Line::from(trim_trailing_spaces(spans)));
            if header && r + 1 == table.header_rows {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                self.out.push(Line::styled(format!("{}{}", self.indent, rule.join("─┼─")), border));
            }
        }
    }

    /// Ends the current block with one blank line (never two in a row).
    fn blank(&mut self) {
        if self.out.last().is_some_and(|l| l.width() > 0) {
            self.out.push(Line::default());
        }
    }

    /// A blank line before a block that follows text directly.
    fn separate(&mut self) {
        self.blank();
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        if let Some(code) = self.code.take() {
            self.code_block(&code);
        }
        if let Some(table) = self.table.take() {
            self.render_table(&table);
        }
        self.flush_inline();
        while self.out.last().is_some_and(|l| l.width() == 0) {
            self.out.pop();
        }
        self.out
    }
}

fn heading_style(level: HeadingLevel) -> Style {
    let style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    if level == HeadingLevel::H1 { style.add_modifier(Modifier::UNDERLINED) } else { style }
}

/// Narrows the widest columns until the total fits (each column keeps at least 3 columns).
fn shrink_to_fit(widths: &mut [usize], available: usize) {
    while widths.iter().sum::<usize>() > available {
        let Some((i, widest)) = widths.iter().copied().enumerate().max_by_key(|(_, w)| *w) else { return };
        if widest <= 3 {
            return;
        }
        widths[i] = widest - 1;
    }
}

/// Cuts text to `width` columns, ending with `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrap::line_text;

    fn texts(md: &str, width: usize) -> Vec<String> {
        render_markdown(md, width).iter().map(line_text).collect()
    }

    #[test]
    fn headings_are_bold_and_paragraphs_separated() {
        let lines = render_markdown("# Effect\n\nSmoking raises risk.\n\nSecond.", 40);
        let text: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(text, ["Effect", "", "Smoking raises risk.", "", "Second."]);
        let style = lines[0].spans.iter().find(|s| s.content == "Effect").map(|s| s.style);
        assert!(style.is_some_and(|s| s.add_modifier.contains(Modifier::BOLD)), "{:?}", lines[0]);
    }

    #[test]
    fn bold_and_inline_code_keep_their_text_and_get_styles() {
        let lines = render_markdown("the **effect** of `smoking` is", 80);
        assert_eq!(line_text(&lines[0]), "the effect of smoking is");
        let bold = lines[0].spans.iter().find(|s| s.content == "effect").map(|s| s.style.add_modifier);
        assert!(bold.is_some_and(|m| m.contains(Modifier::BOLD)), "{:?}", lines[0]);
        let code = lines[0].spans.iter().find(|s| s.content == "smoking").map(|s| s.style);
        assert_eq!(code, Some(CODE));
    }

    #[test]
    fn lists_have_bullets_numbers_and_hanging_indents() {
        let md = "- first item that is long enough to wrap\n- second\n  - nested\n\n1. one\n2. two";
        assert_eq!(
            texts(md, 24),
            [
                "• first item that is",
                "  long enough to wrap",
                "• second",
                "  ◦ nested",
                "",
                "1. one",
                "2. two"
            ]
        );
    }

    #[test]
    fn tables_are_aligned_with_a_header_rule() {
        let md = "| method | effect |\n|---|---|\n| ipw | 0.51 |\n| regression | 0.5 |";
        assert_eq!(
            texts(md, 40),
            ["method     │ effect", "───────────┼───────", "ipw        │ 0.51", "regression │ 0.5"]
        );
    }

    #[test]
    fn wide_tables_are_cut_to_the_width() {
        let md = "| a | b |\n|---|---|\n| aaaaaaaaaaaaaaaaaaaa | bbbbbbbbbbbbbbbbbbbb |";
        let lines = render_markdown(md, 20);
        assert!(lines.iter().all(|l| l.width() <= 20), "{lines:?}");
        assert!(line_text(&lines[2]).contains('…'));
    }

    #[test]
    fn code_blocks_are_verbatim_in_a_gutter() {
        let md = "Graph:\n\n```\nA -> B\n  B -> C\n```\nafter";
        assert_eq!(texts(md, 40), ["Graph:", "", "  A -> B", "    B -> C", "", "after"]);
    }

    #[test]
    fn quotes_and_rules() {
        assert_eq!(texts("> careful\n\n---\n\nend", 10), ["│ careful", "", "──────────", "", "end"]);
    }

    #[test]
    fn a_stream_cut_inside_a_code_block_or_table_still_renders() {
        assert_eq!(texts("```\nA -> B", 20), ["  A -> B"]);
        assert_eq!(texts("| a | b |\n|---|---|\n| 1 |", 20), ["a │ b", "──┼──", "1 │"]);
    }

    #[test]
    fn no_line_is_wider_than_asked() {
        let md =
            "# A long heading that must wrap somewhere\n\n* a list item with `code` and **bold words**\n";
        for width in [8, 13, 21] {
            assert!(render_markdown(md, width).iter().all(|l| l.width() <= width), "width {width}");
        }
    }
}
