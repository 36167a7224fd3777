"""Timing of the course-effect analysis.

    python scripts/bench_effect.py [--repeats 200] [--practice 50000]

Prints the median CPU time (``time.process_time``, goal <= 2 ms) and wall time of
``analyse_course`` for one 8-session course (the call a course page makes,
including the curve band, the relapse model and the worsening check) and the
total wall time (goal <= 5 s on the 2-core machine) of
``analyse_courses`` for a practice of 50,000 courses of 4-16 sessions (a practice
outcomes page / nightly recomputation), in one process and split over two
(``workers=2``; CPU counts both processes), plus building the arrays from
``SessionPoint`` lists for comparison.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout


from backcourse.lib.course_effect import (
    CourseSummary,
    PracticePrior,
    SessionPoint,
    analyse_course,
    analyse_courses,
    pack_courses,
    simulate_courses,
)


def _children_cpu() -> float:
    """CPU seconds of finished child processes (the second process of workers=2)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description="Course-effect timing")
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--practice", type=int, default=50_000)
    args = ap.parse_args()

    sim = simulate_courses(50, 8, seed=7, missing=0.1)
    courses = [
        [
            SessionPoint(
                float(d), None if np.isnan(b) else float(b), None if np.isnan(a) else float(a)
            )
            for d, b, a in zip(sim.days[i], sim.before[i], sim.after[i], strict=True)
        ]
        for i in range(50)
    ]
    analyse_course(courses[0], 3.0)  # warm-up
    times, cpu = [], []
    for r in range(args.repeats):
        pts = courses[r % len(courses)]
        goal = float(sim.goal[r % len(courses)])
        t0, c0 = time.perf_counter(), time.process_time()
        analyse_course(pts, goal, planned_sessions=10)
        cpu.append(time.process_time() - c0)
        times.append(time.perf_counter() - t0)
    print(
        f"one course (8 sessions, analyse_course): CPU median {1000 * statistics.median(cpu):.3f} ms"
        f" (goal <= 2 ms); wall median {1000 * statistics.median(times):.3f} ms, "
        f"p90 {1000 * np.quantile(times, 0.9):.3f} ms over {args.repeats} calls"
    )

    # a practice: courses of 4-16 sessions, padded to 16
    n = args.practice
    big = simulate_courses(n, 16, seed=8, missing=0.1, irregular=True)
    rng = np.random.default_rng(8)
    lengths = rng.integers(4, 17, n)
    cols = np.arange(16)[None, :]
    pad = cols >= lengths[:, None]
    before, after, days = big.before.copy(), big.after.copy(), big.days.copy()
    before[pad] = after[pad] = days[pad] = np.nan
    analyse_courses(before[:100], after[:100], days[:100], big.goal[:100], n_sessions=lengths[:100])
    for workers in (1, 2):
        totals, cpus = [], []
        for _ in range(3):
            t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
            analyse_courses(before, after, days, big.goal, n_sessions=lengths, workers=workers)
            totals.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0 + _children_cpu() - k0)
        print(
            f"practice of {n:,} courses (4-16 sessions, analyse_courses, {workers} process"
            f"{'es' if workers > 1 else ''}): total {min(totals):.2f} s wall best of 3 "
            f"(runs: {', '.join(f'{t:.2f}' for t in totals)}), "
            f"{1e6 * min(totals) / n:.1f} µs per course (goal <= 5 s); "
            f"CPU {min(cpus):.2f} s (all processes)"
        )
    print(
        f"load average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores (wall times above CPU times mean other processes ran)"
    )

    # the practice prior from stored course summaries (background task)
    summaries = [CourseSummary(tuple(row[:k])) for row, k in zip(before, lengths, strict=True)]
    t0, c0 = time.perf_counter(), time.process_time()
    prior = PracticePrior.from_summaries(summaries)
    print(
        f"practice prior from {n:,} stored course summaries: {time.perf_counter() - t0:.2f} s wall, "
        f"{time.process_time() - c0:.2f} s CPU ({prior.n_courses:,} courses, source {prior.source})"
    )

    # from SessionPoint lists (what a caller holding Python objects pays extra)
    pts_lists = [
        [
            SessionPoint(
                float(d), None if np.isnan(b) else float(b), None if np.isnan(a) else float(a)
            )
            for d, b, a in zip(days[i, :k], before[i, :k], after[i, :k], strict=True)
        ]
        for i, k in enumerate(lengths[:10_000])
    ]
    t0 = time.perf_counter()
    pack_courses(pts_lists)
    dt = time.perf_counter() - t0
    print(
        f"packing SessionPoint lists into arrays: {1e6 * dt / len(pts_lists):.1f} µs per course "
        f"(~{dt * n / len(pts_lists):.2f} s for {n:,})"
    )


if __name__ == "__main__":
    main()
