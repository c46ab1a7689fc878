//! BIF (Bayesian Interchange Format), the format of the bnlearn network repository.
//!
//! Those networks are the standard ground truths for causal discovery, so the reader keeps more
//! than the graph: [`BifNetwork`] holds each variable's states, parents and conditional probability
//! table, which is what sampling data from a network needs. The graph is the parent -> child arcs
//! of the `probability ( child | parents )` blocks.
//!
//! Tables are stored in one documented order (see [`BifVariable::cpt`]) whatever order the file
//! lists its rows in. A `table` line is accepted only for variables without parents: with parents,
//! BIF writers disagree on which variable varies fastest, and guessing would silently scramble the
//! probabilities; such files must list one `(parent states) ...` row per configuration.

use std::collections::HashMap;

use super::{add_edge_once, node_at, parse_error, skip_block_comment, skip_line_comment};
use crate::error::Result;
use crate::graph::{CausalGraph, Mark};

/// A discrete Bayesian network read from BIF.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BifNetwork {
    /// The name after `network`, if any.
    pub name: Option<String>,
    /// The variables in the order the file declares them.
    pub variables: Vec<BifVariable>,
}

/// One discrete variable with its conditional probability table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BifVariable {
    /// The variable's name.
    pub name: String,
    /// Its state names, in declared order.
    pub states: Vec<String>,
    /// Indices into [`BifNetwork::variables`] of its parents, in the order of its `probability`
    /// block.
    pub parents: Vec<usize>,
    /// `P(self | parents)` as one row per parent configuration, each row holding one probability
    /// per state of `self` in state order. Rows are ordered by parent configuration with the last
    /// parent's state varying fastest (the first parent's slowest). A root variable has one row.
    /// Empty if the file has no `probability` block for the variable.
    pub cpt: Vec<f64>,
}

impl BifVariable {
    /// The rows of [`BifVariable::cpt`], one per parent configuration.
    pub fn cpt_rows(&self) -> impl Iterator<Item = &[f64]> {
        self.cpt.chunks(self.states.len().max(1))
    }
}

impl BifNetwork {
    /// Parses a BIF file.
    pub fn parse(text: &str) -> Result<Self> {
        parse_bif(text)
    }

    /// The index of the variable with this name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.variables.iter().position(|v| v.name == name)
    }

    /// The variable with this name.
    pub fn variable(&self, name: &str) -> Option<&BifVariable> {
        self.index_of(name).map(|i| &self.variables[i])
    }

    /// The names of a variable's parents.
    pub fn parent_names(&self, variable: &BifVariable) -> Vec<&str> {
        variable.parents.iter().filter_map(|&p| self.variables.get(p)).map(|p| p.name.as_str()).collect()
    }

    /// The network's structure: every variable as a node, every parent -> child arc as an edge.
    pub fn to_graph(&self) -> Result<CausalGraph> {
        let mut graph = CausalGraph::new();
        for v in &self.variables {
            node_at(&mut graph, &v.name, 1)?;
        }
        for (child, v) in self.variables.iter().enumerate() {
            for &parent in &v.parents {
                let a = crate::graph::NodeId::from_index(parent);
                let b = crate::graph::NodeId::from_index(child);
                add_edge_once(&mut graph, (a, b), (Mark::Tail, Mark::Arrow), 1, &v.name)?;
            }
        }
        Ok(graph)
    }
}

