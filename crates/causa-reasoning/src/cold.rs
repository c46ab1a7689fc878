//! COLD (Joshi et al., NeurIPS 2024): causal reasoning about daily activities as a two-way
//! choice ("which of these is the more plausible cause (or effect) of the premise?").
//!
//! There is no formal query here: the items test commonsense knowledge of event order, which no
//! graph engine holds, so only the loader and the gold answer live in this crate and the
//! benchmark runs in direct mode only. Each file is one activity (`baking_a_cake.csv`), so the
//! activity comes from the file name and an item's id is `activity/index`, unique across files.

use std::path::Path;

use causa_graph::{GraphError, Result};
use serde::{Deserialize, Serialize};

use crate::benchdata::read_text;
use crate::csv;

/// What the choice is asked to be, relative to the premise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The more plausible cause of the premise.
    Cause,
    /// The more plausible effect of the premise.
    Effect,
}

impl Direction {
    /// `cause` or `effect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Cause => "cause",
            Direction::Effect => "effect",
        }
    }
}

/// One COLD item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// `file_stem/index` (the index is the file's first, unnamed column).
    pub id: String,
    /// The activity, from the file name with `_` as space (`baking a cake`).
    pub activity: String,
    /// The event the question is about.
    pub premise: String,
    /// Option A.
    pub choice1: String,
    /// Option B.
    pub choice2: String,
    /// True when `choice2` is the answer (label 1); false for `choice1` (label 0).
    pub second: bool,
    /// Whether a cause or an effect is asked for.
    pub question: Direction,
}

impl Item {
    /// The gold option letter, `A` or `B`.
    pub fn answer_letter(&self) -> char {
        if self.second { 'B' } else { 'A' }
    }
}

/// The activity named by a file: its stem with `_` as space.
pub fn activity_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().replace('_', " ")).unwrap_or_default()
}

/// Reads one activity file.
pub fn load(path: &Path) -> Result<Vec<Item>> {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    load_str(&read_text(path)?, &stem).map_err(|e| match e {
        GraphError::Parse { line, token, message } => {
            GraphError::Parse { line, token, message: format!("{message} (in {})", path.display()) }
        }
        other => other,
    })
}

/// Parses one activity file's CSV text; `stem` is the file stem (activity and id prefix).
pub fn load_str(text: &str, stem: &str) -> Result<Vec<Item>> {
    let mut rows = csv::parse(text)?.into_iter();
    let header = rows.next().unwrap_or_default();
    let column = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| GraphError::Parse {
            line: 1,
            token: name.to_string(),
            message:
                "missing column of a COLD file (expected index, premise, choice1, choice2, label, question)"
                    .into(),
        })
    };
    let (premise, choice1, choice2, label, question) =
        (column("premise")?, column("choice1")?, column("choice2")?, column("label")?, column("question")?);
    let index = header.iter().position(|h| h.trim().is_empty());
    let activity = stem.replace('_', " ");
    rows.enumerate()
        .filter(|(_, row)| !(row.len() == 1 && row[0].trim().is_empty()))
        .map(|(i, row)| {
            let line = i + 2;
            let cell = |k: usize| -> Result<&str> {
                row.get(k).map(String::as_str).ok_or_else(|| GraphError::Parse {
                    line,
                    token: row.first().cloned().unwrap_or_default(),
                    message: format!("record has {} fields, the header {}", row.len(), header.len()),
                })
            };
            let second = match cell(label)?.trim() {
                "0" => false,
                "1" => true,
                other => {
                    return Err(GraphError::Parse {
                        line,
                        token: other.to_string(),
                        message: "label must be 0 (choice1) or 1 (choice2)".into(),
                    });
                }
            };
            let question = match cell(question)?.trim() {
                "cause" => Direction::Cause,
                "effect" => Direction::Effect,
                other => {
                    return Err(GraphError::Parse {
                        line,
                        token: other.to_string(),
                        message: "question must be `cause` or `effect`".into(),
                    });
                }
            };
            let key = match index {
                Some(k) => cell(k)?.trim().to_string(),
                None => (i + 1).to_string(),
            };
            Ok(Item {
                id: format!("{stem}/{key}"),
                activity: activity.clone(),
                premise: cell(premise)?.trim().to_string(),
                choice1: cell(choice1)?.trim().to_string(),
                choice2: cell(choice2)?.trim().to_string(),
                second,
                question,
            })
        })
        .collect()
}

/// Reads a file, or every `*.csv` file of a directory in file-name order.
pub fn load_path(path: &Path) -> Result<Vec<Item>> {
    if !path.is_dir() {
        return load(path);
    }
    let entries =
        std::fs::read_dir(path).map_err(|source| GraphError::Io { path: path.to_path_buf(), source })?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    let mut items = Vec::new();
    for file in files {
        items.extend(load(&file)?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = ",premise,choice1,choice2,label,question\n\
        105,find a recipe.,carefully follow instructions step by step.,get cake mix.,0,effect\n\
        165,\"mix, then bake.\",get measuring cup.,get your recipe.,1,cause\n";

    #[test]
    fn reads_choices_labels_and_directions() {
        let items = load_str(TEXT, "baking_a_cake").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id, "baking_a_cake/105");
        assert_eq!(items[0].activity, "baking a cake");
        assert_eq!(items[0].answer_letter(), 'A');
        assert_eq!(items[0].question, Direction::Effect);
        assert_eq!(items[1].premise, "mix, then bake.");
        assert_eq!(items[1].answer_letter(), 'B');
        assert_eq!(items[1].question, Direction::Cause);
    }

    #[test]
    fn bad_labels_directions_and_formats_are_errors() {
        let bad_label = TEXT.replace(",1,cause", ",2,cause");
        let err = load_str(&bad_label, "x").unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("label"), "{err}");
        let bad_question = TEXT.replace(",0,effect", ",0,outcome");
        assert!(load_str(&bad_question, "x").unwrap_err().to_string().contains("outcome"));
        // A Corr2Cause file is not a COLD file.
        let err =
            load_str("input,label,num_variables,template\nx,1,2,parent\n", "x").unwrap_err().to_string();
        assert!(err.contains("premise"), "{err}");
    }
}
