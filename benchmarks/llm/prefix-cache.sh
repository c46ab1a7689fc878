#!/usr/bin/env bash
# Wall time of three multi-call workloads with the embedded model, for two builds of `causa`
# run alternately (so background load hits both alike): BEFORE and AFTER, e.g. a build of the
# commit before the local backend kept its KV cache between calls and a build of one after.
# Usage: benchmarks/llm/prefix-cache.sh BEFORE_BIN AFTER_BIN [RUNS]
# Prints one line per run: build, workload, seconds. Needs the default model.
set -euo pipefail
cd "$(dirname "$0")/../.."
BEFORE="$1"
AFTER="$2"
RUNS="${3:-3}"
DATA="${BENCHDATA:-}"
if [ -z "$DATA" ]; then
    dir="$PWD"
    while [ "$dir" != "/" ] && [ ! -d "$dir/shared/benchdata" ]; do dir="$(dirname "$dir")"; done
    DATA="$dir/shared/benchdata"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export CAUSA_SESSIONS_DIR="$WORK/sessions"
workload() {
    local bin="$1" name="$2" out="$WORK/$RANDOM$RANDOM"
    case "$name" in
        cladder-direct-20)
            "$bin" bench cladder --data "$DATA/cladder/dev.csv" --mode direct --model local --seed 1 \
                --limit 20 --out "$out" ;;
        ask-marketing)
            "$bin" ask "What is the effect of ad_spend on sales?" --data examples/marketing.csv --out "$out" ;;
        attribute-hc7-all-at-once)
            "$bin" attribute "$DATA/who_and_when/Hand-Crafted/7.json" --method all-at-once \
                --context-tokens 2048 ;;
    esac
}
for run in $(seq 1 "$RUNS"); do
    for name in cladder-direct-20 ask-marketing attribute-hc7-all-at-once; do
        for build in before after; do
            bin="$BEFORE"; [ "$build" = after ] && bin="$AFTER"
            start=$(date +%s.%N)
            workload "$bin" "$name" > /dev/null 2>&1
            end=$(date +%s.%N)
            printf '%s %s %.2f\n' "$build" "$name" "$(echo "$end - $start" | bc)"
        done
    done
done
