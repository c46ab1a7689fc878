//! Reading a model's free-text answer the way each benchmark's own evaluation does.
//!
//! - Corr2Cause and CLadder: a yes/no verdict; the first yes/no word of the answer counts (the
//!   CLadder evaluation reads the answer's leading "yes"/"no"; Corr2Cause's labels are
//!   valid/invalid, so those words and true/false count too).
//! - CLEAR: by question type: yes/no, an option letter, a number, or the answer text itself for
//!   find-one and find-all questions (judged later against the graph).
//! - COLD: the option letter; the official protocol compares the scores of " A" and " B" as the
//!   next token ([`choice_by_logprobs`]), with the generated letter as the fallback.
//!
//! Text after the last `Answer:` marker is preferred when the model writes one, so a model that
//! restates the question before answering is read at its answer.

use causa_llm::TokenLogprob;

/// The part of `text` after the last `Answer:` (any case), or all of it.
pub fn answer_part(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    match lower.rfind("answer:") {
        Some(at) if !text[at + 7..].trim().is_empty() => &text[at + 7..],
        _ => text,
    }
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase)
}

/// The first yes/no verdict: `yes`, `true`, `valid` mean yes; `no`, `false`, `invalid` mean no.
pub fn yes_no(text: &str) -> Option<bool> {
    words(answer_part(text)).find_map(|w| match w.as_str() {
        "yes" | "true" | "valid" => Some(true),
        "no" | "false" | "invalid" => Some(false),
        _ => None,
    })
}

/// The option letter among the first `count` letters (`A`, `B`, ...). A letter standing alone
/// ("B", "B.", "(B)", "B)", "Answer: B", "option B") counts; otherwise, when the answer quotes the
/// text of exactly one option, that option.
pub fn option_letter(text: &str, options: &[&str]) -> Option<char> {
    let letters: Vec<char> = ('A'..='Z').take(options.len().max(2)).collect();
    let part = answer_part(text).trim();
    let standalone = |s: &str| -> Option<char> {
        let s = s.trim_start_matches(['(', '[', '*', ' ', '"', '\'']);
        let mut chars = s.chars();
        let first = chars.next()?;
        let next = chars.next();
        (letters.contains(&first) && next.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '\''))
            .then_some(first)
    };
    if let Some(letter) = standalone(part) {
        // "A cat ..." starts with the article, not an option.
        let article = first_word_is_article(part);
        if !article {
            return Some(letter);
        }
    }
    let lower = part.to_ascii_lowercase();
    for marker in ["answer is", "option", "choice", "answer"] {
        for (at, _) in lower.match_indices(marker) {
            if let Some(letter) = standalone(part[at + marker.len()..].trim_start_matches([':', ' '])) {
                return Some(letter);
            }
        }
    }
    let mentioned: Vec<char> = options
        .iter()
        .zip(&letters)
        .filter(|(option, _)| {
            let o = option.trim().trim_end_matches('.').to_ascii_lowercase();
            !o.is_empty() && lower.contains(&o)
        })
        .map(|(_, l)| *l)
        .collect();
    match mentioned.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn first_word_is_article(text: &str) -> bool {
    let mut parts = text.splitn(2, ' ');
    let first = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default();
    first == "A" && rest.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// The first whole number in the answer, as text.
pub fn number(text: &str) -> Option<String> {
    let part = answer_part(text);
    let mut digits = String::new();
    for c in part.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !digits.is_empty() {
            break;
        }
    }
    (!digits.is_empty())
        .then(|| digits.trim_start_matches('0').to_string())
        .map(|d| if d.is_empty() { "0".to_string() } else { d })
}

/// A find-one or find-all answer: a bracketed list (`[...]`) when `list` is set and the answer
/// has one, a braced set (`{...}`) or `set()` when it has one, else the first non-empty line.
pub fn free_answer(text: &str, list: bool) -> Option<String> {
    let part = answer_part(text).trim();
    let span = |open: char, close: char| -> Option<String> {
        let start = part.find(open)?;
        let mut depth = 0i32;
        for (i, c) in part[start..].char_indices() {
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return Some(part[start..start + i + c.len_utf8()].to_string());
                }
            }
        }
        None
    };
    if list && let Some(found) = span('[', ']') {
        return Some(found);
    }
    if let Some(found) = span('{', '}') {
        return Some(found);
    }
    if part.contains("set()") {
        return Some("set()".into());
    }
    part.lines().map(|l| l.trim().trim_end_matches('.').trim()).find(|l| !l.is_empty()).map(str::to_string)
}

