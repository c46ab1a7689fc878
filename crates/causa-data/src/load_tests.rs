use std::path::PathBuf;

use proptest::prelude::*;

use super::*;
use crate::test_support::benchdata;

fn opts() -> LoadOptions {
    LoadOptions::default()
}

fn err(text: &str, options: &LoadOptions) -> String {
    load_delimited(text, options).unwrap_err().to_string()
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("causa-data-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn sachs_continuous_file() {
    // `wc -l` gives 7467 lines: a header and 7466 rows; `head` shows 11 tab-separated columns.
    let loaded = load(&benchdata("bnlearn/sachs/data/sachs.2005.continuous.txt").unwrap(), &opts()).unwrap();
    let d = &loaded.dataset;
    assert_eq!((d.n_rows(), d.n_cols()), (7466, 11));
    assert_eq!(loaded.delimiter, Some('\t'));
    let names = ["raf", "mek", "plc", "pip2", "pip3", "erk", "akt", "pka", "pkc", "p38", "jnk"];
    assert_eq!(d.names(), names.map(String::from));
    assert!(loaded.columns.iter().all(|c| c.column_type == ColumnType::Continuous && c.missing == 0));
    assert_eq!(d.values()[[0, 0]], 26.4);
    assert_eq!(d.values()[[0, 10]], 40.0);
    assert_eq!(d.values()[[7465, 0]], 30.5);
    assert_eq!(d.values()[[7465, 10]], 1.65);
}

#[test]
fn sachs_discrete_file() {
    // 5401 lines; every column takes the values 1, 2, 3; raf == 1 in 2761 rows (counted with awk).
    let loaded = load(&benchdata("bnlearn/sachs/data/sachs.2005.discrete.txt").unwrap(), &opts()).unwrap();
    let d = &loaded.dataset;
    assert_eq!((d.n_rows(), d.n_cols()), (5400, 11));
    assert!(d.kinds().iter().all(|k| *k == ColumnKind::Discrete { levels: 3 }));
    assert_eq!(d.labels(0), ["1", "2", "3"].map(String::from));
    assert_eq!(d.column(0).iter().filter(|&&v| v == 0.0).count(), 2761);
    // The first data row is `1 1 1 2 3 2 1 3 1 2 1`: codes are the values minus one.
    let first: Vec<f64> = d.values().row(0).to_vec();
    assert_eq!(first, vec![0.0, 0.0, 0.0, 1.0, 2.0, 1.0, 0.0, 2.0, 0.0, 1.0, 0.0]);
}

#[test]
fn detects_each_delimiter() {
    for (d, c) in [(",", ','), (";", ';'), ("\t", '\t'), ("|", '|')] {
        let text = format!("a{d}b{d}c\n1.5{d}2.5{d}x\n3.5{d}4.5{d}y\n");
        let loaded = load_delimited(&text, &opts()).unwrap();
        assert_eq!(loaded.delimiter, Some(c));
        assert_eq!(loaded.dataset.names(), ["a", "b", "c"].map(String::from));
        assert_eq!(loaded.dataset.values()[[1, 1]], 4.5);
    }
}

#[test]
fn decimal_commas_in_quotes_do_not_fool_detection() {
    let text = "name;value\n\"a,b\";1.5\n\"c,d\";2.5\n";
    let loaded = load_delimited(text, &opts()).unwrap();
    assert_eq!(loaded.delimiter, Some(';'));
    assert_eq!(loaded.dataset.labels(0), ["a,b", "c,d"].map(String::from));
}

#[test]
fn wrong_delimiter_is_reported() {
    let options = LoadOptions { delimiter: Some(b';'), ..opts() };
    let message = err("a,b\n1,2\n3,4\n", &options);
    assert!(message.contains("wrong delimiter") && message.contains("`,`"), "{message}");
}

#[test]
fn ragged_rows_name_the_line() {
    let message = err("a,b,c\n1,2,3\n4,5\n6,7,8\n", &opts());
    assert!(message.contains("line 3 has 2 fields but the header has 3"), "{message}");
    let message = err("a\tb\n1\t2\n\n3\t4\t5\n", &opts());
    assert!(message.contains("line 4 has 3 fields"), "{message}");
}

#[test]
fn empty_and_header_only_files() {
    assert!(err("", &opts()).contains("empty"));
    assert!(err("\n  \n", &opts()).contains("empty"));
    assert!(err("a,b,c\n", &opts()).contains("no data rows"));
    let path = temp_file("empty.csv", b"");
    let message = load(&path, &opts()).unwrap_err().to_string();
    assert!(message.contains("empty.csv") && message.contains("empty"), "{message}");
}

#[test]
fn unreadable_and_binary_files() {
    let missing = load(Path::new("/nonexistent/data.csv"), &opts()).unwrap_err().to_string();
    assert!(missing.contains("/nonexistent/data.csv"), "{missing}");
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
    let binary = load(&temp_file("garbage.csv", &garbage), &opts()).unwrap_err().to_string();
    assert!(binary.contains("UTF-8"), "{binary}");
    for name in ["garbage.parquet", "garbage.json", "garbage.jsonl"] {
        let message = load(&temp_file(name, &garbage), &opts()).unwrap_err().to_string();
        assert!(message.contains(name), "{message}");
    }
}

#[test]
fn non_numeric_values_in_continuous_columns() {
    let options = LoadOptions { kinds: vec![("b".into(), KindHint::Continuous)], ..opts() };
    let message = err("a,b\n1,2.5\n2,oops\n3,4.5\n", &options);
    assert!(message.contains("`b`") && message.contains("`oops`") && message.contains("line 3"), "{message}");
    // Undeclared, a mostly numeric column with stray text is an error too, not silently categorical.
    let message = err("a,b\n1,2.5\n2,oops\n3,4.5\n", &opts());
    assert!(message.contains("mostly numeric") && message.contains("line 3"), "{message}");
    // Declared discrete, the same column is four categories.
    let options = LoadOptions { kinds: vec![("b".into(), KindHint::Discrete)], ..opts() };
    let loaded = load_delimited("a,b\n1,2.5\n2,oops\n3,4.5\n", &options).unwrap();
    assert_eq!(loaded.dataset.labels(1), ["2.5", "4.5", "oops"].map(String::from));
}

#[test]
fn unknown_columns_list_what_exists() {
    let options = LoadOptions { columns: Some(vec!["a".into(), "zz".into()]), ..opts() };
    let message = err("a,b,c\n1,2,3\n", &options);
    assert!(message.contains("`zz`") && message.contains("a, b, c"), "{message}");
}

#[test]
fn column_selection_keeps_the_order_asked() {
    let options = LoadOptions { columns: Some(vec!["c".into(), "a".into()]), ..opts() };
    let loaded = load_delimited("a,b,c\n1.5,2.5,3.5\n4.5,5.5,6.5\n", &options).unwrap();
    assert_eq!(loaded.dataset.names(), ["c", "a"].map(String::from));
    assert_eq!(loaded.dataset.values().row(1).to_vec(), vec![6.5, 4.5]);
}

const WITH_MISSING: &str = "x,g,y\n1.5,red,10\n,blue,20\nNA,red,\n4.5,,40\n5.5,red,50\n";

#[test]
fn missing_values_error_by_default_naming_columns_and_counts() {
    let message = err(WITH_MISSING, &opts());
    assert!(message.contains("`x` (2, first on line 3)"), "{message}");
    assert!(message.contains("`g` (1, first on line 5)"), "{message}");
    assert!(message.contains("`y` (1, first on line 4)"), "{message}");
}

#[test]
fn missing_values_dropped() {
    let loaded =
        load_delimited(WITH_MISSING, &LoadOptions { missing: MissingPolicy::Drop, ..opts() }).unwrap();
    assert_eq!(loaded.rows_read, 5);
    assert_eq!(loaded.rows_dropped, 3);
    assert_eq!(loaded.dataset.n_rows(), 2);
    assert_eq!(loaded.dataset.column(0).to_vec(), vec![1.5, 5.5]);
    // Only `red` is left, so `g` has one level.
    assert_eq!(loaded.dataset.kinds()[1], ColumnKind::Discrete { levels: 1 });
    assert_eq!(loaded.columns[0].missing, 2);
}

#[test]
fn missing_values_imputed_by_mean_and_mode() {
    let loaded =
        load_delimited(WITH_MISSING, &LoadOptions { missing: MissingPolicy::Impute, ..opts() }).unwrap();
    let d = &loaded.dataset;
    assert_eq!(d.n_rows(), 5);
    // x: mean of 1.5, 4.5, 5.5 = 11.5 / 3.
    assert!((d.values()[[1, 0]] - 11.5 / 3.0).abs() < 1e-12);
    assert!((d.values()[[2, 0]] - 11.5 / 3.0).abs() < 1e-12);
    // g: labels sorted (blue, red), mode red = code 1.
    assert_eq!(d.labels(1), ["blue", "red"].map(String::from));
    assert_eq!(d.values()[[3, 1]], 1.0);
    // y: 10, 20, 40, 50 are integers with 4 distinct values, so discrete; the mode on a tie is the
    // lowest code (10).
    assert_eq!(loaded.columns[2].column_type, ColumnType::Discrete);
    assert_eq!(d.values()[[2, 2]], 0.0);
    let all_missing = err("a,b\n1,\n2,NA\n", &LoadOptions { missing: MissingPolicy::Impute, ..opts() });
    assert!(all_missing.contains("`b`"), "{all_missing}");
    let nothing_left = err("a,b\n1,\n,2\n", &LoadOptions { missing: MissingPolicy::Drop, ..opts() });
    assert!(nothing_left.contains("no rows are left"), "{nothing_left}");
    assert!(!nothing_left.contains("no values at all"), "no column is empty: {nothing_left}");
    let empty_column = err("a,b\n1,\n2,NA\n", &LoadOptions { missing: MissingPolicy::Drop, ..opts() });
    assert!(empty_column.contains("column `b` has no values at all"), "{empty_column}");
}

#[test]
fn categorical_coding_and_the_discrete_rule() {
    let text = "colour,flag,count,level\nred,yes,0,0.5\ngreen,no,11,1.5\nblue,yes,3,2.5\nred,no,7,3.5\n";
    let loaded = load_delimited(text, &opts()).unwrap();
    let d = &loaded.dataset;
    let types: Vec<ColumnType> = loaded.columns.iter().map(|c| c.column_type).collect();
    assert_eq!(
        types,
        vec![ColumnType::Categorical, ColumnType::Binary, ColumnType::Discrete, ColumnType::Continuous]
    );
    assert_eq!(d.labels(0), ["blue", "green", "red"].map(String::from));
    assert_eq!(d.column(0).to_vec(), vec![2.0, 1.0, 0.0, 2.0]);
    assert_eq!(d.column(1).to_vec(), vec![1.0, 0.0, 1.0, 0.0]);
    // count's values 0, 3, 7, 11 are coded in numeric (not text) order.
    assert_eq!(d.labels(2), ["0", "3", "7", "11"].map(String::from));
    assert_eq!(d.column(2).to_vec(), vec![0.0, 3.0, 1.0, 2.0]);

    // With at most 3 levels allowed, the 4-valued integer column is continuous.
    let strict = load_delimited(text, &LoadOptions { max_discrete_levels: 3, ..opts() }).unwrap();
    assert_eq!(strict.columns[2].column_type, ColumnType::Continuous);
    assert_eq!(strict.dataset.column(2).to_vec(), vec![0.0, 11.0, 3.0, 7.0]);
    // Eleven distinct integers exceed the default of 10.
    let many: String =
        std::iter::once("k".to_string()).chain((0..11).map(|i| i.to_string())).collect::<Vec<_>>().join("\n");
    assert_eq!(load_delimited(&many, &opts()).unwrap().columns[0].column_type, ColumnType::Continuous);
    // A hint overrides the rule both ways.
    let options = LoadOptions { kinds: vec![("count".into(), KindHint::Continuous)], ..opts() };
    assert_eq!(load_delimited(text, &options).unwrap().columns[2].column_type, ColumnType::Continuous);
    let options = LoadOptions { kinds: vec![("level".into(), KindHint::Discrete)], ..opts() };
    assert_eq!(
        load_delimited(text, &options).unwrap().dataset.kinds()[3],
        ColumnKind::Discrete { levels: 4 }
    );
}

#[test]
fn time_index_column() {
    let options = LoadOptions { time_index: Some("t".into()), ..opts() };
    let loaded = load_delimited("t,a\n0,1.5\n1,2.5\n3,3.5\n", &options).unwrap();
    assert_eq!(loaded.time_index, Some(vec![0.0, 1.0, 3.0]));
    assert_eq!(loaded.dataset.names(), ["a"].map(String::from));
    let message = err("t,a\n0,1.5\n2,2.5\n1,3.5\n", &options);
    assert!(message.contains("not strictly increasing on line 4"), "{message}");
}

#[test]
fn duplicate_header_names() {
    let message = err("a,b,a\n1,2,3\n", &opts());
    assert!(message.contains("line 1: columns 1 and 3 are both named `a`"), "{message}");
    // Through `load` the message also names the file.
    let path = temp_file("dup.csv", b"a,b,a\n1,2,3\n");
    let message = load(&path, &opts()).unwrap_err().to_string();
    assert!(message.contains("dup.csv") && message.contains("`a`"), "{message}");
}

#[test]
fn quotes_in_names_follow_rfc_4180() {
    // A doubled quote inside a quoted header field is one quote; a quote inside an unquoted field
    // is an ordinary character, in the header and in the values.
    let text = "a,\"b\"\"c\",d\"e,f\n1,2,3,x\"y\n4,5,6,\"z\"\"w\"\n7,8,9,\"u,v\"\n";
    let loaded = load_delimited(text, &opts()).unwrap();
    assert_eq!(loaded.dataset.names(), ["a", "b\"c", "d\"e", "f"].map(String::from));
    assert_eq!(loaded.dataset.labels(3), ["u,v", "x\"y", "z\"w"].map(String::from));
    assert_eq!(loaded.dataset.n_rows(), 3);
}

#[test]
fn values_whose_squares_overflow_are_refused_with_the_column() {
    let continuous = LoadOptions { kinds: vec![("big".into(), KindHint::Continuous)], ..opts() };
    let message = err("x,big\n1,1e308\n2,-1e308\n3,1.5e308\n", &continuous);
    assert!(message.contains("column `big` has values too large"), "{message}");
    // Without a hint: more distinct values than --max-levels make the column continuous.
    let rows: String = (1..=12).map(|i| format!("{i},{i}.5e307\n")).collect();
    let message = err(&format!("x,big\n{rows}"), &opts());
    assert!(message.contains("column `big` has values too large"), "{message}");
    // Large but usable values (squares far from overflowing) load.
    let loaded = load_delimited("x,big\n1,1e150\n2,-1e150\n3,2.5e150\n", &continuous).unwrap();
    assert_eq!(loaded.dataset.values()[[2, 1]], 2.5e150);
    // A discrete column is coded, so its magnitude does not matter.
    let options = LoadOptions { kinds: vec![("big".into(), KindHint::Discrete)], ..opts() };
    assert!(load_delimited("x,big\n1,1e308\n2,-1e308\n3,1e308\n", &options).is_ok());
}

#[test]
fn json_and_parquet_files() {
    let json =
        br#"[{"a": 1.5, "b": "x", "c": 1}, {"a": 2.5, "b": "y", "c": 2}, {"a": null, "b": "x", "c": 1}]"#;
    let loaded =
        load(&temp_file("rows.json", json), &LoadOptions { missing: MissingPolicy::Drop, ..opts() }).unwrap();
    assert_eq!(loaded.dataset.n_rows(), 2);
    assert_eq!(loaded.dataset.names(), ["a", "b", "c"].map(String::from));
    assert_eq!(loaded.columns[1].column_type, ColumnType::Binary);
    let lines = b"{\"a\": 1.5, \"b\": 2}\n{\"a\": 2.5, \"b\": 3}\n";
    let loaded = load(&temp_file("rows.jsonl", lines), &opts()).unwrap();
    assert_eq!(loaded.dataset.column(0).to_vec(), vec![1.5, 2.5]);

    use polars::prelude::{NamedFrom, ParquetWriter, Series};
    let mut frame = DataFrame::new_infer_height(vec![
        Series::new("u".into(), &[0.25f64, 0.5, 0.75]).into(),
        Series::new("k".into(), &["lo", "hi", "lo"]).into(),
    ])
    .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame).unwrap();
    let loaded = load(&temp_file("table.parquet", &bytes), &opts()).unwrap();
    assert_eq!(loaded.dataset.column(0).to_vec(), vec![0.25, 0.5, 0.75]);
    assert_eq!(loaded.dataset.labels(1), ["hi", "lo"].map(String::from));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn never_panics_on_arbitrary_text(text in "[a-c0-9,;\t\n\". -]{0,80}") {
        let _ = load_delimited(&text, &LoadOptions::default());
        let _ = load_delimited(&text, &LoadOptions { missing: MissingPolicy::Impute, ..LoadOptions::default() });
    }
}

#[test]
fn blank_lines_are_skipped_and_line_numbers_stay_true() {
    let loaded = load_delimited("a,b\n1.5,2.5\n\n3.5,4.5\n", &opts()).unwrap();
    assert_eq!(loaded.dataset.column(1).to_vec(), vec![2.5, 4.5]);
    let message = err("a,b\n1.5,2.5\n\n\n3.5,\n", &opts());
    assert!(message.contains("`b` (1, first on line 5)"), "{message}");
}

#[test]
fn none_is_a_category_not_a_missing_value() {
    // bnlearn's child network has a state named `None`; data sampled from it must load.
    let loaded =
        load_delimited("flow,mixing\nLow,None\nHigh,Mild\nLow,None\n", &LoadOptions::default()).unwrap();
    assert_eq!(loaded.rows_read, 3);
    let mixing = loaded.dataset.column_index("mixing").unwrap();
    assert_eq!(loaded.dataset.labels(mixing), &["Mild".to_string(), "None".to_string()][..]);
}
