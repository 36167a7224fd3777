"""Validate the course-effect estimator on simulated courses with known parameters.

    python scripts/validate_effect.py [--courses 1000] [--sessions 8] [--seeds 1 2 3]

For each scenario, ``--courses`` pain courses are simulated (see
``backcourse.lib.course_effect.simulate_courses`` for the population: start
U(4, 9), gain fraction / rate / noise drawn from the default practice prior, goal
"pain <= 3" or "30 % less"), the first ``--sessions`` sessions are analysed and the
predicted sessions-to-goal is compared with the truth:

* truth A (noise-free): 0 if the true curve at the last session meets the goal,
  else the first further session whose true (noise-free) before value meets it,
  "not reached" beyond 50.
* truth B (product rule): 0 if the latest *observed* before value meets the goal
  (that is a fact the app shows, not a prediction), else as A but counting from 1.

Printed per scenario: % of courses with the median within +-1 session of the truth
(not reached = not reached counts as a hit), % whose 80 % range contains the truth,
the same two figures restricted to the courses whose goal was *not yet met* at the
last session (the cases where a prediction matters), and the posterior's own
expected +-1 hit rate for those courses (the best any point estimate could do if
the model is right - an information limit, not a tuning target).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout


from backcourse.lib.course_effect import (
    PracticePrior,
    SessionPoint,
    _cell_posteriors,
    _draws,
    _sessions_to_goal,
    analyse_courses,
    score_predictions,
    simulate_courses,
    true_sessions_to_goal,
)

SCENARIOS = {
    "regular (weekly)": {},
    "missing sessions (20 % of values)": {"missing": 0.2},
    "irregular gaps (3-28 days)": {"irregular": True},
    "non-responders": {"non_responders": True},
    "integer ratings (rounded, 0-10)": {"rounding": 1.0},
}


def posterior_ceiling(sim, res, prior: PracticePrior) -> float:
    """Expected +-1 hit rate of the best point estimate under the posterior, for the
    courses whose goal is not yet met (observed)."""
    nm = ~res.goal_met
    if not nm.any():
        return math.nan
    n = sim.n
    cp = _cell_posteriors(sim.before[nm, :n], prior, linear=True)
    dr = _draws(cp)
    gs = (sim.goal[nm] - cp["y1"]) / cp["c"]
    j = _sessions_to_goal(dr, gs, np.full(nm.sum(), n))
    j = np.where(np.isinf(j), 10_000, j)
    best = np.zeros(j.shape[0])
    for m in range(1, 52):
        best = np.maximum(best, np.mean(np.abs(j - m) <= 1, axis=1))
    best = np.maximum(best, np.mean(j == 10_000, axis=1))
    return float(best.mean())


def pct(x: float) -> str:
    return "  n/a" if math.isnan(x) else f"{100 * x:5.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--courses", type=int, default=1000)
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()

    print(
        f"{args.courses} simulated courses per scenario and seed, {args.sessions} sessions of data"
    )
    header = (
        f"{'scenario':36s} {'seed':>4s} | {'A ±1%':>6s} {'A cov%':>6s} | "
        f"{'B ±1%':>6s} {'B cov%':>6s} | {'open':>5s} {'±1%':>6s} {'cov%':>6s} "
        f"{'ceil%':>6s} | {'t s':>5s}"
    )
    print("A = truth on the noise-free curve; B = product rule (0 when the latest")
    print("observed before value meets the goal); 'open' = courses not yet at goal")
    print("(observed), with ±1 %, coverage % (truth A) and the posterior ceiling.")
    print(header)
    print("-" * len(header))
    prior = PracticePrior.default()
    totals: dict[str, list] = {}
    for name, kw in SCENARIOS.items():
        for seed in args.seeds:
            sim = simulate_courses(args.courses, args.sessions, seed=seed, **kw)
            t0 = time.perf_counter()
            res = analyse_courses(sim.before, sim.after, sim.days, sim.goal, prior=prior)
            dt = time.perf_counter() - t0
            a = score_predictions(res.sessions_to_goal, sim.truth)
            truth_b = true_sessions_to_goal(sim.true_curve, sim.goal, sim.n, res.goal_met)
            b = score_predictions(res.sessions_to_goal, truth_b)
            nm = ~res.goal_met
            o = score_predictions(res.sessions_to_goal[nm], sim.truth[nm])
            ceil = posterior_ceiling(sim, res, prior)
            totals.setdefault(name, []).append((a, b))
            print(
                f"{name:36s} {seed:4d} | {pct(a['within1']):>6s} {pct(a['coverage']):>6s} | "
                f"{pct(b['within1']):>6s} {pct(b['coverage']):>6s} | "
                f"{nm.sum():5d} {pct(o['within1']):>6s} {pct(o['coverage']):>6s} "
                f"{pct(ceil):>6s} | {dt:5.2f}"
            )

    # empirical Bayes for real: prior fitted from 500 finished 12-session courses
    done = simulate_courses(500, 12, seed=99)
    finished = [
        [
            SessionPoint(
                float(d), None if np.isnan(b) else float(b), None if np.isnan(x) else float(x)
            )
            for d, b, x in zip(done.days[i], done.before[i], done.after[i], strict=True)
        ]
        for i in range(500)
    ]
    fitted = PracticePrior.from_courses(finished)
    print("-" * len(header))
    print(
        "prior fitted from 500 simulated finished courses: "
        f"rate {math.exp(fitted.log_rate_mean):.3f} (log sd {fitted.log_rate_sd:.2f}), "
        f"gain fraction {fitted.gain_fraction_mean:.3f} (sd {fitted.gain_fraction_sd:.3f}), "
        f"noise fraction {math.exp(fitted.log_noise_mean):.3f} (log sd {fitted.log_noise_sd:.2f})"
    )
    print(
        f"true population:                                 rate {math.exp(prior.log_rate_mean):.3f} "
        f"(log sd {prior.log_rate_sd:.2f}), gain fraction {prior.gain_fraction_mean:.3f} "
        f"(sd {prior.gain_fraction_sd:.3f}), noise fraction {math.exp(prior.log_noise_mean):.3f} "
        f"(log sd {prior.log_noise_sd:.2f})"
    )
    for seed in args.seeds:
        sim = simulate_courses(args.courses, args.sessions, seed=seed)
        res = analyse_courses(sim.before, sim.after, sim.days, sim.goal, prior=fitted)
        a = score_predictions(res.sessions_to_goal, sim.truth)
        print(
            f"{'regular, fitted practice prior':36s} {seed:4d} | "
            f"{pct(a['within1']):>6s} {pct(a['coverage']):>6s}"
        )

    print("-" * len(header))
    print("regular scenario by sessions of data (seed 1, truth A):")
    for n in (2, 3, 5, 8, 12):
        sim = simulate_courses(args.courses, n, seed=1)
        res = analyse_courses(sim.before, sim.after, sim.days, sim.goal, prior=prior)
        a = score_predictions(res.sessions_to_goal, sim.truth)
        nm = ~res.goal_met
        o = score_predictions(res.sessions_to_goal[nm], sim.truth[nm])
        high, low = res.sessions_to_goal[nm, 2], res.sessions_to_goal[nm, 1]
        finite = np.isfinite(high) & np.isfinite(low)
        width = np.median(high[finite] - low[finite]) if finite.any() else math.nan
        print(
            f"  n = {n:2d}: ±1 {pct(a['within1'])} %, 80 % range covers {pct(a['coverage'])} %;"
            f" not yet at goal: {nm.sum():4d} courses, ±1 {pct(o['within1'])} %,"
            f" covers {pct(o['coverage'])} %; closed ranges {pct(finite.mean())} %,"
            f" median width {width:.0f}"
        )

    print("-" * len(header))
    print("regular scenario by true sessions to goal (truth A, seeds pooled):")
    rows = []
    for seed in args.seeds:
        sim = simulate_courses(args.courses, args.sessions, seed=seed)
        res = analyse_courses(sim.before, sim.after, sim.days, sim.goal, prior=prior)
        rows.append((res.sessions_to_goal, sim.truth))
    pred = np.concatenate([r[0] for r in rows])
    truth = np.concatenate([r[1] for r in rows])
    groups = {
        "truth 0 (at goal at the last session)": truth == 0,
        "truth 1-50 further sessions": np.isfinite(truth) & (truth > 0),
        "truth: not reached within 50": np.isinf(truth),
    }
    for label, sel in groups.items():
        sc = score_predictions(pred[sel], truth[sel])
        said_not = np.mean(np.isinf(pred[sel, 0]))
        print(
            f"  {label:40s} {pct(sel.mean())} % of courses: ±1 {pct(sc['within1'])} %,"
            f" covers {pct(sc['coverage'])} %, median says 'not reached' {pct(said_not)} %"
        )

    print("-" * len(header))
    print("mean over seeds (truth A: ±1 %, coverage %):")
    for name, rows in totals.items():
        w = np.mean([r[0]["within1"] for r in rows])
        c = np.mean([r[0]["coverage"] for r in rows])
        print(f"  {name:36s} ±1 {pct(w)} %   80 % range covers {pct(c)} %")
    print("targets: ±1 in >= 90 %; 80 % range covers the truth in 70-90 %")


if __name__ == "__main__":
    main()