/// Parses a BIF file into a [`BifNetwork`].
pub fn parse_bif(text: &str) -> Result<BifNetwork> {
    let mut parser =
        Parser { tokens: lex(text)?, pos: 0, network: BifNetwork::default(), index: HashMap::new() };
    parser.parse()?;
    Ok(parser.network)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Punct(char),
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line) = (0, 1);
    let is_punct = |c: char| matches!(c, '{' | '}' | '(' | ')' | '[' | ']' | '|' | ',' | ';');
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            i = skip_line_comment(&chars, i);
        } else if c == '/' && next == Some('*') {
            i = skip_block_comment(&chars, i, &mut line)?;
        } else if c == '"' {
            let open_line = line;
            let start = i + 1;
            i = start;
            while i < chars.len() && chars[i] != '"' {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            if i >= chars.len() {
                return Err(parse_error(open_line, "\"", "unterminated string; expected a closing `\"`"));
            }
            tokens.push((Tok::Word(chars[start..i].iter().collect()), open_line));
            i += 1;
        } else if is_punct(c) {
            tokens.push((Tok::Punct(c), line));
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !is_punct(chars[i]) && chars[i] != '"' {
                i += 1;
            }
            tokens.push((Tok::Word(chars[start..i].iter().collect()), line));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    network: BifNetwork,
    index: HashMap<String, usize>,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn line(&self) -> usize {
        self.tokens.get(self.pos).or(self.tokens.last()).map_or(1, |(_, l)| *l)
    }

    fn shown(&self) -> String {
        match self.peek() {
            Some(Tok::Word(w)) => w.clone(),
            Some(Tok::Punct(c)) => c.to_string(),
            None => "end of input".into(),
        }
    }

    fn error<T>(&self, expected: &str) -> Result<T> {
        Err(parse_error(self.line(), self.shown(), format!("expected {expected}")))
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(&Tok::Punct(c));
        self.pos += usize::from(found);
        found
    }

    fn expect(&mut self, c: char) -> Result<()> {
        if self.eat(c) { Ok(()) } else { self.error(&format!("`{c}`")) }
    }

    fn word(&mut self, what: &str) -> Result<String> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => self.error(what),
        }
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w == word)
    }

    fn parse(&mut self) -> Result<()> {
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Word(w) if w == "network" => self.parse_network()?,
                Tok::Word(w) if w == "variable" => self.parse_variable()?,
                Tok::Word(w) if w == "probability" => self.parse_probability()?,
                _ => return self.error("`network`, `variable` or `probability`"),
            }
        }
        Ok(())
    }

    fn parse_network(&mut self) -> Result<()> {
        self.pos += 1;
        if !matches!(self.peek(), Some(Tok::Punct('{'))) {
            self.network.name = Some(self.word("a network name")?);
        }
        self.expect('{')?;
        self.skip_block()
    }

    /// Skips to the `}` matching an already consumed `{`.
    fn skip_block(&mut self) -> Result<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.peek() {
                None => return self.error("`}`"),
                Some(Tok::Punct('{')) => depth += 1,
                Some(Tok::Punct('}')) => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn skip_statement(&mut self) -> Result<()> {
        while !self.eat(';') {
            if matches!(self.peek(), None | Some(Tok::Punct('}'))) {
                return self.error("`;`");
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn parse_variable(&mut self) -> Result<()> {
        self.pos += 1;
        let line = self.line();
        let name = self.word("a variable name")?;
        if self.index.contains_key(&name) {
            return Err(parse_error(line, &name, format!("variable `{name}` is declared twice")));
        }
        self.expect('{')?;
        let mut states = None;
        while !self.eat('}') {
            if self.is_word("type") {
                states = Some(self.parse_type()?);
            } else if self.is_word("property") {
                self.skip_statement()?;
            } else {
                return self.error("`type`, `property` or `}` in a variable block");
            }
        }
        let Some(states) = states else {
            return Err(parse_error(line, &name, format!("variable `{name}` has no `type discrete` line")));
        };
        self.index.insert(name.clone(), self.network.variables.len());
        self.network.variables.push(BifVariable { name, states, parents: Vec::new(), cpt: Vec::new() });
        Ok(())
    }

    /// `type discrete [ n ] { s1, s2, ... };`
    fn parse_type(&mut self) -> Result<Vec<String>> {
        self.pos += 1;
        if !self.is_word("discrete") {
            return self.error("`discrete` (only discrete variables are supported)");
        }
        self.pos += 1;
        self.expect('[')?;
        let count_line = self.line();
        let count_text = self.word("the number of states")?;
        let count: usize = count_text
            .parse()
            .map_err(|_| parse_error(count_line, &count_text, "expected the number of states"))?;
        self.expect(']')?;
        self.expect('{')?;
        let states = self.word_list('}')?;
        if count == 0 {
            return Err(parse_error(count_line, &count_text, "a variable needs at least one state"));
        }
        if states.len() != count {
            return Err(parse_error(
                count_line,
                &count_text,
                format!("the variable declares {count} states but lists {}", states.len()),
            ));
        }
        self.expect(';')?;
        Ok(states)
    }

    /// Words separated by commas up to the closing punctuation, which is consumed.
    fn word_list(&mut self, close: char) -> Result<Vec<String>> {
        let mut words = Vec::new();
        while !self.eat(close) {
            words.push(self.word(&format!("a name or `{close}`"))?);
            if !self.eat(',') && self.peek() != Some(&Tok::Punct(close)) {
                return self.error(&format!("`,` or `{close}`"));
            }
        }
        Ok(words)
    }

    fn variable_index(&mut self) -> Result<usize> {
        let line = self.line();
        let name = self.word("a variable name")?;
        self.index.get(&name).copied().ok_or_else(|| {
            parse_error(
                line,
                &name,
                format!("`{name}` is not declared; add a `variable {name} {{ ... }}` block"),
            )
        })
    }

    fn parse_probability(&mut self) -> Result<()> {
        self.pos += 1;
        self.expect('(')?;
        let child_line = self.line();
        let child = self.variable_index()?;
        let mut parents = Vec::new();
        if self.eat('|') {
            loop {
                parents.push(self.variable_index()?);
                if !self.eat(',') {
                    break;
                }
            }
        }
        self.expect(')')?;
        self.expect('{')?;
        let shape = TableShape::new(&self.network, child, &parents);
        let mut rows: Vec<Option<Vec<f64>>> = vec![None; shape.row_count];
        let mut default_row = None;
        while !self.eat('}') {
            self.parse_entry(&shape, &mut rows, &mut default_row)?;
        }
        let variable = &self.network.variables[child];
        if !variable.cpt.is_empty() {
            let name = variable.name.clone();
            return Err(parse_error(child_line, &name, format!("`{name}` has two probability blocks")));
        }
        let mut cpt = Vec::with_capacity(shape.row_count * shape.states);
        for (i, row) in rows.into_iter().enumerate() {
            match row.or_else(|| default_row.clone()) {
                Some(row) => cpt.extend(row),
                None => {
                    let name = variable.name.clone();
                    let config = shape.describe(&self.network, i);
                    return Err(parse_error(
                        self.line(),
                        &name,
                        format!("the table of `{name}` has no row for parent states ({config})"),
                    ));
                }
            }
        }
        let variable = &mut self.network.variables[child];
        variable.parents = parents;
        variable.cpt = cpt;
        Ok(())
    }

    fn parse_entry(
        &mut self,
        shape: &TableShape,
        rows: &mut [Option<Vec<f64>>],
        default_row: &mut Option<Vec<f64>>,
    ) -> Result<()> {
        if self.is_word("property") {
            return self.skip_statement();
        }
        if self.is_word("table") || self.is_word("default") {
            let is_table = self.is_word("table");
            let line = self.line();
            self.pos += 1;
            if is_table && !shape.parents.is_empty() {
                return Err(parse_error(
                    line,
                    "table",
                    "a `table` line is only accepted for variables without parents; \
                     list one `(parent states) p1, p2, ...;` row per parent configuration",
                ));
            }
            let values = self.numbers(shape.states)?;
            if is_table {
                rows[0] = Some(values);
            } else {
                *default_row = Some(values);
            }
            return Ok(());
        }
        let line = self.line();
        self.expect('(')?;
        let states = self.word_list(')')?;
        let row = shape
            .row_index(&self.network, &states)
            .map_err(|message| parse_error(line, format!("({})", states.join(", ")), message))?;
        rows[row] = Some(self.numbers(shape.states)?);
        Ok(())
    }

    /// `count` probabilities separated by commas or spaces, then `;`.
    fn numbers(&mut self, count: usize) -> Result<Vec<f64>> {
        let line = self.line();
        let mut values = Vec::with_capacity(count);
        while !self.eat(';') {
            let token_line = self.line();
            let word = self.word("a probability or `;`")?;
            let value: f64 = word
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| parse_error(token_line, &word, "expected a probability (a number)"))?;
            values.push(value);
            self.eat(',');
        }
        if values.len() != count {
            return Err(parse_error(
                line,
                format!("{} values", values.len()),
                format!("expected {count} probabilities, one per state of the variable"),
            ));
        }
        Ok(values)
    }
}

/// How a table's rows are indexed by parent states.
struct TableShape {
    states: usize,
    parents: Vec<usize>,
    row_count: usize,
}

impl TableShape {
    fn new(network: &BifNetwork, child: usize, parents: &[usize]) -> Self {
        let cards = parents.iter().map(|&p| network.variables[p].states.len());
        TableShape {
            states: network.variables[child].states.len(),
            parents: parents.to_vec(),
            row_count: cards.product(),
        }
    }

    fn row_index(&self, network: &BifNetwork, states: &[String]) -> std::result::Result<usize, String> {
        if states.len() != self.parents.len() {
            return Err(format!("expected {} parent states, found {}", self.parents.len(), states.len()));
        }
        let mut index = 0;
        for (&p, state) in self.parents.iter().zip(states) {
            let parent = &network.variables[p];
            let Some(k) = parent.states.iter().position(|s| s == state) else {
                return Err(format!(
                    "`{state}` is not a state of `{}` (its states: {})",
                    parent.name,
                    parent.states.join(", ")
                ));
            };
            index = index * parent.states.len() + k;
        }
        Ok(index)
    }

    fn describe(&self, network: &BifNetwork, mut row: usize) -> String {
        let mut names = Vec::new();
        for &p in self.parents.iter().rev() {
            let states = &network.variables[p].states;
            names.push(states[row % states.len()].as_str());
            row /= states.len();
        }
        names.reverse();
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::parse_error_parts;

    const SMALL: &str = "network test {\n}\nvariable A {\n  type discrete [ 2 ] { yes, no };\n}\n\
        variable B {\n  type discrete [ 3 ] { lo, mid, hi };\n  property weight = 1 ;\n}\n\
        variable C {\n  type discrete [ 2 ] { t, f };\n}\n\
        probability ( A ) {\n  table 0.3, 0.7;\n}\n\
        probability ( B ) {\n  table 0.2 0.3 0.5;\n}\n\
        probability ( C | A, B ) {\n  (no, hi) 0.6, 0.4;\n  (yes, lo) 0.1, 0.9;\n  default 0.5, 0.5;\n}\n";

    #[test]
    fn small_network_structure_and_tables() {
        let net = parse_bif(SMALL).unwrap();
        assert_eq!(net.name.as_deref(), Some("test"));
        let c = net.variable("C").unwrap();
        assert_eq!(net.parent_names(c), ["A", "B"]);
        // Rows: (yes,lo) (yes,mid) (yes,hi) (no,lo) (no,mid) (no,hi).
        assert_eq!(c.cpt, [0.1, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.4]);
        assert_eq!(net.variable("B").unwrap().states, ["lo", "mid", "hi"]);
        assert_eq!(net.variable("A").unwrap().cpt, [0.3, 0.7]);
        let g = net.to_graph().unwrap();
        let texts: Vec<String> = g.edges().iter().map(|e| g.edge_text(*e)).collect();
        assert_eq!(texts, ["A -> C", "B -> C"]);
    }

    fn error_of(text: &str) -> (usize, String, String) {
        parse_error_parts(text, parse_bif)
    }

    #[test]
    fn errors_name_line_and_token() {
        let (line, token, _) = error_of(&SMALL.replace("(no, hi)", "(no, huge)"));
        assert_eq!((line, token.as_str()), (20, "(no, huge)"));
        let (line, token, message) = error_of(&SMALL.replace("C | A, B", "C | A, Q"));
        assert_eq!((line, token.as_str()), (19, "Q"));
        assert!(message.contains("not declared"), "{message}");
        let (_, _, message) = error_of(&SMALL.replace("  default 0.5, 0.5;\n", ""));
        assert!(message.contains("no row for parent states (yes, mid)"), "{message}");
        let (_, token, _) = error_of(&SMALL.replace("table 0.3, 0.7", "table 0.3, x"));
        assert_eq!(token, "x");
        let (_, _, message) = error_of(&SMALL.replace("table 0.3, 0.7", "table 0.3"));
        assert!(message.contains("expected 2 probabilities"), "{message}");
        let (_, token, _) = error_of(&SMALL.replace("[ 3 ]", "[ 4 ]"));
        assert_eq!(token, "4");
        let (_, token, _) = error_of("variable A {\n type discrete [ 2 ] { a, b };\n}\nprobability ( A ) {");
        assert_eq!(token, "end of input");
        let (_, token, _) = error_of("garbage");
        assert_eq!(token, "garbage");
    }

    #[test]
    fn a_variable_without_states_is_refused() {
        let (line, token, message) = error_of("network n {}\nvariable a { type discrete [ 0 ] { }; }\n");
        assert_eq!((line, token.as_str()), (2, "0"));
        assert_eq!(message, "a variable needs at least one state");
        let (_, _, message) = error_of("network n {}\nvariable a { type discrete [ 2 ] { t }; }\n");
        assert_eq!(message, "the variable declares 2 states but lists 1");
    }

    #[test]
    fn table_with_parents_is_refused() {
        let text = SMALL.replace("(no, hi) 0.6, 0.4;", "table 0.1 0.9;");
        let (_, token, message) = error_of(&text);
        assert_eq!(token, "table");
        assert!(message.contains("without parents"), "{message}");
    }
}
