//! A suite-agnostic runner: items in, one prediction record per item out, resumable.
//!
//! Benchmark runs with a local model take hours and get interrupted, so every finished item is
//! appended at once to `predictions.jsonl` (one `{"id", ...record}` line, flushed) and a rerun
//! skips the ids already there; a torn last line from a killed run is ignored. Items run
//! concurrently up to a limit (useful with remote models; the local backend serialises calls
//! anyway). Summaries are written atomically (temporary file, then rename) so a reader never
//! sees half a report. Suites (Who&When, and Corr2Cause, CLEAR, CLadder and COLD in
//! [`crate::reasoning`]) supply only loading, per-item prediction and summarising.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use causa_llm::BoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{BenchError, Result};

/// A benchmark suite as the runner sees it.
pub trait Suite: Send + Sync + 'static {
    /// One benchmark item.
    type Item: Send + Sync + 'static;
    /// What is stored per item (prediction plus its score).
    type Record: Serialize + DeserializeOwned + Send + 'static;

    /// A stable, unique id of `item` (used to resume).
    fn id(&self, item: &Self::Item) -> String;

    /// Predicts and scores one item. An `Err` is fatal for the run (a rerun resumes); a failure
    /// that belongs to the item alone is better recorded in the record (see [`Suite::failure`]).
    fn run_item<'a>(&'a self, item: &'a Self::Item) -> BoxFuture<'a, Result<Self::Record>>;

    /// Whether a record counts as correct, for the running accuracy of the progress line
    /// (`None`: the suite has no single notion of correct).
    fn outcome(&self, record: &Self::Record) -> Option<bool> {
        let _ = record;
        None
    }

    /// Why the item got no prediction, when the suite recorded a failure on it instead of
    /// ending the run; shown on the progress line.
    fn failure(&self, record: &Self::Record) -> Option<String> {
        let _ = record;
        None
    }
}

/// The items to run: all of them in file order, or with a seed a seeded permutation, then the
/// first `limit`. A larger limit with the same seed keeps the earlier items (a prefix of the same
/// permutation), so a resumed run with a higher limit only adds items.
pub fn select<T>(mut items: Vec<T>, seed: Option<u64>, limit: Option<usize>) -> Vec<T> {
    use rand::{RngExt, SeedableRng};
    if let Some(seed) = seed {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for i in (1..items.len()).rev() {
            items.swap(i, rng.random_range(0..=i));
        }
    }
    if let Some(limit) = limit {
        items.truncate(limit);
    }
    items
}

/// How to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Where `predictions.jsonl` goes; `None` keeps everything in memory.
    pub out_dir: Option<PathBuf>,
    /// Items in flight at once (at least 1).
    pub concurrency: usize,
    /// Reuse records already in `predictions.jsonl` (otherwise the file is started afresh).
    pub resume: bool,
    /// Print one progress line per item on stderr.
    pub progress: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { out_dir: None, concurrency: 1, resume: true, progress: false }
    }
}

/// The records of a run, in item order.
#[derive(Debug)]
pub struct RunOutcome<R> {
    /// `(id, record)` for every item.
    pub records: Vec<(String, R)>,
    /// How many records came from an earlier run.
    pub resumed: usize,
}

/// The predictions file inside an output directory.
pub fn predictions_path(dir: &Path) -> PathBuf {
    dir.join("predictions.jsonl")
}

#[derive(Serialize, Deserialize)]
struct Line<R> {
    id: String,
    #[serde(flatten)]
    record: R,
}

