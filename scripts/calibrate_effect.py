"""Fit the calibration of the sessions-to-goal forecast on a *calibration* set.

    python scripts/calibrate_effect.py [--courses 1000] [--seeds 11 12 13]

Simulated regular courses (``simulate_courses``; seeds 11-13 by default - the
validation script uses 1-3, so the figures it prints are out of sample), forecasts
after 3, 5, 8 and 12 sessions, pooled.  Tries every combination of the prior of
the linear-decline model's slope (mean, sd), the range's mass and the shares from which "never" and
"0" enter the range (``RANGE_CALIBRATION``) and prints the stratum scores of each;
then the combination that meets issue 14's targets (and keeps non-responders' "never",
see ``NON_RESPONDERS_NEVER``) with the largest margin (ties: the
mass closest to 80 %, then the smallest share for "never").  Copy it
into ``backcourse/lib/course_effect.py`` (``LINEAR_SLOPE``, ``RANGE_CALIBRATION``).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from backcourse.lib import course_effect as ce  # noqa: E402

SHOWN = ["already at goal", "needs 1-5 more", "needs 6-20 more", "never reaches the goal"]
GRID = {
    "linear_slope": [(0.15, 0.07), (0.1, 0.04), (0.12, 0.02), (0.12, 0.025), (0.13, 0.03)],
    "mass": [0.7, 0.75, 0.8],
    "include_never": [0.2, 0.25, 0.3],
    "include_zero": [0.4, 0.5],
}


#: a guard besides issue 14's targets: a gentler, wider slope prior brings "needs 1-5
#: more" within +-1 by letting a flat course decline slowly to the floor - then
#: non-responders get a finite forecast.  At least this share of simulated
#: non-responders that never reach the goal keep the median "never" (0.82 before).
NON_RESPONDERS_NEVER = 0.80


def margin(sc: dict, never_nr: float) -> float:
    """Smallest distance inside the targets (negative: a target is missed)."""
    m = [min(sc[k]["coverage"] - 0.75, 0.88 - sc[k]["coverage"]) for k in SHOWN]
    m.append(sc["needs 1-5 more"]["within1"] - 0.60)
    m.append(0.25 - sc["open_ended"])
    m.append(never_nr - NON_RESPONDERS_NEVER)
    return min(m)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--courses", type=int, default=1000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    args = ap.parse_args()
    sims = [
        ce.simulate_courses(args.courses, n, seed=seed + 100 * n)
        for n in (3, 5, 8, 12)
        for seed in args.seeds
    ]
    truth = np.concatenate([s.truth for s in sims])
    non_resp = [
        ce.simulate_courses(args.courses, n, seed=seed + 100 * n, non_responders=True)
        for n in (3, 5, 8, 12)
        for seed in args.seeds
    ]
    nr_truth = np.concatenate([s.truth for s in non_resp])
    nr_never: dict = {}
    saved = dict(ce.RANGE_CALIBRATION)
    best = None
    try:
        for (slope, slope_sd), mass, never, zero in itertools.product(*GRID.values()):
            ce.RANGE_CALIBRATION.update(mass=mass, include_never=never, include_zero=zero)
            prior = dataclasses.replace(
                ce.PracticePrior.default(), linear_slope_mean=slope, linear_slope_sd=slope_sd
            )
            pred = np.concatenate(
                [
                    ce.analyse_courses(
                        s.before, s.after, s.days, s.goal, prior=prior
                    ).sessions_to_goal
                    for s in sims
                ]
            )
            sc = ce.score_by_stratum(pred, truth)
            if (slope, slope_sd) not in nr_never:  # medians: independent of the range
                nr_pred = np.concatenate(
                    [
                        ce.analyse_courses(
                            s.before, s.after, s.days, s.goal, prior=prior
                        ).sessions_to_goal
                        for s in non_resp
                    ]
                )
                nr = ce.score_by_stratum(nr_pred, nr_truth)
                nr_never[(slope, slope_sd)] = nr["never reaches the goal"]["within1"]
            never_nr = nr_never[(slope, slope_sd)]
            cells = " | ".join(
                f"{100 * sc[k]['coverage']:5.1f} {100 * sc[k]['within1']:5.1f}" for k in SHOWN
            )
            label = (
                f"slope {slope:.2f} sd {slope_sd:.2f} mass {mass:.2f} "
                f"never {never:.2f} zero {zero:.2f}"
            )
            print(
                f"{label} | {cells} | open {100 * sc['open_ended']:5.1f}"
                f" | non-responders 'never' +-1 {100 * never_nr:5.1f}",
                flush=True,
            )
            # ties: the range closest to its nominal 80 %, then the fewest open tops
            key = (round(margin(sc, never_nr), 3), mass, -never)
            if best is None or key > best[0]:
                best = (key, label)
    finally:
        ce.RANGE_CALIBRATION.update(saved)
    assert best is not None
    print(f"best (margin {100 * best[0][0]:.1f} points): {best[1]}")


if __name__ == "__main__":
    main()
