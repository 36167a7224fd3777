"""`curve_level` is the course curve's model, one value at a time: the same numbers as
the simulated courses' true curves (which the fit is validated against), so the demo
practice, which draws its courses from it, shows the model the panel fits."""

import pytest

from backcourse.lib.course_effect import curve_level, simulate_courses


def test_curve_level_is_the_simulations_true_curve():
    sim = simulate_courses(20, n=6, seed=3)
    for i in range(20):
        start, plateau, rate = sim.start[i], sim.start[i] * (1 - sim.gain[i]), sim.rate[i]
        for k in range(1, 10):
            assert curve_level(start, plateau, rate, k) == pytest.approx(sim.true_curve[i, k - 1])


def test_curve_level_starts_at_the_start_and_levels_off_at_the_plateau():
    assert curve_level(7.0, 2.0, 0.5, 1) == 7.0
    assert curve_level(7.0, 2.0, 0.5, 200) == pytest.approx(2.0)