/// Runs `suite` over `items`.
pub async fn run<S: Suite>(
    suite: Arc<S>,
    items: Vec<S::Item>,
    options: &RunOptions,
) -> Result<RunOutcome<S::Record>> {
    let ids: Vec<String> = items.iter().map(|item| suite.id(item)).collect();
    let mut unique = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !unique.insert(id.as_str())) {
        return Err(BenchError::Input(format!("two items share the id `{dup}`")));
    }
    let mut done: HashMap<String, S::Record> = HashMap::new();
    let mut file = None;
    if let Some(dir) = &options.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| BenchError::io(dir, e))?;
        let path = predictions_path(dir);
        // Records of items outside this run (a rerun over fewer items, e.g. a smaller `--limit`)
        // stay in the file, after this run's, but not in its outcome: a partial rerun never
        // discards earlier work.
        let mut others: Vec<(String, S::Record)> = Vec::new();
        if options.resume {
            for (id, record) in read_predictions::<S::Record>(&path)? {
                if unique.contains(id.as_str()) {
                    done.insert(id, record);
                } else {
                    others.push((id, record));
                }
            }
            others.sort_by(|a, b| a.0.cmp(&b.0));
        }
        // Rewrite the kept records so a torn last line does not linger.
        let mut text = String::new();
        for id in &ids {
            if let Some(record) = done.get(id) {
                text.push_str(&to_line(id, record)?);
            }
        }
        for (id, record) in &others {
            text.push_str(&to_line(id, record)?);
        }
        write_atomically(&path, &text)?;
        let handle =
            std::fs::OpenOptions::new().append(true).open(&path).map_err(|e| BenchError::io(&path, e))?;
        file = Some((path, handle));
    }
    let resumed = done.len();
    let limit = options.concurrency.max(1);
    let mut tasks = tokio::task::JoinSet::new();
    let mut progress = Progress {
        finished: resumed,
        total: items.len(),
        tally: done
            .values()
            .filter_map(|r| suite.outcome(r))
            .fold((0usize, 0usize), |(c, n), ok| (c + usize::from(ok), n + 1)),
        started: Instant::now(),
        show: options.progress,
    };
    // Items start in order, at most `limit` at a time: with one at a time the finished items are
    // always a prefix of the list, so an interrupted run resumes exactly where it stopped.
    let todo: Vec<(usize, S::Item)> =
        items.into_iter().enumerate().filter(|(position, _)| !done.contains_key(&ids[*position])).collect();
    let mut pending = todo.into_iter();
    loop {
        while tasks.len() < limit {
            let Some((position, item)) = pending.next() else { break };
            let suite = Arc::clone(&suite);
            tasks.spawn(async move {
                let result = suite.run_item(&item).await;
                (position, result)
            });
        }
        let Some(joined) = tasks.join_next().await else { break };
        let (position, result) = joined.map_err(|e| BenchError::Task(e.to_string()))?;
        let record = match result {
            Ok(record) => record,
            Err(err) => {
                tasks.abort_all();
                return Err(err);
            }
        };
        let id = &ids[position];
        if let Some((path, handle)) = file.as_mut() {
            let line = to_line(id, &record)?;
            handle
                .write_all(line.as_bytes())
                .and_then(|()| handle.flush())
                .map_err(|e| BenchError::io(path, e))?;
        }
        progress.report(id, suite.outcome(&record), suite.failure(&record));
        done.insert(id.clone(), record);
    }
    let records = ids.into_iter().filter_map(|id| done.remove(&id).map(|r| (id, r))).collect();
    Ok(RunOutcome { records, resumed })
}

/// The progress line: items done, the running accuracy where the suite has one, elapsed time.
struct Progress {
    finished: usize,
    total: usize,
    tally: (usize, usize),
    started: Instant,
    show: bool,
}

impl Progress {
    fn report(&mut self, id: &str, outcome: Option<bool>, failure: Option<String>) {
        self.finished += 1;
        if let Some(ok) = outcome {
            self.tally = (self.tally.0 + usize::from(ok), self.tally.1 + 1);
        }
        if !self.show {
            return;
        }
        let accuracy = match outcome {
            Some(ok) => format!(
                " {}; running accuracy {:.1}% ({}/{})",
                if ok { "correct" } else { "wrong" },
                100.0 * self.tally.0 as f64 / self.tally.1.max(1) as f64,
                self.tally.0,
                self.tally.1
            ),
            None => String::new(),
        };
        let failure = failure.map(|why| format!(" (no prediction: {why})")).unwrap_or_default();
        eprintln!(
            "[{}/{}] {id}{failure}{accuracy} ({:.0}s elapsed)",
            self.finished,
            self.total,
            self.started.elapsed().as_secs_f64()
        );
    }
}

fn to_line<R: Serialize>(id: &str, record: &R) -> Result<String> {
    let line = Line { id: id.to_string(), record };
    let mut text =
        serde_json::to_string(&line).map_err(|e| BenchError::Task(format!("encoding a record: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Reads earlier records; lines that do not parse (a torn last line) are skipped.
pub fn read_predictions<R: DeserializeOwned>(path: &Path) -> Result<HashMap<String, R>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(BenchError::io(path, e)),
    };
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<Line<R>>(line).ok())
        .map(|line| (line.id, line.record))
        .collect())
}

