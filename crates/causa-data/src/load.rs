//! Reading tables from files into a [`Dataset`].
//!
//! Files are parsed by polars (CSV/TSV, Parquet, JSON), but the decisions that matter for causal
//! analysis are made here, in one place, so that every front end types columns the same way:
//!
//! - **Delimiters** are detected from the header and the first data lines (comma, tab, semicolon,
//!   pipe): the candidate that splits every sampled line into the same number (> 1) of fields wins.
//! - **Ragged rows** are found before polars sees the text, because polars silently pads short
//!   rows with nulls; the error names the line.
//! - **Column types** follow one documented rule (see [`LoadOptions::max_discrete_levels`]):
//!   text becomes category codes (labels kept, sorted), integer-valued columns with few distinct
//!   values are discrete, everything else is continuous. Per-column [`KindHint`]s override it.
//! - **Missing values** (empty fields, `NA`, `N/A`, `NaN`, `null`, `None`, `?` and nulls) are an
//!   error by default, because silently dropping or filling them changes what the data say;
//!   [`MissingPolicy`] opts into dropping rows or mean/mode imputation.
//!
//! No input file makes this module panic: polars calls are additionally guarded by
//! `catch_unwind`, so a reader bug becomes an error naming the file.
//!
//! The readers need polars, which is behind the `files` feature (on by default). Without it this
//! module keeps only its types, so programs that build datasets in memory (the estimation timing
//! example) compile without polars; the typing helpers are then unused, hence the `allow`.
#![cfg_attr(not(feature = "files"), allow(dead_code))]

use std::collections::BTreeMap;
#[cfg(feature = "files")]
use std::io::Cursor;
#[cfg(feature = "files")]
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
#[cfg(feature = "files")]
use std::path::PathBuf;

use ndarray::Array2;
#[cfg(feature = "files")]
use polars::prelude::{
    Column, CsvParseOptions, CsvReadOptions, DataFrame, DataType, JsonFormat, JsonReader, ParquetReader,
    SerReader,
};

use crate::dataset::{ColumnKind, Dataset};
use crate::error::{DataError, Result};

/// Field values read as missing (besides empty fields and nulls), compared after trimming.
///
/// `None` is deliberately not here: it is a real category in many data sets (several bnlearn
/// networks have a state called `None`, and `causa simulate --model bif` writes it).
pub const MISSING_TOKENS: &[&str] = &["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"];

/// The delimiters tried by detection, in order of preference on ties.
const DELIMITERS: &[u8] = b",\t;|";

/// How many lines after the header delimiter detection looks at.
const DETECTION_LINES: usize = 50;

/// What to do with missing values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingPolicy {
    /// Fail, naming the columns with missing values and how many (the default).
    #[default]
    Error,
    /// Drop every row with a missing value in a selected column.
    Drop,
    /// Replace missing values by the column mean (continuous) or most frequent code (discrete).
    Impute,
}

/// A per-column override of the automatic typing rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindHint {
    /// Real values; non-numeric entries are an error.
    Continuous,
    /// Categories, whatever the values look like.
    Discrete,
}

/// The detected type of a loaded column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// Real-valued.
    Continuous,
    /// Numeric categories (small-cardinality integers, or declared discrete).
    Discrete,
    /// Exactly two categories.
    Binary,
    /// Text categories, coded in sorted label order.
    Categorical,
}

impl ColumnType {
    /// The lowercase name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Continuous => "continuous",
            ColumnType::Discrete => "discrete",
            ColumnType::Binary => "binary",
            ColumnType::Categorical => "categorical",
        }
    }
}

