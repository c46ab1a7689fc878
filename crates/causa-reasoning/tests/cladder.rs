//! CLadder: parser and engine on the development slice, and generated items whose ground truth
//! comes from the full Bayesian network rather than from the engine's formulas.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use causa_reasoning::cladder::{self, Perturbation, Question};

fn dev() -> Vec<cladder::Item> {
    cladder::load(&common::benchdata().join("cladder/dev.csv")).unwrap()
}

#[test]
fn every_dev_prompt_parses_to_its_query_type() {
    let items = dev();
    assert_eq!(items.len(), 120);
    for item in &items {
        let query =
            cladder::parse(&item.prompt).unwrap_or_else(|e| panic!("{} ({}): {e}", item.id, item.query_type));
        let expected = match &query.question {
            Question::Marginal { .. } => "marginal",
            Question::Correlation { .. } => "correlation",
            Question::Ate { .. } => "ate",
            Question::Ett { .. } => "ett",
            Question::Nie { .. } => "nie",
            Question::Nde { .. } => "nde",
            Question::BackdoorChoice { .. } => "backadj",
            Question::ColliderBias { .. } => "collider_bias",
            Question::ExplainAway { .. } => "exp_away",
            Question::Counterfactual { .. } => "det-counterfactual",
        };
        assert_eq!(expected, item.query_type, "{}", item.id);
        assert!(!query.edges.is_empty());
    }
}

/// Two items disagree, both rounding ties in the stated percentages:
/// - 15752 (ett, label yes): P(high rainfall | dry) and P(high rainfall | rainy) are both stated
///   as 51%, so the stated numbers give an effect of exactly 0 and cannot support "less likely";
///   the label comes from the unrounded values.
/// - 27496 (nie, label no for "negatively"): the indirect effect from the stated numbers is
///   0.06 * 0.01 - 0.12 * 0.01 = -0.0006 < 0, while the benchmark rounds it to 0.00 and answers no.
#[test]
fn engine_matches_dev_labels_except_two_rounding_ties() {
    let items = dev();
    let answers = cladder::engine_predictions(&items);
    let mut wrong = Vec::new();
    for (item, answer) in items.iter().zip(&answers) {
        match answer {
            Ok(a) if *a == item.label => {}
            Ok(_) => wrong.push(item.id.clone()),
            Err(e) => panic!("{} unanswered: {e}", item.id),
        }
    }
    assert_eq!(wrong, vec!["15752".to_string(), "27496".to_string()]);
    let predictions: Vec<Option<bool>> = answers.into_iter().map(Result::ok).collect();
    let scores = cladder::score(&items, &predictions);
    assert_eq!((scores.overall.correct, scores.overall.total), (118, 120));
    assert_eq!(scores.by_rung.values().map(|t| t.total).sum::<usize>(), 120);
}

#[test]
fn unanswered_items_count_as_wrong() {
    let items = dev();
    let scores = cladder::score(&items, &vec![None; items.len()]);
    assert_eq!((scores.overall.correct, scores.overall.unanswered), (0, 120));
}

#[test]
fn generated_items_match_the_full_network_ground_truth() {
    for (seed, perturbation) in [
        (3, Perturbation::default()),
        (4, Perturbation { paraphrase: true, rename: false }),
        (5, Perturbation { paraphrase: false, rename: true }),
        (6, Perturbation { paraphrase: true, rename: true }),
    ] {
        let items = cladder::generate(120, seed, 0.03, perturbation).unwrap();
        let kinds: std::collections::BTreeSet<&str> = items.iter().map(|i| i.query_type.as_str()).collect();
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        assert!(items.iter().any(|i| i.label) && items.iter().any(|i| !i.label));
        assert_eq!(items.iter().any(|i| i.prompt.contains(" Among ")), perturbation.paraphrase);
        for item in &items {
            let query = cladder::parse(&item.prompt).unwrap_or_else(|e| panic!("{e}: {}", item.prompt));
            assert_eq!(
                cladder::solve(&query).unwrap(),
                item.label,
                "{} {}: {}",
                item.query_type,
                item.graph_id,
                item.prompt
            );
        }
        assert_eq!(cladder::load_str(&cladder::to_csv(&items)).unwrap(), items);
        let renamed =
            items.iter().any(|i| cladder::RENAMED.iter().any(|w| i.prompt.contains(&format!(" {w} "))));
        assert_eq!(renamed, perturbation.rename);
    }
}

