//! COLD: the loader on the development files.

mod common;

use causa_reasoning::cold;

#[test]
fn loads_the_five_activities_with_unique_ids() {
    let items = cold::load_path(&common::benchdata().join("cold")).unwrap();
    assert_eq!(items.len(), 300);
    let activities: std::collections::BTreeSet<&str> = items.iter().map(|i| i.activity.as_str()).collect();
    assert_eq!(activities.len(), 5);
    assert!(activities.contains("baking a cake"), "{activities:?}");
    let ids: std::collections::BTreeSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), 300);
    // The first row of baking_a_cake.csv: `105,find a recipe.,...,get cake mix.,0,effect`.
    let first = items.iter().find(|i| i.id == "baking_a_cake/105").unwrap();
    assert_eq!((first.premise.as_str(), first.answer_letter()), ("find a recipe.", 'A'));
    assert_eq!(first.question, cold::Direction::Effect);
    assert!(items.iter().any(|i| i.second) && items.iter().any(|i| !i.second));
}

#[test]
fn other_benchmarks_files_are_rejected() {
    let err = cold::load_path(&common::benchdata().join("corr2cause/dev.csv")).unwrap_err().to_string();
    assert!(err.contains("premise") && err.contains("dev.csv"), "{err}");
}
