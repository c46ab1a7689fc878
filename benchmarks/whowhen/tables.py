"""Tables of a Who&When run directory for the README: every method's scores side by side, over the
logs each method completed and over the logs all of them completed, plus the cost of the calls.

Usage: python3 benchmarks/whowhen/tables.py OUT_DIR   (OUT_DIR as given to run.sh)

Reads OUT_DIR/METHOD/predictions.jsonl as written by `causa bench whowhen`; the scores are the
per-log `score` fields causa computed (exact step, agent after normalisation, a missing prediction
counts as wrong), aggregated the way its summaries aggregate them.
"""

import json
import os
import sys

METHODS = ["heuristic", "a2p", "all-at-once", "binary-search", "hybrid", "step-by-step"]


def load(out):
    runs = {}
    for method in METHODS:
        path = os.path.join(out, method, "predictions.jsonl")
        if os.path.exists(path):
            with open(path) as f:
                runs[method] = {r["id"]: r for r in map(json.loads, f) if r.get("id")}
    return runs


def pct(count, n):
    return f"{100 * count / n:.1f}" if n else "-"


def score_row(method, records, label):
    n = len(records)
    score = [r["score"] for r in records]
    agent = sum(s["agent_correct"] for s in score)
    step = sum(s["step_correct"] for s in score)
    within = [sum(1 for s in score if s["step_distance"] is not None and s["step_distance"] <= k) for k in (1, 3, 5)]
    none = sum(1 for s in score if s["step_distance"] is None)
    return (f"| {method} | {label} | {n} | {pct(agent, n)} | {pct(step, n)} | "
            + " | ".join(pct(w, n) for w in within) + f" | {none} |")


def cost_row(method, records):
    a = [r["attribution"] for r in records]
    calls = sum(x["calls"] for x in a)
    if calls == 0:
        return None
    rejected = sum(x["rejected"] for x in a)
    unanswered = sum(x["unanswered"] for x in a)
    prompt = sum(x["prompt_tokens"] for x in a)
    completion = sum(x.get("completion_tokens", 0) for x in a)
    wall = sum(r["elapsed_secs"] for r in records)
    answered = calls - rejected
    return (f"| {method} | {len(records)} | {calls} | {calls / len(records):.1f} | {pct(answered, calls)} | {unanswered} "
            f"| {prompt / answered if answered else 0:.0f} | {completion / answered if answered else 0:.0f} "
            f"| {wall / calls:.1f} | {wall / 60:.1f} |")


def short_ids(ids):
    by_subset = {}
    for i in ids:
        subset, _, name = i.partition("/")
        by_subset.setdefault(subset, []).append(name)
    return "; ".join(f"{s} {', '.join(sorted(v, key=lambda x: (len(x), x)))}" for s, v in by_subset.items())


def main():
    out = sys.argv[1]
    runs = load(out)
    header = ("| method | logs | n | agent % | step % | step ±1 % | step ±3 % | step ±5 % | no prediction |\n"
              "|---|---|---|---|---|---|---|---|---|")
    print("Each method over the logs it completed:\n")
    print(header)
    for method, recs in runs.items():
        for subset in ("Algorithm-Generated", "Hand-Crafted"):
            part = [r for r in recs.values() if r["subset"] == subset]
            if part:
                print(score_row(method, part, subset))
    print()
    for method, recs in runs.items():
        print(f"- {method}: {short_ids(recs)}")
    common = set.intersection(*(set(r) for r in runs.values())) if runs else set()
    print(f"\nAll methods over the {len(common)} logs every method completed ({short_ids(common)}):\n")
    print(header)
    for method, recs in runs.items():
        print(score_row(method, [recs[i] for i in sorted(common)], "common"))
    print("\nSteps predicted on the common logs (step: logs), against the labels:\n")
    for method, recs in runs.items():
        counts = {}
        for r in (recs[i] for i in sorted(common)):
            step = r["attribution"]["step"]
            counts[step] = counts.get(step, 0) + 1
        print(f"- {method}: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))))
    first = next(iter(runs.values()), {})
    gold = [first[i]["score"]["gold_step"] for i in sorted(common)]
    labels = {}
    for g in gold:
        labels[g] = labels.get(g, 0) + 1
    print(f"- labels of the {len(gold)} common logs: " + ", ".join(f"{k}: {v}" for k, v in sorted(labels.items())))
    for constant in (0, 1):
        hits = sum(1 for g in gold if g == constant)
        print(f"- always step {constant} would score step {pct(hits, len(gold))}% on the common logs")
    print("\nCost of the model calls (tokens per answered call; wall time per call includes retries):\n")
    print("| method | logs | calls | calls per log | valid answers % | prompts given up | prompt tokens | "
          "generated tokens | wall s per call | wall min |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for method, recs in runs.items():
        row = cost_row(method, list(recs.values()))
        if row:
            print(row)


if __name__ == "__main__":
    main()