/// Options for [`load`]. `LoadOptions::default()` selects every column, errors on missing values
/// and types columns automatically.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadOptions {
    /// Keep only these columns, in this order (`None`: all columns in file order).
    pub columns: Option<Vec<String>>,
    /// What to do with missing values.
    pub missing: MissingPolicy,
    /// The automatic typing rule: a numeric column whose values are all integers and which has at
    /// most this many distinct values is discrete (binary with two); otherwise it is continuous.
    /// Text columns are always categorical. Default 10; 0 makes every numeric column continuous.
    pub max_discrete_levels: usize,
    /// Overrides of the typing rule for named columns.
    pub kinds: Vec<(String, KindHint)>,
    /// A column holding the time index: removed from the dataset, returned in
    /// [`LoadedData::time_index`]; it must be numeric, complete and strictly increasing.
    pub time_index: Option<String>,
    /// The field delimiter of CSV/TSV files (`None`: detect it).
    pub delimiter: Option<u8>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            columns: None,
            missing: MissingPolicy::Error,
            max_discrete_levels: 10,
            kinds: Vec::new(),
            time_index: None,
            delimiter: None,
        }
    }
}

/// What was learnt about one loaded column.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnInfo {
    /// The column name.
    pub name: String,
    /// Its detected (or declared) type.
    pub column_type: ColumnType,
    /// Missing values in the file, before the missing-value policy was applied.
    pub missing: usize,
}

/// A loaded table: the dataset plus what loading found out.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedData {
    /// The numeric dataset.
    pub dataset: Dataset,
    /// One entry per dataset column, in the same order.
    pub columns: Vec<ColumnInfo>,
    /// The time index values, if a time index column was named.
    pub time_index: Option<Vec<f64>>,
    /// The name of the time index column, if any.
    pub time_column: Option<String>,
    /// Data rows in the file.
    pub rows_read: usize,
    /// Rows removed by [`MissingPolicy::Drop`].
    pub rows_dropped: usize,
    /// The delimiter used, for CSV/TSV files.
    pub delimiter: Option<char>,
}

/// The file formats [`load`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Delimited text (CSV, TSV, ...).
    Delimited,
    /// Apache Parquet.
    Parquet,
    /// A JSON array of records.
    Json,
    /// Newline-delimited JSON records.
    JsonLines,
}

impl FileFormat {
    /// The format implied by a file's extension; unknown extensions are read as delimited text.
    pub fn from_path(path: &Path) -> FileFormat {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        match ext.as_str() {
            "parquet" | "pq" => FileFormat::Parquet,
            "json" => FileFormat::Json,
            "jsonl" | "ndjson" => FileFormat::JsonLines,
            _ => FileFormat::Delimited,
        }
    }
}

/// Loads a data file (format from the extension: `.parquet`, `.json`, `.jsonl`/`.ndjson`,
/// anything else delimited text).
#[cfg(feature = "files")]
pub fn load(path: &Path, options: &LoadOptions) -> Result<LoadedData> {
    let file_error = |message: String| DataError::File { path: path.to_path_buf(), message };
    let bytes = std::fs::read(path).map_err(|e| file_error(e.to_string()))?;
    match FileFormat::from_path(path) {
        FileFormat::Delimited => {
            let text = String::from_utf8(bytes)
                .map_err(|e| file_error(format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))?;
            load_delimited(&text, options).map_err(|e| attach_path(e, path))
        }
        format => {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Err(file_error("the file is empty".into()));
            }
            let frame = guarded(path, || read_binary(bytes, format))?;
            let raw = frame_columns(&frame, path)?;
            finish(raw, None, None, options).map_err(|e| attach_path(e, path))
        }
    }
}

