#!/usr/bin/env bash
# Records the reasoning-benchmark figures of results.md: engine mode on the full development
# slices, then the embedded local model (SmolLM2-135M) in direct and agent mode on the same 20
# items per suite (seed 1). Agent runs grow in steps (--resume) so partial results are usable.
# Usage: bash benchmarks/reasoning/run.sh [LIMIT]   (run from the repository root)
set -euo pipefail
LIMIT=${1:-20}
DATA=${BENCHDATA:-}
if [ -z "$DATA" ]; then  # shared/benchdata beside the repository or in a parent folder
  dir=$(pwd)
  while [ "$dir" != / ] && [ ! -d "$dir/shared/benchdata" ]; do dir=$(dirname "$dir"); done
  DATA=$dir/shared/benchdata
fi
OUT=benchmarks/reasoning/runs
CAUSA=${CAUSA:-${CARGO_TARGET_DIR:-target}/debug/causa}
mkdir -p "$OUT"
run() { echo "+ causa $*" >&2; nice -n 10 "$CAUSA" "$@" > /dev/null; }

if [ -z "${SKIP_ENGINE:-}" ]; then
run bench corr2cause --data "$DATA/corr2cause/dev.csv" --mode engine --out "$OUT/corr2cause-engine" --force
run bench clear --data "$DATA/clear" --mode engine --out "$OUT/clear-engine" --force
run bench cladder --data "$DATA/cladder/dev.csv" --mode engine --out "$OUT/cladder-engine" --force
fi

for suite in ${DIRECT_SUITES:-cold cladder corr2cause clear}; do
  case $suite in
    corr2cause) data="$DATA/corr2cause/dev.csv" ;; cladder) data="$DATA/cladder/dev.csv" ;;
    clear) data="$DATA/clear" ;; cold) data="$DATA/cold" ;;
  esac
  run bench $suite --data "$data" --mode direct --model local --seed 1 --limit "$LIMIT" \
    --out "$OUT/$suite-direct" --resume
done

for step in 5 10 $LIMIT; do
  for suite in cladder corr2cause clear; do
    case $suite in
      corr2cause) data="$DATA/corr2cause/dev.csv" ;; cladder) data="$DATA/cladder/dev.csv" ;;
      clear) data="$DATA/clear" ;;
    esac
    run bench $suite --data "$data" --mode agent --model local --seed 1 --limit "$step" --retries 1 \
      --max-tokens 640 --out "$OUT/$suite-agent" --resume
  done
done
