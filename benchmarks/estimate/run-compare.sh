#!/usr/bin/env bash
# Makes sure the DoWhy venv exists, builds the causa CLI (debug: it gives the estimates) and the
# estimation timing example (release: it gives the times), then runs the comparison.
# Usage: benchmarks/estimate/run-compare.sh [--n N] [--seed S] [--repeats R]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
VENV="${CAUSA_DOWHY_VENV:-$HOME/.cache/causa/dowhy-venv}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
"$HERE/setup-dowhy-venv.sh"
# The release build covers causa-estimate and its dependencies only (not polars or llama.cpp,
# which only the CLI links), so it takes minutes, not the better part of an hour.
(cd "$ROOT" && cargo build -p causa-cli && cargo build --release -p causa-estimate --example time_estimators)
"$VENV/bin/python" "$HERE/compare.py" "$TARGET/debug/causa" "$TARGET/release/examples/time_estimators" "$@"