#[test]
fn the_same_seed_draws_the_same_questions_under_perturbations() {
    // A perturbation changes wording or names, never the causal question or its answer.
    let official = cladder::generate(60, 21, 0.03, Perturbation::default()).unwrap();
    for perturbation in
        [Perturbation { paraphrase: true, rename: false }, Perturbation { paraphrase: false, rename: true }]
    {
        let perturbed = cladder::generate(60, 21, 0.03, perturbation).unwrap();
        for (a, b) in official.iter().zip(&perturbed) {
            assert_eq!((a.label, &a.query_type, &a.graph_id), (b.label, &b.query_type, &b.graph_id));
            assert_eq!(cladder::solve(&cladder::parse(&b.prompt).unwrap()).unwrap(), b.label, "{}", b.prompt);
        }
    }
}

#[test]
fn variable_counts_select_the_graph_families() {
    let items = cladder::generate_range(30, 4..=4, 2, 0.03, Perturbation::default()).unwrap();
    assert!(items.iter().all(|i| i.graph_id == "frontdoor" || i.graph_id == "IV"), "{items:?}");
    assert!(cladder::generate_range(3, 5..=6, 2, 0.03, Perturbation::default()).is_err());
}

#[test]
fn renaming_variables_keeps_the_engine_answer_on_dev() {
    // Swap every anonymized name for another nonsense word not used in the story.
    for item in dev() {
        let lower = item.prompt.to_lowercase();
        let used: Vec<&str> = cladder::NONSENSE.iter().copied().filter(|n| lower.contains(n)).collect();
        if used.is_empty() {
            continue;
        }
        let fresh = ["blorp", "snick", "quazz", "frumb", "glent", "trovv"];
        let mut prompt = item.prompt.clone();
        for (old, new) in used.iter().zip(fresh) {
            let mut cap_old = old.to_string();
            cap_old[..1].make_ascii_uppercase();
            let mut cap_new = new.to_string();
            cap_new[..1].make_ascii_uppercase();
            prompt = prompt.replace(old, new).replace(&cap_old, &cap_new);
        }
        let before = cladder::solve(&cladder::parse(&item.prompt).unwrap()).unwrap();
        let after =
            cladder::solve(&cladder::parse(&prompt).unwrap_or_else(|e| panic!("{e}: {prompt}"))).unwrap();
        assert_eq!(before, after, "{prompt}");
    }
}

#[test]
fn malformed_prompts_are_errors() {
    assert!(cladder::parse("").is_err());
    assert!(cladder::parse("Nothing causal here. Is it?").is_err());
    let no_question = "Yomx has a direct effect on xevu. For those who are not yomx, the probability of xevu is 68%. For those who are yomx, the probability of xevu is 40%. Why is the sky blue?";
    assert!(cladder::parse(no_question).is_err());
}

#[test]
fn collider_bias_questions_read_the_negated_form() {
    let story = "Imagine a self-contained, hypothetical world with only the following conditions, and without any unmentioned factors or causal relationships: Talent has a direct effect on elite institution admission status. Effort has a direct effect on elite institution admission status. For students accepted to elite institutions, the correlation between talent and being hard-working is -0.33.";
    let affects = format!(
        "{story} If we look at students accepted to elite institutions, does it mean that talent affects being hard-working?"
    );
    let not_affects = format!(
        "{story} If we look at students accepted to elite institutions, does it mean that talent does not affect being hard-working?"
    );
    assert!(!cladder::solve(&cladder::parse(&affects).unwrap()).unwrap());
    assert!(cladder::solve(&cladder::parse(&not_affects).unwrap()).unwrap());
}
