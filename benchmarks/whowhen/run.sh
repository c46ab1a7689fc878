#!/usr/bin/env bash
# Who&When failure attribution with the embedded local model: every method, one at a time, into
# OUT_DIR/METHOD/ (predictions.jsonl, summary.json, summary.md).
# Usage: benchmarks/whowhen/run.sh [OUT_DIR] [CONTEXT_TOKENS] [extra flags for causa bench whowhen...]
#   e.g. benchmarks/whowhen/run.sh benchmarks/whowhen/results/local-ctx2048 2048 --limit 12
# (`--limit 12`: the 12 Algorithm-Generated logs, which come first in path order; a rerun
# without it resumes them and goes on with the Hand-Crafted ones.)
# Needs the default model: `cargo run -p causa-cli -- models fetch`.
# Each method resumes from OUT_DIR/METHOD/predictions.jsonl when interrupted.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-benchmarks/whowhen/results/local-ctx2048}"
CONTEXT="${2:-2048}"
shift 2 || true
DATA="${WHOWHEN_DATA:-}"
if [ -z "$DATA" ]; then
    dir="$PWD"
    while [ "$dir" != "/" ] && [ ! -d "$dir/shared/benchdata/who_and_when" ]; do dir="$(dirname "$dir")"; done
    DATA="$dir/shared/benchdata/who_and_when"
fi
cargo build -q -p causa-cli
BIN="${CARGO_TARGET_DIR:-target}/debug/causa"
# llama.cpp's OpenMP threads spin while they wait for each other; on a machine whose cores are
# busy with other work that spinning tripled the time per call (79 s against 25 s for the same
# call), so waiting threads sleep instead unless the caller says otherwise. On a quiet machine
# sleeping costs generation speed instead (a third of it, benchmarks/llm/results.md): there, run
# with OMP_WAIT_POLICY=active.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
# The no-model keyword heuristic runs as a reference beside the model methods.
"$BIN" bench whowhen --data "$DATA" --method heuristic --model none --out "$OUT" "$@"
for method in a2p all-at-once binary-search hybrid step-by-step; do
    nice -n 10 "$BIN" bench whowhen --data "$DATA" --method "$method" \
        --model local --context-tokens "$CONTEXT" --out "$OUT" "$@"
done
