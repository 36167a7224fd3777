"""Tests of the course-effect maths (no Django, no database)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import pytest

from backcourse.lib.course_effect import (
    NEEDS_TWO,
    PracticePrior,
    SessionPoint,
    analyse_course,
    analyse_courses,
    clinically_important_session,
    pack_courses,
    score_predictions,
    simulate_courses,
    true_sessions_to_goal,
)


def weekly(values, start=date(2026, 1, 5), gaps=None):
    """Sessions from (before, after) pairs, weekly unless ``gaps`` (days) given."""
    day = start
    pts = []
    for i, (b, a) in enumerate(values):
        if i:
            day += timedelta(days=7 if gaps is None else gaps[i - 1])
        pts.append(SessionPoint(day, b, a))
    return pts


def to_points(sim, i):
    return [
        SessionPoint(float(d), None if np.isnan(b) else float(b), None if np.isnan(a) else float(a))
        for d, b, a in zip(sim.days[i], sim.before[i], sim.after[i], strict=True)
    ]


# ----------------------------------------------------------------- descriptive


def test_descriptive_figures_lower_is_better():
    pts = weekly([(7, 4), (6, 4), (5, 3), (5, 2)])
    e = analyse_course(pts, 3)
    assert e.n_sessions == 4
    assert e.immediate_relief == [3, 2, 2, 3]
    assert e.lasting_relief == 2
    # retention: (pre_k - pre_{k+1}) / (pre_k - post_k)
    assert e.retention == pytest.approx([1 / 3, 1 / 2, 0.0])
    # relapse: (pre_{k+1} - post_k) / 7 days -> 2/7, 1/7, 2/7; median 2/7
    assert e.relapse_per_day == pytest.approx(2 / 7)


def test_higher_is_better_flips_signs():
    # range of motion in degrees, improving upwards
    pts = weekly([(40, 50), (45, 52), (48, 55)])
    e = analyse_course(pts, 60, higher_is_better=True, prior=PracticePrior.default(True))
    assert e.immediate_relief == [10, 7, 7]
    assert e.lasting_relief == 8
    assert e.retention == pytest.approx([0.5, 3 / 7])
    # climbs back (loses range) 50 -> 45 over 7 days, 52 -> 48
    assert e.relapse_per_day == pytest.approx(np.median([5 / 7, 4 / 7]))
    assert e.curve is not None
    assert e.curve.plateau.median > 40
    assert e.curve.plateau.low <= e.curve.plateau.median <= e.curve.plateau.high
    assert all(lo <= hi for lo, hi in zip(e.curve.band_low, e.curve.band_high, strict=True))


def test_missing_values_are_none_and_retention_undefined_without_relief():
    pts = weekly([(7, None), (None, 5), (6, 6), (5, 3)])
    e = analyse_course(pts, 3)
    assert e.immediate_relief == [None, None, 0.0, 2.0]
    # no relief at session 3 -> retention undefined; missing values -> None
    assert e.retention == [None, None, None]
    assert e.lasting_relief == 2.0
    # intervals 2->3: (6 - 5) / 7 and 3->4: (5 - 6) / 7 -> median 0
    assert e.relapse_per_day == pytest.approx(0.0)
    assert e.maintenance_interval_days.median is None
    assert "climb back" in e.maintenance_interval_days.reason


def test_irregular_gaps_use_actual_dates():
    pts = weekly([(7, 3), (5, 3), (5, 3)], gaps=[2, 20])
    e = analyse_course(pts, 4)
    # (5-3)/2 = 1.0 and (5-3)/20 = 0.1 -> median of two = 0.55
    assert e.relapse_per_day == pytest.approx(0.55)
    # maintenance: from the last after value 3 to the goal 4 at 0.55/day
    assert e.maintenance_interval_days.median == pytest.approx(1 / 0.55)
    assert e.maintenance_interval_days.low is None  # fewer than 3 intervals
    assert "3 intervals" in e.maintenance_interval_days.note


def test_maintenance_interval_with_range():
    pts = weekly([(6, 2), (4, 2), (4, 1), (3.5, 1), (3.1, 1)])
    e = analyse_course(pts, 3)
    rates = sorted([2 / 7, 2 / 7, 2.5 / 7, 2.1 / 7])
    med = float(np.median(rates))
    mi = e.maintenance_interval_days
    assert mi.median == pytest.approx(2 / med)
    assert mi.low <= mi.median <= mi.high
    assert mi.n_sessions == 5
    # ~80 % CI of the median relapse from order statistics (4 intervals: min..max)
    assert e.relapse_n_intervals == 4
    assert e.relapse_range == pytest.approx((rates[0], rates[-1]))
    assert e.to_dict()["relapse_per_day_range"]["n_intervals"] == 4


def test_single_session_has_reasons():
    e = analyse_course([SessionPoint(date(2026, 1, 5), 7, 4)], 3)
    assert e.immediate_relief == [3]
    assert e.retention == []
    assert e.lasting_relief is None
    assert e.curve is None
    assert e.reasons["curve"] == NEEDS_TWO
    assert e.sessions_to_goal.median is None
    assert e.sessions_to_goal.reason == NEEDS_TWO
    assert e.relapse_per_day is None
    assert e.maintenance_interval_days.reason


def test_no_sessions_and_no_goal():
    e = analyse_course([], 3)
    assert e.n_sessions == 0 and e.curve is None
    e = analyse_course(weekly([(7, 4), (6, 4)]), None)
    assert e.sessions_to_goal.median is None
    assert "no goal" in e.sessions_to_goal.reason
    assert "no goal" in e.maintenance_interval_days.reason


def test_sessions_must_be_in_date_order():
    pts = [SessionPoint(date(2026, 1, 12), 7, 4), SessionPoint(date(2026, 1, 5), 6, 4)]
    with pytest.raises(ValueError, match="date order"):
        analyse_course(pts, 3)


def test_days_as_numbers_and_nan_as_missing():
    pts = [SessionPoint(0, 7, 4), SessionPoint(7.0, float("nan"), 4), SessionPoint(14, 6, 3)]
    e = analyse_course(pts, 3)
    assert e.immediate_relief == [3, None, 3]
    assert e.relapse_per_day == pytest.approx(2 / 7)  # (6 - 4) / 7


# ----------------------------------------------------------------- predictions


def test_prediction_exists_from_session_two():
    e = analyse_course(weekly([(8, 5), (6.5, 4)]), 5)
    s = e.sessions_to_goal
    assert s.median is not None and s.median >= 1
    assert s.low <= s.median and (s.high is None or s.median <= s.high)
    assert s.n_sessions == 2
    assert e.curve.n_sessions == 2
    assert len(e.curve.sessions) == len(e.curve.fitted) == 2 + 5


def test_goal_already_met_gives_zero():
    e = analyse_course(weekly([(7, 4), (5, 3), (3, 2)]), 3)
    assert (e.sessions_to_goal.median, e.sessions_to_goal.low, e.sessions_to_goal.high) == (
        0,
        0,
        0,
    )
    # also with a single before value (no curve needed)
    e = analyse_course(weekly([(2, 1)]), 3)
    assert e.sessions_to_goal.median == 0


def test_latest_available_before_value_counts_for_goal_met():
    e = analyse_course(weekly([(7, 4), (3, 2), (None, 2)]), 3)
    assert e.sessions_to_goal.median == 0


@pytest.mark.parametrize(
    "values",
    [
        [(7, 5), (7, 5), (7, 5), (7, 5), (7, 5), (7, 5)],  # flat
        [(5, 4), (5.5, 4), (6, 5), (6.5, 5), (7, 6), (7.5, 6)],  # worsening
    ],
)
def test_flat_and_worsening_courses_do_not_reach_goal(values):
    e = analyse_course(weekly(values), 3)
    assert e.sessions_to_goal.median is None
    assert "not reached" in e.sessions_to_goal.reason
    assert e.curve is not None


def test_straight_line_course_keeps_falling_towards_the_goal():
    # product review: 8, 7, 6, 5 weekly, goal pain <= 3 - a therapist expects about
    # two more sessions, not "levels off short of the goal"
    e = analyse_course(weekly([(8, 5), (7, 4), (6, 3), (5, 2)]), 3)
    stg = e.sessions_to_goal
    assert stg.reason is None
    assert 1 <= stg.median <= 4
    assert stg.low <= 2 and (stg.high is None or stg.high >= 2)
    assert all(v >= 0 for v in e.curve.band_low)  # pain does not go below 0
    assert e.curve.plateau.low >= 0
    json.dumps(e.to_dict(), allow_nan=False)


def test_course_that_levels_off_above_the_goal_is_not_reached():
    e = analyse_course(weekly([(8, 5), (6, 4), (5, 3), (4.5, 3), (4.3, 3), (4.2, 3)]), 3)
    assert e.sessions_to_goal.median is None
    assert e.sessions_to_goal.reason.startswith("goal not reached within")
    assert 3.5 <= e.curve.plateau.median <= 4.5


def test_improving_course_prediction_is_sensible():
    # noise-free curve: plateau 2, start 8, rate 0.3; goal 4
    k = np.arange(6)
    pre = 2 + 6 * np.exp(-0.3 * k)
    e = analyse_course(weekly([(float(p), float(p) - 2) for p in pre]), 4)
    true_k = next(j for j in range(1, 60) if 2 + 6 * math.exp(-0.3 * (6 + j - 1)) <= 4)
    assert abs(e.sessions_to_goal.median - true_k) <= 1
    assert e.curve.plateau.low <= 2.5 and e.curve.plateau.high >= 1.5
    assert e.curve.fitted[0] == pytest.approx(8, abs=0.5)


def test_prediction_sharpens_with_data():
    sim = simulate_courses(200, 10, seed=11)
    widths = {}
    for n in (3, 6, 10):
        res = analyse_courses(sim.before[:, :n], sim.after[:, :n], sim.days[:, :n], sim.goal)
        plateau = res.plateau
        widths[n] = float(np.nanmedian(plateau[:, 2] - plateau[:, 1]))
    assert widths[3] > widths[6] > widths[10]


def test_single_and_batch_agree_and_are_reproducible():
    sim = simulate_courses(20, 8, seed=3, missing=0.2)
    res = analyse_courses(sim.before, sim.after, sim.days, sim.goal)
    for i in range(20):
        e = analyse_course(to_points(sim, i), float(sim.goal[i]))
        e2 = analyse_course(to_points(sim, i), float(sim.goal[i]))
        assert e.to_dict() == e2.to_dict()
        med = res.sessions_to_goal[i, 0]
        if np.isfinite(med):
            assert e.sessions_to_goal.median == med
        else:
            assert e.sessions_to_goal.median is None
    # a course's result does not depend on the other courses in the batch
    part = analyse_courses(sim.before[5:7], sim.after[5:7], sim.days[5:7], sim.goal[5:7])
    np.testing.assert_array_equal(part.sessions_to_goal, res.sessions_to_goal[5:7])


def test_to_dict_is_json_with_required_keys():
    e = analyse_course(weekly([(7, 4), (None, 4), (5, None)]), 3)
    d = json.loads(json.dumps(e.to_dict(), allow_nan=False))
    for key in (
        "immediate_relief",
        "lasting_relief",
        "relapse_per_day",
        "sessions_to_goal",
        "maintenance_interval_days",
        "n_sessions",
        "retention",
    ):
        assert key in d
    for key in ("median", "low", "high", "n_sessions"):
        assert key in d["sessions_to_goal"]
        assert key in d["maintenance_interval_days"]


def test_batch_padded_courses_of_different_length():
    courses = [
        weekly([(7, 4), (6, 4), (5, 3)]),
        weekly([(7, 4)]),
        weekly([(8, 5), (7, 5), (6, 4), (5, 3), (4.5, 3)]),
    ]
    before, after, days, n = pack_courses(courses)
    assert before.shape == (3, 5)
    res = analyse_courses(before, after, days, 3.0, n_sessions=n)
    assert np.isnan(res.sessions_to_goal[1, 0])  # one before value: no estimate
    for i, c in enumerate(courses):
        e = analyse_course(c, 3.0)
        expected = res.lasting_relief[i]
        if np.isnan(expected):
            assert e.lasting_relief is None
        else:
            assert e.lasting_relief == pytest.approx(expected)


# ----------------------------------------------------------------- prior


def test_default_prior_and_fallback():
    p = PracticePrior.default()
    assert p.source == "default" and p.n_courses == 0
    assert PracticePrior.default(higher_is_better=True).higher_is_better
    few = [weekly([(7, 4), (6, 4), (5, 3), (5, 2)])] * 3
    assert PracticePrior.from_courses(few) == p


def test_prior_from_courses_recovers_population():
    true = PracticePrior(math.log(0.5), 0.4, 0.4, 0.2, math.log(0.08), 0.3)
    sim = simulate_courses(400, 10, seed=21, prior=true)
    fitted = PracticePrior.from_courses([to_points(sim, i) for i in range(400)])
    assert fitted.source == "practice" and fitted.n_courses == 400
    assert fitted.log_rate_mean == pytest.approx(true.log_rate_mean, abs=0.15)
    assert fitted.log_rate_sd == pytest.approx(true.log_rate_sd, abs=0.2)
    assert fitted.gain_fraction_mean == pytest.approx(true.gain_fraction_mean, abs=0.05)
    assert fitted.gain_fraction_sd == pytest.approx(true.gain_fraction_sd, abs=0.05)
    assert fitted.log_noise_mean == pytest.approx(true.log_noise_mean, abs=0.15)


def test_practice_prior_changes_early_prediction():
    fast = PracticePrior(math.log(1.0), 0.3, 0.7, 0.1, math.log(0.08), 0.3)
    slow = PracticePrior(math.log(0.1), 0.3, 0.7, 0.1, math.log(0.08), 0.3)
    pts = weekly([(8, 5), (7, 5)])
    a = analyse_course(pts, 4, prior=fast).sessions_to_goal.median
    b = analyse_course(pts, 4, prior=slow).sessions_to_goal.median
    assert a is not None and (b is None or a < b)


# ----------------------------------------------------------------- outcomes helper


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([7, 6, 5, 4], 3),  # 2 points at session 3
        ([4, 3.5, 2.8], 3),  # 30 % of 4 = 1.2 at session 3
        ([None, 8, 7, 6.5, 6], 5),  # first recorded is session 2; 8 -> 6 at session 5
        ([5, 5, 5], None),
        ([], None),
        ([None, None], None),
        ([0, 0], None),
    ],
)
def test_clinically_important_session(values, expected):
    assert clinically_important_session(values) == expected


def test_clinically_important_session_higher_is_better():
    assert clinically_important_session([40, 45, 52], higher_is_better=True) == 2
    assert clinically_important_session([40, 41, 41.5], higher_is_better=True) is None


# ----------------------------------------------------------------- validation


def test_truth_definitions():
    curve = np.array([[8, 6, 5, 4, 3.5, 3.2, 3.1] + [3.05] * 60, [5, 4, 3] + [2.5] * 64])
    goal = np.array([3.0, 3.0])
    np.testing.assert_array_equal(true_sessions_to_goal(curve, goal, 3), [np.inf, 0])
    goal = np.array([3.5, 3.0])
    np.testing.assert_array_equal(true_sessions_to_goal(curve, goal, 3), [2, 0])
    observed = np.array([True, False])
    np.testing.assert_array_equal(true_sessions_to_goal(curve, goal, 3, observed), [0, 1])


SCENARIOS = {
    "regular": {},
    "missing sessions": {"missing": 0.2},
    "irregular gaps": {"irregular": True},
    "non-responders": {"non_responders": True},
}


def _scores(kw, seed=1):
    sim = simulate_courses(1000, 8, seed=seed, **kw)
    res = analyse_courses(sim.before, sim.after, sim.days, sim.goal)
    return score_predictions(res.sessions_to_goal, sim.truth)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_validation_1000_courses(name):
    """Simulated courses with known parameters (8 sessions of data), truth on the
    noise-free curve.  The 80 % range must contain the truth in 70-90 % of courses
    (calibration).  The median is within +-1 session of the truth in about 83-85 %
    of courses (97 % for non-responders): see the xfail test below."""
    s = _scores(SCENARIOS[name])
    assert 0.70 <= s["coverage"] <= 0.90 or (name == "non-responders" and s["coverage"] > 0.9)
    assert s["within1"] >= 0.80


@pytest.mark.xfail(
    reason="+-1 session in 90 % of courses is not reached honestly (regular: ~85 %): "
    "for courses whose goal lies close to the plateau the posterior itself is wider "
    "than +-1 session; see scripts/validate_effect.py",
    strict=True,
)
def test_within_one_session_in_90_percent_of_courses():
    assert _scores({})["within1"] >= 0.90
