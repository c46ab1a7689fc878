//! The live objects behind a session's plain state: loaded tables and parsed graphs, built on
//! demand from the state (files are reloaded after a resume) and cached for the next tool call.
//!
//! This is also where the file boundary is enforced: a path is registered only when the person
//! gives it, and afterwards files are looked up by their registered name, never by a path the
//! model wrote.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use causa_data::{LoadOptions, LoadedData};
use causa_graph::CausalGraph;

use crate::error::{AgentError, Result};
use crate::session::{ColumnRecord, DatasetRecord, FileKind, SessionState, UserFile};

/// Loaded tables and parsed graphs, keyed by their session names.
#[derive(Default)]
pub struct Workspace {
    datasets: HashMap<String, Arc<LoadedData>>,
}

impl Workspace {
    /// Loads the data file `file` (registering a dataset named after it), or returns the record
    /// of a dataset already loaded from it.
    pub fn load_dataset(&mut self, state: &mut SessionState, file: &UserFile) -> Result<DatasetRecord> {
        if let Some(existing) = state.datasets.iter().find(|d| d.file == file.name) {
            let record = existing.clone();
            self.data(state, &record.name)?;
            return Ok(record);
        }
        let loaded = read(file)?;
        let stem = Path::new(&file.name).file_stem().map(|s| s.to_string_lossy().into_owned());
        let base = stem.filter(|s| !s.is_empty()).unwrap_or_else(|| "data".into());
        let name = unique(&base, |n| state.datasets.iter().any(|d| d.name == n));
        let record = DatasetRecord {
            name: name.clone(),
            file: file.name.clone(),
            rows: loaded.dataset.n_rows(),
            columns: loaded
                .columns
                .iter()
                .map(|c| ColumnRecord { name: c.name.clone(), column_type: c.column_type.name().to_string() })
                .collect(),
            profile: None,
            simulated: None,
        };
        state.datasets.push(record.clone());
        self.datasets.insert(name, Arc::new(loaded));
        Ok(record)
    }

    /// The loaded table of dataset `name` (reloaded from its file after a resume).
    pub fn data(&mut self, state: &SessionState, name: &str) -> Result<Arc<LoadedData>> {
        if let Some(d) = self.datasets.get(name) {
            return Ok(Arc::clone(d));
        }
        let record = state
            .datasets
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| AgentError::Input(format!("no dataset named `{name}`")))?;
        if let Some(sim) = &record.simulated {
            let graph = state.graphs.iter().find(|g| g.name == sim.graph).ok_or_else(|| {
                AgentError::Input(format!("graph `{}` of dataset `{name}` is gone", sim.graph))
            })?;
            let loaded = Arc::new(simulate(&graph_of(graph)?, sim.samples, sim.seed)?.1);
            self.datasets.insert(name.to_string(), Arc::clone(&loaded));
            return Ok(loaded);
        }
        let file =
            state.files.iter().find(|f| f.name == record.file).ok_or_else(|| {
                AgentError::Input(format!("the file of dataset `{name}` is no longer allowed"))
            })?;
        let loaded = Arc::new(read(file)?);
        self.datasets.insert(name.to_string(), Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Adds a dataset that has no file (simulated).
    pub fn insert(&mut self, name: &str, data: LoadedData) {
        self.datasets.insert(name.to_string(), Arc::new(data));
    }
}

/// Simulates a linear-Gaussian SEM over `graph` (a DAG, or the first DAG of a CPDAG's class):
/// the simulation and the table.
pub fn simulate(
    graph: &CausalGraph,
    samples: usize,
    seed: u64,
) -> Result<(causa_data::Simulation, LoadedData)> {
    let dag = if graph.is_dag() {
        graph.clone()
    } else {
        let ext = causa_graph::equivalence::enumerate_extensions(graph, 1)
            .map_err(|e| AgentError::Input(format!("cannot simulate from this graph: {e}")))?;
        ext.dags
            .into_iter()
            .next()
            .ok_or_else(|| AgentError::Input("the graph has no DAG to simulate from".into()))?
    };
    let sim = causa_data::simulate_sem(
        &dag,
        causa_data::SemModel::Linear(causa_data::Noise::Gaussian),
        samples,
        seed,
    )?;
    let data = sim.data.clone();
    let columns = data
        .names()
        .iter()
        .map(|n| causa_data::load::ColumnInfo {
            name: n.clone(),
            column_type: causa_data::ColumnType::Continuous,
            missing: 0,
        })
        .collect();
    let rows = data.n_rows();
    let loaded = LoadedData {
        dataset: data,
        columns,
        time_index: None,
        time_column: None,
        rows_read: rows,
        rows_dropped: 0,
        delimiter: None,
    };
    Ok((sim, loaded))
}

fn read(file: &UserFile) -> Result<LoadedData> {
    let options = LoadOptions { missing: causa_data::MissingPolicy::Drop, ..LoadOptions::default() };
    Ok(causa_data::load(&file.path, &options)?)
}

/// The graph of a session graph record.
pub fn graph_of(record: &crate::session::GraphRecord) -> Result<CausalGraph> {
    let mut g = CausalGraph::new();
    let bad = |err: causa_graph::GraphError| AgentError::Input(format!("graph `{}`: {err}", record.name));
    for n in &record.nodes {
        g.ensure_node(n).map_err(bad)?;
    }
    let text = record.edges.join("\n");
    let parsed = causa_graph::io::parse_text(&text).map_err(bad)?;
    for e in parsed.edges() {
        let a = g.ensure_node(parsed.name(e.a)).map_err(bad)?;
        let b = g.ensure_node(parsed.name(e.b)).map_err(bad)?;
        g.add_edge(a, b, e.mark_a, e.mark_b).map_err(bad)?;
    }
    Ok(g)
}

/// Whether a graph record has circle marks (a PAG from FCI), which effect estimation cannot use.
pub fn has_circle_marks(record: &crate::session::GraphRecord) -> bool {
    graph_of(record).map_or(true, |g| {
        g.edges()
            .iter()
            .any(|e| e.mark_a == causa_graph::Mark::Circle || e.mark_b == causa_graph::Mark::Circle)
    })
}

/// `base`, or `base-2`, `base-3`, ... whichever is not taken.
pub fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..).map(|i| format!("{base}-{i}")).find(|n| !taken(n)).unwrap_or_else(|| base.to_string())
}

/// Registers a file the person gave: it must exist and be a regular file. The same file given
/// twice keeps its first name.
pub fn register_file(state: &mut SessionState, path: &Path, kind: FileKind) -> Result<UserFile> {
    let canonical = std::fs::canonicalize(path)
        .map_err(|e| AgentError::Input(format!("cannot read `{}`: {e}", path.display())))?;
    if !canonical.is_file() {
        return Err(AgentError::Input(format!("`{}` is not a file", path.display())));
    }
    if let Some(existing) = state.files.iter().find(|f| f.path == canonical) {
        return Ok(existing.clone());
    }
    let base =
        canonical.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
    let name = unique(&base, |n| state.files.iter().any(|f| f.name == n));
    let file = UserFile { name, path: canonical, kind };
    state.files.push(file.clone());
    Ok(file)
}
