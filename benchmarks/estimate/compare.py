"""Runs `causa estimate` and DoWhy/EconML on the same simulated data and compares the estimates
and the time taken.

Usage: compare.py CAUSA_BINARY TIMER_BINARY [--n N] [--seed S] [--repeats R]   (run with the
DoWhy venv's python; see run-compare.sh). Prints a Markdown table.

The deterministic estimators (regression adjustment, IPW with the same unpenalised logistic
propensity model, 2SLS) should agree to numerical precision; AIPW, DML, matching and front-door
differ in details (cross-fitting folds, tie handling, standard-error formulas) and should agree
within sampling error.

Times are in-process estimation times, the median of R repeats after a warm-up run, on both
sides: for the Python peers model construction, identification and estimation (imports and data
loading excluded); for causa the release build of the timing example
(crates/causa-estimate/examples/time_estimators.rs), which runs the CLI's analysis with the same
options on the same CSV file (CSV parsing and process start excluded), both the whole analysis
and the point estimate alone. The CLI binary gives the estimates (the timing example must
reproduce them exactly, or this script stops) and the whole-process time of one run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def simulate(n, seed):
    rng = np.random.default_rng(seed)
    w1, w2, u, z = (rng.standard_normal(n) for _ in range(4))
    t_cont = 0.8 * w1 - 0.5 * w2 + rng.standard_normal(n)
    y_cont = 2.0 * t_cont + 1.5 * w1 + w2 + rng.standard_normal(n)
    t_bin = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * w1 - 0.5 * w2)))).astype(float)
    y_bin = 1.0 * t_bin + 1.5 * w1 + w2 + rng.standard_normal(n)
    t_iv = z + u + rng.standard_normal(n)
    y_iv = 1.5 * t_iv + 2.0 * u + rng.standard_normal(n)
    t_fd = u + rng.standard_normal(n)
    m_fd = 0.7 * t_fd + rng.standard_normal(n)
    y_fd = 1.2 * m_fd + 2.0 * u + rng.standard_normal(n)
    return pd.DataFrame(dict(w1=w1, w2=w2, z=z, t=t_cont, y=y_cont, tb=t_bin, yb=y_bin,
                             ti=t_iv, yi=y_iv, tf=t_fd, mf=m_fd, yf=y_fd))


def causa(binary, timer, csv, args, repeats):
    """The CLI's report, and the timing example's medians (which must reproduce its estimate)."""
    start = time.perf_counter()
    out = subprocess.run([binary, "estimate", csv, "--json", *args], check=True, capture_output=True, text=True)
    process = time.perf_counter() - start
    report = json.loads(out.stdout)
    out = subprocess.run([timer, csv, *args, "--repeats", str(max(21, repeats))], check=True, capture_output=True, text=True)
    timing = json.loads(out.stdout)
    if timing["effect"] != report["effect"] or timing["std_err"] != report["std_err"]:
        sys.exit(f"the timing example's estimate {timing['effect']} (se {timing['std_err']}) differs from "
                 f"the CLI's {report['effect']} (se {report['std_err']}) for {args}")
    return report, (process, timing["analysis_seconds"], timing["point_seconds"], timing["bootstrap_replicates"])


def timed(f, repeats):
    """f's value and its median wall time over `repeats` runs after a warm-up run."""
    value = f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - start)
    return value, float(np.median(times))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("causa")
    parser.add_argument("timer")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per estimator and side (median)")
    a = parser.parse_args()

    from dowhy import CausalModel
    from econml.dml import LinearDML
    from econml.dr import LinearDRLearner
    from sklearn.linear_model import LinearRegression, LogisticRegression
    import statsmodels.api as sm

    df = simulate(a.n, a.seed)
    tmp = tempfile.mkdtemp()
    csv = os.path.join(tmp, "data.csv")
    df.to_csv(csv, index=False, float_format="%.17g")
    logit = lambda: LogisticRegression(penalty=None, tol=1e-12, max_iter=10000)
    rows = []

    def dowhy(treatment, outcome, method, common_causes=None, instruments=None, graph=None, params=None,
              intervals=False, repeats=a.repeats):
        def run():
            data = df if graph is None else df[[c for c in df.columns if c in graph]]
            model = CausalModel(data=data, treatment=treatment, outcome=outcome, common_causes=common_causes,
                                instruments=instruments, graph=graph)
            estimand = model.identify_effect(proceed_when_unidentifiable=True)
            return model.estimate_effect(estimand, method_name=method, method_params=params, target_units="ate",
                                         confidence_intervals=intervals)
        return timed(run, repeats)

    # Regression adjustment: DoWhy and statsmodels (for the classical standard error).
    c, tc = causa(a.causa, a.timer, csv, ["--treatment", "t", "--outcome", "y", "--controls", "w1,w2", "--method", "regression"], a.repeats)
    d, td = dowhy("t", "y", "backdoor.linear_regression", common_causes=["w1", "w2"])
    ols = sm.OLS(df["y"], sm.add_constant(df[["t", "w1", "w2"]])).fit()
    rows.append(("regression", c["effect"], d.value, c["std_err"], ols.bse["t"], tc, td))

    # IPW with the same unpenalised logistic propensity model, normalised weights.
    c, tc = causa(a.causa, a.timer, csv, ["--treatment", "tb", "--outcome", "yb", "--controls", "w1,w2", "--method", "ipw"], a.repeats)
    d, td = dowhy("tb", "yb", "backdoor.propensity_score_weighting", common_causes=["w1", "w2"],
                  params={"propensity_score_model": logit(), "weighting_scheme": "ips_weight",
                          "min_ps_score": 0.0, "max_ps_score": 1.0})
    rows.append(("ipw", c["effect"], d.value, c["std_err"], None, tc, td))

    # 2SLS.
    c, tc = causa(a.causa, a.timer, csv, ["--treatment", "ti", "--outcome", "yi", "--instrument", "z", "--method", "iv"], a.repeats)
    d, td = dowhy("ti", "yi", "iv.instrumental_variable", instruments=["z"])
    rows.append(("iv (2sls)", c["effect"], d.value, c["std_err"], None, tc, td))

    # Front-door with a latent confounder.
    c, tc = causa(a.causa, a.timer, csv, ["--treatment", "tf", "--outcome", "yf", "--graph", "u -> tf; u -> yf; tf -> mf; mf -> yf"], a.repeats)
    d, td = dowhy("tf", "yf", "frontdoor.two_stage_regression",
                  graph="digraph { U[label=\"Unobserved Confounders\"]; U -> tf; U -> yf; tf -> mf; mf -> yf; }")
    rows.append(("frontdoor", c["effect"], d.value, c["std_err"], None, tc, td))

    # Matching on the propensity score.
    c, tc = causa(a.causa, a.timer, csv, ["--treatment", "tb", "--outcome", "yb", "--controls", "w1,w2", "--method", "matching"], a.repeats)
    d, td = dowhy("tb", "yb", "backdoor.propensity_score_matching", common_causes=["w1", "w2"],
                  params={"propensity_score_model": logit()})
    # causa's matching analysis always bootstraps its interval (200 replicates); the like-for-like
    # peer for that is DoWhy's matching with its own 200-replicate bootstrap interval (slow: fewer
    # repeats).
    _, td_ci = dowhy("tb", "yb", "backdoor.propensity_score_matching", common_causes=["w1", "w2"],
                     params={"propensity_score_model": logit(), "num_simulations": 200}, intervals=True,
                     repeats=max(1, min(3, a.repeats)))
    rows.append(("matching", c["effect"], d.value, c["std_err"], None, tc, (td, td_ci)))

    # AIPW against EconML's doubly robust learner (linear models, cross-fitted).
    c, tc = causa(a.causa, a.timer, csv, ["--treatment", "tb", "--outcome", "yb", "--controls", "w1,w2", "--method", "aipw"], a.repeats)
    def dr():
        est = LinearDRLearner(model_propensity=logit(), model_regression=LinearRegression(), cv=5, random_state=a.seed)
        est.fit(df["yb"], df["tb"], X=None, W=df[["w1", "w2"]])
        return est.ate(), est.ate_interval()
    (e, _), td = timed(dr, a.repeats)
    rows.append(("aipw vs econml LinearDRLearner", c["effect"], float(np.ravel(e)[0]), c["std_err"], None, tc, td))

    # DML (partially linear, linear learners, 5 folds).
    c, tc = causa(a.causa, a.timer, csv, ["--treatment", "t", "--outcome", "y", "--controls", "w1,w2", "--method", "dml", "--folds", "5"], a.repeats)
    def dml():
        est = LinearDML(model_y=LinearRegression(), model_t=LinearRegression(), cv=5, random_state=a.seed)
        est.fit(df["y"], df["t"], X=None, W=df[["w1", "w2"]])
        return est.ate()
    e, td = timed(dml, a.repeats)
    rows.append(("dml vs econml LinearDML", c["effect"], float(np.ravel(e)[0]), c["std_err"], None, tc, td))

    print(f"n = {a.n}, seed = {a.seed}, median of {a.repeats} timed runs per side (causa: {max(21, a.repeats)})\n")
    print("| estimator | causa | peer | abs. difference | diff / causa se | causa se | statsmodels se "
          "| peer s | causa point s | ratio (point) | peer with interval s | causa analysis s | ratio (analysis) "
          "| CLI process s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, ce, pe, cse, pse, (tc, ta, tpoint, boot), tp in rows:
        # A pair of peer times: (point estimate, with a bootstrap interval); else the peer's one
        # run serves both comparisons.
        tp, tp_ci = tp if isinstance(tp, tuple) else (tp, None)
        pe = float(pe)
        pse_text = f"{pse:.6g}" if pse is not None else ""
        peer_ci = f"{tp_ci:.3g} (200 bootstrap)" if tp_ci is not None else ""
        analysis = f"{ta:.3g}" + (f" ({boot} bootstrap)" if boot else "")
        print(f"| {name} | {ce:.10g} | {pe:.10g} | {abs(ce - pe):.2e} | {abs(ce - pe) / cse:.3f} | {cse:.6g} | {pse_text} "
              f"| {tp:.3g} | {tpoint:.3g} | {tp / tpoint:.0f}x | {peer_ci} | {analysis} "
              f"| {(tp_ci or tp) / ta:.1f}x | {tc:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