/// The official COLD scoring: of the option letters, the one with the higher log-probability as
/// the first generated token (" A" and "A" both count). A letter missing from the returned
/// alternatives scores below any present one. `None` when neither letter is among them.
pub fn choice_by_logprobs(logprobs: &[TokenLogprob], letters: &[char]) -> Option<(char, Vec<Option<f32>>)> {
    let first = logprobs.first()?;
    let candidates = first.top.iter().cloned().chain([(first.token.clone(), first.logprob)]);
    let mut best: Vec<Option<f32>> = vec![None; letters.len()];
    for (token, logprob) in candidates {
        let t = token.trim();
        if let Some(k) = letters.iter().position(|l| t.len() == 1 && t.starts_with(*l)) {
            best[k] = Some(best[k].map_or(logprob, |b: f32| b.max(logprob)));
        }
    }
    let winner = best
        .iter()
        .enumerate()
        .filter_map(|(k, lp)| lp.map(|v| (k, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?
        .0;
    Some((letters[winner], best))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_no_takes_the_first_verdict_word() {
        assert_eq!(yes_no("Yes, because A causes B."), Some(true));
        assert_eq!(yes_no("no."), Some(false));
        assert_eq!(yes_no("The hypothesis is invalid: no confounder."), Some(false));
        assert_eq!(yes_no("Let me think.\nAnswer: Yes"), Some(true));
        assert_eq!(yes_no("Answer: yes. No other path."), Some(true));
        assert_eq!(yes_no("Nobody knows"), None, "a word containing `no` is not a verdict");
        assert_eq!(yes_no("It depends."), None);
    }

    #[test]
    fn option_letters_standalone_marked_or_quoted() {
        let options = ["get cake mix.", "carefully follow instructions."];
        assert_eq!(option_letter("B", &options), Some('B'));
        assert_eq!(option_letter("(A) get cake mix", &options), Some('A'));
        assert_eq!(option_letter("B. carefully follow instructions", &options), Some('B'));
        assert_eq!(option_letter("The answer is B.", &options), Some('B'));
        assert_eq!(option_letter("Option A", &options), Some('A'));
        assert_eq!(option_letter("A cake needs you to get cake mix", &options), Some('A'));
        assert_eq!(option_letter("You should carefully follow instructions.", &options), Some('B'));
        assert_eq!(option_letter("A person would do both", &options), None);
        assert_eq!(option_letter("C", &options), None, "only the offered letters count");
        assert_eq!(option_letter("D.", &["w", "x", "y", "z"]), Some('D'));
    }

    #[test]
    fn numbers_and_free_answers() {
        assert_eq!(number("There are 3 paths."), Some("3".into()));
        assert_eq!(number("Answer: 012"), Some("12".into()));
        assert_eq!(number("none"), None);
        assert_eq!(free_answer("Answer: {'A', 'C'}.", false), Some("{'A', 'C'}".into()));
        assert_eq!(free_answer("[{'A'}, set()] are all", true), Some("[{'A'}, set()]".into()));
        assert_eq!(free_answer("set() works", false), Some("set()".into()));
        assert_eq!(free_answer("\nA, B, C, D.\nbecause", false), Some("A, B, C, D".into()));
    }

    fn lp(token: &str, logprob: f32, top: &[(&str, f32)]) -> TokenLogprob {
        TokenLogprob {
            token: token.into(),
            logprob,
            top: top.iter().map(|(t, l)| (t.to_string(), *l)).collect(),
        }
    }

    #[test]
    fn logprob_choice_compares_the_letters_at_the_first_token() {
        let first = lp("The", -0.5, &[("The", -0.5), (" B", -1.2), ("A", -2.0), (" A", -1.5)]);
        let (letter, scores) = choice_by_logprobs(&[first], &['A', 'B']).unwrap();
        assert_eq!(letter, 'B');
        assert_eq!(scores, vec![Some(-1.5), Some(-1.2)]);
        // Only one letter among the alternatives: it wins.
        let (letter, _) =
            choice_by_logprobs(&[lp("A", -0.1, &[("A", -0.1), ("I", -3.0)])], &['A', 'B']).unwrap();
        assert_eq!(letter, 'A');
        assert!(choice_by_logprobs(&[lp("The", -0.1, &[("It", -1.0)])], &['A', 'B']).is_none());
        assert!(choice_by_logprobs(&[], &['A', 'B']).is_none());
    }
}