/// Writes `contents` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        BenchError::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Square {
        value: u64,
    }

    /// Squares numbers; fails on a chosen item to test interruption and resume.
    struct Squares {
        calls: AtomicUsize,
        fail_on: Option<u32>,
    }

    impl Suite for Squares {
        type Item = u32;
        type Record = Square;
        fn id(&self, item: &u32) -> String {
            format!("n{item}")
        }
        fn run_item<'a>(&'a self, item: &'a u32) -> BoxFuture<'a, Result<Square>> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                if self.fail_on == Some(*item) {
                    return Err(BenchError::Task(format!("item {item} failed")));
                }
                Ok(Square { value: u64::from(*item) * u64::from(*item) })
            })
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("causa-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn block<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    #[test]
    fn resumes_after_an_interrupted_run_without_redoing_items() {
        let dir = temp_dir("resume");
        let options = RunOptions { out_dir: Some(dir.clone()), concurrency: 1, ..RunOptions::default() };
        let failing = Arc::new(Squares { calls: AtomicUsize::new(0), fail_on: Some(3) });
        let err = block(run(failing, vec![1, 2, 3, 4], &options)).unwrap_err();
        assert!(err.to_string().contains("item 3 failed"), "{err}");
        let kept: HashMap<String, Square> = read_predictions(&predictions_path(&dir)).unwrap();
        assert_eq!(kept.get("n1"), Some(&Square { value: 1 }));
        assert_eq!(kept.get("n2"), Some(&Square { value: 4 }));
        // A torn line from a killed process is ignored.
        let mut file = std::fs::OpenOptions::new().append(true).open(predictions_path(&dir)).unwrap();
        file.write_all(b"{\"id\":\"n4\",").unwrap();

        let suite = Arc::new(Squares { calls: AtomicUsize::new(0), fail_on: None });
        let outcome = block(run(suite.clone(), vec![1, 2, 3, 4], &options)).unwrap();
        assert_eq!(outcome.resumed, 2);
        assert_eq!(suite.calls.load(Ordering::SeqCst), 2, "only n3 and n4 run again");
        let values: Vec<u64> = outcome.records.iter().map(|(_, v)| v.value).collect();
        assert_eq!(values, vec![1, 4, 9, 16]);
        let text = std::fs::read_to_string(predictions_path(&dir)).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rerun_over_fewer_items_keeps_the_other_records() {
        let dir = temp_dir("subset");
        let options = RunOptions { out_dir: Some(dir.clone()), concurrency: 1, ..RunOptions::default() };
        let suite = Arc::new(Squares { calls: AtomicUsize::new(0), fail_on: None });
        block(run(suite.clone(), vec![1, 2, 3], &options)).unwrap();
        let outcome = block(run(suite.clone(), vec![1], &options)).unwrap();
        let values: Vec<u64> = outcome.records.iter().map(|(_, v)| v.value).collect();
        assert_eq!(values, vec![1], "the outcome covers this run's items only");
        let kept: HashMap<String, Square> = read_predictions(&predictions_path(&dir)).unwrap();
        assert_eq!(kept.len(), 3, "{kept:?}");
        let outcome = block(run(suite.clone(), vec![1, 2, 3, 4], &options)).unwrap();
        assert_eq!(outcome.resumed, 3);
        assert_eq!(suite.calls.load(Ordering::SeqCst), 4, "three first, then only n4");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_at_a_time_items_finish_in_order() {
        let dir = temp_dir("order");
        let options = RunOptions { out_dir: Some(dir.clone()), concurrency: 1, ..RunOptions::default() };
        let suite = Arc::new(Squares { calls: AtomicUsize::new(0), fail_on: Some(7) });
        let items: Vec<u32> = (1..=12).collect();
        assert!(block(run(suite, items, &options)).is_err());
        let text = std::fs::read_to_string(predictions_path(&dir)).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(ids, vec!["n1", "n2", "n3", "n4", "n5", "n6"], "a prefix, in order");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_resume_everything_runs_again_and_ids_must_be_unique() {
        let dir = temp_dir("fresh");
        let options =
            RunOptions { out_dir: Some(dir.clone()), concurrency: 3, resume: false, progress: false };
        let suite = Arc::new(Squares { calls: AtomicUsize::new(0), fail_on: None });
        block(run(suite.clone(), vec![5, 6], &options)).unwrap();
        block(run(suite.clone(), vec![5, 6], &options)).unwrap();
        assert_eq!(suite.calls.load(Ordering::SeqCst), 4);
        let err = block(run(suite, vec![5, 5], &options)).unwrap_err();
        assert!(err.to_string().contains("`n5`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
