"""Tests of the course-effect maths (no Django, no database)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import pytest

from backcourse.lib.course_effect import (
    NEEDS_TWO,
    CourseSummary,
    PracticePrior,
    SessionPoint,
    analyse_course,
    analyse_courses,
    clinically_important_session,
    pack_courses,
    score_by_stratum,
    simulate_courses,
    simulate_relapse_courses,
    summarise_course,
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
    # relapse: climbs of 2, 1, 2 points over 7 days after reliefs of 3, 2, 2: the
    # exponential-return model puts the mean climb per day near 5/21 points per day
    r = e.relapse_points_per_day
    assert r.unit == "points_per_day" and r.n_sessions == 3
    assert r.low < r.median < r.high
    assert 0.15 < r.median < 0.35
    assert e.relapse_per_day == r.median


def test_higher_is_better_flips_signs():
    # range of motion in degrees, improving upwards
    pts = weekly([(40, 50), (45, 52), (48, 55)])
    e = analyse_course(pts, 60, higher_is_better=True, prior=PracticePrior.default(True))
    assert e.immediate_relief == [10, 7, 7]
    assert e.lasting_relief == 8
    assert e.retention == pytest.approx([0.5, 3 / 7])
    # two climbs back (50 -> 45, 52 -> 48) are too few for a range
    assert e.relapse_points_per_day.code == "too_few_sessions"
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
    # only the interval after session 4's relief could be used: too few climbs
    assert e.relapse_per_day is None
    assert e.relapse_points_per_day.code == "too_few_sessions"
    assert e.maintenance_interval_days.median is None
    assert e.maintenance_interval_days.code == "too_few_sessions"


def test_irregular_gaps_use_actual_dates():
    pts = weekly([(7, 3), (5, 3), (5, 3)], gaps=[2, 20])
    pts = weekly([(7, 3), (5, 3), (5, 3), (5, 3)], gaps=[2, 20, 7])
    e = analyse_course(pts, 4)
    # climbs of 2 points after 2, 20 and 7 days: most of a session's relief is gone
    # within two days, so the half-life is short (days) and the 80 % range is real
    hl = e.relief_half_life_days
    assert hl.unit == "days" and hl.low < hl.median < hl.high
    assert hl.median < 2.5
    mi = e.maintenance_interval_days
    assert mi.low < mi.median < mi.high and mi.median < 2


def test_maintenance_interval_with_range():
    pts = weekly([(6, 2), (4, 2), (4, 1), (3.5, 1), (3.1, 1)])
    e = analyse_course(pts, 3)
    mi = e.maintenance_interval_days
    # after value 1, goal 3, mean recent relief 2.72: the value climbs back past the
    # goal when 2 / 2.72 of the relief is lost: t = -ln(1 - 2 / 2.72) / lambda
    lam = math.log(2) / e.relief_half_life_days.median
    r_bar = np.mean([4, 2, 3, 2.5, 2.1])
    assert mi.median == pytest.approx(-math.log(1 - 2 / r_bar) / lam, rel=1e-6)
    assert mi.low < mi.median < mi.high
    assert mi.unit == "days"
    assert e.relapse_n_intervals == 4
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
    assert e.immediate_relief_recent.code == "too_few_sessions"  # two reliefs only


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
    e = analyse_course(weekly([(7, 4), (4, 2), (2, 1), (2, 1)]), 3)
    assert (e.sessions_to_goal.median, e.sessions_to_goal.low, e.sessions_to_goal.high) == (
        0,
        0,
        0,
    )
    # also with a single before value (no curve needed)
    e = analyse_course(weekly([(2, 1)]), 3)
    assert e.sessions_to_goal.median == 0


def test_latest_available_before_value_counts_for_goal_met():
    # (two before values no longer decide it: with the calibrated slope prior the
    # curve through 7 -> 3 is at the goal in just under half the draws)
    e = analyse_course(weekly([(7, 4), (5, 3), (3, 2), (None, 2)]), 3)
    assert e.sessions_to_goal.median == 0
    assert e.sessions_to_goal.note == "the latest before value already meets the goal"
    above = analyse_course(weekly([(7, 4), (5, 3), (3, 2), (5, 2)]), 3)
    assert above.sessions_to_goal.low >= 1


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
    assert e.sessions_to_goal.code in ("goal_not_reached", "not_as_modelled")
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


# ----------------------------------------------------------------- every figure has an interval

INTERVAL_FIELDS = (
    "immediate_relief_recent",
    "lasting_relief_estimate",
    "relapse_points_per_day",
    "relief_half_life_days",
    "retention_estimate",
    "maintenance_interval_days",
    "level_at_planned_last_session",
    "plateau",
)


@pytest.mark.parametrize("seed", range(6))
def test_every_figure_lies_inside_its_own_interval_and_never_collapses(seed):
    sim = simulate_courses(1, 6, seed=seed, rounding=1.0)
    e = analyse_course(to_points(sim, 0), 3.0, planned_sessions=10)
    shown = 0
    for name in INTERVAL_FIELDS:
        est = getattr(e, name)
        if est.median is None:
            assert est.code  # a reason code instead of a figure
            continue
        shown += 1
        assert est.low <= est.median <= est.high, name
        assert est.high - est.low > 0, name  # integer ratings, six sessions: still a range
    assert shown >= 5


def test_identical_values_still_give_a_range():
    # six sessions, every one 6 -> 3, one week apart: nothing varies, yet the data
    # cannot tell relief or relapse to the hundredth
    e = analyse_course(weekly([(6, 3)] * 6), 2)
    for name in ("immediate_relief_recent", "relapse_points_per_day", "relief_half_life_days"):
        est = getattr(e, name)
        assert est.low < est.median < est.high, name


def test_fewer_than_three_values_say_too_few_sessions():
    e = analyse_course(weekly([(7, 4), (6, 3)]), 3, planned_sessions=8)
    for name in INTERVAL_FIELDS:
        est = getattr(e, name)
        assert est.median is None and est.low is None and est.high is None, name
        assert est.code in ("too_few_sessions", "latest_session_not_at_goal"), name
    assert e.status == "too_few_sessions"
    d = e.to_dict()
    assert d["lasting_relief_estimate"]["code"] == "too_few_sessions"


def test_units_are_named():
    e = analyse_course(weekly([(7, 4), (6, 3), (5, 3), (5, 2), (4, 2)]), 3, planned_sessions=8)
    assert e.relapse_points_per_day.unit == "points_per_day"
    assert e.relief_half_life_days.unit == "days"
    assert e.lasting_relief_estimate.unit == "points"
    assert e.retention_estimate.unit == "share"
    assert e.level_at_planned_last_session.unit == "measure_units"


def test_level_at_planned_last_session_is_not_the_plateau():
    # steady fall 8, 7, 6, 5 with 6 sessions planned: the level at session 6 lies
    # between the latest value and where the course levels off
    e = analyse_course(
        weekly([(8, 5), (7.2, 4), (6.5, 3), (6, 3), (5.6, 3)]), 3, planned_sessions=6
    )
    at_plan = e.level_at_planned_last_session
    assert at_plan.low <= at_plan.median <= at_plan.high
    assert e.plateau.median < at_plan.median < 5.6
    assert e.curve.fitted[5] == pytest.approx(at_plan.median, abs=0.05)
    no_plan = analyse_course(weekly([(8, 5), (7, 4), (6, 3)]), 3)
    assert no_plan.level_at_planned_last_session.code == "no_planned_sessions"


# ----------------------------------------------------------------- recent worsening


def _relapse_after_improving(rng, n_good=6):
    """Improves (8 -> ~3) for ``n_good`` sessions, then rises by ~1 per session."""
    k = np.arange(n_good)
    good = 3 + 5 * np.exp(-0.5 * k) + rng.normal(0, 0.3, n_good)
    bad = good[-1] + np.array([1.0, 2.0, 3.0]) + rng.normal(0, 0.2, 3)
    return [(float(b), float(b) - 2) for b in np.concatenate([good, bad])]


def test_course_that_relapses_after_improving_is_not_going_as_modelled():
    rng = np.random.default_rng(5)
    for _ in range(20):
        e = analyse_course(weekly(_relapse_after_improving(rng)), 2)
        assert e.status == "not_going_as_modelled" or e.status == "not_as_modelled"
        assert e.sessions_to_goal.median is None
        assert e.sessions_to_goal.code == "not_as_modelled"


def test_issue_example_2_3_4_is_flagged():
    e = analyse_course(weekly([(7, 4), (5, 3), (3, 1), (2, 1), (3, 2), (4, 2)]), 1)
    assert e.status == "not_as_modelled"
    assert e.sessions_to_goal.median is None


def test_no_false_alarm_on_noisy_improving_courses():
    sim = simulate_courses(2000, 9, seed=17, rounding=1.0)
    res = analyse_courses(sim.before, sim.after, sim.days, sim.goal)
    # courses from the model itself (no relapse), integer ratings: alarms are rare
    # (3.5 % here; rounding hides part of the noise)
    assert res.not_as_modelled.mean() < 0.05
    smooth = simulate_courses(2000, 9, seed=17)
    res = analyse_courses(smooth.before, smooth.after, smooth.days, smooth.goal)
    assert res.not_as_modelled.mean() < 0.03


# ----------------------------------------------------------------- follow-ups feed relapse


def test_next_day_followups_narrow_the_relapse_interval():
    kw = {"count": 400, "n": 6, "seed": 3}
    with_f = simulate_relapse_courses(**kw, followups=True)
    res_f = analyse_courses(
        with_f["before"], with_f["after"], with_f["days"], 2.0, next_day=with_f["next_day"]
    )
    res_0 = analyse_courses(with_f["before"], with_f["after"], with_f["days"], 2.0)
    width_f = res_f.relapse_rate[:, 2] - res_f.relapse_rate[:, 1]
    width_0 = res_0.relapse_rate[:, 2] - res_0.relapse_rate[:, 1]
    assert np.nanmedian(width_f / width_0) < 0.8
    # and the narrower interval is still honest about the true rate
    lam = with_f["lam"]
    cover = (res_f.relapse_rate[:, 1] <= lam) & (lam <= res_f.relapse_rate[:, 2])
    assert 0.7 <= cover.mean() <= 0.95


def test_followup_counts_in_analyse_course():
    pts = [
        SessionPoint(0, 7, 4, 5),
        SessionPoint(7, 6, 3, 4),
        SessionPoint(14, 5.5, 3, 4),
    ]
    e = analyse_course(pts, 3)
    assert e.relapse_n_intervals == 5  # two climbs to the next before + three next-day values
    assert e.relapse_points_per_day.median is not None


# ----------------------------------------------------------------- any measure, both directions


def test_mirrored_course_gives_the_same_forecast():
    pts = weekly([(30, 22), (27, 20), (24, 18), (22, 16), (21, 15)])
    mirrored = [SessionPoint(p.day, 50 - p.before, 50 - p.after) for p in pts]
    a = analyse_course(pts, 12, planned_sessions=9)
    b = analyse_course(mirrored, 38, higher_is_better=True, ceiling=50, planned_sessions=9)
    assert a.sessions_to_goal == b.sessions_to_goal
    assert a.status == b.status
    assert a.lasting_relief_estimate.median == pytest.approx(b.lasting_relief_estimate.median)
    lv_a, lv_b = a.level_at_planned_last_session, b.level_at_planned_last_session
    assert lv_a.median == pytest.approx(50 - lv_b.median)
    assert (lv_a.low, lv_a.high) == pytest.approx((50 - lv_b.high, 50 - lv_b.low))


def test_any_scale_degrees_higher_is_better_without_bounds():
    pts = weekly([(40, 50), (44, 52), (47, 55), (50, 57), (52, 58)])
    e = analyse_course(pts, 60, higher_is_better=True)
    assert e.lasting_relief == 12
    assert e.plateau.low <= e.plateau.median <= e.plateau.high
    assert e.plateau.median > 50


# ----------------------------------------------------------------- validation by stratum


def _pooled_forecasts(count=1000, seeds=(1, 2, 3), sessions=(3, 5, 8, 12)):
    """The regular scenario of scripts/validate_effect.py (same courses, same seeds)."""
    preds, truths = [], []
    for n in sessions:
        for seed in seeds:
            sim = simulate_courses(count, n, seed=seed + 100 * n)
            res = analyse_courses(sim.before, sim.after, sim.days, sim.goal)
            preds.append(res.sessions_to_goal)
            truths.append(sim.truth)
    return np.concatenate(preds), np.concatenate(truths)


def test_forecasts_by_stratum_from_session_3_on():
    """Forecasts made after 3, 5, 8 and 12 sessions (1,000 courses x 3 seeds, pooled),
    scored by the true number of further sessions, against issue 14's real
    targets: the 80 % range covers the truth in 75-88 % of courses in every
    stratum; for "needs 1-5 more" the median is within +-1 in at least 60 %; at
    most a quarter of the forecasts are open-ended.  (The calibration was fitted
    on seeds 11-13, scripts/calibrate_effect.py; these seeds are others.)"""
    pred, truth = _pooled_forecasts()
    sc = score_by_stratum(pred, truth)
    for name in ("already at goal", "needs 1-5 more", "needs 6-20 more", "never reaches the goal"):
        assert 0.75 <= sc[name]["coverage"] <= 0.88, (name, sc[name])
        assert sc[name]["no_forecast"] == 0.0, name
    assert sc["needs 1-5 more"]["within1"] >= 0.60, sc["needs 1-5 more"]
    assert sc["open_ended"] <= 0.25, sc["open_ended"]


def test_prior_from_stored_summaries_matches_and_scales():
    true = PracticePrior(math.log(0.5), 0.4, 0.4, 0.2, math.log(0.08), 0.3)
    sim = simulate_courses(300, 10, seed=21, prior=true)
    courses = [to_points(sim, i) for i in range(300)]
    stored = [json.loads(json.dumps(summarise_course(c).to_dict())) for c in courses]
    from_rows = PracticePrior.from_courses(courses)
    from_store = PracticePrior.from_summaries([CourseSummary(**d) for d in stored])
    assert from_store == from_rows
    # a large practice: a deterministic subset fits the prior, every course counts
    big = simulate_courses(12_000, 10, seed=22, prior=true)
    summaries = [CourseSummary(tuple(row)) for row in big.before]
    fitted = PracticePrior.from_summaries(summaries, max_courses=3000)
    assert fitted.n_courses == 12_000
    assert fitted.log_rate_mean == pytest.approx(true.log_rate_mean, abs=0.15)
    assert fitted.gain_fraction_mean == pytest.approx(true.gain_fraction_mean, abs=0.05)
    assert fitted == PracticePrior.from_summaries(summaries, max_courses=3000)


def test_plan_and_forecast_disagree():
    pts = weekly([(8, 5), (7, 4), (6, 3), (5, 3), (4.5, 2)])
    e = analyse_course(pts, 3, planned_sessions=6)  # one session left in the plan
    assert e.sessions_to_goal.median > 1
    assert e.plan_notes == ["more_sessions_needed_than_planned"]
    roomy = analyse_course(pts, 3, planned_sessions=5 + e.sessions_to_goal.median)
    assert roomy.plan_notes == []


@pytest.mark.parametrize("seed", range(4))
def test_mirroring_random_courses_changes_nothing_but_the_direction(seed):
    sim = simulate_courses(8, 7, seed=seed, missing=0.1, rounding=0.5)
    for i in range(8):
        pts = to_points(sim, i)
        pts = [SessionPoint(p.day, p.before, p.after, p.after) for p in pts]  # next-day too
        mirrored = [
            SessionPoint(
                p.day, *(None if v is None else 10 - v for v in (p.before, p.after, p.next_day))
            )
            for p in pts
        ]
        g = float(sim.goal[i])
        a = analyse_course(pts, g, planned_sessions=9, ceiling=10)
        b = analyse_course(
            mirrored, 10 - g, higher_is_better=True, floor=0, ceiling=10, planned_sessions=9
        )
        assert a.sessions_to_goal == b.sessions_to_goal
        assert (a.status, a.plan_notes) == (b.status, b.plan_notes)
        for name in (
            "immediate_relief_recent",
            "lasting_relief_estimate",
            "relapse_points_per_day",
            "relief_half_life_days",
            "maintenance_interval_days",
        ):
            ea, eb = getattr(a, name), getattr(b, name)
            assert (ea.median, ea.low, ea.high) == pytest.approx((eb.median, eb.low, eb.high)), name
        for name in ("level_at_planned_last_session", "plateau"):
            ea, eb = getattr(a, name), getattr(b, name)
            if ea.median is None:
                assert eb.median is None
                continue
            assert (ea.median, ea.low, ea.high) == pytest.approx(
                (10 - eb.median, 10 - eb.high, 10 - eb.low)
            ), name


def test_maintenance_interval_only_when_the_goal_is_in_reach():
    # after values at the goal, but before values level off well above it
    levels_off = weekly([(8, 2), (6.5, 2), (6, 2), (5.8, 2), (5.7, 2), (5.7, 2)])
    e = analyse_course(levels_off, 3)
    assert e.sessions_to_goal.code == "goal_not_reached"
    assert e.maintenance_interval_days.median is None
    assert e.maintenance_interval_days.code == "goal_not_reached"
    relapsing = weekly([(7, 2), (5, 1), (3, 1), (2, 1), (3, 1), (4, 1)])
    e = analyse_course(relapsing, 3)
    assert e.maintenance_interval_days.code == "not_as_modelled"
    heading = weekly([(7, 3), (5, 2), (4, 2), (3.5, 1.5), (3.2, 1.5)])
    e = analyse_course(heading, 3)
    mi = e.maintenance_interval_days
    assert mi.low < mi.median < mi.high


def test_lasting_relief_of_a_course_that_relapses_is_measured_to_the_latest_value():
    """The fitted curve keeps falling through a recent worsening; the lasting relief
    of a course that is not going as modelled is measured to the latest before value."""
    relapse = weekly([(8, 5), (6, 3), (5, 2), (4, 2), (4, 2), (5, 3), (6, 4), (7, 4)])
    e = analyse_course(relapse, 3, planned_sessions=10)
    assert e.status == "not_as_modelled"
    est = e.lasting_relief_estimate
    assert est.low < e.lasting_relief < est.high  # 8 -> 7: one point, inside the range
    assert est.median < 1.5
    steady = weekly([(8, 5), (6, 3), (5, 2), (4, 2), (4, 2), (4, 3), (3, 2), (3, 2)])
    assert analyse_course(steady, 3).lasting_relief_estimate.median > 4


def test_a_large_batch_split_over_two_processes_gives_the_same_numbers(monkeypatch):
    """Issue 14 item 6: a practice of 50,000 courses in <= 5 s wall on 2 cores - the batch
    can be split over two processes; every course's numbers stay bit for bit the same."""
    from backcourse.lib import course_effect as ce

    monkeypatch.setattr(ce, "_PARALLEL_MIN", 1000)
    n = 3000
    sim = simulate_courses(n, 12, seed=31, missing=0.1, irregular=True)
    lengths = np.random.default_rng(31).integers(4, 13, n)
    pad = np.arange(12)[None, :] >= lengths[:, None]
    before, after, days = sim.before.copy(), sim.after.copy(), sim.days.copy()
    before[pad] = after[pad] = days[pad] = np.nan
    next_day = np.where(np.isfinite(after), after + 0.5, np.nan)
    kw = {"n_sessions": lengths, "next_day": next_day, "planned_sessions": 10}

    one = ce.analyse_courses(before, after, days, sim.goal, **kw)
    two = ce.analyse_courses(before, after, days, sim.goal, workers=2, **kw)

    for name in ce.BatchEffect.__dataclass_fields__:
        a, b = getattr(one, name), getattr(two, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True), name
    # and a course alone gets the numbers it gets in the batch
    alone = ce.analyse_courses(
        before[7:8],
        after[7:8],
        days[7:8],
        sim.goal[7:8],
        n_sessions=lengths[7:8],
        next_day=next_day[7:8],
        planned_sessions=10,
    )
    assert np.array_equal(alone.sessions_to_goal[0], one.sessions_to_goal[7], equal_nan=True)
    assert np.array_equal(alone.relapse_rate[0], one.relapse_rate[7], equal_nan=True)


def test_a_practice_of_responders_does_not_make_a_flat_course_improve():
    """A prior fitted on a practice whose finished courses all improved (the demo
    practice's: gain 0.47 +- 0.20, noise sd +- 0.24 on the log scale) held a flat course
    7, 7, 7, 7 to a lasting relief of 1.5 (0.3 to 2.4): a non-responder's range must
    include 0, while an improving course keeps a range clear of 0."""
    responders = PracticePrior(
        log_rate_mean=-0.61,
        log_rate_sd=0.34,
        gain_fraction_mean=0.47,
        gain_fraction_sd=0.20,
        log_noise_mean=-2.18,
        log_noise_sd=0.24,
        n_courses=15,
        source="practice",
    )
    flat = analyse_course(weekly([(7, 5)] * 4), 3, prior=responders)
    est = flat.lasting_relief_estimate
    assert est.low <= 0 <= est.high, est
    assert est.median < 1.0, est
    improving = analyse_course(weekly([(8, 5), (7, 4), (6, 4), (6, 3)]), 3, prior=responders)
    assert improving.lasting_relief_estimate.low > 1.0