/// Loads delimited text that is already in memory (the same rules as [`load`]).
#[cfg(feature = "files")]
pub fn load_delimited(text: &str, options: &LoadOptions) -> Result<LoadedData> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let Some(&(header_line, header)) = lines.first() else {
        return Err(DataError::Invalid("the file is empty".into()));
    };
    let delimiter = choose_delimiter(&lines, options.delimiter)?;
    let names = split_fields(header, delimiter);
    let width = names.len();
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(DataError::Invalid(format!(
                "line {header_line}: column {} has an empty name",
                i + 1
            )));
        }
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            return Err(DataError::Invalid(format!(
                "line {header_line}: columns {} and {} are both named `{name}`; rename one",
                first + 1,
                i + 1
            )));
        }
    }
    for &(line, content) in &lines[1..] {
        let count = split_fields(content, delimiter).len();
        if count != width {
            return Err(DataError::Invalid(format!(
                "line {line} has {count} fields but the header has {width} (delimiter {})",
                show_delimiter(delimiter)
            )));
        }
    }
    if lines.len() == 1 {
        return Err(DataError::Invalid("the file has a header but no data rows".into()));
    }
    let line_numbers: Vec<usize> = lines[1..].iter().map(|&(n, _)| n).collect();
    // polars gets exactly the lines checked above (blank lines removed), so row i is line_numbers[i],
    // and each line as split above, quoted canonically: the CSV reader would otherwise take a quote
    // inside an unquoted field (`5" screen`) as the start of a quoted field and join lines.
    let mut cleaned = lines.iter().map(|&(_, l)| canonical_line(l, delimiter)).collect::<Vec<_>>().join("\n");
    cleaned.push('\n');
    let frame = guarded(Path::new("<text>"), || {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_parse_options(CsvParseOptions::default().with_separator(delimiter))
            .into_reader_with_file_handle(Cursor::new(cleaned.into_bytes()))
            .finish()
    })?;
    let mut raw = frame_columns(&frame, Path::new("<text>"))?;
    // The header as split above is the truth for names: the CSV reader keeps a doubled quote
    // inside a quoted header field as two quotes.
    if raw.len() == names.len() {
        for (column, name) in raw.iter_mut().zip(names) {
            column.name = name;
        }
    }
    let lines_known = frame.height() == line_numbers.len();
    finish(raw, lines_known.then_some(line_numbers), Some(delimiter as char), options)
}

fn attach_path(err: DataError, path: &Path) -> DataError {
    match err {
        DataError::Invalid(message) => DataError::File { path: path.to_path_buf(), message },
        DataError::File { message, .. } => DataError::File { path: path.to_path_buf(), message },
        other => other,
    }
}

#[cfg(feature = "files")]
fn read_binary(bytes: Vec<u8>, format: FileFormat) -> polars::prelude::PolarsResult<DataFrame> {
    let cursor = Cursor::new(bytes);
    match format {
        FileFormat::Parquet => ParquetReader::new(cursor).finish(),
        FileFormat::JsonLines => JsonReader::new(cursor).with_json_format(JsonFormat::JsonLines).finish(),
        _ => JsonReader::new(cursor).with_json_format(JsonFormat::Json).finish(),
    }
}

/// Runs a polars reader, turning its errors and any panic into a file error.
#[cfg(feature = "files")]
fn guarded<F>(path: &Path, read: F) -> Result<DataFrame>
where
    F: FnOnce() -> polars::prelude::PolarsResult<DataFrame>,
{
    let file_error = |message: String| DataError::File { path: PathBuf::from(path), message };
    match catch_unwind(AssertUnwindSafe(read)) {
        Ok(Ok(frame)) => Ok(frame),
        Ok(Err(err)) => Err(file_error(err.to_string())),
        Err(_) => Err(file_error("the reader failed on this file (malformed content)".into())),
    }
}

/// Picks the delimiter: the requested one (checked), or the candidate that splits the header
/// into the most fields while every sampled line has that many fields.
fn choose_delimiter(lines: &[(usize, &str)], requested: Option<u8>) -> Result<u8> {
    let sample = &lines[..lines.len().min(DETECTION_LINES + 1)];
    let header_width = |d: u8| split_fields(sample[0].1, d).len();
    let consistent = |d: u8| sample.iter().all(|(_, l)| split_fields(l, d).len() == header_width(d));
    let best = DELIMITERS
        .iter()
        .copied()
        .filter(|&d| header_width(d) > 1 && consistent(d))
        .max_by_key(|&d| (header_width(d), std::cmp::Reverse(DELIMITERS.iter().position(|&x| x == d))));
    if let Some(requested) = requested {
        if header_width(requested) == 1
            && let Some(found) = best
        {
            return Err(DataError::Invalid(format!(
                "wrong delimiter: with {} the header is a single column, but the file looks \
                 {}-separated ({} columns)",
                show_delimiter(requested),
                show_delimiter(found),
                header_width(found)
            )));
        }
        return Ok(requested);
    }
    if let Some(found) = best {
        return Ok(found);
    }
    // No candidate is consistent: use the one that splits the header most, so the ragged-row
    // check names the first offending line.
    let widest = DELIMITERS.iter().copied().max_by_key(|&d| (header_width(d), std::cmp::Reverse(d)));
    Ok(widest.filter(|&d| header_width(d) > 1).unwrap_or(b','))
}

