//! Reading a question: what kind of causal question it is and which columns it names.
//!
//! The rule-based planner and the plan guard both need to know the effect asked about, so this
//! is deterministic: a few sentence patterns ("effect of X on Y", "does X cause Y", "impact of X
//! on Y", "what causes Y", "which agent caused the failure") and column matching that tolerates
//! case, spaces versus underscores, plurals and unique prefixes.

use serde::{Deserialize, Serialize};

/// What the question asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intent {
    /// The causal effect of `treatment` on `outcome`.
    Effect {
        /// The treatment column.
        treatment: String,
        /// The outcome column.
        outcome: String,
    },
    /// The causes of `outcome` (its parents in the learnt graph).
    Causes {
        /// The outcome column.
        outcome: String,
    },
    /// The causal structure of the data (no particular effect).
    Structure,
    /// Which agent and step caused a multi-agent run to fail.
    FailureAttribution,
}

/// Normalises a name for comparison: lowercase, `_`, `-`, `.` and spaces removed.
pub fn normalise(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The column `text` refers to: exact, then case- and separator-insensitive, then singular or
/// plural, then a unique prefix, then a unique close spelling (edit distance 1 for names of
/// four or more characters). `None` when nothing or more than one column fits.
pub fn match_column<'a>(text: &str, columns: &'a [String]) -> Option<&'a str> {
    if let Some(c) = columns.iter().find(|c| c.as_str() == text) {
        return Some(c);
    }
    let wanted = normalise(text);
    if wanted.is_empty() {
        return None;
    }
    let unique = |hits: Vec<&'a String>| (hits.len() == 1).then(|| hits[0].as_str());
    let norm: Vec<(String, &'a String)> = columns.iter().map(|c| (normalise(c), c)).collect();
    let exact: Vec<&String> = norm.iter().filter(|(n, _)| *n == wanted).map(|(_, c)| *c).collect();
    if !exact.is_empty() {
        return unique(exact);
    }
    let singular = |s: &str| s.strip_suffix('s').map(str::to_string).unwrap_or_else(|| s.to_string());
    let plural: Vec<&String> =
        norm.iter().filter(|(n, _)| singular(n) == singular(&wanted)).map(|(_, c)| *c).collect();
    if !plural.is_empty() {
        return unique(plural);
    }
    if wanted.len() >= 2 {
        let prefix: Vec<&String> =
            norm.iter().filter(|(n, _)| n.starts_with(&wanted)).map(|(_, c)| *c).collect();
        if !prefix.is_empty() {
            return unique(prefix);
        }
    }
    if wanted.len() >= 4 {
        let close: Vec<&String> =
            norm.iter().filter(|(n, _)| edit_distance(n, &wanted) <= 1).map(|(_, c)| *c).collect();
        return unique(close);
    }
    None
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Phrases that introduce "X ... Y" for an effect question, with the word between X and Y.
const EFFECT_PATTERNS: &[(&str, &str)] = &[
    ("effect of ", " on "),
    ("impact of ", " on "),
    ("influence of ", " on "),
    ("does ", " cause "),
    ("does ", " affect "),
    ("does ", " influence "),
    ("does ", " change "),
    ("does ", " increase "),
    ("does ", " decrease "),
    ("does ", " reduce "),
    ("do ", " cause "),
    ("do ", " affect "),
    ("how does ", " affect "),
    ("how much does ", " change "),
    ("how much does ", " affect "),
    ("if i change ", " what happens to "),
    ("is ", " a cause of "),
];

/// Reads the question against the dataset's columns. Returns `None` when it names no effect,
/// causes or structure question over these columns (the caller then lists the columns).
pub fn parse(question: &str, columns: &[String], has_log: bool) -> Option<Intent> {
    let q = question.to_lowercase();
    let q = q.trim().trim_end_matches(['?', '.', '!']).to_string();
    let mentions_agent =
        ["agent", "who caused", "which step", "failure", "failed", "mistake"].iter().any(|w| q.contains(w));
    if has_log && (columns.is_empty() || mentions_agent) {
        return Some(Intent::FailureAttribution);
    }
    for (open, middle) in EFFECT_PATTERNS {
        if let Some(start) = q.find(open) {
            let rest = &q[start + open.len()..];
            if let Some(mid) = rest.find(middle) {
                let x = &rest[..mid];
                let y = &rest[mid + middle.len()..];
                if let (Some(t), Some(o)) = (find_column(x, columns, true), find_column(y, columns, false))
                    && t != o
                {
                    return Some(Intent::Effect { treatment: t, outcome: o });
                }
            }
        }
    }
    for open in [
        "what causes ",
        "what are the causes of ",
        "causes of ",
        "what drives ",
        "what affects ",
        "why does ",
    ] {
        if let Some(start) = q.find(open)
            && let Some(y) = find_column(&q[start + open.len()..], columns, false)
        {
            return Some(Intent::Causes { outcome: y });
        }
    }
    let structure = ["causal graph", "causal structure", "structure", "how are", "related", "relationships"];
    if structure.iter().any(|w| q.contains(w)) && !columns.is_empty() {
        return Some(Intent::Structure);
    }
    None
}

/// The column a question asks the effect of on itself ("the effect of t on t"), if it does: such a
/// question names no effect [`parse`] can read, and saying why helps more than listing columns.
pub fn self_effect(question: &str, columns: &[String]) -> Option<String> {
    let q = question.to_lowercase();
    let q = q.trim().trim_end_matches(['?', '.', '!']);
    EFFECT_PATTERNS.iter().find_map(|(open, middle)| {
        let rest = &q[q.find(open)? + open.len()..];
        let mid = rest.find(middle)?;
        let t = find_column(&rest[..mid], columns, true)?;
        (find_column(&rest[mid + middle.len()..], columns, false)? == t).then_some(t)
    })
}

/// The column named in a phrase: the whole phrase, else the longest run of its words that names
/// a column (the last such run for the treatment side's end, the first for the outcome).
fn find_column(phrase: &str, columns: &[String], treatment_side: bool) -> Option<String> {
    let cleaned: String =
        phrase.chars().map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { ' ' }).collect();
    let stop = [
        "the", "a", "an", "of", "on", "in", "to", "my", "our", "its", "level", "levels", "really", "actually",
    ];
    let words: Vec<&str> = cleaned.split_whitespace().filter(|w| !stop.contains(w)).collect();
    if words.is_empty() {
        return None;
    }
    if let Some(c) = exact_or_normalised(&words.join(" "), columns) {
        return Some(c);
    }
    for len in (1..=words.len()).rev() {
        let starts: Vec<usize> = (0..=words.len() - len).collect();
        let ordered: Vec<usize> = if treatment_side { starts.into_iter().rev().collect() } else { starts };
        for s in ordered {
            if let Some(c) = exact_or_normalised(&words[s..s + len].join(" "), columns) {
                return Some(c);
            }
        }
    }
    for w in words {
        if let Some(c) = match_column(w, columns) {
            return Some(c.to_string());
        }
    }
    None
}

