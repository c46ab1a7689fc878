//! A small reader and writer for RFC 4180 CSV, the format of the Corr2Cause and CLadder files.
//!
//! The benchmark files quote fields that hold commas, quotes and newlines; nothing more is needed,
//! so a forty-line reader beats a new dependency.

use causa_graph::{GraphError, Result};

/// Parses CSV text into rows of fields (the header row included).
pub fn parse(text: &str) -> Result<Vec<Vec<String>>> {
    Ok(parse_with_lines(text)?.into_iter().map(|(_, row)| row).collect())
}

/// Parses CSV text into rows of fields, each with the line it starts on (a quoted field may span
/// several lines, so row numbers and line numbers differ).
fn parse_with_lines(text: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                row_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(GraphError::Parse {
            line,
            token: field.chars().take(30).collect(),
            message: "CSV field opened with a quote is never closed".into(),
        });
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

/// One record: `(column name, value)` pairs in header order.
pub type Record = Vec<(String, String)>;

/// Parses CSV text with a header into records keyed by column name, each with the line it
/// starts on (for messages).
pub fn parse_records(text: &str) -> Result<Vec<(usize, Record)>> {
    let mut rows = parse_with_lines(text)?.into_iter();
    let header = rows.next().map(|(_, row)| row).unwrap_or_default();
    rows.map(|(line, row)| {
        if row.len() != header.len() {
            return Err(GraphError::Parse {
                line,
                token: row.first().cloned().unwrap_or_default(),
                message: format!("record has {} fields, the header {}", row.len(), header.len()),
            });
        }
        Ok((line, header.iter().cloned().zip(row).collect()))
    })
    .collect()
}

/// Quotes one field for writing.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// The value of column `name` in a record, or a parse error naming the column.
pub fn field<'a>(record: &'a [(String, String)], name: &str, row: usize) -> Result<&'a str> {
    record.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).ok_or_else(|| GraphError::Parse {
        line: row,
        token: name.to_string(),
        message: "the header has no such column".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_newlines() {
        let rows = parse("a,b\n\"x, \"\"y\"\"\nz\",2\r\n").unwrap();
        assert_eq!(rows, vec![vec!["a", "b"], vec!["x, \"y\"\nz", "2"]]);
    }

    #[test]
    fn quote_round_trips() {
        for field in ["plain", "with, comma", "with \"quote\"", "two\nlines"] {
            let text = format!("h\n{}\n", quote(field));
            assert_eq!(parse(&text).unwrap()[1], vec![field.to_string()]);
        }
    }

    #[test]
    fn unclosed_quotes_and_ragged_records_are_errors() {
        assert!(parse("a\n\"open").is_err());
        let err = parse_records("a,b\n1\n").unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn records_carry_the_line_they_start_on() {
        // The first record spans lines 2 and 3, so the ragged one starts on line 4.
        let records = parse_records("a,b\n\"two\nlines\",1\nx,2\n").unwrap();
        assert_eq!(records.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [2, 4]);
        let err = parse_records("a,b\n\"two\nlines\",1\nx\n").unwrap_err().to_string();
        assert!(err.starts_with("line 4:"), "{err}");
        let err = field(&records[0].1, "c", 2).unwrap_err().to_string();
        assert!(err.contains("the header has no such column (at `c`)"), "{err}");
    }
}
