#!/usr/bin/env bash
# Installs what is missing, builds causa, and runs it on a bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_build_prerequisites
log "building causa"
cargo build --locked -q -p causa-cli
causa=target/debug/causa
example=examples/smoking.txt

log "causa graph show $example"
"$causa" graph show "$example"
log "causa graph dsep $example smoking cancer --given tar,genotype"
"$causa" graph dsep "$example" smoking cancer --given tar,genotype
log "causa graph adjust $example --treatment smoking --outcome cancer"
"$causa" graph adjust "$example" --treatment smoking --outcome cancer
log "causa graph identify examples/smoking-latent.txt --treatment smoking --outcome cancer"
"$causa" graph identify examples/smoking-latent.txt --treatment smoking --outcome cancer

ensure_default_model
question="What is the effect of ad_spend on sales?"
log "causa ask \"$question\" --data examples/marketing.csv (the embedded local model)"
out="$(mktemp -d)/run"
"$causa" ask "$question" --data examples/marketing.csv --out "$out"
log "reports in $out (true effect: 0.680, see examples/README.md)"