fn exact_or_normalised(text: &str, columns: &[String]) -> Option<String> {
    let n = normalise(text);
    let singular = |s: &str| s.strip_suffix('s').map(str::to_string).unwrap_or_else(|| s.to_string());
    columns
        .iter()
        .find(|c| normalise(c) == n)
        .or_else(|| columns.iter().find(|c| singular(&normalise(c)) == singular(&n)))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_effect_of_a_column_on_itself_is_recognised() {
        let columns = ["t", "y"].map(String::from).to_vec();
        assert_eq!(parse("effect of t on t", &columns, false), None);
        assert_eq!(self_effect("What is the effect of t on t?", &columns), Some("t".into()));
        assert_eq!(self_effect("effect of t on y", &columns), None);
        assert_eq!(self_effect("effect of q on y", &columns), None);
    }

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn effect_questions_in_several_wordings() {
        let c = cols(&["exercise", "blood_pressure", "age", "salt_intake"]);
        let want = Intent::Effect { treatment: "exercise".into(), outcome: "blood_pressure".into() };
        for q in [
            "What is the effect of exercise on blood pressure?",
            "Does exercise cause blood_pressure",
            "what's the impact of Exercise on the BLOOD PRESSURE?",
            "How does exercise affect blood pressure levels?",
            "does exercise really reduce blood pressure",
        ] {
            assert_eq!(parse(q, &c, false), Some(want.clone()), "{q}");
        }
        assert_eq!(
            parse("effect of salt on blood pressure", &c, false),
            Some(Intent::Effect { treatment: "salt_intake".into(), outcome: "blood_pressure".into() })
        );
    }

    #[test]
    fn causes_structure_attribution_and_failures() {
        let c = cols(&["x", "smoking", "cancer"]);
        assert_eq!(
            parse("What causes cancer?", &c, false),
            Some(Intent::Causes { outcome: "cancer".into() })
        );
        assert_eq!(parse("Show me the causal structure", &c, false), Some(Intent::Structure));
        assert_eq!(parse("Which agent caused the failure?", &[], true), Some(Intent::FailureAttribution));
        assert_eq!(parse("What is the weather tomorrow?", &c, false), None);
        assert_eq!(parse("effect of rain on cancer", &c, false), None, "rain is no column");
    }

    #[test]
    fn column_matching_is_forgiving_but_never_ambiguous() {
        let c = cols(&["Treatment", "outcome_score", "age_years", "age_group"]);
        assert_eq!(match_column("treatment", &c), Some("Treatment"));
        assert_eq!(match_column("outcome score", &c), Some("outcome_score"));
        assert_eq!(match_column("outc", &c), Some("outcome_score"));
        assert_eq!(match_column("age", &c), None, "two columns start with age");
        assert_eq!(match_column("treatmnt", &c), Some("Treatment"));
        assert_eq!(match_column("zzz", &c), None);
    }
}
