"""Validate the course-effect forecasts on simulated courses with known parameters.

    python scripts/validate_effect.py [--courses 1000] [--seeds 1 2 3]
                                      [--sessions 3 5 8 12]

For each scenario and seed, ``--courses`` pain courses are simulated (see
``backcourse.lib.course_effect.simulate_courses``: start U(4, 9), gain fraction /
rate / noise drawn from the default practice prior, goal "pain <= 3" or "30 %
less") and analysed after each number of sessions in ``--sessions`` (forecasts
from session 3 on).  The forecast of further sessions to the goal is scored
against the truth on the noise-free curve (0 = the curve is at the goal at the
last session given; "never" = not within 50 further sessions), by stratum of
the truth:

* already at goal · needs 1-5 more · needs 6-20 more · (needs 21-50 more) ·
  never reaches the goal;
* ``cov`` = share whose 80 % range contains the truth (target 75-88 % in every
  stratum), ``±1`` = share whose median is within one session (target >= 60 %
  for "needs 1-5 more"), ``none`` = share without a forecast ("not going as
  modelled");
* ``open`` = share of forecasts with a finite median whose range is open at the
  top ("beyond 50 sessions"; target at most 25 %).

"previous rule" repeats the regular scenario with the rule used before issue
14 (0 whenever the latest observed before value meets the goal, otherwise at
least one more session, the same posterior), for the before/after comparison.
Then: next-day follow-ups narrow the relapse interval; share of courses flagged
"not going as modelled" on courses from the model (false alarms) and on courses
that improve and then rise for three sessions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout


from backcourse.lib.course_effect import (  # noqa: E402
    STRATA,
    PracticePrior,
    _cell_posteriors,
    _draws,
    _first_last,
    _quantiles,
    _sessions_to_goal,
    analyse_courses,
    score_by_stratum,
    simulate_courses,
    simulate_relapse_courses,
)

SCENARIOS = {
    "regular (weekly)": {},
    "missing values (20 %)": {"missing": 0.2},
    "irregular gaps (3-28 days)": {"irregular": True},
    "non-responders": {"non_responders": True},
    "integer ratings (0-10)": {"rounding": 1.0},
}
SHOWN = ["already at goal", "needs 1-5 more", "needs 6-20 more", "never reaches the goal"]


def previous_rule(sim, prior: PracticePrior) -> np.ndarray:
    """Forecasts with the rule before issue 14 (same posterior)."""
    cp = _cell_posteriors(sim.before, prior, best=0.0)
    dr = _draws(cp)
    gs = (sim.goal - cp["y1"]) / cp["c"]
    j = _sessions_to_goal(dr, gs, np.full(sim.before.shape[0], sim.n))
    _, last, _, _ = _first_last(sim.before)
    met = last <= sim.goal
    j = np.where(met[:, None], 0.0, np.maximum(j, 1.0))
    return _quantiles(j)


def row(label: str, sc: dict) -> str:
    cells = []
    for name in SHOWN:
        s = sc[name]
        if s["n"] == 0:
            cells.append(f"{'-':>17s}")
        else:
            cells.append(f"{100 * s['coverage']:5.1f} {100 * s['within1']:5.1f} {s['n']:5d}")
    return f"{label:34s} | " + " | ".join(cells) + f" | {100 * sc['open_ended']:5.1f}"


def header() -> str:
    h = f"{'':34s} | " + " | ".join(f"{name[:17]:>17s}" for name in SHOWN) + " | open%"
    sub = f"{'scenario, sessions of data':34s} | " + " | ".join(
        f"{'cov%':>5s} {'±1%':>5s} {'n':>5s}" for _ in SHOWN
    )
    return h + "\n" + sub + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--courses", type=int, default=1000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--sessions", type=int, nargs="+", default=[3, 5, 8, 12])
    args = ap.parse_args()
    prior = PracticePrior.default()
    print(
        f"{args.courses} simulated courses per scenario, seed and forecast point; "
        f"seeds {args.seeds} pooled"
    )
    print("targets: cov 75-88 % in every stratum; ±1 >= 60 % for 'needs 1-5 more'; open <= 25 %")
    print(header())
    t0 = time.perf_counter()
    for name, kw in SCENARIOS.items():
        pooled_p, pooled_t = [], []
        for n in args.sessions:
            preds, truths = [], []
            for seed in args.seeds:
                sim = simulate_courses(args.courses, n, seed=seed + 100 * n, **kw)
                res = analyse_courses(sim.before, sim.after, sim.days, sim.goal, prior=prior)
                preds.append(res.sessions_to_goal)
                truths.append(sim.truth)
            p, t = np.concatenate(preds), np.concatenate(truths)
            pooled_p.append(p)
            pooled_t.append(t)
            print(row(f"{name[:26]}, n={n}", score_by_stratum(p, t)))
        sc = score_by_stratum(np.concatenate(pooled_p), np.concatenate(pooled_t))
        print(row(f"{name[:24]}, pooled", sc))
        print("-" * 120)
    for n in args.sessions:
        preds, truths = [], []
        for seed in args.seeds:
            sim = simulate_courses(args.courses, n, seed=seed + 100 * n)
            preds.append(previous_rule(sim, prior))
            truths.append(sim.truth)
        sc = score_by_stratum(np.concatenate(preds), np.concatenate(truths))
        print(row(f"previous rule, regular, n={n}", sc))
    print(f"(strata with 21-50 further sessions are rare: {list(STRATA)[3]!r} not shown)")
    print(f"validation took {time.perf_counter() - t0:.1f} s")

    print("-" * 120)
    print(
        f"relapse (exponential return of a session's relief), {args.courses} courses of 6 sessions:"
    )
    sim = simulate_relapse_courses(args.courses, 6, seed=3, followups=True)
    lam = sim["lam"]
    for label, nd in (("without follow-ups", None), ("with next-day follow-ups", sim["next_day"])):
        res = analyse_courses(sim["before"], sim["after"], sim["days"], 2.0, next_day=nd)
        q = res.relapse_rate
        width = np.nanmedian(q[:, 2] - q[:, 1])
        cover = np.mean((q[:, 1] <= lam) & (lam <= q[:, 2]))
        hl = res.relief_half_life_days
        print(
            f"  {label:26s}: median width of the 80 % range of the relapse rate "
            f"{width:.3f} per day, covers the true rate in {100 * cover:.1f} %; "
            f"median half-life range {np.nanmedian(hl[:, 1]):.1f}-{np.nanmedian(hl[:, 2]):.1f} days"
        )
    worsening_check(args.courses)


def worsening_check(count: int) -> None:
    """Share of courses flagged 'not going as modelled'."""
    print("-" * 120)
    print("recent worsening ('not going as modelled'), 9 sessions of data:")
    rng = np.random.default_rng(11)
    for label, kw in (("courses from the model", {}), ("integer ratings", {"rounding": 1.0})):
        sim = simulate_courses(count, 9, seed=5, **kw)
        res = analyse_courses(sim.before, sim.after, sim.days, sim.goal)
        print(f"  {label:44s}: flagged {100 * res.not_as_modelled.mean():5.1f} % (false alarms)")
    # improve for 6 sessions, then rise by ~0.5, 1 or 1.5 points per session for 3
    for step in (0.5, 1.0, 1.5):
        sim = simulate_courses(count, 6, seed=6)
        base = sim.before[:, -1:]
        rise = base + step * np.arange(1, 4)[None, :] + rng.normal(0, 0.3, (count, 3))
        before = np.concatenate([sim.before, rise], axis=1)
        after = np.concatenate([sim.after, rise - 1.0], axis=1)
        days = np.concatenate([sim.days, sim.days[:, -1:] + 7.0 * np.arange(1, 4)], axis=1)
        res = analyse_courses(before, after, days, sim.goal)
        print(
            f"  improving, then rising {step:.1f} points per session for 3: "
            f"flagged {100 * res.not_as_modelled.mean():5.1f} %"
        )


if __name__ == "__main__":
    main()