fn show_delimiter(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        other => format!("`{}`", other as char),
    }
}

/// Splits one line into fields, honouring double quotes (a quoted field may contain the
/// delimiter; `""` inside quotes is a literal quote). As in RFC 4180, a quote opens a quoted
/// field only at the start of a field; elsewhere (`5" screen`) it is an ordinary character.
fn split_fields(line: &str, delimiter: u8) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.is_empty() {
            quoted = true;
        } else if c == delimiter as char {
            fields.push(std::mem::take(&mut field));
        } else {
            field.push(c);
        }
    }
    fields.push(field);
    fields
}

/// A line rewritten from its fields, with quotes only around fields holding a quote or the
/// delimiter, so any RFC 4180 reader splits it exactly as [`split_fields`] did.
fn canonical_line(line: &str, delimiter: u8) -> String {
    let delimiter = delimiter as char;
    split_fields(line, delimiter as u8)
        .iter()
        .map(|field| {
            if field.contains(['"', delimiter]) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(&delimiter.to_string())
}

/// One column as read, before typing.
struct RawColumn {
    name: String,
    values: RawValues,
}

enum RawValues {
    Numbers(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

#[cfg(feature = "files")]
fn frame_columns(frame: &DataFrame, path: &Path) -> Result<Vec<RawColumn>> {
    frame.columns().iter().map(|c| raw_column(c, path)).collect()
}

#[cfg(feature = "files")]
fn raw_column(column: &Column, path: &Path) -> Result<RawColumn> {
    let name = column.name().to_string();
    let file_error = |message: String| DataError::File { path: path.to_path_buf(), message };
    let dtype = column.dtype().clone();
    let values = if dtype == DataType::String {
        let strings = column.str().map_err(|e| file_error(e.to_string()))?;
        RawValues::Text(strings.iter().map(|v| v.map(str::to_string)).collect())
    } else if dtype.is_primitive_numeric() || dtype == DataType::Boolean {
        let cast = column.cast(&DataType::Float64).map_err(|e| file_error(e.to_string()))?;
        let numbers = cast.f64().map_err(|e| file_error(e.to_string()))?;
        RawValues::Numbers(numbers.iter().collect())
    } else if dtype == DataType::Null {
        RawValues::Numbers(vec![None; column.len()])
    } else {
        let cast = column.cast(&DataType::String).map_err(|_| {
            file_error(format!("column `{name}` has the type {dtype}, which cannot be used as data"))
        })?;
        let strings = cast.str().map_err(|e| file_error(e.to_string()))?;
        RawValues::Text(strings.iter().map(|v| v.map(str::to_string)).collect())
    };
    Ok(RawColumn { name, values })
}

/// Where a row came from, for messages.
fn place(lines: Option<&[usize]>, row: usize) -> String {
    match lines {
        Some(lines) => format!("line {}", lines[row]),
        None => format!("row {}", row + 1),
    }
}

fn is_missing_text(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|v| MISSING_TOKENS.contains(&v.trim()))
}

/// A column with its missing mask resolved and its values typed.
enum Typed {
    Numbers(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

fn type_values(raw: RawColumn, hint: Option<KindHint>, lines: Option<&[usize]>) -> Result<(String, Typed)> {
    let name = raw.name;
    let typed = match raw.values {
        RawValues::Numbers(values) => {
            Typed::Numbers(values.into_iter().map(|v| v.filter(|x| !x.is_nan())).collect())
        }
        RawValues::Text(values) => {
            let parsed: Vec<Option<std::result::Result<f64, String>>> = values
                .into_iter()
                .map(|v| {
                    if is_missing_text(&v) {
                        None
                    } else {
                        let v = v.unwrap_or_default();
                        Some(v.trim().parse::<f64>().map_err(|_| v))
                    }
                })
                .collect();
            let numeric = parsed.iter().filter(|v| matches!(v, Some(Ok(_)))).count();
            let first_text = parsed.iter().position(|v| matches!(v, Some(Err(_))));
            match first_text {
                None => Typed::Numbers(parsed.into_iter().map(|v| v.and_then(|r| r.ok())).collect()),
                Some(row) => {
                    let text = match &parsed[row] {
                        Some(Err(text)) => text.clone(),
                        _ => String::new(),
                    };
                    let non_numeric = parsed.iter().filter(|v| matches!(v, Some(Err(_)))).count();
                    if hint == Some(KindHint::Continuous) {
                        return Err(DataError::Invalid(format!(
                            "column `{name}` is declared continuous but has the non-numeric value \
                             `{text}` on {} ({non_numeric} such values)",
                            place(lines, row)
                        )));
                    }
                    if hint.is_none() && numeric > non_numeric {
                        return Err(DataError::Invalid(format!(
                            "column `{name}` is mostly numeric but has the non-numeric value `{text}` \
                             on {} ({non_numeric} such values); fix or blank them, or declare the \
                             column discrete",
                            place(lines, row)
                        )));
                    }
                    Typed::Text(
                        parsed
                            .into_iter()
                            .map(|v| {
                                v.map(|r| match r {
                                    Ok(x) => format_number(x),
                                    Err(t) => t.trim().to_string(),
                                })
                            })
                            .collect(),
                    )
                }
            }
        }
    };
    if let Typed::Numbers(values) = &typed
        && let Some(row) = values.iter().position(|v| v.is_some_and(|x| !x.is_finite()))
    {
        return Err(DataError::Invalid(format!(
            "column `{name}` has an infinite value on {}",
            place(lines, row)
        )));
    }
    Ok((name, typed))
}

/// Formats a number the way it would be written back (integers without a fraction).
pub(crate) fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

fn missing_count(typed: &Typed) -> usize {
    match typed {
        Typed::Numbers(v) => v.iter().filter(|x| x.is_none()).count(),
        Typed::Text(v) => v.iter().filter(|x| x.is_none()).count(),
    }
}

fn is_missing_at(typed: &Typed, row: usize) -> bool {
    match typed {
        Typed::Numbers(v) => v[row].is_none(),
        Typed::Text(v) => v[row].is_none(),
    }
}

fn finish(
    raw: Vec<RawColumn>,
    lines: Option<Vec<usize>>,
    delimiter: Option<char>,
    options: &LoadOptions,
) -> Result<LoadedData> {
    let lines = lines.as_deref();
    let known: Vec<String> = raw.iter().map(|c| c.name.clone()).collect();
    let rows_read = match raw.first().map(|c| &c.values) {
        Some(RawValues::Numbers(v)) => v.len(),
        Some(RawValues::Text(v)) => v.len(),
        None => 0,
    };
    if known.is_empty() {
        return Err(DataError::Invalid("the file has no columns".into()));
    }
    if rows_read == 0 {
        return Err(DataError::Invalid("the file has no data rows".into()));
    }
    let unknown = |name: &str| DataError::UnknownColumn { name: name.to_string(), known: known.clone() };
    for (name, _) in &options.kinds {
        if !known.contains(name) {
            return Err(unknown(name));
        }
    }
    let mut by_name: BTreeMap<String, RawColumn> = raw.into_iter().map(|c| (c.name.clone(), c)).collect();
    let time = match &options.time_index {
        Some(name) => {
            let column = by_name.remove(name).ok_or_else(|| unknown(name))?;
            Some((name.clone(), time_values(column, lines)?))
        }
        None => None,
    };
    let selected: Vec<String> = match &options.columns {
        Some(columns) => {
            if columns.is_empty() {
                return Err(DataError::Invalid("no columns were selected".into()));
            }
            columns.clone()
        }
        None => known.iter().filter(|n| Some(*n) != options.time_index.as_ref()).cloned().collect(),
    };
    let mut typed = Vec::with_capacity(selected.len());
    for (i, name) in selected.iter().enumerate() {
        if selected[..i].contains(name) {
            return Err(DataError::DuplicateColumn(name.clone()));
        }
        if Some(name) == options.time_index.as_ref() {
            return Err(DataError::Invalid(format!(
                "column `{name}` is the time index and cannot also be data"
            )));
        }
        let column = by_name.remove(name).ok_or_else(|| unknown(name))?;
        let hint = options.kinds.iter().find(|(n, _)| n == name).map(|&(_, h)| h);
        let (name, values) = type_values(column, hint, lines)?;
        typed.push((name, values, hint));
    }
    if selected.is_empty() {
        return Err(DataError::Invalid("the file has no data columns besides the time index".into()));
    }

    let missing: Vec<usize> = typed.iter().map(|(_, v, _)| missing_count(v)).collect();
    let keep: Vec<usize> = match options.missing {
        MissingPolicy::Error => {
            let with_missing: Vec<String> = typed
                .iter()
                .zip(&missing)
                .filter(|(_, m)| **m > 0)
                .map(|((name, values, _), m)| {
                    let first = (0..rows_read).find(|&r| is_missing_at(values, r)).unwrap_or(0);
                    format!("`{name}` ({m}, first on {})", place(lines, first))
                })
                .collect();
            if !with_missing.is_empty() {
                return Err(DataError::Invalid(format!(
                    "missing values in column {}; choose to drop those rows or impute them \
                     (--missing drop|impute)",
                    with_missing.join(", ")
                )));
            }
            (0..rows_read).collect()
        }
        MissingPolicy::Drop => {
            (0..rows_read).filter(|&r| typed.iter().all(|(_, v, _)| !is_missing_at(v, r))).collect()
        }
        MissingPolicy::Impute => (0..rows_read).collect(),
    };
    if keep.is_empty() {
        // Usually one column that is missing throughout empties every row: name it.
        let empty: Vec<String> = typed
            .iter()
            .zip(&missing)
            .filter(|(_, m)| **m == rows_read)
            .map(|((name, _, _), _)| format!("`{name}`"))
            .collect();
        let cause = if empty.is_empty() {
            String::new()
        } else {
            format!("; column {} has no values at all (leave it out with --columns)", empty.join(", "))
        };
        return Err(DataError::Invalid(format!(
            "no rows are left after dropping the rows with missing values{cause}"
        )));
    }

    let n = keep.len();
    let mut matrix = Array2::<f64>::zeros((n, typed.len()));
    let mut kinds = Vec::with_capacity(typed.len());
    let mut labels = Vec::with_capacity(typed.len());
    let mut infos = Vec::with_capacity(typed.len());
    for (j, ((name, values, hint), missing)) in typed.into_iter().zip(missing).enumerate() {
        let coded = code_column(&name, values, hint, &keep, options)?;
        for (r, v) in coded.values.iter().enumerate() {
            matrix[[r, j]] = *v;
        }
        kinds.push(coded.kind);
        labels.push(coded.labels);
        infos.push(ColumnInfo { name, column_type: coded.column_type, missing });
    }
    let names = infos.iter().map(|c| c.name.clone()).collect();
    let mut dataset = Dataset::new(names, matrix, kinds)?;
    for (j, l) in labels.into_iter().enumerate() {
        if !l.is_empty() {
            dataset = dataset.with_labels(j, l)?;
        }
    }
    let (time_column, time_index) = match time {
        Some((name, values)) => (Some(name), Some(keep.iter().map(|&r| values[r]).collect())),
        None => (None, None),
    };
    Ok(LoadedData {
        dataset,
        columns: infos,
        time_index,
        time_column,
        rows_read,
        rows_dropped: rows_read - n,
        delimiter,
    })
}

fn time_values(column: RawColumn, lines: Option<&[usize]>) -> Result<Vec<f64>> {
    let (name, typed) = type_values(column, Some(KindHint::Continuous), lines)?;
    let Typed::Numbers(values) = typed else {
        return Err(DataError::Invalid(format!("time index column `{name}` is not numeric")));
    };
    let mut out = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        let Some(v) = *v else {
            return Err(DataError::Invalid(format!(
                "time index column `{name}` is missing on {}",
                place(lines, row)
            )));
        };
        if out.last().is_some_and(|&prev| v <= prev) {
            return Err(DataError::Invalid(format!(
                "time index column `{name}` is not strictly increasing on {}",
                place(lines, row)
            )));
        }
        out.push(v);
    }
    Ok(out)
}

struct Coded {
    values: Vec<f64>,
    kind: ColumnKind,
    column_type: ColumnType,
    labels: Vec<String>,
}

fn code_column(
    name: &str,
    values: Typed,
    hint: Option<KindHint>,
    keep: &[usize],
    options: &LoadOptions,
) -> Result<Coded> {
    let all_missing = || DataError::Invalid(format!("column `{name}` has no values to impute from"));
    match values {
        Typed::Numbers(values) => {
            let present: Vec<f64> = keep.iter().filter_map(|&r| values[r]).collect();
            if present.is_empty() {
                return Err(all_missing());
            }
            let mut distinct = present.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let integers = present.iter().all(|x| x.fract() == 0.0);
            let discrete = match hint {
                Some(KindHint::Continuous) => false,
                Some(KindHint::Discrete) => true,
                None => integers && distinct.len() <= options.max_discrete_levels,
            };
            if discrete {
                let code = |x: f64| distinct.partition_point(|&d| d < x) as f64;
                let codes: Vec<Option<f64>> = keep.iter().map(|&r| values[r].map(code)).collect();
                let labels = distinct.iter().map(|&d| format_number(d)).collect();
                Ok(discrete_coded(codes, distinct.len(), labels, ColumnType::Discrete))
            } else {
                check_magnitude(name, &present)?;
                let mean = present.iter().sum::<f64>() / present.len() as f64;
                let values = keep.iter().map(|&r| values[r].unwrap_or(mean)).collect();
                Ok(Coded {
                    values,
                    kind: ColumnKind::Continuous,
                    column_type: ColumnType::Continuous,
                    labels: Vec::new(),
                })
            }
        }
        Typed::Text(values) => {
            let mut distinct: Vec<&str> = keep.iter().filter_map(|&r| values[r].as_deref()).collect();
            if distinct.is_empty() {
                return Err(all_missing());
            }
            distinct.sort_unstable();
            distinct.dedup();
            let codes: Vec<Option<f64>> = keep
                .iter()
                .map(|&r| values[r].as_deref().map(|v| distinct.partition_point(|&d| d < v) as f64))
                .collect();
            let labels = distinct.iter().map(|s| s.to_string()).collect();
            Ok(discrete_coded(codes, distinct.len(), labels, ColumnType::Categorical))
        }
    }
}

/// Refuses a continuous column whose values are too large to compute with: every method sums
/// squares of centred values (centring can double a value, so a square can grow fourfold), and
/// an overflow there turns means and variances into `inf`/NaN, which would then surface as a
/// misleading "constant" or "collinear" column or a NaN estimate far from the cause.
fn check_magnitude(name: &str, values: &[f64]) -> Result<()> {
    let sum_of_squares: f64 = values.iter().map(|x| (2.0 * x) * (2.0 * x)).sum();
    if sum_of_squares.is_finite() {
        return Ok(());
    }
    let largest = values.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    Err(DataError::Invalid(format!(
        "column `{name}` has values too large to compute with (up to {largest:e}): their squares \
         overflow; rescale the column (for example divide it by a power of ten)"
    )))
}

/// Fills missing codes with the most frequent code (the lowest on ties).
fn discrete_coded(
    codes: Vec<Option<f64>>,
    levels: usize,
    labels: Vec<String>,
    column_type: ColumnType,
) -> Coded {
    let mut counts = vec![0usize; levels];
    for c in codes.iter().flatten() {
        counts[*c as usize] += 1;
    }
    let mode =
        counts.iter().enumerate().max_by_key(|&(i, c)| (*c, std::cmp::Reverse(i))).map_or(0, |(i, _)| i);
    let values = codes.into_iter().map(|c| c.unwrap_or(mode as f64)).collect();
    let column_type = if levels == 2 { ColumnType::Binary } else { column_type };
    Coded { values, kind: ColumnKind::Discrete { levels }, column_type, labels }
}

#[cfg(test)]
#[cfg(feature = "files")]
#[path = "load_tests.rs"]
mod tests;
